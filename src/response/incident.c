/* Incidents: opening (with the playbook, H-1), level (L-2), the lifecycle,
 * owners (O-1) and flags (H-5). */
#include "../prep/prep.h"
#include "response_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int playbook_instantiate(struct store *st, const struct incident_row *row, struct err *e)
{
    const struct category *cat;
    const struct subcategory *sub;
    if (category_parse(row->category, &cat, &sub) != 0)
        cat = NULL;
    const struct playbook_task *tasks[PLAYBOOK_MAX];
    size_t n =
        playbook_tasks(cat, incident_effective_level(row), row->is_sabotage, tasks, PLAYBOOK_MAX);
    for (size_t i = 0; i < n; i++) {
        const struct playbook_task *t = tasks[i];
        int rc = task_insert(st, row->id, 0, t->code, t->zh, t->clause, t->owner,
                             t->owner == ROLE_DEPARTMENT ? row->owner_department : "", "",
                             row->started_at + t->due_ms, t->is_mandatory, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int next_seq(struct store *st, int year, int64_t *seq, struct err *e)
{
    int rc = store_query_int(st, e, seq,
                             "SELECT coalesce(max(seq), 0) + 1 FROM incidents "
                             "WHERE year = ?",
                             "i", year);
    return rc;
}

/* Stores the proposal of the rules as JSON and its level. */
static int store_proposal(struct store *st, int64_t id, const struct level_assessment *a,
                          struct err *e)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < a->n_reasons; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:s, s:s, s:s}", "rule", a->reasons[i].rule,
                                                 "level", level_code(a->reasons[i].level), "zh",
                                                 a->reasons[i].zh, "en", a->reasons[i].en));
    char *text = json_dumps(reasons, JSON_COMPACT);
    json_decref(reasons);
    int rc = store_exec(st, e,
                        "UPDATE incidents SET proposed_level = ?, proposal = ?, updated_at = ? "
                        "WHERE id = ?",
                        "ssII", level_code(a->level), text ? text : "[]", time_now_ms(), id);
    free(text);
    return rc;
}

static int owner_for(struct store *st, const struct user *as, const struct incident_new *in,
                     struct buf *dept, struct err *e)
{
    if (as->role == ROLE_DEPARTMENT)
        return buf_adds(dept, as->department);
    if (in->n_assets == 0)
        return 0;
    sqlite3_stmt *q;
    int rc =
        store_query(st, e, &q, "SELECT department FROM assets WHERE name = ?", "s", in->assets[0]);
    if (rc)
        return rc;
    if (store_step(st, q, e) == 1)
        rc = buf_adds(dept, store_col_text(q, 0));
    store_finish(q);
    return rc;
}

static int open_checks(const struct user *as, const struct incident_new *in, struct err *e)
{
    const struct category *cat;
    const struct subcategory *sub;
    int rc = resp_allow(as, ACT_INCIDENT_REPORT, e);
    if (!rc && in->level != LEVEL_NONE)
        rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (!rc)
        rc = text_check("--title", in->title, 256, 0, e);
    if (!rc && in->description)
        rc = text_check("--description", in->description, 16384, 1, e);
    if (!rc && (!in->category || category_parse(in->category, &cat, &sub) != 0))
        rc = err_set(e, ERR_INPUT,
                     "unknown category '%.60s' (one of harmful-program, network-attack, "
                     "information-destruction, content-security, equipment-failure, disaster, "
                     "other, optionally with /sub-category)",
                     in->category ? in->category : "");
    if (!rc && in->level != LEVEL_NONE)
        rc = text_check("--reason (why this level)", in->level_reason, 1024, 1, e);
    for (size_t i = 0; !rc && i < in->n_assets; i++)
        rc = text_check("--asset", in->assets[i], 128, 0, e);
    return rc;
}

