/* Upward reports (W-4, H-2): who must be told of an incident, each with its own
 * clock, the texts in the official layout, and the record of sending. */
#include "response_int.h"

#include <stdio.h>
#include <string.h>

static const char *kind_zh(const char *kind)
{
    if (strcmp(kind, "first") == 0)
        return "首报";
    if (strcmp(kind, "followup") == 0)
        return "续报";
    return "总结报告";
}

static int line(struct buf *b, const char *label, const char *value)
{
    return buf_addf(b, "%s：%s\n", label, value && *value ? value : "（待补充）");
}

/* The facts every report carries. */
static int report_head(struct store *st, const struct incident_row *row, enum recipient rcp,
                       const char *kind, struct buf *b, struct err *e)
{
    struct buf org, assets;
    buf_init(&org, 512);
    buf_init(&assets, 4096);
    store_meta_get(st, "organisation", &org, NULL);
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT asset FROM incident_assets WHERE incident_id = ? ORDER BY asset",
                         "I", row->id);
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        buf_addf(&assets, "%s%s", assets.len ? "、" : "", store_col_text(q, 0));
    store_finish(q);
    if (rc < 0) {
        buf_release(&org);
        buf_release(&assets);
        return rc;
    }
    const struct category *cat = NULL;
    const struct subcategory *sub = NULL;
    char category[256] = "", level[128], found[TIME_ISO_LEN], now[TIME_ISO_LEN];
    if (category_parse(row->category, &cat, &sub) == 0)
        snprintf(category, sizeof(category), "%s%s%s（GB/T 20986-2023：%s）", cat->zh,
                 sub ? "/" : "", sub ? sub->zh : "",
                 gbt_class_zh(sub ? sub->gbt : cat->subs[0].gbt));
    if (row->level != LEVEL_NONE)
        snprintf(level, sizeof(level), "%s级（%s）", level_code(row->level), level_zh(row->level));
    else if (row->proposed != LEVEL_NONE)
        snprintf(level, sizeof(level), "待定级（初步研判为%s级，%s）", level_code(row->proposed),
                 level_zh(row->proposed));
    else
        snprintf(level, sizeof(level), "待定级");
    time_format_local(row->started_at, found);
    time_format_local(time_now_ms(), now);
    char contact[300];
    snprintf(contact, sizeof(contact), "%s%s%s%s", row->owner_user[0] ? row->owner_user : "",
             row->owner_department[0] ? "（" : "", row->owner_department,
             row->owner_department[0] ? "）" : "");
    buf_addf(b, "网络安全事件报告（%s）\n\n", kind_zh(kind));
    line(b, "报送单位", buf_str(&org));
    line(b, "报送对象", recipient_info(rcp)->zh);
    line(b, "报送时间", now);
    line(b, "事件编号", row->ref);
    line(b, "事件名称", row->title);
    line(b, "发现时间", found);
    line(b, "涉及系统", buf_str(&assets));
    line(b, "事件类型", category);
    line(b, "事件级别", level);
    line(b, "目前状态", incident_status_zh(row->status));
    line(b, "联系人", contact);
    buf_release(&org);
    buf_release(&assets);
    return 0;
}

/* Measures taken so far: the finished tasks. */
static int report_measures(struct store *st, const struct incident_row *row, struct buf *b,
                           struct err *e)
{
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT title, note FROM tasks WHERE incident_id = ? AND done_at IS NOT "
                         "NULL ORDER BY done_at",
                         "I", row->id);
    buf_adds(b, "已采取的措施：\n");
    int n = 0;
    while (rc >= 0 && (rc = store_step(st, q, e)) == 1)
        buf_addf(b, "  %d. %s%s%s\n", ++n, store_col_text(q, 0), *store_col_text(q, 1) ? "：" : "",
                 store_col_text(q, 1));
    store_finish(q);
    if (n == 0)
        buf_adds(b, "  （待补充）\n");
    return rc < 0 ? rc : 0;
}

static int report_final(struct store *st, const struct incident_row *row, struct buf *b,
                        struct err *e)
{
    static const char *const labels[] = {"事件原因", "事件性质", "危害后果",
                                         "责任认定", "处置意见", "整改措施"};
    sqlite3_stmt *q;
    int rc = store_query(st, e, &q,
                         "SELECT cause, nature, impact, responsibility, handling, improvements "
                         "FROM assessments WHERE incident_id = ?",
                         "I", row->id);
    if (rc)
        return rc;
    int have = store_step(st, q, e) == 1;
    for (int i = 0; i < 6; i++)
        line(b, labels[i], have ? store_col_text(q, i) : "");
    store_finish(q);
    return 0;
}

