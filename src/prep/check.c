/* Security checks (P-1): checklists on a schedule, runs with a result per
 * item — some filled by tocsin from what it knows — and a failed item turned
 * into a hazard in one step. */
#include "prep_int.h"

#include <stdio.h>
#include <string.h>

static const char *const schedule_codes[CHECK_SCHEDULE_COUNT] = {"daily", "weekly", "monthly",
                                                                 "once"};

const char *check_schedule_code(enum check_schedule s)
{
    return (unsigned)s < CHECK_SCHEDULE_COUNT ? schedule_codes[s] : "once";
}

int check_schedule_parse(const char *s, enum check_schedule *out)
{
    for (int i = 0; i < CHECK_SCHEDULE_COUNT; i++)
        if (strcmp(s, schedule_codes[i]) == 0) {
            *out = (enum check_schedule)i;
            return 0;
        }
    return -1;
}

/* The automatic items: each a query that counts what is wrong. */
static const struct {
    const char *code, *zh, *sql;
} autos[] = {
    {"monitors-up", "所有网站监测正常",
     "SELECT count(*) FROM monitors WHERE enabled = 1 AND state != 'up' AND ?1 > 0"},
    {"certs-30d", "证书 30 天内无到期",
     "SELECT count(*) FROM events WHERE source = 'probe' AND fingerprint LIKE "
     "'probe:probe:%:certificate:%' AND cleared_at IS NULL AND last_seen > ?1 - 172800000"},
    {"guard-intact", "网页防篡改无未恢复的改动",
     "SELECT count(*) FROM events WHERE source = 'guard' AND cleared_at IS NULL AND "
     "last_seen > ?1 - 86400000"},
    {"no-overdue-tasks", "没有逾期的处置任务",
     "SELECT count(*) FROM tasks t LEFT JOIN incidents i ON i.id = t.incident_id WHERE "
     "t.done_at IS NULL AND t.due_at < ?1 AND (i.status IS NULL OR i.status NOT IN "
     "('closed', 'assessed'))"},
    {"backups-good", "备份按时完成且验证可恢复",
     "SELECT count(*) FROM backup_jobs j WHERE j.enabled = 1 AND j.interval_s > 0 AND ("
     "coalesce((SELECT max(finished_at) FROM backup_runs WHERE job_id = j.id AND state = "
     "'good'), 0) < ?1 - 2000 * j.interval_s OR (SELECT state FROM backup_runs WHERE job_id = "
     "j.id AND state IN ('good', 'failed', 'damaged') ORDER BY id DESC LIMIT 1) != 'good')"},
    {"no-overdue-hazards", "没有逾期未整改的隐患",
     "SELECT count(*) FROM hazards WHERE status IN ('open', 'remediating') AND deadline_at < ?1"},
};

const char *check_auto_describe(const char *code)
{
    for (size_t i = 0; code && i < sizeof autos / sizeof autos[0]; i++)
        if (strcmp(code, autos[i].code) == 0)
            return autos[i].zh;
    return NULL;
}

const char *check_auto_codes(void)
{
    return "monitors-up, certs-30d, guard-intact, no-overdue-tasks, no-overdue-hazards";
}

