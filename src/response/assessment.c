/* The post-incident assessment (H-7): cause, nature, impact, responsibility,
 * handling opinions and improvements, due 30 days after the response ends;
 * improvements become tracked tasks; commendation and accountability (G-5). */
#include "response_int.h"

#include <stdio.h>
#include <string.h>

/* Loads the incident and its assessment row, which exists once it closed. */
static int assessment_load(struct store *st, const struct user *as, const char *ref,
                           struct incident_row *row, int64_t *id, int *is_complete, struct err *e)
{
    int rc = incident_load(st, as, ref, row, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT id, completed_at IS NOT NULL FROM assessments WHERE incident_id = ?",
                     "I", row->id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        *id = sqlite3_column_int64(q, 0);
        *is_complete = sqlite3_column_int(q, 1);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_CONFLICT,
                     "incident %s has no assessment yet: it starts when the response is closed",
                     ref);
    }
    store_finish(q);
    return rc;
}

static int begin_edit(struct store *st, const struct user *as, const char *ref,
                      struct incident_row *row, int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_ASSESSMENT_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int done = 0;
    rc = assessment_load(st, as, ref, row, id, &done, e);
    if (!rc && done)
        rc = err_set(e, ERR_CONFLICT, "the assessment of %s is complete and kept as it is", ref);
    if (rc)
        store_rollback(st);
    return rc;
}

int assessment_edit(struct store *st, const struct user *as, const char *ref,
                    const struct assessment_fields *f, struct err *e)
{
    const char *vals[] = {f->cause,          f->nature,   f->impact,
                          f->responsibility, f->handling, f->improvements};
    static const char *const names[] = {"--cause",          "--nature",   "--impact",
                                        "--responsibility", "--handling", "--improvements"};
    int any = 0, rc = 0;
    for (size_t i = 0; !rc && i < 6; i++) {
        if (vals[i]) {
            any = 1;
            rc = text_check(names[i], vals[i], 16384, 1, e);
        }
    }
    if (!rc && !any)
        rc = err_set(e, ERR_USAGE,
                     "give at least one of --cause, --nature, --impact, "
                     "--responsibility, --handling, --improvements");
    if (rc)
        return rc;
    struct incident_row row;
    int64_t id;
    rc = begin_edit(st, as, ref, &row, &id, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "UPDATE assessments SET cause = coalesce(?, cause), "
                    "nature = coalesce(?, nature), impact = coalesce(?, impact), "
                    "responsibility = coalesce(?, responsibility), "
                    "handling = coalesce(?, handling), improvements = coalesce(?, improvements), "
                    "updated_at = ? WHERE id = ?",
                    "ssssssII", f->cause, f->nature, f->impact, f->responsibility, f->handling,
                    f->improvements, time_now_ms(), id);
    if (!rc) {
        rc = audit_append_take(st, as->name, "assessment.edit", ref,
                               json_pack("{s:b, s:b, s:b, s:b, s:b, s:b}", "cause", !!f->cause,
                                         "nature", !!f->nature, "impact", !!f->impact,
                                         "responsibility", !!f->responsibility, "handling",
                                         !!f->handling, "improvements", !!f->improvements),
                               e);
    }
    return resp_finish(st, rc, e);
}

int assessment_add_improvement(struct store *st, const struct user *as, const char *ref,
                               const char *text, const char *department, int64_t due_at,
                               struct err *e)
{
    int rc = text_check("--improvement", text, 1024, 0, e);
    if (!rc)
        rc = text_check("--department (who carries it out)", department, 128, 0, e);
    if (!rc && due_at <= 0)
        rc = err_set(e, ERR_USAGE, "an improvement needs --due");
    if (rc)
        return rc;
    struct incident_row row;
    int64_t id;
    rc = begin_edit(st, as, ref, &row, &id, e);
    if (rc)
        return rc;
    rc = task_insert(st, row.id, 0, "improvement", text, "H-7", ROLE_DEPARTMENT, department, "",
                     due_at, 0, e);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "assessment", e, "整改措施：%s（%s）", text,
                          department);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "assessment.improvement", ref,
            json_pack("{s:s, s:s}", "improvement", text, "department", department), e);
    return resp_finish(st, rc, e);
}

