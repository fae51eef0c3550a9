/* The Core Rule Set as data: a reader of the SecRule subset its attack
 * families use, the transformations they name, and an evaluator over what an
 * access-log line holds. Hyperscan prefilters (one database per chain of
 * transformations, and one over every pattern for values no transformation
 * changes) say which rules may match a value; PCRE2 decides, as
 * ModSecurity's own engine does. See docs/logwatch.md. */
#include "inject.h"
#include "logwatch_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- variables ------------------------------------------------------------ */

enum {
    V_ARGS = 1 << 0,
    V_ARGS_NAMES = 1 << 1,
    V_FILENAME = 1 << 2,
    V_BASENAME = 1 << 3,
    V_QUERY = 1 << 4,
    V_LINE = 1 << 5,
    V_URI = 1 << 6,
    V_URI_RAW = 1 << 7,
    V_UA = 1 << 8,
    V_REFERER = 1 << 9,
    V_METHOD = 1 << 10,
    V_MATCHED = 1 << 11,  /* MATCHED_VAR: the value the previous link matched */
    V_MATCHEDS = 1 << 12, /* MATCHED_VARS: every value it matched */
    V_PROTOCOL = 1 << 13,
};

/* ---- transformations ------------------------------------------------------ */

enum tfn {
    T_LOWER,
    T_URLDEC,
    T_URLDECUNI,
    T_HTMLENT,
    T_JSDEC,
    T_CSSDEC,
    T_RMNULLS,
    T_RMWS,
    T_COMPRESSWS,
    T_REPLCOMMENTS,
    T_RMCOMMENTS,
    T_CMDLINE,
    T_NORMPATH,
    T_NORMPATHWIN,
    T_UTF8UNI,
    T_B64DEC,
    T_TRIM,
    T_N
};

static const char *const tfn_names[T_N] = {
    "lowercase",      "urlDecode",   "urlDecodeUni",     "htmlEntityDecode",   "jsDecode",
    "cssDecode",      "removeNulls", "removeWhitespace", "compressWhitespace", "replaceComments",
    "removeComments", "cmdLine",     "normalizePath",    "normalizePathWin",   "utf8toUnicode",
    "base64Decode",   "trim"};

/* A code point as CRS's decoders write it: full-width ASCII (U+FF01-FF5E)
 * as the ASCII it stands for, anything else as its low byte. */
static unsigned char narrow(unsigned v)
{
    if (v >= 0xff01 && v <= 0xff5e)
        return (unsigned char)(v - 0xfee0);
    return (unsigned char)(v & 0xff);
}

static size_t t_urldec(const unsigned char *s, size_t n, unsigned char *o, int uni)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            o[k++] = ' ';
        } else if (s[i] == '%' && uni && i + 5 < n + 0 && (s[i + 1] | 0x20) == 'u' &&
                   hex_value((char)s[i + 2]) >= 0 && hex_value((char)s[i + 3]) >= 0 &&
                   hex_value((char)s[i + 4]) >= 0 && hex_value((char)s[i + 5]) >= 0) {
            unsigned v =
                (unsigned)(hex_value((char)s[i + 2]) << 12 | hex_value((char)s[i + 3]) << 8 |
                           hex_value((char)s[i + 4]) << 4 | hex_value((char)s[i + 5]));
            o[k++] = narrow(v);
            i += 5;
        } else if (s[i] == '%' && i + 2 < n && hex_value((char)s[i + 1]) >= 0 &&
                   hex_value((char)s[i + 2]) >= 0) {
            o[k++] = (unsigned char)(hex_value((char)s[i + 1]) << 4 | hex_value((char)s[i + 2]));
            i += 2;
        } else {
            o[k++] = s[i];
        }
    }
    return k;
}

static size_t t_htmlent(const unsigned char *s, size_t n, unsigned char *o)
{
    static const struct {
        const char *name;
        unsigned char c;
    } named[] = {{"quot", '"'},  {"amp", '&'},   {"lt", '<'},      {"gt", '>'},
                 {"nbsp", 0xa0}, {"apos", '\''}, {"colon", ':'},   {"lpar", '('},
                 {"rpar", ')'},  {"tab", '\t'},  {"newline", '\n'}};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '&' || i + 1 >= n) {
            o[k++] = s[i];
            continue;
        }
        size_t j = i + 1;
        if (s[j] == '#') {
            int hex = j + 1 < n && (s[j + 1] | 0x20) == 'x';
            size_t d = j + 1 + (size_t)hex, e = d;
            unsigned v = 0;
            while (e < n && e - d < 8 && (hex ? hex_value((char)s[e]) >= 0 : isdigit(s[e]))) {
                v = v * (hex ? 16u : 10u) + (unsigned)(hex ? hex_value((char)s[e]) : s[e] - '0');
                e++;
            }
            if (e == d) {
                o[k++] = s[i];
                continue;
            }
            o[k++] = narrow(v);
            i = e < n && s[e] == ';' ? e : e - 1;
            continue;
        }
        int done = 0;
        for (size_t t = 0; t < sizeof(named) / sizeof(named[0]) && !done; t++) {
            size_t len = strlen(named[t].name);
            if (j + len <= n && strncasecmp((const char *)s + j, named[t].name, len) == 0) {
                o[k++] = named[t].c;
                i = j + len < n && s[j + len] == ';' ? j + len : j + len - 1;
                done = 1;
            }
        }
        if (!done)
            o[k++] = s[i];
    }
    return k;
}

static size_t t_jsdec(const unsigned char *s, size_t n, unsigned char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            o[k++] = s[i];
            continue;
        }
        unsigned char c = s[i + 1];
        if ((c | 0x20) == 'u' && i + 5 < n && hex_value((char)s[i + 2]) >= 0 &&
            hex_value((char)s[i + 3]) >= 0 && hex_value((char)s[i + 4]) >= 0 &&
            hex_value((char)s[i + 5]) >= 0) {
            o[k++] =
                narrow((unsigned)(hex_value((char)s[i + 2]) << 12 | hex_value((char)s[i + 3]) << 8 |
                                  hex_value((char)s[i + 4]) << 4 | hex_value((char)s[i + 5])));
            i += 5;
        } else if ((c | 0x20) == 'x' && i + 3 < n && hex_value((char)s[i + 2]) >= 0 &&
                   hex_value((char)s[i + 3]) >= 0) {
            o[k++] = (unsigned char)(hex_value((char)s[i + 2]) << 4 | hex_value((char)s[i + 3]));
            i += 3;
        } else if (c >= '0' && c <= '7') {
            unsigned v = 0;
            size_t j = i + 1;
            while (j < n && j < i + 4 && s[j] >= '0' && s[j] <= '7')
                v = v * 8 + (unsigned)(s[j++] - '0');
            o[k++] = (unsigned char)v;
            i = j - 1;
        } else {
            static const char from[] = "abfnrtv", to[] = "\a\b\f\n\r\t\v";
            const char *p = c ? strchr(from, c) : NULL;
            o[k++] = p ? (unsigned char)to[p - from] : c;
            i++;
        }
    }
    return k;
}

static size_t t_cssdec(const unsigned char *s, size_t n, unsigned char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            o[k++] = s[i];
            continue;
        }
        size_t j = i + 1;
        unsigned v = 0;
        while (j < n && j < i + 7 && hex_value((char)s[j]) >= 0)
            v = v * 16 + (unsigned)hex_value((char)s[j++]);
        if (j > i + 1) {
            o[k++] = narrow(v);
            if (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n'))
                j++;
            i = j - 1;
        } else if (s[j] == '\n') {
            i = j;
        } else {
            o[k++] = s[j];
            i = j;
        }
    }
    return k;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xa0;
}

static size_t t_comments(const unsigned char *s, size_t n, unsigned char *o, int replace)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/'))
                j++;
            if (replace)
                o[k++] = ' ';
            i = j + 1 < n ? j + 1 : n;
        } else if (!replace && ((s[i] == '-' && i + 1 < n && s[i + 1] == '-') || s[i] == '#')) {
            break; /* the rest of the line is a comment */
        } else {
            o[k++] = s[i];
        }
    }
    return k;
}

static size_t t_cmdline(const unsigned char *s, size_t n, unsigned char *o)
{
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '\\' || c == '"' || c == '\'' || c == '^')
            continue;
        if (c == ',' || c == ';' || is_ws(c)) {
            space = 1;
            continue;
        }
        if (space && k && c != '/' && c != '(')
            o[k++] = ' ';
        space = 0;
        o[k++] = (unsigned char)tolower(c);
    }
    return k;
}

static size_t t_normpath(const unsigned char *s, size_t n, unsigned char *o, int win)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = win && s[i] == '\\' ? '/' : s[i];
        if (c == '/' && k && o[k - 1] == '/')
            continue; /* "//" */
        o[k++] = c;
        if (c != '/' || k < 2)
            continue;
        if (k >= 2 && o[k - 2] == '.' && (k == 2 || o[k - 3] == '/')) {
            k -= 2; /* "/./" */
            if (k == 0)
                o[k++] = '/';
        } else if (k >= 3 && o[k - 2] == '.' && o[k - 3] == '.' && (k == 3 || o[k - 4] == '/')) {
            if (k >= 5) { /* "/x/../" → "/" */
                size_t j = k - 4;
                while (j > 0 && o[j - 1] != '/')
                    j--;
                if (!(k - 4 - j == 2 && o[j] == '.' && o[j + 1] == '.'))
                    k = j;
            }
        }
    }
    return k;
}

static size_t t_utf8uni(const unsigned char *s, size_t n, unsigned char *o, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 6 <= cap; i++) {
        unsigned c = s[i], v, len;
        if (c < 0x80) {
            o[k++] = (unsigned char)c;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            v = c & 0x1f, len = 2;
        } else if ((c & 0xf0) == 0xe0) {
            v = c & 0x0f, len = 3;
        } else if ((c & 0xf8) == 0xf0) {
            v = c & 0x07, len = 4;
        } else {
            o[k++] = (unsigned char)c;
            continue;
        }
        size_t j = 1;
        for (; j < len && i + j < n && (s[i + j] & 0xc0) == 0x80; j++)
            v = v << 6 | (s[i + j] & 0x3f);
        if (j < len) {
            o[k++] = (unsigned char)c;
            continue;
        }
        k += (size_t)snprintf((char *)o + k, cap - k, "%%u%04x", v & 0xffff);
        i += len - 1;
    }
    return k;
}

