/* The year's statistics, drills left out: incidents opened in the year by
 * level, category (with the plan's Chinese names) and month, how long they
 * took to be acknowledged and closed, the upward reports they owed and
 * whether on time; warnings published by colour; events received by source;
 * and on a line of their own, the drills held with what they produced. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#define MINUTE_MS 60000.0
#define HOUR_MS   3600000.0

static json_t *mean_or_null(double sum, int64_t n, double unit)
{
    return n > 0 ? json_real(sum / (double)n / unit) : json_null();
}

/* Incidents opened in [from, to), real or drill. */
static int incidents_json(struct store *st, int year, int drill, json_t *out, struct err *e)
{
    json_t *by_level =
        json_pack("{s:i, s:i, s:i, s:i, s:i}", "I", 0, "II", 0, "III", 0, "IV", 0, "ungraded", 0);
    json_t *by_cat = json_object(), *months = json_array();
    for (const struct category *c = category_all(); c->code; c++)
        json_object_set_new(by_cat, c->code,
                            json_pack("{s:s, s:s, s:i}", "zh", c->zh, "en", c->en, "count", 0));
    int64_t bounds[13];
    for (int m = 0; m <= 12; m++)
        bounds[m] = time_month_start(year, m);
    int64_t from = bounds[0], to = bounds[12];
    int counts[12] = {0};
    int64_t total = 0, open = 0, n_ack = 0, n_close = 0;
    double ack_ms = 0, close_ms = 0;
    sqlite3_stmt *q = NULL;
    int rc = store_query(st, e, &q,
                         "SELECT coalesce(level, ''), category, created_at, "
                         "coalesce(acknowledged_at, 0), coalesce(closed_at, 0) "
                         "FROM incidents WHERE created_at >= ? AND created_at < ? AND is_drill = ?",
                         "IIi", from, to, drill);
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        const char *level = store_col_text(q, 0), *cat = store_col_text(q, 1);
        int64_t at = sqlite3_column_int64(q, 2), ack = sqlite3_column_int64(q, 3),
                closed = sqlite3_column_int64(q, 4);
        const char *key = level[0] ? level : "ungraded";
        json_t *lv = json_object_get(by_level, key);
        if (lv)
            json_integer_set(lv, json_integer_value(lv) + 1);
        json_t *c = json_object_get(json_object_get(by_cat, cat), "count");
        if (c)
            json_integer_set(c, json_integer_value(c) + 1);
        for (int m = 0; m < 12; m++)
            if (at >= bounds[m] && at < bounds[m + 1])
                counts[m]++;
        if (ack >= at && ack > 0) {
            ack_ms += (double)(ack - at);
            n_ack++;
        }
        if (closed >= at && closed > 0) {
            close_ms += (double)(closed - at);
            n_close++;
        } else
            open++;
        total++;
        rc = 0;
    }
    store_finish(q);
    for (int m = 0; m < 12; m++)
        json_array_append_new(months, json_integer(counts[m]));
    int64_t due = 0, sent = 0, late = 0;
    q = NULL;
    if (rc >= 0)
        rc = store_query(st, e, &q,
                         "SELECT count(*), count(r.sent_at), coalesce(sum(r.is_late OR "
                         "(r.sent_at IS NULL AND r.due_at < ?)), 0) FROM reports r JOIN incidents "
                         "i ON i.id = r.incident_id WHERE i.created_at >= ? AND i.created_at < ? "
                         "AND i.is_drill = ?",
                         "IIIi", time_now_ms(), from, to, drill);
    if (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        due = sqlite3_column_int64(q, 0);
        sent = sqlite3_column_int64(q, 1);
        late = sqlite3_column_int64(q, 2);
        rc = 0;
    }
    store_finish(q);
    json_object_set_new(
        out, drill ? "drill_incidents" : "incidents",
        json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I}}", "total",
                  (json_int_t)total, "open", (json_int_t)open, "by_level", by_level, "by_category",
                  by_cat, "by_month", months, "mean_minutes_to_acknowledge",
                  mean_or_null(ack_ms, n_ack, MINUTE_MS), "mean_hours_to_close",
                  mean_or_null(close_ms, n_close, HOUR_MS), "upward_reports", "owed",
                  (json_int_t)due, "sent", (json_int_t)sent, "late", (json_int_t)late));
    return rc < 0 ? rc : 0;
}

