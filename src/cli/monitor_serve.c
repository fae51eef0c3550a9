/* The monitors inside tocsin serve: a thread with a libuv loop and the
 * probe's scheduler, and a database connection of its own. Monitors are
 * read from the database every few seconds, so `tocsin monitor add/edit/rm`
 * take effect without a restart. Results are written in one transaction per
 * second. A page whose body did not change since its last analysis is not
 * analysed again; every CLOAK_EVERY-th check of a page also fetches it as one
 * crawler or search visitor (in turn) to look for cloaking. */
#include "cli.h"

#include "../probe/probe.h"
#include "monitor.h"

#include <errno.h>
#include <sodium.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define RELOAD_MS 3000
#define FLUSH_MS  1000
#define WORDS_MAX 16

struct mon {
    int64_t id, updated_at;
    struct sched_monitor *sm;
    unsigned char sum[crypto_shorthash_BYTES]; /* of the body analysed last */
    int has_sha, seen;
    unsigned checks;
    int variant;               /* the next cloaking variant */
    int in_cloak;              /* a cloaking check is under way: */
    struct probe_fetch *plain; /* the plain fetch it compares with, body and all */
};

struct serve_monitors {
    struct cli_thread t;
    struct store *st;
    struct objstore os;
    uv_loop_t loop;
    uv_poll_t stop;
    uv_timer_t reload, flush;
    struct probe_sched *sched;
    struct mon **v; /* sorted by id */
    size_t n, cap;
    struct {
        char file[1024];
        struct probe_words *w;
    } words[WORDS_MAX];
    int nwords;
    int64_t retry_ms, cloak_every, keep_raw_days;
    int64_t pruned_at;
    char seen_rows[96]; /* the monitors table as last read: count, newest change, last id */
    unsigned char key[crypto_shorthash_KEYBYTES]; /* for the bodies' sums, drawn at start */
};

/* Raw results and minute roll-ups are kept probe.keep_raw_days; hourly
 * roll-ups (uptime over 30 days, charts) for 400 days. */
static void prune(struct serve_monitors *s)
{
    int64_t now = time_now_ms();
    if (now - s->pruned_at < 3600000)
        return;
    s->pruned_at = now;
    struct err e = {0};
    int64_t raw = now - s->keep_raw_days * 86400000, hours = now - 400 * 86400000LL;
    int rc = store_begin(s->st, &e);
    if (!rc)
        rc = store_exec(s->st, &e, "DELETE FROM probe_results WHERE at < ?", "I", raw);
    if (!rc)
        rc = store_exec(s->st, &e,
                        "DELETE FROM probe_rollups WHERE (unit = 'minute' AND start < ?) OR "
                        "(unit = 'hour' AND start < ?)",
                        "II", raw, hours);
    rc = rc ? (store_rollback(s->st), rc) : store_commit(s->st, &e);
    if (rc)
        log_error("probe: pruning old results: %s", e.msg);
}

static struct probe_words *words_for(struct serve_monitors *s, const char *file)
{
    for (int i = 0; i < s->nwords; i++)
        if (strcmp(s->words[i].file, file) == 0)
            return s->words[i].w;
    struct probe_words *w = NULL;
    struct err e = {0};
    if (monitor_words(file, &w, &e) != 0) {
        log_warn("probe: words list %s: %s; using the sample list", file, e.msg);
        return words_for(s, "");
    }
    if (s->nwords == WORDS_MAX) {
        probe_words_free(w);
        return NULL;
    }
    snprintf(s->words[s->nwords].file, sizeof s->words[0].file, "%s", file);
    s->words[s->nwords++].w = w;
    return w;
}

static struct mon *find(struct serve_monitors *s, int64_t id, size_t *at)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < s->n && s->v[lo]->id == id ? s->v[lo] : NULL;
}

static void mon_free(struct mon *m)
{
    if (m->plain) {
        probe_fetch_release(m->plain);
        free(m->plain);
    }
    free(m);
}

static void begin(struct serve_monitors *s)
{
    struct err e = {0};
    if (!store_in_transaction(s->st) && store_begin(s->st, &e) != 0)
        log_error("probe: %s", e.msg);
}

