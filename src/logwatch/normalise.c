/* The normalised form of a request, on which the signature rules run: an
 * attacker's %2527, %u0027 or ..%5c..%5c must look like what they mean. */
#include "logwatch.h"

#include <string.h>

size_t lw_unescape_log(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (in[i] == '\\' && i + 3 < n && in[i + 1] == 'x' && hex_value(in[i + 2]) >= 0 &&
            hex_value(in[i + 3]) >= 0) {
            out[o++] = (char)(hex_value(in[i + 2]) * 16 + hex_value(in[i + 3]));
            i += 4;
        } else if (in[i] == '\\' && i + 1 < n && (in[i + 1] == '"' || in[i + 1] == '\\')) {
            out[o++] = in[i + 1];
            i += 2;
        } else {
            out[o++] = in[i++];
        }
    }
    return o;
}

/* One decoding pass from in[0..n) to out (which may be in); returns the new
 * length and whether anything changed. */
static size_t decode(const char *in, size_t n, char *out, int first, int *changed)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)in[i];
        if (first && c == '\\' && i + 3 < n && in[i + 1] == 'x' && hex_value(in[i + 2]) >= 0 &&
            hex_value(in[i + 3]) >= 0) {
            /* The log's own escaping (nginx writes '"' as \x22), undone
             * once, before the request's. */
            out[o++] = (char)(hex_value(in[i + 2]) * 16 + hex_value(in[i + 3]));
            i += 4;
            *changed = 1;
        } else if (first && c == '\\' && i + 1 < n && (in[i + 1] == '"' || in[i + 1] == '\\')) {
            out[o++] = in[i + 1]; /* Apache's \" and \\ */
            i += 2;
            *changed = 1;
        } else if (c == '%' && i + 2 < n && hex_value(in[i + 1]) >= 0 &&
                   hex_value(in[i + 2]) >= 0) {
            out[o++] = (char)(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 3;
            *changed = 1;
        } else if (c == '%' && i + 5 < n && (in[i + 1] == 'u' || in[i + 1] == 'U') &&
                   hex_value(in[i + 2]) >= 0 && hex_value(in[i + 3]) >= 0 &&
                   hex_value(in[i + 4]) >= 0 && hex_value(in[i + 5]) >= 0) {
            /* IIS's %uXXXX: a UTF-16 unit, written as UTF-8 (at most 3 bytes
             * for the 6 read, so out never overtakes in). */
            unsigned cp = (unsigned)(hex_value(in[i + 2]) << 12 | hex_value(in[i + 3]) << 8 |
                                     hex_value(in[i + 4]) << 4 | hex_value(in[i + 5]));
            o += utf8_put(out + o, cp);
            i += 6;
            *changed = 1;
        } else if (c == '+') {
            out[o++] = ' ';
            i++;
            *changed = 1;
        } else {
            out[o++] = (char)c;
            i++;
        }
    }
    return o;
}

/* Inside the path (up to the first '?'): '\' as '/', runs of '/' as one,
 * "/./" as "/". ".." stays for the traversal rules to see. */
static size_t clean_path(char *s, size_t n)
{
    size_t o = 0, i = 0;
    for (; i < n && s[i] != '?'; i++) {
        char c = s[i] == '\\' ? '/' : s[i];
        if (c == '/' && o > 0 && s[o - 1] == '/')
            continue;
        if (c == '.' && o > 0 && s[o - 1] == '/' &&
            (i + 1 == n || s[i + 1] == '/' || s[i + 1] == '\\' || s[i + 1] == '?'))
            continue; /* a "." segment */
        s[o++] = c;
    }
    if (o != i)
        memmove(s + o, s + i, n - i);
    return o + (n - i);
}

static int needs_work(const char *p, size_t n)
{
    size_t i = 0;
    for (; i < n && p[i] != '?'; i++) {
        char c = p[i];
        if (c == '%' || c == '+' || c == '\\' ||
            (c == '/' && i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '.')))
            return 1;
    }
    /* The query is only decoded. */
    for (; i < n; i++)
        if (p[i] == '%' || p[i] == '+' || p[i] == '\\')
            return 1;
    return 0;
}

size_t lw_normalise(const char *p, size_t n, char *out, size_t cap)
{
    if (cap < n || !needs_work(p, n))
        return (size_t)-1;
    int changed = 0;
    size_t len = decode(p, n, out, 1, &changed);
    for (int round = 1; changed && round < LW_DECODE_ROUNDS; round++) {
        changed = 0;
        len = decode(out, len, out, 0, &changed);
    }
    return clean_path(out, len);
}
