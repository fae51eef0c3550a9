/* The analysis of one input: behaviour detectors over each client's windows
 * (brute force, scanning, floods), the "possibly successful" judgement, and
 * the aggregation of every hit into detections per rule and client. Times are
 * the log's own, so a file read a week later gives the same answer. */
#include "logwatch_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DETECTIONS_MAX  20000 /* beyond, hits join one "other clients" detection per rule */
#define PATHS_MAX       16384 /* paths whose normal response size is learned */
#define SCAN_WINDOW_MS  60000
#define FLOOD_WINDOW_MS 10000
#define MINUTE_MS       60000
#define LEARN_MINUTES   10 /* minutes of traffic before the overall rate is trusted */
#define CLIENT_WAYS     8  /* clients per set of the client table */
#define CLIENT_SETS_MIN 128
#define CLIENT_SETS_MAX (LW_CLIENTS_MAX / CLIENT_WAYS)

enum { B_BRUTE, B_SCAN, B_FLOOD, B_FLOOD_TOTAL, B_TOOL, B_N };

static const struct lw_rule behaviour[B_N] = {
    {.id = "brute-force-login",
     .category = "network-attack/brute-force",
     .description = "repeated failed or attempted sign-ins from one client",
     .severity = LW_HIGH,
     .source = "built in"},
    {.id = "scan-not-found",
     .category = "network-attack/scanning",
     .description = "many requests for missing pages over many paths from one client",
     .severity = LW_MEDIUM,
     .source = "built in"},
    {.id = "flood-client",
     .category = "network-attack/dos",
     .description = "a request flood from one client",
     .severity = LW_HIGH,
     .source = "built in"},
    {.id = "flood-total",
     .category = "network-attack/dos",
     .description = "all requests far above the learned normal rate",
     .severity = LW_HIGH,
     .source = "built in"},
    {.id = "scan-tool",
     .category = "network-attack/scanning",
     .description = "an automated attack tool: many attack payloads, or many missing pages "
                    "over many paths, from one client within the window, however slowly",
     .severity = LW_MEDIUM,
     .source = "built in"},
};

struct client {
    int64_t last_ms;
    int64_t bf_start, sc_start, fl_start, tl_start;
    uint32_t bf_n, sc_404, sc_paths, fl_n;
    uint32_t tl_attacks, tl_404, tl_paths; /* over the whole window: a tool, however slow */
    uint8_t bf_fired, sc_fired, fl_fired, tl_fired;
    uint64_t sc_seen[4]; /* 256 bits: distinct paths, approximately */
    uint64_t tl_seen[4];
};

struct path_stat {
    uint64_t key;
    uint32_t n;
    double mean, m2;
};

struct det_slot {
    uint64_t key; /* rule and client; 0: empty */
    uint32_t index;
};

struct lw_analysis {
    const struct lw_rules *rs;
    struct lw_settings s;
    uint64_t lines, skipped, evicted;
    uint64_t *ckeys;        /* [nsets * CLIENT_WAYS] the clients' hashes; 0: empty */
    struct client *clients; /* [nsets * CLIENT_WAYS] beside their keys */
    size_t ncl, nsets;
    struct path_stat *paths;
    /* the overall rate */
    int64_t minute;
    uint64_t minute_n;
    double normal;
    int learned;
    int minute_fired;
    /* detections */
    struct lw_detection *det;
    size_t ndet, capdet;
    struct det_slot *slots;
    size_t capslots;
};

void lw_settings_default(struct lw_settings *s)
{
    *s = (struct lw_settings){.window_s = 300,
                              .brute_attempts = 20,
                              .scan_404 = 30,
                              .scan_paths = 20,
                              .flood_client = 300,
                              .flood_factor = 10,
                              .flood_min = 6000,
                              .tool_attacks = 10,
                              .tool_404 = 100};
}

