/* Warnings (W-1, W-5, W-6, W-7): drafted with every field the plan names,
 * approved by a leader where the colour needs it, published with their
 * response tasks, and lifted by an explicit, recorded act. */
#include "response_int.h"

#include <stdio.h>
#include <string.h>

struct warning_row {
    int64_t id;
    char ref[WARNING_REF_LEN];
    enum colour colour;
    char status[16];
    int64_t deadline_at;
    int is_drill;
};

static int warning_load(struct store *st, const char *ref, struct warning_row *w, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, ref, colour, status, deadline_at, is_drill FROM warnings "
                         "WHERE ref = ?",
                         "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        w->id = sqlite3_column_int64(q, 0);
        snprintf(w->ref, sizeof(w->ref), "%s", store_col_text(q, 1));
        if (colour_parse(store_col_text(q, 2), &w->colour) != 0)
            w->colour = COLOUR_RED; /* unknown: treat as needing the most approval */
        snprintf(w->status, sizeof(w->status), "%s", store_col_text(q, 3));
        w->deadline_at = sqlite3_column_int64(q, 4);
        w->is_drill = sqlite3_column_int(q, 5);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no warning %.40s", ref);
    }
    store_finish(q);
    return rc;
}

/* Red and orange always need a leader; yellow and blue only when the
 * organisation's setting says so. */
static int needs_approval(struct store *st, enum colour c, int *out, struct err *e)
{
    int64_t officer_low = 1;
    int rc = setting_int(st, "warning.officer_publishes_low", 1, &officer_low, e);
    *out = c == COLOUR_RED || c == COLOUR_ORANGE || !officer_low;
    return rc;
}

int warning_draft(struct store *st, const struct user *as, const struct warning_new *in,
                  char ref[WARNING_REF_LEN], struct err *e)
{
    const struct category *cat;
    const struct subcategory *sub;
    int64_t now = time_now_ms(), start = in->start_at ? in->start_at : now;
    int rc = resp_allow(as, ACT_WARNING_DRAFT, e);
    /* W-5: category, level (the colour), start time, possible scope, warning
     * items, measures with time limits, issuing authority — all required. */
    if (!rc && in->colour == COLOUR_NONE)
        rc = err_set(e, ERR_INPUT, "--colour is required (red, orange, yellow or blue)");
    if (!rc && (!in->category || category_parse(in->category, &cat, &sub) != 0))
        rc = err_set(e, ERR_INPUT, "--category '%.60s' is not a category of the plan",
                     in->category ? in->category : "");
    if (!rc)
        rc = text_check("--scope (possible scope)", in->scope, 4096, 1, e);
    if (!rc)
        rc = text_check("--items (warning items)", in->items, 8192, 1, e);
    if (!rc)
        rc = text_check("--measure (measures to take)", in->measures, 8192, 1, e);
    if (!rc)
        rc = text_check("--issuer (issuing authority)", in->issuer, 256, 0, e);
    if (!rc && in->deadline_at <= 0)
        rc = err_set(e, ERR_INPUT, "--deadline (the measures' time limit) is required");
    if (!rc && in->deadline_at <= start)
        rc = err_set(e, ERR_INPUT, "--deadline must come after the warning's start");
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t incident_id = 0, seq = 0;
    int year = local_year(now);
    if (in->incident) {
        struct incident_row row;
        rc = incident_load(st, as, in->incident, &row, e);
        incident_id = row.id;
    }
    if (!rc)
        rc = store_query_int(st, e, &seq,
                             "SELECT coalesce(max(seq), 0) + 1 FROM warnings WHERE year = ?", "i",
                             year);
    if (!rc) {
        snprintf(ref, WARNING_REF_LEN, "WRN-%04d-%04lld", year, (long long)seq);
        rc = store_exec(st, e,
                        "INSERT INTO warnings (ref, year, seq, colour, category, subcategory, "
                        "start_at, scope, items, measures, deadline_at, issuer, status, "
                        "incident_id, is_drill, created_by, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
                        "siIsssIsssIsTisII", ref, year, seq, colour_code(in->colour), cat->code,
                        sub ? sub->code : NULL, start, in->scope, in->items, in->measures,
                        in->deadline_at, in->issuer, incident_id, in->is_drill ? 1 : 0, as->name,
                        now, now);
    }
    if (!rc)
        rc = audit_append_take(st, as->name, "warning.draft", ref,
                               json_pack("{s:s, s:s, s:s}", "colour", colour_code(in->colour),
                                         "category", in->category, "issuer", in->issuer),
                               e);
    return resp_finish(st, rc, e);
}