int incident_open(struct store *st, const struct user *as, const struct incident_new *in,
                  char ref[INCIDENT_REF_LEN], struct err *e)
{
    int rc = open_checks(as, in, e);
    if (rc)
        return rc;
    const struct category *cat;
    const struct subcategory *sub;
    category_parse(in->category, &cat, &sub);
    int64_t now = time_now_ms(), started = in->started_at ? in->started_at : now;
    if (started > now + PLAN_MINUTE_MS)
        return err_set(e, ERR_INPUT, "the start time lies in the future");
    int is_report = !permission_allows(as->role, ACT_INCIDENT_OPEN);
    enum incident_status status = is_report ? INC_REPORTED : INC_TRIAGED;

    rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t seq = 0, plan_version = 0;
    int year = local_year(now);
    struct buf dept;
    buf_init(&dept, 256);
    struct incident_row row;
    rc = next_seq(st, year, &seq, e);
    if (!rc)
        rc = store_query_int(st, e, &plan_version,
                             "SELECT id FROM plan_versions WHERE effective_at <= ? "
                             "ORDER BY effective_at DESC, id DESC LIMIT 1",
                             "I", now);
    if (!rc)
        rc = owner_for(st, as, in, &dept, e);
    if (!rc) {
        snprintf(ref, INCIDENT_REF_LEN, "INC-%04d-%04lld", year, (long long)seq);
        rc = store_exec(st, e,
                        "INSERT INTO incidents (ref, year, seq, title, description, category, "
                        "subcategory, level, level_reason, status, owner_department, is_drill, "
                        "plan_version_id, started_at, reported_by, reporter_department, "
                        "created_at, acknowledged_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "siIssssssssiIIssITI", ref, year, seq, in->title,
                        in->description ? in->description : "", cat->code, sub ? sub->code : NULL,
                        in->level != LEVEL_NONE ? level_code(in->level) : NULL,
                        in->level != LEVEL_NONE ? in->level_reason : "",
                        incident_status_code(status), buf_str(&dept), in->is_drill ? 1 : 0,
                        plan_version, started, as->name,
                        as->role == ROLE_DEPARTMENT ? as->department : "", now,
                        is_report || in->is_automatic ? (int64_t)0 : now, now);
    }
    int64_t id = store_last_id(st);
    for (size_t i = 0; !rc && i < in->n_assets; i++)
        rc = store_exec(st, e,
                        "INSERT OR IGNORE INTO incident_assets (incident_id, asset) VALUES (?, ?)",
                        "Is", id, in->assets[i]);
    /* H-4: an immediate backup of the affected systems, by the jobs marked for it */
    int backups = 0;
    for (size_t i = 0; !rc && !in->is_drill && i < in->n_assets; i++)
        rc = backup_queue_incident(st, id, ref, in->assets[i], &backups, e);
    if (!rc && in->impact) {
        struct level_thresholds t;
        struct level_assessment a;
        rc = level_thresholds_load(st, &t, e);
        if (!rc) {
            level_assess(in->impact, &t, &a);
            rc = store_proposal(st, id, &a, e);
        }
    }
    if (!rc)
        rc = incident_load_id(st, id, &row, e);
    if (!rc)
        rc = playbook_instantiate(st, &row, e);
    if (!rc)
        rc = timeline_add(st, id, as->name, is_report ? "reported" : "opened", e,
                          "%s：%s（%s%s%s）", is_report ? "报告事件" : "启动应急响应", in->title,
                          cat->zh, sub ? "/" : "", sub ? sub->zh : "");
    if (!rc && in->level != LEVEL_NONE)
        rc = timeline_add(st, id, as->name, "level", e, "定级为%s级（%s）：%s",
                          level_code(in->level), level_zh(in->level), in->level_reason);
    if (!rc && backups)
        rc = timeline_add(st, id, "system", "backup", e,
                          "已安排立即备份受影响系统（%d 项备份任务）", backups);
    if (!rc)
        rc = reports_sync(st, &row, as->name, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.open", ref,
                               json_pack("{s:s, s:s?, s:s, s:s?, s:b}", "category", cat->code,
                                         "subcategory", sub ? sub->code : NULL, "status",
                                         incident_status_code(status), "level",
                                         in->level != LEVEL_NONE ? level_code(in->level) : NULL,
                                         "drill", in->is_drill),
                               e);
    buf_release(&dept);
    return resp_finish(st, rc, e);
}

int incident_acknowledge(struct store *st, const struct user *as, const char *ref, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_ACK, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    int64_t at = 0;
    rc = store_query_int(st, e, &at,
                         "SELECT coalesce(acknowledged_at, 0) FROM incidents "
                         "WHERE id = ?",
                         "I", row.id);
    if (!rc && at) { /* already in hand: nothing to record */
        store_rollback(st);
        return 0;
    }
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ?, "
                        "escalate_at = NULL, updated_at = ? WHERE id = ?",
                        "IsII", time_now_ms(), as->name, time_now_ms(), row.id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "acknowledged", e, "%s 已确认接手，停止升级通知",
                          as->name);
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.ack", ref, json_object(), e);
    return resp_finish(st, rc, e);
}

int incident_merge(struct store *st, const struct user *as, const char *ref, const char *what,
                   const char *const *assets, size_t n_assets, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (!rc)
        rc = text_check("what", what, 1024, 0, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    if (row.status == INC_CLOSED || row.status == INC_ASSESSED)
        rc = err_set(e, ERR_CONFLICT, "incident %s is %s: nothing more joins it", ref,
                     incident_status_code(row.status));
    for (size_t i = 0; !rc && i < n_assets; i++)
        rc = store_exec(st, e,
                        "INSERT OR IGNORE INTO incident_assets (incident_id, asset) VALUES (?, ?)",
                        "Is", row.id, assets[i]);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "merged", e, "并入：%s", what);
    if (!rc)
        rc = store_exec(st, e, "UPDATE incidents SET updated_at = ? WHERE id = ?", "II",
                        time_now_ms(), row.id);
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.merge", ref,
                               json_pack("{s:s, s:i}", "what", what, "assets", (int)n_assets), e);
    return resp_finish(st, rc, e);
}

