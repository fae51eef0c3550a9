/* Inline scripts: what malicious-code kits (挂马) do with them. Obfuscation
 * is a decoder feeding a sink (eval of unescape, fromCharCode chains, packed
 * code, long high-entropy strings run as code); a bare document.write of
 * unescape is how analytics snippets have always written their tags, so it is
 * not enough alone — instead what it writes is decoded and analysed as HTML.
 * Redirects to outside domains, worse when they depend on where the visitor
 * came from, and crypto-miners are findings of their own. */
#include "probe_int.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define CAT_CODE "harmful-program/web-malicious-code"

static const char *find_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || n < k)
        return NULL;
    for (size_t i = 0; i + k <= n; i++)
        if (tolower((unsigned char)s[i]) == tolower((unsigned char)needle[0]) &&
            strncasecmp(s + i, needle, k) == 0)
            return s + i;
    return NULL;
}

static size_t count_ci(const char *s, size_t n, const char *needle)
{
    size_t c = 0, k = strlen(needle);
    const char *p = s;
    while ((p = find_ci(p, (size_t)(s + n - p), needle))) {
        c++;
        p += k;
    }
    return c;
}

const char *script_miner(const char *s, size_t n)
{
    static const char *names[] = {"coinhive",    "coin-hive",   "cryptonight", "cryptoloot",
                                  "crypto-loot", "webminepool", "deepminer",   "minero.cc",
                                  "jsecoin",     "coinimp",     "authedmine",  "webmr.js",
                                  "monerominer", "cryptominer"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (find_ci(s, n, names[i]))
            return names[i];
    return NULL;
}

/* Reads the string literal at s[*i] (quote included) into out, decoding the
 * usual escapes; *i moves past it. 0 when there is no literal there. */
static int read_literal(const char *s, size_t n, size_t *i, struct buf *out)
{
    char q = s[*i];
    if (q != '"' && q != '\'' && q != '`')
        return 0;
    size_t k = *i + 1;
    while (k < n && s[k] != q) {
        char c = s[k];
        if (c == '\\' && k + 1 < n) {
            char d = s[k + 1];
            int h1, h2;
            if (d == 'x' && k + 3 < n && (h1 = hex_value(s[k + 2])) >= 0 &&
                (h2 = hex_value(s[k + 3])) >= 0) {
                char cp[4];
                buf_add(out, cp, utf8_put(cp, (unsigned)(h1 * 16 + h2)));
                k += 4;
                continue;
            }
            if (d == 'u' && k + 5 < n) {
                unsigned v = 0;
                int ok = 1;
                for (int j = 2; j < 6; j++) {
                    int h = hex_value(s[k + (size_t)j]);
                    ok &= h >= 0;
                    v = v * 16 + (unsigned)(h < 0 ? 0 : h);
                }
                if (ok) {
                    char cp[4];
                    buf_add(out, cp, utf8_put(cp, v));
                    k += 6;
                    continue;
                }
            }
            buf_addc(out, d == 'n' ? '\n' : d == 't' ? '\t' : d);
            k += 2;
            continue;
        }
        buf_addc(out, c);
        k++;
    }
    *i = k < n ? k + 1 : n;
    return 1;
}

/* %XX and %uXXXX decoding in place (what unescape() does). */
static void percent_decode(struct buf *b)
{
    if (!b->p)
        return;
    struct buf o;
    buf_init(&o, b->max);
    for (size_t i = 0; i < b->len; i++) {
        int h1, h2;
        if (b->p[i] == '%' && i + 5 < b->len && (b->p[i + 1] == 'u' || b->p[i + 1] == 'U')) {
            unsigned v = 0;
            int ok = 1;
            for (int j = 2; j < 6; j++) {
                int h = hex_value(b->p[i + (size_t)j]);
                ok &= h >= 0;
                v = v * 16 + (unsigned)(h < 0 ? 0 : h);
            }
            if (ok) {
                char cp[4];
                buf_add(&o, cp, utf8_put(cp, v));
                i += 5;
                continue;
            }
        }
        if (b->p[i] == '%' && i + 2 < b->len && (h1 = hex_value(b->p[i + 1])) >= 0 &&
            (h2 = hex_value(b->p[i + 2])) >= 0) {
            buf_addc(&o, (char)(h1 * 16 + h2));
            i += 2;
            continue;
        }
        buf_addc(&o, b->p[i]);
    }
    buf_release(b);
    *b = o;
}

/* The string literals of the expression starting at s[i] (up to the matching
 * ')' when `paren`, else up to ';' or a line end at depth 0), joined. */
static size_t collect_expression(const char *s, size_t n, size_t i, int paren, struct buf *out)
{
    int depth = 0;
    size_t start = i;
    while (i < n) {
        char c = s[i];
        if (c == '"' || c == '\'' || c == '`') {
            read_literal(s, n, &i, out);
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')') {
            if (depth == 0 && paren)
                break;
            depth--;
        } else if (!paren && depth <= 0 && (c == ';' || c == '\n'))
            break;
        i++;
    }
    const char *x = s + start;
    size_t xn = i - start;
    if (find_ci(x, xn, "unescape(") || find_ci(x, xn, "decodeURI"))
        percent_decode(out);
    return i;
}

/* The longest string literal's length and its entropy. */
static void longest_literal(const char *s, size_t n, size_t *len, double *h)
{
    *len = 0;
    *h = 0;
    for (size_t i = 0; i < n;) {
        char q = s[i];
        if (q != '"' && q != '\'') {
            i++;
            continue;
        }
        size_t a = ++i;
        while (i < n && s[i] != q && s[i] != '\n')
            i += s[i] == '\\' ? 2 : 1;
        size_t l = (i < n ? i : n) - a;
        if (l > *len) {
            *len = l;
            *h = text_entropy(s + a, l);
        }
        i++;
    }
}

/* The script with string pieces joined by + made one ("ev"+"al" → "eval"),
 * so that eval reached by a computed name is seen. */
static void compact(const char *js, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if ((js[i] == '"' || js[i] == '\'') && i + 1 < n) {
            size_t j = i + 1;
            while (j < n && js[j] == ' ')
                j++;
            if (j < n && js[j] == '+') {
                j++;
                while (j < n && js[j] == ' ')
                    j++;
                if (j < n && (js[j] == '"' || js[j] == '\'')) {
                    i = j;
                    continue;
                }
            }
        }
        buf_addc(out, js[i]);
    }
}

