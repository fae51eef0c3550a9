/* What the response files share: permission checks, transactions, settings,
 * assets, loading incidents and writing their timeline. */
#include "response_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int resp_allow(const struct user *as, enum action a, struct err *e)
{
    if (permission_allows(as->role, a))
        return 0;
    return err_set(e, ERR_DENIED, "user %s (role %s) may not %s", as->name,
                   role_info(as->role)->code, action_info(a)->en);
}

int resp_finish(struct store *st, int rc, struct err *e)
{
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}

int actor_load(struct store *st, const char *name, struct user *out, struct err *e)
{
    int rc = user_find(st, name, out, e);
    if (rc == ERR_NOTFOUND)
        return err_reset(e, ERR_DENIED, "--as: no user named '%.40s'", name);
    if (!rc && out->is_disabled)
        return err_set(e, ERR_DENIED, "--as: user %s is disabled", name);
    return rc;
}

int text_check(const char *what, const char *s, size_t max, int multiline, struct err *e)
{
    if (!s || !*s)
        return err_set(e, ERR_INPUT, "%s is required", what);
    size_t n = strlen(s);
    if (n > max)
        return err_set(e, ERR_INPUT, "%s is longer than %zu bytes", what, max);
    if (!utf8_valid(s, n))
        return err_set(e, ERR_INPUT, "%s is not valid UTF-8", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
            return err_set(e, ERR_INPUT, "%s contains a control character", what);
    }
    return 0;
}

int owner_check(struct store *st, const char *department, const char *person, struct err *e)
{
    if (!department && !person)
        return err_set(e, ERR_USAGE, "give --department, --person or both");
    int rc = department ? text_check("--department", department, 128, 0, e) : 0;
    struct user u;
    if (!rc && person)
        rc = user_find(st, person, &u, e);
    return rc;
}

int local_year(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 1970;
    return tm.tm_year + 1900;
}

/* ---- settings ------------------------------------------------------------ */

int setting_int(struct store *st, const char *key, int64_t fallback, int64_t *out, struct err *e)
{
    struct buf b;
    buf_init(&b, 64);
    int rc = store_meta_get(st, key, &b, NULL);
    *out = fallback;
    if (rc == 0) {
        char *end;
        long long v = strtoll(buf_str(&b), &end, 10);
        if (*buf_str(&b) == '\0' || *end != '\0') {
            rc = err_set(e, ERR_INPUT, "setting %s = '%.40s' is not a whole number", key,
                         buf_str(&b));
        } else {
            *out = v;
        }
    } else if (rc == ERR_NOTFOUND) {
        rc = 0;
    }
    buf_release(&b);
    return rc;
}

/* The settings an organisation may change, with their bounds. */
static const struct {
    const char *key;
    int64_t min, max;
} settings[] = {
    {"deadline.ack_report", 60000, 7 * PLAN_DAY_MS},
    {"deadline.city_office", 60000, 7 * PLAN_DAY_MS},
    {"deadline.city_command", 60000, 7 * PLAN_DAY_MS},
    {"deadline.cac", 60000, 7 * PLAN_DAY_MS},
    {"deadline.police", 60000, 7 * PLAN_DAY_MS},
    {"deadline.final_report", PLAN_DAY_MS, 365 * PLAN_DAY_MS},
    {"deadline.assessment", PLAN_DAY_MS, 365 * PLAN_DAY_MS},
    {"deadline.escalation", 1000, PLAN_DAY_MS},
    {"level.down_long_min", 1, 7 * 24 * 60},
    {"level.degraded_long_min", 1, 7 * 24 * 60},
    {"level.records_iii", 1, INT64_MAX},
    {"level.records_ii", 1, INT64_MAX},
    {"level.records_i", 1, INT64_MAX},
    {"warning.officer_publishes_low", 0, 1},
    {"session.idle_s", 1, 7 * 24 * 3600},
    {"session.max_s", 1, 30 * 24 * 3600},
    {"server.timeout_s", 1, 3600},
    {"server.max_connections", 4, 65536},
    {"server.threads", 1, 16},
    {"server.max_body_bytes", 1024, 64 * 1024 * 1024},
    {"server.max_upload_bytes", 1024, (int64_t)4 << 30},
    {"logwatch.flush_ms", 200, 600000},
    {"logwatch.window_s", 60, 86400},
    {"logwatch.brute_attempts", 2, 100000},
    {"logwatch.scan_404", 2, 100000},
    {"logwatch.scan_paths", 2, 256},
    {"logwatch.flood_client", 10, 10000000},
    {"logwatch.flood_min", 10, 100000000},
    {"logwatch.paranoia", 1, 4},
    {"logwatch.tool_attacks", 2, 100000},
    {"logwatch.tool_404", 2, 1000000},
    {"probe.per_host", 1, 256},
    {"probe.max_body_bytes", 4096, 64 * 1024 * 1024},
    {"probe.retry_s", 1, 3600},
    {"probe.cloak_every", 1, 10000},
    {"probe.keep_raw_days", 1, 3650},
    {"triage.window_s", 60, 7 * 86400},
    {"triage.public_after_s", 0, 86400},
    {"triage.auto_restored", 0, 1},
    {"triage.auto_level", 0, 4},
    {"notify.timeout_s", 1, 120},
    {"notify.retry_s", 1, 3600},
    {"notify.max_attempts", 1, 50},
    {"notify.report_remind_s", 0, 7 * 86400},
    {"notify.per_minute", 1, 100000},
    {"backup.zstd_level", 1, 19},
    {"backup.threads", 0, 64},
};

