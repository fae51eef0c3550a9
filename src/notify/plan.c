/* What is due to be told, and to whom: each notice is matched against the
 * routes and written to the outbox in the transaction that marks it told, so
 * a notice is queued once, and a queued message is never lost. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct notice {
    enum notice_trigger trigger;
    enum level level;
    const char *category;   /* "network-attack/scanning" */
    const char *object;     /* INC-2026-0001 */
    const char *key;        /* what makes it this notice: "open:II", "step:2" */
    int tier;               /* escalation step; 0 otherwise */
    const char *department; /* department users hear only of this department's (""
                               : none of them); NULL: all (warnings) */
    const char *subject;
    const char *body;
    json_t *facts;
    int64_t drill_id; /* a drill's notice goes by mail to its participants only */
};

/* Whether a route's category ("" any, "network-attack", or with a sub-category)
 * covers the notice's. */
static int category_covers(const char *route, const char *category)
{
    size_t n = strlen(route);
    return n == 0 || strcmp(route, category) == 0 ||
           (strncmp(route, category, n) == 0 && category[n] == '/');
}

static int queue_one(struct store *st, const struct notice *nt, int64_t route, int64_t channel,
                     const char *recipient, int64_t now, int *queued, struct err *e)
{
    char dedup[600];
    snprintf(dedup, sizeof dedup, "%s:%s:%s:r%lld:%s", notice_trigger_code(nt->trigger), nt->object,
             nt->key, (long long)route, recipient);
    char *facts = json_dumps(nt->facts, JSON_COMPACT);
    int rc = store_exec(st, e,
                        "INSERT INTO outbox (dedup, channel_id, trigger, object, recipient, "
                        "subject, body, facts, next_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup) DO NOTHING",
                        "sIssssssII", dedup, channel, notice_trigger_code(nt->trigger), nt->object,
                        recipient, nt->subject, nt->body, facts ? facts : "{}", now, now);
    free(facts);
    if (!rc)
        *queued += store_changes(st);
    return rc;
}

/* Every route the notice matches; a mail channel gets one message per user of
 * the route's role with an address (and its fixed "to" list), a robot one. */
static int queue(struct store *st, const struct notice *nt, int64_t now, int *queued, struct err *e)
{
    sqlite3_stmt *q;
    enum notice_trigger tr = nt->trigger;
    int tier = nt->tier;
    if (tr == NT_ESCALATION) {
        /* the n-th escalation goes to tier n, or the highest tier there is;
         * with no escalation routes, the incident's own routes hear it again */
        int64_t top = 0;
        int rc = store_query_int(st, e, &top,
                                 "SELECT coalesce(max(tier), 0) FROM notify_routes "
                                 "WHERE trigger = 'escalation'",
                                 "");
        if (rc)
            return rc;
        if (top == 0)
            tr = NT_INCIDENT, tier = 0;
        else if (tier > top)
            tier = (int)top;
    }
    int rc = store_query(st, e, &q,
                         "SELECT r.id, r.min_level, r.category, r.role, c.id, c.kind, c.config "
                         "FROM notify_routes r JOIN notify_channels c ON c.id = r.channel_id "
                         "WHERE r.trigger = ? AND r.tier = ? ORDER BY r.id",
                         "si", notice_trigger_code(tr), tier);
    if (rc)
        return rc;
    struct {
        int64_t route, channel;
        char role[16];
        int is_mail;
        json_t *to;
    } hits[64];
    int n = 0;
    while (n < 64 && (rc = store_step(st, q, e)) == 1) {
        enum level min;
        if (level_parse(store_col_text(q, 1), &min) != 0)
            min = LEVEL_IV;
        if (level_above(nt->level, min) || nt->level == min || nt->level == LEVEL_NONE) {
            if (!category_covers(store_col_text(q, 2), nt->category))
                continue;
            hits[n].route = sqlite3_column_int64(q, 0);
            hits[n].channel = sqlite3_column_int64(q, 4);
            snprintf(hits[n].role, sizeof hits[n].role, "%s", store_col_text(q, 3));
            hits[n].is_mail = strcmp(store_col_text(q, 5), "smtp") == 0;
            json_t *c = json_loads(store_col_text(q, 6), 0, NULL);
            hits[n].to = json_incref(json_object_get(c, "to"));
            json_decref(c);
            n++;
        }
    }
    store_finish(q);
    rc = rc < 0 ? rc : 0;
    for (int i = 0; i < n; i++) {
        /* a drill reaches no group chat and no fixed address: only its participants */
        if (!rc && !hits[i].is_mail && !nt->drill_id)
            rc = queue_one(st, nt, hits[i].route, hits[i].channel, "", now, queued, e);
        size_t k;
        json_t *v;
        json_array_foreach(hits[i].to, k, v)
        {
            if (!rc && !nt->drill_id)
                rc = queue_one(st, nt, hits[i].route, hits[i].channel, json_string_value(v), now,
                               queued, e);
        }
        json_decref(hits[i].to);
        if (rc || !hits[i].is_mail)
            continue;
        /* department users hear only of their own department's incidents */
        rc = store_query(st, e, &q,
                         "SELECT email FROM users WHERE is_disabled = 0 AND email != '' "
                         "AND (?1 = '' OR role = ?1) AND (role != 'department' OR ?2 IS NULL "
                         "OR department = ?2) AND (?3 = 0 OR name IN (SELECT user_name FROM "
                         "drill_participants WHERE drill_id = ?3)) ORDER BY id",
                         "ssI", hits[i].role, nt->department, nt->drill_id);
        if (rc)
            continue;
        /* the addresses first: queueing writes while the query is open would not do */
        enum { ADDRS_MAX = 1000 };
        char(*addrs)[256] = malloc(ADDRS_MAX * sizeof *addrs);
        int na = 0;
        while (addrs && na < ADDRS_MAX && (rc = store_step(st, q, e)) == 1)
            snprintf(addrs[na++], sizeof addrs[0], "%s", store_col_text(q, 0));
        store_finish(q);
        if (!addrs)
            rc = err_set(e, ERR_NOMEM, "out of memory planning notifications");
        if (rc > 0)
            rc = 0;
        for (int a = 0; !rc && a < na; a++)
            rc = queue_one(st, nt, hits[i].route, hits[i].channel, addrs[a], now, queued, e);
        free(addrs);
    }
    return rc < 0 ? rc : 0;
}