static size_t t_b64dec(const unsigned char *s, size_t n, unsigned char *o)
{
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v;
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else
            break;
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (unsigned char)(acc >> bits);
        }
    }
    return k;
}

/* One transformation of in[0..n) into out (cap >= 3 * n + 8, utf8toUnicode's
 * worst); returns the length. */
static size_t transform(int t, const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t k = 0;
    switch (t) {
    case T_LOWER:
        for (; k < n; k++)
            out[k] = (unsigned char)tolower(in[k]);
        return k;
    case T_URLDEC:
        return t_urldec(in, n, out, 0);
    case T_URLDECUNI:
        return t_urldec(in, n, out, 1);
    case T_HTMLENT:
        return t_htmlent(in, n, out);
    case T_JSDEC:
        return t_jsdec(in, n, out);
    case T_CSSDEC:
        return t_cssdec(in, n, out);
    case T_RMNULLS:
        for (size_t i = 0; i < n; i++)
            if (in[i])
                out[k++] = in[i];
        return k;
    case T_RMWS:
        for (size_t i = 0; i < n; i++)
            if (!is_ws(in[i]))
                out[k++] = in[i];
        return k;
    case T_COMPRESSWS:
        for (size_t i = 0; i < n; i++) {
            if (is_ws(in[i])) {
                if (!k || out[k - 1] != ' ')
                    out[k++] = ' ';
            } else {
                out[k++] = in[i];
            }
        }
        return k;
    case T_REPLCOMMENTS:
        return t_comments(in, n, out, 1);
    case T_RMCOMMENTS:
        return t_comments(in, n, out, 0);
    case T_CMDLINE:
        return t_cmdline(in, n, out);
    case T_NORMPATH:
        return t_normpath(in, n, out, 0);
    case T_NORMPATHWIN:
        return t_normpath(in, n, out, 1);
    case T_UTF8UNI:
        return t_utf8uni(in, n, out, cap);
    case T_B64DEC:
        return t_b64dec(in, n, out);
    case T_TRIM: {
        size_t a = 0, b = n;
        while (a < b && is_ws(in[a]))
            a++;
        while (b > a && is_ws(in[b - 1]))
            b--;
        memmove(out, in + a, b - a);
        return b - a;
    }
    }
    return 0;
}

static int tfn_lookup(const char *name, size_t n)
{
    for (int t = 0; t < T_N; t++)
        if (strlen(tfn_names[t]) == n && strncmp(tfn_names[t], name, n) == 0)
            return t;
    if (n == 13 && strncmp(name, "normalisePath", 13) == 0)
        return T_NORMPATH;
    if (n == 16 && strncmp(name, "normalisePathWin", 16) == 0)
        return T_NORMPATHWIN;
    return -1;
}

long crs_transform(const char *name, const char *in, size_t n, char *out, size_t cap)
{
    int t = tfn_lookup(name, strlen(name));
    if (t < 0 || cap < 3 * n + 8)
        return -1;
    return (long)transform(t, (const unsigned char *)in, n, (unsigned char *)out, cap);
}

/* What in a text a transformation may change; a transformation whose
 * trigger is absent leaves the text as it is (case aside, for cmdLine). */
enum {
    F_PCT = 1 << 0,    /* '%' or '+' */
    F_AMP = 1 << 1,    /* '&' */
    F_BSLASH = 1 << 2, /* '\' */
    F_NUL = 1 << 3,
    F_WS = 1 << 4,
    F_SLASH = 1 << 5,
    F_STAR = 1 << 6,     /* '*' */
    F_HIGH = 1 << 7,     /* bytes >= 0x80 */
    F_CMD = 1 << 8,      /* '"', '\'', '^', ',', ';' */
    F_DASHHASH = 1 << 9, /* '-', '#' */
    F_ANY = 1 << 10,     /* every text: what a transformation always changes */
};

static unsigned features(const unsigned char *p, size_t n)
{
    static unsigned table[256];
    static int ready;
    if (!ready) { /* racing threads write the same values */
        for (int c = 0; c < 256; c++) {
            unsigned f = c >= 0x80 ? F_HIGH : 0;
            f |= c == '%' || c == '+' ? F_PCT : 0;
            f |= c == '&' ? F_AMP : 0;
            f |= c == '\\' ? F_BSLASH | F_CMD : 0;
            f |= c == 0 ? F_NUL : 0;
            f |= is_ws((unsigned char)c) ? F_WS : 0;
            f |= c == '/' ? F_SLASH : 0;
            f |= c == '*' ? F_STAR : 0;
            f |= c == '-' || c == '#' ? F_DASHHASH : 0;
            f |= c == '"' || c == '\'' || c == '^' || c == ',' || c == ';' ? F_CMD : 0;
            table[c] = f;
        }
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    unsigned f = F_ANY;
    for (size_t i = 0; i < n; i++)
        f |= table[p[i]];
    return f;
}

static unsigned trigger(int t)
{
    switch (t) {
    case T_URLDEC:
    case T_URLDECUNI:
        return F_PCT;
    case T_HTMLENT:
        return F_AMP;
    case T_JSDEC:
    case T_CSSDEC:
        return F_BSLASH;
    case T_RMNULLS:
        return F_NUL;
    case T_RMWS:
    case T_COMPRESSWS:
    case T_TRIM:
        return F_WS;
    case T_REPLCOMMENTS:
        return F_STAR;
    case T_RMCOMMENTS:
        return F_STAR | F_DASHHASH;
    case T_CMDLINE:
        return F_CMD | F_WS;
    case T_NORMPATH:
        return F_SLASH;
    case T_NORMPATHWIN:
        return F_SLASH | F_BSLASH;
    case T_UTF8UNI:
        return F_HIGH;
    default:
        return F_ANY; /* base64Decode, lowercase: always */
    }
}

/* ---- rules ---------------------------------------------------------------- */

enum op { OP_RX, OP_PM, OP_BEGINS, OP_ENDS, OP_CONTAINS, OP_STREQ, OP_WITHIN, OP_SQLI, OP_XSS };

struct link {
    unsigned vars;
    uint8_t tfn[CRS_TFN_MAX];
    int ntfn;
    int op, neg, multimatch;
    pcre2_code *re;    /* OP_RX */
    hs_database_t *pm; /* OP_PM: the phrases, caseless literals */
    char *arg;         /* the operator's argument (a pattern, phrases, text) */
    size_t argn;
    char pmfile[128]; /* @pmFromFile: the data file's name */
    char *pmdata;     /* ... and its text, until the rules are compiled */
    size_t pmdata_n;
};

struct rule {
    struct link link[CRS_LINKS_MAX];
    int nlinks;
    int group;  /* index of its first link's chain of transformations */
    int always; /* no prefilter can say it does not match */
};

/* The rules whose first link has the same transformations (lowercase
 * aside), and the prefilter of their patterns. */
struct group {
    uint8_t tfn[CRS_TFN_MAX];
    int ntfn;
    unsigned vars; /* any of its rules' first-link variables */
    unsigned trig; /* what in a value its chain may change (features) */
    hs_database_t *db;
};

struct crs {
    struct crs_info info[CRS_RULES_MAX];
    struct rule rule[CRS_RULES_MAX];
    size_t n;
    struct group group[64];
    int ngroups;
    hs_database_t *uni; /* every group's patterns, for values a chain leaves as they are */
    uint16_t always[CRS_RULES_MAX]; /* the rules no prefilter speaks for */
    size_t nalways;
    int paranoia;
    crs_warn_fn warn;
    void *ctx;
    struct sha256_ctx key; /* of everything read: names the compiled databases' cache */
    int keyed;
};

static void warnf(struct crs *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct crs *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->warn)
        c->warn(c->ctx, msg);
}

static void link_free(struct link *l)
{
    pcre2_code_free(l->re);
    hs_free_database(l->pm);
    free(l->arg);
    free(l->pmdata);
}

void crs_free(struct crs *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        for (int k = 0; k < c->rule[i].nlinks; k++)
            link_free(&c->rule[i].link[k]);
    for (int g = 0; g < c->ngroups; g++)
        hs_free_database(c->group[g].db);
    hs_free_database(c->uni);
    if (c->keyed)
        sha256_release(&c->key);
    free(c);
}

size_t crs_count(const struct crs *c)
{
    return c ? c->n : 0;
}

const struct crs_info *crs_info(const struct crs *c, size_t i)
{
    return i < c->n ? &c->info[i] : NULL;
}

/* The variables a rule names, as V_ bits; 0 when none is in a log (the rule
 * looks at cookies, bodies, files or XML only). */
static unsigned parse_vars(const char *s, size_t n)
{
    unsigned v = 0, minus = 0;
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && s[e] != '|')
            e++;
        const char *p = s + i;
        size_t len = e - i;
        int neg = len && p[0] == '!';
        if (neg)
            p++, len--;
        int count = len && p[0] == '&';
        const char *colon = memchr(p, ':', len);
        size_t base = colon ? (size_t)(colon - p) : len;
        const char *sel = colon ? colon + 1 : NULL;
        size_t seln = colon ? len - base - 1 : 0;
        unsigned bit = 0;
#define IS(name) (base == sizeof(name) - 1 && strncmp(p, name, base) == 0)
        if (count)
            bit = 0;
        else if (IS("ARGS") || IS("ARGS_GET"))
            bit = sel ? 0 : V_ARGS; /* one named argument: left out */
        else if (IS("ARGS_NAMES") || IS("ARGS_GET_NAMES"))
            bit = V_ARGS_NAMES;
        else if (IS("REQUEST_FILENAME"))
            bit = V_FILENAME;
        else if (IS("REQUEST_BASENAME"))
            bit = V_BASENAME;
        else if (IS("QUERY_STRING"))
            bit = V_QUERY;
        else if (IS("REQUEST_LINE"))
            bit = V_LINE;
        else if (IS("REQUEST_URI"))
            bit = V_URI;
        else if (IS("REQUEST_URI_RAW"))
            bit = V_URI_RAW;
        else if (IS("REQUEST_METHOD"))
            bit = V_METHOD;
        else if (IS("REQUEST_PROTOCOL"))
            bit = V_PROTOCOL;
        else if (IS("MATCHED_VAR"))
            bit = V_MATCHED;
        else if (IS("MATCHED_VARS"))
            bit = V_MATCHEDS;
        else if (IS("REQUEST_HEADERS")) {
            if (!sel)
                bit = V_UA | V_REFERER;
            else if (seln == 10 && strncasecmp(sel, "User-Agent", 10) == 0)
                bit = V_UA;
            else if (seln == 7 && strncasecmp(sel, "Referer", 7) == 0)
                bit = V_REFERER;
        }