int setting_set(struct store *st, const struct user *as, const char *key, const char *value,
                struct err *e)
{
    if (as->role != ROLE_ADMIN && as->role != ROLE_LEADER)
        return err_set(e, ERR_DENIED, "user %s (role %s) may not change settings", as->name,
                       role_info(as->role)->code);
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        if (strcmp(settings[i].key, key) != 0)
            continue;
        char *end;
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || v < settings[i].min || v > settings[i].max)
            return err_set(e, ERR_INPUT, "setting %s must be a whole number from %lld to %lld", key,
                           (long long)settings[i].min, (long long)settings[i].max);
        int rc = store_begin(st, e);
        if (rc)
            return rc;
        rc = store_meta_set(st, key, value, e);
        if (!rc)
            rc = audit_append_take(st, as->name, "setting.set", key,
                                   json_pack("{s:s}", "value", value), e);
        return resp_finish(st, rc, e);
    }
    return err_set(e, ERR_INPUT, "unknown setting '%.60s'", key);
}

int deadline_ms(struct store *st, enum deadline d, int64_t *out, struct err *e)
{
    const struct deadline_info *di = deadline_info(d);
    return setting_int(st, di->setting, di->default_ms, out, e);
}

int level_thresholds_load(struct store *st, struct level_thresholds *t, struct err *e)
{
    level_thresholds_default(t);
    int rc = setting_int(st, "level.down_long_min", t->down_long_min, &t->down_long_min, e);
    if (!rc)
        rc = setting_int(st, "level.degraded_long_min", t->degraded_long_min, &t->degraded_long_min,
                         e);
    if (!rc)
        rc = setting_int(st, "level.records_iii", t->records_iii, &t->records_iii, e);
    if (!rc)
        rc = setting_int(st, "level.records_ii", t->records_ii, &t->records_ii, e);
    if (!rc)
        rc = setting_int(st, "level.records_i", t->records_i, &t->records_i, e);
    return rc;
}

/* ---- assets ----------------------------------------------------------------- */

int asset_add(struct store *st, const struct user *as, const char *name, enum asset_kind kind,
              enum asset_importance importance, const char *department, const char *owner,
              struct err *e)
{
    if (as->role != ROLE_ADMIN && !permission_allows(as->role, ACT_INCIDENT_MANAGE))
        return err_set(e, ERR_DENIED, "user %s (role %s) may not add assets", as->name,
                       role_info(as->role)->code);
    int rc = text_check("asset name", name, 128, 0, e);
    if (!rc)
        rc = text_check("department", department, 128, 0, e);
    if (!rc && owner && *owner)
        rc = text_check("owner", owner, 128, 0, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(st, e, &n, "SELECT count(*) FROM assets WHERE name = ?", "s", name);
    if (!rc && n)
        rc = err_set(e, ERR_EXISTS, "asset '%s' exists already", name);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO assets (name, kind, importance, department, owner, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "sssssI", name, asset_kind_code(kind), asset_importance_code(importance),
                        department, owner ? owner : "", time_now_ms());
    if (!rc)
        rc = audit_append_take(st, as->name, "asset.add", name,
                               json_pack("{s:s, s:s, s:s}", "kind", asset_kind_code(kind),
                                         "importance", asset_importance_code(importance),
                                         "department", department),
                               e);
    return resp_finish(st, rc, e);
}

int asset_profile(struct store *st, const char *name, enum asset_kind *kind,
                  enum asset_importance *importance, struct err *e)
{
    sqlite3_stmt *q;
    int rc =
        store_query(st, e, &q, "SELECT kind, importance FROM assets WHERE name = ?", "s", name);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    int found = rc == 1 && asset_kind_parse(store_col_text(q, 0), kind) == 0 &&
                asset_importance_parse(store_col_text(q, 1), importance) == 0;
    store_finish(q);
    if (rc < 0)
        return rc;
    if (found)
        return 1;
    if (asset_kind_parse(name, kind) != 0)
        *kind = ASSET_OTHER;
    *importance = *kind == ASSET_PORTAL || *kind == ASSET_OA ? IMPORTANCE_CORE : IMPORTANCE_GENERAL;
    return 0;
}

int asset_list_json(struct store *st, json_t **out, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT name, kind, importance, department, owner FROM assets "
                         "ORDER BY name",
                         "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", store_col_text(q, 0), "kind",
                             store_col_text(q, 1), "importance", store_col_text(q, 2), "department",
                             store_col_text(q, 3), "owner", store_col_text(q, 4)));
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* ---- incidents: loading and timeline ------------------------------------------- */

