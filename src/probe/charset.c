/* The page's character set, and its conversion to UTF-8. Chinese government
 * sites still serve GB2312/GBK; a page that lies about its charset or mixes
 * bytes must still be analysed, so bad bytes become U+FFFD and are counted. */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

static void normalise_name(const char *p, size_t n, char out[32])
{
    char name[32];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof name; i++)
        if (isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '_')
            name[k++] = (char)tolower((unsigned char)p[i]);
    name[k] = 0;
    static const struct {
        const char *alias, *iconv;
    } names[] = {
        {"utf-8", "UTF-8"},
        {"utf8", "UTF-8"},
        {"gb2312", "GB18030"},
        {"gbk", "GB18030"},
        {"x-gbk", "GB18030"},
        {"gb18030", "GB18030"},
        {"cp936", "GB18030"},
        {"big5", "BIG5-HKSCS"},
        {"big5-hkscs", "BIG5-HKSCS"},
        {"x-x-big5", "BIG5-HKSCS"},
        {"iso-8859-1", "WINDOWS-1252"},
        {"latin1", "WINDOWS-1252"},
        {"windows-1252", "WINDOWS-1252"},
        {"us-ascii", "UTF-8"},
        {"ascii", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].alias) == 0) {
            snprintf(out, 32, "%s", names[i].iconv);
            return;
        }
    out[0] = 0;
}

/* The value of charset= in s[0..n), or NULL. */
static const char *charset_param(const char *s, size_t n, size_t *len)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (strncasecmp(s + i, "charset=", 8) != 0)
            continue;
        size_t a = i + 8;
        while (a < n && (s[a] == '"' || s[a] == '\'' || s[a] == ' '))
            a++;
        size_t b = a;
        while (b < n && (isalnum((unsigned char)s[b]) || s[b] == '-' || s[b] == '_'))
            b++;
        *len = b - a;
        return b > a ? s + a : NULL;
    }
    return NULL;
}

void probe_charset(const char *content_type, const char *body, size_t n, char out[32])
{
    size_t len;
    const char *v;
    out[0] = 0;
    if (content_type && (v = charset_param(content_type, strlen(content_type), &len)))
        normalise_name(v, len, out);
    if (out[0])
        return;
    if (n >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
        snprintf(out, 32, "UTF-8");
        return;
    }
    /* <meta charset="gbk"> or <meta http-equiv=… content="text/html; charset=gb2312"> */
    size_t head = n < 4096 ? n : 4096;
    for (size_t i = 0; i + 5 < head; i++) {
        if (body[i] != '<' || strncasecmp(body + i + 1, "meta", 4) != 0)
            continue;
        const char *end = memchr(body + i, '>', head - i);
        size_t tag = end ? (size_t)(end - (body + i)) : head - i;
        if ((v = charset_param(body + i, tag, &len))) {
            normalise_name(v, len, out);
            if (out[0])
                return;
        }
    }
    snprintf(out, 32, "%s", utf8_valid(body, n) ? "UTF-8" : "GB18030");
}

static int add_replacement(struct buf *out, size_t *bad)
{
    (*bad)++;
    return buf_add(out, "\xef\xbf\xbd", 3);
}

/* UTF-8 in, UTF-8 out: invalid sequences replaced one byte at a time. */
static int copy_utf8(const char *p, size_t n, struct buf *out, size_t *bad)
{
    /* the usual case: valid, without NUL bytes, copied at once */
    if (!memchr(p, 0, n) && utf8_valid(p, n))
        return buf_add(out, p, n) == 0 ? 0 : ERR_TOOBIG;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && (unsigned char)p[run] < 0x80 && p[run] != 0)
            run++;
        if (run > i && buf_add(out, p + i, run - i) != 0)
            return ERR_TOOBIG;
        i = run;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)p[i];
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (c == 0 || len == 0 || i + len > n || !utf8_valid(p + i, len)) {
            if (add_replacement(out, bad) != 0)
                return ERR_TOOBIG;
            i++;
            continue;
        }
        if (buf_add(out, p + i, len) != 0)
            return ERR_TOOBIG;
        i += len;
    }
    return 0;
}

int probe_to_utf8(const char *charset, const char *body, size_t n, struct buf *out, size_t *bad,
                  struct err *e)
{
    *bad = 0;
    int is_utf8 = !charset || !charset[0] || strcmp(charset, "UTF-8") == 0;
    iconv_t cd = is_utf8 ? (iconv_t)-1 : iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) {
        *bad += !is_utf8; /* a charset iconv does not know is read as UTF-8 */
        return copy_utf8(body, n, out, bad) == 0
                   ? 0
                   : err_set(e, ERR_TOOBIG, "page larger than %zu bytes as UTF-8", out->max);
    }
    char chunk[16384];
    char *in = (char *)body;
    size_t left = n;
    int rc = 0;
    while (left > 0 && !rc) {
        char *o = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &in, &left, &o, &room);
        int err = r == (size_t)-1 ? errno : 0;
        if (o > chunk && buf_add(out, chunk, (size_t)(o - chunk)) != 0)
            rc = ERR_TOOBIG;
        else if (err == EILSEQ || err == EINVAL) {
            /* One bad byte (or a truncated sequence at the end) is skipped. */
            if (add_replacement(out, bad) != 0)
                rc = ERR_TOOBIG;
            in++;
            left--;
        } else if (err && err != E2BIG)
            rc = ERR_INPUT;
    }
    iconv_close(cd);
    if (!rc && out->len == 0 && buf_add(out, "", 0) != 0)
        rc = ERR_TOOBIG;
    if (rc == ERR_TOOBIG)
        return err_set(e, rc, "page larger than %zu bytes as UTF-8", out->max);
    if (rc)
        return err_set(e, rc, "page cannot be converted from %s", charset);
    /* iconv passes NUL through; the analysis wants text. */
    for (size_t i = 0; i < out->len; i++)
        if (out->p[i] == 0)
            out->p[i] = ' ';
    return 0;
}
