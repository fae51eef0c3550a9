/* Intake and triage: deduplication, clearing, grouping into proposals, the
 * level rules on their facts as time passes, the officer's decisions and the
 * settings' automatic ones. */
#include "events/events.h"
#include "response_fixture.h"

static int64_t submit(struct fixture *f, const char *category, const char *asset,
                      const char *summary, const char *fp, const char *state, int resolved)
{
    struct event_new in = {.source = "test",
                           .category = category,
                           .asset = asset,
                           .summary = summary,
                           .fingerprint = fp,
                           .state = state,
                           .is_resolved = resolved};
    int64_t id = 0, count = 0;
    struct err e = {0};
    if (event_submit(f->st, &f->officer, &in, &id, &count, &e) != 0)
        fail_msg("event_submit: %s", e.msg);
    return id;
}

static int64_t proposal_of(struct fixture *f, int64_t event)
{
    int64_t p = 0;
    assert_int_equal(store_query_int(f->st, NULL, &p,
                                     "SELECT coalesce(proposal_id, 0) FROM events WHERE id = ?",
                                     "I", event),
                     0);
    return p;
}

/* A proposal's level, status or facts (col is one of those three). */
static char *proposal_text(struct fixture *f, int64_t p, const char *col)
{
    static char out[4096];
    const char *sql = strcmp(col, "level") == 0    ? "SELECT level FROM proposals WHERE id = ?"
                      : strcmp(col, "status") == 0 ? "SELECT status FROM proposals WHERE id = ?"
                                                   : "SELECT facts FROM proposals WHERE id = ?";
    sqlite3_stmt *q;
    assert_int_equal(store_query(f->st, NULL, &q, sql, "I", p), 0);
    assert_int_equal(store_step(f->st, q, NULL), 1);
    snprintf(out, sizeof out, "%s", store_col_text(q, 0));
    store_finish(q);
    return out;
}

static void test_repeats_count_and_clears_record(void **state)
{
    struct fixture *f = *state;
    int64_t a = submit(f, "equipment-failure/hardware", "门户网站", "门户网站无法访问", "down-1",
                       "down", 0);
    fixture_now += 1000;
    int64_t b = submit(f, "equipment-failure/hardware", "门户网站", "门户网站仍无法访问", "down-1",
                       "down", 0);
    assert_int_equal(a, b);
    assert_int_equal(fixture_count(f, "SELECT count FROM events"), 2);
    int64_t p = proposal_of(f, a);
    assert_int_equal(fixture_count(f, "SELECT events || reports FROM proposals"), 12);
    fixture_now += 1000;
    submit(f, "equipment-failure/hardware", "门户网站", "门户网站恢复", "down-1", NULL, 1);
    assert_int_equal(fixture_count(f, "SELECT cleared_at FROM events"), fixture_now);
    assert_int_equal(fixture_count(f, "SELECT is_cleared FROM proposals"), 1);
    /* the clearing keeps what the event said */
    assert_int_equal(fixture_count(f, "SELECT summary = '门户网站仍无法访问' FROM events"), 1);
    /* and it fires again */
    fixture_now += 1000;
    submit(f, "equipment-failure/hardware", "门户网站", "又无法访问", "down-1", "down", 0);
    assert_int_equal(fixture_count(f, "SELECT cleared_at IS NULL FROM events"), 1);
    assert_int_equal(fixture_count(f, "SELECT is_cleared FROM proposals"), 0);
    assert_int_equal(proposal_of(f, a), p);
}