static int report_text(struct store *st, const struct incident_row *row, enum recipient rcp,
                       const char *kind, struct buf *b, struct err *e)
{
    int rc = report_head(st, row, rcp, kind, b, e);
    if (!rc && strcmp(kind, "first") != 0)
        rc = report_measures(st, row, b, e);
    if (!rc && strcmp(kind, "final") == 0)
        rc = report_final(st, row, b, e);
    if (!rc && strcmp(kind, "first") == 0)
        rc = buf_adds(b, "\n（首报可仅报单位和系统概况及发现时间；事件类型、级别、影响和已采取的"
                         "措施在续报中补充。）\n");
    return rc;
}

static int report_insert(struct store *st, const struct incident_row *row, enum recipient rcp,
                         const char *kind, int64_t due_at, const char *actor, int64_t *id,
                         struct err *e)
{
    struct buf text;
    buf_init(&text, 65536);
    int rc = report_text(st, row, rcp, kind, &text, e);
    int64_t now = time_now_ms();
    if (!rc)
        rc = store_exec(st, e,
                        "INSERT INTO reports (incident_id, recipient, kind, due_at, text, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        "IssIsII", row->id, recipient_info(rcp)->code, kind, due_at, buf_str(&text),
                        now, now);
    buf_release(&text);
    if (!rc && id)
        *id = store_last_id(st);
    char due[TIME_ISO_LEN];
    time_format_local(due_at, due);
    if (!rc)
        rc = timeline_add(st, row->id, actor, "report", e, "须于 %s 前向%s报送%s", due,
                          recipient_info(rcp)->zh, kind_zh(kind));
    return rc;
}

static int report_exists(struct store *st, int64_t incident_id, enum recipient rcp,
                         const char *kind, int *out, struct err *e)
{
    int64_t n = 0;
    int rc = store_query_int(st, e, &n,
                             "SELECT count(*) FROM reports WHERE incident_id = ? AND recipient = ? "
                             "AND kind = ?",
                             "Iss", incident_id, recipient_info(rcp)->code, kind);
    *out = n > 0;
    return rc;
}