#define INCIDENT_ROW_SQL                                                                           \
    "SELECT id, ref, title, category, subcategory, level, proposed_level, status, "                \
    "owner_department, owner_user, reported_by, reporter_department, is_sabotage, is_crime, "      \
    "is_drill, started_at, created_at, closed_at FROM incidents "

static int row_read(struct store *st, sqlite3_stmt *q, struct incident_row *r, struct err *e)
{
    int rc = store_step(st, q, e);
    if (rc != 1)
        return rc;
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(q, 0);
    snprintf(r->ref, sizeof(r->ref), "%s", store_col_text(q, 1));
    snprintf(r->title, sizeof(r->title), "%s", store_col_text(q, 2));
    snprintf(r->category, sizeof(r->category), "%s", store_col_text(q, 3));
    snprintf(r->subcategory, sizeof(r->subcategory), "%s", store_col_text(q, 4));
    if (level_parse(store_col_text(q, 5), &r->level) != 0)
        r->level = LEVEL_NONE;
    if (level_parse(store_col_text(q, 6), &r->proposed) != 0)
        r->proposed = LEVEL_NONE;
    if (incident_status_parse(store_col_text(q, 7), &r->status) != 0)
        return err_set(e, ERR_DAMAGED, "incident %s has an unknown status '%s'", r->ref,
                       store_col_text(q, 7));
    snprintf(r->owner_department, sizeof(r->owner_department), "%s", store_col_text(q, 8));
    snprintf(r->owner_user, sizeof(r->owner_user), "%s", store_col_text(q, 9));
    snprintf(r->reported_by, sizeof(r->reported_by), "%s", store_col_text(q, 10));
    snprintf(r->reporter_department, sizeof(r->reporter_department), "%s", store_col_text(q, 11));
    r->is_sabotage = sqlite3_column_int(q, 12);
    r->is_crime = sqlite3_column_int(q, 13);
    r->is_drill = sqlite3_column_int(q, 14);
    r->started_at = sqlite3_column_int64(q, 15);
    r->created_at = sqlite3_column_int64(q, 16);
    r->closed_at = sqlite3_column_int64(q, 17);
    return 1;
}

int incident_load_id(struct store *st, int64_t id, struct incident_row *row, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, INCIDENT_ROW_SQL "WHERE id = ?", "I", id);
    if (rc)
        return rc;
    rc = row_read(st, q, row, e);
    store_finish(q);
    if (rc == 0)
        return err_set(e, ERR_NOTFOUND, "no incident with id %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int incident_visible(const struct user *as, const struct incident_row *row)
{
    if (permission_allows(as->role, ACT_INCIDENT_READ_ALL))
        return 1;
    if (as->role != ROLE_DEPARTMENT)
        return 0;
    return strcmp(row->reported_by, as->name) == 0 ||
           (as->department[0] && (strcmp(row->owner_department, as->department) == 0 ||
                                  strcmp(row->reporter_department, as->department) == 0));
}

int incident_load(struct store *st, const struct user *as, const char *ref,
                  struct incident_row *row, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, INCIDENT_ROW_SQL "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = row_read(st, q, row, e);
    store_finish(q);
    if (rc < 0)
        return rc;
    /* An incident the user may not see is reported as not found, so that its
     * existence does not leak. */
    if (rc == 0 || (as && !incident_visible(as, row)))
        return err_set(e, ERR_NOTFOUND, "no incident %.40s", ref);
    return 0;
}

int incident_begin(struct store *st, const struct user *as, const char *ref,
                   struct incident_row *row, struct err *e)
{
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    rc = incident_load(st, as, ref, row, e);
    if (rc)
        store_rollback(st);
    return rc;
}

enum level incident_effective_level(const struct incident_row *row)
{
    return row->level != LEVEL_NONE ? row->level : row->proposed;
}

int timeline_add(struct store *st, int64_t incident_id, const char *actor, const char *kind,
                 struct err *e, const char *fmt, ...)
{
    struct buf b;
    buf_init(&b, 8192);
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO timeline (incident_id, at, actor, kind, text) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "IIsss", incident_id, time_now_ms(), actor, kind, buf_str(&b));
    buf_release(&b);
    return rc;
}