int warning_submit(struct store *st, const struct user *as, const char *ref, int64_t *approval_id,
                   struct err *e)
{
    int rc = resp_allow(as, ACT_WARNING_DRAFT, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct warning_row w;
    int needs = 0;
    *approval_id = 0;
    rc = warning_load(st, ref, &w, e);
    if (!rc && strcmp(w.status, "draft") != 0)
        rc = err_set(e, ERR_CONFLICT, "warning %s is %s; only a draft can be submitted", ref,
                     w.status);
    if (!rc)
        rc = needs_approval(st, w.colour, &needs, e);
    if (!rc && needs) {
        char summary[200];
        snprintf(summary, sizeof(summary), "发布%s预警 %s", colour_zh(w.colour), ref);
        rc = approval_request(st, "warning", w.id, ref, summary, ROLE_LEADER, as->name, approval_id,
                              e);
    }
    if (!rc)
        rc = store_exec(st, e, "UPDATE warnings SET status = ?, updated_at = ? WHERE id = ?", "sII",
                        needs ? "pending" : "approved", time_now_ms(), w.id);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "warning.submit", ref,
            json_pack("{s:b, s:I}", "needs_approval", needs, "approval", (json_int_t)*approval_id),
            e);
    return resp_finish(st, rc, e);
}

int warning_approve(struct store *st, const struct user *as, const char *ref, const char *reason,
                    struct err *e)
{
    struct warning_row w;
    int rc = warning_load(st, ref, &w, e);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = store_query_int(st, e, &id,
                         "SELECT id FROM approvals WHERE kind = 'warning' AND object_id = ? AND "
                         "status = 'pending'",
                         "I", w.id);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_CONFLICT, "warning %s is not waiting for approval (it is %s)", ref,
                       w.status);
    if (rc)
        return rc;
    return approval_decide(st, as, id, 1, reason, e);
}

int warning_publish(struct store *st, const struct user *as, const char *ref, struct err *e)
{
    struct warning_row w;
    int rc = warning_load(st, ref, &w, e);
    if (rc)
        return rc;
    int high = w.colour == COLOUR_RED || w.colour == COLOUR_ORANGE;
    rc = resp_allow(as, high ? ACT_WARNING_PUBLISH_HIGH : ACT_WARNING_PUBLISH_LOW, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    int needs = 0;
    rc = warning_load(st, ref, &w, e);
    if (!rc)
        rc = needs_approval(st, w.colour, &needs, e);
    int ready = strcmp(w.status, "approved") == 0 || (!needs && strcmp(w.status, "draft") == 0);
    if (!rc && !ready)
        rc = err_set(e, ERR_CONFLICT, "warning %s is %s; a %s warning is published only %s", ref,
                     w.status, colour_code(w.colour),
                     needs ? "after a leader approved it" : "from a draft");
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE warnings SET status = 'published', published_at = ?, "
                        "published_by = ?, updated_at = ? WHERE id = ?",
                        "IsII", now, as->name, now, w.id);
    /* W-6: the office organises risk assessment, preparation and risk control. */
    static const struct {
        const char *code, *title;
    } tasks[] = {{"risk-assessment", "开展风险评估"},
                 {"preparation", "做好应急准备"},
                 {"risk-control", "落实风险管控措施"}};
    for (size_t i = 0; !rc && i < sizeof(tasks) / sizeof(tasks[0]); i++)
        rc = task_insert(st, 0, w.id, tasks[i].code, tasks[i].title, "W-6", ROLE_OFFICER, "", "",
                         w.deadline_at, 1, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "warning.publish", ref,
                               json_pack("{s:s}", "colour", colour_code(w.colour)), e);
    return resp_finish(st, rc, e);
}

