/* Warnings (W-1, W-5, W-6, W-7), approvals, statements (H-6), evidence (H-5). */
#include "response_fixture.h"

#include <fcntl.h>

static struct warning_new full_warning(enum colour c)
{
    struct warning_new w = {.colour = c,
                            .category = "network-attack/dos",
                            .scope = "门户网站及其镜像",
                            .items = "发现针对门户网站的大流量攻击迹象",
                            .measures = "启用流量清洗，值班人员 24 小时在岗",
                            .deadline_at = fixture_now + 24 * PLAN_HOUR_MS,
                            .issuer = "网络安全和信息化领导小组办公室"};
    return w;
}

static void test_warning_every_W5_field_is_required(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    struct err e = {0};
    fixture_digest(f, before);
    for (int missing = 0; missing < 7; missing++) {
        struct warning_new w = full_warning(COLOUR_ORANGE);
        switch (missing) {
        case 0:
            w.colour = COLOUR_NONE;
            break;
        case 1:
            w.category = NULL;
            break;
        case 2:
            w.scope = "";
            break;
        case 3:
            w.items = NULL;
            break;
        case 4:
            w.measures = NULL;
            break;
        case 5:
            w.deadline_at = 0;
            break;
        case 6:
            w.issuer = NULL;
            break;
        }
        err_clear(&e);
        if (warning_draft(f->st, &f->officer, &w, ref, &e) != ERR_INPUT)
            fail_msg("a warning without field %d was accepted", missing);
        assert_true(e.msg[0] != '\0');
    }
    struct warning_new w = full_warning(COLOUR_BLUE);
    w.deadline_at = fixture_now - 1; /* measures due before the warning starts */
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), ERR_INPUT);
    fixture_digest(f, after);
    assert_string_equal(before, after);
}

static void test_warning_orange_waits_for_a_leader(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    struct err e = {0};
    struct warning_new w = full_warning(COLOUR_ORANGE);
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), 0);
    assert_string_equal(ref, "WRN-2026-0001");
    /* publishing without approval is refused and changes nothing */
    fixture_digest(f, before);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), ERR_CONFLICT);
    assert_int_equal(warning_publish(f->st, &f->leader, ref, &e), ERR_CONFLICT);
    fixture_digest(f, after);
    assert_string_equal(before, after);
    int64_t approval = 0;
    assert_int_equal(warning_submit(f->st, &f->officer, ref, &approval, &e), 0);
    assert_true(approval > 0);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), ERR_CONFLICT);
    /* only a leader approves */
    assert_int_equal(warning_approve(f->st, &f->officer, ref, NULL, &e), ERR_DENIED);
    assert_int_equal(approval_decide(f->st, &f->dept, approval, 1, NULL, &e), ERR_DENIED);
    assert_int_equal(warning_approve(f->st, &f->leader, ref, "同意发布", &e), 0);
    assert_int_equal(approval_decide(f->st, &f->leader, approval, 1, NULL, &e), ERR_CONFLICT);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), 0);
    /* W-6: risk assessment, preparation, risk control, due by the measures' limit */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM tasks WHERE warning_id IS NOT NULL"),
                     3);
    json_t *o;
    assert_int_equal(warning_show_json(f->st, &f->officer, ref, &o, &e), 0);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "published");
    assert_string_equal(json_string_value(json_object_get(o, "level")), "II");
    json_decref(o);
    /* W-7: lifting is an explicit act with a reason */
    assert_int_equal(warning_lift(f->st, &f->officer, ref, NULL, &e), ERR_INPUT);
    assert_int_equal(warning_lift(f->st, &f->dept, ref, "结束", &e), ERR_DENIED);
    assert_int_equal(warning_lift(f->st, &f->officer, ref, "攻击已停止 24 小时", &e), 0);
    assert_int_equal(warning_lift(f->st, &f->officer, ref, "再次", &e), ERR_CONFLICT);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM warnings WHERE status = 'lifted' AND "
                                      "lifted_by = 'zhou' AND lift_reason <> ''"),
                     1);
}

static void test_warning_yellow_is_published_by_the_officer(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN];
    struct err e = {0};
    struct warning_new w = full_warning(COLOUR_YELLOW);
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), 0);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM approvals"), 0);
}

static void test_warning_setting_makes_yellow_need_approval(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN];
    struct err e = {0};
    assert_int_equal(setting_set(f->st, &f->officer, "warning.officer_publishes_low", "0", &e),
                     ERR_DENIED);
    assert_int_equal(setting_set(f->st, &f->admin, "warning.officer_publishes_low", "2", &e),
                     ERR_INPUT);
    assert_int_equal(setting_set(f->st, &f->admin, "warning.officer_publishes_low", "0", &e), 0);
    struct warning_new w = full_warning(COLOUR_BLUE);
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), 0);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), ERR_CONFLICT);
    int64_t approval;
    assert_int_equal(warning_submit(f->st, &f->officer, ref, &approval, &e), 0);
    assert_true(approval > 0);
}

static void test_warning_departments_cannot_draft(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN];
    struct err e = {0};
    struct warning_new w = full_warning(COLOUR_BLUE);
    assert_int_equal(warning_draft(f->st, &f->dept, &w, ref, &e), ERR_DENIED);
    assert_non_null(strstr(e.msg, "user xc (role department) may not"));
    assert_int_equal(warning_draft(f->st, &f->auditor, &w, ref, &e), ERR_DENIED);
}

