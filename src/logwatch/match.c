/* The matcher: one line parsed, normalised and run through the signature
 * database, with each rule's conditions and PCRE2 confirmation applied. One
 * per thread: it owns the Hyperscan scratch and its buffers. */
#include "logwatch_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIELD_CACHE 4096         /* user agents and referers repeat: their results are remembered */
#define FIELD_ARENA (256u << 10) /* each field's remembered texts, written round a ring */
#define FIELD_KEY   1024u        /* longer fields are not remembered */
#define BATCH_BYTES (64u << 10)  /* requests matched together by lw_match_flush, at most */
#define BATCH_LINES 4096u

enum scan_field { S_URI, S_UA, S_REFERER, S_METHOD };

const char *const lw_default_login[] = {
    "/login",           "/login.php",      "/login.jsp", "/user/login",   "/admin/login",
    "/admin/login.php", "/admin.php",      "/signin",    "/wp-login.php", "/index.php/login",
    "/seeyon/main.do",  "/logincheck.php", NULL,
};

uint64_t lw_seed_value;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_draw(void)
{
    fs_random(&lw_seed_value, sizeof(lw_seed_value));
}

void lw_seed_init(void)
{
    pthread_once(&seed_once, seed_draw);
}

struct field_slot {
    uint64_t hash;
    uint64_t at; /* where its text was written in the ring, counting every byte ever written */
    uint32_t len;
    uint16_t nhits;
    uint16_t hits[4];
};

/* A line whose request waits for lw_match_flush. */
struct pending {
    struct lw_line *out;
    uint64_t hash;    /* of the request, for the cache */
    uint32_t at, len; /* the request, in the batch */
    uint32_t qpos;    /* where its query starts */
    uint8_t touched;  /* the batch scan matched in it */
    uint8_t flagged;  /* ... with a rule the line may keep */
};

struct lw_matcher {
    const struct lw_rules *rs;
    hs_scratch_t *scratch;
    struct crs_scratch *crs;
    char *crsbuf; /* a line's fields unescaped for the Core Rule Set */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    char *norm;   /* the normalised URI */
    char *unesc;  /* the parser's scratch */
    char **login; /* sign-in paths, without query */
    size_t *login_len;
    int nlogin;
    uint64_t *new_scripts; /* path hashes */
    size_t nnew, capnew;
    struct field_slot *cache[3]; /* by enum scan_field: request, user agent, referer */
    char *ring[3];               /* the texts of the slots, FIELD_ARENA bytes each */
    uint64_t ring_at[3];         /* bytes ever written into each ring */
    char *batch;                 /* the requests waiting, each followed by a newline */
    size_t nbatch;
    struct pending *pend; /* their lines, in order */
    size_t npend;
    size_t calls, budget; /* the batch scan's matches, and how many it may report */
    /* the line and the field being matched */
    struct lw_line *cur;
    enum scan_field field;
    size_t qpos;                    /* where the URI's query starts */
    uint16_t raw[LW_LINE_HITS_MAX]; /* the field's hits, before the rules' conditions */
    int nraw;
};

