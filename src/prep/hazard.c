/* The hazard register (P-1): hidden dangers found by checks, drills and
 * people, remediated by their department by a deadline and verified by
 * someone else, every move kept. */
#include "prep_int.h"

#include <stdio.h>
#include <string.h>

static const char *const status_codes[HAZ_STATUS_COUNT] = {"open", "remediating", "fixed",
                                                           "verified"};
static const char *const status_zh[HAZ_STATUS_COUNT] = {"待整改", "整改中", "已整改", "已验证"};
static const char *const severity_codes[HAZ_SEVERITY_COUNT] = {"low", "medium", "high", "critical"};

const char *hazard_status_code(enum hazard_status s)
{
    return (unsigned)s < HAZ_STATUS_COUNT ? status_codes[s] : "open";
}

int hazard_status_parse(const char *s, enum hazard_status *out)
{
    for (int i = 0; i < HAZ_STATUS_COUNT; i++)
        if (strcmp(s, status_codes[i]) == 0) {
            *out = (enum hazard_status)i;
            return 0;
        }
    return -1;
}

const char *hazard_severity_code(enum hazard_severity s)
{
    return (unsigned)s < HAZ_SEVERITY_COUNT ? severity_codes[s] : "medium";
}

int hazard_severity_parse(const char *s, enum hazard_severity *out)
{
    for (int i = 0; i < HAZ_SEVERITY_COUNT; i++)
        if (strcmp(s, severity_codes[i]) == 0) {
            *out = (enum hazard_severity)i;
            return 0;
        }
    return -1;
}

static int log_move(struct store *st, int64_t id, const char *actor, enum hazard_status s,
                    const char *note, struct err *e)
{
    return store_exec(st, e,
                      "INSERT INTO hazard_log (hazard_id, at, actor, status, note) "
                      "VALUES (?, ?, ?, ?, ?)",
                      "IIsss", id, time_now_ms(), actor, hazard_status_code(s), note ? note : "");
}

int hazard_add(struct store *st, const struct user *as, const struct hazard_new *in,
               char ref[HAZARD_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_HAZARD_REPORT, e);
    if (!rc)
        rc = prep_text("--title", in->title, 256, 1, 0, e);
    if (!rc)
        rc = prep_text("--asset", in->asset, 128, 0, 0, e);
    if (!rc)
        rc = prep_text("--description", in->description, 8192, 0, 1, e);
    if (!rc)
        rc = prep_text("--department", in->department, 128, 1, 0, e);
    if (!rc && (unsigned)in->severity >= HAZ_SEVERITY_COUNT)
        rc = err_set(e, ERR_INPUT, "--severity must be low, medium, high or critical");
    if (!rc && as->role == ROLE_DEPARTMENT && strcmp(in->department, as->department) != 0)
        rc = err_set(e, ERR_DENIED, "user %s may enter hazards of %s only", as->name,
                     as->department);
    int64_t now = time_now_ms();
    if (!rc && in->deadline_at <= now)
        rc = err_set(e, ERR_INPUT, "--deadline must lie in the future");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t seq = 0;
    rc = store_query_int(st, e, &seq, "SELECT coalesce(max(id), 0) + 1 FROM hazards", "");
    snprintf(ref, HAZARD_REF_LEN, "HZD-%04lld", (long long)seq);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO hazards (ref, title, asset, description, severity, "
                        "department, deadline_at, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ssssssIsII", ref, in->title, in->asset ? in->asset : "",
                        in->description ? in->description : "", hazard_severity_code(in->severity),
                        in->department, in->deadline_at, as->name, now, now);
    if (!rc)
        rc = log_move(st, store_last_id(st), as->name, HAZ_OPEN, "登记", e);
    if (!rc)
        rc = audit_append_take(st, as->name, "hazard.add", ref,
                               json_pack("{s:s, s:s, s:s}", "severity",
                                         hazard_severity_code(in->severity), "department",
                                         in->department, "title", in->title),
                               e);
    return prep_finish(st, rc, e);
}

static int allowed_move(enum hazard_status from, enum hazard_status to)
{
    return (from == HAZ_OPEN && to == HAZ_REMEDIATING) ||
           (from == HAZ_REMEDIATING && to == HAZ_FIXED) ||
           (from == HAZ_FIXED && (to == HAZ_VERIFIED || to == HAZ_REMEDIATING));
}

