/* Security checks (P-1): automatic items from what tocsin knows, results,
 * finishing only when complete, a failed item as a hazard, the schedule. */
#include "prep/prep.h"
#include "response_fixture.h"

static void test_run_with_automatic_items(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct checklist_new in = {.name = "每日检查",
                               .schedule = CHECK_DAILY,
                               .items = {{"机房温度", "低于 28 度", NULL},
                                         {NULL, NULL, "no-overdue-hazards"},
                                         {NULL, NULL, "no-overdue-tasks"}},
                               .n_items = 3};
    assert_int_equal(checklist_add(f->st, &f->dept, &in, &e), ERR_DENIED);
    in.items[2].auto_code = "all-good";
    err_clear(&e);
    assert_int_equal(checklist_add(f->st, &f->officer, &in, &e), ERR_INPUT);
    in.items[2].auto_code = "no-overdue-tasks";
    assert_int_equal(checklist_add(f->st, &f->officer, &in, &e), 0);
    err_clear(&e);
    assert_int_equal(checklist_add(f->st, &f->officer, &in, &e), ERR_EXISTS);

    /* an overdue hazard makes its automatic item fail; no task is overdue */
    char h[HAZARD_REF_LEN];
    struct hazard_new hz = {.title = "旧隐患",
                            .severity = HAZ_LOW,
                            .department = "办公室",
                            .deadline_at = fixture_now + PLAN_HOUR_MS};
    assert_int_equal(hazard_add(f->st, &f->officer, &hz, h, &e), 0);
    fixture_now += 2 * PLAN_HOUR_MS;
    int64_t run = 0;
    assert_int_equal(check_run_start(f->st, &f->officer, "每日检查", &run, &e), 0);
    json_t *o;
    assert_int_equal(check_run_show_json(f->st, &f->officer, run, &o, &e), 0);
    json_t *items = json_object_get(o, "items");
    assert_true(json_is_null(json_object_get(json_array_get(items, 0), "result")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "result")),
                        "fail");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "result")),
                        "pass");
    json_decref(o);

    err_clear(&e);
    assert_int_equal(check_run_finish(f->st, &f->officer, run, &e), ERR_CONFLICT);
    assert_int_equal(check_run_record(f->st, &f->officer, run, 1, "pass", "26 度", &e), 0);
    assert_int_equal(check_run_finish(f->st, &f->officer, run, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT result = 'fail' FROM check_runs"), 1);
    err_clear(&e);
    assert_int_equal(check_run_record(f->st, &f->officer, run, 1, "fail", NULL, &e), ERR_CONFLICT);

    char ref[HAZARD_REF_LEN];
    err_clear(&e);
    assert_int_equal(check_run_hazard(f->st, &f->officer, run, 1, "办公室", HAZ_LOW,
                                      fixture_now + PLAN_DAY_MS, ref, &e),
                     ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(check_run_hazard(f->st, &f->officer, run, 2, "办公室", HAZ_MEDIUM,
                                      fixture_now + PLAN_DAY_MS, ref, &e),
                     0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM hazards"), 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM check_results WHERE hazard != ''"), 1);
}

static void test_schedule_on_the_due_list(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct checklist_new weekly = {.name = "每周检查",
                                   .schedule = CHECK_WEEKLY,
                                   .items = {{"备份介质在位", NULL, NULL}},
                                   .n_items = 1};
    struct checklist_new once = {.name = "年底专项检查",
                                 .schedule = CHECK_ONCE,
                                 .due_at = fixture_now + 3 * PLAN_DAY_MS,
                                 .items = {{"全面排查", NULL, NULL}},
                                 .n_items = 1};
    assert_int_equal(checklist_add(f->st, &f->officer, &weekly, &e), 0);
    assert_int_equal(checklist_add(f->st, &f->officer, &once, &e), 0);
    json_t *due;
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &due, &e), 0);
    int64_t weekly_due = 0, once_due = 0;
    size_t i;
    json_t *v;
    json_array_foreach(due, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "kind")), "check") != 0)
            continue;
        const char *ref = json_string_value(json_object_get(v, "ref"));
        int64_t at = json_integer_value(json_object_get(v, "due_ms"));
        if (strcmp(ref, "每周检查") == 0)
            weekly_due = at;
        else
            once_due = at;
    }
    json_decref(due);
    assert_int_equal(weekly_due, fixture_now + 7 * PLAN_DAY_MS);
    assert_int_equal(once_due, fixture_now + 3 * PLAN_DAY_MS);
    /* a checklist for once is not due after it ran */
    int64_t run;
    assert_int_equal(check_run_start(f->st, &f->officer, "年底专项检查", &run, &e), 0);
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &due, &e), 0);
    int checks = 0;
    json_array_foreach(due, i, v) checks +=
        strcmp(json_string_value(json_object_get(v, "kind")), "check") == 0;
    json_decref(due);
    assert_int_equal(checks, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_with_automatic_items, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_schedule_on_the_due_list, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