/* Warnings published in the year by colour, real or drill. */
static int warnings_json(struct store *st, int year, int drill, json_t **out, struct err *e)
{
    json_t *w = json_pack("{s:i, s:i, s:i, s:i, s:i}", "total", 0, "red", 0, "orange", 0, "yellow",
                          0, "blue", 0);
    sqlite3_stmt *q = NULL;
    int rc = store_query(st, e, &q,
                         "SELECT colour, count(*) FROM warnings WHERE published_at >= ? AND "
                         "published_at < ? AND is_drill = ? GROUP BY colour",
                         "IIi", time_month_start(year, 0), time_month_start(year, 12), drill);
    int64_t total = 0;
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        json_t *c = json_object_get(w, store_col_text(q, 0));
        if (c)
            json_integer_set(c, sqlite3_column_int64(q, 1));
        total += sqlite3_column_int64(q, 1);
        rc = 0;
    }
    store_finish(q);
    json_integer_set(json_object_get(w, "total"), total);
    *out = w;
    return rc < 0 ? rc : 0;
}

int stats_year_json(struct store *st, const struct user *as, int year, json_t **out, struct err *e)
{
    int rc = resp_allow(as, ACT_STATS_READ, e);
    if (rc)
        return rc;
    if (year < 2000 || year > 2200)
        return err_set(e, ERR_INPUT, "the year %d is out of range (2000-2200)", year);
    int64_t from = time_month_start(year, 0), to = time_month_start(year, 12);
    json_t *o = json_pack("{s:i, s:b}", "year", year, "drills_excluded", 1);
    json_t *warnings = NULL, *drill_warnings = NULL;
    if (!(rc = incidents_json(st, year, 0, o, e)) && !(rc = incidents_json(st, year, 1, o, e)) &&
        !(rc = warnings_json(st, year, 0, &warnings, e)))
        rc = warnings_json(st, year, 1, &drill_warnings, e);
    json_object_set_new(o, "warnings", warnings ? warnings : json_null());
    /* events received by source, the drills' own injections left out */
    json_t *sources = json_object();
    sqlite3_stmt *q = NULL;
    int64_t events = 0, held = 0, comprehensive = 0;
    if (!rc)
        rc = store_query(st, e, &q,
                         "SELECT source, count(*), sum(count) FROM events WHERE first_seen >= ? "
                         "AND first_seen < ? AND drill_id IS NULL GROUP BY source ORDER BY source",
                         "II", from, to);
    while (!rc && (rc = store_step(st, q, e)) == 1) {
        json_object_set_new(sources, store_col_text(q, 0),
                            json_pack("{s:I, s:I}", "events",
                                      (json_int_t)sqlite3_column_int64(q, 1), "occurrences",
                                      (json_int_t)sqlite3_column_int64(q, 2)));
        events += sqlite3_column_int64(q, 1);
        rc = 0;
    }
    store_finish(q);
    q = NULL;
    json_object_set_new(o, "events",
                        json_pack("{s:I, s:o}", "total", (json_int_t)events, "by_source", sources));
    if (rc >= 0)
        rc = store_query(st, e, &q,
                         "SELECT count(*), coalesce(sum(kind = 'comprehensive'), 0) FROM drills "
                         "WHERE status = 'finished' AND finished_at >= ? AND finished_at < ?",
                         "II", from, to);
    if (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        held = sqlite3_column_int64(q, 0);
        comprehensive = sqlite3_column_int64(q, 1);
        rc = 0;
    }
    store_finish(q);
    json_t *di = json_object_get(o, "drill_incidents");
    json_object_set_new(
        o, "drills",
        json_pack("{s:I, s:I, s:I, s:I}", "held", (json_int_t)held, "comprehensive",
                  (json_int_t)comprehensive, "incidents",
                  (json_int_t)json_integer_value(json_object_get(di, "total")), "warnings",
                  (json_int_t)json_integer_value(json_object_get(drill_warnings, "total"))));
    json_object_del(o, "drill_incidents");
    json_decref(drill_warnings);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}
