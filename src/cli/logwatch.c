/* The access logs of [logwatch] logs, followed by tocsin serve on a thread of
 * their own: lines are matched and analysed as they are written, and every
 * few seconds the detections that grew become events (source "logwatch"),
 * stored in one transaction with each log's position. */
#include "cli.h"

#include "../events/events.h"
#include "../logwatch/logwatch.h"
#include "../plan/plan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOGS_MAX  16
#define POLL_MS   250
#define LOGIN_MAX 32

struct watched {
    char path[1024];
    char asset[128];
    struct lw_tail *tail;
    struct lw_analysis *a;
    uint64_t lines;
    int64_t newest_ms; /* the log's latest time seen */
};

struct serve_logwatch {
    struct watched w[LOGS_MAX];
    int n;
    struct lw_rules *rules;
    struct lw_format *format;
    struct lw_matcher *m;
    struct store *st;
    int64_t guard_seen; /* the last guard event looked at for new scripts */
    int64_t flush_ms;   /* setting logwatch.flush_ms */
    struct lw_settings set;
    struct cli_thread t;
};

int logwatch_check_categories(const struct lw_rules *rs, struct err *e)
{
    for (size_t i = 0; i < lw_rules_count(rs); i++) {
        const struct lw_rule *r = lw_rules_get(rs, i);
        const struct category *c;
        const struct subcategory *s;
        if (category_parse(r->category, &c, &s) != 0 || !s)
            return err_set(e, ERR_INPUT,
                           "%s: rule %s: '%s' is not a category/sub-category of the plan",
                           r->source, r->id, r->category);
    }
    return 0;
}

struct feed {
    struct serve_logwatch *s;
    struct watched *w;
};

static void on_line(void *ctx, const char *line, size_t n)
{
    struct feed *f = ctx;
    struct lw_line l;
    f->w->lines++;
    lw_match_line(f->s->m, f->s->format, line, n, f->w->lines, &l);
    if (l.time_ms > f->w->newest_ms)
        f->w->newest_ms = l.time_ms;
    lw_analysis_add(f->w->a, &l, NULL, 0);
}

int logwatch_guard_scripts(struct store *st, int64_t *after, void (*fn)(void *, const char *),
                           void *ctx, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, details FROM events WHERE source = 'guard' AND id > ? "
                         "ORDER BY id LIMIT 1000",
                         "I", *after);
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        rc = 0;
        *after = sqlite3_column_int64(q, 0);
        json_t *d = json_loads(store_col_text(q, 1), 0, NULL);
        const char *root = json_string_value(json_object_get(d, "root"));
        const char *path = json_string_value(json_object_get(d, "path"));
        const char *change = json_string_value(json_object_get(d, "change"));
        size_t rl = root ? strlen(root) : 0;
        if (root && path && change && strstr(change, "added") && strncmp(path, root, rl) == 0 &&
            path[rl] == '/')
            fn(ctx, path + rl);
        json_decref(d);
    }
    store_finish(q);
    return rc < 0 ? rc : 0;
}

static void add_script(void *ctx, const char *path)
{
    struct serve_logwatch *s = ctx;
    if (lw_matcher_add_new_script(s->m, path, NULL) == 0)
        log_info("logwatch: requests for %s are now webshell calls", path);
}

/* Scripts the guard saw added since the last look: requests for them are
 * webshell calls (rule webshell-new-script). */
static void learn_new_scripts(struct serve_logwatch *s)
{
    struct err e = {0};
    for (int i = 0; i < 100; i++) {
        int64_t before = s->guard_seen;
        if (logwatch_guard_scripts(s->st, &s->guard_seen, add_script, s, &e) != 0 ||
            s->guard_seen == before)
            break;
    }
}

