/* Who is told what, and when: routes by trigger, level, category and role;
 * one mail per person with an address, one message per robot; escalation on
 * the clock until acknowledged; warnings published and lifted; reminders of
 * upward reports; nothing queued twice. Delivery itself is tested end to end
 * (tests/e2e/notify.sh). */
#include "notify/notify.h"
#include "response_fixture.h"

static void channel(struct fixture *f, const char *name, enum channel_kind kind, const char *conf)
{
    json_t *c = json_loads(conf, 0, NULL);
    int64_t id;
    struct err e = {0};
    if (channel_add(f->st, &f->admin, name, kind, c, &id, &e) != 0)
        fail_msg("channel_add %s: %s", name, e.msg);
    json_decref(c);
}

static void route(struct fixture *f, enum notice_trigger t, enum level min, const char *role,
                  int tier, const char *ch)
{
    struct route_new r = {
        .trigger = t, .min_level = min, .role = role, .tier = tier, .channel = ch};
    int64_t id;
    struct err e = {0};
    if (route_add(f->st, &f->admin, &r, &id, &e) != 0)
        fail_msg("route_add: %s", e.msg);
}

static int plan(struct fixture *f)
{
    int queued = -1;
    struct err e = {0};
    if (notify_plan(f->st, fixture_now, &queued, &e) != 0)
        fail_msg("notify_plan: %s", e.msg);
    return queued;
}

static int setup(void **state)
{
    if (fixture_setup(state) != 0)
        return -1;
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(user_set_email(f->st, "test", "zhou", "zhou@example.gov.cn", &e), 0);
    assert_int_equal(user_set_email(f->st, "test", "lead", "lead@example.gov.cn", &e), 0);
    assert_int_equal(user_set_email(f->st, "test", "xc", "xc@example.gov.cn", &e), 0);
    channel(f, "mail", CH_SMTP,
            "{\"url\":\"smtp://127.0.0.1:9\",\"from\":\"t@example.gov.cn\",\"starttls\":\"no\"}");
    channel(f, "ding", CH_DINGTALK, "{\"url\":\"http://127.0.0.1:9/robot?access_token=x\"}");
    route(f, NT_INCIDENT, LEVEL_IV, "officer", 0, "mail");
    route(f, NT_INCIDENT, LEVEL_II, "leader", 0, "ding");
    route(f, NT_ESCALATION, LEVEL_II, "leader", 1, "mail");
    route(f, NT_ESCALATION, LEVEL_II, "leader", 2, "ding");
    route(f, NT_WARNING, LEVEL_IV, "", 0, "mail");
    return 0;
}

static void open_incident(struct fixture *f, enum level level, int automatic,
                          char ref[INCIDENT_REF_LEN])
{
    struct incident_new in = {.title = "门户网站无法访问",
                              .category = "equipment-failure/hardware",
                              .assets = {"门户网站"},
                              .n_assets = 1,
                              .level = level,
                              .level_reason = "测试",
                              .is_automatic = automatic};
    struct err e = {0};
    if (incident_open(f->st, &f->officer, &in, ref, &e) != 0)
        fail_msg("incident_open: %s", e.msg);
}

static void test_level_IV_goes_to_the_office_only(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_IV, 0, ref);
    assert_int_equal(plan(f), 1); /* zhou's mail; no leader, no robot */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE recipient = "
                                      "'zhou@example.gov.cn' AND trigger = 'incident'"),
                     1);
    assert_int_equal(plan(f), 0); /* told once */
    fixture_now += PLAN_DAY_MS;
    assert_int_equal(plan(f), 0); /* level IV never escalates */
}

static void test_unacknowledged_level_II_escalates_until_acknowledged(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_II, 1, ref);
    /* at once: the office by mail, the leaders' group robot */
    assert_int_equal(plan(f), 2);
    fixture_now += 14 * PLAN_MINUTE_MS;
    assert_int_equal(plan(f), 0);
    fixture_now += PLAN_MINUTE_MS; /* deadline.escalation: 15 minutes */
    assert_int_equal(plan(f), 1);  /* tier 1: the leader by mail */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE trigger = 'escalation' "
                                      "AND recipient = 'lead@example.gov.cn' AND "
                                      "subject LIKE '%升级%'"),
                     1);
    fixture_now += 15 * PLAN_MINUTE_MS;
    assert_int_equal(plan(f), 1); /* tier 2: the robot */
    fixture_now += 15 * PLAN_MINUTE_MS;
    assert_int_equal(plan(f), 1); /* the highest tier, again */
    struct err e = {0};
    assert_int_equal(incident_acknowledge(f->st, &f->dept, ref, &e), ERR_DENIED);
    assert_int_equal(incident_acknowledge(f->st, &f->leader, ref, NULL), 0);
    fixture_now += PLAN_HOUR_MS;
    assert_int_equal(plan(f), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM timeline WHERE kind = 'escalation'"),
                     3);
}