#undef IS
        if (neg)
            minus |= bit & (V_UA | V_REFERER);
        else
            v |= bit;
        i = e + 1;
    }
    return v & ~minus;
}

/* A quoted argument of a directive starting at *p: its text unescaped (\"
 * and \\ only, as ModSecurity reads it) into out. */
static int quoted(const char **p, const char *end, char *out, size_t cap, size_t *outn)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    size_t k = 0;
    if (s < end && *s == '"') {
        s++;
        while (s < end && *s != '"') {
            if (*s == '\\' && s + 1 < end && s[1] == '"')
                s++; /* \" is a quote; every other backslash stays */
            if (k + 1 >= cap)
                return -1;
            out[k++] = *s++;
        }
        if (s >= end)
            return -1;
        s++;
    } else {
        while (s < end && *s != ' ' && *s != '\t') {
            if (k + 1 >= cap)
                return -1;
            out[k++] = *s++;
        }
    }
    out[k] = '\0';
    *outn = k;
    *p = s;
    return 0;
}

/* What a rule's actions say that the evaluator needs. */
struct actions {
    char id[16];
    char msg[200];
    int score, chain, multimatch, gate_lt;
    uint8_t tfn[CRS_TFN_MAX];
    int ntfn;
    char bad[96]; /* why they cannot be taken */
};

static void parse_actions(const char *s, size_t n, struct actions *a)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
            i++;
        size_t st = i;
        int q = 0;
        while (i < n && (q || s[i] != ',')) {
            if (s[i] == '\'')
                q = !q;
            i++;
        }
        const char *p = s + st;
        size_t len = i - st;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        const char *colon = memchr(p, ':', len);
        size_t kn = colon ? (size_t)(colon - p) : len;
        const char *v = colon ? colon + 1 : "";
        size_t vn = colon ? len - kn - 1 : 0;
        if (vn >= 2 && v[0] == '\'' && v[vn - 1] == '\'')
            v++, vn -= 2;
#define KEY(name) (kn == sizeof(name) - 1 && strncmp(p, name, kn) == 0)
        if (KEY("id")) {
            snprintf(a->id, sizeof(a->id), "%.*s", (int)(vn < 15 ? vn : 15), v);
        } else if (KEY("msg")) {
            snprintf(a->msg, sizeof(a->msg), "%.*s", (int)(vn < 199 ? vn : 199), v);
        } else if (KEY("chain")) {
            a->chain = 1;
        } else if (KEY("multiMatch")) {
            a->multimatch = 1;
        } else if (KEY("severity")) {
            if (vn == 8 && strncasecmp(v, "CRITICAL", 8) == 0)
                a->score = 5;
            else if (vn == 5 && strncasecmp(v, "ERROR", 5) == 0)
                a->score = 4;
            else if (vn == 7 && strncasecmp(v, "WARNING", 7) == 0)
                a->score = 3;
            else if (vn == 6 && strncasecmp(v, "NOTICE", 6) == 0)
                a->score = 2;
        } else if (KEY("t")) {
            if (vn == 4 && strncmp(v, "none", 4) == 0) {
                a->ntfn = 0;
            } else {
                int t = tfn_lookup(v, vn);
                if (t < 0)
                    snprintf(a->bad, sizeof(a->bad), "unknown transformation t:%.*s",
                             (int)(vn < 40 ? vn : 40), v);
                else if (a->ntfn == CRS_TFN_MAX)
                    snprintf(a->bad, sizeof(a->bad), "more than %d transformations", CRS_TFN_MAX);
                else
                    a->tfn[a->ntfn++] = (uint8_t)t;
            }
        }
#undef KEY
    }
}

/* Escapes a phrase into a Hyperscan literal pattern. */
static char *literal(const char *p, size_t n)
{
    char *o = malloc(n * 4 + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(o + k, "\\x%02x", (unsigned char)p[i]);
    o[k] = '\0';
    return o;
}

/* The next phrase of a @pm (space-separated) or a data file (one a line,
 * '#' comments) from *i: trimmed, empty ones skipped. 0 at the end. */
static int next_phrase(const char *text, size_t n, int lines, size_t *i, const char **p,
                       size_t *len)
{
    while (*i < n) {
        size_t e = *i;
        while (e < n && text[e] != (lines ? '\n' : ' '))
            e++;
        const char *q = text + *i;
        size_t k = e - *i;
        while (k && (q[k - 1] == '\r' || q[k - 1] == ' ' || q[k - 1] == '\t'))
            k--;
        while (k && (q[0] == ' ' || q[0] == '\t'))
            q++, k--;
        *i = e + 1;
        if (k && !(lines && q[0] == '#')) {
            *p = q;
            *len = k;
            return 1;
        }
    }
    return 0;
}

/* Compiles phrases (space-separated, or one per line of a data file) into
 * a caseless literal database. */
static int compile_phrases(const char *text, size_t n, int lines, hs_database_t **out, char *why,
                           size_t whycap)
{
    char **ex = calloc(CRS_PHRASES_MAX, sizeof(*ex));
    unsigned *flags = calloc(CRS_PHRASES_MAX, sizeof(*flags));
    unsigned *ids = calloc(CRS_PHRASES_MAX, sizeof(*ids));
    size_t k = 0;
    int rc = -1;
    if (!ex || !flags || !ids) {
        snprintf(why, whycap, "out of memory");
        goto done;
    }
    const char *p;
    size_t len;
    for (size_t i = 0; next_phrase(text, n, lines, &i, &p, &len);) {
        if (k == CRS_PHRASES_MAX) {
            snprintf(why, whycap, "more than %d phrases", CRS_PHRASES_MAX);
            goto done;
        }
        if (!(ex[k] = literal(p, len))) {
            snprintf(why, whycap, "out of memory");
            goto done;
        }
        flags[k] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
        ids[k] = 0;
        k++;
    }
    if (!k) {
        snprintf(why, whycap, "no phrases");
        goto done;
    }
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi((const char *const *)ex, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, out,
                         &ce) != HS_SUCCESS) {
        snprintf(why, whycap, "phrases rejected: %s", ce ? ce->message : "?");
        hs_free_compile_error(ce);
        goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; ex && i < k; i++)
        free(ex[i]);
    free(ex);
    free(flags);
    free(ids);
    return rc;
}