static void test_warning_rejection_needs_reason_and_returns_to_draft(void **state)
{
    struct fixture *f = *state;
    char ref[WARNING_REF_LEN];
    struct err e = {0};
    struct warning_new w = full_warning(COLOUR_RED);
    int64_t approval;
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), 0);
    assert_int_equal(warning_submit(f->st, &f->officer, ref, &approval, &e), 0);
    assert_int_equal(approval_decide(f->st, &f->leader, approval, 0, NULL, &e), ERR_INPUT);
    assert_int_equal(approval_decide(f->st, &f->leader, approval, 0, "措施不具体", &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM warnings WHERE status = 'draft'"), 1);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), ERR_CONFLICT);
}

static void open_incident(struct fixture *f, char ref[INCIDENT_REF_LEN])
{
    struct incident_new in = {.title = "首页被篡改",
                              .category = "information-destruction/tampering",
                              .assets = {"门户网站"},
                              .n_assets = 1};
    assert_int_equal(incident_open(f->st, &f->officer, &in, ref, NULL), 0);
}

static void test_statement_is_released_only_after_approval(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    struct err e = {0};
    open_incident(f, ref);
    int64_t id, approval;
    assert_int_equal(statement_draft(f->st, &f->dept, ref, "x", &id, &e), ERR_DENIED);
    assert_int_equal(statement_draft(f->st, &f->officer, ref, "门户网站已恢复正常访问。", &id, &e),
                     0);
    assert_int_equal(statement_release(f->st, &f->officer, ref, id, &e), ERR_CONFLICT);
    assert_int_equal(statement_submit(f->st, &f->officer, ref, id, &approval, &e), 0);
    assert_int_equal(statement_release(f->st, &f->officer, ref, id, &e), ERR_CONFLICT);
    assert_int_equal(approval_decide(f->st, &f->officer, approval, 1, NULL, &e), ERR_DENIED);
    assert_int_equal(approval_decide(f->st, &f->leader, approval, 1, NULL, &e), 0);
    assert_int_equal(statement_release(f->st, &f->officer, ref, id, &e), 0);
    assert_int_equal(statement_release(f->st, &f->officer, ref, id, &e), ERR_CONFLICT);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM statements WHERE status = 'released'"),
                     1);
}

static void test_evidence_kept_verified_and_damage_found(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN], path[600];
    struct err e = {0};
    open_incident(f, ref);
    snprintf(path, sizeof(path), "%s/defaced.html", f->dir);
    const char page[] = "<html><body>hacked by nobody</body></html>";
    write_file(path, page, sizeof(page) - 1);
    int64_t file_id, note_id;
    assert_int_equal(evidence_add_file(f->st, &f->dept, ref, path, "首页快照", &file_id, &e), 0);
    assert_int_equal(evidence_add_note(f->st, &f->officer, ref, "14:05 值班员发现", &note_id, &e),
                     0);
    json_t *items;
    assert_int_equal(evidence_verify(f->st, &f->auditor, ref, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    /* export writes the exact bytes to a new file only, and is recorded */
    char out[640];
    snprintf(out, sizeof(out), "%s/export.html", f->dir);
    assert_int_equal(evidence_export(f->st, &f->dept, ref, file_id, out, NULL, NULL, 0, &e),
                     ERR_DENIED);
    assert_int_equal(evidence_export(f->st, &f->auditor, ref, file_id, out, NULL, NULL, 0, &e), 0);
    struct buf b;
    assert_int_equal(fs_read_file(out, 4096, &b, &e), 0);
    assert_int_equal(b.len, sizeof(page) - 1);
    assert_memory_equal(b.p, page, b.len);
    buf_release(&b);
    assert_int_equal(evidence_export(f->st, &f->auditor, ref, file_id, out, NULL, NULL, 0, &e),
                     ERR_IO);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM custody WHERE action = 'exported'"), 1);
    /* damage to the stored copy is found and recorded in custody */
    sqlite3_stmt *q;
    assert_int_equal(
        store_query(f->st, &e, &q, "SELECT sha256 FROM evidence WHERE id = ?", "I", file_id), 0);
    assert_int_equal(store_step(f->st, q, &e), 1);
    char obj[700];
    snprintf(obj, sizeof(obj), "%s/objects/%.2s/%s", f->dir, store_col_text(q, 0),
             store_col_text(q, 0));
    store_finish(q);
    write_file(obj, "tampered", 8);
    assert_int_equal(evidence_verify(f->st, &f->officer, ref, &items, &e), 1);
    assert_false(json_is_true(json_object_get(json_array_get(items, 0), "ok")));
    assert_true(json_is_true(json_object_get(json_array_get(items, 1), "ok")));
    json_decref(items);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM custody WHERE action = 'verify-failed'"), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_warning_every_W5_field_is_required),
        T(test_warning_orange_waits_for_a_leader),
        T(test_warning_yellow_is_published_by_the_officer),
        T(test_warning_setting_makes_yellow_need_approval),
        T(test_warning_departments_cannot_draft),
        T(test_warning_rejection_needs_reason_and_returns_to_draft),
        T(test_statement_is_released_only_after_approval),
        T(test_evidence_kept_verified_and_damage_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
