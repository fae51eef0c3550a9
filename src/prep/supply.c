/* The emergency-supplies store (G-1): what is kept where, and what an
 * incident took. A dispatch is a request until a leader approves it through
 * the approvals of the plan core (src/response/approval.c applies the
 * decision to these tables), so nothing leaves the store unapproved. */
#include "prep_int.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_codes[SUPPLY_KIND_COUNT] = {"hardware", "software", "rescue"};

const char *supply_kind_code(enum supply_kind k)
{
    return (unsigned)k < SUPPLY_KIND_COUNT ? kind_codes[k] : "hardware";
}

int supply_kind_parse(const char *s, enum supply_kind *out)
{
    for (int i = 0; i < SUPPLY_KIND_COUNT; i++)
        if (strcmp(s, kind_codes[i]) == 0) {
            *out = (enum supply_kind)i;
            return 0;
        }
    return -1;
}

int supply_add(struct store *st, const struct user *as, const struct supply_new *in,
               char ref[SUPPLY_REF_LEN], struct err *e)
{
    int rc = resp_allow(as, ACT_SUPPLY_MANAGE, e);
    if (!rc)
        rc = prep_text("--name", in->name, 256, 1, 0, e);
    if (!rc)
        rc = prep_text("--location", in->location, 256, 1, 0, e);
    if (!rc && (unsigned)in->kind >= SUPPLY_KIND_COUNT)
        rc = err_set(e, ERR_INPUT, "--kind must be hardware, software or rescue");
    if (!rc && (in->quantity < 0 || in->quantity > 1000000000))
        rc = err_set(e, ERR_INPUT, "--quantity must be 0 to 1,000,000,000");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t seq = 0, now = time_now_ms();
    rc = store_query_int(st, e, &seq, "SELECT coalesce(max(id), 0) + 1 FROM supplies", "");
    snprintf(ref, SUPPLY_REF_LEN, "SUP-%04lld", (long long)seq);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO supplies (ref, name, kind, quantity, location, expires_at, "
                        "maintain_at, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "sssIsTTsII", ref, in->name, supply_kind_code(in->kind), in->quantity,
                        in->location, in->expires_at, in->maintain_at, as->name, now, now);
    if (!rc)
        rc = audit_append_take(st, as->name, "supply.add", ref,
                               json_pack("{s:s, s:s, s:I, s:s}", "name", in->name, "kind",
                                         supply_kind_code(in->kind), "quantity",
                                         (json_int_t)in->quantity, "location", in->location),
                               e);
    return prep_finish(st, rc, e);
}

#define SUPPLY_COLUMNS                                                                             \
    "id, ref, name, kind, quantity, location, state, coalesce(expires_at, 0), "                    \
    "coalesce(maintain_at, 0), (SELECT coalesce(sum(quantity - returned), 0) FROM "                \
    "supply_dispatches d WHERE d.supply_id = supplies.id AND d.status = 'issued') "                \
    "FROM supplies "

static json_t *supply_row(sqlite3_stmt *q)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:I}", "ref", store_col_text(q, 1),
                     "name", store_col_text(q, 2), "kind", store_col_text(q, 3), "quantity",
                     (json_int_t)sqlite3_column_int64(q, 4), "location", store_col_text(q, 5),
                     "state", store_col_text(q, 6), "expires_at",
                     prep_time_json(sqlite3_column_int64(q, 7)), "maintain_at",
                     prep_time_json(sqlite3_column_int64(q, 8)), "out",
                     (json_int_t)sqlite3_column_int64(q, 9));
}

int supply_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    (void)as; /* every signed-in role may see what the store holds */
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " SUPPLY_COLUMNS "ORDER BY id", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, supply_row(q));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int supply_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                     struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, "SELECT " SUPPLY_COLUMNS "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no supply item %.20s", ref);
    }
    int64_t id = sqlite3_column_int64(q, 0);
    json_t *o = supply_row(q);
    store_finish(q);
    rc = store_query(st, e, &q,
                     "SELECT d.id, i.ref, d.quantity, d.returned, d.status, d.reason, "
                     "d.requested_by, d.requested_at, coalesce(d.approval_id, 0), "
                     "coalesce(d.issued_at, 0), coalesce(d.returned_at, 0) "
                     "FROM supply_dispatches d JOIN incidents i ON i.id = d.incident_id "
                     "WHERE d.supply_id = ? ORDER BY d.id",
                     "I", id);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *ds = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            ds, json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "id",
                          (json_int_t)sqlite3_column_int64(q, 0), "incident", store_col_text(q, 1),
                          "quantity", (json_int_t)sqlite3_column_int64(q, 2), "returned",
                          (json_int_t)sqlite3_column_int64(q, 3), "status", store_col_text(q, 4),
                          "reason", store_col_text(q, 5), "requested_by", store_col_text(q, 6),
                          "requested_at", prep_time_json(sqlite3_column_int64(q, 7)), "approval",
                          (json_int_t)sqlite3_column_int64(q, 8), "issued_at",
                          prep_time_json(sqlite3_column_int64(q, 9)), "returned_at",
                          prep_time_json(sqlite3_column_int64(q, 10))));
    store_finish(q);
    if (rc < 0) {
        json_decref(o);
        json_decref(ds);
        return rc;
    }
    json_object_set_new(o, "dispatches", ds);
    *out = o;
    return 0;
}

