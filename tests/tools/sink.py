#!/usr/bin/env python3
"""The far ends of tocsin's notifications, for the end-to-end tests: an HTTP
receiver (webhooks and group robots) and an SMTP server (with STARTTLS and
AUTH PLAIN/LOGIN), both on loopback, each writing what it receives as one
JSON line to a file.

usage: sink.py DIR [--cert FILE --key FILE] [--user NAME --password PW]

Writes DIR/http.port and DIR/smtp.port once listening; appends to DIR/http.jsonl
and DIR/smtp.jsonl. How the HTTP side answers is read from DIR/mode before
each request: ok (200, {"errcode":0,"code":0}), fail (500), hang (no answer
for 30 s), garbage (200 with text that is not JSON), refuse (errcode 310000).
With --dingtalk-secret S, requests to /dingtalk must carry DingTalk's
signature of S, or are answered errcode 310000.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()


def record(name, obj):
    with LOCK:
        with open(os.path.join(ARGS.dir, name), "a", encoding="utf-8") as f:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


def mode():
    try:
        with open(os.path.join(ARGS.dir, "mode"), encoding="utf-8") as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20)).decode("utf-8", "replace")
        m = mode()
        url = urllib.parse.urlsplit(self.path)
        signed = None
        if url.path == "/dingtalk" and ARGS.dingtalk_secret:
            q = urllib.parse.parse_qs(url.query)
            ts, sign = q.get("timestamp", [""])[0], q.get("sign", [""])[0]
            mac = hmac.new(ARGS.dingtalk_secret.encode(),
                           (ts + "\n" + ARGS.dingtalk_secret).encode(), hashlib.sha256)
            signed = bool(ts) and base64.b64encode(mac.digest()).decode() == sign
        record("http.jsonl", {"path": url.path, "query": url.query, "mode": m,
                              "signed": signed,
                              "notification": self.headers.get("X-Tocsin-Notification"),
                              "signature": self.headers.get("X-Tocsin-Signature"),
                              "body": body, "at": time.time()})
        if m == "hang":
            time.sleep(30)
            return
        if m == "fail":
            answer, status = b'{"error":"down for maintenance"}', 500
        elif m == "garbage":
            answer, status = b"<html>gateway says hello</html>", 200
        elif m == "refuse" or signed is False:
            answer, status = b'{"errcode":310000,"errmsg":"sign not match"}', 200
        else:
            answer, status = b'{"errcode":0,"errmsg":"ok","code":0}', 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Smtp(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.tls = False
        self.user = None
        self.send("220 sink ESMTP")
        mail_from, rcpt = None, []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-sink\r\n")
                if ARGS.cert and not self.tls:
                    self.wfile.write(b"250-STARTTLS\r\n")
                if ARGS.user and (self.tls or not ARGS.cert):
                    self.wfile.write(b"250-AUTH PLAIN LOGIN\r\n")
                self.send("250 8BITMIME")
            elif verb == "STARTTLS" and ARGS.cert:
                self.send("220 go ahead")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(ARGS.cert, ARGS.key)
                conn = ctx.wrap_socket(self.connection, server_side=True)
                self.connection = conn
                self.rfile = conn.makefile("rb")
                self.wfile = conn.makefile("wb")
                self.tls = True
            elif verb == "AUTH":
                parts = cmd.split(" ")
                if parts[1].upper() == "PLAIN":
                    blob = parts[2] if len(parts) > 2 else None
                    if blob is None:
                        self.send("334 ")
                        blob = self.rfile.readline().decode().strip()
                    _, user, pw = base64.b64decode(blob).decode().split("\0")
                else:
                    self.send("334 VXNlcm5hbWU6")
                    user = base64.b64decode(self.rfile.readline().strip()).decode()
                    self.send("334 UGFzc3dvcmQ6")
                    pw = base64.b64decode(self.rfile.readline().strip()).decode()
                if user == ARGS.user and pw == ARGS.password:
                    self.user = user
                    self.send("235 authenticated")
                else:
                    self.send("535 bad credentials")
            elif verb == "MAIL":
                if ARGS.user and not self.user:
                    self.send("530 authentication required")
                    continue
                mail_from, rcpt = cmd[10:].strip(), []
                self.send("250 ok")
            elif verb == "RCPT":
                rcpt.append(cmd[8:].strip())
                self.send("250 ok")
            elif verb == "DATA":
                self.send("354 end with .")
                data = []
                while True:
                    d = self.rfile.readline(1 << 16)
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    data.append(d.decode("utf-8", "replace"))
                record("smtp.jsonl", {"from": mail_from, "rcpt": rcpt, "tls": self.tls,
                                      "user": self.user, "data": "".join(data),
                                      "at": time.time()})
                self.send("250 queued")
            elif verb == "QUIT":
                self.send("221 bye")
                return
            else:
                self.send("250 ok")


class SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--dingtalk-secret")
    p.add_argument("--port", type=int, default=0, help="the HTTP side's port (0: any)")
    ARGS = p.parse_args()
    http = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Hook)
    http.daemon_threads = True
    smtp = SmtpServer(("127.0.0.1", 0), Smtp)
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    for name, srv in (("http.port", http), ("smtp.port", smtp)):
        tmp = os.path.join(ARGS.dir, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(tmp, os.path.join(ARGS.dir, name))
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