static int is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* The end of the argument list opened just before s[at] (strings skipped). */
static size_t arg_end(const char *s, size_t n, size_t at)
{
    int depth = 0;
    size_t limit = n - at > 65536 ? at + 65536 : n;
    for (size_t i = at; i < limit; i++) {
        char c = s[i];
        if (c == '"' || c == '\'' || c == '`') {
            for (i++; i < limit && s[i] != c; i++)
                if (s[i] == '\\')
                    i++;
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')' && depth-- == 0)
            return i;
    }
    return limit;
}

/* Does s[0..n) decode something: a decoder call, many escapes, a long
 * high-entropy string? */
static int has_decoder(const char *s, size_t n)
{
    if (find_ci(s, n, "unescape(") || find_ci(s, n, "atob(") || find_ci(s, n, "fromCharCode") ||
        find_ci(s, n, "decodeURIComponent("))
        return 1;
    if (count_ci(s, n, "\\x") + count_ci(s, n, "\\u") + count_ci(s, n, "%u") >= 10)
        return 1;
    size_t len;
    double h;
    longest_literal(s, n, &len, &h);
    return len >= 200 && h >= 4.5;
}

/* Is what a sink runs decoded first? eval(atob(…)), new Function(unescape(…)),
 * window["ev"+"al"](…), or eval(x) where x = unescape(…). Code that merely
 * holds eval and a decoder apart ("return this", a JSON helper) is not. */
static int fed_by_decoder(const char *s, size_t n)
{
    static const char *const sinks[] = {"eval(",         "Function(",   "execScript(",
                                        "[\"eval\"](",   "['eval'](",   "[\"Function\"](",
                                        "['Function'](", "setTimeout(", "setInterval("};
    for (size_t k = 0; k < sizeof sinks / sizeof sinks[0]; k++) {
        size_t sl = strlen(sinks[k]);
        for (const char *p = s; (p = find_ci(p, (size_t)(s + n - p), sinks[k])); p += sl) {
            if (isalpha((unsigned char)sinks[k][0]) && p > s && is_ident(p[-1]))
                continue; /* myeval( is another function */
            size_t a = (size_t)(p - s) + sl, e = arg_end(s, n, a);
            while (a < e && s[a] == ' ')
                a++;
            /* a timer's function argument is code, not text to run */
            if (k >= 7 && (strncmp(s + a, "function", 8) == 0 || s[a] == '('))
                continue;
            if (has_decoder(s + a, e - a))
                return 1;
            /* eval(x): what was x given? */
            size_t il = 0;
            while (a + il < e && is_ident(s[a + il]))
                il++;
            if (il == 0 || il > 64 || a + il != e)
                continue;
            for (const char *q = s; (q = find_ci(q, (size_t)(s + n - q), "=")); q++) {
                size_t at = (size_t)(q - s);
                if (q + 1 < s + n && q[1] == '=')
                    continue;
                size_t b = at;
                while (b > 0 && s[b - 1] == ' ')
                    b--;
                if (b < il || strncmp(s + b - il, s + a, il) != 0 ||
                    (b > il && is_ident(s[b - il - 1])))
                    continue;
                size_t v = at + 1, ve = v;
                while (ve < n && ve - v < 4096 && s[ve] != ';' && s[ve] != '\n')
                    ve++;
                if (has_decoder(s + v, ve - v))
                    return 1;
            }
        }
    }
    return 0;
}

