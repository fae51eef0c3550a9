/* The hazard register (P-1): the moves the register allows, who may make
 * them, the four-eyes verification, and refusals that change nothing. */
#include "prep/prep.h"
#include "response_fixture.h"

static void add(struct fixture *f, const struct user *as, const char *dept,
                char ref[HAZARD_REF_LEN])
{
    struct hazard_new in = {.title = "后台弱口令",
                            .severity = HAZ_HIGH,
                            .department = dept,
                            .deadline_at = fixture_now + PLAN_DAY_MS};
    struct err e = {0};
    if (hazard_add(f->st, as, &in, ref, &e) != 0)
        fail_msg("hazard_add: %s", e.msg);
}

static void test_moves_and_who_may_make_them(void **state)
{
    struct fixture *f = *state;
    char h[HAZARD_REF_LEN], before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    add(f, &f->officer, "宣传部", h);
    struct err e = {0};
    fixture_digest(f, before);
    assert_int_equal(hazard_set_status(f->st, &f->dept, h, HAZ_FIXED, NULL, &e), ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(hazard_set_status(f->st, &f->other_dept, h, HAZ_REMEDIATING, NULL, &e),
                     ERR_NOTFOUND);
    err_clear(&e);
    assert_int_equal(hazard_set_status(f->st, &f->auditor, h, HAZ_REMEDIATING, NULL, &e),
                     ERR_DENIED);
    err_clear(&e);
    fixture_digest(f, after);
    assert_string_equal(before, after);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM hazard_log"), 1);

    assert_int_equal(hazard_set_status(f->st, &f->dept, h, HAZ_REMEDIATING, "处理中", &e), 0);
    assert_int_equal(hazard_set_status(f->st, &f->officer, h, HAZ_FIXED, NULL, &e), 0);
    assert_int_equal(hazard_set_status(f->st, &f->officer, h, HAZ_VERIFIED, NULL, &e), ERR_DENIED);
    err_clear(&e);
    /* the fix did not hold: back to remediating, then fixed by the department */
    assert_int_equal(hazard_set_status(f->st, &f->leader, h, HAZ_REMEDIATING, "复查未通过", &e), 0);
    assert_int_equal(hazard_set_status(f->st, &f->dept, h, HAZ_FIXED, NULL, &e), 0);
    assert_int_equal(hazard_set_status(f->st, &f->dept, h, HAZ_VERIFIED, NULL, &e), ERR_DENIED);
    err_clear(&e);
    assert_int_equal(hazard_set_status(f->st, &f->officer, h, HAZ_VERIFIED, "已复查", &e), 0);
    assert_int_equal(hazard_set_status(f->st, &f->leader, h, HAZ_REMEDIATING, NULL, &e),
                     ERR_CONFLICT);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM hazard_log"), 6);
}

static void test_entering_is_checked_and_overdue_is_listed(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    char h[HAZARD_REF_LEN];
    struct hazard_new bad = {.title = "x",
                             .severity = HAZ_LOW,
                             .department = "财务处",
                             .deadline_at = fixture_now + PLAN_DAY_MS};
    assert_int_equal(hazard_add(f->st, &f->dept, &bad, h, &e), ERR_DENIED);
    bad.department = "宣传部";
    bad.deadline_at = fixture_now - 1;
    err_clear(&e);
    assert_int_equal(hazard_add(f->st, &f->dept, &bad, h, &e), ERR_INPUT);
    bad.deadline_at = fixture_now + PLAN_DAY_MS;
    bad.title = "line\nbreak";
    err_clear(&e);
    assert_int_equal(hazard_add(f->st, &f->dept, &bad, h, &e), ERR_INPUT);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM hazards"), 0);

    add(f, &f->dept, "宣传部", h);
    add(f, &f->officer, "财务处", h);
    json_t *items;
    assert_int_equal(hazard_list_json(f->st, &f->officer, NULL, 1, &items, &e), 0);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    fixture_now += 2 * PLAN_DAY_MS;
    assert_int_equal(hazard_list_json(f->st, &f->officer, NULL, 1, &items, &e), 0);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    assert_int_equal(hazard_list_json(f->st, &f->dept, NULL, 1, &items, &e), 0);
    assert_int_equal(json_array_size(items), 1); /* its own */
    json_decref(items);
    assert_int_equal(hazard_list_json(f->st, &f->officer, "done", 0, &items, &e), ERR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moves_and_who_may_make_them, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_entering_is_checked_and_overdue_is_listed,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