int checklist_add(struct store *st, const struct user *as, const struct checklist_new *in,
                  struct err *e)
{
    int rc = resp_allow(as, ACT_CHECK_MANAGE, e);
    if (!rc)
        rc = prep_text("the checklist's name", in->name, 128, 1, 0, e);
    if (!rc && (unsigned)in->schedule >= CHECK_SCHEDULE_COUNT)
        rc = err_set(e, ERR_INPUT, "the schedule is daily, weekly, monthly or once");
    if (!rc && in->schedule == CHECK_ONCE && in->due_at <= time_now_ms())
        rc = err_set(e, ERR_INPUT, "a checklist for once needs a date in the future");
    if (!rc && (in->n_items == 0 || in->n_items > CHECK_ITEMS_MAX))
        rc = err_set(e, ERR_USAGE, "a checklist has 1 to %d items", CHECK_ITEMS_MAX);
    for (size_t i = 0; !rc && i < in->n_items; i++) {
        const struct check_item *it = &in->items[i];
        if (it->auto_code && !check_auto_describe(it->auto_code))
            rc = err_set(e, ERR_INPUT, "'%.40s' is not an automatic check (%s)", it->auto_code,
                         check_auto_codes());
        if (!rc)
            rc = prep_text("an item", it->text, 512, !it->auto_code, 0, e);
        if (!rc)
            rc = prep_text("an item's expected result", it->expected, 512, 0, 0, e);
    }
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t n = 0, now = time_now_ms();
    rc =
        store_query_int(st, e, &n, "SELECT count(*) FROM checklists WHERE name = ?", "s", in->name);
    if (!rc && n)
        rc = err_set(e, ERR_EXISTS, "checklist '%s' exists already", in->name);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO checklists (name, schedule, due_at, created_by, created_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "ssTsI", in->name, check_schedule_code(in->schedule),
                        in->schedule == CHECK_ONCE ? in->due_at : (int64_t)0, as->name, now);
    int64_t id = store_last_id(st);
    for (size_t i = 0; !rc && i < in->n_items; i++) {
        const struct check_item *it = &in->items[i];
        rc = store_exec(st, e,
                        "INSERT INTO checklist_items (checklist_id, pos, text, expected, auto) "
                        "VALUES (?, ?, ?, ?, ?)",
                        "Iisss", id, (int)i + 1,
                        it->text && *it->text ? it->text : check_auto_describe(it->auto_code),
                        it->expected ? it->expected : "", it->auto_code ? it->auto_code : "");
    }
    if (!rc)
        rc =
            audit_append_take(st, as->name, "check.add", in->name,
                              json_pack("{s:s, s:i}", "schedule", check_schedule_code(in->schedule),
                                        "items", (int)in->n_items),
                              e);
    return prep_finish(st, rc, e);
}

int checklist_list_json(struct store *st, const struct user *as, json_t **out, struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT c.name, c.schedule, (SELECT count(*) FROM checklist_items i "
                         "WHERE i.checklist_id = c.id), r.id, r.started_at, r.result "
                         "FROM checklists c LEFT JOIN check_runs r ON r.id = (SELECT max(id) "
                         "FROM check_runs WHERE checklist_id = c.id) ORDER BY c.name",
                         "");
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:i, s:o, s:o, s:o}", "name", store_col_text(q, 0), "schedule",
                      store_col_text(q, 1), "items", sqlite3_column_int(q, 2), "last_run",
                      sqlite3_column_int64(q, 3) ? json_integer(sqlite3_column_int64(q, 3))
                                                 : json_null(),
                      "last_started", prep_time_json(sqlite3_column_int64(q, 4)), "last_result",
                      *store_col_text(q, 5) ? json_string(store_col_text(q, 5)) : json_null()));
    store_finish(q);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return 0;
}

int check_run_start(struct store *st, const struct user *as, const char *checklist, int64_t *run,
                    struct err *e)
{
    int rc = resp_allow(as, ACT_CHECK_RUN, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t id = 0, now = time_now_ms();
    rc = store_query_int(st, e, &id, "SELECT id FROM checklists WHERE name = ?", "s", checklist);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = err_set(e, ERR_NOTFOUND, "no checklist '%.64s'", checklist);
    }
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO check_runs (checklist_id, started_by, started_at) "
                        "VALUES (?, ?, ?)",
                        "IsI", id, as->name, now);
    *run = store_last_id(st);
    /* every item gets its row; the automatic ones their result at once */
    sqlite3_stmt *q;
    int64_t items[CHECK_ITEMS_MAX];
    char codes[CHECK_ITEMS_MAX][32];
    int n = 0;
    if (!rc)
        rc = store_query(st, e, &q,
                         "SELECT id, auto FROM checklist_items WHERE checklist_id = ? ORDER BY pos",
                         "I", id);
    if (!rc) {
        while (n < CHECK_ITEMS_MAX && (rc = store_step(st, q, e)) == 1) {
            items[n] = sqlite3_column_int64(q, 0);
            snprintf(codes[n++], sizeof codes[0], "%s", store_col_text(q, 1));
        }
        store_finish(q);
        rc = rc < 0 ? rc : 0;
    }
    for (int i = 0; !rc && i < n; i++) {
        const char *sql = NULL;
        for (size_t k = 0; codes[i][0] && k < sizeof autos / sizeof autos[0]; k++)
            if (strcmp(codes[i], autos[k].code) == 0)
                sql = autos[k].sql;
        int64_t wrong = 0;
        if (sql)
            rc = store_query_int(st, e, &wrong, sql, "I", now);
        char note[96] = "";
        if (sql)
            snprintf(note, sizeof note, "tocsin 自动检查：%s", wrong ? "发现问题" : "正常");
        if (!rc)
            rc = store_exec(st, e,
                            "INSERT INTO check_results (run_id, item_id, result, note, by, at) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            "IIsssT", *run, items[i], sql ? (wrong ? "fail" : "pass") : NULL, note,
                            sql ? "tocsin" : "", sql ? now : (int64_t)0);
        if (!rc && sql && wrong) {
            char more[64];
            snprintf(more, sizeof more, "（%lld 项）", (long long)wrong);
            rc = store_exec(st, e,
                            "UPDATE check_results SET note = note || ? WHERE run_id = ? AND "
                            "item_id = ?",
                            "sII", more, *run, items[i]);
        }
    }
    char obj[32];
    snprintf(obj, sizeof obj, "check-run:%lld", (long long)*run);
    if (!rc)
        rc = audit_append_take(st, as->name, "check.run", obj,
                               json_pack("{s:s}", "checklist", checklist), e);
    return prep_finish(st, rc, e);
}