/* Reads a data file beside the rules: a bare name, never a path. */
static char *read_data(const char *dir, const char *name, size_t *n, char *why, size_t whycap)
{
    if (!dir || !*name || strchr(name, '/') || strstr(name, "..")) {
        snprintf(why, whycap, "data file '%.120s': only a file name beside the rules is read",
                 name);
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    struct buf b;
    struct err e = {0};
    if (fs_read_file(path, CRS_FILE_MAX, &b, &e) != 0) {
        snprintf(why, whycap, "cannot read data file %.120s (%.100s)", name, e.msg);
        return NULL;
    }
    *n = b.len;
    return b.p; /* the caller's now */
}

/* Compiles one link's operator. "" in why on success. */
static void compile_op(struct link *l, const char *op, size_t n, const char *datadir, char *why,
                       size_t whycap)
{
    why[0] = '\0';
    const char *p = op;
    if (n && *p == '!')
        l->neg = 1, p++, n--;
    const char *arg = p;
    size_t argn = n;
    l->op = OP_RX;
    if (n && *p == '@') {
        size_t k = 1;
        while (k < n && p[k] != ' ')
            k++;
        const char *name = p + 1;
        size_t nn = k - 1;
        arg = k < n ? p + k + 1 : p + n;
        argn = k < n ? n - k - 1 : 0;
#define OPN(s) (nn == sizeof(s) - 1 && strncmp(name, s, nn) == 0)
        if (OPN("rx"))
            l->op = OP_RX;
        else if (OPN("pm") || OPN("pmf") || OPN("pmFromFile"))
            l->op = OP_PM;
        else if (OPN("beginsWith"))
            l->op = OP_BEGINS;
        else if (OPN("endsWith"))
            l->op = OP_ENDS;
        else if (OPN("contains"))
            l->op = OP_CONTAINS;
        else if (OPN("streq"))
            l->op = OP_STREQ;
        else if (OPN("within"))
            l->op = OP_WITHIN;
        else if (OPN("detectSQLi"))
            l->op = OP_SQLI; /* tocsin's tokenizer (inject.c) */
        else if (OPN("detectXSS"))
            l->op = OP_XSS;
        else {
            snprintf(why, whycap, "operator @%.*s is not evaluated on logs", (int)nn, name);
            return;
        }
        if (l->op == OP_PM && !OPN("pm")) {
            if (argn >= sizeof(l->pmfile)) {
                snprintf(why, whycap, "data file name longer than %zu bytes",
                         sizeof(l->pmfile) - 1);
                return;
            }
            memcpy(l->pmfile, arg, argn);
            l->pmfile[argn] = '\0';
            l->pmdata = read_data(datadir, l->pmfile, &l->pmdata_n, why, whycap);
            return;
        }
#undef OPN
    }
    if (l->op != OP_RX) {
        l->arg = malloc(argn + 1);
        if (!l->arg) {
            snprintf(why, whycap, "out of memory");
            return;
        }
        memcpy(l->arg, arg, argn);
        l->arg[argn] = '\0';
        l->argn = argn;
        return;
    }
    int ec;
    PCRE2_SIZE off;
    l->re = pcre2_compile((PCRE2_SPTR)arg, argn, PCRE2_DOTALL | PCRE2_MULTILINE, &ec, &off, NULL);
    if (!l->re) {
        PCRE2_UCHAR m[160];
        pcre2_get_error_message(ec, m, sizeof(m));
        snprintf(why, whycap, "pattern rejected at offset %zu: %s", (size_t)off, (char *)m);
        return;
    }
    pcre2_jit_compile(l->re, PCRE2_JIT_COMPLETE);
    l->arg = malloc(argn + 1);
    if (l->arg) {
        memcpy(l->arg, arg, argn);
        l->arg[argn] = '\0';
        l->argn = argn;
    }
}

/* State of reading one file. */
#define VARS_MAX 4096 /* a SecRule's variables, operator and actions, as read */
#define OP_MAX   65536
#define ACT_MAX  16384

struct reader {
    struct crs *c;
    const char *name, *datadir;
    char *vars, *op, *act; /* the directive being read, in pieces */
    int pl;                /* the paranoia level of the rules being read */
    struct rule *cur;      /* a rule waiting for its chained link */
    struct actions cur_act;
    int cur_line;
    int cur_bad;
};

static void finish_rule(struct reader *r)
{
    struct crs *c = r->c;
    struct rule *ru = r->cur;
    if (!ru)
        return;
    r->cur = NULL;
    int keep = !r->cur_bad && r->pl <= c->paranoia && ru->link[0].vars;
    for (int k = 1; k < ru->nlinks && keep; k++)
        if (!ru->link[k].vars)
            keep = 0; /* a chained condition on what no log holds */
    if (!keep) {
        for (int k = 0; k < ru->nlinks; k++)
            link_free(&ru->link[k]);
        memset(ru, 0, sizeof(*ru));
        return;
    }
    struct crs_info *in = &c->info[c->n];
    snprintf(in->id, sizeof(in->id), "%s", r->cur_act.id);
    snprintf(in->msg, sizeof(in->msg), "%s", r->cur_act.msg[0] ? r->cur_act.msg : "CRS rule");
    snprintf(in->source, sizeof(in->source), "%s:%d", r->name, r->cur_line);
    in->family = atoi(r->cur_act.id) / 1000;
    in->paranoia = r->pl;
    in->score = r->cur_act.score ? r->cur_act.score : 5;
    c->n++;
}

/* One SecRule directive (its continuation lines joined). */
static void sec_rule(struct reader *r, const char *s, size_t n, int line)
{
    struct crs *c = r->c;
    const char *end = s + n, *p = s;
    char *vars = r->vars, *op = r->op, *act = r->act;
    size_t vn, on, an = 0;
    act[0] = '\0';
    if (quoted(&p, end, vars, VARS_MAX, &vn) != 0 || quoted(&p, end, op, OP_MAX, &on) != 0) {
        warnf(c,
              "%s:%d: a SecRule whose variables or operator cannot be read (unterminated "
              "quotes, or longer than 64 KiB)",
              r->name, line);
        if (r->cur)
            r->cur_bad = 1;
        return;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && quoted(&p, end, act, ACT_MAX, &an) != 0) {
        warnf(c, "%s:%d: a SecRule whose actions cannot be read", r->name, line);
        if (r->cur)
            r->cur_bad = 1;
        return;
    }
    struct actions a = {0};
    parse_actions(act, an, &a);
    /* The paranoia gates: "SecRule TX:EXECUTING_PARANOIA_LEVEL "@lt N"". */
    if (!r->cur && vn >= 27 && strncasecmp(vars, "TX:EXECUTING_PARANOIA_LEVEL", 27) == 0 &&
        on > 4 && strncmp(op, "@lt ", 4) == 0) {
        r->pl = atoi(op + 4);
        if (r->pl < 1)
            r->pl = 1;
        return;
    }
    struct rule *ru = r->cur;
    struct link *l;
    if (ru) { /* a chained link */
        if (ru->nlinks == CRS_LINKS_MAX) {
            warnf(c, "%s:%d: rule %s: more than %d chained rules", r->name, line, r->cur_act.id,
                  CRS_LINKS_MAX);
            r->cur_bad = 1;
            l = NULL;
        } else {
            l = &ru->link[ru->nlinks++];
        }
    } else {
        if (!a.id[0]) {
            warnf(c, "%s:%d: a SecRule without an id", r->name, line);
            return;
        }
        if (c->n == CRS_RULES_MAX) {
            warnf(c, "%s:%d: more than %d rules", r->name, line, CRS_RULES_MAX);
            return;
        }
        ru = r->cur = &c->rule[c->n];
        memset(ru, 0, sizeof(*ru));
        r->cur_act = a;
        r->cur_line = line;
        r->cur_bad = 0;
        l = &ru->link[ru->nlinks++];
    }
    if (l && !r->cur_bad) {
        l->vars = parse_vars(vars, vn);
        memcpy(l->tfn, a.tfn, sizeof(l->tfn));
        l->ntfn = a.ntfn;
        l->multimatch = a.multimatch;
        char why[256];
        if (a.bad[0]) {
            warnf(c, "%s:%d: rule %s: %s", r->name, line, r->cur_act.id, a.bad);
            r->cur_bad = 1;
        } else if (l->vars) {
            compile_op(l, op, on, r->datadir, why, sizeof(why));
            if (l->pmdata && c->keyed) {
                sha256_update(&c->key, l->pmfile, strlen(l->pmfile) + 1);
                sha256_update(&c->key, l->pmdata, l->pmdata_n);
            }
            if (why[0]) {
                /* An operator no log can feed (@detectSQLi, @validateByteRange…)
                 * leaves the rule out quietly; a broken one is named. */
                if (!strstr(why, "is not evaluated"))
                    warnf(c, "%s:%d: rule %s: %s", r->name, line, r->cur_act.id, why);
                r->cur_bad = 1;
            }
        }
    }
    if (!a.chain)
        finish_rule(r);
}

static void read_text(struct reader *r, const char *text, size_t n)
{
    if (r->c->keyed) {
        sha256_update(&r->c->key, r->name, strlen(r->name) + 1);
        sha256_update(&r->c->key, &n, sizeof(n));
        sha256_update(&r->c->key, text, n);
    }
    /* the joined directive, then its three pieces */
    char *buf = malloc(n + 1 + VARS_MAX + OP_MAX + ACT_MAX);
    if (!buf) {
        warnf(r->c, "%s: out of memory", r->name);
        return;
    }
    r->vars = buf + n + 1;
    r->op = r->vars + VARS_MAX;
    r->act = r->op + OP_MAX;
    size_t i = 0;
    int line = 0;
    while (i < n) {
        /* one directive: lines joined while they end in a backslash */
        size_t k = 0;
        int start = line + 1;
        for (;;) {
            size_t e = i;
            while (e < n && text[e] != '\n')
                e++;
            line++;
            size_t len = e - i;
            if (len && text[i + len - 1] == '\r')
                len--;
            int more = len && text[i + len - 1] == '\\';
            if (more)
                len--;
            memcpy(buf + k, text + i, len);
            k += len;
            i = e + 1;
            if (!more || i >= n)
                break;
        }
        buf[k] = '\0';
        size_t a = 0;
        while (a < k && (buf[a] == ' ' || buf[a] == '\t'))
            a++;
        if (a == k || buf[a] == '#')
            continue;
        if (k - a > 8 && strncmp(buf + a, "SecRule", 7) == 0 &&
            (buf[a + 7] == ' ' || buf[a + 7] == '\t'))
            sec_rule(r, buf + a + 8, k - a - 8, start);
        else if (r->cur) /* a directive between a chain and its link ends the rule */
            r->cur_bad = 1, finish_rule(r);
    }
    if (r->cur) {
        warnf(r->c, "%s: rule %s: its chain has no last rule", r->name, r->cur_act.id);
        r->cur_bad = 1;
        finish_rule(r);
    }
    free(buf);
}

/* ---- prefilters ----------------------------------------------------------- */

/* A rule's first-link chain as its prefilter sees it: without lowercase
 * (its patterns are compiled caseless instead, which matches wherever the
 * pattern matches the lowercased text). */
static int strip_chain(const struct link *l, int upto, uint8_t *out, int *lower)
{
    int n = 0;
    *lower = 0;
    for (int t = 0; t < upto; t++) {
        if (l->tfn[t] == T_LOWER || l->tfn[t] == T_CMDLINE)
            *lower = 1;
        if (l->tfn[t] != T_LOWER)
            out[n++] = l->tfn[t];
    }
    return n;
}

static int group_of(struct crs *c, const uint8_t *tfn, int n, struct err *e)
{
    for (int g = 0; g < c->ngroups; g++)
        if (c->group[g].ntfn == n && memcmp(c->group[g].tfn, tfn, (size_t)n) == 0)
            return g;
    if (c->ngroups == (int)(sizeof(c->group) / sizeof(c->group[0]))) {
        err_set(e, ERR_INPUT, "more than %d chains of transformations", c->ngroups);
        return -1;
    }
    struct group *gr = &c->group[c->ngroups];
    memset(gr, 0, sizeof(*gr));
    memcpy(gr->tfn, tfn, (size_t)n);
    gr->ntfn = n;
    for (int t = 0; t < n; t++)
        gr->trig |= trigger(tfn[t]);
    return c->ngroups++;
}

/* The patterns waiting to be compiled, all groups together. */
struct pending_pat {
    char *expr;
    unsigned flags, rule;
    int group;
};

struct pendings {
    struct pending_pat *v;
    size_t n, cap;
};

static int pend_add(struct pendings *p, char *expr, unsigned flags, unsigned rule, int group)
{
    if (!expr)
        return -1;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct pending_pat *v = realloc(p->v, cap * sizeof(*v));
        if (!v) {
            free(expr);
            return -1;
        }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct pending_pat){expr, flags, rule, group};
    return 0;
}

/* A @pm's phrases again, for the prefilter (the link keeps its own
 * database for deciding). */
static int pend_phrases(struct pendings *p, const char *text, size_t n, int lines, unsigned rule,
                        int group)
{
    const char *q;
    size_t len;
    for (size_t i = 0; next_phrase(text, n, lines, &i, &q, &len);)
        if (pend_add(p, literal(q, len), HS_FLAG_CASELESS, rule, group))
            return -1;
    return 0;
}

/* Compiles group g's patterns. A pattern is run exactly where Hyperscan
 * can (a prefilter of a large alternation would report a candidate at
 * nearly every byte), else as a prefilter; one it refuses even so makes its
 * rule one that PCRE2 always decides. */
