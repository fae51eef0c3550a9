/* Reading a whole log. Workers (one per core) split it into lines and match
 * them; the calling thread analyses the matched lines in their order (the
 * behaviour detectors need it) meanwhile. A plain file is read by the
 * workers themselves, a chunk at a time; gzip and pipes are read here through
 * zlib, a block at a time, and each block is cut into one range per worker. */
#include "logwatch_int.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK_BYTES (4u << 20)
#define WORKERS_MAX 64

/* A buffer for a plain file's chunk, kept from chunk to chunk. */
struct own {
    char *p;
    size_t cap;
};

/* One worker's share of a block: its lines, matched. */
struct part {
    struct lw_line *lines;
    size_t n, cap;
    int failed; /* out of memory */
};

struct worker {
    struct lw_matcher *m;
    const struct lw_format *f;
    const char *buf;
    size_t from, to; /* a range of whole lines */
    struct part *part;
    pthread_t thread;
};

static struct lw_line *part_next(struct part *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        struct lw_line *v = realloc(p->lines, cap * sizeof(*v));
        if (!v)
            return NULL;
        p->lines = v;
        p->cap = cap;
    }
    return &p->lines[p->n++];
}

/* Splits and matches the lines of b that start in [at, inside) and end
 * before n (the last one may run to n); into the worker's part. A line
 * without its newline before n is too long unless b ends where the input
 * does (complete). Requests are matched in batches: the lines must stay in
 * place until the batch is flushed, so it is before the part grows. */
static void match_lines(struct worker *w, const char *b, size_t at, size_t inside, size_t n,
                        int complete)
{
    struct part *p = w->part;
    while (at < inside && at < n) {
        const char *nl = memchr(b + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - b) : n;
        if (p->n == p->cap)
            lw_match_flush(w->m);
        struct lw_line *l = part_next(p);
        if (!l) {
            p->failed = 1;
            break;
        }
        if (end - at > LW_LINE_MAX || (!nl && !complete)) /* too long: skipped, counted */
            *l = (struct lw_line){.text = b + at, .len = LW_LINE_MAX};
        else
            lw_match_line_deferred(w->m, w->f, b + at, end - at, 0, l);
        at = end + 1;
    }
    lw_match_flush(w->m);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    w->part->n = 0;
    w->part->failed = 0;
    match_lines(w, w->buf, w->from, w->to, w->to, 1);
    return NULL;
}

