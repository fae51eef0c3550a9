/* Tasks of incidents and warnings, and the one list of everything due. */
#include "response_int.h"

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

int task_insert(struct store *st, int64_t incident_id, int64_t warning_id, const char *code,
                const char *title, const char *clause, enum role owner, const char *department,
                const char *assignee, int64_t due_at, int is_mandatory, struct err *e)
{
    return store_exec(
        st, e,
        "INSERT INTO tasks (incident_id, warning_id, code, title, clause, owner_role, "
        "department, assignee, due_at, is_mandatory, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "TTssssssIiI", incident_id, warning_id, code, title, clause, role_info(owner)->code,
        department ? department : "", assignee ? assignee : "", due_at, is_mandatory,
        time_now_ms());
}

int task_add(struct store *st, const struct user *as, const char *ref, const char *title,
             const char *department, const char *assignee, int64_t due_at, int is_mandatory,
             int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_TASK_MANAGE, e);
    if (!rc)
        rc = text_check("--title", title, 256, 0, e);
    if (!rc && department)
        rc = text_check("--department", department, 128, 0, e);
    struct user u;
    if (!rc && assignee)
        rc = user_find(st, assignee, &u, e);
    if (!rc && due_at <= 0)
        rc = err_set(e, ERR_USAGE, "a task needs --due");
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    if (!rc && row.status >= INC_CLOSED)
        rc = err_set(e, ERR_CONFLICT, "incident %s is %s; reopen it to add tasks", ref,
                     incident_status_code(row.status));
    if (!rc)
        rc = task_insert(st, row.id, 0, "custom", title, "", ROLE_DEPARTMENT, department, assignee,
                         due_at, is_mandatory, e);
    if (!rc)
        *id = store_last_id(st);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "task", e, "新增任务 #%lld：%s", (long long)*id,
                          title);
    if (!rc)
        rc = audit_append_take(st, as->name, "task.add", ref,
                               json_pack("{s:I, s:s, s:s?, s:s?}", "task", (json_int_t)*id, "title",
                                         title, "department", department, "assignee", assignee),
                               e);
    return resp_finish(st, rc, e);
}

struct task_row {
    int64_t incident_id, warning_id;
    char department[129], assignee[USER_NAME_MAX + 1], title[257];
    int is_done;
};

static int task_load(struct store *st, int64_t id, struct task_row *t, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT coalesce(incident_id, 0), coalesce(warning_id, 0), department, "
                         "assignee, title, done_at IS NOT NULL FROM tasks WHERE id = ?",
                         "I", id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 1) {
        t->incident_id = sqlite3_column_int64(q, 0);
        t->warning_id = sqlite3_column_int64(q, 1);
        snprintf(t->department, sizeof(t->department), "%s", store_col_text(q, 2));
        snprintf(t->assignee, sizeof(t->assignee), "%s", store_col_text(q, 3));
        snprintf(t->title, sizeof(t->title), "%s", store_col_text(q, 4));
        t->is_done = sqlite3_column_int(q, 5);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "no task #%lld", (long long)id);
    }
    store_finish(q);
    return rc;
}