/* The page as a crawler or a search visitor got it. Bodies equal to the plain
 * fetch's (the usual case) need no analysis at all. */
static void on_variant(struct serve_monitors *s, struct mon *mm, const struct monitor_conf *m,
                       int variant, struct probe_fetch *fe)
{
    struct probe_fetch *plain = mm->plain;
    mm->plain = NULL;
    mm->in_cloak = 0;
    if (!plain)
        return;
    if (probe_same_page(plain, fe)) {
        probe_fetch_release(plain);
        free(plain);
        return;
    }
    struct monitor_judge j;
    monitor_judge_init(m, words_for(s, m->words_file), &j);
    j.c.keyword = NULL;
    struct probe_findings *scratch = calloc(1, sizeof *scratch), *f = calloc(1, sizeof *f);
    struct probe_print *pp = NULL, *vp = NULL;
    if (scratch && f) {
        probe_check_judge(&j.c, plain, scratch, &pp);
        probe_check_judge(&j.c, fe, scratch, &vp);
        probe_check_cloaking(probe_variant_name(variant), plain, pp, fe, vp, f);
    }
    struct err e = {0};
    if (f && f->n > 0) {
        begin(s);
        if (store_exec(s->st, &e, "SAVEPOINT monitor_result", "") != 0 ||
            monitor_record_findings(s->st, m, fe, f, NULL, &e) != 0) {
            log_error("probe: monitor %lld: %s", (long long)m->id, e.msg);
            store_exec(s->st, NULL, "ROLLBACK TO monitor_result", "");
        }
        store_exec(s->st, NULL, "RELEASE monitor_result", "");
    }
    probe_print_free(pp);
    probe_print_free(vp);
    free(scratch);
    free(f);
    probe_fetch_release(plain);
    free(plain);
}

static void on_result(void *ctx, int64_t id, void *user, int variant, struct probe_fetch *fe)
{
    struct serve_monitors *s = ctx;
    struct mon *mm = user;
    struct monitor_conf m;
    struct err e = {0};
    if (monitor_get(s->st, id, &m, &e) != 0)
        return; /* removed meanwhile */
    if (variant) {
        on_variant(s, mm, &m, variant, fe);
        return;
    }
    /* A keyed sum: a page cannot be made to look unchanged to us. */
    unsigned char sum[crypto_shorthash_BYTES];
    crypto_shorthash(sum, (const unsigned char *)(fe->body.p ? fe->body.p : ""), fe->body.len,
                     s->key);
    int same = fe->ok && mm->has_sha && memcmp(sum, mm->sum, sizeof sum) == 0;
    struct monitor_judge j;
    monitor_judge_init(&m, words_for(s, m.words_file), &j);
    struct probe_baseline *b = NULL;
    if (!same && m.learn == 0 && monitor_baseline(s->st, &m, &b, &e) != 0)
        log_warn("probe: monitor %lld: %s", (long long)id, e.msg);
    j.c.baseline = b;
    j.c.skip_page = same;
    struct probe_findings *f = calloc(1, sizeof *f);
    struct probe_print *pp = NULL;
    if (!f)
        goto out;
    probe_check_judge(&j.c, fe, f, &pp);
    begin(s);
    int retry = 0;
    /* A savepoint, so that one monitor's failure loses only its own result,
     * not the second's worth of others in the transaction. */
    if (store_exec(s->st, &e, "SAVEPOINT monitor_result", "") == 0) {
        if (monitor_record(s->st, &s->os, &m, fe, f, pp, same, &retry, &e) != 0) {
            log_error("probe: monitor %lld: %s", (long long)id, e.msg);
            store_exec(s->st, NULL, "ROLLBACK TO monitor_result", "");
        }
        store_exec(s->st, NULL, "RELEASE monitor_result", "");
    } else
        log_error("probe: monitor %lld: %s", (long long)id, e.msg);
    if (fe->ok && !same) {
        memcpy(mm->sum, sum, sizeof sum);
        mm->has_sha = 1;
    }
    if (retry)
        probe_sched_soon(mm->sm,
                         s->retry_ms < m.interval_s * 1000 ? s->retry_ms : m.interval_s * 1000);
    /* Now and then, the same page as crawlers and search visitors see it:
     * the plain fetch is kept (its body taken over) until the variant is in. */
    if (m.cloak && fe->ok && !mm->in_cloak && mm->checks++ % (unsigned)s->cloak_every == 0 &&
        (mm->plain = malloc(sizeof *mm->plain))) {
        *mm->plain = *fe;
        buf_init(&fe->body, fe->body.max); /* the scheduler releases an empty one */
        mm->variant = mm->variant % PROBE_VARIANTS + 1;
        mm->in_cloak = 1;
        if (probe_sched_variant(mm->sm, mm->variant) != 0) {
            probe_fetch_release(mm->plain);
            free(mm->plain);
            mm->plain = NULL;
            mm->in_cloak = 0;
        }
    }
out:
    probe_print_free(pp);
    probe_baseline_free(b);
    free(f);
}