int hazard_set_status(struct store *st, const struct user *as, const char *ref,
                      enum hazard_status to, const char *note, struct err *e)
{
    int rc = resp_allow(as, to == HAZ_VERIFIED ? ACT_HAZARD_VERIFY : ACT_HAZARD_WORK, e);
    if (!rc)
        rc = prep_text("--note", note, 4096, 0, 1, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    int64_t id = 0;
    char status[16] = "", dept[129] = "", fixed_by[40] = "";
    rc = store_query(st, e, &q,
                     "SELECT id, status, department, coalesce(fixed_by, '') FROM hazards "
                     "WHERE ref = ?",
                     "s", ref);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        id = sqlite3_column_int64(q, 0);
        snprintf(status, sizeof status, "%s", store_col_text(q, 1));
        snprintf(dept, sizeof dept, "%s", store_col_text(q, 2));
        snprintf(fixed_by, sizeof fixed_by, "%s", store_col_text(q, 3));
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no hazard %.20s", ref);
    }
    store_finish(q); /* also after a refusal: a statement left open keeps the connection */
    enum hazard_status from = HAZ_OPEN;
    if (!rc && as->role == ROLE_DEPARTMENT && strcmp(dept, as->department) != 0)
        rc = err_set(e, ERR_NOTFOUND, "no hazard %.20s", ref); /* not theirs to see */
    if (!rc && hazard_status_parse(status, &from) != 0)
        rc = err_set(e, ERR_DAMAGED, "hazard %s has an unknown status '%s'", ref, status);
    if (!rc && !allowed_move(from, to))
        rc = err_set(e, ERR_CONFLICT, "hazard %s is %s: it cannot become %s", ref, status,
                     hazard_status_code(to));
    if (!rc && to == HAZ_VERIFIED && strcmp(fixed_by, as->name) == 0)
        rc = err_set(e, ERR_DENIED, "%s fixed hazard %s: someone else verifies it", as->name, ref);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE hazards SET status = ?, updated_at = ?, "
                        "fixed_by = CASE WHEN ? THEN ? ELSE fixed_by END WHERE id = ?",
                        "sIisI", hazard_status_code(to), time_now_ms(), to == HAZ_FIXED, as->name,
                        id);
    if (!rc)
        rc = log_move(st, id, as->name, to, note, e);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "hazard.status", ref,
            json_pack("{s:s, s:s}", "from", status, "to", hazard_status_code(to)), e);
    return prep_finish(st, rc, e);
}

static json_t *hazard_row(sqlite3_stmt *q, int64_t now)
{
    enum hazard_status s = HAZ_OPEN;
    hazard_status_parse(store_col_text(q, 7), &s);
    int64_t deadline = sqlite3_column_int64(q, 6);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:b}", "ref",
                     store_col_text(q, 0), "title", store_col_text(q, 1), "asset",
                     store_col_text(q, 2), "description", store_col_text(q, 3), "severity",
                     store_col_text(q, 4), "department", store_col_text(q, 5), "deadline",
                     prep_time_json(deadline), "status", status_codes[s], "status_zh", status_zh[s],
                     "overdue", deadline < now && s < HAZ_FIXED);
}

#define HAZARD_COLUMNS                                                                             \
    "ref, title, asset, description, severity, department, deadline_at, status, id FROM hazards "

int hazard_list_json(struct store *st, const struct user *as, const char *status, int overdue_only,
                     json_t **out, struct err *e)
{
    enum hazard_status s;
    if (status && hazard_status_parse(status, &s) != 0)
        return err_set(e, ERR_INPUT, "status '%.20s' is not open, remediating, fixed or verified",
                       status);
    int64_t now = time_now_ms();
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT " HAZARD_COLUMNS "WHERE (?1 IS NULL OR status = ?1) "
                         "AND (?2 = 0 OR (deadline_at < ?3 AND status IN ('open', 'remediating'))) "
                         "AND (?4 IS NULL OR department = ?4) ORDER BY deadline_at, id",
                         "siIs", status, overdue_only, now,
                         as->role == ROLE_DEPARTMENT ? as->department : NULL);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, hazard_row(q, now));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int hazard_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                     struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " HAZARD_COLUMNS "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    int visible = rc == 1 && (as->role != ROLE_DEPARTMENT ||
                              strcmp(store_col_text(q, 5), as->department) == 0);
    if (!visible) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no hazard %.20s", ref);
    }
    int64_t id = sqlite3_column_int64(q, 8);
    json_t *o = hazard_row(q, time_now_ms());
    store_finish(q);
    rc = store_query(st, e, &q,
                     "SELECT at, actor, status, note FROM hazard_log WHERE hazard_id = ? "
                     "ORDER BY id",
                     "I", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *log = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(log, json_pack("{s:o, s:s, s:s, s:s}", "at",
                                             prep_time_json(sqlite3_column_int64(q, 0)), "actor",
                                             store_col_text(q, 1), "status", store_col_text(q, 2),
                                             "note", store_col_text(q, 3)));
    store_finish(q);
    if (rc < 0) {
        json_decref(o);
        json_decref(log);
        return rc;
    }
    json_object_set_new(o, "history", log);
    *out = o;
    return 0;
}
