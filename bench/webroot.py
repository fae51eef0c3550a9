"""Generates the benchmarks' web root: FILES files under ROOT in 40 sites x
700 sections, 70% text pages (5-40 KB), 25% incompressible images (10-60 KB),
5% attachments (60-180 KB). Names, sizes and text are seeded; the binary
content is random, so it does not compress.
Usage: python3 bench/webroot.py ROOT FILES"""
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(38645)
words = ("政务 公开 通知 公告 办事 指南 新闻 动态 政策 解读 portal news notice service "
         "government open information department").split()
for i in range(n):
    d = os.path.join(root, "site%02d" % (i % 40), "sec%03d" % (i % 700))
    os.makedirs(d, exist_ok=True)
    k = i % 20
    if k < 14:   # pages: text, 5-40 KB
        body = " ".join(r.choice(words) for _ in range(r.randint(400, 3000)))
        p = os.path.join(d, "page%06d.html" % i)
        open(p, "w").write("<html><body>%s</body></html>\n" % body)
    elif k < 19:  # images: incompressible, 10-60 KB
        open(os.path.join(d, "img%06d.jpg" % i), "wb").write(os.urandom(r.randint(10000, 60000)))
    else:         # attachments: 60-180 KB
        open(os.path.join(d, "doc%06d.pdf" % i), "wb").write(os.urandom(r.randint(60000, 180000)))
