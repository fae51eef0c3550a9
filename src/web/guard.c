/* The guarded web roots for the web interface: each directory of [guard]
 * protect with its mode, its publishing window and whether a change is still
 * unrestored; the guard's latest events with their before and after hashes;
 * opening a publishing window and accepting a change, as `tocsin guard
 * publish|accept` do, audited with the acting user. */
#include "../guard/guard.h"
#include "web_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24 * 3600000LL)

/* The root's publishing window, when one is open: {"until","by"}, or null. */
static json_t *window_json(struct req *r, const char *root)
{
    char state[GUARD_PATH_MAX];
    struct err fe = {0};
    struct buf b;
    json_t *v = json_null();
    if (guard_state_dir(r->st->dir, root, state, sizeof(state), 0, &fe) != 0)
        return v;
    buf_init(&b, 256);
    char path[GUARD_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/publish", state);
    long long until = 0;
    char by[128] = "";
    if (fs_read_file(path, 256, &b, &fe) == 0 && b.p &&
        sscanf(b.p, "%lld %127s", &until, by) >= 1 && until > time_now_ms())
        v = json_pack("{s:o, s:s}", "until", json_time_utc(until), "by", by);
    buf_release(&b);
    return v;
}

/* The next directory of [guard] protect ("DIR@ASSET, …") in list, which it
 * cuts up as strtok_r does (list NULL after the first); NULL at the end. */
static char *next_dir(char *list, char **save, const char **asset)
{
    char *item = strtok_r(list, ",", save);
    if (!item)
        return NULL;
    while (*item == ' ')
        item++;
    char *at = strrchr(item, '@');
    if (at)
        *at = '\0';
    *asset = at ? at + 1 : "";
    return item;
}

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
            dirs, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o}", "root", root, "asset", asset,
                            "mode", r->w->opt.guard_mode[0] ? r->w->opt.guard_mode : "restore",
                            "events_24h", (json_int_t)sqlite3_column_int64(q, 0), "unrestored",
                            (json_int_t)sqlite3_column_int64(q, 1), "last_event",
                            json_time_utc(sqlite3_column_int64(q, 2)), "publishing",
                            window_json(r, root)));
    store_finish(q);
    return rc < 0 ? rc : 0;
}

int web_guard(struct req *r, json_t **out, struct err *e)
{
    json_t *dirs = json_array();
    char list[sizeof(r->w->opt.guard_dirs)], *save = NULL;
    const char *asset;
    snprintf(list, sizeof(list), "%s", r->w->opt.guard_dirs);
    int rc = 0;
    for (char *dir = next_dir(list, &save, &asset); !rc && dir; dir = next_dir(NULL, &save, &asset))
        rc = dir_json(r, dir, asset, dirs, e);
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

/* Whether root (resolved) is one of the directories [guard] protect names. */
static int configured(struct req *r, const char *root)
{
    char list[sizeof(r->w->opt.guard_dirs)], *save = NULL, real[PATH_MAX];
    const char *asset;
    snprintf(list, sizeof(list), "%s", r->w->opt.guard_dirs);
    for (char *dir = next_dir(list, &save, &asset); dir; dir = next_dir(NULL, &save, &asset))
        if (realpath(dir, real) && strcmp(real, root) == 0)
            return 1;
    return 0;
}

static int audited(struct req *r, const char *action, const char *object, json_t *details,
                   struct err *e)
{
    int rc = store_begin(r->st, e);
    if (rc) {
        json_decref(details);
        return rc;
    }
    rc = audit_append_take(r->st, r->user.name, action, object, details, e);
    return rc ? (store_rollback(r->st), rc) : store_commit(r->st, e);
}

int web_guard_publish(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"root", "minutes", NULL};
    json_t *b = NULL;
    const char *root = NULL;
    char real[PATH_MAX], state[GUARD_PATH_MAX];
    int rc = req_json(r, fields, &b, e);
    if (!rc)
        rc = json_str(b, "root", 1, &root, e);
    json_t *m = b ? json_object_get(b, "minutes") : NULL;
    if (!rc &&
        (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 7 * 24 * 60))
        rc = err_set(e, ERR_INPUT, "minutes must be a whole number from 1 to 10080 (7 days)");
    if (!rc && (!realpath(root, real) || !configured(r, real)))
        rc = err_set(e, ERR_INPUT, "root is not a directory tocsin guards");
    if (!rc)
        rc = guard_state_dir(r->st->dir, real, state, sizeof(state), 0, e);
    int64_t until = rc ? 0 : time_now_ms() + json_integer_value(m) * 60000;
    if (!rc)
        rc = guard_publish(state, until, r->user.name, e);
    char when[TIME_ISO_LEN];
    time_format_utc(until, when);
    if (!rc)
        rc = audited(r, "guard.publish", real, json_pack("{s:s}", "until", when), e);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:s, s:s}", "root", real, "until", when);
    return 200;
}

#define ACCEPT_MAX 64

int web_guard_accept(struct req *r, json_t **out, struct err *e)
{
    static const char *const fields[] = {"paths", NULL};
    json_t *b = NULL;
    int rc = req_json(r, fields, &b, e);
    json_t *paths = b ? json_object_get(b, "paths") : NULL;
    size_t n = json_array_size(paths);
    if (!rc && (!json_is_array(paths) || n < 1 || n > ACCEPT_MAX))
        rc = err_set(e, ERR_INPUT, "paths must be a list of 1 to %d files", ACCEPT_MAX);
    char(*rels)[GUARD_PATH_MAX] = rc ? NULL : calloc(n, GUARD_PATH_MAX);
    const char *relp[ACCEPT_MAX];
    if (!rc && !rels)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    char state[GUARD_PATH_MAX], first[GUARD_PATH_MAX] = "";
    for (size_t i = 0; !rc && i < n; i++) {
        const char *p = json_string_value(json_array_get(paths, i));
        if (!p || p[0] != '/')
            rc = err_set(e, ERR_INPUT, "paths must be absolute file names");
        if (!rc)
            rc = guard_locate(r->st->dir, p, state, sizeof(state), rels[i], sizeof(rels[i]), e);
        if (!rc && first[0] && strcmp(state, first) != 0)
            rc = err_set(e, ERR_INPUT, "paths lie in different guarded directories");
        snprintf(first, sizeof(first), "%s", state);
        relp[i] = rels[i];
    }
    if (!rc)
        rc = guard_accept(r->st->dir, first, relp, (int)n, r->user.name, e);
    if (!rc)
        rc = audited(r, "guard.accept", first, json_pack("{s:O}", "paths", paths), e);
    free(rels);
    json_decref(b);
    if (rc)
        return rc;
    *out = json_pack("{s:I}", "accepted", (json_int_t)n);
    return 200;
}
