/* Approvals: one mechanism for everything that needs a leader's yes —
 * warnings of red and orange, public statements (H-6), supply dispatch. */
#include "response_int.h"

#include <stdio.h>
#include <string.h>

int approval_request(struct store *st, const char *kind, int64_t object_id, const char *object_ref,
                     const char *summary, enum role approver, const char *requested_by, int64_t *id,
                     struct err *e)
{
    int64_t pending = 0;
    int rc = store_query_int(st, e, &pending,
                             "SELECT count(*) FROM approvals WHERE kind = ? AND object_id = ? AND "
                             "status = 'pending'",
                             "sI", kind, object_id);
    if (!rc && pending)
        return err_set(e, ERR_CONFLICT, "%s %s is already waiting for approval", kind, object_ref);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO approvals (kind, object_id, object_ref, summary, "
                        "approver_role, status, requested_by, requested_at) "
                        "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                        "sIssssI", kind, object_id, object_ref, summary, role_info(approver)->code,
                        requested_by, time_now_ms());
    if (!rc)
        *id = store_last_id(st);
    if (!rc)
        rc = audit_append_take(st, requested_by, "approval.request", object_ref,
                               json_pack("{s:I, s:s, s:s}", "approval", (json_int_t)*id, "kind",
                                         kind, "approver", role_info(approver)->code),
                               e);
    return rc;
}

int approval_list_json(struct store *st, const struct user *as, int pending_only, json_t **out,
                       struct err *e)
{
    if (as->role == ROLE_DEPARTMENT)
        return err_set(e, ERR_DENIED, "user %s (role department) may not see approvals", as->name);
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, kind, object_ref, summary, approver_role, status, "
                         "requested_by, requested_at, coalesce(decided_by, ''), "
                         "coalesce(decided_at, 0), reason FROM approvals "
                         "WHERE (? = 0 OR status = 'pending') ORDER BY id",
                         "i", pending_only);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1) {
        char at[TIME_ISO_LEN];
        time_format_utc(sqlite3_column_int64(q, 7), at);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                             (json_int_t)sqlite3_column_int64(q, 0), "kind", store_col_text(q, 1),
                             "ref", store_col_text(q, 2), "summary", store_col_text(q, 3),
                             "approver_role", store_col_text(q, 4), "status", store_col_text(q, 5),
                             "requested_by", store_col_text(q, 6), "requested_at", at, "decided_by",
                             store_col_text(q, 8), "reason", store_col_text(q, 10)));
    }
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

/* What a decision does to the object it is about. */
/* A supply dispatch (G-1, the tables of src/prep): approved, the quantity
 * leaves the store — refused when the store no longer holds it — and the
 * incident's timeline says so. */
static int dispatch_apply(struct store *st, int64_t id, int approve, const char *actor,
                          struct err *e)
{
    if (!approve)
        return store_exec(st, e, "UPDATE supply_dispatches SET status = 'rejected' WHERE id = ?",
                          "I", id);
    sqlite3_stmt *q;
    int64_t supply = 0, want = 0, have = 0, incident = 0;
    char ref[24] = "", name[260] = "";
    int rc = store_query(st, e, &q,
                         "SELECT d.supply_id, d.quantity, s.quantity, d.incident_id, s.ref, s.name "
                         "FROM supply_dispatches d JOIN supplies s ON s.id = d.supply_id "
                         "WHERE d.id = ?",
                         "I", id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        supply = sqlite3_column_int64(q, 0);
        want = sqlite3_column_int64(q, 1);
        have = sqlite3_column_int64(q, 2);
        incident = sqlite3_column_int64(q, 3);
        snprintf(ref, sizeof ref, "%s", store_col_text(q, 4));
        snprintf(name, sizeof name, "%s", store_col_text(q, 5));
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no dispatch #%lld", (long long)id);
    }
    store_finish(q); /* also after a refusal: a statement left open keeps the connection */
    if (!rc && want > have)
        rc = err_set(e, ERR_CONFLICT,
                     "the store holds %lld of %s now, not the %lld requested: reject it and "
                     "request again",
                     (long long)have, ref, (long long)want);
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE supplies SET quantity = quantity - ?, updated_at = ? WHERE id = ?",
                        "III", want, now, supply);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE supply_dispatches SET status = 'issued', issued_at = ? "
                        "WHERE id = ?",
                        "II", now, id);
    if (!rc)
        rc = timeline_add(st, incident, actor, "supply", e, "应急物资出库：%s（%s）%lld 件", ref,
                          name, (long long)want);
    return rc;
}

static int approval_apply(struct store *st, const char *kind, int64_t object_id, int approve,
                          const char *actor, struct err *e)
{
    if (strcmp(kind, "warning") == 0)
        return store_exec(st, e, "UPDATE warnings SET status = ?, updated_at = ? WHERE id = ?",
                          "sII", approve ? "approved" : "draft", time_now_ms(), object_id);
    if (strcmp(kind, "statement") == 0)
        return store_exec(st, e, "UPDATE statements SET status = ? WHERE id = ?", "sI",
                          approve ? "approved" : "rejected", object_id);
    if (strcmp(kind, "dispatch") == 0)
        return dispatch_apply(st, object_id, approve, actor, e);
    return err_set(e, ERR_INTERNAL, "approval of unknown kind '%s'", kind);
}

