# `tocsin serve` over HTTPS when the config names a certificate and key:
# HSTS on every answer, the session cookie marked Secure, plain HTTP refused.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >/dev/null || { not_ok "init"; exit 1; }
printf 'a long enough password\n' >"$T/pw"
"$TOCSIN" user add zhou --role officer --password-file "$T/pw" >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
    { not_ok "openssl made no certificate"; exit 1; }
printf 'tls_cert = %s\ntls_key = %s\n' "$T/cert.pem" "$T/key.pem" >"$T/tls"
sed -i "/^listen = /r $T/tls" "$TOCSIN_DATA/tocsin.conf"
serve_start
grep -q "^URL: https://127.0.0.1:" "$T/serve.out" && ok "the URL says https" || not_ok "URL" "$T/serve.out" "$T/serve.err"
BASE=$(printf '%s' "$BASE" | sed 's/^http:/https:/')
code=$(curl -s --cacert "$T/cert.pem" -o "$OUT" -D "$HDR" -w '%{http_code}' "$BASE/healthz")
status 200 "/healthz answers over TLS, verified against the certificate"
grep -qi '^Strict-Transport-Security: max-age=' "$HDR" && ok "with HSTS" || not_ok "HSTS" "$HDR"
code=$(curl -s --cacert "$T/cert.pem" -o "$OUT" -D "$HDR" -w '%{http_code}' \
    -d '{"name":"zhou","password":"a long enough password"}' "$BASE/api/v1/session")
status 200 "sign-in over TLS"
grep -i '^Set-Cookie: tocsin_session=' "$HDR" | grep -qi '; Secure' && ok "the cookie is Secure" ||
    not_ok "Secure cookie" "$HDR"
plain=$(printf '%s' "$BASE" | sed 's/^https:/http:/')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$plain/healthz")
[ "$code" != 200 ] && ok "plain HTTP to the TLS port gets no answer ($code)" || not_ok "plain HTTP answered"
serve_stop
same "$stop_rc" "0" "the TLS server stops cleanly"
sed -i '/^tls_key = /d' "$TOCSIN_DATA/tocsin.conf"
run audit verify
expect 2 "a certificate without a key is a config error"
has "$ERR" "tls_cert and tls_key go together" "that names the rule"
