/* Categories, the incident lifecycle, playbooks, deadlines, recipients and the
 * permission table. */
#include "plan/plan.h"
#include "testutil.h"

static void test_category_codes_parse_with_and_without_sub(void **state)
{
    (void)state;
    const struct category *c;
    const struct subcategory *s;
    int n = 0;
    for (const struct category *k = category_all(); k->code; k++)
        n++;
    assert_int_equal(n, 7);
    assert_int_equal(category_parse("network-attack/scanning", &c, &s), 0);
    assert_string_equal(c->zh, "网络攻击事件");
    assert_string_equal(s->zh, "网络扫描窃听");
    assert_int_equal(s->gbt, GBT_ATTACK);
    assert_int_equal(category_parse("content-security", &c, &s), 0);
    assert_null(s);
    assert_int_equal(category_parse("information-destruction/leak", &c, &s), 0);
    assert_string_equal(gbt_class_zh(s->gbt), "数据安全事件");
    assert_int_equal(category_parse("harmful-program/webshell", &c, &s), 0);
    assert_string_equal(gbt_class_zh(s->gbt), "恶意程序事件");
    assert_int_equal(category_parse("disaster/natural", &c, &s), 0);
    assert_string_equal(gbt_class_zh(s->gbt), "不可抗力事件");
    assert_int_equal(category_parse("network-attack/teleport", &c, &s), -1);
    assert_int_equal(category_parse("network", &c, &s), -1);
    assert_int_equal(category_parse("network-attack-x", &c, &s), -1);
    assert_int_equal(category_parse("", &c, &s), -1);
}

static void test_every_subcategory_maps_to_a_national_class(void **state)
{
    (void)state;
    for (const struct category *k = category_all(); k->code; k++) {
        assert_non_null(k->subs[0].code);
        for (const struct subcategory *s = k->subs; s->code; s++) {
            assert_true((unsigned)s->gbt < GBT_COUNT);
            char full[128];
            const struct category *c;
            const struct subcategory *back;
            snprintf(full, sizeof(full), "%s/%s", k->code, s->code);
            assert_int_equal(category_parse(full, &c, &back), 0);
            assert_ptr_equal(back, s);
        }
    }
}

static void test_every_transition_legal_or_not(void **state)
{
    (void)state;
    /* The whole matrix: what the plan's lifecycle allows, and nothing else. */
    static const char *const legal[] = {
        "reported>triaged",    "reported>closed",      "triaged>responding",
        "triaged>closed",      "responding>contained", "responding>recovered",
        "contained>recovered", "recovered>closed",     "closed>responding",
    };
    for (int from = 0; from < INC_STATUS_COUNT; from++) {
        for (int to = 0; to < INC_STATUS_COUNT; to++) {
            char key[64];
            snprintf(key, sizeof(key), "%s>%s", incident_status_code((enum incident_status)from),
                     incident_status_code((enum incident_status)to));
            int expect = 0;
            for (size_t i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
                expect |= strcmp(legal[i], key) == 0;
            if (incident_transition_allowed((enum incident_status)from, (enum incident_status)to) !=
                expect)
                fail_msg("transition %s: expected %s", key, expect ? "legal" : "illegal");
        }
    }
    /* assessed is reached only through the assessment */
    for (int from = 0; from < INC_STATUS_COUNT; from++)
        assert_false(incident_transition_allowed((enum incident_status)from, INC_ASSESSED));
}

static int has_task(const struct playbook_task **t, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i]->code, code) == 0)
            return 1;
    return 0;
}

static void test_playbook_has_the_plan_steps(void **state)
{
    (void)state;
    const struct category *c;
    const struct subcategory *s;
    const struct playbook_task *t[PLAYBOOK_MAX];
    category_parse("information-destruction/tampering", &c, &s);
    size_t n = playbook_tasks(c, LEVEL_III, 0, t, PLAYBOOK_MAX);
    const char *needed[] = {"contain", "strengthen", "backup",   "hidden-dangers",
                            "restore", "evidence",   "statement"};
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        assert_true(has_task(t, n, needed[i]));
    assert_false(has_task(t, n, "police-contact"));
    assert_false(has_task(t, n, "block-source"));
    /* containment comes first and is due soonest (H-3 before H-4) */
    assert_string_equal(t[0]->code, "contain");
    for (size_t i = 1; i < n; i++)
        assert_true(t[i]->due_ms >= t[0]->due_ms);
}

static void test_playbook_sabotage_adds_police_contact(void **state)
{
    (void)state;
    const struct category *c;
    const struct subcategory *s;
    const struct playbook_task *t[PLAYBOOK_MAX];
    category_parse("network-attack", &c, &s);
    size_t n = playbook_tasks(c, LEVEL_II, 1, t, PLAYBOOK_MAX);
    assert_true(has_task(t, n, "police-contact"));
    assert_true(has_task(t, n, "block-source"));
    assert_string_equal(playbook_sabotage_task()->clause, "H-5");
}

static void test_playbook_statement_only_from_level_III(void **state)
{
    (void)state;
    const struct category *c;
    const struct subcategory *s;
    const struct playbook_task *t[PLAYBOOK_MAX];
    category_parse("equipment-failure", &c, &s);
    size_t n = playbook_tasks(c, LEVEL_IV, 0, t, PLAYBOOK_MAX);
    assert_false(has_task(t, n, "statement"));
    assert_true(has_task(t, n, "protect-equipment"));
    n = playbook_tasks(c, LEVEL_I, 0, t, PLAYBOOK_MAX);
    assert_true(has_task(t, n, "statement"));
    /* ungraded: every task of every level until graded */
    n = playbook_tasks(c, LEVEL_NONE, 0, t, PLAYBOOK_MAX);
    assert_true(has_task(t, n, "statement"));
}