int approval_decide(struct store *st, const struct user *as, int64_t id, int approve,
                    const char *reason, struct err *e)
{
    int rc = resp_allow(as, ACT_APPROVE, e);
    if (!rc && !approve)
        rc = text_check("--reason (why it is rejected)", reason, 1024, 1, e);
    if (!rc && reason && *reason)
        rc = text_check("--reason", reason, 1024, 1, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    char kind[32] = "", ref[64] = "", approver[32] = "", status[16] = "";
    int64_t object_id = 0;
    rc = store_query(st, e, &q,
                     "SELECT kind, object_id, object_ref, approver_role, status FROM approvals "
                     "WHERE id = ?",
                     "I", id);
    if (!rc) {
        rc = store_step(st, q, e);
        if (rc == 1) {
            snprintf(kind, sizeof(kind), "%s", store_col_text(q, 0));
            object_id = sqlite3_column_int64(q, 1);
            snprintf(ref, sizeof(ref), "%s", store_col_text(q, 2));
            snprintf(approver, sizeof(approver), "%s", store_col_text(q, 3));
            snprintf(status, sizeof(status), "%s", store_col_text(q, 4));
            rc = 0;
        } else if (rc == 0) {
            rc = err_set(e, ERR_NOTFOUND, "no approval #%lld", (long long)id);
        }
        store_finish(q);
    }
    if (!rc && strcmp(status, "pending") != 0)
        rc = err_set(e, ERR_CONFLICT, "approval #%lld was decided already (%s)", (long long)id,
                     status);
    if (!rc && strcmp(approver, role_info(as->role)->code) != 0)
        rc = err_set(e, ERR_DENIED, "approval #%lld is for the role %s, not %s", (long long)id,
                     approver, role_info(as->role)->code);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, "
                        "reason = ? WHERE id = ?",
                        "ssIsI", approve ? "approved" : "rejected", as->name, time_now_ms(),
                        reason ? reason : "", id);
    if (!rc)
        rc = approval_apply(st, kind, object_id, approve, as->name, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "approval.decide", ref,
                               json_pack("{s:I, s:s, s:s, s:s?}", "approval", (json_int_t)id,
                                         "kind", kind, "decision",
                                         approve ? "approved" : "rejected", "reason", reason),
                               e);
    return resp_finish(st, rc, e);
}

/* ---- statements (H-6) ---------------------------------------------------------- */

static int statement_status(struct store *st, int64_t incident_id, int64_t id, char *status,
                            size_t n, struct err *e)
{
    sqlite3_stmt *q;
    int rc =
        store_query(st, e, &q, "SELECT status FROM statements WHERE id = ? AND incident_id = ?",
                    "II", id, incident_id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1)
        snprintf(status, n, "%s", store_col_text(q, 0));
    store_finish(q);
    if (rc == 0)
        return err_set(e, ERR_NOTFOUND, "no statement #%lld on this incident", (long long)id);
    return rc < 0 ? rc : 0;
}

int statement_draft(struct store *st, const struct user *as, const char *ref, const char *text,
                    int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_STATEMENT_DRAFT, e);
    if (!rc)
        rc = text_check("the statement text", text, 16384, 1, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "INSERT INTO statements (incident_id, text, status, created_by, "
                    "created_at) VALUES (?, ?, 'draft', ?, ?)",
                    "IssI", row.id, text, as->name, time_now_ms());
    if (!rc)
        *id = store_last_id(st);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "statement", e, "起草公开信息 #%lld",
                          (long long)*id);
    if (!rc)
        rc = audit_append_take(st, as->name, "statement.draft", ref,
                               json_pack("{s:I}", "statement", (json_int_t)*id), e);
    return resp_finish(st, rc, e);
}

int statement_submit(struct store *st, const struct user *as, const char *ref, int64_t id,
                     int64_t *approval_id, struct err *e)
{
    int rc = resp_allow(as, ACT_STATEMENT_DRAFT, e);
    if (rc)
        return rc;
    struct incident_row row;
    char status[16] = "";
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = statement_status(st, row.id, id, status, sizeof(status), e);
    if (!rc && strcmp(status, "draft") != 0 && strcmp(status, "rejected") != 0)
        rc = err_set(e, ERR_CONFLICT, "statement #%lld is %s; only a draft can be submitted",
                     (long long)id, status);
    char summary[300];
    snprintf(summary, sizeof(summary), "%s 公开信息 #%lld", ref, (long long)id);
    if (!rc)
        rc = approval_request(st, "statement", id, ref, summary, ROLE_LEADER, as->name, approval_id,
                              e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE statements SET status = 'pending', approval_id = ? WHERE id = ?",
                        "II", *approval_id, id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "statement", e, "公开信息 #%lld 提交领导小组审批",
                          (long long)id);
    return resp_finish(st, rc, e);
}

int statement_release(struct store *st, const struct user *as, const char *ref, int64_t id,
                      struct err *e)
{
    int rc = resp_allow(as, ACT_STATEMENT_RELEASE, e);
    if (rc)
        return rc;
    struct incident_row row;
    char status[16] = "";
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = statement_status(st, row.id, id, status, sizeof(status), e);
    /* Nothing unapproved is ever released (H-6). */
    if (!rc && strcmp(status, "approved") != 0)
        rc = err_set(e, ERR_CONFLICT,
                     "statement #%lld is %s; only a statement a leader approved can be released",
                     (long long)id, status);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE statements SET status = 'released', released_at = ?, "
                        "released_by = ? WHERE id = ?",
                        "IsI", time_now_ms(), as->name, id);
    if (!rc)
        rc =
            timeline_add(st, row.id, as->name, "statement", e, "发布公开信息 #%lld", (long long)id);
    if (!rc)
        rc = audit_append_take(st, as->name, "statement.release", ref,
                               json_pack("{s:I}", "statement", (json_int_t)id), e);
    return resp_finish(st, rc, e);
}