int task_assign(struct store *st, const struct user *as, int64_t id, const char *department,
                const char *assignee, struct err *e)
{
    int rc = resp_allow(as, ACT_TASK_MANAGE, e);
    if (!rc)
        rc = owner_check(st, department, assignee, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct task_row t;
    rc = task_load(st, id, &t, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE tasks SET department = coalesce(?, department), "
                        "assignee = coalesce(?, assignee) WHERE id = ?",
                        "ssI", department, assignee, id);
    if (!rc && t.incident_id)
        rc = timeline_add(st, t.incident_id, as->name, "task", e, "任务 #%lld 交由 %s %s",
                          (long long)id, department ? department : t.department,
                          assignee ? assignee : t.assignee);
    if (!rc) {
        char obj[32];
        snprintf(obj, sizeof(obj), "task:%lld", (long long)id);
        rc = audit_append_take(
            st, as->name, "task.assign", obj,
            json_pack("{s:s?, s:s?}", "department", department, "assignee", assignee), e);
    }
    return resp_finish(st, rc, e);
}

int task_done(struct store *st, const struct user *as, int64_t id, const char *note, struct err *e)
{
    int rc = resp_allow(as, ACT_TASK_DONE, e);
    if (!rc && note && *note)
        rc = text_check("--note", note, 4096, 1, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct task_row t;
    rc = task_load(st, id, &t, e);
    if (!rc && t.is_done)
        rc = err_set(e, ERR_CONFLICT, "task #%lld is done already", (long long)id);
    /* A department finishes only what is its own. */
    if (!rc && as->role == ROLE_DEPARTMENT && strcmp(t.assignee, as->name) != 0 &&
        (!as->department[0] || strcmp(t.department, as->department) != 0))
        rc = err_set(e, ERR_DENIED, "task #%lld belongs to %s, not to user %s", (long long)id,
                     t.department[0] ? t.department : "the office", as->name);
    if (!rc)
        rc = store_exec(st, e, "UPDATE tasks SET done_at = ?, done_by = ?, note = ? WHERE id = ?",
                        "IssI", time_now_ms(), as->name, note ? note : "", id);
    if (!rc && t.incident_id)
        rc = timeline_add(st, t.incident_id, as->name, "task", e, "完成任务 #%lld：%s%s%s%s",
                          (long long)id, t.title, note && *note ? "（" : "",
                          note && *note ? note : "", note && *note ? "）" : "");
    if (!rc) {
        char obj[32];
        snprintf(obj, sizeof(obj), "task:%lld", (long long)id);
        rc =
            audit_append_take(st, as->name, "task.done", obj, json_pack("{s:s?}", "note", note), e);
    }
    return resp_finish(st, rc, e);
}

/* ---- due ------------------------------------------------------------------- */

static void due_item(json_t *items, int64_t now, int overdue_only, const char *kind,
                     const char *ref, int64_t id, const char *what, int64_t due_at,
                     const char *owner)
{
    int overdue = due_at < now;
    if (overdue_only && !overdue)
        return;
    char when[TIME_ISO_LEN];
    time_format_utc(due_at, when);
    json_array_append_new(items,
                          json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:b, s:s}", "kind", kind, "ref",
                                    ref, "id", (json_int_t)id, "what", what, "due", when, "due_ms",
                                    (json_int_t)due_at, "overdue", overdue, "owner", owner));
}

static int due_cmp(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "due_ms"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "due_ms"));
    return x < y ? -1 : x > y;
}

/* The start of this year and its last day (local time), in ms. */
static void year_bounds(int64_t now, int64_t *from, int64_t *by)
{
    int year = local_year(now);
    struct tm start = {.tm_year = year - 1900, .tm_mday = 1, .tm_isdst = -1};
    struct tm end = {.tm_year = year - 1900, .tm_mon = 11, .tm_mday = 31, .tm_isdst = -1};
    *from = (int64_t)mktime(&start) * 1000;
    *by = (int64_t)mktime(&end) * 1000;
}