static void test_deadline_defaults(void **state)
{
    (void)state;
    assert_int_equal(deadline_info(DL_ASSESSMENT)->default_ms, 30 * PLAN_DAY_MS);
    assert_int_equal(deadline_info(DL_CAC)->default_ms, 4 * PLAN_HOUR_MS);
    assert_int_equal(deadline_info(DL_ACK_REPORT)->default_ms, 30 * PLAN_MINUTE_MS);
    assert_string_equal(deadline_info(DL_ASSESSMENT)->clause, "H-7");
    enum deadline d;
    for (int i = 0; i < DL_COUNT; i++) {
        assert_int_equal(deadline_parse_setting(deadline_info((enum deadline)i)->setting, &d), 0);
        assert_int_equal(d, i);
        assert_true(deadline_info((enum deadline)i)->default_ms > 0);
    }
    assert_int_equal(deadline_parse_setting("deadline.never", &d), -1);
}

static void test_recipients_by_level(void **state)
{
    (void)state;
    for (int l = LEVEL_NONE; l <= LEVEL_IV; l++) {
        int iii_plus = l != LEVEL_NONE && l <= LEVEL_III;
        assert_int_equal(recipient_required(RCP_CITY_OFFICE, (enum level)l, 0, 0), iii_plus);
        assert_int_equal(recipient_required(RCP_CAC, (enum level)l, 0, 0), iii_plus);
        assert_int_equal(recipient_required(RCP_CITY_COMMAND, (enum level)l, 0, 0), l == LEVEL_I);
        assert_int_equal(recipient_required(RCP_POLICE, (enum level)l, 0, 0), 0);
        assert_int_equal(recipient_required(RCP_POLICE, (enum level)l, 1, 0), 1);
        /* drills are never reported upward */
        for (int r = 0; r < RCP_COUNT; r++)
            assert_int_equal(recipient_required((enum recipient)r, (enum level)l, 1, 1), 0);
    }
}

static void test_permission_refusals_per_role(void **state)
{
    (void)state;
    /* department: reports, does its tasks, adds evidence; nothing else */
    assert_true(permission_allows(ROLE_DEPARTMENT, ACT_INCIDENT_REPORT));
    assert_true(permission_allows(ROLE_DEPARTMENT, ACT_TASK_DONE));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_INCIDENT_OPEN));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_WARNING_DRAFT));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_WARNING_PUBLISH_LOW));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_APPROVE));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_INCIDENT_READ_ALL));
    /* officer runs the response but approves nothing */
    assert_true(permission_allows(ROLE_OFFICER, ACT_INCIDENT_MANAGE));
    assert_true(permission_allows(ROLE_OFFICER, ACT_WARNING_PUBLISH_LOW));
    assert_false(permission_allows(ROLE_OFFICER, ACT_APPROVE));
    /* leader approves */
    assert_true(permission_allows(ROLE_LEADER, ACT_APPROVE));
    /* admin has no incident authority by default */
    assert_false(permission_allows(ROLE_ADMIN, ACT_INCIDENT_MANAGE));
    assert_false(permission_allows(ROLE_ADMIN, ACT_INCIDENT_REPORT));
    assert_true(permission_allows(ROLE_ADMIN, ACT_USER_MANAGE));
    /* triage and acknowledgement belong to the office and the leaders; channels
     * and routes to the administrator */
    assert_true(permission_allows(ROLE_OFFICER, ACT_TRIAGE));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_TRIAGE));
    assert_true(permission_allows(ROLE_LEADER, ACT_INCIDENT_ACK));
    assert_false(permission_allows(ROLE_DEPARTMENT, ACT_INCIDENT_ACK));
    assert_true(permission_allows(ROLE_ADMIN, ACT_NOTIFY_MANAGE));
    assert_false(permission_allows(ROLE_OFFICER, ACT_NOTIFY_MANAGE));
    /* auditor reads everything and changes nothing */
    for (int a = 0; a < ACT_COUNT; a++) {
        int reads = a == ACT_INCIDENT_READ_ALL || a == ACT_AUDIT_READ || a == ACT_EVIDENCE_EXPORT ||
                    a == ACT_EVENT_READ || a == ACT_NOTIFY_READ || a == ACT_BACKUP_READ ||
                    a == ACT_DRILL_READ || a == ACT_MONITOR_READ || a == ACT_STATS_READ;
        if (permission_allows(ROLE_AUDITOR, (enum action)a) != reads)
            fail_msg("auditor and %s", action_info((enum action)a)->code);
    }
    /* every action is named and allowed to someone */
    for (int a = 0; a < ACT_COUNT; a++) {
        int anyone = 0;
        assert_non_null(action_info((enum action)a)->code);
        for (int r = 0; r < ROLE_COUNT; r++)
            anyone |= permission_allows((enum role)r, (enum action)a);
        assert_true(anyone);
    }
    assert_false(permission_allows(ROLE_COUNT, ACT_APPROVE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_category_codes_parse_with_and_without_sub),
        cmocka_unit_test(test_every_subcategory_maps_to_a_national_class),
        cmocka_unit_test(test_every_transition_legal_or_not),
        cmocka_unit_test(test_playbook_has_the_plan_steps),
        cmocka_unit_test(test_playbook_sabotage_adds_police_contact),
        cmocka_unit_test(test_playbook_statement_only_from_level_III),
        cmocka_unit_test(test_deadline_defaults),
        cmocka_unit_test(test_recipients_by_level),
        cmocka_unit_test(test_permission_refusals_per_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