int supply_dispatch(struct store *st, const struct user *as, const char *ref, int64_t quantity,
                    const char *incident, const char *reason, int64_t *approval_id, struct err *e)
{
    int rc = resp_allow(as, ACT_SUPPLY_DISPATCH, e);
    if (!rc && (quantity < 1 || quantity > 1000000000))
        rc = err_set(e, ERR_INPUT, "--quantity must be at least 1");
    if (!rc && reason && *reason && (strlen(reason) > 1024 || !utf8_valid(reason, strlen(reason))))
        rc = err_set(e, ERR_INPUT, "--reason is not UTF-8 text of at most 1024 bytes");
    if (!rc && (!incident || !*incident))
        rc = err_set(e, ERR_USAGE, "--incident: supplies are dispatched for an incident");
    if (rc)
        return rc;
    json_t *inc = NULL;
    rc = incident_show_json(st, as, incident, &inc, e); /* exists, and the user may see it */
    const char *status = json_string_value(json_object_get(inc, "status"));
    if (!rc && status && (strcmp(status, "closed") == 0 || strcmp(status, "assessed") == 0))
        rc = err_set(e, ERR_CONFLICT, "incident %s is %s: nothing is dispatched for it", incident,
                     status);
    json_decref(inc);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    int64_t supply = 0, have = 0;
    char name[260] = "", state[16] = "";
    rc = store_query(st, e, &q, "SELECT id, quantity, name, state FROM supplies WHERE ref = ?", "s",
                     ref);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        supply = sqlite3_column_int64(q, 0);
        have = sqlite3_column_int64(q, 1);
        snprintf(name, sizeof name, "%s", store_col_text(q, 2));
        snprintf(state, sizeof state, "%s", store_col_text(q, 3));
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no supply item %.20s", ref);
    }
    store_finish(q); /* also after a refusal: a statement left open keeps the connection */
    if (!rc && strcmp(state, "ready") != 0)
        rc = err_set(e, ERR_CONFLICT, "%s is %s, not ready to be dispatched", ref, state);
    if (!rc && quantity > have)
        rc = err_set(e, ERR_CONFLICT, "the store holds %lld of %s, not %lld", (long long)have, ref,
                     (long long)quantity);
    int64_t incident_id = 0;
    if (!rc)
        rc = store_query_int(st, e, &incident_id, "SELECT id FROM incidents WHERE ref = ?", "s",
                             incident);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO supply_dispatches (supply_id, incident_id, quantity, status, "
                        "reason, requested_by, requested_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                        "IIIssI", supply, incident_id, quantity, reason ? reason : "", as->name,
                        time_now_ms());
    int64_t dispatch = store_last_id(st);
    char summary[400];
    snprintf(summary, sizeof summary, "%s 调用应急物资 %s（%s）%lld 件", incident, ref, name,
             (long long)quantity);
    if (!rc)
        rc = approval_request(st, "dispatch", dispatch, ref, summary, ROLE_LEADER, as->name,
                              approval_id, e);
    if (!rc)
        rc = store_exec(st, e, "UPDATE supply_dispatches SET approval_id = ? WHERE id = ?", "II",
                        *approval_id, dispatch);
    return prep_finish(st, rc, e);
}

int supply_return(struct store *st, const struct user *as, int64_t dispatch_id, int64_t quantity,
                  struct err *e)
{
    int rc = resp_allow(as, ACT_SUPPLY_DISPATCH, e);
    if (!rc && (quantity < 1 || quantity > 1000000000))
        rc = err_set(e, ERR_INPUT, "--quantity must be at least 1");
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    int64_t supply = 0, out = 0;
    char status[16] = "", ref[SUPPLY_REF_LEN] = "";
    rc = store_query(st, e, &q,
                     "SELECT d.supply_id, d.quantity - d.returned, d.status, s.ref FROM "
                     "supply_dispatches d JOIN supplies s ON s.id = d.supply_id WHERE d.id = ?",
                     "I", dispatch_id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        supply = sqlite3_column_int64(q, 0);
        out = sqlite3_column_int64(q, 1);
        snprintf(status, sizeof status, "%s", store_col_text(q, 2));
        snprintf(ref, sizeof ref, "%s", store_col_text(q, 3));
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no dispatch #%lld", (long long)dispatch_id);
    }
    store_finish(q); /* also after a refusal: a statement left open keeps the connection */
    if (!rc && strcmp(status, "issued") != 0)
        rc = err_set(e, ERR_CONFLICT, "dispatch #%lld is %s: only issued supplies come back",
                     (long long)dispatch_id, status);
    if (!rc && quantity > out)
        rc = err_set(e, ERR_CONFLICT, "dispatch #%lld has %lld out, not %lld",
                     (long long)dispatch_id, (long long)out, (long long)quantity);
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE supply_dispatches SET returned = returned + ?1, "
                        "status = CASE WHEN returned + ?1 = quantity THEN 'returned' ELSE status "
                        "END, returned_at = ?2 WHERE id = ?3",
                        "III", quantity, now, dispatch_id);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE supplies SET quantity = quantity + ?, updated_at = ? WHERE id = ?",
                        "III", quantity, now, supply);
    if (!rc)
        rc = audit_append_take(st, as->name, "supply.return", ref,
                               json_pack("{s:I, s:I}", "dispatch", (json_int_t)dispatch_id,
                                         "quantity", (json_int_t)quantity),
                               e);
    return prep_finish(st, rc, e);
}