int due_list_json(struct store *st, const struct user *as, int overdue_only, json_t **out,
                  struct err *e)
{
    int64_t now = time_now_ms(), ack = 0;
    int is_dept = as->role == ROLE_DEPARTMENT;
    int rc = deadline_ms(st, DL_ACK_REPORT, &ack, e);
    if (rc)
        return rc;
    json_t *items = json_array();
    sqlite3_stmt *q;
    /* Open tasks of incidents still being handled, and of warnings in force. */
    rc = store_query(st, e, &q,
                     "SELECT t.id, coalesce(i.ref, w.ref), t.title, t.due_at, "
                     "CASE WHEN t.assignee <> '' THEN t.assignee WHEN t.department <> '' "
                     "THEN t.department ELSE t.owner_role END, t.department, t.assignee "
                     "FROM tasks t LEFT JOIN incidents i ON i.id = t.incident_id "
                     "LEFT JOIN warnings w ON w.id = t.warning_id "
                     "WHERE t.done_at IS NULL AND (w.status IS NULL OR w.status = 'published') "
                     "AND (i.status IS NULL OR i.status NOT IN ('closed', 'assessed') "
                     "OR t.code = 'improvement')",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        if (is_dept && strcmp(store_col_text(q, 6), as->name) != 0 &&
            strcmp(store_col_text(q, 5), as->department) != 0)
            continue;
        due_item(items, now, overdue_only, "task", store_col_text(q, 1), sqlite3_column_int64(q, 0),
                 store_col_text(q, 2), sqlite3_column_int64(q, 3), store_col_text(q, 4));
    }
    store_finish(q);
    if (rc < 0 || is_dept)
        goto out;
    rc = store_query(st, e, &q,
                     "SELECT r.id, i.ref, r.recipient, r.kind, r.due_at FROM reports r "
                     "JOIN incidents i ON i.id = r.incident_id WHERE r.sent_at IS NULL",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        enum recipient rcp;
        const char *who = recipient_parse(store_col_text(q, 2), &rcp) == 0 ? recipient_info(rcp)->zh
                                                                           : store_col_text(q, 2);
        char what[256];
        snprintf(what, sizeof(what), "向%s报送%s", who,
                 strcmp(store_col_text(q, 3), "final") == 0 ? "总结报告" : "事件报告");
        due_item(items, now, overdue_only, "report", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, sqlite3_column_int64(q, 4), "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    rc = store_query(st, e, &q,
                     "SELECT id, ref, title, created_at FROM incidents "
                     "WHERE status = 'reported' AND acknowledged_at IS NULL",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[300];
        snprintf(what, sizeof(what), "确认部门报告：%s", store_col_text(q, 2));
        due_item(items, now, overdue_only, "acknowledge", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, sqlite3_column_int64(q, 3) + ack, "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* training for all staff (P-4): a department nobody of which attended a
     * training this year, by the year's end */
    {
        int64_t from, by;
        year_bounds(now, &from, &by);
        rc = store_query(st, e, &q,
                         "SELECT DISTINCT u.department FROM users u WHERE u.is_disabled = 0 "
                         "AND coalesce(u.department, '') != '' AND NOT EXISTS (SELECT 1 FROM "
                         "training_attendees a JOIN trainings t ON t.id = a.training_id WHERE "
                         "a.department = u.department AND t.kind = 'training' AND "
                         "t.held_at >= ?) ORDER BY u.department",
                         "I", from);
        while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
            char what[300];
            snprintf(what, sizeof(what), "全员培训：%s 今年尚无人参加网络安全培训",
                     store_col_text(q, 0));
            due_item(items, now, overdue_only, "training", store_col_text(q, 0), 0, what, by,
                     "officer");
        }
        store_finish(q);
        if (rc < 0)
            goto out;
    }
    /* security checks on their schedule (P-1): from the last run, or from when
     * the checklist was made; a checklist for once until it has run */
    rc = store_query(st, e, &q,
                     "SELECT c.id, c.name, CASE c.schedule WHEN 'once' THEN c.due_at ELSE "
                     "coalesce((SELECT max(started_at) FROM check_runs WHERE checklist_id = c.id), "
                     "c.created_at) + CASE c.schedule WHEN 'daily' THEN 86400000 WHEN 'weekly' "
                     "THEN 604800000 ELSE 2592000000 END END FROM checklists c WHERE "
                     "c.schedule != 'once' OR NOT EXISTS (SELECT 1 FROM check_runs WHERE "
                     "checklist_id = c.id)",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[300];
        snprintf(what, sizeof(what), "安全检查：%s", store_col_text(q, 1));
        due_item(items, now, overdue_only, "check", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, sqlite3_column_int64(q, 2), "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* each asset's latest risk assessment falls due for review (P-1) */
    rc = store_query(st, e, &q,
                     "SELECT id, ref, asset, next_review_at FROM risk_assessments WHERE id IN "
                     "(SELECT max(id) FROM risk_assessments GROUP BY asset)",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[300];
        snprintf(what, sizeof(what), "复评风险：%s", store_col_text(q, 2));
        due_item(items, now, overdue_only, "risk", store_col_text(q, 1), sqlite3_column_int64(q, 0),
                 what, sqlite3_column_int64(q, 3), "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* hazards to remediate by their deadline (P-1) */
    rc = store_query(st, e, &q,
                     "SELECT id, ref, title, deadline_at, department FROM hazards "
                     "WHERE status IN ('open', 'remediating')",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[400];
        snprintf(what, sizeof(what), "整改隐患：%s", store_col_text(q, 2));
        due_item(items, now, overdue_only, "hazard", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, sqlite3_column_int64(q, 3),
                 store_col_text(q, 4));
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* emergency supplies expiring within 30 days, or due for maintenance within 7 (G-1) */
    rc = store_query(st, e, &q,
                     "SELECT id, ref, name, expires_at, 'expires' FROM supplies "
                     "WHERE state != 'retired' AND expires_at IS NOT NULL AND expires_at <= ?1 "
                     "UNION ALL SELECT id, ref, name, maintain_at, 'maintain' FROM supplies "
                     "WHERE state != 'retired' AND maintain_at IS NOT NULL AND maintain_at <= ?2",
                     "II", now + 30 * PLAN_DAY_MS, now + 7 * PLAN_DAY_MS);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[400];
        snprintf(what, sizeof(what), "%s：%s",
                 strcmp(store_col_text(q, 4), "expires") == 0 ? "应急物资到期更换"
                                                              : "应急物资维护保养",
                 store_col_text(q, 2));
        due_item(items, now, overdue_only, "supply", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, sqlite3_column_int64(q, 3), "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* backups (G-2): each scheduled job's next archive falls due one interval
     * after its last good one; a job whose latest run failed or did not read
     * back is due at once */
    rc = store_query(st, e, &q,
                     "SELECT j.id, j.name, coalesce((SELECT max(finished_at) FROM backup_runs "
                     "WHERE job_id = j.id AND state = 'good'), j.created_at) + j.interval_s * "
                     "1000, (SELECT state || ':' || coalesce(error, '') FROM backup_runs WHERE "
                     "job_id = j.id AND state IN ('good', 'failed', 'damaged') ORDER BY id DESC "
                     "LIMIT 1) FROM backup_jobs j WHERE j.enabled = 1 AND j.interval_s > 0",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[600];
        const char *last = store_col_text(q, 3);
        int bad = strncmp(last, "failed:", 7) == 0 || strncmp(last, "damaged:", 8) == 0;
        if (bad)
            snprintf(what, sizeof(what), "备份失败：%s（%.400s）", store_col_text(q, 1),
                     strchr(last, ':') + 1);
        else
            snprintf(what, sizeof(what), "备份并验证：%s", store_col_text(q, 1));
        due_item(items, now, overdue_only, "backup", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), what, bad ? now : sqlite3_column_int64(q, 2),
                 "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    /* drills (P-3, G-4): findings to act on by their deadline; and at least one
     * comprehensive drill a year (GB/T 38645-2020), by the year's end */
    rc = store_query(st, e, &q,
                     "SELECT f.id, d.ref, f.text, f.due_at, f.department FROM drill_findings f "
                     "JOIN drills d ON d.id = f.drill_id WHERE f.done_at IS NULL",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[1200], ref[40];
        snprintf(what, sizeof(what), "演练整改（%s）：%s", store_col_text(q, 1),
                 store_col_text(q, 2));
        snprintf(ref, sizeof(ref), "finding:%lld", (long long)sqlite3_column_int64(q, 0));
        due_item(items, now, overdue_only, "drill", ref, sqlite3_column_int64(q, 0), what,
                 sqlite3_column_int64(q, 3), store_col_text(q, 4));
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    {
        int year = local_year(now);
        int64_t from, by, held = 0;
        year_bounds(now, &from, &by);
        rc = store_query_int(st, e, &held,
                             "SELECT count(*) FROM drills WHERE kind = 'comprehensive' AND "
                             "status = 'finished' AND started_at >= ?",
                             "I", from);
        if (rc < 0)
            goto out;
        if (!held) {
            char ref[16];
            snprintf(ref, sizeof(ref), "drill:%d", year);
            due_item(items, now, overdue_only, "drill", ref, 0, "年度综合应急演练（每年至少一次）",
                     by, "officer");
        }
    }
    /* a department's short report waits in triage for the same acknowledgement */
    rc = store_query(st, e, &q,
                     "SELECT p.id, min(ev.first_seen), ev.summary FROM proposals p "
                     "JOIN events ev ON ev.proposal_id = p.id "
                     "WHERE p.status = 'open' AND ev.source LIKE 'department:%' GROUP BY p.id",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1) {
        char what[1200], ref[40];
        snprintf(what, sizeof(what), "研判部门报告：%s", store_col_text(q, 2));
        snprintf(ref, sizeof(ref), "proposal:%lld", (long long)sqlite3_column_int64(q, 0));
        due_item(items, now, overdue_only, "acknowledge", ref, sqlite3_column_int64(q, 0), what,
                 sqlite3_column_int64(q, 1) + ack, "officer");
    }
    store_finish(q);
    if (rc < 0)
        goto out;
    rc = store_query(st, e, &q,
                     "SELECT a.id, i.ref, a.due_at FROM assessments a "
                     "JOIN incidents i ON i.id = a.incident_id "
                     "WHERE a.completed_at IS NULL AND i.status = 'closed'",
                     "");
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        due_item(items, now, overdue_only, "assessment", store_col_text(q, 1),
                 sqlite3_column_int64(q, 0), "完成事件调查评估（预案7.4）",
                 sqlite3_column_int64(q, 2), "officer");
    store_finish(q);
out:
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    size_t n = json_array_size(items);
    json_t **v = calloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(items, i));
    qsort(v, n, sizeof(*v), due_cmp);
    json_array_clear(items);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, v[i]);
    free(v);
    *out = items;
    return 0;
}