int assessment_add_record(struct store *st, const struct user *as, const char *ref,
                          const char *kind, const char *person, const char *text, struct err *e)
{
    int rc = 0;
    if (strcmp(kind, "commendation") != 0 && strcmp(kind, "accountability") != 0)
        rc = err_set(e, ERR_INPUT, "record kind '%.20s' is not commendation or accountability",
                     kind);
    if (!rc)
        rc = text_check("the person", person, 128, 0, e);
    if (!rc)
        rc = text_check("the record text", text, 4096, 1, e);
    if (rc)
        return rc;
    struct incident_row row;
    int64_t id;
    rc = begin_edit(st, as, ref, &row, &id, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "INSERT INTO assessment_records (assessment_id, kind, person, text, "
                    "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    "IssssI", id, kind, person, text, as->name, time_now_ms());
    if (!rc)
        rc = audit_append_take(st, as->name, "assessment.record", ref,
                               json_pack("{s:s, s:s}", "kind", kind, "person", person), e);
    return resp_finish(st, rc, e);
}

int assessment_complete(struct store *st, const struct user *as, const char *ref, struct err *e)
{
    struct incident_row row;
    int64_t id;
    int rc = begin_edit(st, as, ref, &row, &id, e);
    if (rc)
        return rc;
    if (row.status != INC_CLOSED)
        rc = err_set(e, ERR_CONFLICT, "incident %s is %s; it is assessed once closed", ref,
                     incident_status_code(row.status));
    static const char *const fields[] = {"cause",          "nature",   "impact",
                                         "responsibility", "handling", "improvements"};
    sqlite3_stmt *q = NULL;
    if (!rc)
        rc = store_query(st, e, &q,
                         "SELECT cause, nature, impact, responsibility, handling, improvements "
                         "FROM assessments WHERE id = ?",
                         "I", id);
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        rc = 0;
        for (int i = 0; !rc && i < 6; i++)
            if (!*store_col_text(q, i))
                rc = err_set(e, ERR_CONFLICT,
                             "the assessment of %s is not complete: '%s' is empty (set it with "
                             "'tocsin assessment edit %s --%s TEXT')",
                             ref, fields[i], ref, fields[i]);
    }
    store_finish(q);
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE assessments SET completed_at = ?, completed_by = ?, "
                        "updated_at = ? WHERE id = ?",
                        "IsII", now, as->name, now, id);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE incidents SET status = 'assessed', updated_at = ? WHERE id = ?",
                        "II", now, row.id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "status", e, "完成事件调查评估；状态：%s → %s",
                          incident_status_zh(INC_CLOSED), incident_status_zh(INC_ASSESSED));
    if (!rc) {
        rc = audit_append(st, as->name, "assessment.complete", ref, NULL, e);
    }
    return resp_finish(st, rc, e);
}

int assessment_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                         struct err *e)
{
    struct incident_row row;
    int64_t id;
    int done;
    int rc = assessment_load(st, as, ref, &row, &id, &done, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT due_at, cause, nature, impact, responsibility, handling, "
                     "improvements, coalesce(completed_at, 0), coalesce(completed_by, '') "
                     "FROM assessments WHERE id = ?",
                     "I", id);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no assessment for %s", ref);
    }
    char due[TIME_ISO_LEN], completed[TIME_ISO_LEN] = "";
    time_format_utc(sqlite3_column_int64(q, 0), due);
    if (sqlite3_column_int64(q, 7))
        time_format_utc(sqlite3_column_int64(q, 7), completed);
    json_t *a =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "ref", ref, "due",
                  due, "cause", store_col_text(q, 1), "nature", store_col_text(q, 2), "impact",
                  store_col_text(q, 3), "responsibility", store_col_text(q, 4), "handling",
                  store_col_text(q, 5), "improvements", store_col_text(q, 6), "complete", done,
                  "overdue", !done && sqlite3_column_int64(q, 0) < time_now_ms(), "completed_at",
                  completed, "completed_by", store_col_text(q, 8));
    store_finish(q);
    json_t *records = json_array();
    rc = store_query(st, e, &q,
                     "SELECT kind, person, text, created_by FROM assessment_records "
                     "WHERE assessment_id = ? ORDER BY id",
                     "I", id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        json_array_append_new(records,
                              json_pack("{s:s, s:s, s:s, s:s}", "kind", store_col_text(q, 0),
                                        "person", store_col_text(q, 1), "text",
                                        store_col_text(q, 2), "by", store_col_text(q, 3)));
    store_finish(q);
    json_object_set_new(a, "records", records);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}