int incident_assess(struct store *st, const struct user *as, const char *ref,
                    const struct impact *im, struct level_assessment *out, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (rc)
        return rc;
    struct incident_row row;
    struct level_thresholds t;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = level_thresholds_load(st, &t, e);
    if (!rc) {
        level_assess(im, &t, out);
        rc = store_proposal(st, row.id, out, e);
    }
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "proposal", e, "按预案规则建议定级为%s级：%s",
                          level_code(out->level), out->reasons[0].zh);
    if (!rc)
        rc = incident_load_id(st, row.id, &row, e);
    if (!rc)
        rc = reports_sync(st, &row, as->name, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.assess", ref,
                               json_pack("{s:s, s:i}", "proposed", level_code(out->level), "rules",
                                         (int)out->n_reasons),
                               e);
    return resp_finish(st, rc, e);
}

int incident_set_level(struct store *st, const struct user *as, const char *ref, enum level level,
                       const char *reason, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (!rc && level == LEVEL_NONE)
        rc = err_set(e, ERR_INPUT, "the level must be I, II, III or IV");
    if (!rc)
        rc = text_check("--reason", reason, 1024, 1, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    if (!rc && row.status >= INC_CLOSED)
        rc = err_set(e, ERR_CONFLICT, "incident %s is %s; its level can no longer change", ref,
                     incident_status_code(row.status));
    int is_override = !rc && row.proposed != LEVEL_NONE && row.proposed != level;
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE incidents SET level = ?, level_reason = ?, updated_at = ? "
                        "WHERE id = ?",
                        "ssII", level_code(level), reason, time_now_ms(), row.id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "level", e, "%s%s级（%s）%s%s%s：%s",
                          row.level == LEVEL_NONE ? "定级为" : "调整级别为", level_code(level),
                          level_zh(level), is_override ? "，不采纳规则建议的" : "",
                          is_override ? level_code(row.proposed) : "", is_override ? "级" : "",
                          reason);
    if (!rc) {
        row.level = level;
        rc = reports_sync(st, &row, as->name, e);
    }
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.level", ref,
                               json_pack("{s:s, s:s, s:s?, s:b}", "level", level_code(level),
                                         "reason", reason, "proposed",
                                         row.proposed ? level_code(row.proposed) : NULL, "override",
                                         is_override),
                               e);
    return resp_finish(st, rc, e);
}

static int status_checks(struct store *st, const struct incident_row *row, enum incident_status to,
                         const char *reason, int override, struct err *e)
{
    if (to == INC_ASSESSED)
        return err_set(e, ERR_CONFLICT,
                       "incident %s becomes assessed only by completing its assessment "
                       "('tocsin assessment complete %s')",
                       row->ref, row->ref);
    if (!incident_transition_allowed(row->status, to))
        return err_set(e, ERR_CONFLICT, "incident %s cannot move from %s to %s", row->ref,
                       incident_status_code(row->status), incident_status_code(to));
    int needs_reason =
        (to == INC_CLOSED && row->status <= INC_TRIAGED) || row->status == INC_CLOSED || override;
    if (needs_reason && (!reason || !*reason))
        return err_set(e, ERR_USAGE, "moving %s from %s to %s%s needs --reason", row->ref,
                       incident_status_code(row->status), incident_status_code(to),
                       override ? " with --override" : "");
    if (to != INC_CLOSED)
        return 0;
    int64_t open = 0;
    int rc = store_query_int(st, e, &open,
                             "SELECT count(*) FROM tasks WHERE incident_id = ? AND "
                             "is_mandatory = 1 AND done_at IS NULL",
                             "I", row->id);
    if (!rc && open > 0 && !override)
        rc = err_set(e, ERR_CONFLICT,
                     "incident %s has %lld open mandatory tasks; finish them, or close with "
                     "--override and a --reason",
                     row->ref, (long long)open);
    return rc;
}

/* Opens the 30-day assessment clock when the response ends (H-7). */
static int assessment_clock(struct store *st, const struct incident_row *row, int64_t now,
                            struct err *e)
{
    int64_t window;
    int rc = deadline_ms(st, DL_ASSESSMENT, &window, e);
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO assessments (incident_id, due_at, updated_at) "
                        "VALUES (?, ?, ?) ON CONFLICT (incident_id) DO UPDATE SET "
                        "due_at = excluded.due_at, updated_at = excluded.updated_at",
                        "III", row->id, now + window, now);
    return rc;
}