static int compile_group(struct crs *c, struct pendings *p, int g, hs_database_t **db,
                         struct err *e)
{
    size_t *at = malloc((p->n + 1) * sizeof(*at));
    const char **ex = malloc((p->n + 1) * sizeof(*ex));
    unsigned *fl = malloc((p->n + 1) * sizeof(*fl)), *ids = malloc((p->n + 1) * sizeof(*ids));
    int rc = -1;
    if (!at || !ex || !fl || !ids) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int tries = 0; tries < 400 && rc < 0; tries++) {
        size_t k = 0;
        for (size_t i = 0; i < p->n; i++)
            if ((g < 0 || p->v[i].group == g) && !c->rule[p->v[i].rule].always) {
                at[k] = i;
                ex[k] = p->v[i].expr;
                fl[k] = p->v[i].flags;
                ids[k] = p->v[i].rule;
                k++;
            }
        hs_compile_error_t *ce = NULL;
        if (!k || hs_compile_multi(ex, fl, ids, (unsigned)k, HS_MODE_BLOCK, NULL, db, &ce) ==
                      HS_SUCCESS) {
            rc = 0;
            break;
        }
        int bad = ce && ce->expression >= 0 && (size_t)ce->expression < k ? ce->expression : -1;
        if (g < 0) /* the union is only a shortcut: without it, every group scans */
            bad = -1;
        if (bad < 0)
            rc = err_set(e, ERR_INPUT, "the CRS prefilter cannot be compiled: %s",
                         ce ? ce->message : "?");
        else if (!(p->v[at[bad]].flags & HS_FLAG_PREFILTER) && !strstr(ce->message, "too large"))
            p->v[at[bad]].flags |= HS_FLAG_PREFILTER;
        else
            c->rule[p->v[at[bad]].rule].always = 1;
        hs_free_compile_error(ce);
    }
    if (rc < 0)
        rc = err_set(e, ERR_INPUT, "the CRS prefilter cannot be compiled");
done:
    free(at);
    free(ex);
    free(fl);
    free(ids);
    return rc;
}

static int register_rule(struct crs *c, struct pendings *p, size_t i, struct err *e)
{
    struct rule *ru = &c->rule[i];
    struct link *l = &ru->link[0];
    ru->always = l->neg || (l->op != OP_RX && l->op != OP_PM);
    if (ru->always)
        return 0;
    /* multiMatch tries the value at every stage: each stage's chain. */
    for (int upto = l->multimatch ? 0 : l->ntfn; upto <= l->ntfn; upto++) {
        uint8_t tfn[CRS_TFN_MAX];
        int lower;
        int n = strip_chain(l, upto, tfn, &lower);
        int g = group_of(c, tfn, n, e);
        if (g < 0)
            return e ? e->code : ERR_INPUT;
        c->group[g].vars |= l->vars;
        int rc = 0;
        if (l->op == OP_RX) {
            /* Every match, not the first: one scan covers many values. */
            unsigned f = HS_FLAG_DOTALL | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY |
                         (lower ? HS_FLAG_CASELESS : 0);
            rc = pend_add(p, strdup(l->arg), f, (unsigned)i, g);
        } else if (l->pmdata) {
            rc = pend_phrases(p, l->pmdata, l->pmdata_n, 1, (unsigned)i, g);
        } else {
            rc = pend_phrases(p, l->arg, l->argn, 0, (unsigned)i, g);
        }
        if (rc)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* The compiled databases' cache file: the rules' always flags, each
 * group's database, each phrase list's database, as lengths and bytes. */
#define CACHE_MAGIC "tocsin crs 5"

static int cache_put(struct buf *b, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    if (db && hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return -1;
    uint64_t l = len;
    int rc = buf_add(b, &l, 8);
    if (!rc && len)
        rc = buf_add(b, bytes, len);
    free(bytes);
    return rc;
}

static int cache_get(const struct buf *b, size_t *at, hs_database_t **db)
{
    uint64_t l;
    if (*at + 8 > b->len)
        return -1;
    memcpy(&l, b->p + *at, 8);
    *at += 8;
    if (l > b->len - *at)
        return -1;
    if (l && hs_deserialize_database(b->p + *at, (size_t)l, db) != HS_SUCCESS)
        return -1;
    *at += (size_t)l;
    return 0;
}

static void drop_dbs(struct crs *c)
{
    hs_free_database(c->uni);
    c->uni = NULL;
    for (int g = 0; g < c->ngroups; g++) {
        hs_free_database(c->group[g].db);
        c->group[g].db = NULL;
    }
    for (size_t i = 0; i < c->n; i++)
        for (int k = 0; k < c->rule[i].nlinks; k++) {
            hs_free_database(c->rule[i].link[k].pm);
            c->rule[i].link[k].pm = NULL;
        }
}

static int cache_load(struct crs *c, const char *path)
{
    struct buf b;
    buf_init(&b, 256u << 20);
    size_t ml = sizeof(CACHE_MAGIC), at = ml + c->n;
    int ok = fs_read_file(path, 256u << 20, &b, NULL) == 0 && b.len > at &&
             memcmp(b.p, CACHE_MAGIC, ml) == 0;
    for (size_t i = 0; ok && i < c->n; i++)
        c->rule[i].always = b.p[ml + i] != 0;
    for (int g = 0; ok && g < c->ngroups; g++)
        ok = cache_get(&b, &at, &c->group[g].db) == 0;
    if (ok)
        ok = cache_get(&b, &at, &c->uni) == 0;
    for (size_t i = 0; ok && i < c->n; i++)
        for (int k = 0; ok && k < c->rule[i].nlinks; k++)
            if (c->rule[i].link[k].op == OP_PM)
                ok = cache_get(&b, &at, &c->rule[i].link[k].pm) == 0 && c->rule[i].link[k].pm;
    buf_release(&b);
    if (!ok)
        drop_dbs(c);
    return ok ? 0 : -1;
}

static void cache_store(const struct crs *c, const char *path)
{
    struct buf b;
    buf_init(&b, 256u << 20);
    int rc = buf_add(&b, CACHE_MAGIC, sizeof(CACHE_MAGIC));
    for (size_t i = 0; !rc && i < c->n; i++) {
        char a = (char)c->rule[i].always;
        rc = buf_add(&b, &a, 1);
    }
    for (int g = 0; !rc && g < c->ngroups; g++)
        rc = cache_put(&b, c->group[g].db);
    if (!rc)
        rc = cache_put(&b, c->uni);
    for (size_t i = 0; !rc && i < c->n; i++)
        for (int k = 0; !rc && k < c->rule[i].nlinks; k++)
            if (c->rule[i].link[k].op == OP_PM)
                rc = cache_put(&b, c->rule[i].link[k].pm);
    if (!rc)
        lw_cache_write(path, b.p, b.len);
    buf_release(&b);
}

static int cache_file(struct crs *c, char *out, size_t cap)
{
    if (!c->keyed)
        return -1;
    unsigned char d[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    sha256_final(&c->key, d);
    c->keyed = 0;
    hex_encode(d, 16, hex);
    char base[3072];
    if (lw_cache_base(base, sizeof(base)) != 0)
        return -1;
    snprintf(out, cap, "%s/logwatch-crs-%s.hsdb", base, hex);
    return 0;
}

static int build(struct crs *c, struct err *e)
{
    struct pendings p = {0};
    int rc = 0;
    for (size_t i = 0; !rc && i < c->n; i++)
        rc = register_rule(c, &p, i, e);
    /* The cache is named by what is compiled, not only by what was read:
     * the same files read by another version of this code may make other
     * groups and patterns. */
    for (size_t i = 0; !rc && c->keyed && i < p.n; i++) {
        sha256_update(&c->key, p.v[i].expr, strlen(p.v[i].expr) + 1);
        unsigned x[3] = {p.v[i].flags, p.v[i].rule, (unsigned)p.v[i].group};
        sha256_update(&c->key, x, sizeof(x));
    }
    for (size_t i = 0; !rc && c->keyed && i < c->n; i++) {
        int x[3] = {c->rule[i].always, c->rule[i].nlinks, c->rule[i].link[0].op};
        sha256_update(&c->key, x, sizeof(x));
    }
    for (int g = 0; !rc && c->keyed && g < c->ngroups; g++)
        sha256_update(&c->key, c->group[g].tfn, (size_t)c->group[g].ntfn + 1);
    char path[4096];
    int cached = !rc && cache_file(c, path, sizeof(path)) == 0;
    if (!rc && !(cached && cache_load(c, path) == 0)) {
        for (size_t i = 0; !rc && i < c->n; i++)
            for (int k = 0; !rc && k < c->rule[i].nlinks; k++) {
                struct link *l = &c->rule[i].link[k];
                char why[256];
                if (l->op == OP_PM &&
                    compile_phrases(l->pmdata ? l->pmdata : l->arg,
                                    l->pmdata ? l->pmdata_n : l->argn, l->pmdata != NULL, &l->pm,
                                    why, sizeof(why)) != 0)
                    rc = err_set(e, ERR_INPUT, "%s: rule %s: %s", c->info[i].source, c->info[i].id,
                                 why);
            }
        for (int g = 0; !rc && g < c->ngroups; g++)
            rc = compile_group(c, &p, g, &c->group[g].db, e);
        if (!rc && compile_group(c, &p, -1, &c->uni, NULL) != 0)
            c->uni = NULL;
        if (!rc && cached)
            cache_store(c, path);
    }
    for (size_t i = 0; i < p.n; i++)
        free(p.v[i].expr);
    free(p.v);
    c->nalways = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->rule[i].always)
            c->always[c->nalways++] = (uint16_t)i;
    for (size_t i = 0; i < c->n; i++)
        for (int k = 0; k < c->rule[i].nlinks; k++) {
            free(c->rule[i].link[k].pmdata);
            c->rule[i].link[k].pmdata = NULL;
        }
    return rc;
}

static int family_file(const char *name)
{
    static const char *const fam[] = {"921", "930", "931", "932", "933",
                                      "934", "941", "942", "944"};
    if (strncmp(name, "REQUEST-", 8) != 0)
        return 0;
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 5, ".conf") != 0)
        return 0;
    for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
        if (strncmp(name + 8, fam[i], 3) == 0 && name[11] == '-')
            return 1;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct crs *crs_alloc(int paranoia, crs_warn_fn warn, void *ctx)
{
    struct crs *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->paranoia = paranoia < 1 ? 1 : paranoia > CRS_PARANOIA_MAX ? CRS_PARANOIA_MAX : paranoia;
    c->warn = warn;
    c->ctx = ctx;
    if (sha256_init(&c->key) == 0) {
        const char *v = hs_version();
        sha256_update(&c->key, CACHE_MAGIC, sizeof(CACHE_MAGIC));
        sha256_update(&c->key, v, strlen(v) + 1);
        sha256_update(&c->key, &c->paranoia, sizeof(c->paranoia));
        c->keyed = 1;
    }
    return c;
}

int crs_load_text(const char *name, const char *text, size_t n, const char *datadir, int paranoia,
                  crs_warn_fn warn, void *ctx, struct crs **out, struct err *e)
{
    *out = NULL;
    struct crs *c = crs_alloc(paranoia, warn, ctx);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    struct reader r = {.c = c, .name = name, .datadir = datadir, .pl = 1};
    read_text(&r, text, n);
    int rc = c->n ? build(c, e) : err_set(e, ERR_INPUT, "no rule in %s could be loaded", name);
    if (rc) {
        crs_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int crs_load(const char *dir, int paranoia, crs_warn_fn warn, void *ctx, struct crs **out,
             struct err *e)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, ERR_INPUT, "cannot read the CRS rules in %s: %s", dir, strerror(errno));
    char *names[64];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 64)
        if (family_file(de->d_name) && (names[nn] = strdup(de->d_name)))
            nn++;
    closedir(d);
    qsort(names, (size_t)nn, sizeof(names[0]), by_name);
    struct crs *c = nn ? crs_alloc(paranoia, warn, ctx) : NULL;
    int rc = 0;
    if (!nn)
        rc = err_set(e, ERR_INPUT,
                     "%s holds none of the CRS attack rules (REQUEST-921, 930…944-*.conf)", dir);
    else if (!c)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < nn && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct buf b;
        struct err fe = {0};
        if (fs_read_file(path, CRS_FILE_MAX, &b, &fe) != 0) {
            warnf(c, "%s", fe.msg);
            continue;
        }
        struct reader r = {.c = c, .name = names[i], .datadir = dir, .pl = 1};
        read_text(&r, b.p, b.len);
        buf_release(&b);
    }
    for (int i = 0; i < nn; i++)
        free(names[i]);
    if (!rc && c->n == 0)
        rc = err_set(e, ERR_INPUT, "no CRS rule in %s could be loaded", dir);
    if (!rc)
        rc = build(c, e);
    if (rc) {
        crs_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- evaluation ----------------------------------------------------------- */

#define TBUF     (3 * CRS_VALUE_MAX + 8)
#define VC_SLOTS 4096       /* values remembered per thread */
#define VC_RING  (1u << 19) /* ... their texts, at most VC_TEXT each */
#define VC_TEXT  1024
#define VC_RULES 6
#define VC_VARS  (V_UA | V_REFERER | V_FILENAME | V_BASENAME)

#define RC_SLOTS 4096       /* requests remembered per thread */
#define RC_RING  (1u << 19) /* ... their texts, at most RC_TEXT each */
#define RC_TEXT  2048
#define RC_HITS  16

struct rslot {
    uint64_t hash, at;
    uint32_t len;
    int score;
    uint8_t n;
    uint16_t hits[RC_HITS];
};

struct vslot {
    uint64_t hash, at; /* at: where its text was written, counting every byte ever written */
    uint32_t len;
    uint16_t var;
    uint8_t n, full; /* full: more rules matched than it holds; not reused */
    uint16_t rules[VC_RULES];
};
#define PAIRS_MAX 2048 /* candidates of one request kept; more: every rule is tried */
#define CAT_MAX   (CRS_VALUES_MAX * (CRS_VALUE_MAX + 1))

struct crs_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    unsigned char *buf[CRS_TFN_MAX + 1]; /* each stage of a chain */
    unsigned char *args;                 /* decoded arguments, the path, the request line */
    unsigned char *cat;                  /* one group's values, each followed by '\n' */
    uint32_t at[CRS_VALUES_MAX + 1];     /* where each value starts in cat */
    int idx[CRS_VALUES_MAX];             /* ... and which value it is */
    int ncat;
    size_t calls;        /* prefilter matches in this scan */
    uint16_t (*pair)[2]; /* [PAIRS_MAX] candidates: value, rule */
    int npair, all;      /* all: too many, every rule is tried on every value */
    uint8_t *cand;       /* [CRS_VALUES_MAX * n]: rule k may match value i */
    uint8_t *hit;        /* [n] rules that matched the request */
    size_t n;
    /* Values seen before (user agents, referers, paths): the rules whose
     * first link matched them, found once. */
    struct vslot *vc;
    unsigned char *ring;         /* their texts */
    uint64_t ring_at;            /* bytes ever written into the ring */
    int8_t slot[CRS_VALUES_MAX]; /* per value: 1 found in the cache, 2 to be stored */
    struct vslot *put[CRS_VALUES_MAX];
    struct rslot *rc;     /* requests seen before */
    unsigned char *rring; /* their texts */
    uint64_t rring_at;
    char key[RC_TEXT];
};

int crs_scratch_new(const struct crs *c, struct crs_scratch **out, struct err *e)
{
    *out = NULL;
    struct crs_scratch *s = calloc(1, sizeof(*s));
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; i <= CRS_TFN_MAX; i++)
        if (!(s->buf[i] = malloc(TBUF)))
            rc = ERR_NOMEM;
    s->n = c->n;
    s->args = malloc(CRS_VALUES_MAX * (size_t)CRS_VALUE_MAX);
    s->cat = malloc(CAT_MAX);
    s->cand = calloc(CRS_VALUES_MAX * (c->n + 1), 1);
    s->pair = malloc(PAIRS_MAX * sizeof(*s->pair));
    s->vc = calloc(VC_SLOTS, sizeof(*s->vc));
    s->ring = malloc(VC_RING);
    s->rc = calloc(RC_SLOTS, sizeof(*s->rc));
    s->rring = malloc(RC_RING);
    s->hit = calloc(c->n + 1, 1);
    s->md = pcre2_match_data_create(8, NULL);
    s->mctx = pcre2_match_context_create(NULL);
    if (rc || !s->args || !s->cat || !s->cand || !s->pair || !s->hit || !s->md || !s->mctx ||
        !s->vc || !s->ring || !s->rc || !s->rring)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc) {
        /* A hostile value may make a pattern backtrack: bounded. */
        pcre2_set_match_limit(s->mctx, 100000);
        pcre2_set_depth_limit(s->mctx, 1000);
    }
    for (int g = 0; !rc && g < c->ngroups; g++)
        if (c->group[g].db && hs_alloc_scratch(c->group[g].db, &s->hs) != HS_SUCCESS)
            rc = err_set(e, ERR_NOMEM, "cannot allocate the CRS scratch space");
    if (!rc && c->uni && hs_alloc_scratch(c->uni, &s->hs) != HS_SUCCESS)
        rc = err_set(e, ERR_NOMEM, "cannot allocate the CRS scratch space");
    for (size_t i = 0; !rc && i < c->n; i++)
        for (int k = 0; k < c->rule[i].nlinks; k++)
            if (c->rule[i].link[k].pm &&
                hs_alloc_scratch(c->rule[i].link[k].pm, &s->hs) != HS_SUCCESS)
                rc = err_set(e, ERR_NOMEM, "cannot allocate the CRS scratch space");
    if (rc) {
        crs_scratch_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void crs_scratch_free(struct crs_scratch *s)
{
    if (!s)
        return;
    for (int i = 0; i <= CRS_TFN_MAX; i++)
        free(s->buf[i]);
    free(s->args);
    free(s->cat);
    free(s->cand);
    free(s->pair);
    free(s->hit);
    free(s->vc);
    free(s->ring);
    free(s->rc);
    free(s->rring);
    hs_free_scratch(s->hs);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    free(s);
}

struct value {
    unsigned var;
    const unsigned char *p;
    size_t n;
    unsigned feat; /* features(p, n), set before the scans */
};

static int on_any(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    *(int *)ctx = 1;
    return 1;
}

#define CAND_BUDGET 4096

/* A prefilter match in the group's values: the value it ends in (or the
 * newline after it) may match the rule. */
static int on_cand(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                   void *ctx)
{
    (void)from, (void)flags;
    struct crs_scratch *s = ctx;
    if (++s->calls > CAND_BUDGET)
        return 1; /* a pattern matching everywhere: the scan's caller takes all */
    int lo = 0, hi = s->ncat;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (s->at[mid] < to)
            lo = mid;
        else
            hi = mid;
    }
    uint8_t *c = &s->cand[(size_t)s->idx[lo] * s->n + id];
    if (!*c) {
        *c = 1;
        if (s->npair == PAIRS_MAX)
            s->all = 1;
        else
            s->pair[s->npair][0] = (uint16_t)s->idx[lo], s->pair[s->npair++][1] = (uint16_t)id;
    }
    return 0;
}