/* Queues a notice (unless it is not to be told) and marks its object told,
 * in one transaction. mark is an UPDATE binding ?1 = now and ?2 = the id.
 * Returns 1 when done, so that a planner's caller asks again. */
static int tell(struct store *st, const struct notice *nt, int is_told, const char *mark,
                int64_t id, int64_t now, int *queued, struct err *e)
{
    int rc = store_begin(st, e);
    if (!rc && is_told)
        rc = queue(st, nt, now, queued, e);
    if (!rc)
        rc = store_exec(st, e, mark, "II", now, id);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, e);
    return rc ? rc : 1;
}

static const char *category_text(const char *code, char *out, size_t len)
{
    const struct category *cat;
    const struct subcategory *sub;
    if (category_parse(code, &cat, &sub) != 0)
        snprintf(out, len, "%s", code);
    else
        snprintf(out, len, "%s%s%s", cat->zh, sub ? "/" : "", sub ? sub->zh : "");
    return out;
}

/* ---- incidents: announcement and escalation ------------------------------------- */

static int plan_incidents(struct store *st, int64_t now, int *queued, struct err *e)
{
    int64_t escalate_ms = 0;
    int rc = deadline_ms(st, DL_ESCALATION, &escalate_ms, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(
        st, e, &q,
        "SELECT id, ref, title, category || coalesce('/' || subcategory, ''), "
        "coalesce(level, proposed_level, 'IV'), coalesce(notified_level, ''), status, "
        "owner_department, is_drill, coalesce(acknowledged_at, 0), coalesce(escalate_at, 0), "
        "escalation_tier, started_at, proposal, coalesce(drill_id, 0) FROM incidents "
        "WHERE status NOT IN ('closed', 'assessed') AND (notified_level IS NULL "
        "OR (acknowledged_at IS NULL AND escalate_at IS NOT NULL AND escalate_at <= ?) "
        "OR coalesce(level, proposed_level, 'IV') < notified_level) "
        "ORDER BY id LIMIT 100",
        "I", now);
    if (rc)
        return rc;
    struct row {
        int64_t id;
        char ref[24], title[300], category[160], level[4], notified[4], status[16], dept[129];
        int is_drill, tier;
        int64_t acked, escalate_at, started, drill_id;
        char reason[300];
    } rows[100];
    int n = 0;
    while (n < 100 && (rc = store_step(st, q, e)) == 1) {
        struct row *r = &rows[n++];
        r->id = sqlite3_column_int64(q, 0);
        snprintf(r->ref, sizeof r->ref, "%s", store_col_text(q, 1));
        snprintf(r->title, sizeof r->title, "%s", store_col_text(q, 2));
        snprintf(r->category, sizeof r->category, "%s", store_col_text(q, 3));
        snprintf(r->level, sizeof r->level, "%s", store_col_text(q, 4));
        snprintf(r->notified, sizeof r->notified, "%s", store_col_text(q, 5));
        snprintf(r->status, sizeof r->status, "%s", store_col_text(q, 6));
        snprintf(r->dept, sizeof r->dept, "%s", store_col_text(q, 7));
        r->is_drill = sqlite3_column_int(q, 8);
        r->acked = sqlite3_column_int64(q, 9);
        r->escalate_at = sqlite3_column_int64(q, 10);
        r->tier = sqlite3_column_int(q, 11);
        r->started = sqlite3_column_int64(q, 12);
        r->drill_id = sqlite3_column_int64(q, 14);
        json_t *p = json_loads(store_col_text(q, 13), 0, NULL);
        const char *zh = json_string_value(json_object_get(json_array_get(p, 0), "zh"));
        snprintf(r->reason, sizeof r->reason, "%s", zh ? zh : "");
        json_decref(p);
    }
    store_finish(q);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        struct row *r = &rows[i];
        enum level l;
        if (level_parse(r->level, &l) != 0)
            l = LEVEL_IV;
        /* told again only when it became more serious (levels compare as text) */
        int announce = !r->notified[0] || strcmp(r->level, r->notified) < 0;
        /* an incident lowered below II since stops escalating (next is 0 below) */
        int escalate = !announce && !r->acked && r->escalate_at && r->escalate_at <= now &&
                       (l == LEVEL_I || l == LEVEL_II);
        char cat[200], subject[600], body[4000], key[32], started[TIME_ISO_LEN];
        category_text(r->category, cat, sizeof cat);
        time_format_local(r->started, started);
        int step = escalate ? r->tier + 1 : 0;
        snprintf(subject, sizeof subject, "%s%s【%s级·%s】%s %s", r->is_drill ? "【演练】" : "",
                 escalate ? "【升级·未确认】" : "", level_code(l), level_zh(l), r->ref, r->title);
        snprintf(body, sizeof body,
                 "事件：%s %s\n类别：%s\n级别：%s级（%s）%s%s\n开始时间：%s\n状态：%s\n%s", r->ref,
                 r->title, cat, level_code(l), level_zh(l), r->reason[0] ? "，依据：" : "",
                 r->reason, started, r->status,
                 escalate ? "该事件尚无人确认接手，现按预案逐级通知。请立即确认（tocsin incident "
                            "ack 或网页“确认接手”）。\n"
                 : l <= LEVEL_II && !r->acked ? "请立即确认接手，否则将逐级升级通知。\n"
                                              : "");
        if (escalate)
            snprintf(key, sizeof key, "step:%d", step);
        else
            snprintf(key, sizeof key, "level:%s", r->level);
        json_t *facts =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:i}", "incident", r->ref, "title",
                      r->title, "category", r->category, "level", r->level, "status", r->status,
                      "drill", r->is_drill, "acknowledged", r->acked != 0, "escalation", step);
        struct notice nt = {.trigger = escalate ? NT_ESCALATION : NT_INCIDENT,
                            .level = l,
                            .category = r->category,
                            .object = r->ref,
                            .key = key,
                            .tier = step,
                            .department = r->dept, /* "" : no department user */
                            .subject = subject,
                            .body = body,
                            .facts = facts,
                            .drill_id = r->drill_id};
        int before = *queued;
        rc = store_begin(st, e);
        if (!rc && (announce || escalate))
            rc = queue(st, &nt, now, queued, e);
        json_decref(facts);
        /* level II and above escalate until someone acknowledges (DL_ESCALATION) */
        int64_t next = !r->acked && (l == LEVEL_I || l == LEVEL_II) ? now + escalate_ms : 0;
        if (!rc)
            rc = store_exec(st, e,
                            "UPDATE incidents SET notified_level = ?, escalation_tier = ?, "
                            "escalate_at = ? WHERE id = ?",
                            "siTI", announce ? r->level : r->notified, escalate ? step : r->tier,
                            next, r->id);
        /* the timeline says who was told; with no route, nobody was */
        char line[160];
        snprintf(line, sizeof line, "无人确认接手，第 %d 次升级通知（%d 条消息）", step,
                 *queued - before);
        if (!rc && escalate && *queued > before)
            rc = store_exec(st, e,
                            "INSERT INTO timeline (incident_id, at, actor, kind, text) "
                            "VALUES (?, ?, 'notify', 'escalation', ?)",
                            "IIs", r->id, now, line);
        if (rc) {
            store_rollback(st);
            return rc;
        }
        rc = store_commit(st, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- warnings, upward reports, proposals ---------------------------------------- */

static int plan_warnings(struct store *st, int64_t now, int *queued, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, ref, colour, category || coalesce('/' || subcategory, ''), "
                         "scope, items, measures, deadline_at, issuer, is_drill, "
                         "published_at IS NOT NULL AND notified_published = 0, "
                         "coalesce(lift_reason, ''), coalesce(drill_id, 0) FROM warnings "
                         "WHERE (published_at IS NOT NULL AND notified_published = 0) "
                         "OR (lifted_at IS NOT NULL AND notified_lifted = 0) ORDER BY id LIMIT 1",
                         "");
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc;
    }
    int64_t id = sqlite3_column_int64(q, 0);
    char ref[24], colour_s[16], category[160], cat[200], deadline[TIME_ISO_LEN];
    snprintf(ref, sizeof ref, "%s", store_col_text(q, 1));
    snprintf(colour_s, sizeof colour_s, "%s", store_col_text(q, 2));
    snprintf(category, sizeof category, "%s", store_col_text(q, 3));
    category_text(category, cat, sizeof cat);
    time_format_local(sqlite3_column_int64(q, 7), deadline);
    int publishing = sqlite3_column_int(q, 10), is_drill = sqlite3_column_int(q, 9);
    int64_t drill_id = sqlite3_column_int64(q, 12);
    enum colour c;
    if (colour_parse(colour_s, &c) != 0)
        c = COLOUR_BLUE;
    char subject[400];
    struct buf body;
    buf_init(&body, 64 * 1024);
    snprintf(subject, sizeof subject, "%s【%s预警%s】%s %s", is_drill ? "【演练】" : "",
             colour_zh(c), publishing ? "发布" : "解除", ref, cat);
    if (publishing)
        buf_addf(&body,
                 "预警级别：%s（对应%s级事件）\n类别：%s\n可能影响范围：%s\n警示事项：%s\n"
                 "应采取的措施：%s\n时限：%s\n发布机关：%s\n",
                 colour_zh(c), level_code(level_for_colour(c)), cat, store_col_text(q, 4),
                 store_col_text(q, 5), store_col_text(q, 6), deadline, store_col_text(q, 8));
    else
        buf_addf(&body, "预警 %s（%s）已解除：%s\n", ref, colour_zh(c), store_col_text(q, 11));
    store_finish(q);
    json_t *facts =
        json_pack("{s:s, s:s, s:s, s:s, s:b}", "warning", ref, "colour", colour_s, "category",
                  category, "action", publishing ? "published" : "lifted", "drill", is_drill);
    struct notice nt = {.trigger = NT_WARNING,
                        .level = level_for_colour(c),
                        .category = category,
                        .object = ref,
                        .key = publishing ? "published" : "lifted",
                        .subject = subject,
                        .body = buf_str(&body),
                        .facts = facts,
                        .drill_id = drill_id};
    rc = tell(st, &nt, 1,
              publishing ? "UPDATE warnings SET notified_published = ?1 > 0 WHERE id = ?2"
                         : "UPDATE warnings SET notified_lifted = ?1 > 0 WHERE id = ?2",
              id, now, queued, e);
    json_decref(facts);
    buf_release(&body);
    return rc;
}