json_t *logwatch_detection_json(const struct lw_detection *d)
{
    json_t *samples = json_array();
    for (int i = 0; i < d->nsamples; i++) {
        /* Log lines are not always UTF-8: such bytes are shown escaped. */
        struct buf b;
        buf_init(&b, 4 * LW_SAMPLE_MAX);
        const char *s = d->samples[i];
        size_t n = strlen(s);
        if (utf8_valid(s, n))
            buf_add(&b, s, n);
        else
            for (size_t k = 0; k < n; k++)
                ((unsigned char)s[k] < 0x80) ? buf_addc(&b, s[k])
                                             : buf_addf(&b, "\\x%02x", (unsigned char)s[k]);
        json_array_append_new(samples, json_string(buf_str(&b)));
        buf_release(&b);
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "rule", d->rule->id, "category",
                          d->rule->category, "severity", lw_severity_name(d->rule->severity),
                          "description", d->rule->description, "client", d->client, "samples",
                          samples, "possibly_successful", d->possibly_successful);
    char t[TIME_ISO_LEN];
    if (d->first_ms) {
        time_format_utc(d->first_ms, t);
        json_object_set_new(o, "first_time", json_string(t));
        time_format_utc(d->last_ms, t);
        json_object_set_new(o, "last_time", json_string(t));
    }
    return o;
}

/* The event's details: the shared form, with the hits and the log. */
static json_t *detection_details(const struct watched *w, const struct lw_detection *d)
{
    json_t *o = logwatch_detection_json(d);
    json_object_set_new(o, "hits", json_integer((json_int_t)d->count));
    json_object_set_new(o, "log", json_string(w->path));
    return o;
}

/* One event per detection that grew since the last flush, with the logs'
 * positions, in one transaction. */
static int flush(struct serve_logwatch *s, struct err *e)
{
    struct user as = {.role = ROLE_OFFICER};
    snprintf(as.name, sizeof(as.name), "logwatch");
    int rc = store_begin(s->st, e);
    for (int i = 0; !rc && i < s->n; i++) {
        struct watched *w = &s->w[i];
        const struct lw_detection *d;
        size_t nd = lw_analysis_detections(w->a, &d);
        for (size_t k = 0; !rc && k < nd; k++) {
            if (d[k].count == d[k].reported)
                continue;
            const struct category *cat;
            const struct subcategory *sub;
            char summary[512], fpsrc[512], fp[SHA256_HEX_LEN];
            unsigned char dg[SHA256_LEN];
            category_parse(d[k].rule->category, &cat, &sub);
            snprintf(summary, sizeof(summary), "访问日志发现%s：%s，来源 %s，%llu 次%s",
                     sub ? sub->zh : "攻击", d[k].rule->id, d[k].client,
                     (unsigned long long)d[k].count,
                     d[k].possibly_successful ? "，可能已成功" : "");
            /* One event for the life of a detection: its rule, client, log
             * and first line; later flushes update it. */
            snprintf(fpsrc, sizeof(fpsrc), "logwatch\n%s\n%s\n%s\n%lld", d[k].rule->id, d[k].client,
                     w->path, (long long)d[k].first_ms);
            sha256(fpsrc, strlen(fpsrc), dg);
            hex_encode(dg, SHA256_LEN, fp);
            json_t *details = detection_details(w, &d[k]);
            struct event_new in = {.source = "logwatch",
                                   .category = d[k].rule->category,
                                   .asset = w->asset[0] ? w->asset : NULL,
                                   .summary = summary,
                                   .fingerprint = fp,
                                   .details = details,
                                   /* an attempt harms nothing yet; one that may
                                    * have worked implies what its category does */
                                   .state = d[k].possibly_successful ? NULL : "ok"};
            int64_t id, count;
            struct err ce = {0};
            /* A detection intake refuses is logged and left out; the rest
             * (and the positions) are still stored. */
            if (event_check(&as, &in, &ce) != 0)
                log_error("logwatch: %s: %s", w->path, ce.msg);
            else
                rc = event_store(s->st, &as, &in, &id, &count, e);
            json_decref(details);
        }
        struct lw_tail_pos p;
        lw_tail_committed(w->tail, &p);
        if (!rc && p.ino)
            rc =
                store_exec(s->st, e,
                           "INSERT INTO log_positions (path, dev, ino, offset, head, lines, "
                           "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO "
                           "UPDATE SET dev = excluded.dev, ino = excluded.ino, offset = "
                           "excluded.offset, head = excluded.head, lines = lines + excluded.lines, "
                           "updated_at = excluded.updated_at",
                           "sIIIsII", w->path, (int64_t)p.dev, (int64_t)p.ino, (int64_t)p.offset,
                           p.head, (int64_t)w->lines, time_now_ms());
    }
    rc = rc ? (store_rollback(s->st), rc) : store_commit(s->st, e);
    if (!rc)
        for (int i = 0; i < s->n; i++) {
            struct watched *w = &s->w[i];
            w->lines = 0;
            /* Detections quiet for a whole window are done. */
            lw_analysis_reported(w->a, w->newest_ms - (int64_t)s->set.window_s * 1000);
        }
    return rc;
}

