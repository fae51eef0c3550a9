/* libFuzzer harness for the access-log line parser and the matcher: any bytes,
 * in every format, must parse or be refused with a reason, and every field
 * found must lie inside the line (or the unescaping scratch). The combined
 * format's own parser must read it as the general token parser does. Split into
 * lines, the input must also get the same hits matched in a batch as each
 * line matched alone. The rules include the Core Rule Set's where it is
 * installed. */
#include "logwatch/logwatch.h"
#include "logwatch/logwatch_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const struct lw_span *s, const char *a, size_t an, const char *b, size_t bn)
{
    if (!s->p)
        return 1;
    return (s->p >= a && s->p + s->n <= a + an) || (s->p >= b && s->p + s->n <= b + bn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lw_format *f[4];
    static struct lw_rules *rs;
    static struct lw_matcher *m, *batched;
    if (!rs) {
        const char *specs[] = {"auto", "json", "common",
                               "$remote_addr|$time_iso8601|$request|$status|$http_user_agent"};
        for (int i = 0; i < 4; i++)
            if (lw_format_new(specs[i], &f[i], NULL) != 0)
                __builtin_trap();
        /* with the Core Rule Set where Debian's package is installed */
        if (lw_rules_new(NULL, &rs, NULL) != 0 ||
            (lw_rules_add_crs(rs, LW_CRS_DEFAULT, 2, NULL, NULL, NULL), 0) ||
            lw_matcher_new(rs, &m, NULL) != 0 || lw_matcher_new(rs, &batched, NULL) != 0)
            __builtin_trap();
    }
    const char *line = (const char *)data;
    char *scratch = malloc(size + 1);
    if (!scratch)
        return 0;
    for (int i = 0; i < 2; i++) { /* auto and combined: their compiled parser */
        static struct lw_format *combined;
        if (!combined && lw_format_new("combined", &combined, NULL) != 0)
            __builtin_trap();
        const struct lw_format *cf = i ? combined : f[0];
        struct lw_record a, b;
        struct err ea = {0}, eb = {0};
        int ra = lw_parse(cf, line, size, &a, scratch, &ea);
        int rb = lw_parse_general(cf, line, size, &b, scratch, &eb);
        if (ra != rb || strcmp(ea.msg, eb.msg) != 0)
            __builtin_trap();
        if (ra == 0 && (memcmp(a.f, b.f, sizeof(a.f)) != 0 || a.nextra != b.nextra ||
                        memcmp(a.extra, b.extra, sizeof(a.extra[0]) * (size_t)a.nextra) != 0 ||
                        a.status != b.status || a.bytes != b.bytes || a.time_ms != b.time_ms))
            __builtin_trap();
    }
    for (int i = 0; i < 4; i++) {
        struct lw_record r;
        struct err e = {0};
        if (lw_parse(f[i], line, size, &r, scratch, &e) != 0) {
            if (!e.msg[0])
                __builtin_trap(); /* a refusal says why */
            continue;
        }
        for (int k = 0; k < LW_NFIELDS; k++)
            if (!inside(&r.f[k], line, size, scratch, size))
                __builtin_trap();
        struct lw_line l;
        lw_match_line(m, f[i], line, size, 1, &l);
        if (!l.parsed || l.nhits > LW_LINE_HITS_MAX)
            __builtin_trap();
        for (int k = 0; k < l.nhits; k++)
            if (!lw_rules_get(rs, l.hits[k]))
                __builtin_trap();
    }
    free(scratch);

    enum { LINES = 64 };
    static struct lw_line alone[LINES], batch[LINES];
    for (int i = 0; i < 4; i++) {
        size_t at = 0;
        int n = 0;
        while (at <= size && n < LINES) {
            const char *nl = memchr(line + at, '\n', size - at);
            size_t end = nl ? (size_t)(nl - line) : size;
            lw_match_line(m, f[i], line + at, end - at, 1, &alone[n]);
            lw_match_line_deferred(batched, f[i], line + at, end - at, 1, &batch[n++]);
            at = end + 1;
        }
        lw_match_flush(batched);
        for (int k = 0; k < n; k++)
            if (alone[k].nhits != batch[k].nhits ||
                memcmp(alone[k].hits, batch[k].hits, alone[k].nhits * sizeof(alone[k].hits[0])))
                __builtin_trap();
    }
    return 0;
}