static int plan_reports(struct store *st, int64_t now, int *queued, struct err *e)
{
    int64_t remind_s = 3600;
    int rc = setting_int(st, "notify.report_remind_s", remind_s, &remind_s, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT r.id, i.ref, i.title, r.recipient, r.kind, r.due_at, "
                     "coalesce(i.level, i.proposed_level, 'IV'), "
                     "i.category || coalesce('/' || i.subcategory, ''), i.owner_department "
                     "FROM reports r JOIN incidents i ON i.id = r.incident_id "
                     "WHERE r.sent_at IS NULL AND r.reminded_at IS NULL AND r.due_at - ? <= ? "
                     "ORDER BY r.due_at LIMIT 1",
                     "II", remind_s * 1000, now);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc;
    }
    int64_t id = sqlite3_column_int64(q, 0), due = sqlite3_column_int64(q, 5);
    char ref[24], title[300], level_s[4], category[160], dept[129], rcp_s[32], kind[16];
    snprintf(ref, sizeof ref, "%s", store_col_text(q, 1));
    snprintf(title, sizeof title, "%s", store_col_text(q, 2));
    snprintf(rcp_s, sizeof rcp_s, "%s", store_col_text(q, 3));
    snprintf(kind, sizeof kind, "%s", store_col_text(q, 4));
    snprintf(level_s, sizeof level_s, "%s", store_col_text(q, 6));
    snprintf(category, sizeof category, "%s", store_col_text(q, 7));
    snprintf(dept, sizeof dept, "%s", store_col_text(q, 8));
    store_finish(q);
    enum recipient rcp;
    const char *to = recipient_parse(rcp_s, &rcp) == 0 ? recipient_info(rcp)->zh : rcp_s;
    enum level l;
    if (level_parse(level_s, &l) != 0)
        l = LEVEL_IV;
    char when[TIME_ISO_LEN], subject[500], body[1200], key[32], obj[48];
    time_format_local(due, when);
    snprintf(subject, sizeof subject, "【上报%s】%s 应于 %s 前报送%s",
             due <= now ? "已逾期" : "提醒", ref, when, to);
    snprintf(body, sizeof body,
             "事件 %s %s 须向%s报送%s报告，时限 %s。报送后请在 tocsin 中标记已报送。\n", ref, title,
             to, strcmp(kind, "final") == 0 ? "总结" : "", when);
    snprintf(key, sizeof key, "report:%lld", (long long)id);
    snprintf(obj, sizeof obj, "%s", ref);
    json_t *facts = json_pack("{s:s, s:s, s:s, s:I}", "incident", ref, "recipient", rcp_s, "kind",
                              kind, "report", (json_int_t)id);
    struct notice nt = {.trigger = NT_REPORT,
                        .level = l,
                        .category = category,
                        .object = obj,
                        .key = key,
                        .department = dept,
                        .subject = subject,
                        .body = body,
                        .facts = facts};
    rc = tell(st, &nt, 1, "UPDATE reports SET reminded_at = ?1 WHERE id = ?2", id, now, queued, e);
    json_decref(facts);
    return rc;
}

