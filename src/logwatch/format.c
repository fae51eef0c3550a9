/* Access-log formats: nginx log_format strings (combined and common are two
 * of them), nginx JSON lines, and "auto", which tells them apart per line. */
#include "logwatch_int.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define TOKENS_MAX 64

enum var {
    V_EXTRA = -1,
    V_CLIENT = LW_CLIENT,
    V_TIME = LW_TIME,
    V_METHOD = LW_METHOD,
    V_URI = LW_URI,
    V_PROTOCOL = LW_PROTOCOL,
    V_STATUS = LW_STATUS,
    V_BYTES = LW_BYTES,
    V_REFERER = LW_REFERER,
    V_UA = LW_UA,
    V_HOST = LW_HOST,
    V_REQUEST = 100 /* "GET /x HTTP/1.1": method, URI, protocol */
};

struct token {
    int is_var;
    int var;        /* enum var */
    char text[128]; /* a literal, or the variable's name */
    size_t len;
};

enum kind { F_TOKENS, F_JSON, F_AUTO };

struct lw_format {
    enum kind kind;
    struct token t[TOKENS_MAX];
    int n;
    /* Built-in formats forgive what real servers write: a combined format's
     * line may stop after the byte count (common), and text after the last
     * field (an appended "$http_x_forwarded_for") is ignored. */
    int optional_from;
    int lenient_tail;
    int is_combined; /* t is combined_tokens, which parse_combined reads */
};

/* Variable names, from nginx's log_format and the usual JSON keys. */
static const struct {
    const char *name;
    int var;
} names[] = {
    {"remote_addr", V_CLIENT},
    {"realip_remote_addr", V_CLIENT},
    {"client", V_CLIENT},
    {"client_ip", V_CLIENT},
    {"ip", V_CLIENT},
    {"time_local", V_TIME},
    {"time_iso8601", V_TIME},
    {"msec", V_TIME},
    {"time", V_TIME},
    {"@timestamp", V_TIME},
    {"timestamp", V_TIME},
    {"request", V_REQUEST},
    {"request_method", V_METHOD},
    {"method", V_METHOD},
    {"request_uri", V_URI},
    {"uri", V_URI},
    {"url", V_URI},
    {"server_protocol", V_PROTOCOL},
    {"protocol", V_PROTOCOL},
    {"status", V_STATUS},
    {"body_bytes_sent", V_BYTES},
    {"bytes_sent", V_BYTES},
    {"bytes", V_BYTES},
    {"size", V_BYTES},
    {"http_referer", V_REFERER},
    {"referer", V_REFERER},
    {"referrer", V_REFERER},
    {"http_user_agent", V_UA},
    {"user_agent", V_UA},
    {"agent", V_UA},
    {"host", V_HOST},
    {"http_host", V_HOST},
    {"server_name", V_HOST},
};

static int var_of(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, name, n) == 0)
            return names[i].var;
    return V_EXTRA;
}

/* nginx's combined format,
 *   $remote_addr - $remote_user [$time_local] "$request" $status
 *   $body_bytes_sent "$http_referer" "$http_user_agent"
 * as compile() would make it; common is its first COMMON_N tokens. Spelled
 * out so that parse_combined is the token parser compiled for them alone:
 * its literals and fields become constants. */
#define LIT(s)                                                                                     \
    {                                                                                              \
        0, 0, s, sizeof(s) - 1                                                                     \
    }
#define VAR(name, v)                                                                               \
    {                                                                                              \
        1, v, name, sizeof(name) - 1                                                               \
    }
