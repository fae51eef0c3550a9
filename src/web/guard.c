/* The guarded web roots as the web interface reads them: each directory of
 * [guard] protect with its mode and whether a change is still unrestored, and
 * the guard's latest events with their before and after hashes. Read only;
 * publishing windows and accepted changes go through `tocsin guard`. */
#include "web_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24 * 3600000LL)

/* One guarded root: its events of the last day, those not put right. */
static int dir_json(struct req *r, const char *dir, const char *asset, json_t *dirs, struct err *e)
{
    char real[PATH_MAX];
    const char *root = realpath(dir, real) ? real : dir;
    sqlite3_stmt *q;
    int rc = store_query(r->st, e, &q,
                         "SELECT count(*), coalesce(sum(cleared_at IS NULL), 0), "
                         "coalesce(max(last_seen), 0) FROM events WHERE source = 'guard' AND "
                         "json_extract(details, '$.root') = ? AND last_seen > ?",
                         "sI", root, time_now_ms() - DAY_MS);
    if (rc)
        return rc;
    rc = store_step(r->st, q, e);
    if (rc == 1)
        json_array_append_new(
            dirs, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "root", root, "asset", asset, "mode",
                            r->w->opt.guard_mode[0] ? r->w->opt.guard_mode : "restore",
                            "events_24h", (json_int_t)sqlite3_column_int64(q, 0), "unrestored",
                            (json_int_t)sqlite3_column_int64(q, 1), "last_event",
                            json_time_utc(sqlite3_column_int64(q, 2))));
    store_finish(q);
    return rc < 0 ? rc : 0;
}

int web_guard(struct req *r, json_t **out, struct err *e)
{
    json_t *dirs = json_array();
    char list[sizeof(r->w->opt.guard_dirs)], *save = NULL;
    snprintf(list, sizeof(list), "%s", r->w->opt.guard_dirs);
    int rc = 0;
    for (char *item = strtok_r(list, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *at = strrchr(item, '@');
        if (at)
            *at = '\0';
        rc = dir_json(r, item, at ? at + 1 : "", dirs, e);
    }
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(r->st, e, &q,
                         "SELECT id, category, coalesce(asset, ''), summary, count, first_seen, "
                         "last_seen, coalesce(cleared_at, 0), details FROM events "
                         "WHERE source = 'guard' ORDER BY last_seen DESC, id DESC LIMIT 50",
                         "");
    if (rc) {
        json_decref(dirs);
        return rc;
    }
    json_t *events = json_array();
    while ((rc = store_step(r->st, q, e)) == 1) {
        json_t *d = json_loads(store_col_text(q, 8), 0, NULL);
        json_array_append_new(
            events,
            json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "id",
                      (json_int_t)sqlite3_column_int64(q, 0), "category", store_col_text(q, 1),
                      "asset", store_col_text(q, 2), "summary", store_col_text(q, 3), "count",
                      (json_int_t)sqlite3_column_int64(q, 4), "first_seen",
                      json_time_utc(sqlite3_column_int64(q, 5)), "last_seen",
                      json_time_utc(sqlite3_column_int64(q, 6)), "cleared_at",
                      json_time_utc(sqlite3_column_int64(q, 7)), "details", d ? d : json_object()));
    }
    store_finish(q);
    if (rc < 0) {
        json_decref(dirs);
        json_decref(events);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "dirs", dirs, "events", events);
    return 200;
}