static void *serve_logwatch_main(void *arg)
{
    struct serve_logwatch *s = arg;
    int64_t next_flush = time_now_ms() + s->flush_ms;
    for (;;) {
        struct pollfd p = {.fd = s->t.stop[0], .events = POLLIN};
        int stopping = poll(&p, 1, POLL_MS) > 0;
        learn_new_scripts(s);
        for (int i = 0; i < s->n; i++) {
            struct feed f = {s, &s->w[i]};
            uint64_t lines;
            struct err e = {0};
            if (lw_tail_poll(s->w[i].tail, on_line, &f, &lines, &e) != 0)
                log_warn("logwatch: %s", e.msg);
        }
        if (stopping || time_now_ms() >= next_flush) {
            struct err e = {0};
            if (flush(s, &e) != 0)
                log_error("logwatch: cannot store the detections: %s", e.msg);
            next_flush = time_now_ms() + s->flush_ms;
        }
        if (stopping)
            return NULL;
    }
}

/* The stored position of path, if any. */
static int stored_position(struct store *st, const char *path, struct lw_tail_pos *p, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(
        st, e, &q, "SELECT dev, ino, offset, head FROM log_positions WHERE path = ?", "s", path);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        p->dev = (uint64_t)sqlite3_column_int64(q, 0);
        p->ino = (uint64_t)sqlite3_column_int64(q, 1);
        p->offset = (uint64_t)sqlite3_column_int64(q, 2);
        snprintf(p->head, sizeof(p->head), "%s", store_col_text(q, 3));
    }
    store_finish(q);
    return rc < 0 ? rc : rc == 1;
}

