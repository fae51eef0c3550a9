/* The website monitors as the web interface reads them: each monitor's state
 * with its last 24 hours in hourly points (for the dashboard's sparklines),
 * and one monitor's checks, uptime, latency percentiles, findings and kept
 * pages, a kept page as text; and monitors added, changed and removed (the
 * settings are checked and written by probe's monitors.c, as for the
 * monitor commands). */
#include "web_int.h"

#include "../probe/probe.h"

#define HOUR_MS 3600000LL
#define DAY_MS  (24 * HOUR_MS)
#define MAX_RAW 2000 /* raw checks answered for one monitor's chart */

/* Hourly points of the last 24 hours: start, checks, up share, mean and worst
 * total time. */
static int hours_json(struct store *st, int64_t id, json_t **out, struct err *e)
{
    int64_t now = time_now_ms(), since = now - now % HOUR_MS - 23 * HOUR_MS;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT start, checks, ups, total_ms, max_ms FROM probe_rollups "
                         "WHERE monitor_id = ? AND unit = 'hour' AND start >= ? ORDER BY start",
                         "II", id, since);
    if (rc)
        return rc;
    json_t *a = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        int64_t checks = sqlite3_column_int64(q, 1);
        if (checks <= 0)
            continue;
        json_array_append_new(
            a, json_pack("{s:o, s:I, s:f, s:f, s:f}", "at",
                         json_time_utc(sqlite3_column_int64(q, 0)), "checks", (json_int_t)checks,
                         "up_percent", 100.0 * (double)sqlite3_column_int64(q, 2) / (double)checks,
                         "mean_ms", sqlite3_column_double(q, 3) / (double)checks, "max_ms",
                         sqlite3_column_double(q, 4)));
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Uptime over the last `ms` from the hourly rollups; null without checks. */
static json_t *uptime_json(struct store *st, int64_t id, int64_t ms, struct err *e)
{
    int64_t since = time_now_ms() - ms;
    sqlite3_stmt *q;
    json_t *v = json_null();
    if (store_query(st, e, &q,
                    "SELECT sum(checks), sum(ups) FROM probe_rollups WHERE monitor_id = ? AND "
                    "unit = 'hour' AND start >= ?",
                    "II", id, since - since % HOUR_MS) == 0) {
        if (store_step(st, q, e) == 1 && sqlite3_column_int64(q, 0) > 0)
            v = json_real(100.0 * (double)sqlite3_column_int64(q, 1) /
                          (double)sqlite3_column_int64(q, 0));
        store_finish(q);
    }
    return v;
}

/* A monitor's settings and state as the interface reads them; the words
 * file is a path on the server: only whether there is one. */
static json_t *monitor_row(const struct monitor_conf *m)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:b, s:s, s:b, s:o, s:o, s:s, s:s, "
                     "s:b, s:b}",
                     "id", (json_int_t)m->id, "url", m->url, "asset", m->asset, "interval_s",
                     (json_int_t)m->interval_s, "timeout_s", (json_int_t)m->timeout_s, "retries",
                     (json_int_t)m->retries, "expect_status", (json_int_t)m->expect_status,
                     "keyword", m->keyword, "enabled", m->enabled, "state", m->state, "learning",
                     m->learn > 0, "last_check", json_time_utc(m->last_check), "down_since",
                     json_time_utc(m->down_since), "allow", m->allow, "expect_ips", m->expect_ips,
                     "cloak", m->cloak, "own_words", m->words_file[0] != '\0');
}

struct list_ctx {
    struct store *st;
    json_t *items;
    struct err *e;
};

static int list_one(void *ctx, const struct monitor_conf *c)
{
    struct list_ctx *l = ctx;
    json_t *m = monitor_row(c), *hours = NULL;
    int rc = hours_json(l->st, c->id, &hours, l->e);
    if (rc) {
        json_decref(m);
        return rc;
    }
    json_object_set_new(m, "hours", hours);
    json_object_set_new(m, "uptime_24h", uptime_json(l->st, c->id, DAY_MS, l->e));
    json_array_append_new(l->items, m);
    return 0;
}