int lw_matcher_new(const struct lw_rules *rs, struct lw_matcher **out, struct err *e)
{
    *out = NULL;
    lw_seed_init();
    struct lw_matcher *m = calloc(1, sizeof(*m));
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    m->rs = rs;
    m->norm = malloc(LW_LINE_MAX + 1);
    m->unesc = malloc(LW_LINE_MAX + 1);
    m->batch = malloc(BATCH_BYTES);
    m->pend = malloc(BATCH_LINES * sizeof(*m->pend));
    m->md = pcre2_match_data_create(4, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        m->cache[i] = calloc(FIELD_CACHE, sizeof(*m->cache[i]));
        m->ring[i] = malloc(FIELD_ARENA);
        if (!m->cache[i] || !m->ring[i])
            rc = ERR_NOMEM;
    }
    if (rc || !m->norm || !m->unesc || !m->batch || !m->pend || !m->md || !m->mctx)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    /* A confirming pattern may backtrack badly on a hostile line: bounded. */
    if (!rc) {
        pcre2_set_match_limit(m->mctx, 200000);
        pcre2_set_depth_limit(m->mctx, 2000);
    }
    if (!rc && ((rs->db && hs_alloc_scratch(rs->db, &m->scratch) != HS_SUCCESS) ||
                (rs->batch && hs_alloc_scratch(rs->batch, &m->scratch) != HS_SUCCESS)))
        rc = err_set(e, ERR_NOMEM, "cannot allocate the matcher's scratch space");
    if (!rc && rs->crs && !(m->crsbuf = malloc(LW_LINE_MAX)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc && rs->crs)
        rc = crs_scratch_new(rs->crs, &m->crs, e);
    if (rc) {
        lw_matcher_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void lw_matcher_free(struct lw_matcher *m)
{
    if (!m)
        return;
    if (m->scratch)
        hs_free_scratch(m->scratch);
    crs_scratch_free(m->crs);
    free(m->crsbuf);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    for (int i = 0; i < m->nlogin; i++)
        free(m->login[i]);
    free(m->login);
    free(m->login_len);
    free(m->new_scripts);
    free(m->norm);
    free(m->unesc);
    free(m->batch);
    free(m->pend);
    for (int i = 0; i < 3; i++) {
        free(m->cache[i]);
        free(m->ring[i]);
    }
    free(m);
}

int lw_matcher_set_login(struct lw_matcher *m, const char *const *paths, int n, struct err *e)
{
    char **v = calloc(n > 0 ? (size_t)n : 1, sizeof(*v));
    size_t *len = calloc(n > 0 ? (size_t)n : 1, sizeof(*len));
    if (!v || !len) {
        free(v);
        free(len);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        if (!(v[i] = strdup(paths[i]))) {
            while (i--)
                free(v[i]);
            free(v);
            free(len);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        char *q = strchr(v[i], '?');
        if (q)
            *q = '\0';
        len[i] = strlen(v[i]);
    }
    for (int i = 0; i < m->nlogin; i++)
        free(m->login[i]);
    free(m->login);
    free(m->login_len);
    m->login = v;
    m->login_len = len;
    m->nlogin = n;
    return 0;
}

int lw_matcher_add_new_script(struct lw_matcher *m, const char *path, struct err *e)
{
    if (m->nnew == m->capnew) {
        size_t cap = m->capnew ? m->capnew * 2 : 64;
        if (cap > 1u << 20)
            return err_set(e, ERR_TOOBIG, "more than %u new scripts remembered", 1u << 20);
        uint64_t *v = realloc(m->new_scripts, cap * sizeof(*v));
        if (!v)
            return err_set(e, ERR_NOMEM, "out of memory");
        m->new_scripts = v;
        m->capnew = cap;
    }
    m->new_scripts[m->nnew++] = lw_hash(path, strlen(path));
    return 0;
}

static int is_new_script(const struct lw_matcher *m, uint64_t h)
{
    for (size_t i = 0; i < m->nnew; i++)
        if (m->new_scripts[i] == h)
            return 1;
    return 0;
}

/* A line's hits are each field's hits that stand, in the order request,
 * user agent, referer, method, each rule once, the first LW_LINE_HITS_MAX of
 * them. A field's own hits are collected first (raw, at most
 * LW_LINE_HITS_MAX), then kept or not (keep). */
static int has(const uint16_t *v, int n, unsigned id)
{
    for (int i = 0; i < n; i++)
        if (v[i] == id)
            return 1;
    return 0;
}

static void add_hit(struct lw_matcher *m, unsigned id)
{
    if (m->nraw < LW_LINE_HITS_MAX && !has(m->raw, m->nraw, id))
        m->raw[m->nraw++] = (uint16_t)id;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)from;
    (void)flags;
    struct lw_matcher *m = ctx;
    unsigned f = m->rs->v[id].fields;
    int ok = 0;
    switch (m->field) {
    /* A path rule's match may end on the query's '?' (its '$'), no later. */
    case S_URI:
        ok = (f & LW_F_URI) || ((f & LW_F_PATH) && to <= m->qpos + 1);
        break;
    case S_UA:
        ok = (f & LW_F_UA) != 0;
        break;
    case S_REFERER:
        ok = (f & LW_F_REFERER) != 0;
        break;
    case S_METHOD:
        ok = (f & LW_F_METHOD) != 0;
        break;
    }
    if (ok)
        add_hit(m, id);
    return 0;
}

/* The field's raw hits. */
static void scan(struct lw_matcher *m, enum scan_field field, const char *p, size_t n)
{
    m->field = field;
    m->nraw = 0;
    if (p && n > 0 && m->rs->db)
        hs_scan(m->rs->db, p, (unsigned)n, 0, m->scratch, on_match, m);
}

/* A request's, user agent's or referer's hits, from the cache when it was
 * seen before: portals serve the same pages, and clients send the same
 * agents, over and over. A field's raw hits depend on it alone (a request's
 * query start included), so a cached result is exact. The slot keeps the
 * field itself and a hit compares it whole: lw_hash is fast, not
 * collision-proof, and an attack that hashed like a benign request seen
 * before must not inherit its empty result. Sets the raw hits and returns 1
 * when found. */
static int cache_get(struct lw_matcher *m, enum scan_field field, uint64_t h, const char *p,
                     size_t n)
{
    struct field_slot *s = &m->cache[field][h % FIELD_CACHE];
    /* The text is still there unless the ring has come round over it. */
    if (s->hash != h || s->len != n || m->ring_at[field] - s->at > FIELD_ARENA ||
        memcmp(m->ring[field] + s->at % FIELD_ARENA, p, n) != 0)
        return 0;
    m->field = field;
    m->nraw = s->nhits;
    memcpy(m->raw, s->hits, s->nhits * sizeof(m->raw[0]));
    return 1;
}

/* Remembers a field's raw hits, when they are few and all there. */
static void cache_put(struct lw_matcher *m, enum scan_field field, uint64_t h, const char *p,
                      size_t n, const uint16_t *hits, int got)
{
    if (got > 4 || n > FIELD_KEY)
        return;
    uint64_t at = m->ring_at[field];
    if (at % FIELD_ARENA + n > FIELD_ARENA) /* not across the ring's end: from its start */
        at += FIELD_ARENA - at % FIELD_ARENA;
    memcpy(m->ring[field] + at % FIELD_ARENA, p, n);
    m->ring_at[field] = at + n;
    struct field_slot *s = &m->cache[field][h % FIELD_CACHE];
    s->at = at;
    s->hash = h;
    s->len = (uint32_t)n;
    s->nhits = (uint16_t)got;
    for (int i = 0; i < got; i++)
        s->hits[i] = hits[i];
}

/* The field's raw hits, scanned, and remembered when all there. */
static void scan_remember(struct lw_matcher *m, enum scan_field field, uint64_t h, const char *p,
                          size_t n)
{
    scan(m, field, p, n);
    if (m->nraw < LW_LINE_HITS_MAX)
        cache_put(m, field, h, p, n, m->raw, m->nraw);
}

/* The field's raw hits, from the cache or scanned. */
static void scan_cached(struct lw_matcher *m, enum scan_field field, uint64_t h, const char *p,
                        size_t n)
{
    if (!cache_get(m, field, h, p, n))
        scan_remember(m, field, h, p, n);
}

static int absent(const char *p, size_t n)
{
    return !p || n == 0 || (n == 1 && p[0] == '-');
}

/* The rule's conditions on the line's status, method and path (among the
 * guard's new scripts). */
static int line_allows(const struct lw_matcher *m, const struct lw_rule *rule,
                       const struct lw_line *l)
{
    if (rule->status_lo && (l->status < rule->status_lo || l->status > rule->status_hi))
        return 0;
    return !(rule->method_post && !l->is_post) &&
           !(rule->new_script && !is_new_script(m, l->path_hash));
}

/* Whether the rule's raw hit on field text p stands: the rule's conditions,
 * then its confirmation on that text (a path rule's on the path). */
static int stands(struct lw_matcher *m, unsigned id, const char *p, size_t n)
{
    const struct lw_rule *rule = &m->rs->v[id];
    if (!line_allows(m, rule, m->cur))
        return 0;
    pcre2_code *c = m->rs->confirm[id];
    if (!c)
        return 1;
    if (m->field == S_URI && !(rule->fields & LW_F_URI))
        n = m->qpos;
    return pcre2_match(c, (PCRE2_SPTR)p, n, 0, 0, m->md, m->mctx) >= 0;
}

/* Adds the raw hits of field text p that stand and are not in v yet, while
 * v has room. */
static void keep(struct lw_matcher *m, const char *p, size_t n, uint16_t *v, int *nv, int cap)
{
    for (int i = 0; i < m->nraw && *nv < cap; i++)
        if (!has(v, *nv, m->raw[i]) && stands(m, m->raw[i], p, n))
            v[(*nv)++] = m->raw[i];
}

/* Appends other[0..nother) to the line's hits, but those it has, while it has room. */
static void append_other(struct lw_line *l, const uint16_t *other, int nother)
{
    for (int i = 0; i < nother && l->nhits < LW_LINE_HITS_MAX; i++)
        if (!has(l->hits, l->nhits, other[i]))
            l->hits[l->nhits++] = other[i];
}

/* The Core Rule Set's rules on what the line holds of the request: named
 * when their anomaly scores reach CRS's threshold, as CRS blocks. */
static void crs_line(struct lw_matcher *m, const struct lw_record *r, uint16_t *v, int *nv, int cap)
{
    /* What the client sent: the log's own escaping undone (into one buffer:
     * the three fields together are at most a line). */
    const char *f[3] = {NULL, NULL, NULL};
    size_t fn[3] = {0, 0, 0}, used = 0;
    static const int idx[3] = {LW_URI, LW_UA, LW_REFERER};
    for (int k = 0; k < 3; k++) {
        const struct lw_span *sp = &r->f[idx[k]];
        if (!sp->p || (k && absent(sp->p, sp->n)))
            continue;
        f[k] = sp->p;
        fn[k] = sp->n;
        if (memchr(sp->p, '\\', sp->n) && used + sp->n <= LW_LINE_MAX) {
            f[k] = m->crsbuf + used;
            fn[k] = lw_unescape_log(sp->p, sp->n, m->crsbuf + used);
            used += fn[k];
        }
    }
    struct crs_request q = {
        .method = r->f[LW_METHOD].p,
        .method_n = r->f[LW_METHOD].p ? r->f[LW_METHOD].n : 0,
        .uri = f[0],
        .uri_n = fn[0],
        .protocol = r->f[LW_PROTOCOL].p,
        .protocol_n = r->f[LW_PROTOCOL].p ? r->f[LW_PROTOCOL].n : 0,
        .ua = f[1],
        .ua_n = fn[1],
        .referer = f[2],
        .referer_n = fn[2],
    };
    uint16_t hit[LW_LINE_HITS_MAX];
    int score;
    int n = crs_match(m->rs->crs, m->crs, &q, hit, LW_LINE_HITS_MAX, &score);
    if (score < CRS_THRESHOLD)
        return;
    for (int i = 0; i < n && *nv < cap; i++)
        v[(*nv)++] = (uint16_t)(m->rs->crs_base + hit[i]);
}

/* Parses the line and matches it; when defer is set and the batch has room,
 * its request waits for lw_match_flush. */
static void match_line(struct lw_matcher *m, const struct lw_format *f, const char *line, size_t n,
                       uint64_t number, struct lw_line *out, int defer)
{
    lw_zero(out, sizeof(*out));
    out->text = line;
    out->len = (uint32_t)(n < UINT32_MAX ? n : UINT32_MAX);
    out->number = number;
    out->bytes = -1;
    struct lw_record r;
    if (lw_parse(f, line, n, &r, m->unesc, NULL) != 0)
        return;
    out->parsed = 1;
    /* Field by field: the parser stored the span's two halves apart, and
     * one 16-byte load of both cannot be forwarded from them: it waits for
     * every store before it to reach the cache (a sixth of this function's
     * time). */
    const char *client = r.f[LW_CLIENT].p;
    size_t client_n = r.f[LW_CLIENT].n;
    out->client.p = client;
    out->client.n = client_n;
    out->client_hash = client ? lw_hash(client, client_n) : 0;
    out->time_ms = r.time_ms;
    out->status = r.status;
    out->bytes = r.bytes;
    out->is_post = r.f[LW_METHOD].n == 4 && memcmp(r.f[LW_METHOD].p, "POST", 4) == 0;

    const char *uri = r.f[LW_URI].p;
    size_t urin = r.f[LW_URI].n;
    size_t nn = uri ? lw_normalise(uri, urin, m->norm, LW_LINE_MAX) : (size_t)-1;
    if (nn != (size_t)-1) {
        uri = m->norm;
        urin = nn;
    }
    const char *q = uri ? memchr(uri, '?', urin) : NULL;
    m->qpos = q ? (size_t)(q - uri) : urin;
    out->path_hash = uri ? lw_hash(uri, m->qpos) : 0;
    for (int i = 0; i < m->nlogin && uri; i++)
        if (m->login_len[i] == m->qpos && strncasecmp(m->login[i], uri, m->qpos) == 0)
            out->is_login = 1;
    m->cur = out;

    /* The other fields' hits first, kept aside. */
    uint16_t other[3 * LW_LINE_HITS_MAX];
    int nother = 0;
    static const enum scan_field fields[] = {S_UA, S_REFERER};
    static const int index[] = {LW_UA, LW_REFERER};
    for (int k = 0; k < 2; k++) {
        const struct lw_span *s = &r.f[index[k]];
        if (absent(s->p, s->n))
            continue;
        scan_cached(m, fields[k], lw_hash(s->p, s->n), s->p, s->n);
        keep(m, s->p, s->n, other, &nother, 3 * LW_LINE_HITS_MAX);
    }
    if (m->rs->crs)
        crs_line(m, &r, other, &nother, 3 * LW_LINE_HITS_MAX);
    if (m->rs->any_method) {
        scan(m, S_METHOD, r.f[LW_METHOD].p, r.f[LW_METHOD].n);
        keep(m, r.f[LW_METHOD].p, r.f[LW_METHOD].n, other, &nother, 3 * LW_LINE_HITS_MAX);
    }

    if (absent(uri, urin)) {
        append_other(out, other, nother);
        return;
    }
    uint64_t h = lw_hash(uri, urin);
    int cached = cache_get(m, S_URI, h, uri, urin);
    /* Waiting, the other fields' hits are kept in the line's: they must fit. */
    if (!cached && defer && m->rs->batch && urin < BATCH_BYTES && nother <= LW_LINE_HITS_MAX) {
        uint32_t qpos = (uint32_t)m->qpos; /* a flush sets it for other lines */
        if (m->nbatch + urin + 1 > BATCH_BYTES || m->npend == BATCH_LINES)
            lw_match_flush(m);
        memcpy(m->batch + m->nbatch, uri, urin);
        m->pend[m->npend++] = (struct pending){
            .out = out, .hash = h, .at = (uint32_t)m->nbatch, .len = (uint32_t)urin, .qpos = qpos};
        m->nbatch += urin;
        m->batch[m->nbatch++] = '\n';
        memcpy(out->hits, other, (size_t)nother * sizeof(other[0]));
        out->nhits = (uint16_t)nother;
        return;
    }
    if (!cached)
        scan_remember(m, S_URI, h, uri, urin);
    int k = 0;
    keep(m, uri, urin, out->hits, &k, LW_LINE_HITS_MAX);
    out->nhits = (uint16_t)k;
    append_other(out, other, nother);
}

void lw_match_line(struct lw_matcher *m, const struct lw_format *f, const char *line, size_t n,
                   uint64_t number, struct lw_line *out)
{
    match_line(m, f, line, n, number, out, 0);
}

void lw_match_line_deferred(struct lw_matcher *m, const struct lw_format *f, const char *line,
                            size_t n, uint64_t number, struct lw_line *out)
{
    match_line(m, f, line, n, number, out, 1);
}

/* The batch scan's match: flags the request it ends in (or the newline
 * after it) when the line may keep the rule: a path rule ending before the
 * query, the line's status and method as the rule wants. A pattern may
 * match at every byte after some point; past the budget the scan stops and
 * every request is matched alone. */
static int on_batch_match(unsigned id, unsigned long long from, unsigned long long to,
                          unsigned flags, void *ctx)
{
    (void)from;
    (void)flags;
    struct lw_matcher *m = ctx;
    size_t lo = 0, hi = m->npend; /* the last request starting before to */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pend[mid].at < to)
            lo = mid;
        else
            hi = mid;
    }
    struct pending *p = &m->pend[lo];
    const struct lw_rule *rule = &m->rs->v[id];
    p->touched = 1;
    if (!p->flagged && ((rule->fields & LW_F_URI) || to - p->at <= (uint64_t)p->qpos + 1))
        p->flagged = (uint8_t)line_allows(m, rule, p->out);
    return ++m->calls > m->budget;
}

/* A waiting request matched alone: its hits go before the other fields'. */
static void finish(struct lw_matcher *m, const struct pending *p)
{
    struct lw_line *l = p->out;
    uint16_t other[LW_LINE_HITS_MAX];
    int nother = l->nhits;
    memcpy(other, l->hits, sizeof(other));
    const char *uri = m->batch + p->at;
    m->cur = l;
    m->qpos = p->qpos;
    scan_remember(m, S_URI, p->hash, uri, p->len);
    int k = 0;
    keep(m, uri, p->len, l->hits, &k, LW_LINE_HITS_MAX);
    l->nhits = (uint16_t)k;
    append_other(l, other, nother);
}

void lw_match_flush(struct lw_matcher *m)
{
    if (!m->npend)
        return;
    m->calls = 0;
    m->budget = 4 * m->npend + 64;
    int all = hs_scan(m->rs->batch, m->batch, (unsigned)m->nbatch, 0, m->scratch, on_batch_match,
                      m) != HS_SUCCESS;
    for (size_t i = 0; i < m->npend; i++) {
        struct pending *p = &m->pend[i];
        if (all || p->flagged)
            finish(m, p);
        else if (!p->touched) /* a match the line cannot keep may stand on another's */
            cache_put(m, S_URI, p->hash, m->batch + p->at, p->len, NULL, 0);
    }
    m->npend = 0;
    m->nbatch = 0;
}