/* Reads n bytes at off (fewer at the end, or when the file shrank). */
static size_t read_at(int fd, char *p, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, p + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

struct scan {
    const struct lw_scan_opts *o;
    struct lw_analysis *a;
    struct worker w[WORKERS_MAX];
    int nw;
    struct part parts[2][WORKERS_MAX]; /* the block being matched, the one analysed */
    int slot;                          /* parts[slot] is filled next */
    int pending;                       /* parts[slot ^ 1] waits for its analysis */
    const char *pending_buf;           /* the block its lines are in */
    uint64_t number;                   /* lines so far */
    int failed;
};

/* Analyses one worker's lines, in line order. */
static void analyse(struct scan *s, struct part *p)
{
    const struct lw_rule *rules[LW_LINE_HITS_MAX + 8];
    s->failed |= p->failed;
    for (size_t i = 0; i < p->n; i++) {
        struct lw_line *l = &p->lines[i];
        if (i + 8 < p->n)
            lw_analysis_prefetch(s->a, &p->lines[i + 8]);
        l->number = ++s->number;
        int n = lw_analysis_add(s->a, l, rules, LW_LINE_HITS_MAX + 8);
        if (n > 0 && s->o->on_hit)
            s->o->on_hit(s->o->ctx, l, rules, n);
    }
}

/* Analyses the block waiting, if any. */
static void drain(struct scan *s)
{
    if (!s->pending)
        return;
    s->pending = 0;
    for (int k = 0; k < s->nw; k++)
        analyse(s, &s->parts[s->slot ^ 1][k]);
}

/* Matches the whole lines of buf[from..upto) on the workers while the block
 * before is analysed here; this one then waits for its turn. */
static void run_block(struct scan *s, const char *buf, size_t from, size_t upto)
{
    int nw = upto - from < 64 * 1024 ? 1 : s->nw;
    int started[WORKERS_MAX] = {0};
    size_t at = from;
    for (int k = 0; k < s->nw; k++) {
        struct worker *w = &s->w[k];
        size_t to = k == nw - 1 ? upto : from + (upto - from) * (size_t)(k + 1) / (size_t)nw;
        if (k >= nw) {
            to = at;
        } else if (to < upto) {
            const char *nl = memchr(buf + to, '\n', upto - to);
            to = nl ? (size_t)(nl - buf) + 1 : upto;
        }
        *w = (struct worker){.m = w->m,
                             .f = s->o->format,
                             .buf = buf,
                             .from = at,
                             .to = to > at ? to : at,
                             .part = &s->parts[s->slot][k]};
        at = w->to;
        started[k] = k < nw && pthread_create(&w->thread, NULL, work, w) == 0;
    }
    drain(s);
    for (int k = 0; k < s->nw; k++) {
        if (started[k])
            pthread_join(s->w[k].thread, NULL);
        else
            work(&s->w[k]); /* no thread: done here */
    }
    s->pending = 1;
    s->pending_buf = buf;
    s->slot ^= 1;
}

/* ---- a plain file ---------------------------------------------------------
 * The workers read it themselves, CHUNK bytes at a time: each takes the next
 * chunk, reads it into its slot of a ring and matches the lines that start
 * in it, while this thread analyses the chunks in order as they are done. A
 * worker that finishes early takes the next chunk rather than waiting for
 * the others, and only the last chunk's analysis is left when the workers
 * stop. */

#define CHUNK       (512u << 10)
#define RING_CHUNKS 4 /* ring slots per worker: how far matching may run ahead */

struct chunk {
    uint64_t index; /* the chunk it holds or is to hold: slot k takes k, k + ring, … */
    int done;       /* matched, waiting for its analysis */
    struct part part;
    struct own own;
};

/* The reading of a plain file, shared by its workers. */
struct plain {
    const struct lw_format *f;
    int fd;
    uint64_t size, nchunks, next; /* next: the first chunk no worker has taken */
    struct chunk *ring;
    size_t nring;
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a chunk done, or a slot freed */
};

/* Reads chunk c's bytes, one byte before them (to see whether a line starts
 * at its start) and enough after them to finish its last line, then splits
 * and matches the lines that start inside. Copying into a buffer of its own
 * leaves the lines in this core's cache for the matching. */
static void chunk_match(struct plain *pp, struct lw_matcher *m, struct chunk *c)
{
    struct part *p = &c->part;
    p->n = 0;
    p->failed = 0;
    uint64_t r0 = c->index * CHUNK, r1 = r0 + CHUNK < pp->size ? r0 + CHUNK : pp->size;
    uint64_t s0 = r0 ? r0 - 1 : 0;
    uint64_t want = r1 - s0 + LW_LINE_MAX + 1;
    if (s0 + want > pp->size)
        want = pp->size - s0;
    if (c->own.cap < want + 1) {
        char *v = realloc(c->own.p, want + 1);
        if (!v) {
            p->failed = 1;
            return;
        }
        c->own.p = v;
        c->own.cap = want + 1;
    }
    size_t n = want ? read_at(pp->fd, c->own.p, (size_t)want, s0) : 0;
    const char *b = c->own.p;
    size_t at = 0, inside = (size_t)(r1 - s0); /* lines start before inside */
    if (r0) {
        const char *nl = memchr(b, '\n', n < inside ? n : inside);
        if (!nl)
            return; /* a line from before runs through the whole chunk */
        at = (size_t)(nl - b) + 1;
    }
    /* No newline in the look-ahead is a line too long, unless it is the
     * file's end. */
    struct worker w = {.m = m, .f = pp->f, .part = p};
    match_lines(&w, b, at, inside, n, s0 + n >= pp->size);
}

/* Takes the next chunk once its slot is free; NULL when none is left. */
static struct chunk *chunk_take(struct plain *pp)
{
    pthread_mutex_lock(&pp->mu);
    struct chunk *c = NULL;
    if (pp->next < pp->nchunks) {
        uint64_t i = pp->next++;
        c = &pp->ring[i % pp->nring];
        while (c->index != i)
            pthread_cond_wait(&pp->changed, &pp->mu);
    }
    pthread_mutex_unlock(&pp->mu);
    return c;
}

static void chunk_done(struct plain *pp, struct chunk *c)
{
    pthread_mutex_lock(&pp->mu);
    c->done = 1;
    pthread_cond_broadcast(&pp->changed);
    pthread_mutex_unlock(&pp->mu);
}

struct plain_worker {
    struct plain *pp;
    struct lw_matcher *m;
};

static void *plain_work(void *arg)
{
    struct plain_worker *w = arg;
    struct chunk *c;
    while ((c = chunk_take(w->pp)) != NULL) {
        chunk_match(w->pp, w->m, c);
        chunk_done(w->pp, c);
    }
    return NULL;
}

static int scan_plain(struct scan *s, int fd, uint64_t size)
{
    struct plain pp = {.f = s->o->format,
                       .fd = fd,
                       .size = size,
                       .nchunks = (size + CHUNK - 1) / CHUNK,
                       .nring = (size_t)s->nw * RING_CHUNKS};
    pp.ring = calloc(pp.nring, sizeof(*pp.ring));
    if (!pp.ring)
        return ERR_NOMEM;
    for (size_t k = 0; k < pp.nring; k++)
        pp.ring[k].index = k;
    pthread_mutex_init(&pp.mu, NULL);
    pthread_cond_init(&pp.changed, NULL);
    struct plain_worker pw[WORKERS_MAX];
    int started[WORKERS_MAX] = {0}, nstarted = 0;
    for (int k = 0; k < s->nw; k++) {
        pw[k] = (struct plain_worker){.pp = &pp, .m = s->w[k].m};
        started[k] = pthread_create(&s->w[k].thread, NULL, plain_work, &pw[k]) == 0;
        nstarted += started[k];
    }
    for (uint64_t i = 0; i < pp.nchunks; i++) {
        struct chunk *c = &pp.ring[i % pp.nring];
        if (!nstarted) { /* no thread: matched here */
            chunk_take(&pp);
            chunk_match(&pp, s->w[0].m, c);
        } else {
            pthread_mutex_lock(&pp.mu);
            while (!c->done)
                pthread_cond_wait(&pp.changed, &pp.mu);
            pthread_mutex_unlock(&pp.mu);
        }
        analyse(s, &c->part);
        pthread_mutex_lock(&pp.mu);
        c->done = 0;
        c->index = i + pp.nring;
        pthread_cond_broadcast(&pp.changed);
        pthread_mutex_unlock(&pp.mu);
    }
    for (int k = 0; k < s->nw; k++)
        if (started[k])
            pthread_join(s->w[k].thread, NULL);
    pthread_cond_destroy(&pp.changed);
    pthread_mutex_destroy(&pp.mu);
    for (size_t k = 0; k < pp.nring; k++) {
        free(pp.ring[k].part.lines);
        free(pp.ring[k].own.p);
    }
    free(pp.ring);
    return s->failed ? ERR_NOMEM : 0;
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
    s.number = lw_analysis_lines(a); /* numbers run on across files */
    char *bufs[2] = {malloc(BLOCK_BYTES), malloc(BLOCK_BYTES)};
    int rc = 0, nlogin = 0, nb = 0; /* nb: the block being filled */
    if (!bufs[0] || !bufs[1])
        rc = err_set(e, ERR_NOMEM, "out of memory");
    while (o->login && o->login[nlogin])
        nlogin++;
    for (int k = 0; !rc && k < s.nw; k++) {
        rc = lw_matcher_new(o->rules, &s.w[k].m, e);
        if (!rc)
            rc = lw_matcher_set_login(s.w[k].m, o->login, nlogin, e);
        for (int i = 0; !rc && o->new_scripts && o->new_scripts[i]; i++)
            rc = lw_matcher_add_new_script(s.w[k].m, o->new_scripts[i], e);
    }
    /* A plain file (not gzip, not a pipe) is read by the workers. */
    struct stat st;
    unsigned char magic[2] = {0};
    if (!rc && !is_stdin && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_size < 2 ||
         (pread(fd, magic, 2, 0) == 2 && !(magic[0] == 0x1f && magic[1] == 0x8b)))) {
        if (scan_plain(&s, fd, (uint64_t)st.st_size) != 0)
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    size_t have = 0;  /* bytes in bufs[nb] */
    int skipping = 0; /* inside a line longer than a block */
    int eof = 0;
    while (!rc && !eof) {
        char *buf = bufs[nb];
        int got = gzread(gz, buf + have, (unsigned)(BLOCK_BYTES - have));
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(gz, &zerr);
            rc = err_set(e, ERR_INPUT, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : msg);
            got = 0; /* what came before is still analysed */
        }
        eof = got == 0;
        have += (size_t)got;
        size_t upto = have, at = 0; /* whole lines end before upto */
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
            drain(&s);
            lw_analysis_add(a, &(struct lw_line){.number = ++s.number}, NULL, 0);
        }
        if (!eof && upto <= at && have == BLOCK_BYTES) {
            skipping = 1; /* one line fills the block */
            have = 0;
            continue;
        }
        if (at < upto)
            run_block(&s, buf, at, upto);
        /* The incomplete tail moves to the other block; lines of it still
         * waiting are analysed first. */
        nb ^= 1;
        if (s.pending && s.pending_buf == bufs[nb])
            drain(&s);
        memcpy(bufs[nb], buf + upto, have - upto);
        have -= upto;
    }
    drain(&s);
    if (!rc && s.failed)
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
    if (!rc) {
        int zerr;
        const char *msg = gzerror(gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END)
            rc = err_set(e, ERR_INPUT, "%s: %s", path, msg);
    }
out:
    gzclose(gz);
    for (int k = 0; k < s.nw; k++)
        lw_matcher_free(s.w[k].m);
    for (int k = 0; k < 2; k++) {
        free(bufs[k]);
        for (int j = 0; j < WORKERS_MAX; j++)
            free(s.parts[k][j].lines);
    }
    return rc;
}