int web_monitors(struct req *r, json_t **out, struct err *e)
{
    struct list_ctx l = {r->st, json_array(), e};
    int rc = monitor_each(r->st, list_one, &l, e);
    if (rc) {
        json_decref(l.items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", l.items);
    return 200;
}

/* The p-th percentile of the total times of the last 24 hours' answered checks. */
static json_t *percentile(struct store *st, int64_t id, int64_t n, int p, struct err *e)
{
    sqlite3_stmt *q;
    json_t *v = json_null();
    if (n > 0 && store_query(st, e, &q,
                             "SELECT total_ms FROM probe_results WHERE monitor_id = ? AND at >= ? "
                             "AND status > 0 ORDER BY total_ms LIMIT 1 OFFSET ?",
                             "III", id, time_now_ms() - DAY_MS, (n * p + 99) / 100 - 1) == 0) {
        if (store_step(st, q, e) == 1)
            v = json_real(sqlite3_column_double(q, 0));
        store_finish(q);
    }
    return v;
}

/* The last 24 hours' checks, oldest first, as columns for a chart. */
static int checks_json(struct store *st, int64_t id, json_t *m, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT at, ok, status, total_ms, error FROM (SELECT * FROM probe_results "
                         "WHERE monitor_id = ? AND at >= ? ORDER BY at DESC LIMIT ?) ORDER BY at",
                         "IIi", id, time_now_ms() - DAY_MS, MAX_RAW);
    if (rc)
        return rc;
    json_t *at = json_array(), *ok = json_array(), *status = json_array(), *ms = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        json_array_append_new(at, json_integer(sqlite3_column_int64(q, 0) / 1000));
        json_array_append_new(ok, json_boolean(sqlite3_column_int(q, 1)));
        json_array_append_new(status, json_integer(sqlite3_column_int(q, 2)));
        json_array_append_new(ms, sqlite3_column_int(q, 2) > 0
                                      ? json_real(sqlite3_column_double(q, 3))
                                      : json_null());
    }
    store_finish(q);
    json_object_set_new(
        m, "checks",
        json_pack("{s:o, s:o, s:o, s:o}", "at", at, "ok", ok, "status", status, "total_ms", ms));
    int64_t n = 0;
    if (rc >= 0)
        rc = store_query_int(st, e, &n,
                             "SELECT count(*) FROM probe_results WHERE monitor_id = ? AND at >= ? "
                             "AND status > 0",
                             "II", id, time_now_ms() - DAY_MS);
    json_object_set_new(m, "latency_ms_24h",
                        json_pack("{s:o, s:o, s:o}", "p50", percentile(st, id, n, 50, e), "p95",
                                  percentile(st, id, n, 95, e), "p99",
                                  percentile(st, id, n, 99, e)));
    return rc < 0 ? rc : 0;
}

/* The monitor's latest findings (its events) and kept page versions. */
static int findings_pages_json(struct store *st, int64_t id, json_t *m, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, category, summary, count, first_seen, last_seen, "
                         "coalesce(cleared_at, 0) FROM events WHERE source = 'probe' AND "
                         "json_extract(details, '$.monitor') = ? ORDER BY last_seen DESC LIMIT 50",
                         "I", id);
    if (rc)
        return rc;
    json_t *f = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(f,
                              json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:o}", "id",
                                        (json_int_t)sqlite3_column_int64(q, 0), "category",
                                        store_col_text(q, 1), "summary", store_col_text(q, 2),
                                        "count", (json_int_t)sqlite3_column_int64(q, 3),
                                        "first_seen", json_time_utc(sqlite3_column_int64(q, 4)),
                                        "last_seen", json_time_utc(sqlite3_column_int64(q, 5)),
                                        "cleared_at", json_time_utc(sqlite3_column_int64(q, 6))));
    store_finish(q);
    json_object_set_new(m, "findings", f);
    if (rc < 0)
        return rc;
    rc = store_query(st, e, &q,
                     "SELECT id, at, object, coalesce(json_extract(details, '$.status'), 0) "
                     "FROM probe_pages WHERE monitor_id = ? ORDER BY at DESC LIMIT 20",
                     "I", id);
    if (rc)
        return rc;
    json_t *p = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            p, json_pack("{s:I, s:o, s:s, s:I}", "id", (json_int_t)sqlite3_column_int64(q, 0), "at",
                         json_time_utc(sqlite3_column_int64(q, 1)), "object", store_col_text(q, 2),
                         "status", (json_int_t)sqlite3_column_int64(q, 3)));
    store_finish(q);
    json_object_set_new(m, "pages", p);
    return rc < 0 ? rc : 0;
}

