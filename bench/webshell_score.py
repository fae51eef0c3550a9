#!/usr/bin/env python3
"""Scores a webshell scan: recall on a malicious tree and false alarms on benign
trees, per language, from the JSON of `tocsin scan --webshell --json` or the
output of `yara` (rule path lines).

usage: webshell_score.py --malicious DIR --benign DIR... --found FILE [--missed N]
FILE holds one absolute path per line: the files the scanner named."""
import argparse
import hashlib
import os
import sys

LANG = {
    "php": "php", "php3": "php", "php4": "php", "php5": "php", "php7": "php", "phtml": "php",
    "pht": "php", "inc": "php",
    "jsp": "jsp", "jspx": "jsp", "jspf": "jsp",
    "asp": "asp", "aspx": "asp", "asa": "asp", "cer": "asp", "cdx": "asp", "ashx": "asp",
    "asmx": "asp",
}


def lang_of(path):
    ext = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
    return LANG.get(ext)


def files(root):
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p) and lang_of(p):
                yield os.path.realpath(p)


def digest(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--malicious", required=True)
    ap.add_argument("--benign", nargs="+", required=True)
    ap.add_argument("--found", required=True)
    ap.add_argument("--missed", type=int, default=40)
    ap.add_argument("--label", default="tocsin")
    a = ap.parse_args()
    with open(a.found, encoding="utf-8", errors="replace") as f:
        found = {os.path.realpath(l.rstrip("\n")) for l in f if l.strip()}
    # Samples are counted once per distinct content: collections repeat files.
    seen, hit, missed = {}, {}, []
    for p in sorted(files(a.malicious)):
        h = digest(p)
        if h in seen:
            if p in found:
                hit[h] = True
            continue
        seen[h] = lang_of(p)
        hit[h] = hit.get(h, False) or p in found
        if not hit[h]:
            missed.append((seen[h], p))
    missed = [(l, p) for l, p in missed if not hit[digest(p)]]
    print(f"{a.label}: recall on {a.malicious} (distinct files)")
    tot_n = tot_h = 0
    for lang in ("php", "jsp", "asp"):
        n = sum(1 for h, l in seen.items() if l == lang)
        k = sum(1 for h, l in seen.items() if l == lang and hit[h])
        tot_n += n
        tot_h += k
        print(f"  {lang:4} {k:5}/{n:<5} {k / n if n else 0:.3f}")
    print(f"  all  {tot_h:5}/{tot_n:<5} {tot_h / tot_n if tot_n else 0:.3f}")
    fp_tot = fp_n = 0
    print(f"{a.label}: false alarms on benign trees (files)")
    per = {}
    fps = []
    for root in a.benign:
        for p in files(root):
            l = lang_of(p)
            per.setdefault(l, [0, 0])
            per[l][0] += 1
            if p in found:
                per[l][1] += 1
                fps.append(p)
    for l, (n, k) in sorted(per.items()):
        fp_n += n
        fp_tot += k
        print(f"  {l:4} {k:5}/{n:<6} {1000 * k / n if n else 0:.2f} per 1,000")
    print(f"  all  {fp_tot:5}/{fp_n:<6} {1000 * fp_tot / fp_n if fp_n else 0:.2f} per 1,000")
    for l, p in missed[: a.missed]:
        print(f"  missed {l}: {p}")
    for p in fps[: a.missed]:
        print(f"  false alarm: {p}")


if __name__ == "__main__":
    sys.exit(main())