static int op_match(const struct link *l, struct crs_scratch *s, const unsigned char *p, size_t n)
{
    int m = 0;
    switch (l->op) {
    case OP_RX: {
        int rc = pcre2_match(l->re, (PCRE2_SPTR)p, n, 0, 0, s->md, s->mctx);
        m = rc >= 0;
        break;
    }
    case OP_PM:
        hs_scan(l->pm, (const char *)p, (unsigned)n, 0, s->hs, on_any, &m);
        break;
    case OP_BEGINS:
        m = n >= l->argn && memcmp(p, l->arg, l->argn) == 0;
        break;
    case OP_ENDS:
        m = n >= l->argn && memcmp(p + n - l->argn, l->arg, l->argn) == 0;
        break;
    case OP_CONTAINS:
        m = l->argn == 0 || (n >= l->argn && memmem(p, n, l->arg, l->argn) != NULL);
        break;
    case OP_STREQ:
        m = n == l->argn && memcmp(p, l->arg, n) == 0;
        break;
    case OP_WITHIN:
        m = n == 0 || memmem(l->arg, l->argn, p, n) != NULL;
        break;
    case OP_SQLI:
        m = lw_detect_sqli(p, n);
        break;
    case OP_XSS:
        m = lw_detect_xss(p, n);
        break;
    }
    return l->neg ? !m : m;
}

/* Applies a chain to p[0..n), skipping the steps with nothing to change
 * (exact: lowercase is the only step skipped when caseless is set, for a
 * prefilter compiled caseless). Returns the final text. */
static const unsigned char *apply(const uint8_t *tfn, int ntfn, struct crs_scratch *s,
                                  const unsigned char *p, size_t n, unsigned f, size_t *outn)
{
    if (n > CRS_VALUE_MAX)
        n = CRS_VALUE_MAX;
    for (int t = 0; t < ntfn; t++) {
        if (!(trigger(tfn[t]) & f))
            continue;
        unsigned char *o = s->buf[t];
        n = transform(tfn[t], p, n, o, TBUF);
        if (n > CRS_VALUE_MAX)
            n = CRS_VALUE_MAX; /* utf8toUnicode may triple a value: bounded */
        p = o;
        f = features(p, n);
    }
    *outn = n;
    return p;
}