int incident_set_status(struct store *st, const struct user *as, const char *ref,
                        enum incident_status to, const char *reason, int override, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (!rc && reason && *reason)
        rc = text_check("--reason", reason, 1024, 1, e);
    if (rc)
        return rc;
    struct incident_row row;
    int64_t now = time_now_ms();
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = status_checks(st, &row, to, reason, override, e);
    enum incident_status from = row.status;
    if (!rc)
        rc =
            store_exec(st, e,
                       "UPDATE incidents SET status = ?, updated_at = ?, "
                       "acknowledged_at = coalesce(acknowledged_at, ?), closed_at = ? "
                       "WHERE id = ?",
                       "sIITI", incident_status_code(to), now, to == INC_TRIAGED ? now : (int64_t)0,
                       to == INC_CLOSED ? now : (int64_t)0, row.id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "status", e, "状态：%s → %s%s%s%s",
                          incident_status_zh(from), incident_status_zh(to),
                          override ? "（强制结束，仍有未完成的必办任务）" : "",
                          reason && *reason ? "：" : "", reason && *reason ? reason : "");
    if (!rc && to == INC_CLOSED) {
        row.status = to;
        row.closed_at = now;
        rc = assessment_clock(st, &row, now, e);
        if (!rc)
            rc = reports_sync(st, &row, as->name, e);
    }
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.status", ref,
                               json_pack("{s:s, s:s, s:s?, s:b}", "from",
                                         incident_status_code(from), "to", incident_status_code(to),
                                         "reason", reason, "override", override),
                               e);
    return resp_finish(st, rc, e);
}

int incident_assign(struct store *st, const struct user *as, const char *ref,
                    const char *department, const char *person, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    if (!rc)
        rc = owner_check(st, department, person, e);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    rc = store_exec(st, e,
                    "UPDATE incidents SET owner_department = coalesce(?, owner_department), "
                    "owner_user = coalesce(?, owner_user), updated_at = ? WHERE id = ?",
                    "ssII", department, person, time_now_ms(), row.id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "assign", e, "责任部门：%s；责任人：%s",
                          department ? department : row.owner_department,
                          person ? person : row.owner_user);
    if (!rc)
        rc = audit_append_take(
            st, as->name, "incident.assign", ref,
            json_pack("{s:s?, s:s?}", "department", department, "person", person), e);
    return resp_finish(st, rc, e);
}

int incident_flag(struct store *st, const struct user *as, const char *ref, const char *flag,
                  int value, struct err *e)
{
    int rc = resp_allow(as, ACT_INCIDENT_MANAGE, e);
    int is_sabotage = strcmp(flag, "sabotage") == 0, is_crime = strcmp(flag, "crime") == 0;
    if (!rc && !is_sabotage && !is_crime)
        rc = err_set(e, ERR_INPUT,
                     "unknown flag '%.40s' (sabotage or crime; a drill is marked when opened)",
                     flag);
    if (rc)
        return rc;
    struct incident_row row;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    /* Deliberate sabotage is a suspected crime as well (H-5). */
    if (!rc && is_sabotage)
        rc = store_exec(st, e,
                        "UPDATE incidents SET is_sabotage = ?, is_crime = max(is_crime, ?), "
                        "updated_at = ? WHERE id = ?",
                        "iiII", value, value, time_now_ms(), row.id);
    else if (!rc)
        rc = store_exec(st, e, "UPDATE incidents SET is_crime = ?, updated_at = ? WHERE id = ?",
                        "iII", value, time_now_ms(), row.id);
    int64_t has_task = 0;
    if (!rc && is_sabotage && value)
        rc = store_query_int(st, e, &has_task,
                             "SELECT count(*) FROM tasks WHERE incident_id = ? AND code = ?", "Is",
                             row.id, playbook_sabotage_task()->code);
    if (!rc && is_sabotage && value && !has_task) {
        const struct playbook_task *t = playbook_sabotage_task();
        rc = task_insert(st, row.id, 0, t->code, t->zh, t->clause, t->owner, "", "",
                         time_now_ms() + t->due_ms, t->is_mandatory, e);
    }
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "flag", e, "%s%s", value ? "标记为" : "取消标记：",
                          is_sabotage ? "蓄意破坏（须联系公安、保密部门）" : "涉嫌违法犯罪");
    if (!rc)
        rc = incident_load_id(st, row.id, &row, e);
    if (!rc)
        rc = reports_sync(st, &row, as->name, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "incident.flag", ref,
                               json_pack("{s:s, s:b}", "flag", flag, "value", value), e);
    return resp_finish(st, rc, e);
}