static int plan_proposals(struct store *st, int64_t now, int *queued, struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT id, title, level, category, asset, events, status, "
                         "coalesce(json_extract(reasons, '$[0].zh'), ''), coalesce(drill_id, 0) "
                         "FROM proposals WHERE notified_at IS NULL ORDER BY id LIMIT 1",
                         "");
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc != 1) {
        store_finish(q);
        return rc;
    }
    int64_t id = sqlite3_column_int64(q, 0);
    char title[1100], level_s[4], category[160], cat[200], asset[129], status[16], reason[300];
    snprintf(title, sizeof title, "%s", store_col_text(q, 1));
    snprintf(level_s, sizeof level_s, "%s", store_col_text(q, 2));
    snprintf(category, sizeof category, "%s", store_col_text(q, 3));
    snprintf(asset, sizeof asset, "%s", store_col_text(q, 4));
    snprintf(status, sizeof status, "%s", store_col_text(q, 6));
    snprintf(reason, sizeof reason, "%s", store_col_text(q, 7));
    int64_t drill_id = sqlite3_column_int64(q, 8);
    store_finish(q);
    enum level l;
    if (level_parse(level_s, &l) != 0)
        l = LEVEL_IV;
    category_text(category, cat, sizeof cat);
    char subject[1300], body[2200], obj[40];
    snprintf(obj, sizeof obj, "proposal:%lld", (long long)id);
    snprintf(subject, sizeof subject, "%s【待研判·建议%s级】%s", drill_id ? "【演练】" : "",
             level_code(l), title);
    snprintf(body, sizeof body,
             "研判建议 #%lld\n资产：%s\n类别：%s\n建议级别：%s级（%s）：%s\n"
             "请在 tocsin 的研判页面接受、合并、发布预警或驳回。\n",
             (long long)id, asset[0] ? asset : "—", cat, level_code(l), level_zh(l), reason);
    json_t *facts = json_pack("{s:I, s:s, s:s, s:s, s:s}", "proposal", (json_int_t)id, "asset",
                              asset, "category", category, "level", level_s, "title", title);
    struct notice nt = {.trigger = NT_PROPOSAL,
                        .level = l,
                        .category = category,
                        .object = obj,
                        .key = "new",
                        .subject = subject,
                        .body = body,
                        .drill_id = drill_id,
                        .facts = facts};
    /* a proposal a setting already turned into an incident is told as the incident */
    rc = tell(st, &nt, strcmp(status, "open") == 0,
              "UPDATE proposals SET notified_at = ?1 WHERE id = ?2", id, now, queued, e);
    json_decref(facts);
    return rc;
}