static void test_grouping_by_asset_category_window_and_link(void **state)
{
    struct fixture *f = *state;
    int64_t a = submit(f, "network-attack/injection", "门户网站", "注入 1", "i1", NULL, 0);
    int64_t b = submit(f, "network-attack/scanning", "门户网站", "扫描", "s1", NULL, 0);
    int64_t c = submit(f, "network-attack/injection", "OA系统", "OA 注入", "i2", NULL, 0);
    int64_t d = submit(f, "harmful-program/webshell", "门户网站", "后门", "w1", NULL, 0);
    assert_int_equal(proposal_of(f, a), proposal_of(f, b)); /* same asset and category */
    assert_true(proposal_of(f, a) != proposal_of(f, c));    /* another asset */
    assert_true(proposal_of(f, a) != proposal_of(f, d));    /* another category */
    fixture_now += 2 * PLAN_HOUR_MS;                        /* past triage.window_s (1 h) */
    int64_t e2 = submit(f, "network-attack/injection", "门户网站", "注入 2", "i3", NULL, 0);
    assert_true(proposal_of(f, e2) != proposal_of(f, a));
    /* a detector's link joins what it knows belongs together */
    struct event_new in = {.source = "am",
                           .category = "equipment-failure",
                           .asset = "db1",
                           .summary = "db1 down",
                           .link = "group-7"};
    struct event_new in2 = {.source = "am",
                            .category = "other",
                            .asset = "db2",
                            .summary = "db2 down",
                            .link = "group-7"};
    int64_t x, y, n;
    assert_int_equal(event_submit(f->st, &f->officer, &in, &x, &n, NULL), 0);
    assert_int_equal(event_submit(f->st, &f->officer, &in2, &y, &n, NULL), 0);
    assert_int_equal(proposal_of(f, x), proposal_of(f, y));
}

static void test_level_grows_while_the_outage_stands(void **state)
{
    struct fixture *f = *state;
    int64_t a =
        submit(f, "equipment-failure/hardware", "门户网站", "门户网站无法访问", "d", "down", 0);
    int64_t p = proposal_of(f, a);
    assert_string_equal(proposal_text(f, p, "level"), "III"); /* core-down */
    struct err e = {0};
    fixture_now += 119 * PLAN_MINUTE_MS;
    assert_int_equal(triage_tick(f->st, 1, &e), 0);
    assert_string_equal(proposal_text(f, p, "level"), "III");
    fixture_now += 1 * PLAN_MINUTE_MS;
    assert_int_equal(triage_tick(f->st, 1, &e), 0);
    /* 120 minutes: core-down-long, level II; the default setting opens it */
    assert_string_equal(proposal_text(f, p, "status"), "accepted");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incidents WHERE level = 'II' AND "
                                      "acknowledged_at IS NULL AND reported_by = 'triage'"),
                     1);
    assert_non_null(strstr(proposal_text(f, p, "facts"), "\"minutes\":120"));
}

static void test_core_systems_down_together_are_one_level_I_proposal(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(setting_set(f->st, &f->leader, "triage.auto_level", "0", &e), 0);
    int64_t a =
        submit(f, "equipment-failure/hardware", "门户网站", "门户网站无法访问", "p", "down", 0);
    /* another asset that is not core, down too: its own proposal */
    int64_t b =
        submit(f, "equipment-failure/hardware", "打印服务器", "打印服务器宕机", "x", "down", 0);
    assert_true(proposal_of(f, b) != proposal_of(f, a));
    assert_string_equal(proposal_text(f, proposal_of(f, a), "level"), "III");
    /* the OA system, reported by another tool under another category */
    int64_t c = submit(f, "network-attack/dos", "oa", "OA 无法登录", "o", "down", 0);
    assert_int_equal(proposal_of(f, c), proposal_of(f, a));
    assert_string_equal(proposal_text(f, proposal_of(f, a), "level"), "I");
    assert_non_null(strstr(proposal_text(f, proposal_of(f, a), "facts"), "\"oa\""));
    /* once the portal is back, a new OA outage is a proposal of its own */
    submit(f, "equipment-failure/hardware", "门户网站", "恢复", "p", NULL, 1);
    submit(f, "network-attack/dos", "oa", "恢复", "o", NULL, 1);
    int64_t d = submit(f, "equipment-failure/hardware", "oa", "OA 又无法登录", "o2", "down", 0);
    assert_true(proposal_of(f, d) != proposal_of(f, a));
}

