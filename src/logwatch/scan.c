/* Reading a whole log: blocks of lines matched on every core, then analysed
 * in order on one (the behaviour detectors need the lines' order). Plain and
 * gzip files alike go through zlib, which passes plain data straight on. */
#include "logwatch_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK_BYTES (8u << 20)
#define WORKERS_MAX 64

struct worker {
    struct lw_matcher *m;
    const struct lw_format *f;
    const char *buf;
    const uint32_t *start, *len; /* the block's lines */
    struct lw_line *out;
    size_t from, to;
    uint64_t first_number;
    pthread_t thread;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (size_t i = w->from; i < w->to; i++) {
        if (w->len[i] == UINT32_MAX) { /* too long: skipped */
            memset(&w->out[i], 0, sizeof(w->out[i]));
            w->out[i].number = w->first_number + i;
            continue;
        }
        lw_match_line(w->m, w->f, w->buf + w->start[i], w->len[i], w->first_number + i,
                      &w->out[i]);
    }
    return NULL;
}

struct scan {
    const struct lw_scan_opts *o;
    struct lw_analysis *a;
    struct worker w[WORKERS_MAX];
    int nw;
    uint32_t *start, *len;
    struct lw_line *lines;
    size_t cap;
    uint64_t number; /* lines so far */
};

static void analyse(struct scan *s, const char *buf, size_t n)
{
    int nw = s->nw;
    if (n < 256)
        nw = 1; /* not worth a thread */
    for (int k = 0; k < nw; k++) {
        struct worker *w = &s->w[k];
        w->f = s->o->format;
        w->buf = buf;
        w->start = s->start;
        w->len = s->len;
        w->out = s->lines;
        w->first_number = s->number + 1;
        w->from = n * (size_t)k / (size_t)nw;
        w->to = n * (size_t)(k + 1) / (size_t)nw;
        if (k > 0 && pthread_create(&w->thread, NULL, work, w) != 0)
            w->to = w->from = 0, s->w[0].to = n; /* do it here instead */
    }
    work(&s->w[0]);
    for (int k = 1; k < nw; k++)
        if (s->w[k].to > s->w[k].from)
            pthread_join(s->w[k].thread, NULL);
    const struct lw_rule *rules[LW_LINE_HITS_MAX + 8];
    for (size_t i = 0; i < n; i++) {
        int k = lw_analysis_add(s->a, &s->lines[i], rules, LW_LINE_HITS_MAX + 8);
        if (k > 0 && s->o->on_hit)
            s->o->on_hit(s->o->ctx, &s->lines[i], rules, k);
    }
    s->number += n;
}

/* Collects up to s->cap lines of buf[*at..upto) (the last one may lack its
 * newline); a line too long is marked for skipping. */
static size_t split(struct scan *s, const char *buf, size_t *at, size_t upto)
{
    size_t n = 0;
    while (*at < upto && n < s->cap) {
        const char *nl = memchr(buf + *at, '\n', upto - *at);
        size_t end = nl ? (size_t)(nl - buf) : upto;
        s->start[n] = (uint32_t)*at;
        s->len[n] = end - *at > LW_LINE_MAX ? UINT32_MAX : (uint32_t)(end - *at);
        n++;
        *at = nl ? end + 1 : upto;
    }
    return n;
}

int lw_scan_file(const char *path, const struct lw_scan_opts *o, struct lw_analysis *a,
                 struct err *e)
{
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open %s", path);
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    gzbuffer(gz, 256 * 1024);
    struct scan s = {.o = o, .a = a};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    s.nw = o->workers > 0 ? o->workers : (int)(cores > 0 ? cores : 1);
    if (s.nw > WORKERS_MAX)
        s.nw = WORKERS_MAX;
    s.cap = 65536; /* lines matched per batch */
    s.number = lw_analysis_lines(a); /* numbers run on across files */
    char *buf = malloc(BLOCK_BYTES);
    s.start = malloc(s.cap * sizeof(*s.start));
    s.len = malloc(s.cap * sizeof(*s.len));
    s.lines = malloc(s.cap * sizeof(*s.lines));
    int rc = 0, nlogin = 0;
    if (!buf || !s.start || !s.len || !s.lines)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (o->login && o->login[nlogin])
        nlogin++;
    for (int k = 0; !rc && k < s.nw; k++) {
        rc = lw_matcher_new(o->rules, &s.w[k].m, e);
        if (!rc)
            rc = lw_matcher_set_login(s.w[k].m, o->login, nlogin, e);
    }
    size_t have = 0;  /* bytes in buf */
    int skipping = 0; /* inside a line longer than a block */
    int eof = 0;
    while (!rc && !eof) {
        int got = gzread(gz, buf + have, (unsigned)(BLOCK_BYTES - have));
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            rc = err_set(e, ERR_INPUT, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : msg);
            got = 0; /* what came before is still analysed */
        }
        eof = got == 0;
        have += (size_t)got;
        size_t upto = have, at = 0; /* complete lines end before upto */
        if (!eof) {
            const char *last = memrchr(buf, '\n', have);
            upto = last ? (size_t)(last - buf) + 1 : 0;
        }
        if (skipping) {
            /* The rest of an over-long line: dropped through its newline,
             * and counted once as skipped. */
            const char *nl = memchr(buf, '\n', have);
            if (!nl && !eof) {
                have = 0;
                continue;
            }
            at = nl ? (size_t)(nl - buf) + 1 : have;
            skipping = 0;
            lw_analysis_add(a, &(struct lw_line){.number = ++s.number}, NULL, 0);
        }
        if (!eof && upto <= at && have == BLOCK_BYTES) {
            skipping = 1; /* one line fills the block */
            have = 0;
            continue;
        }
        while (at < upto) {
            size_t n = split(&s, buf, &at, upto);
            analyse(&s, buf, n);
        }
        memmove(buf, buf + upto, have - upto);
        have -= upto;
    }
    if (!rc) {
        int zerr;
        const char *msg = gzerror(gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END)
            rc = err_set(e, ERR_INPUT, "%s: %s", path, msg);
    }
    gzclose(gz);
    for (int k = 0; k < s.nw; k++)
        lw_matcher_free(s.w[k].m);
    free(buf);
    free(s.start);
    free(s.len);
    free(s.lines);
    return rc;
}