int web_monitor_show(struct req *r, int64_t id, json_t **out, struct err *e)
{
    struct monitor_conf c;
    int rc = monitor_get(r->st, id, &c, e);
    if (rc)
        return rc;
    json_t *m = monitor_row(&c);
    json_t *hours = NULL;
    rc = hours_json(r->st, id, &hours, e);
    if (!rc) {
        json_object_set_new(m, "hours", hours);
        json_object_set_new(m, "uptime_percent",
                            json_pack("{s:o, s:o, s:o}", "24h", uptime_json(r->st, id, DAY_MS, e),
                                      "7d", uptime_json(r->st, id, 7 * DAY_MS, e), "30d",
                                      uptime_json(r->st, id, 30 * DAY_MS, e)));
        rc = checks_json(r->st, id, m, e);
    }
    if (!rc)
        rc = findings_pages_json(r->st, id, m, e);
    if (rc) {
        json_decref(m);
        return rc;
    }
    *out = m;
    return 200;
}

/* ---- changes (monitor.manage) ------------------------------------------------------------ */

/* A monitor's settings from a request body; the words file is the host's
 * (a path on the server) and not among the fields. */
static int settings_json(struct req *r, json_t **b, struct monitor_set *s, struct err *e)
{
    static const char *const fields[] = {
        "url",        "asset",         "interval_s", "timeout_s", "retries", "keyword", "allow",
        "expect_ips", "expect_status", "cloak",      "enabled",   "relearn", NULL};
    *s = (struct monitor_set)MONITOR_SET_INIT;
    int rc = req_json(r, fields, b, e);
    if (!rc && !(rc = json_str(*b, "url", 0, &s->url, e)) &&
        !(rc = json_str(*b, "asset", 0, &s->asset, e)) &&
        !(rc = json_str(*b, "keyword", 0, &s->keyword, e)) &&
        !(rc = json_str(*b, "allow", 0, &s->allow, e)))
        rc = json_str(*b, "expect_ips", 0, &s->expect_ips, e);
    static const char *const nums[] = {"interval_s", "timeout_s", "retries", "expect_status"};
    int64_t *dst[] = {&s->interval_s, &s->timeout_s, &s->retries, &s->expect_status};
    for (int i = 0; !rc && i < 4; i++) {
        json_t *v = json_object_get(*b, nums[i]);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
            rc = err_set(e, ERR_MALFORMED, "%s must be a whole number", nums[i]);
        else
            *dst[i] = json_integer_value(v);
    }
    if (!rc && !(rc = json_bool(*b, "cloak", &s->cloak, e)) &&
        !(rc = json_bool(*b, "enabled", &s->enabled, e)))
        rc = json_bool(*b, "relearn", &s->relearn, e);
    return rc;
}

int web_monitor_add(struct req *r, json_t **out, struct err *e)
{
    json_t *b = NULL;
    struct monitor_set s;
    int64_t id = 0;
    int rc = settings_json(r, &b, &s, e);
    if (!rc && s.relearn)
        rc = err_set(e, ERR_MALFORMED, "relearn is for a monitor that exists");
    if (!rc)
        rc = monitor_add(r->st, r->user.name, &s, &id, e);
    json_decref(b);
    if (rc)
        return rc;
    /* the monitor as it now is; its id alone should reading it fail */
    if (web_monitor_show(r, id, out, e) < 0)
        *out = json_pack("{s:I}", "id", (json_int_t)id);
    return 201;
}