/* An unfinished run's item by position; writes the item's id. */
static int run_item(struct store *st, int64_t run, int pos, int64_t *item, int want_open,
                    struct err *e)
{
    int64_t finished = 0;
    int rc = store_query_int(
        st, e, &finished, "SELECT coalesce(finished_at, 0) FROM check_runs WHERE id = ?", "I", run);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        return err_set(e, ERR_NOTFOUND, "no check run #%lld", (long long)run);
    }
    if (!rc && want_open && finished)
        return err_set(e, ERR_CONFLICT, "check run #%lld is finished", (long long)run);
    if (!rc)
        rc = store_query_int(st, e, item,
                             "SELECT i.id FROM checklist_items i JOIN check_runs r "
                             "ON r.checklist_id = i.checklist_id WHERE r.id = ? AND i.pos = ?",
                             "Ii", run, pos);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = err_set(e, ERR_NOTFOUND, "check run #%lld has no item %d", (long long)run, pos);
    }
    return rc;
}

int check_run_record(struct store *st, const struct user *as, int64_t run, int item,
                     const char *result, const char *note, struct err *e)
{
    int rc = resp_allow(as, ACT_CHECK_RUN, e);
    if (!rc && (!result || (strcmp(result, "pass") != 0 && strcmp(result, "fail") != 0 &&
                            strcmp(result, "na") != 0)))
        rc = err_set(e, ERR_INPUT, "a result is pass, fail or na");
    if (!rc)
        rc = prep_text("the note", note, 2048, 0, 0, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = run_item(st, run, item, &id, 1, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE check_results SET result = ?, note = ?, by = ?, at = ? "
                        "WHERE run_id = ? AND item_id = ?",
                        "sssIII", result, note ? note : "", as->name, time_now_ms(), run, id);
    char obj[32];
    snprintf(obj, sizeof obj, "check-run:%lld", (long long)run);
    if (!rc)
        rc = audit_append_take(st, as->name, "check.record", obj,
                               json_pack("{s:i, s:s}", "item", item, "result", result), e);
    return prep_finish(st, rc, e);
}

int check_run_finish(struct store *st, const struct user *as, int64_t run, struct err *e)
{
    int rc = resp_allow(as, ACT_CHECK_RUN, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t item = 0, missing = 0, failed = 0;
    rc = run_item(st, run, 1, &item, 1, e);
    if (!rc)
        rc = store_query_int(st, e, &missing,
                             "SELECT count(*) FROM check_results WHERE run_id = ? AND "
                             "result IS NULL",
                             "I", run);
    if (!rc && missing)
        rc = err_set(e, ERR_CONFLICT, "check run #%lld has %lld items without a result",
                     (long long)run, (long long)missing);
    if (!rc)
        rc = store_query_int(st, e, &failed,
                             "SELECT count(*) FROM check_results WHERE run_id = ? AND "
                             "result = 'fail'",
                             "I", run);
    if (!rc)
        rc = store_exec(st, e, "UPDATE check_runs SET finished_at = ?, result = ? WHERE id = ?",
                        "IsI", time_now_ms(), failed ? "fail" : "pass", run);
    char obj[32];
    snprintf(obj, sizeof obj, "check-run:%lld", (long long)run);
    if (!rc)
        rc = audit_append_take(st, as->name, "check.finish", obj,
                               json_pack("{s:s, s:I}", "result", failed ? "fail" : "pass", "failed",
                                         (json_int_t)failed),
                               e);
    return prep_finish(st, rc, e);
}

int check_run_hazard(struct store *st, const struct user *as, int64_t run, int item,
                     const char *department, enum hazard_severity severity, int64_t deadline_at,
                     char ref[HAZARD_REF_LEN], struct err *e)
{
    int rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t id = 0;
    char result[8] = "", text[600] = "", note[2100] = "", made[HAZARD_REF_LEN] = "";
    rc = run_item(st, run, item, &id, 0, e);
    sqlite3_stmt *q;
    if (!rc)
        rc = store_query(st, e, &q,
                         "SELECT coalesce(r.result, ''), i.text, r.note, r.hazard FROM "
                         "check_results r JOIN checklist_items i ON i.id = r.item_id "
                         "WHERE r.run_id = ? AND r.item_id = ?",
                         "II", run, id);
    if (!rc) {
        if ((rc = store_step(st, q, e)) == 1) {
            snprintf(result, sizeof result, "%s", store_col_text(q, 0));
            snprintf(text, sizeof text, "%s", store_col_text(q, 1));
            snprintf(note, sizeof note, "%s", store_col_text(q, 2));
            snprintf(made, sizeof made, "%s", store_col_text(q, 3));
        }
        store_finish(q);
        rc = rc < 0 ? rc : 0;
    }
    if (!rc && strcmp(result, "fail") != 0)
        rc = err_set(e, ERR_CONFLICT, "item %d of check run #%lld did not fail", item,
                     (long long)run);
    if (!rc && made[0])
        rc = err_set(e, ERR_CONFLICT, "item %d of check run #%lld is hazard %s already", item,
                     (long long)run, made);
    char title[700], desc[2400];
    snprintf(title, sizeof title, "安全检查未通过：%.600s", text);
    snprintf(desc, sizeof desc, "检查 #%lld 第 %d 项。%.2100s", (long long)run, item, note);
    struct hazard_new in = {.title = title,
                            .description = desc,
                            .severity = severity,
                            .department = department,
                            .deadline_at = deadline_at};
    if (!rc)
        rc = hazard_add(st, as, &in, ref, e);
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE check_results SET hazard = ? WHERE run_id = ? AND item_id = ?",
                        "sII", ref, run, id);
    return prep_finish(st, rc, e);
}

int check_run_show_json(struct store *st, const struct user *as, int64_t run, json_t **out,
                        struct err *e)
{
    (void)as;
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT c.name, r.started_by, r.started_at, coalesce(r.finished_at, 0), "
                         "coalesce(r.result, '') FROM check_runs r JOIN checklists c "
                         "ON c.id = r.checklist_id WHERE r.id = ?",
                         "I", run);
    if (rc)
        return rc;
    if ((rc = store_step(st, q, e)) != 1) {
        store_finish(q);
        return rc < 0 ? rc : err_set(e, ERR_NOTFOUND, "no check run #%lld", (long long)run);
    }
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "run", (json_int_t)run, "checklist",
                          store_col_text(q, 0), "started_by", store_col_text(q, 1), "started_at",
                          prep_time_json(sqlite3_column_int64(q, 2)), "finished_at",
                          prep_time_json(sqlite3_column_int64(q, 3)), "result",
                          *store_col_text(q, 4) ? json_string(store_col_text(q, 4)) : json_null());
    store_finish(q);
    rc = store_query(st, e, &q,
                     "SELECT i.pos, i.text, i.expected, i.auto, coalesce(r.result, ''), r.note, "
                     "r.by, coalesce(r.at, 0), r.hazard FROM check_results r JOIN "
                     "checklist_items i ON i.id = r.item_id WHERE r.run_id = ? ORDER BY i.pos",
                     "I", run);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *items = json_array();
    while ((rc = store_step(st, q, e)) == 1)
        json_array_append_new(
            items,
            json_pack("{s:i, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s}", "item",
                      sqlite3_column_int(q, 0), "text", store_col_text(q, 1), "expected",
                      store_col_text(q, 2), "auto", store_col_text(q, 3), "result",
                      *store_col_text(q, 4) ? json_string(store_col_text(q, 4)) : json_null(),
                      "note", store_col_text(q, 5), "by", store_col_text(q, 6), "at",
                      prep_time_json(sqlite3_column_int64(q, 7)), "hazard", store_col_text(q, 8)));
    store_finish(q);
    if (rc < 0) {
        json_decref(o);
        json_decref(items);
        return rc;
    }
    json_object_set_new(o, "items", items);
    char ref[24];
    json_t *files = NULL;
    snprintf(ref, sizeof(ref), "%lld", (long long)run);
    if ((rc = prep_files_json(st, PREP_FILE_CHECK_RUN, ref, &files, e)) != 0) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "files", files);
    *out = o;
    return 0;
}