static void redirects(const char *js, size_t n, const char *site, const char *const *allow,
                      int nallow, struct probe_findings *f)
{
    static const char *const sinks[] = {"location.href", "location.replace(", "location.assign(",
                                        "location=", "location ="};
    int conditional =
        (find_ci(js, n, "referrer") &&
         (find_ci(js, n, "baidu") || find_ci(js, n, "sogou") || find_ci(js, n, "so.com") ||
          find_ci(js, n, "google") || find_ci(js, n, "bing"))) ||
        (find_ci(js, n, "userAgent") && (find_ci(js, n, "spider") || find_ci(js, n, "bot")));
    for (size_t k = 0; k < sizeof sinks / sizeof sinks[0]; k++) {
        const char *p = js;
        while ((p = find_ci(p, (size_t)(js + n - p), sinks[k]))) {
            size_t i = (size_t)(p - js) + strlen(sinks[k]);
            while (i < n && (js[i] == ' ' || js[i] == '=' || js[i] == '('))
                i++;
            struct buf lit;
            buf_init(&lit, 2048);
            if (i < n && read_literal(js, n, &i, &lit) && lit.p) {
                char host[256];
                url_host(lit.p, lit.len, host);
                if (host[0] && !host_is_own(host, site, allow, nallow))
                    probe_add(f, CAT_CODE, "redirect", conditional ? PROBE_HIGH : PROBE_MEDIUM,
                              host, lit.p,
                              conditional ? "script sends visitors from search engines to %s"
                                          : "script redirects visitors to %s",
                              host);
            }
            buf_release(&lit);
            p += strlen(sinks[k]);
        }
    }
}

void script_analyse(const char *js, size_t n, const char *site, const char *const *allow,
                    int nallow, struct probe_findings *f, struct script_out *out)
{
    const char *miner = script_miner(js, n);
    if (miner)
        probe_add(f, CAT_CODE, "miner", PROBE_HIGH, miner, miner,
                  "a crypto-miner runs in visitors' browsers (%s)", miner);

    char head[200];
    probe_copy(head, sizeof head, js, n);
    const char *packed = find_ci(js, n, "eval(function(p,a,c,k,e,");
    struct buf joined;
    buf_init(&joined, n + 1);
    compact(js, n, &joined);
    int fed = joined.p && fed_by_decoder(joined.p, joined.len);
    buf_release(&joined);
    if (packed)
        probe_add(f, CAT_CODE, "obfuscated-script", PROBE_HIGH, "packer", head,
                  "packed script (eval of a p,a,c,k,e,d decoder)");
    else if (fed)
        probe_add(f, CAT_CODE, "obfuscated-script", PROBE_HIGH, "eval", head,
                  "obfuscated script: decoded text is run as code");

    redirects(js, n, site, allow, nallow, f);

    /* What it writes, decoded, for the page analysis. */
    static const char *const writers[] = {"document.write(", "document.writeln(", "innerHTML"};
    for (size_t k = 0; k < 3; k++) {
        const char *p = js;
        while ((p = find_ci(p, (size_t)(js + n - p), writers[k]))) {
            size_t i = (size_t)(p - js) + strlen(writers[k]);
            int paren = k < 2;
            if (!paren) {
                while (i < n && (js[i] == ' ' || js[i] == '+'))
                    i++;
                if (i >= n || js[i] != '=') {
                    p += strlen(writers[k]);
                    continue;
                }
                i++;
            }
            size_t start = i;
            i = collect_expression(js, n, i, paren, &out->written);
            buf_addc(&out->written, '\n');
            /* What is written is analysed as HTML; written from char codes,
             * dozens of escapes or a long high-entropy string, it is hidden
             * from whoever reads the page's source. */
            const char *x = js + start;
            size_t xn = i > start ? i - start : 0, xl;
            double xh;
            longest_literal(x, xn, &xl, &xh);
            if (find_ci(x, xn, "fromCharCode") ||
                count_ci(x, xn, "\\x") + count_ci(x, xn, "\\u") + count_ci(x, xn, "%u") >= 40 ||
                (xl >= 500 && xh >= 4.5))
                probe_add(f, CAT_CODE, "obfuscated-script", PROBE_MEDIUM, "write", head,
                          "obfuscated script writes into the page");
            p = js + (i > (size_t)(p - js) ? i : (size_t)(p - js) + 1);
            if (p >= js + n)
                break;
        }
    }
}