static const struct token combined_tokens[] = {
    VAR("remote_addr", V_CLIENT),   LIT(" - "),   VAR("remote_user", V_EXTRA),     LIT(" ["),
    VAR("time_local", V_TIME),      LIT("] \""),  VAR("request", V_REQUEST),       LIT("\" "),
    VAR("status", V_STATUS),        LIT(" "),     VAR("body_bytes_sent", V_BYTES), LIT(" \""),
    VAR("http_referer", V_REFERER), LIT("\" \""), VAR("http_user_agent", V_UA),    LIT("\""),
};
#undef LIT
#undef VAR
#define COMBINED_N        ((int)(sizeof(combined_tokens) / sizeof(combined_tokens[0])))
#define COMMON_N          11       /* up to $body_bytes_sent */
#define COMBINED_OPTIONAL COMMON_N /* what common lacks, a combined line may lack */

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int compile(struct lw_format *f, const char *spec, struct err *e)
{
    size_t n = strlen(spec), i = 0;
    while (i < n) {
        if (f->n >= TOKENS_MAX)
            return err_set(e, ERR_INPUT, "log format: more than %d parts", TOKENS_MAX);
        struct token *t = &f->t[f->n];
        if (spec[i] == '$') {
            size_t s = i + 1, end;
            int braced = s < n && spec[s] == '{';
            s += braced;
            end = s;
            while (end < n && is_name_char(spec[end]))
                end++;
            if (end == s || end - s >= sizeof(t->text))
                return err_set(e, ERR_INPUT, "log format: a '$' at offset %zu names no variable",
                               i);
            if (braced && (end >= n || spec[end] != '}'))
                return err_set(e, ERR_INPUT, "log format: '${' at offset %zu is not closed", i);
            if (f->n > 0 && f->t[f->n - 1].is_var)
                return err_set(e, ERR_INPUT,
                               "log format: $%.*s follows another variable with nothing between: "
                               "the two cannot be told apart",
                               (int)(end - s), spec + s);
            t->is_var = 1;
            t->len = end - s;
            memcpy(t->text, spec + s, t->len);
            t->var = var_of(t->text, t->len);
            i = end + braced;
        } else {
            size_t end = i;
            while (end < n && spec[end] != '$')
                end++;
            if (end - i >= sizeof(t->text))
                return err_set(e, ERR_INPUT, "log format: a literal part is too long");
            t->len = end - i;
            memcpy(t->text, spec + i, t->len);
            i = end;
        }
        f->n++;
    }
    if (f->n == 0)
        return err_set(e, ERR_INPUT, "log format: empty");
    return 0;
}

int lw_format_new(const char *spec, struct lw_format **out, struct err *e)
{
    *out = NULL;
    if (strlen(spec) > 2048)
        return err_set(e, ERR_INPUT, "log format: longer than 2048 bytes");
    struct lw_format *f = calloc(1, sizeof(*f));
    if (!f)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    f->optional_from = -1;
    if (strcmp(spec, "json") == 0) {
        f->kind = F_JSON;
    } else if (strcmp(spec, "auto") == 0 || strcmp(spec, "combined") == 0 ||
               strcmp(spec, "common") == 0) {
        f->kind = strcmp(spec, "auto") == 0 ? F_AUTO : F_TOKENS;
        f->is_combined = strcmp(spec, "common") != 0;
        f->n = f->is_combined ? COMBINED_N : COMMON_N;
        memcpy(f->t, combined_tokens, (size_t)f->n * sizeof(f->t[0]));
        f->optional_from = COMBINED_OPTIONAL;
        f->lenient_tail = 1;
    } else {
        f->kind = F_TOKENS;
        rc = compile(f, spec, e);
    }
    if (rc) {
        free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void lw_format_free(struct lw_format *f)
{
    free(f);
}

/* ---- fields -------------------------------------------------------------- */

static int64_t num(const char *p, size_t n, int64_t dflt)
{
    if (n == 0 || n > 18)
        return dflt;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return dflt;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static void set_request(struct lw_record *r, const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n);
    if (!sp) {
        /* "-" or garbage sent instead of a request: all of it is the URI. */
        r->f[LW_URI] = (struct lw_span){p, n};
        return;
    }
    r->f[LW_METHOD] = (struct lw_span){p, (size_t)(sp - p)};
    const char *u = sp + 1, *end = p + n;
    /* The protocol is the last word when it looks like one. */
    const char *last = end;
    while (last > u && last[-1] != ' ')
        last--;
    if (last > u && end - last >= 5 && memcmp(last, "HTTP/", 5) == 0) {
        r->f[LW_PROTOCOL] = (struct lw_span){last, (size_t)(end - last)};
        end = last - 1;
    }
    r->f[LW_URI] = (struct lw_span){u, (size_t)(end - u)};
}

static inline __attribute__((always_inline)) void
set_var(struct lw_record *r, int var, const char *name, size_t name_n, const char *p, size_t n)
{
    int dash = n == 1 && p[0] == '-';
    switch (var) {
    case V_REQUEST:
        set_request(r, p, n);
        break;
    case V_EXTRA:
        if (r->nextra < LW_EXTRA_MAX) {
            r->extra_name[r->nextra] = (struct lw_span){name, name_n};
            r->extra[r->nextra++] = (struct lw_span){p, n};
        }
        break;
    case V_STATUS:
        r->f[LW_STATUS] = (struct lw_span){p, n};
        r->status = (int)num(p, n, 0);
        break;
    case V_BYTES:
        r->f[LW_BYTES] = (struct lw_span){p, n};
        r->bytes = dash ? 0 : num(p, n, -1);
        break;
    case V_TIME:
        r->f[LW_TIME] = (struct lw_span){p, n};
        r->time_ms = lw_time_parse(p, n);
        break;
    default:
        /* The first of two names for one field wins ($remote_addr before
         * $realip_remote_addr), so the order in the format decides. */
        if (!r->f[var].p && !(dash && (var == LW_REFERER || var == LW_UA)))
            r->f[var] = (struct lw_span){p, n};
        break;
    }
}

/* The first c in [p, end): sixteen bytes at a time where SSE2 is there
 * (every x86-64), then eight at a time; a field is usually too short for a
 * call to memchr to pay. In the eight-byte step a byte of x is zero exactly
 * where the word has c, and t has the top bit of exactly those bytes. */
static inline const char *find_byte(const char *p, const char *end, unsigned char c)
{
#ifdef __SSE2__
    const __m128i pat16 = _mm_set1_epi8((char)c);
    for (; end - p >= 16; p += 16) {
        int mask = _mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), pat16));
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
    }