int lw_analysis_new(const struct lw_rules *rs, const struct lw_settings *s,
                    struct lw_analysis **out, struct err *e)
{
    *out = NULL;
    lw_seed_init();
    struct lw_analysis *a = calloc(1, sizeof(*a));
    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    a->rs = rs;
    if (s)
        a->s = *s;
    else
        lw_settings_default(&a->s);
    a->nsets = CLIENT_SETS_MIN;
    a->ckeys = calloc(a->nsets * CLIENT_WAYS, sizeof(*a->ckeys));
    a->clients = calloc(a->nsets * CLIENT_WAYS, sizeof(*a->clients));
    a->paths = calloc(PATHS_MAX, sizeof(*a->paths));
    a->capslots = 1024;
    a->slots = calloc(a->capslots, sizeof(*a->slots));
    if (!a->ckeys || !a->clients || !a->paths || !a->slots) {
        lw_analysis_free(a);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = a;
    return 0;
}

static void free_detections(struct lw_analysis *a)
{
    for (size_t i = 0; i < a->ndet; i++)
        for (int k = 0; k < a->det[i].nsamples; k++)
            free(a->det[i].samples[k]);
    a->ndet = 0;
    memset(a->slots, 0, a->capslots * sizeof(*a->slots));
}

void lw_analysis_free(struct lw_analysis *a)
{
    if (!a)
        return;
    if (a->slots)
        free_detections(a);
    free(a->det);
    free(a->slots);
    free(a->ckeys);
    free(a->clients);
    free(a->paths);
    free(a);
}

uint64_t lw_analysis_lines(const struct lw_analysis *a)
{
    return a->lines;
}

uint64_t lw_analysis_skipped(const struct lw_analysis *a)
{
    return a->skipped;
}

size_t lw_analysis_clients(const struct lw_analysis *a, uint64_t *evicted)
{
    if (evicted)
        *evicted = a->evicted;
    return a->ncl;
}

/* ---- clients ---------------------------------------------------------------- */

/* The clients are kept in sets of CLIENT_WAYS: a client's set is fixed by its
 * hash, its keys share one cache line and its state sits beside them, so a
 * line costs at most eight key compares whatever the number of clients. A
 * newcomer whose set is full doubles the table (each set splits into two, so
 * nothing is lost) up to CLIENT_SETS_MAX sets; past that it takes the slot of
 * a client idle past every window, or else that of the client of least
 * weight in its set: requests in its current
 * windows, a client a detector has fired on above any other. A flood from a
 * million addresses therefore evicts only its own one-request clients, and a
 * client sending many requests (a brute force, a scan, a flood) keeps its
 * slot: the policy of a space-saving heavy-hitter counter, without handing the
 * evicted count to the newcomer (which would make innocent clients look like
 * floods). Memory is capped at CLIENT_SETS_MAX * CLIENT_WAYS clients. */

static struct client *client_slot(struct lw_analysis *a, size_t set, int way)
{
    return &a->clients[set * CLIENT_WAYS + (size_t)way];
}

/* Doubles the table: every client goes to set (key & mask), which is its old
 * set or that plus the old count of sets, so a set never overflows. */
static int clients_grow(struct lw_analysis *a)
{
    size_t sets = a->nsets * 2;
    uint64_t *keys = calloc(sets * CLIENT_WAYS, sizeof(*keys));
    struct client *v = calloc(sets * CLIENT_WAYS, sizeof(*v));
    if (!keys || !v) {
        free(keys);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < a->nsets * CLIENT_WAYS; i++) {
        if (!a->ckeys[i])
            continue;
        size_t set = a->ckeys[i] & (sets - 1);
        int w = 0;
        while (keys[set * CLIENT_WAYS + (size_t)w])
            w++;
        keys[set * CLIENT_WAYS + (size_t)w] = a->ckeys[i];
        v[set * CLIENT_WAYS + (size_t)w] = a->clients[i];
    }
    free(a->ckeys);
    free(a->clients);
    a->ckeys = keys;
    a->clients = v;
    a->nsets = sets;
    return 0;
}

/* What a client's slot is worth keeping: its requests in its windows; more
 * than any count once a detector fired on it. */
static uint64_t client_weight(const struct client *c)
{
    uint64_t w = (uint64_t)c->bf_n + c->sc_404 + c->fl_n + c->tl_attacks;
    if (c->bf_fired || c->sc_fired || c->fl_fired || c->tl_fired)
        w += 1ull << 40;
    return w;
}

static struct client *client_get(struct lw_analysis *a, const struct lw_line *l)
{
    if (!l->client.p || l->client.n == 0)
        return NULL;
    uint64_t key = l->client_hash;
    for (;;) {
        size_t set = key & (a->nsets - 1);
        uint64_t *k = &a->ckeys[set * CLIENT_WAYS];
        int empty = -1, stale = -1;
        int64_t idle = l->time_ms - (int64_t)a->s.window_s * 1000;
        int64_t oldest = INT64_MAX;
        for (int w = 0; w < CLIENT_WAYS; w++) {
            if (k[w] == key)
                return client_slot(a, set, w);
            if (!k[w]) {
                if (empty < 0)
                    empty = w;
            } else if (client_slot(a, set, w)->last_ms < idle &&
                       client_slot(a, set, w)->last_ms < oldest) {
                oldest = client_slot(a, set, w)->last_ms;
                stale = w;
            }
        }
        /* Below the cap the table grows rather than forget anyone: a log whose
         * times go back and forth could bring an idle client's window back,
         * and which client shares a set depends on the secret seed. */
        if (empty < 0 && a->nsets < CLIENT_SETS_MAX && clients_grow(a) == 0)
            continue;
        int w = empty >= 0 ? empty : stale;
        if (w < 0) {
            /* Full of active clients: the lightest goes, the longest idle
             * of equals. */
            uint64_t least = UINT64_MAX;
            for (int j = 0; j < CLIENT_WAYS; j++) {
                const struct client *c = client_slot(a, set, j);
                uint64_t cw = client_weight(c);
                if (cw < least || (cw == least && c->last_ms < oldest)) {
                    least = cw;
                    oldest = c->last_ms;
                    w = j;
                }
            }
            a->evicted++;
        }
        if (empty < 0)
            a->ncl--;
        k[w] = key;
        struct client *c = client_slot(a, set, w);
        lw_zero(c, sizeof(*c));
        a->ncl++;
        return c;
    }
}

/* ---- detections ---------------------------------------------------------- */

static struct lw_detection *detection(struct lw_analysis *a, const struct lw_rule *rule,
                                      const char *client, const struct lw_line *l)
{
    uint64_t key = lw_hash(client, strlen(client)) ^ (lw_hash(rule->id, strlen(rule->id)) * 31);
    if (!key)
        key = 1;
    if (a->ndet >= DETECTIONS_MAX && strcmp(client, "*") != 0)
        return detection(a, rule, "*", l);
    if ((a->ndet + 1) * 2 > a->capslots) {
        size_t cap = a->capslots * 2;
        struct det_slot *v = calloc(cap, sizeof(*v));
        if (!v)
            return NULL;
        for (size_t i = 0; i < a->capslots; i++)
            if (a->slots[i].key) {
                size_t j = a->slots[i].key & (cap - 1);
                while (v[j].key)
                    j = (j + 1) & (cap - 1);
                v[j] = a->slots[i];
            }
        free(a->slots);
        a->slots = v;
        a->capslots = cap;
    }
    size_t i = key & (a->capslots - 1);
    while (a->slots[i].key) {
        struct lw_detection *d = &a->det[a->slots[i].index];
        if (a->slots[i].key == key && d->rule == rule && strcmp(d->client, client) == 0)
            return d;
        i = (i + 1) & (a->capslots - 1);
    }
    if (a->ndet == a->capdet) {
        size_t cap = a->capdet ? a->capdet * 2 : 64;
        struct lw_detection *v = realloc(a->det, cap * sizeof(*v));
        if (!v)
            return NULL;
        a->det = v;
        a->capdet = cap;
    }
    struct lw_detection *d = &a->det[a->ndet];
    memset(d, 0, sizeof(*d));
    d->rule = rule;
    snprintf(d->client, sizeof(d->client), "%s", client);
    d->first_ms = l->time_ms;
    d->first_line = l->number;
    a->slots[i] = (struct det_slot){key, (uint32_t)a->ndet++};
    return d;
}

static void count(struct lw_analysis *a, const struct lw_rule *rule, const char *client,
                  const struct lw_line *l, uint64_t n, int successful)
{
    struct lw_detection *d = detection(a, rule, client, l);
    if (!d)
        return;
    d->count += n;
    d->last_ms = l->time_ms;
    d->possibly_successful |= successful;
    if (d->nsamples < LW_SAMPLES) {
        size_t len = l->len < LW_SAMPLE_MAX - 1 ? l->len : LW_SAMPLE_MAX - 1;
        char *s = malloc(len + 1);
        if (s) {
            memcpy(s, l->text, len);
            s[len] = '\0';
            d->samples[d->nsamples++] = s;
        }
    }
}

/* ---- the normal response size of a path --------------------------------- */

/* One slot per hash bucket, the newcomer taking it: the paths a portal
 * serves most keep their slot, and a lookup is one memory access. */
static struct path_stat *path_stat(struct lw_analysis *a, uint64_t key, int create)
{
    struct path_stat *p = &a->paths[key & (PATHS_MAX - 1)];
    if (p->key == key)
        return p;
    if (!create)
        return NULL;
    *p = (struct path_stat){.key = key};
    return p;
}

/* An attack answered 2xx whose size is far from what that path usually
 * returns: the attack may have worked (a database dump, a shell's output). */
static int unusual_success(struct lw_analysis *a, const struct lw_line *l)
{
    if (l->status < 200 || l->status > 299 || l->bytes < 0)
        return 0;
    struct path_stat *p = path_stat(a, l->path_hash, 0);
    if (!p || p->n < 5)
        return 0;
    double sd = sqrt(p->m2 / (p->n - 1));
    double band = 4 * sd + 0.1 * p->mean + 64;
    return fabs((double)l->bytes - p->mean) > band;
}

static void learn_size(struct lw_analysis *a, const struct lw_line *l)
{
    if (l->status < 200 || l->status > 299 || l->bytes < 0)
        return;
    struct path_stat *p = path_stat(a, l->path_hash, 1);
    if (!p || p->n >= 1000000)
        return;
    p->n++;
    double d = (double)l->bytes - p->mean;
    p->mean += d / p->n;
    p->m2 += d * ((double)l->bytes - p->mean);
}

/* ---- behaviour ------------------------------------------------------------ */

/* A window of w ms for this client: restarts when t has passed its end. A
 * time going backwards (lines out of order) stays in the current window. */
static int window_roll(int64_t *start, int64_t t, int64_t w)
{
    if (*start == 0 || t >= *start + w) {
        *start = t ? t : 1;
        return 1;
    }
    return 0;
}

static const char *client_text(const struct lw_line *l, char *out, size_t cap);

static int behave(struct lw_analysis *a, struct client *c, const struct lw_line *l,
                  const struct lw_rule **out, int cap)
{
    int n = 0;
    char text[48];
    int64_t t = l->time_ms;
    c->last_ms = t;
    /* Brute force: 401 anywhere; a POST, or a 403, on a sign-in path. */
    if (l->status == 401 || (l->is_login && (l->is_post || l->status == 403))) {
        if (window_roll(&c->bf_start, t, (int64_t)a->s.window_s * 1000)) {
            c->bf_n = 0;
            c->bf_fired = 0;
        }
        c->bf_n++;
        if (c->bf_fired || c->bf_n >= (uint32_t)a->s.brute_attempts) {
            count(a, &behaviour[B_BRUTE], client_text(l, text, sizeof(text)), l,
                  c->bf_fired ? 1 : c->bf_n, 0);
            c->bf_fired = 1;
            if (n < cap)
                out[n++] = &behaviour[B_BRUTE];
        }
    }
    /* Scanning: many 404s over many distinct paths within a minute. */
    if (l->status == 404) {
        if (window_roll(&c->sc_start, t, SCAN_WINDOW_MS)) {
            c->sc_404 = c->sc_paths = 0;
            c->sc_fired = 0;
            memset(c->sc_seen, 0, sizeof(c->sc_seen));
        }
        c->sc_404++;
        unsigned bit = (unsigned)(l->path_hash >> 56);
        if (!(c->sc_seen[bit >> 6] & (1ull << (bit & 63)))) {
            c->sc_seen[bit >> 6] |= 1ull << (bit & 63);
            c->sc_paths++;
        }
        if (c->sc_fired ||
            (c->sc_404 >= (uint32_t)a->s.scan_404 && c->sc_paths >= (uint32_t)a->s.scan_paths)) {
            count(a, &behaviour[B_SCAN], client_text(l, text, sizeof(text)), l,
                  c->sc_fired ? 1 : c->sc_404, 0);
            c->sc_fired = 1;
            if (n < cap)
                out[n++] = &behaviour[B_SCAN];
        }
    }
    /* An automated tool, at any speed: attack payloads, or missing pages
     * over many paths, adding up over the window. */
    if (l->nhits || l->status == 404) {
        if (window_roll(&c->tl_start, t, (int64_t)a->s.window_s * 1000)) {
            c->tl_attacks = c->tl_404 = c->tl_paths = 0;
            c->tl_fired = 0;
            memset(c->tl_seen, 0, sizeof(c->tl_seen));
        }
        c->tl_attacks += l->nhits > 0;
        if (l->status == 404) {
            c->tl_404++;
            unsigned bit = (unsigned)(l->path_hash >> 48) & 255;
            if (!(c->tl_seen[bit >> 6] & (1ull << (bit & 63)))) {
                c->tl_seen[bit >> 6] |= 1ull << (bit & 63);
                c->tl_paths++;
            }
        }
        if (c->tl_fired || c->tl_attacks >= (uint32_t)a->s.tool_attacks ||
            (c->tl_404 >= (uint32_t)a->s.tool_404 && c->tl_paths * 2 >= (uint32_t)a->s.tool_404)) {
            count(a, &behaviour[B_TOOL], client_text(l, text, sizeof(text)), l,
                  c->tl_fired ? 1 : c->tl_attacks + c->tl_404, 0);
            c->tl_fired = 1;
            if (n < cap)
                out[n++] = &behaviour[B_TOOL];
        }
    }
    /* A flood from this client. */
    if (window_roll(&c->fl_start, t, FLOOD_WINDOW_MS)) {
        c->fl_n = 0;
        c->fl_fired = 0;
    }
    c->fl_n++;
    if (c->fl_fired || c->fl_n >= (uint32_t)a->s.flood_client) {
        count(a, &behaviour[B_FLOOD], client_text(l, text, sizeof(text)), l,
              c->fl_fired ? 1 : c->fl_n, 0);
        c->fl_fired = 1;
        if (n < cap)
            out[n++] = &behaviour[B_FLOOD];
    }
    return n;
}

/* The normal requests per minute: the mean of the first minutes, then an
 * average that forgets slowly. */
static void learn_minute(struct lw_analysis *a, double n)
{
    if (a->learned < LEARN_MINUTES)
        a->normal = (a->normal * a->learned + n) / (a->learned + 1);
    else
        a->normal = a->normal * 0.9 + 0.1 * n;
    a->learned++;
}

/* All requests per minute against the learned normal, fed only with minutes
 * that were not floods. */
static int overall(struct lw_analysis *a, const struct lw_line *l, const struct lw_rule **out,
                   int cap)
{
    if (!l->time_ms)
        return 0;
    int64_t minute = l->time_ms / MINUTE_MS;
    if (minute > a->minute) {
        if (a->minute && !a->minute_fired) {
            learn_minute(a, (double)a->minute_n);
            /* Minutes without a request are quiet ones (at most an hour). */
            for (int64_t i = a->minute + 1; i < minute && i < a->minute + 61; i++)
                learn_minute(a, 0);
        }
        a->minute = minute;
        a->minute_n = 0;
        a->minute_fired = 0;
    }
    a->minute_n++;
    if (a->learned < LEARN_MINUTES)
        return 0;
    double limit = a->normal * a->s.flood_factor;
    if (limit < a->s.flood_min)
        limit = a->s.flood_min;
    if ((double)a->minute_n <= limit)
        return 0;
    count(a, &behaviour[B_FLOOD_TOTAL], "*", l, a->minute_fired ? 1 : a->minute_n, 0);
    a->minute_fired = 1;
    if (cap > 0)
        out[0] = &behaviour[B_FLOOD_TOTAL];
    return cap > 0;
}

/* The line's client as text, for a detection (only when one is counted).
 * Addresses are printable ASCII; anything else in the field (a forged
 * header logged as the client) becomes '?', so that it can neither break
 * the output nor have intake refuse the event. */
static const char *client_text(const struct lw_line *l, char *out, size_t cap)
{
    size_t n = l->client.p && l->client.n ? l->client.n : 0;
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l->client.p[i];
        out[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
    return n ? out : "-";
}

int lw_analysis_add(struct lw_analysis *a, const struct lw_line *l, const struct lw_rule **rules,
                    int cap)
{
    a->lines++;
    if (!l->parsed) {
        a->skipped++;
        return 0;
    }
    int n = 0;
    char client[48];
    if (l->nhits) {
        int ok = unusual_success(a, l);
        client_text(l, client, sizeof(client));
        for (int i = 0; i < l->nhits; i++) {
            const struct lw_rule *r = lw_rules_get(a->rs, l->hits[i]);
            count(a, r, client, l, 1, ok);
            if (n < cap)
                rules[n++] = r;
        }
    } else {
        learn_size(a, l);
    }
    struct client *c = client_get(a, l);
    if (c)
        n += behave(a, c, l, rules + n, cap - n);
    n += overall(a, l, rules + n, cap - n);
    return n;
}

void lw_analysis_prefetch(const struct lw_analysis *a, const struct lw_line *l)
{
    size_t set = l->client_hash & (a->nsets - 1);
    __builtin_prefetch(&a->ckeys[set * CLIENT_WAYS]);
    __builtin_prefetch(&a->clients[set * CLIENT_WAYS]);
    __builtin_prefetch(&a->paths[l->path_hash & (PATHS_MAX - 1)]);
}

static int worse(const void *x, const void *y)
{
    const struct lw_detection *a = x, *b = y;
    if (a->rule->severity != b->rule->severity)
        return b->rule->severity - a->rule->severity;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return a->first_line < b->first_line ? -1 : a->first_line > b->first_line;
}

static void reindex(struct lw_analysis *a)
{
    memset(a->slots, 0, a->capslots * sizeof(*a->slots));
    for (size_t k = 0; k < a->ndet; k++) {
        const struct lw_detection *d = &a->det[k];
        uint64_t key = lw_hash(d->client, strlen(d->client)) ^
                       (lw_hash(d->rule->id, strlen(d->rule->id)) * 31);
        if (!key)
            key = 1;
        size_t i = key & (a->capslots - 1);
        while (a->slots[i].key)
            i = (i + 1) & (a->capslots - 1);
        a->slots[i] = (struct det_slot){key, (uint32_t)k};
    }
}

size_t lw_analysis_detections(struct lw_analysis *a, const struct lw_detection **out)
{
    if (a->ndet > 1)
        qsort(a->det, a->ndet, sizeof(*a->det), worse);
    reindex(a); /* sorting moved them */
    *out = a->det;
    return a->ndet;
}

void lw_analysis_reported(struct lw_analysis *a, int64_t before_ms)
{
    size_t k = 0;
    for (size_t i = 0; i < a->ndet; i++) {
        struct lw_detection *d = &a->det[i];
        if (d->last_ms < before_ms) {
            for (int j = 0; j < d->nsamples; j++)
                free(d->samples[j]);
            continue;
        }
        d->reported = d->count;
        a->det[k++] = *d;
    }
    a->ndet = k;
    reindex(a);
}