static void test_lowered_below_II_stops_escalating(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_II, 1, ref);
    assert_int_equal(plan(f), 2);
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_III, "影响有限", NULL), 0);
    fixture_now += PLAN_HOUR_MS;
    assert_int_equal(plan(f), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE trigger = 'escalation'"),
                     0);
}

static void test_opened_by_a_person_is_acknowledged(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_II, 0, ref);
    assert_int_equal(plan(f), 2);
    fixture_now += PLAN_HOUR_MS;
    assert_int_equal(plan(f), 0);
}

static void test_a_raised_level_is_told_again(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_III, 0, ref);
    assert_int_equal(plan(f), 1);
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_I, "两个系统均中断", NULL),
                     0);
    assert_int_equal(plan(f), 2); /* the office again, and now the leaders */
    assert_int_equal(incident_set_level(f->st, &f->officer, ref, LEVEL_III, "已部分恢复", NULL), 0);
    assert_int_equal(plan(f), 0); /* a lower level wakes nobody */
}

static void test_warnings_published_and_lifted_reach_everyone(void **state)
{
    struct fixture *f = *state;
    struct warning_new w = {.colour = COLOUR_BLUE,
                            .category = "network-attack",
                            .scope = "全区各部门",
                            .items = "近期针对政务网站的扫描增多",
                            .measures = "检查口令",
                            .deadline_at = fixture_now + PLAN_DAY_MS,
                            .issuer = "领导小组"};
    char ref[WARNING_REF_LEN];
    int64_t approval;
    struct err e = {0};
    assert_int_equal(warning_draft(f->st, &f->officer, &w, ref, &e), 0);
    assert_int_equal(plan(f), 0); /* a draft is told to nobody */
    assert_int_equal(warning_submit(f->st, &f->officer, ref, &approval, &e), 0);
    assert_int_equal(warning_publish(f->st, &f->officer, ref, &e), 0);
    assert_int_equal(plan(f), 3); /* every user with an address, departments too */
    assert_int_equal(warning_lift(f->st, &f->officer, ref, "风险已消除", &e), 0);
    assert_int_equal(plan(f), 3);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE subject LIKE '%解除%'"),
                     3);
}

static void test_channels_and_routes_are_checked(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int64_t id;
    json_t *c = json_loads("{\"url\":\"file:///etc/passwd\"}", 0, NULL);
    assert_int_equal(channel_add(f->st, &f->admin, "x", CH_WEBHOOK, c, &id, &e), ERR_INPUT);
    json_decref(c);
    c = json_loads("{\"url\":\"https://example.gov.cn/hook\"}", 0, NULL);
    err_clear(&e);
    assert_int_equal(channel_add(f->st, &f->officer, "x", CH_WEBHOOK, c, &id, &e), ERR_DENIED);
    err_clear(&e);
    assert_int_equal(channel_add(f->st, &f->admin, "mail", CH_WEBHOOK, c, &id, &e), ERR_EXISTS);
    json_decref(c);
    struct route_new r = {.trigger = NT_INCIDENT, .min_level = LEVEL_IV, .channel = "nowhere"};
    err_clear(&e);
    assert_int_equal(route_add(f->st, &f->admin, &r, &id, &e), ERR_NOTFOUND);
    r.channel = "mail";
    r.role = "chef";
    err_clear(&e);
    assert_int_equal(route_add(f->st, &f->admin, &r, &id, &e), ERR_INPUT);
    /* a channel that has sent is kept for the record */
    char ref[INCIDENT_REF_LEN];
    open_incident(f, LEVEL_IV, 0, ref);
    plan(f);
    err_clear(&e);
    assert_int_equal(channel_remove(f->st, &f->admin, "mail", &e), ERR_CONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_level_IV_goes_to_the_office_only, setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unacknowledged_level_II_escalates_until_acknowledged,
                                        setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_lowered_below_II_stops_escalating, setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_opened_by_a_person_is_acknowledged, setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_raised_level_is_told_again, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_warnings_published_and_lifted_reach_everyone, setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_channels_and_routes_are_checked, setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