#endif
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, pat = 0x0101010101010101ull * c;
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = w ^ pat;
        uint64_t t = ~(((x & low7) + low7) | x | low7);
        if (t) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(t) >> 3);
#else
            return p + (__builtin_clzll(t) >> 3);
#endif
        }
    }
    for (; p < end; p++)
        if ((unsigned char)*p == c)
            return p;
    return NULL;
}

/* The end of a value that is followed by literal lit: its first occurrence
 * not escaped by a backslash (Apache writes \" inside quoted fields). */
static inline __attribute__((always_inline)) const char *find_lit(const char *p, const char *end,
                                                                  const struct token *lit)
{
    while (p < end) {
        const char *c = find_byte(p, end, (unsigned char)lit->text[0]);
        if (!c || (size_t)(end - c) < lit->len)
            return NULL;
        size_t bs = 0;
        while (c - bs > p && c[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0) {
            size_t k = 1;
            while (k < lit->len && c[k] == lit->text[k])
                k++;
            if (k == lit->len)
                return c;
        }
        p = c + 1;
    }
    return NULL;
}

/* Reads the line by the format's tokens: each field runs to the next literal. */
static inline __attribute__((always_inline)) int parse_with(const struct token *tokens, int ntokens,
                                                            int optional_from, int lenient_tail,
                                                            const char *line, size_t n,
                                                            struct lw_record *r, struct err *e)
{
    const char *p = line, *end = line + n;
    int found = 0; /* the literal at p is there: find_lit compared it whole */
#pragma GCC unroll 16
    for (int i = 0; i < ntokens; i++) {
        const struct token *t = &tokens[i];
        if (p == end && optional_from >= 0 && i >= optional_from)
            return 0;
        if (!t->is_var) {
            if (found) {
                p += t->len;
                found = 0;
                continue;
            }
            if ((size_t)(end - p) < t->len || memcmp(p, t->text, t->len) != 0)
                return err_set(e, ERR_INPUT, "expected \"%.*s\" at column %zu", (int)t->len,
                               t->text, (size_t)(p - line) + 1);
            p += t->len;
            continue;
        }
        const char *vend = end;
        if (i + 1 < ntokens) {
            vend = find_lit(p, end, &tokens[i + 1]);
            found = vend != NULL;
            /* The last field before an optional tail may end the line. */
            if (!vend && optional_from == i + 1)
                vend = end;
            if (!vend)
                return err_set(e, ERR_INPUT, "the field $%.*s at column %zu does not end",
                               (int)t->len, t->text, (size_t)(p - line) + 1);
        }
        set_var(r, t->var, t->text, t->len, p, (size_t)(vend - p));
        p = vend;
    }
    if (p != end && !lenient_tail)
        return err_set(e, ERR_INPUT, "unexpected text at column %zu", (size_t)(p - line) + 1);
    return 0;
}

static int parse_tokens(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
                        struct err *e)
{
    return parse_with(f->t, f->n, f->optional_from, f->lenient_tail, line, n, r, e);
}

static int parse_combined(const char *line, size_t n, struct lw_record *r, struct err *e)
{
    return parse_with(combined_tokens, COMBINED_N, COMBINED_OPTIONAL, 1, line, n, r, e);
}

/* ---- JSON lines ------------------------------------------------------------ */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

static int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* A JSON string at *pp (after its quote); the value is a span of the line
 * when it has no escape, else unescaped into *scratch (never longer than the
 * escaped form). */
static int jstring(const char **pp, const char *end, char **scratch, struct lw_span *out)
{
    const char *p = *pp, *s = p;
    while (p < end && *p != '"' && *p != '\\')
        p++;
    if (p < end && *p == '"') {
        *out = (struct lw_span){s, (size_t)(p - s)};
        *pp = p + 1;
        return 0;
    }
    char *o = *scratch, *o0 = o;
    memcpy(o, s, (size_t)(p - s));
    o += p - s;
    while (p < end && *p != '"') {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        if (++p >= end)
            return -1;
        char c = *p++;
        switch (c) {
        case 'n':
            *o++ = '\n';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case '"':
        case '\\':
        case '/':
            *o++ = c;
            break;
        case 'u': {
            int cp = hex4(p, end);
            if (cp < 0)
                return -1;
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                int lo = hex4(p + 2, end);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            if (cp >= 0xd800 && cp < 0xe000)
                cp = 0xfffd; /* a lone surrogate */
            o += utf8_put(o, (unsigned)cp);
            break;
        }
        default:
            return -1;
        }
    }
    if (p >= end)
        return -1;
    *out = (struct lw_span){o0, (size_t)(o - o0)};
    *scratch = o;
    *pp = p + 1;
    return 0;
}

static int parse_json(const char *line, size_t n, struct lw_record *r, char *scratch, struct err *e)
{
    const char *p = line, *end = line + n;
    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return err_set(e, ERR_INPUT, "not a JSON object");
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return 0;
    for (;;) {
        struct lw_span key, val = {0};
        if (p >= end || *p != '"')
            return err_set(e, ERR_INPUT, "a key expected at column %zu", (size_t)(p - line) + 1);
        p++;
        if (jstring(&p, end, &scratch, &key) != 0)
            return err_set(e, ERR_INPUT, "a broken key near column %zu", (size_t)(p - line) + 1);
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return err_set(e, ERR_INPUT, "':' expected at column %zu", (size_t)(p - line) + 1);
        p = skip_ws(p + 1, end);
        if (p < end && *p == '"') {
            p++;
            if (jstring(&p, end, &scratch, &val) != 0)
                return err_set(e, ERR_INPUT, "a broken string near column %zu",
                               (size_t)(p - line) + 1);
        } else {
            /* Numbers, true, false, null: up to the next delimiter. Nested
             * values are not part of an access log and are refused. */
            const char *s = p;
            while (p < end && *p != ',' && *p != '}' && *p != ' ' && *p != '\t')
                p++;
            if (p == s || *s == '{' || *s == '[')
                return err_set(e, ERR_INPUT, "a value expected at column %zu",
                               (size_t)(s - line) + 1);
            val = (struct lw_span){s, (size_t)(p - s)};
            if (val.n == 4 && memcmp(s, "null", 4) == 0)
                val.n = 0;
        }
        set_var(r, var_of(key.p, key.n), key.p, key.n, val.p, val.n);
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            return 0;
        return err_set(e, ERR_INPUT, "',' or '}' expected at column %zu", (size_t)(p - line) + 1);
    }
}

static int parse(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
                 char *scratch, struct err *e, int general)
{
    /* Not the whole record: the extra fields count only up to nextra. */
    lw_zero(r->f, sizeof(r->f));
    r->nextra = 0;
    r->status = 0;
    r->time_ms = 0;
    r->bytes = -1;
    if (n > LW_LINE_MAX)
        return err_set(e, ERR_TOOBIG, "a line of %zu bytes (at most %d)", n, LW_LINE_MAX);
    if (n > 0 && line[n - 1] == '\r')
        n--;
    int json = f->kind == F_JSON || (f->kind == F_AUTO && n > 0 && line[0] == '{');
    int rc = json                         ? parse_json(line, n, r, scratch, e)
             : f->is_combined && !general ? parse_combined(line, n, r, e)
                                          : parse_tokens(f, line, n, r, e);
    if (!rc && !r->f[LW_URI].p && !r->f[LW_CLIENT].p)
        rc = err_set(e, ERR_INPUT, "neither a client nor a request");
    return rc;
}

int lw_parse(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
             char *scratch, struct err *e)
{
    return parse(f, line, n, r, scratch, e, 0);
}

int lw_parse_general(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
                     char *scratch, struct err *e)
{
    return parse(f, line, n, r, scratch, e, 1);
}

/* ---- times ------------------------------------------------------------------ */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int64_t civil_ms(int y, int mo, int d, int h, int mi, int s)
{
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000;
}

/* "+0800", "+08:00", "Z": the offset in minutes; 1 on success. */
static int zone(const char *p, size_t n, int *min)
{
    *min = 0;
    if (n == 0 || (n == 1 && p[0] == 'Z'))
        return 1;
    if ((p[0] != '+' && p[0] != '-') || (n != 5 && n != 6))
        return 0;
    int hh = digits(p + 1, 2), mm = digits(p + (n == 6 ? 4 : 3), 2);
    if (hh < 0 || mm < 0 || (n == 6 && p[3] != ':'))
        return 0;
    *min = (hh * 60 + mm) * (p[0] == '-' ? -1 : 1);
    return 1;
}

static int64_t time_parse(const char *p, size_t n);

/* Lines of one second share their time: the last one parsed by this thread
 * is remembered. */
int64_t lw_time_parse(const char *p, size_t n)
{
    static __thread char last[40];
    static __thread size_t last_n;
    static __thread int64_t last_v;
    if (n == last_n && n <= sizeof(last) && memcmp(p, last, n) == 0)
        return last_v;
    int64_t v = time_parse(p, n);
    if (n <= sizeof(last)) {
        memcpy(last, p, n);
        last_n = n;
        last_v = v;
    }
    return v;
}

static int64_t time_parse(const char *p, size_t n)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int off;
    /* 27/Nov/2026:08:00:00 +0800 */
    if (n >= 26 && p[2] == '/' && p[6] == '/' && p[11] == ':' && p[20] == ' ') {
        int mo = 0;
        for (int i = 0; i < 12; i++)
            if (memcmp(months + 3 * i, p + 3, 3) == 0)
                mo = i + 1;
        int64_t t = civil_ms(digits(p + 7, 4), mo, digits(p, 2), digits(p + 12, 2),
                             digits(p + 15, 2), digits(p + 18, 2));
        if (!t || !zone(p + 21, n - 21, &off))
            return 0;
        return t - (int64_t)off * 60000;
    }
    /* 2026-11-27T08:00:00[.123][+08:00|Z] */
    if (n >= 19 && p[4] == '-' && p[7] == '-' && (p[10] == 'T' || p[10] == ' ') && p[13] == ':') {
        int64_t t = civil_ms(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2), digits(p + 11, 2),
                             digits(p + 14, 2), digits(p + 17, 2));
        size_t i = 19;
        int frac = 0, scale = 100;
        if (i < n && p[i] == '.')
            for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, scale /= 10)
                frac += (p[i] - '0') * scale;
        if (!t || !zone(p + i, n - i, &off))
            return 0;
        return t + frac - (int64_t)off * 60000;
    }
    /* 1764230400.123 */
    int64_t s = 0;
    size_t i = 0;
    for (; i < n && i < 12 && p[i] >= '0' && p[i] <= '9'; i++)
        s = s * 10 + (p[i] - '0');
    if (i < 9)
        return 0;
    if (i == n)
        return s * 1000;
    if (p[i] != '.')
        return 0;
    int frac = 0, scale = 100;
    for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, scale /= 10)
        frac += (p[i] - '0') * scale;
    return i == n ? s * 1000 + frac : 0;
}