/* ---- keeping the schedule in step with the database ------------------------------- */

static int reload_one(void *ctx, const struct monitor_conf *c)
{
    struct serve_monitors *s = ctx;
    size_t at;
    struct mon *m = find(s, c->id, &at);
    if (m && m->updated_at != c->updated_at) {
        probe_sched_remove(m->sm);
        m->sm = NULL;
        m->updated_at = c->updated_at;
        m->has_sha = 0; /* settings changed: analyse afresh */
    }
    if (!c->enabled) {
        if (m && m->sm) {
            probe_sched_remove(m->sm);
            m->sm = NULL;
        }
        if (m)
            m->seen = 1;
        return 0;
    }
    if (!m) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct mon **v = realloc(s->v, cap * sizeof *v);
            if (!v)
                return 0;
            s->v = v;
            s->cap = cap;
        }
        m = calloc(1, sizeof *m);
        if (!m)
            return 0;
        m->id = c->id;
        m->updated_at = c->updated_at;
        memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
        s->v[at] = m;
        s->n++;
    }
    m->seen = 1;
    if (!m->sm)
        m->sm = probe_sched_add(s->sched, c->id, c->url, c->interval_s * 1000, c->timeout_s * 1000,
                                -1, c->expect_ips[0] != 0, m);
    return 0;
}

static void reload(struct serve_monitors *s)
{
    struct err e = {0};
    /* a write transaction of ours would hide nothing, but commit first anyway */
    if (store_in_transaction(s->st) && store_commit(s->st, &e) != 0)
        log_error("probe: %s", e.msg);
    prune(s);
    /* Reading every row every few seconds is for changes: skip it when the
     * table is as it was (any add, edit or removal moves one of these). */
    sqlite3_stmt *q;
    char rows[96] = "";
    if (store_query(s->st, &e, &q,
                    "SELECT count(*), coalesce(max(updated_at), 0), coalesce(max(id), 0) "
                    "FROM monitors",
                    "") == 0 &&
        store_step(s->st, q, &e) == 1)
        snprintf(rows, sizeof rows, "%lld/%lld/%lld", (long long)sqlite3_column_int64(q, 0),
                 (long long)sqlite3_column_int64(q, 1), (long long)sqlite3_column_int64(q, 2));
    store_finish(q);
    if (rows[0] && strcmp(rows, s->seen_rows) == 0)
        return;
    snprintf(s->seen_rows, sizeof s->seen_rows, "%s", rows);
    for (size_t i = 0; i < s->n; i++)
        s->v[i]->seen = 0;
    if (monitor_each(s->st, reload_one, s, &e) != 0) {
        log_error("probe: reading the monitors: %s", e.msg);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct mon *m = s->v[i];
        if (m->seen)
            s->v[k++] = m;
        else {
            probe_sched_remove(m->sm);
            mon_free(m);
        }
    }
    s->n = k;
}

static void on_reload(uv_timer_t *t)
{
    reload(t->data);
}

static void on_flush(uv_timer_t *t)
{
    struct serve_monitors *s = t->data;
    struct err e = {0};
    if (store_in_transaction(s->st) && store_commit(s->st, &e) != 0) {
        log_error("probe: storing results: %s", e.msg);
        store_rollback(s->st);
    }
}