int web_monitor_edit(struct req *r, int64_t id, json_t **out, struct err *e)
{
    json_t *b = NULL;
    struct monitor_set s;
    int rc = settings_json(r, &b, &s, e);
    if (!rc)
        rc = monitor_edit(r->st, r->user.name, id, &s, e);
    json_decref(b);
    return rc ? rc : web_monitor_show(r, id, out, e);
}

int web_monitor_remove(struct req *r, int64_t id, json_t **out, struct err *e)
{
    char url[2048];
    int rc = monitor_remove(r->st, r->user.name, id, url, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:s}", "removed", (json_int_t)id, "url", url);
    return 200;
}

/* ---- a kept page, as text ---------------------------------------------------------------- */

#define PAGE_TEXT_MAX (2 * 1024 * 1024) /* bytes of a kept page answered, as UTF-8 */

/* One kept version of the page, decoded to UTF-8 from its own character set,
 * with the version kept before it (for a side-by-side comparison). */
int web_monitor_page(struct req *r, int64_t id, int64_t page, json_t **out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(r->st, e, &q,
                         "SELECT at, object, coalesce(json_extract(details, '$.status'), 0), "
                         "coalesce(json_extract(details, '$.content_type'), ''), "
                         "(SELECT max(p.id) FROM probe_pages p WHERE p.monitor_id = probe_pages."
                         "monitor_id AND p.id < probe_pages.id) "
                         "FROM probe_pages WHERE id = ? AND monitor_id = ?",
                         "II", page, id);
    if (rc)
        return rc;
    rc = store_step(r->st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc < 0 ? rc
                      : err_set(e, ERR_NOTFOUND, "monitor %lld kept no page %lld", (long long)id,
                                (long long)page);
    }
    int64_t at = sqlite3_column_int64(q, 0), status = sqlite3_column_int64(q, 2);
    int64_t prev = sqlite3_column_int64(q, 4);
    char hex[SHA256_HEX_LEN], ctype[256];
    snprintf(hex, sizeof hex, "%s", store_col_text(q, 1));
    snprintf(ctype, sizeof ctype, "%s", store_col_text(q, 3));
    store_finish(q);

    struct buf raw, text;
    buf_init(&raw, PROBE_BODY_MAX * 2);
    buf_init(&text, PAGE_TEXT_MAX + 8);
    char charset[32] = "";
    size_t bad = 0;
    int truncated = 0;
    rc = objstore_get(&r->st->objects, hex, PROBE_BODY_MAX * 2, &raw, e);
    if (!rc) {
        size_t n = raw.len > PAGE_TEXT_MAX ? PAGE_TEXT_MAX : raw.len;
        truncated = n < raw.len;
        probe_charset(ctype, raw.p ? raw.p : "", n, charset);
        rc = probe_to_utf8(charset, raw.p ? raw.p : "", n, &text, &bad, e);
        if (rc == ERR_TOOBIG) {
            truncated = 1;
            rc = 0;
        }
    }
    if (!rc) {
        /* a cut may fall inside a character: keep only whole ones */
        size_t n = text.len;
        for (int k = 0; k < 4 && n && !utf8_valid(text.p, n); k++)
            n--;
        if (n && !utf8_valid(text.p, n))
            n = 0;
        *out = json_pack("{s:I, s:I, s:o, s:s, s:I, s:s, s:s#, s:b, s:I, s:o}", "id",
                         (json_int_t)page, "monitor", (json_int_t)id, "at", json_time_utc(at),
                         "object", hex, "status", (json_int_t)status, "charset", charset, "text",
                         text.p ? text.p : "", (int)n, "truncated", truncated, "undecodable",
                         (json_int_t)bad, "previous", prev > 0 ? json_integer(prev) : json_null());
    }
    buf_release(&raw);
    buf_release(&text);
    return rc ? rc : 200;
}