static int link_match(const struct link *l, struct crs_scratch *s, const unsigned char *p, size_t n)
{
    if (n > CRS_VALUE_MAX)
        n = CRS_VALUE_MAX;
    if (l->multimatch && op_match(l, s, p, n))
        return 1;
    for (int t = 0; t < l->ntfn; t++) {
        unsigned char *o = s->buf[t];
        n = transform(l->tfn[t], p, n, o, TBUF);
        if (n > CRS_VALUE_MAX)
            n = CRS_VALUE_MAX;
        p = o;
        if (l->multimatch && t + 1 < l->ntfn && op_match(l, s, p, n))
            return 1;
    }
    return op_match(l, s, p, n);
}

/* The chained links after the first, given the value the first matched. */
static int chain_match(const struct rule *ru, struct crs_scratch *s, const struct value *v, int nv,
                       const struct value *first)
{
    struct value matched[CRS_VALUES_MAX];
    int nm = 1;
    matched[0] = *first;
    for (int k = 1; k < ru->nlinks; k++) {
        const struct link *l = &ru->link[k];
        struct value next[CRS_VALUES_MAX];
        int nn = 0;
        if (l->vars & (V_MATCHED | V_MATCHEDS)) {
            for (int i = 0; i < nm && nn < CRS_VALUES_MAX; i++)
                if (link_match(l, s, matched[i].p, matched[i].n))
                    next[nn++] = matched[i];
        }
        for (int i = 0; i < nv && nn < CRS_VALUES_MAX; i++)
            if ((v[i].var & l->vars) && link_match(l, s, v[i].p, v[i].n))
                next[nn++] = v[i];
        if (!nn)
            return 0;
        memcpy(matched, next, (size_t)nn * sizeof(next[0]));
        nm = nn;
    }
    return 1;
}

/* One scan of group g over every value it looks at, each transformed by
 * its chain and followed by a newline; what matches marks candidates. */
static void scan_group(const struct crs *c, struct crs_scratch *s, int g, const struct value *v,
                       int nv)
{
    const struct group *gr = g >= 0 ? &c->group[g] : NULL;
    const hs_database_t *db = gr ? gr->db : c->uni;
    if (!db)
        return;
    size_t len = 0;
    s->ncat = 0;
    for (int i = 0; i < nv; i++) {
        /* A value the chain leaves as it is was in the union's scan. */
        if (s->slot[i] == 1 ||
            (gr && (!(v[i].var & gr->vars) || (c->uni && !(v[i].feat & gr->trig)))))
            continue;
        size_t tn;
        const unsigned char *t =
            gr ? apply(gr->tfn, gr->ntfn, s, v[i].p, v[i].n, v[i].feat, &tn) : v[i].p;
        if (!gr)
            tn = v[i].n < CRS_VALUE_MAX ? v[i].n : CRS_VALUE_MAX;
        s->at[s->ncat] = (uint32_t)len;
        s->idx[s->ncat++] = i;
        memcpy(s->cat + len, t, tn);
        len += tn;
        s->cat[len++] = '\n';
    }
    s->calls = 0;
    if (s->ncat &&
        hs_scan(db, (const char *)s->cat, (unsigned)len, 0, s->hs, on_cand, s) != HS_SUCCESS)
        s->all = 1; /* stopped: every rule may match every value */
}

/* ---- where tocsin decides otherwise ------------------------------------- */

/* Whether p[0..n) is well-formed UTF-8 with at least one multi-byte
 * character. */
static int utf8_text(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80)
            return utf8_valid((const char *)p, n);
    return 0;
}

/* Natural text: nothing that carries syntax in SQL, a shell, HTML or
 * JavaScript (quotes, brackets, operators, comment openers, '/'; a colon
 * or an at sign alone are prose; to SQL, sql set, a semicolon too, the
 * caller asking the tokenizer whether a statement follows it), and no
 * number followed by a SQL keyword ("1 union select"). */
static int natural(const unsigned char *p, size_t n, int sql)
{
    static const char cue[] = "'\"<>;|&$`(){}[]\\*=!^~#/";
    for (size_t i = 0; i < n; i++) {
        /* to SQL a ';' is punctuation unless a statement follows it */
        if (p[i] == ';' && sql)
            continue;
        if (p[i] && memchr(cue, p[i], sizeof(cue) - 1))
            return 0;
        if (p[i] == '-' && i + 1 < n && p[i + 1] == '-')
            return 0;
    }
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    size_t d = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i > d && i < n && p[i] == ' ') {
        static const char *const kw[] = {"union",  "and",       "or",    "order", "group", "having",
                                         "select", "procedure", "limit", "into",  "xor",   "div"};
        while (i < n && p[i] == ' ')
            i++;
        for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++) {
            size_t l = strlen(kw[k]);
            if (i + l <= n && strncasecmp((const char *)p + i, kw[k], l) == 0 &&
                (i + l == n || !isalnum(p[i + l])))
                return 0;
        }
    }
    return 1;
}

/* Nothing SQL needs to break out of a value or to join a condition to
 * it: no quote, comment, comparison or operator, statement end or variable. */
static int sql_inert(const unsigned char *p, size_t n)
{
    static const char cue[] = "'\"`=<>!|&^~;@#*+/\\";
    for (size_t i = 0; i < n; i++) {
        if (p[i] && memchr(cue, p[i], sizeof(cue) - 1))
            return 0;
        if (p[i] == '-' && i + 1 < n && p[i + 1] == '-')
            return 0;
    }
    return 1;
}

/* Shell syntax that only expands a named parameter ("${amount}", a
 * template's placeholder): no command substitution ("$(", backticks), no
 * process substitution, no expansion with operators ("${x:-y}", "${IFS%?}"). */
static int bare_expansion(const unsigned char *p, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '`' || ((p[i] == '<' || p[i] == '>') && i + 1 < n && p[i + 1] == '('))
            return 0;
        if (p[i] != '$' || i + 1 >= n)
            continue;
        if (p[i + 1] == '(')
            return 0;
        if (p[i + 1] != '{')
            continue;
        size_t j = i + 2;
        if (j >= n || !(isalpha(p[j]) || p[j] == '_'))
            return 0;
        while (j < n && (isalnum(p[j]) || p[j] == '_'))
            j++;
        if (j >= n || p[j] != '}')
            return 0;
        any = 1;
        i = j;
    }
    return any;
}

/* Removes data: URIs of images, sound, video and fonts (which a browser
 * never runs as script) from p into out; returns the new length, or n when
 * there was none. */
static size_t strip_media_uris(const unsigned char *p, size_t n, unsigned char *out)
{
    static const char *const media[] = {"image/", "audio/", "video/", "font/"};
    size_t k = 0, found = 0;
    for (size_t i = 0; i < n;) {
        if (i + 5 <= n && strncasecmp((const char *)p + i, "data:", 5) == 0) {
            size_t j = i + 5, m;
            for (m = 0; m < 4; m++)
                if (strncasecmp((const char *)p + j, media[m], strlen(media[m])) == 0 &&
                    j + strlen(media[m]) <= n)
                    break;
            if (m < 4) {
                j += strlen(media[m]);
                while (j < n && (isalnum(p[j]) || strchr("+.-;=", p[j])) && p[j])
                    j++;
                if (j < n && p[j] == ',') {
                    j++;
                    while (j < n && (isalnum(p[j]) || p[j] == '+' || p[j] == '/' || p[j] == '='))
                        j++;
                    i = j;
                    found = 1;
                    continue;
                }
            }
        }
        out[k++] = p[i++];
    }
    return found ? k : n;
}

/* tocsin's second opinion on a CRS rule that matched value v (its first
 * link, and its chain): whether the hit is not counted. Where a regular
 * expression cannot decide, CRS's answer stands. See docs/logwatch.md. */
static int tocsin_drops(const struct crs *c, struct crs_scratch *s, size_t k, const struct value *v)
{
    const struct crs_info *in = &c->info[k];
    int fam = in->family;
    if (fam != 932 && fam != 933 && fam != 941 && fam != 942)
        return 0;
    /* What the value says once decoded, as a person or a browser reads it. */
    static const uint8_t dec[] = {T_URLDECUNI, T_HTMLENT, T_URLDECUNI};
    size_t n;
    const unsigned char *t = apply(dec, 3, s, v->p, v->n, features(v->p, v->n), &n);
    unsigned char *copy = s->buf[CRS_TFN_MAX];
    memcpy(copy, t, n);
    /* Words alone are a search, a title, a name: not code of any kind. To
     * SQL, brackets and commas are prose too ("chapter 1 having fun (see
     * above)") unless the tokenizer reads SQL in the value. */
    if (natural(copy, n, fam == 942) && (fam != 942 || !lw_detect_sqli(copy, n)))
        return 1;
    if (fam == 942 && sql_inert(copy, n) && !lw_detect_sqli(copy, n))
        return 1;
    /* 941310 looks for the bytes 0xBC and 0xBE of a US-ASCII obfuscation;
     * they are also the continuation bytes of many Chinese characters. */
    if (strcmp(in->id, "941310") == 0 && utf8_text(copy, n))
        return 1;
    /* 932130 takes any "${...}" for a shell expression; a bare named one
     * runs nothing (the commands that would use it are rules of their own). */
    if (strcmp(in->id, "932130") == 0 && bare_expansion(copy, n))
        return 1;
    /* A data: URI of an image is not script; it is what the XSS rules saw. */
    if (fam == 941) {
        size_t m = strip_media_uris(copy, n, s->buf[CRS_TFN_MAX] + TBUF / 2);
        if (m != n && !link_match(&c->rule[k].link[0], s, s->buf[CRS_TFN_MAX] + TBUF / 2, m))
            return 1;
    }
    return 0;
}