int warning_lift(struct store *st, const struct user *as, const char *ref, const char *reason,
                 struct err *e)
{
    int rc = resp_allow(as, ACT_WARNING_LIFT, e);
    if (!rc)
        rc = text_check("--reason (why the warning is lifted)", reason, 1024, 1, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct warning_row w;
    rc = warning_load(st, ref, &w, e);
    if (!rc && strcmp(w.status, "published") != 0)
        rc = err_set(e, ERR_CONFLICT, "warning %s is %s; only a published warning is lifted", ref,
                     w.status);
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE warnings SET status = 'lifted', lifted_at = ?, lifted_by = ?, "
                        "lift_reason = ?, updated_at = ? WHERE id = ?",
                        "IssII", now, as->name, reason, now, w.id);
    if (!rc)
        rc = audit_append_take(st, as->name, "warning.lift", ref,
                               json_pack("{s:s}", "reason", reason), e);
    return resp_finish(st, rc, e);
}

static json_t *warning_json(sqlite3_stmt *q)
{
    char start[TIME_ISO_LEN], deadline[TIME_ISO_LEN];
    enum colour c = COLOUR_NONE;
    colour_parse(store_col_text(q, 2), &c);
    time_format_utc(sqlite3_column_int64(q, 5), start);
    time_format_utc(sqlite3_column_int64(q, 9), deadline);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                     "s:b}",
                     "ref", store_col_text(q, 1), "colour", store_col_text(q, 2), "colour_zh",
                     colour_zh(c), "level", level_code(level_for_colour(c)), "category",
                     store_col_text(q, 3), "subcategory", store_col_text(q, 4), "start", start,
                     "scope", store_col_text(q, 6), "items", store_col_text(q, 7), "measures",
                     store_col_text(q, 8), "deadline", deadline, "issuer", store_col_text(q, 10),
                     "status", store_col_text(q, 11), "lift_reason", store_col_text(q, 12), "drill",
                     sqlite3_column_int(q, 13));
}

#define WARNING_SQL                                                                                \
    "SELECT id, ref, colour, category, coalesce(subcategory, ''), start_at, scope, items, "        \
    "measures, deadline_at, issuer, status, coalesce(lift_reason, ''), is_drill FROM warnings "

int warning_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                      struct err *e)
{
    (void)as; /* warnings are for everyone they concern; all roles may read them */
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, WARNING_SQL "WHERE ref = ?", "s", ref);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        json_t *w = warning_json(q);
        int64_t id = sqlite3_column_int64(q, 0);
        store_finish(q);
        json_t *tasks = json_array();
        rc = store_query(st, e, &q,
                         "SELECT id, title, due_at, done_at IS NOT NULL FROM tasks "
                         "WHERE warning_id = ? ORDER BY id",
                         "I", id);
        while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
            char due[TIME_ISO_LEN];
            time_format_utc(sqlite3_column_int64(q, 2), due);
            json_array_append_new(tasks, json_pack("{s:I, s:s, s:s, s:b}", "id",
                                                   (json_int_t)sqlite3_column_int64(q, 0), "title",
                                                   store_col_text(q, 1), "due", due, "done",
                                                   sqlite3_column_int(q, 3)));
        }
        store_finish(q);
        json_object_set_new(w, "tasks", tasks);
        if (rc < 0) {
            json_decref(w);
            return rc;
        }
        *out = w;
        return 0;
    }
    store_finish(q);
    return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no warning %.40s", ref);
}

int warning_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q, WARNING_SQL "ORDER BY id DESC", "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(items, warning_json(q));
    store_finish(q);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}