static void on_stop(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    uv_stop(p->loop);
}

static void *run(void *arg)
{
    struct serve_monitors *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    return NULL;
}

int serve_monitors_start(const char *data, struct serve_monitors **out, struct err *e)
{
    *out = NULL;
    struct serve_monitors *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    cli_thread_init(&s->t);
    randombytes_buf(s->key, sizeof s->key);
    int rc = store_open(&s->st, data, 0, e);
    if (!rc)
        rc = objstore_init(&s->os, data, 0, e);
    int64_t per_host = 6, body_max = PROBE_BODY_MAX;
    if (!rc)
        rc = setting_int(s->st, "probe.per_host", 6, &per_host, e);
    if (!rc)
        rc = setting_int(s->st, "probe.max_body_bytes", PROBE_BODY_MAX, &body_max, e);
    if (!rc)
        rc = setting_int(s->st, "probe.retry_s", 10, &s->retry_ms, e);
    if (!rc)
        rc = setting_int(s->st, "probe.cloak_every", 10, &s->cloak_every, e);
    if (!rc)
        rc = setting_int(s->st, "probe.keep_raw_days", 30, &s->keep_raw_days, e);
    s->retry_ms *= 1000;
    if (s->cloak_every < 1)
        s->cloak_every = 1;
    if (rc) {
        store_close(s->st);
        free(s);
        return rc;
    }
    uv_loop_init(&s->loop);
    s->sched = probe_sched_new(&s->loop, (size_t)body_max, (int)per_host, on_result, s, e);
    if (!s->sched) {
        uv_loop_close(&s->loop);
        store_close(s->st);
        free(s);
        return e->code;
    }
    uv_timer_init(&s->loop, &s->reload);
    uv_timer_init(&s->loop, &s->flush);
    s->reload.data = s->flush.data = s;
    if (pipe(s->t.stop) != 0) {
        rc = err_errno(e, ERR_IO, errno, "cannot make a pipe");
        serve_monitors_stop(s);
        return rc;
    }
    uv_poll_init(&s->loop, &s->stop, s->t.stop[0]);
    uv_poll_start(&s->stop, UV_READABLE, on_stop);
    reload(s);
    uv_timer_start(&s->reload, on_reload, RELOAD_MS, RELOAD_MS);
    uv_timer_start(&s->flush, on_flush, FLUSH_MS, FLUSH_MS);
    if (pthread_create(&s->t.thread, NULL, run, s) != 0) {
        rc = err_set(e, ERR_INTERNAL, "cannot start the monitors' thread");
        serve_monitors_stop(s);
        return rc;
    }
    s->t.started = 1;
    if (s->n)
        log_info("probe: %zu monitor%s scheduled", s->n, s->n == 1 ? "" : "s");
    *out = s;
    return 0;
}

void serve_monitors_stop(struct serve_monitors *s)
{
    if (!s)
        return;
    if (s->t.started) {
        ssize_t w = write(s->t.stop[1], "x", 1);
        (void)w;
        pthread_join(s->t.thread, NULL);
        s->t.started = 0;
    }
    if (s->t.stop[0] >= 0 && s->stop.loop)
        uv_close((uv_handle_t *)&s->stop, NULL);
    uv_close((uv_handle_t *)&s->reload, NULL);
    uv_close((uv_handle_t *)&s->flush, NULL);
    uv_run(&s->loop, UV_RUN_NOWAIT);
    for (size_t i = 0; i < s->n; i++)
        mon_free(s->v[i]); /* their scheduler entries go with the scheduler */
    free(s->v);
    probe_sched_free(s->sched);
    uv_loop_close(&s->loop);
    struct err e = {0};
    if (store_in_transaction(s->st) && store_commit(s->st, &e) != 0)
        log_error("probe: storing results: %s", e.msg);
    for (int i = 0; i < s->nwords; i++)
        probe_words_free(s->words[i].w);
    store_close(s->st);
    cli_thread_stop(&s->t);
    free(s);
}