/* Rule k on value i, unless it already matched the request. */
static void try_rule(const struct crs *c, struct crs_scratch *s, size_t k, const struct value *v,
                     int nv, int i)
{
    const struct rule *ru = &c->rule[k];
    /* A value to be remembered learns every rule its first link matches. */
    if ((s->hit[k] && s->slot[i] != 2) || !(ru->link[0].vars & v[i].var) || s->slot[i] == 1)
        return;
    if (!link_match(&ru->link[0], s, v[i].p, v[i].n))
        return;
    if (s->slot[i] == 2) {
        struct vslot *e = s->put[i];
        if (e->n < VC_RULES)
            e->rules[e->n++] = (uint16_t)k;
        else
            e->full = 1;
    }
    if (!s->hit[k] && (ru->nlinks == 1 || chain_match(ru, s, v, nv, &v[i])) &&
        !tocsin_drops(c, s, k, &v[i]))
        s->hit[k] = 1;
}

/* Value i in the cache: its rules decided from what it remembers (slot 1),
 * or a slot to fill (slot 2), or neither (0). */
static void cache_look(const struct crs *c, struct crs_scratch *s, const struct value *v, int nv,
                       int i)
{
    s->slot[i] = 0;
    if (!(v[i].var & VC_VARS) || v[i].n > VC_TEXT)
        return;
    uint64_t h = lw_hash(v[i].p, v[i].n) ^ v[i].var;
    struct vslot *e = &s->vc[h & (VC_SLOTS - 1)];
    if (e->hash == h && e->var == v[i].var && e->len == v[i].n && !e->full &&
        s->ring_at - e->at <= VC_RING - e->len) { /* its text not yet overwritten */
        size_t off = e->at & (VC_RING - 1);
        if (off + e->len <= VC_RING && memcmp(s->ring + off, v[i].p, e->len) == 0) {
            s->slot[i] = 1;
            for (int j = 0; j < e->n; j++) {
                const struct rule *ru = &c->rule[e->rules[j]];
                if (!s->hit[e->rules[j]] && (ru->nlinks == 1 || chain_match(ru, s, v, nv, &v[i])) &&
                    !tocsin_drops(c, s, e->rules[j], &v[i]))
                    s->hit[e->rules[j]] = 1;
            }
            return;
        }
    }
    /* The text, whole, at the ring's next place (wrapping to its start). */
    size_t off = s->ring_at & (VC_RING - 1);
    if (off + v[i].n > VC_RING) {
        s->ring_at += VC_RING - off;
        off = 0;
    }
    memcpy(s->ring + off, v[i].p, v[i].n);
    *e = (struct vslot){
        .hash = h, .at = s->ring_at, .len = (uint32_t)v[i].n, .var = (uint16_t)v[i].var};
    s->ring_at += v[i].n;
    s->slot[i] = 2;
    s->put[i] = e;
}

/* Splits the query into decoded names and values (as ModSecurity's
 * argument parser: '&'-separated, '=' between, %XX and '+' decoded). */
static int add_args(struct crs_scratch *s, const char *q, size_t n, struct value *v, int nv,
                    int cap)
{
    size_t i = 0;
    int na = 0;
    while (i < n && nv + 2 <= cap) {
        size_t e = i;
        while (e < n && q[e] != '&')
            e++;
        if (e > i) {
            const char *eq = memchr(q + i, '=', e - i);
            size_t kn = eq ? (size_t)(eq - (q + i)) : e - i;
            unsigned char *name = s->args + (size_t)na * CRS_VALUE_MAX;
            unsigned char *val = name + CRS_VALUE_MAX / 2;
            size_t half = CRS_VALUE_MAX / 2;
            size_t vn = eq ? e - i - kn - 1 : 0;
            size_t an = t_urldec((const unsigned char *)q + i, kn < half ? kn : half, name, 0);
            vn = eq ? t_urldec((const unsigned char *)eq + 1, vn < half ? vn : half, val, 0) : 0;
            v[nv++] = (struct value){V_ARGS_NAMES, name, an, 0};
            v[nv++] = (struct value){V_ARGS, val, vn, 0};
            na++;
        }
        i = e + 1;
    }
    return nv;
}

static int match_request(const struct crs *c, struct crs_scratch *s, const struct crs_request *r,
                         uint16_t *out, int cap, int *score)
{
    struct value v[CRS_VALUES_MAX];
    int nv = 0;
    *score = 0;
    if (!c || !c->n)
        return 0;
    const char *uri = r->uri ? r->uri : "";
    size_t urin = r->uri ? r->uri_n : 0;
    if (urin > CRS_VALUE_MAX)
        urin = CRS_VALUE_MAX;
    const char *qm = memchr(uri, '?', urin);
    size_t pathn = qm ? (size_t)(qm - uri) : urin;
    /* The decoded path and the request line, in the last two slots (the
     * arguments take at most the others). */
    unsigned char *path = s->args + (size_t)(CRS_VALUES_MAX - 1) * CRS_VALUE_MAX;
    size_t dn = t_urldec((const unsigned char *)uri, pathn, path, 0);
    size_t b = dn;
    while (b > 0 && path[b - 1] != '/')
        b--;
    v[nv++] = (struct value){V_FILENAME, path, dn, 0};
    v[nv++] = (struct value){V_BASENAME, path + b, dn - b, 0};
    v[nv++] = (struct value){V_URI | V_URI_RAW, (const unsigned char *)uri, urin, 0};
    if (qm)
        v[nv++] = (struct value){V_QUERY, (const unsigned char *)qm + 1, urin - pathn - 1, 0};
    if (r->method_n)
        v[nv++] = (struct value){V_METHOD, (const unsigned char *)r->method,
                                 r->method_n < 64 ? r->method_n : 64, 0};
    if (r->protocol_n)
        v[nv++] = (struct value){V_PROTOCOL, (const unsigned char *)r->protocol,
                                 r->protocol_n < 64 ? r->protocol_n : 64, 0};
    if (r->ua_n)
        v[nv++] = (struct value){V_UA, (const unsigned char *)r->ua,
                                 r->ua_n < CRS_VALUE_MAX ? r->ua_n : CRS_VALUE_MAX, 0};
    if (r->referer_n)
        v[nv++] = (struct value){V_REFERER, (const unsigned char *)r->referer,
                                 r->referer_n < CRS_VALUE_MAX ? r->referer_n : CRS_VALUE_MAX, 0};
    unsigned char *line = s->args + (size_t)(CRS_VALUES_MAX - 2) * CRS_VALUE_MAX;
    int ln = snprintf((char *)line, CRS_VALUE_MAX, "%.*s %.*s %.*s", (int)(r->method_n & 63),
                      r->method ? r->method : "", (int)urin, uri, (int)(r->protocol_n & 63),
                      r->protocol ? r->protocol : "");
    v[nv++] = (struct value){V_LINE, line, ln < CRS_VALUE_MAX ? (size_t)ln : CRS_VALUE_MAX - 1, 0};
    if (qm)
        nv = add_args(s, qm + 1, urin - pathn - 1, v, nv, CRS_VALUES_MAX);
    for (int i = 0; i < nv; i++)
        v[i].feat = features(v[i].p, v[i].n);
    memset(s->cand, 0, (size_t)nv * c->n);
    memset(s->hit, 0, c->n);
    s->npair = 0;
    s->all = 0;
    for (int i = 0; i < nv; i++)
        cache_look(c, s, v, nv, i);
    /* Two values of a request may share a slot: the later one is not stored. */
    for (int i = 0; i < nv; i++)
        for (int j = i + 1; j < nv && s->slot[i] == 2; j++)
            if (s->slot[j] == 2 && s->put[j] == s->put[i])
                s->slot[i] = 0;
    for (int g = -1; g < c->ngroups; g++) /* -1: the union */
        scan_group(c, s, g, v, nv);
    /* The candidates, then the rules no prefilter speaks for; with too
     * many candidates, every rule on every value. */
    for (int i = 0; s->all && i < nv; i++)
        for (size_t k = 0; k < c->n; k++)
            try_rule(c, s, k, v, nv, i);
    for (int j = 0; !s->all && j < s->npair; j++)
        try_rule(c, s, s->pair[j][1], v, nv, s->pair[j][0]);
    for (size_t j = 0; !s->all && j < c->nalways; j++)
        for (int i = 0; i < nv; i++)
            try_rule(c, s, c->always[j], v, nv, i);
    int n = 0;
    for (size_t k = 0; k < c->n; k++)
        if (s->hit[k]) {
            *score += c->info[k].score;
            if (n < cap)
                out[n++] = (uint16_t)k;
        }
    return n;
}

/* A request seen before (the same method, URI, protocol, user agent and
 * referer, byte for byte) gets the answer it got: a portal's log repeats
 * its requests. */
int crs_match(const struct crs *c, struct crs_scratch *s, const struct crs_request *r,
              uint16_t *out, int cap, int *score)
{
    *score = 0;
    if (!c || !c->n)
        return 0;
    const char *part[5] = {r->method, r->uri, r->protocol, r->ua, r->referer};
    size_t len[5] = {r->method_n, r->uri_n, r->protocol_n, r->ua_n, r->referer_n};
    size_t k = 0;
    for (int i = 0; i < 5; i++) {
        if (!part[i])
            len[i] = 0;
        if (k + len[i] + 1 > RC_TEXT)
            return match_request(c, s, r, out, cap, score);
        memcpy(s->key + k, part[i] ? part[i] : "", len[i]);
        k += len[i];
        s->key[k++] = '\0';
    }
    uint64_t h = lw_hash(s->key, k);
    struct rslot *e = &s->rc[h & (RC_SLOTS - 1)];
    if (e->hash == h && e->len == k && s->rring_at - e->at <= RC_RING - e->len) {
        size_t off = e->at & (RC_RING - 1);
        if (off + k <= RC_RING && memcmp(s->rring + off, s->key, k) == 0) {
            int n = e->n < cap ? e->n : cap;
            memcpy(out, e->hits, (size_t)n * sizeof(out[0]));
            *score = e->score;
            return n;
        }
    }
    uint16_t hits[RC_HITS];
    int got = match_request(c, s, r, hits, RC_HITS, score);
    int n = got < cap ? got : cap;
    memcpy(out, hits, (size_t)n * sizeof(out[0]));
    if (got < RC_HITS) { /* all of them known: remembered */
        size_t off = s->rring_at & (RC_RING - 1);
        if (off + k > RC_RING) {
            s->rring_at += RC_RING - off;
            off = 0;
        }
        memcpy(s->rring + off, s->key, k);
        *e = (struct rslot){
            .hash = h, .at = s->rring_at, .len = (uint32_t)k, .n = (uint8_t)got, .score = *score};
        memcpy(e->hits, hits, (size_t)got * sizeof(hits[0]));
        s->rring_at += k;
    }
    return n;
}
