#!/usr/bin/env python3
"""A second generator of access logs for bench/logwatch-shapes.sh, of other
shapes than bench/logwatch.sh's (which logwatch was tuned on): paths 1-8
segments deep, 0-6 query parameters of 1-200 characters, user agents drawn
from fifty-odd real ones, a chosen number of clients, and a random seed drawn
at run time (printed, so that a run can be repeated).

Usage: loggen_shapes.py OUT LINES CLIENTS [SEED] [ATTACK-FILES...]
CLIENTS: a number of distinct addresses, or "new" for a new address on every
line. About 1 % of lines are the requests of the attack files (nginx combined
lines; their request, status, size, referer and agent are kept)."""
import random
import sys

UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729)",
    "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.25 Safari/537.36 Core/1.70.3877.400 QQBrowser/10.8.4506.400",
    "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.5359.95 Safari/537.36 QIHU 360EE",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.5615.49 Safari/537.36 UOS",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.42(0x18002a2f) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-S9180) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.12.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.2.311 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; U; Android 12; zh-cn; 2201123C Build/SKQ1.211006.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.2.80511",
    "Mozilla/5.0 (Linux; Android 10; V2002A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/13.5.10.0",
    "Mozilla/5.0 (Linux; Android 11; PDEM10 Build/RKQ1.200903.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.210 Mobile Safari/537.36 HeyTapBrowser/40.8.6.1",
    "Mozilla/5.0 (Linux; Android 13; V2307A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1110005 MMWEBSDK/20230805 MMWEBID/2345 MicroMessenger/8.0.42.2460(0x28002A58) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64",
    "Mozilla/5.0 (Linux; U; Android 11; zh-CN; M2012K11AC Build/RKQ1.200826.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/15.5.2.1252 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; HMA-AL00 Build/HUAWEIHMA-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.93 Mobile Safari/537.36 DingTalk/7.0.40 Channel/201200 language/zh-CN UT4Aplus/0.2.25 colorScheme/light",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/6.5.20) com.laiwang.DingTalk/24680000 Channel/201200 language/zh-Hans-CN",
    "Mozilla/5.0 (Linux; Android 12; LIO-AN00 Build/HUAWEILIO-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/99.0.4844.88 Mobile Safari/537.36 baiduboxapp/13.40.0.10 (Baidu; P1 12)",
    "Mozilla/5.0 (Linux; Android 9; Redmi Note 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.106 Mobile Safari/537.36 Quark/5.4.9.201",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (Linux;u;Android 4.2.2;zh-cn;) AppleWebKit/534.46 (KHTML,like Gecko) Version/5.1 Mobile Safari/10600.6.3 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (compatible; YisouSpider/1.0; http://www.yisou.com/)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/103.0.0.0 Safari/537.36 360Spider",
    "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/7.88.1",
    "Wget/1.21.3",
    "python-requests/2.31.0",
    "okhttp/4.9.3",
    "Go-http-client/1.1",
    "Java/1.8.0_351",
    "Apache-HttpClient/4.5.13 (Java/11.0.20)",
    "Zabbix",
    "Prometheus/2.45.0",
    "kube-probe/1.27",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.71 Safari/537.36 wxwork/4.1.16 (MicroMessenger/6.2) WindowsWechat",
    "Dalvik/2.1.0 (Linux; U; Android 11; M2011K2C Build/RKQ1.200928.002)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16827; Pro)",
]

WORDS = ["xxgk", "zwgk", "zcwj", "tzgg", "news", "bsfw", "gzcy", "ztzl", "zfxxgk", "jggk",
         "rsxx", "ghjh", "tjxx", "czzj", "zdly", "hdjl", "zxft", "yjzj", "static", "uploads",
         "images", "js", "css", "api", "v1", "v2", "oa", "workflow", "doc", "attachment",
         "portal", "site", "cms", "column", "content", "article", "list", "detail", "index",
         "search", "user", "login", "sso", "app", "m", "en", "gov", "dept", "202611", "202612"]
EXTS = ["", "", "", ".html", ".htm", ".shtml", ".jsp", ".php", ".aspx", ".do", ".action",
        ".js", ".css", ".png", ".jpg", ".gif", ".pdf", ".docx", ".xlsx", ".json", ".woff2"]
KEYS = ["id", "page", "size", "q", "keyword", "wd", "type", "cat", "channelId", "articleId",
        "sort", "order", "t", "v", "_", "ts", "token", "callback", "from", "utm_source",
        "utm_medium", "utm_campaign", "spm", "lang", "city", "year", "deptId", "userId",
        "redirect", "returnUrl", "code", "state", "sign", "nonce", "data", "ext", "filter"]
CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
# what a long parameter value may look like: tokens, url-encoded Chinese,
# JSON, base64, comma lists, an encoded url
ZH = ["%E6%94%BF%E5%8A%A1", "%E5%85%AC%E5%BC%80", "%E9%80%9A%E7%9F%A5",
      "%E6%8B%9B%E8%81%98", "%E6%94%BF%E7%AD%96", "%E8%A7%A3%E8%AF%BB",
      "%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97", "%E7%A4%BE%E4%BF%9D"]
REFS = ["-", "https://www.baidu.com/link?url=%s&wd=&eqid=%s",
        "https://www.so.com/link?m=%s", "https://cn.bing.com/search?q=%s&form=QBLH",
        "https://portal.example.gov.cn/%s", "https://oa.example.gov.cn/workflow/request/%s",
        "https://mp.weixin.qq.com/s/%s", "android-app://com.tencent.mm/"]
STATUS = [200] * 86 + [304] * 6 + [302] * 3 + [404] * 3 + [403, 500]
METHODS = ["GET"] * 90 + ["POST"] * 8 + ["HEAD", "OPTIONS"]


def value(r, n):
    kind = r.random()
    if kind < 0.45:
        return "".join(r.choice(CHARS) for _ in range(n))
    if kind < 0.65:
        return str(r.randint(0, 10 ** min(n, 18)))
    if kind < 0.80:
        s = ""
        while len(s) < n:
            s += r.choice(ZH) + r.choice(["", "+", "%20"])
        return s[:max(n, 18)]
    if kind < 0.90:
        s = "%7B%22"
        while len(s) < n:
            s += "".join(r.choice(CHARS) for _ in range(r.randint(2, 9))) + "%22%3A%22" + \
                 "".join(r.choice(CHARS) for _ in range(r.randint(2, 20))) + "%22%2C%22"
        return s
    b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%2B%2F"
    return "".join(r.choice(b) for _ in range(n))


def request(r):
    depth = r.randint(1, 8)
    path = "/" + "/".join(r.choice(WORDS) if r.random() < 0.7 else
                          "".join(r.choice(CHARS) for _ in range(r.randint(1, 24)))
                          for _ in range(depth)) + r.choice(EXTS)
    nq = r.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6])
    if nq:
        lens = [int(min(200, max(1, r.paretovariate(1.2) * 4))) for _ in range(nq)]
        path += "?" + "&".join("%s=%s" % (r.choice(KEYS), value(r, n)) for n in lens)
    return path


def main():
    out, lines, clients = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != "-" else random.SystemRandom().randrange(1 << 32)
    print("seed %d" % seed)
    r = random.Random(seed)
    attacks = []
    for f in sys.argv[5:]:
        for l in open(f, encoding="utf-8", errors="surrogateescape"):
            attacks.append(l.rstrip("\n").split("] ", 1)[1])
    new = clients == "new"
    pool = None if new else [
        "%d.%d.%d.%d" % (r.choice((36, 58, 101, 114, 117, 120, 183, 223)), r.randint(0, 255),
                         r.randint(0, 255), r.randint(1, 254)) for _ in range(int(clients))]
    with open(out, "w", encoding="utf-8", errors="surrogateescape") as o:
        t = 0.0
        for i in range(lines):
            t += r.random() * 0.1
            s = int(t)
            ts = "03/Dec/2026:%02d:%02d:%02d +0800" % ((s // 3600) % 24, (s // 60) % 60, s % 60)
            if new:
                ip = "%d.%d.%d.%d" % (1 + (i >> 24), (i >> 16) & 255, (i >> 8) & 255, i & 255)
            else:
                # a few clients send most requests (proxies, spiders)
                ip = pool[min(len(pool) - 1, int(r.paretovariate(1.1)) - 1)] if r.random() < 0.3 \
                    else r.choice(pool)
            if attacks and r.random() < 0.01:
                o.write("%s - - [%s] %s\n" % (ip, ts, r.choice(attacks)))
                continue
            ref = r.choice(REFS)
            if "%s" in ref:
                ref = ref % tuple(value(r, r.randint(4, 40)) for _ in range(ref.count("%s")))
            o.write('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (
                ip, ts, r.choice(METHODS), request(r), r.choice(STATUS), r.randint(0, 250000),
                ref, r.choice(UAS)))


if __name__ == "__main__":
    main()