int notify_plan(struct store *st, int64_t now, int *queued, struct err *e)
{
    *queued = 0;
    int rc = plan_incidents(st, now, queued, e);
    /* one at a time, at most a hundred a round, so a backlog never holds the
     * database for long */
    for (int i = 0; !rc && i < 100 && (rc = plan_warnings(st, now, queued, e)) == 1; i++)
        rc = 0;
    if (rc == 1)
        rc = 0;
    for (int i = 0; !rc && i < 100 && (rc = plan_reports(st, now, queued, e)) == 1; i++)
        rc = 0;
    if (rc == 1)
        rc = 0;
    for (int i = 0; !rc && i < 100 && (rc = plan_proposals(st, now, queued, e)) == 1; i++)
        rc = 0;
    return rc == 1 ? 0 : rc;
}

int channel_test(struct store *st, const struct user *as, const char *name, struct err *e)
{
    int rc = resp_allow(as, ACT_NOTIFY_MANAGE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (rc)
        return rc;
    int64_t id = 0, now = time_now_ms();
    char kind[16] = "";
    sqlite3_stmt *q;
    rc = store_query(st, e, &q, "SELECT id, kind, config FROM notify_channels WHERE name = ?", "s",
                     name);
    json_t *to = NULL;
    if (!rc && (rc = store_step(st, q, e)) == 1) {
        id = sqlite3_column_int64(q, 0);
        snprintf(kind, sizeof kind, "%s", store_col_text(q, 1));
        json_t *c = json_loads(store_col_text(q, 2), 0, NULL);
        to = json_incref(json_object_get(c, "to"));
        json_decref(c);
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOTFOUND, "channel '%.64s' does not exist", name);
    }
    if (rc >= 0 && q)
        store_finish(q);
    char key[64], at[TIME_ISO_LEN];
    snprintf(key, sizeof key, "test:%lld", (long long)now);
    time_format_local(now, at);
    char subject[300], body[400];
    snprintf(subject, sizeof subject, "【测试】tocsin 通知渠道 %s", name);
    snprintf(body, sizeof body, "这是 %s 于 %s 发出的测试消息，收到即表示渠道可用。\n", as->name,
             at);
    json_t *facts = json_pack("{s:s, s:s}", "test", name, "by", as->name);
    struct notice nt = {.trigger = NT_INCIDENT,
                        .level = LEVEL_IV,
                        .category = "other",
                        .object = "test",
                        .key = key,
                        .subject = subject,
                        .body = body,
                        .facts = facts};
    int queued = 0;
    if (!rc && strcmp(kind, "smtp") != 0)
        rc = queue_one(st, &nt, 0, id, "", now, &queued, e);
    size_t i;
    json_t *v;
    json_array_foreach(to, i, v)
    {
        if (!rc)
            rc = queue_one(st, &nt, 0, id, json_string_value(v), now, &queued, e);
    }
    json_decref(to);
    json_decref(facts);
    if (!rc && !queued)
        rc = err_set(e, ERR_INPUT, "channel '%.64s' has no \"to\" address to test with", name);
    if (!rc)
        rc = audit_append_take(st, as->name, "notify.channel.test", name, json_object(), e);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, e);
}