int serve_logwatch_start(const char *data, const struct config *cfg, struct serve_logwatch **out,
                         struct err *e)
{
    *out = NULL;
    if (!cfg->lw_logs[0])
        return 0;
    struct serve_logwatch *s = calloc(1, sizeof(*s));
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    cli_thread_init(&s->t);
    /* A connection of its own: a store belongs to one thread. */
    int rc = store_open(&s->st, data, 0, e);
    struct store *st = s->st;
    if (!rc)
        rc = lw_rules_new(cfg->lw_rules[0] ? cfg->lw_rules : NULL, &s->rules, e);
    int64_t paranoia = 1;
    if (!rc)
        rc = setting_int(st, "logwatch.paranoia", 1, &paranoia, e);
    if (!rc)
        rc = logwatch_add_crs(s->rules, cfg->lw_crs[0] ? cfg->lw_crs : NULL, (int)paranoia, e);
    if (!rc)
        rc = logwatch_check_categories(s->rules, e);
    if (!rc)
        rc = lw_format_new(cfg->lw_format[0] ? cfg->lw_format : "auto", &s->format, e);
    if (!rc)
        rc = lw_matcher_new(s->rules, &s->m, e);
    char login[sizeof(cfg->lw_login)], *save = NULL;
    const char *paths[LOGIN_MAX];
    int nlogin = 0;
    snprintf(login, sizeof(login), "%s", cfg->lw_login);
    for (char *p = strtok_r(login, ", ", &save); p && nlogin < LOGIN_MAX;
         p = strtok_r(NULL, ", ", &save))
        paths[nlogin++] = p;
    for (int i = 0; !cfg->lw_login[0] && lw_default_login[i] && nlogin < LOGIN_MAX; i++)
        paths[nlogin++] = lw_default_login[i];
    if (!rc)
        rc = lw_matcher_set_login(s->m, paths, nlogin, e);
    /* The detectors' settings (tocsin setting set logwatch.…). */
    lw_settings_default(&s->set);
    const struct {
        const char *key;
        int *v;
    } knobs[] = {{"logwatch.window_s", &s->set.window_s},
                 {"logwatch.brute_attempts", &s->set.brute_attempts},
                 {"logwatch.scan_404", &s->set.scan_404},
                 {"logwatch.scan_paths", &s->set.scan_paths},
                 {"logwatch.flood_client", &s->set.flood_client},
                 {"logwatch.flood_min", &s->set.flood_min},
                 {"logwatch.tool_attacks", &s->set.tool_attacks},
                 {"logwatch.tool_404", &s->set.tool_404}};
    int64_t v;
    for (size_t i = 0; !rc && i < sizeof(knobs) / sizeof(knobs[0]); i++)
        if ((rc = setting_int(st, knobs[i].key, *knobs[i].v, &v, e)) == 0)
            *knobs[i].v = (int)v;
    if (!rc)
        rc = setting_int(st, "logwatch.flush_ms", 5000, &s->flush_ms, e);
    /* Guard events from before this start were seen by an earlier one. */
    if (!rc)
        store_query_int(st, NULL, &s->guard_seen, "SELECT coalesce(max(id), 0) FROM events", "");
    struct cli_asset_path logs[LOGS_MAX];
    int nlogs = cli_asset_paths(cfg->lw_logs, logs, LOGS_MAX);
    if (!rc && nlogs > LOGS_MAX)
        rc = err_set(e, ERR_INPUT, "[logwatch] logs: more than %d logs", LOGS_MAX);
    for (int i = 0; !rc && i < nlogs; i++) {
        struct watched *w = &s->w[s->n];
        _Static_assert(sizeof(w->path) == sizeof(logs[i].path), "path sizes");
        _Static_assert(sizeof(w->asset) == sizeof(logs[i].asset), "asset sizes");
        memcpy(w->path, logs[i].path, sizeof(w->path));
        memcpy(w->asset, logs[i].asset, sizeof(w->asset));
        struct lw_tail_pos pos = {0};
        int has = stored_position(st, w->path, &pos, e);
        rc = has < 0 ? has : 0;
        if (!rc)
            rc = lw_analysis_new(s->rules, &s->set, &w->a, e);
        if (!rc)
            rc = lw_tail_open(w->path, has ? &pos : NULL, &w->tail, e);
        s->n += !rc;
        if (!rc && has) {
            struct feed f = {s, w};
            uint64_t lines;
            rc = lw_tail_catch_up(w->tail, on_line, &f, &lines, e);
        }
        if (!rc)
            log_info("logwatch: following %s%s%s%s", w->path, w->asset[0] ? " (" : "", w->asset,
                     w->asset[0] ? ")" : "");
    }
    if (!rc)
        rc = cli_thread_start(&s->t, serve_logwatch_main, s, "logwatch", e);
    if (rc) {
        serve_logwatch_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

void serve_logwatch_stop(struct serve_logwatch *s)
{
    if (!s)
        return;
    cli_thread_stop(&s->t);
    for (int i = 0; i < s->n; i++) {
        lw_tail_free(s->w[i].tail);
        lw_analysis_free(s->w[i].a);
    }
    lw_matcher_free(s->m);
    lw_format_free(s->format);
    lw_rules_free(s->rules);
    if (s->st)
        store_close(s->st);
    free(s);
}
