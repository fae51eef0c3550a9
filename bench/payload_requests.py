#!/usr/bin/env python3
"""Requests for bench/logwatch-coverage.sh, made from public payload lists
(never committed; give their folders) and from ordinary portal traffic.

Usage: payload_requests.py OUT-DIR PAYLOADS-DIR [SECLISTS-FUZZING-DIR]
PAYLOADS-DIR is a checkout of swisskyrepo/PayloadsAllTheThings; the optional
SecLists folder adds its Fuzzing lists. Writes, in OUT-DIR:
  attack.tsv  METHOD<TAB>URI<TAB>USER-AGENT<TAB>REFERER<TAB>FAMILY<TAB>PLACE
  benign.tsv  the same, FAMILY "benign": generated portal requests and
              look-alikes (Chinese searches, tracking parameters, base64
              images in URLs, news titles with SQL words)
A payload counts only when it holds a character other than letters, digits,
'.', '_', '-' and space (the rule bench/tools.sh applies to real tools' requests).
Each payload is sent once in a query parameter (percent-encoded as tools do;
a payload already encoded is sent as written), and every fourth one also in
the User-Agent and in the Referer where a header may carry it."""
import os
import random
import re
import sys
import urllib.parse

FAMILIES = {  # folder (or SecLists file) → family
    "SQL Injection": "sqli",
    "XSS Injection": "xss",
    "Command Injection": "rce",
    "Directory Traversal": "traversal",
    "File Inclusion": "lfi",
    "Server Side Template Injection": "ssti",
    "CRLF Injection": "crlf",
    "Server Side Include Injection": "ssi",
}
SECLISTS = {
    "Databases/SQLi/Generic-SQLi.txt": "sqli",
    "Databases/SQLi/quick-SQLi.txt": "sqli",
    "Databases/SQLi/sqli.auth.bypass.txt": "sqli",
    "SQLi/Generic-SQLi.txt": "sqli",
    "Polyglots/XSS_Polyglots.txt": "xss",
    "XSS/human-friendly/XSS-Jhaddix.txt": "xss",
    "XSS/robot-friendly/XSS-Jhaddix.txt": "xss",
    "LFI/LFI-Jhaddix.txt": "lfi",
    "LFI/LFI-gracefulsecurity-linux.txt": "lfi",
    "command-injection-commix.txt": "rce",
    "UnixAttacks.fuzzdb.txt": "rce",
    "SSRF_hacktricks.txt": "ssrf",
}
PER_FILE = 300  # payloads sampled per list
PARAMS = ["id", "q", "file", "page", "url", "name", "search", "cmd", "path", "lang"]
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
ORDINARY = re.compile(r"^[A-Za-z0-9._\- ]*$")
ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def payloads(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\r\n")
            if not p or ORDINARY.match(p) or len(p) > 2000:
                continue
            p = p.replace("{FILE}", "etc/passwd").replace("&lt;", "<").replace("&gt;", ">") \
                 .replace("&quot;", '"') if "&lt;" in p or "{FILE}" in p else p
            yield p


def in_query(p):
    if ENCODED.search(p):  # sent as written; only what a request line cannot hold
        return "".join(c if 0x21 <= ord(c) < 0x7f and c not in '"#' else urllib.parse.quote(c, safe="")
                       for c in p)
    return urllib.parse.quote(p, safe="")


def header_ok(p):
    return all(0x20 <= ord(c) < 0x7f for c in p)


def main():
    out, pat = sys.argv[1], sys.argv[2]
    sec = sys.argv[3] if len(sys.argv) > 3 else None
    r = random.Random(25)
    lists = []
    for folder, fam in FAMILIES.items():
        base = os.path.join(pat, folder)
        for root, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith((".txt", ".fuzz")) or "Intruder" in root:
                    if not f.lower().endswith((".md", ".png", ".jpg", ".py")):
                        lists.append((os.path.join(root, f), fam))
    if sec:
        for rel, fam in SECLISTS.items():
            if os.path.exists(os.path.join(sec, rel)):
                lists.append((os.path.join(sec, rel), fam))
    seen = set()
    os.makedirs(out, exist_ok=True)
    n = 0
    with open(os.path.join(out, "attack.tsv"), "w") as o:
        for path, fam in sorted(lists):
            ps = [p for p in payloads(path) if p not in seen]
            r.shuffle(ps)
            for i, p in enumerate(ps[:PER_FILE]):
                seen.add(p)
                param = PARAMS[(i + n) % len(PARAMS)]
                o.write("GET\t/index.php?%s=%s\t%s\t-\t%s\tquery\n" % (param, in_query(p), UA, fam))
                n += 1
                if i % 4 == 0 and header_ok(p) and fam in ("sqli", "xss", "rce", "ssti"):
                    o.write("GET\t/\t%s\t-\t%s\tua\n" % (p, fam))
                    o.write("GET\t/news/\t%s\t%s\t%s\treferer\n" % (UA, p, fam))
    print("%d payloads from %d lists" % (n, len(lists)))
    benign(os.path.join(out, "benign.tsv"), r)


ZH = ["政务公开", "通知公告", "社保卡办理", "公积金提取", "营业执照", "不动产登记", "人才引进政策",
      "2026年政府工作报告", "选调生招录", "联合招聘公告", "医保报销比例", "选择困难症", "联合国",
      "union 银联卡", "如何 select 最佳方案", "关于印发《联合执法工作方案》的通知"]
TITLES = ["Select Committee publishes report on union funding",
          "Union members select new chair; drop in votes from 2024",
          "How to select the right school: a guide for parents",
          "Trade union and employers sign wage deal (2026-2028)",
          "Delete old records? The archive's answer",
          "Order by date: new rules for online queues",
          "Insert coins, select drink: vending machines return",
          "Where and when: the festival programme 2026",
          "If exist: notes on file handling in Windows scripts",
          "<b>bold</b> moves by the council",
          "Tom & Jerry's 5 o'clock show",
          "C:\\Program Files\\Office update guide"]


def benign(path, r):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import loggen_shapes as shapes
    with open(path, "w") as o:
        for i in range(20000):
            o.write("%s\t%s\t%s\t%s\tbenign\tquery\n" % (
                r.choice(["GET"] * 9 + ["POST"]), shapes.request(r), r.choice(shapes.UAS), "-"))
        for z in ZH:
            q = urllib.parse.quote(z)
            o.write("GET\t/search?q=%s&page=1\t%s\thttps://www.baidu.com/s?wd=%s\tbenign\tquery\n" % (q, UA, q))
            o.write("GET\t/s?wd=%s&ie=utf-8&tn=baiduhome_pg\t%s\t-\tbenign\tquery\n" % (urllib.parse.quote_plus(z), UA))
        for t in TITLES:
            o.write("GET\t/news/search?title=%s\t%s\t-\tbenign\tquery\n" % (urllib.parse.quote_plus(t), UA))
            o.write("GET\t/news/list?kw=%s&sort=time\t%s\t-\tbenign\tquery\n" % (urllib.parse.quote(t), UA))
        for i in range(200):
            tok = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(r.randint(40, 180)))
            o.write("GET\t/landing?utm_source=wechat&utm_medium=share&utm_campaign=2026q4&gclid=%s&fbclid=%s&spm=a2c4g.11186623.0.0.%d\t%s\t-\tbenign\tquery\n" % (tok, tok[::-1], i, UA))
            img = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(r.randint(60, 600)))
            o.write("GET\t/api/avatar?data=%s\t%s\t-\tbenign\tquery\n" % (urllib.parse.quote("data:image/png;base64," + img + "=="), UA))


if __name__ == "__main__":
    main()