static void test_tampering_restored_opens_contained_incident_among_others(void **state)
{
    struct fixture *f = *state;
    /* earlier open proposals that no setting decides come first */
    submit(f, "network-attack/scanning", "门户网站", "扫描", "s", NULL, 0);
    submit(f, "other", "", "其他", "o", NULL, 0);
    int64_t t = submit(f, "information-destruction/tampering", "门户网站", "首页被篡改，已恢复",
                       "t", NULL, 1);
    /* tampering still standing is not "restored" */
    int64_t u =
        submit(f, "information-destruction/tampering", "OA系统", "OA 页面被篡改", "u", NULL, 0);
    struct err e = {0};
    assert_int_equal(triage_tick(f->st, 1, &e), 0);
    assert_string_equal(proposal_text(f, proposal_of(f, t), "status"), "accepted");
    assert_string_equal(proposal_text(f, proposal_of(f, u), "status"), "open");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incidents WHERE status = 'contained' "
                                      "AND level = 'IV'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM proposals WHERE status = 'open'"), 3);
    /* the setting off: nothing more is decided */
    assert_int_equal(setting_set(f->st, &f->leader, "triage.auto_restored", "0", &e), 0);
    int64_t v = submit(f, "information-destruction/tampering", "门户网站", "又被篡改，已恢复", "v",
                       NULL, 1);
    fixture_now += 2 * PLAN_HOUR_MS;
    submit(f, "information-destruction/tampering", "门户网站", "再次", "v2", NULL, 1);
    assert_int_equal(triage_tick(f->st, 1, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incidents"), 1);
    (void)v;
}

static void test_public_tampering_of_the_portal_is_level_III(void **state)
{
    struct fixture *f = *state;
    int64_t a =
        submit(f, "information-destruction/tampering", "门户网站", "首页被篡改", "x", NULL, 0);
    assert_string_equal(proposal_text(f, proposal_of(f, a), "level"), "IV");
    fixture_now += 10 * PLAN_MINUTE_MS; /* longer than triage.public_after_s */
    submit(f, "information-destruction/tampering", "门户网站", "首页被篡改", "x", NULL, 1);
    assert_string_equal(proposal_text(f, proposal_of(f, a), "level"), "III");
}

static void test_decisions_and_refusals(void **state)
{
    struct fixture *f = *state;
    char before[SHA256_HEX_LEN], after[SHA256_HEX_LEN], ref[INCIDENT_REF_LEN];
    int64_t p =
        proposal_of(f, submit(f, "network-attack/injection", "门户网站", "注入", "i", NULL, 0));
    int64_t q =
        proposal_of(f, submit(f, "network-attack/injection", "OA系统", "OA 注入", "j", NULL, 0));
    fixture_digest(f, before);
    struct err e = {0};
    assert_int_equal(proposal_accept(f->st, &f->dept, p, NULL, LEVEL_NONE, NULL, ref, &e),
                     ERR_DENIED);
    err_clear(&e);
    assert_int_equal(proposal_dismiss(f->st, &f->officer, p, "", &e), ERR_USAGE);
    err_clear(&e);
    assert_int_equal(proposal_accept(f->st, &f->officer, p, NULL, LEVEL_II, NULL, ref, &e),
                     ERR_USAGE);
    err_clear(&e);
    assert_int_equal(proposal_accept(f->st, &f->officer, 999, NULL, LEVEL_NONE, NULL, ref, &e),
                     ERR_NOTFOUND);
    err_clear(&e);
    fixture_digest(f, after);
    assert_string_equal(before, after);
    assert_int_equal(proposal_accept(f->st, &f->officer, p, NULL, LEVEL_NONE, NULL, ref, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incidents WHERE level = 'IV' AND "
                                      "acknowledged_at IS NOT NULL"),
                     1);
    assert_int_equal(proposal_accept(f->st, &f->officer, p, NULL, LEVEL_NONE, NULL, ref, &e),
                     ERR_CONFLICT);
    err_clear(&e);
    char into[INCIDENT_REF_LEN];
    snprintf(into, sizeof into, "%s", ref);
    assert_int_equal(proposal_accept(f->st, &f->officer, q, into, LEVEL_NONE, NULL, ref, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incident_assets"), 2);
    /* a later event of the same asset and category joins the accepted proposal */
    int64_t r =
        proposal_of(f, submit(f, "network-attack/injection", "门户网站", "注入 2", "i2", NULL, 0));
    assert_int_equal(r, p);
    int64_t s = proposal_of(f, submit(f, "other", "x", "y", "z", NULL, 0));
    char wref[WARNING_REF_LEN];
    assert_int_equal(proposal_warn(f->st, &f->officer, s, NULL, wref, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM warnings WHERE status = 'draft' AND "
                                      "colour = 'blue'"),
                     1);
    assert_string_equal(proposal_text(f, s, "status"), "warned");
    assert_int_equal(proposal_dismiss(f->st, &f->officer, s, "已处理", &e), ERR_CONFLICT);
}

static void test_bad_events_are_refused_whole(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int64_t id, n;
    struct event_new bad[] = {
        {.source = "t", .category = "alien", .summary = "s"},
        {.source = "t", .category = "other", .summary = ""},
        {.source = "t", .category = "other", .summary = "s", .state = "burning"},
        {.source = "t", .category = "other", .summary = "a\nb"},
        {.source = "t", .category = "other", .summary = "s", .occurred_at = 1},
    };
    bad[4].occurred_at = fixture_now + 2 * PLAN_HOUR_MS;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        assert_true(event_submit(f->st, &f->officer, &bad[i], &id, &n, &e) != 0);
        assert_true(e.msg[0] != 0);
    }
    json_t *many = json_array();
    for (int i = 0; i < EVENT_EVIDENCE_MAX + 1; i++)
        json_array_append_new(many, json_string("sha256:00"));
    struct event_new ev = {.source = "t", .category = "other", .summary = "s", .evidence = many};
    err_clear(&e);
    assert_int_equal(event_submit(f->st, &f->officer, &ev, &id, &n, &e), ERR_INPUT);
    json_decref(many);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM proposals"), 0);
}

static void test_alertmanager_and_department_reports(void **state)
{
    struct fixture *f = *state;
    json_t *body = json_loads(
        "{\"groupKey\":\"g\",\"status\":\"firing\",\"alerts\":["
        "{\"status\":\"firing\",\"labels\":{\"alertname\":\"PortalDown\",\"asset\":\"门户网站\","
        "\"category\":\"equipment-failure\",\"state\":\"down\"},\"annotations\":{\"summary\":"
        "\"门户网站无法访问\"},\"startsAt\":\"2026-11-26T21:00:00Z\",\"fingerprint\":\"f1\"}]}",
        0, NULL);
    int n = 0;
    struct err e = {0};
    assert_int_equal(event_alertmanager(f->st, &f->officer, body, &n, &e), 0);
    assert_int_equal(n, 1);
    /* down for three hours before it reached us: level II at once */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM proposals WHERE level = 'II'"), 1);
    json_object_set_new(json_array_get(json_object_get(body, "alerts"), 0), "status",
                        json_string("resolved"));
    assert_int_equal(event_alertmanager(f->st, &f->officer, body, &n, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE cleared_at IS NOT NULL"),
                     1);
    json_object_set_new(json_array_get(json_object_get(body, "alerts"), 0), "startsAt",
                        json_string("yesterday"));
    assert_int_equal(event_alertmanager(f->st, &f->officer, body, &n, &e), ERR_INPUT);
    json_decref(body);

    struct department_report r = {
        .what = "网站栏目出现广告", .where = "宣传部网站", .how_bad = SEVERITY_TAMPERED};
    int64_t id;
    err_clear(&e);
    assert_int_equal(event_report(f->st, &f->dept, &r, &id, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE source = "
                                      "'department:宣传部' AND state = 'tampered' AND "
                                      "category = 'information-destruction'"),
                     1);
    /* it waits in the office's queue with the acknowledgement deadline (O-3) */
    json_t *due;
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &due, &e), 0);
    int found = 0;
    size_t i;
    json_t *v;
    json_array_foreach(due, i, v) found |=
        strcmp(json_string_value(json_object_get(v, "kind")), "acknowledge") == 0 &&
        strncmp(json_string_value(json_object_get(v, "ref")), "proposal:", 9) == 0;
    json_decref(due);
    assert_true(found);
    r.where = "";
    assert_int_equal(event_report(f->st, &f->dept, &r, &id, &e), ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_repeats_count_and_clears_record, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_grouping_by_asset_category_window_and_link,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_level_grows_while_the_outage_stands, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_core_systems_down_together_are_one_level_I_proposal,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_tampering_restored_opens_contained_incident_among_others, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_public_tampering_of_the_portal_is_level_III,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_decisions_and_refusals, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bad_events_are_refused_whole, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_alertmanager_and_department_reports, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