int reports_sync(struct store *st, const struct incident_row *row, const char *actor, struct err *e)
{
    enum level lvl = incident_effective_level(row);
    int64_t now = time_now_ms();
    for (int r = 0; r < RCP_COUNT; r++) {
        int have_first = 0, have_final = 0, rc;
        rc = report_exists(st, row->id, (enum recipient)r, "first", &have_first, e);
        if (rc)
            return rc;
        if (!have_first &&
            recipient_required((enum recipient)r, lvl, row->is_crime, row->is_drill)) {
            /* The clock starts when the obligation becomes known. */
            int64_t window;
            rc = deadline_ms(st, recipient_info((enum recipient)r)->first_deadline, &window, e);
            if (!rc)
                rc = report_insert(st, row, (enum recipient)r, "first", now + window, actor, NULL,
                                   e);
            if (rc)
                return rc;
            have_first = 1;
        }
        if (!have_first || row->status != INC_CLOSED)
            continue;
        rc = report_exists(st, row->id, (enum recipient)r, "final", &have_final, e);
        if (rc)
            return rc;
        if (!have_final) {
            int64_t window;
            rc = deadline_ms(st, DL_FINAL_REPORT, &window, e);
            if (!rc)
                rc = report_insert(st, row, (enum recipient)r, "final", row->closed_at + window,
                                   actor, NULL, e);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int report_practice_text(struct store *st, const struct user *as, const char *ref,
                         enum recipient rcp, struct buf *out, struct err *e)
{
    struct incident_row row;
    int rc = incident_load(st, as, ref, &row, e);
    if (!rc && !row.is_drill)
        rc = err_set(e, ERR_CONFLICT, "incident %s is not a drill's", ref);
    if (!rc)
        rc = buf_adds(out, "【演练】本报告为应急演练中的练习，不向上级报送。\n\n");
    if (!rc)
        rc = report_text(st, &row, rcp, "first", out, e);
    return rc;
}

int report_add(struct store *st, const struct user *as, const char *ref, enum recipient rcp,
               const char *kind, int64_t *id, struct err *e)
{
    int rc = resp_allow(as, ACT_REPORT_MANAGE, e);
    if (!rc && strcmp(kind, "first") != 0 && strcmp(kind, "followup") != 0 &&
        strcmp(kind, "final") != 0)
        rc = err_set(e, ERR_INPUT, "report kind '%.20s' is not first, followup or final", kind);
    if (rc)
        return rc;
    struct incident_row row;
    int64_t window = 0;
    rc = incident_begin(st, as, ref, &row, e);
    if (rc)
        return rc;
    if (!rc && row.is_drill)
        rc = err_set(e, ERR_CONFLICT, "incident %s is a drill; drills are never reported upward",
                     ref);
    if (!rc)
        rc = deadline_ms(
            st, strcmp(kind, "final") == 0 ? DL_FINAL_REPORT : recipient_info(rcp)->first_deadline,
            &window, e);
    if (!rc)
        rc = report_insert(st, &row, rcp, kind, time_now_ms() + window, as->name, id, e);
    if (!rc)
        rc = audit_append_take(st, as->name, "report.add", ref,
                               json_pack("{s:I, s:s, s:s}", "report", (json_int_t)*id, "recipient",
                                         recipient_info(rcp)->code, "kind", kind),
                               e);
    return resp_finish(st, rc, e);
}

/* Loads an unsent report of the incident; sent reports are a record and final. */
static int report_open_load(struct store *st, const struct user *as, const char *ref, int64_t id,
                            struct incident_row *row, int64_t *due_at, struct err *e)
{
    int rc = incident_load(st, as, ref, row, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    rc = store_query(st, e, &q,
                     "SELECT due_at, sent_at IS NOT NULL FROM reports WHERE id = ? AND "
                     "incident_id = ?",
                     "II", id, row->id);
    if (rc)
        return rc;
    rc = store_step(st, q, e);
    if (rc == 0)
        rc = err_set(e, ERR_NOTFOUND, "incident %s has no report #%lld", ref, (long long)id);
    else if (rc == 1 && sqlite3_column_int(q, 1))
        rc = err_set(e, ERR_CONFLICT, "report #%lld was sent already and is kept as sent",
                     (long long)id);
    else if (rc == 1) {
        *due_at = sqlite3_column_int64(q, 0);
        rc = 0;
    }
    store_finish(q);
    return rc;
}

int report_edit(struct store *st, const struct user *as, const char *ref, int64_t id,
                const char *text, struct err *e)
{
    int rc = resp_allow(as, ACT_REPORT_MANAGE, e);
    if (!rc)
        rc = text_check("the report text", text, 65536, 1, e);
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct incident_row row;
    int64_t due;
    rc = report_open_load(st, as, ref, id, &row, &due, e);
    if (!rc)
        rc = store_exec(st, e, "UPDATE reports SET text = ?, updated_at = ? WHERE id = ?", "sII",
                        text, time_now_ms(), id);
    if (!rc) {
        unsigned char d[SHA256_LEN];
        char hex[SHA256_HEX_LEN];
        sha256(text, strlen(text), d);
        hex_encode(d, SHA256_LEN, hex);
        rc = audit_append_take(
            st, as->name, "report.edit", ref,
            json_pack("{s:I, s:s}", "report", (json_int_t)id, "text_sha256", hex), e);
    }
    return resp_finish(st, rc, e);
}

static const char *via_zh(const char *via)
{
    static const char *const map[][2] = {{"phone", "电话"},      {"fax", "传真"},
                                         {"email", "电子邮件"},  {"mail", "信函"},
                                         {"system", "报送系统"}, {"in-person", "当面"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], via) == 0)
            return map[i][1];
    return via;
}

int report_mark_sent(struct store *st, const struct user *as, const char *ref, int64_t id,
                     const char *to, const char *via, int64_t sent_at, struct err *e)
{
    static const char *const ways[] = {"phone", "fax", "email", "mail", "system", "in-person"};
    int rc = resp_allow(as, ACT_REPORT_MANAGE, e);
    if (!rc)
        rc = text_check("--to (who received it)", to, 256, 0, e);
    int known = 0;
    for (size_t i = 0; via && i < sizeof(ways) / sizeof(ways[0]); i++)
        known |= strcmp(via, ways[i]) == 0;
    if (!rc && !known)
        rc = err_set(e, ERR_INPUT,
                     "--via '%.20s' is not one of phone, fax, email, mail, system, in-person",
                     via ? via : "");
    int64_t now = time_now_ms();
    if (!sent_at)
        sent_at = now;
    if (!rc && sent_at > now + PLAN_MINUTE_MS)
        rc = err_set(e, ERR_INPUT, "--at lies in the future");
    if (rc)
        return rc;
    rc = store_begin(st, e);
    if (rc)
        return rc;
    struct incident_row row;
    int64_t due = 0;
    rc = report_open_load(st, as, ref, id, &row, &due, e);
    int is_late = sent_at > due;
    if (!rc)
        rc = store_exec(st, e,
                        "UPDATE reports SET sent_at = ?, sent_by = ?, sent_to = ?, sent_via = ?, "
                        "is_late = ?, updated_at = ? WHERE id = ?",
                        "IsssiII", sent_at, as->name, to, via, is_late, now, id);
    if (!rc)
        rc = timeline_add(st, row.id, as->name, "report", e, "报告 #%lld 已通过%s报送%s%s",
                          (long long)id, via_zh(via), to, is_late ? "（已超过时限）" : "");
    if (!rc)
        rc = audit_append_take(st, as->name, "report.sent", ref,
                               json_pack("{s:I, s:s, s:s, s:b}", "report", (json_int_t)id, "to", to,
                                         "via", via, "late", is_late),
                               e);
    return resp_finish(st, rc, e);
}
