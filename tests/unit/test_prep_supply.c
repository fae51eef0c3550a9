/* The emergency-supplies store (G-1): nothing leaves before a leader's
 * approval, quantities never go negative, returns reconcile, refusals change
 * nothing. */
#include "prep/prep.h"
#include "response_fixture.h"

static int64_t quantity(struct fixture *f, const char *ref)
{
    int64_t n = -1;
    assert_int_equal(
        store_query_int(f->st, NULL, &n, "SELECT quantity FROM supplies WHERE ref = ?", "s", ref),
        0);
    return n;
}

static void test_dispatch_waits_for_a_leader_and_returns_reconcile(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    char ref[SUPPLY_REF_LEN], inc[INCIDENT_REF_LEN];
    struct supply_new in = {
        .name = "备用交换机", .kind = SUPPLY_HARDWARE, .quantity = 3, .location = "机房"};
    assert_int_equal(supply_add(f->st, &f->officer, &in, ref, &e), 0);
    assert_string_equal(ref, "SUP-0001");
    struct incident_new ni = {.title = "核心交换机故障", .category = "equipment-failure/hardware"};
    assert_int_equal(incident_open(f->st, &f->officer, &ni, inc, &e), 0);

    char before[SHA256_HEX_LEN], after[SHA256_HEX_LEN];
    int64_t approval = 0;
    fixture_digest(f, before);
    assert_int_equal(supply_dispatch(f->st, &f->dept, ref, 1, inc, NULL, &approval, &e),
                     ERR_DENIED);
    err_clear(&e);
    assert_int_equal(supply_dispatch(f->st, &f->officer, ref, 4, inc, NULL, &approval, &e),
                     ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(supply_dispatch(f->st, &f->officer, "SUP-0099", 1, inc, NULL, &approval, &e),
                     ERR_NOTFOUND);
    err_clear(&e);
    fixture_digest(f, after);
    assert_string_equal(before, after);

    assert_int_equal(supply_dispatch(f->st, &f->officer, ref, 2, inc, "更换", &approval, &e), 0);
    assert_int_equal(quantity(f, ref), 3);
    assert_int_equal(approval_decide(f->st, &f->officer, approval, 1, NULL, &e), ERR_DENIED);
    err_clear(&e);
    assert_int_equal(approval_decide(f->st, &f->leader, approval, 1, NULL, &e), 0);
    assert_int_equal(quantity(f, ref), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM timeline WHERE kind = 'supply'"), 1);

    /* approved later than another request emptied the store: refused whole */
    int64_t a2, a3;
    assert_int_equal(supply_dispatch(f->st, &f->officer, ref, 1, inc, NULL, &a2, &e), 0);
    assert_int_equal(supply_dispatch(f->st, &f->leader, ref, 1, inc, NULL, &a3, &e), 0);
    assert_int_equal(approval_decide(f->st, &f->leader, a2, 1, NULL, &e), 0);
    assert_int_equal(approval_decide(f->st, &f->leader, a3, 1, NULL, &e), ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(quantity(f, ref), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM approvals WHERE status = 'pending'"),
                     1);

    int64_t d = 0;
    assert_int_equal(
        store_query_int(f->st, NULL, &d, "SELECT id FROM supply_dispatches WHERE quantity = 2", ""),
        0);
    assert_int_equal(supply_return(f->st, &f->officer, d, 3, &e), ERR_CONFLICT);
    err_clear(&e);
    assert_int_equal(supply_return(f->st, &f->officer, d, 1, &e), 0);
    assert_int_equal(supply_return(f->st, &f->officer, d, 1, &e), 0);
    assert_int_equal(quantity(f, ref), 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM supply_dispatches WHERE status = "
                                      "'returned' AND returned = 2"),
                     1);
    assert_int_equal(supply_return(f->st, &f->officer, d, 1, &e), ERR_CONFLICT);
}

static void test_expiring_items_are_due(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    char ref[SUPPLY_REF_LEN];
    struct supply_new soon = {.name = "UPS 电池",
                              .kind = SUPPLY_RESCUE,
                              .quantity = 2,
                              .location = "机房",
                              .maintain_at = fixture_now + 3 * PLAN_DAY_MS};
    struct supply_new later = {.name = "杀毒授权",
                               .kind = SUPPLY_SOFTWARE,
                               .quantity = 10,
                               .location = "信息中心",
                               .expires_at = fixture_now + 90 * PLAN_DAY_MS};
    assert_int_equal(supply_add(f->st, &f->officer, &soon, ref, &e), 0);
    assert_int_equal(supply_add(f->st, &f->officer, &later, ref, &e), 0);
    struct supply_new bad = {.name = "x", .kind = SUPPLY_RESCUE, .quantity = -1, .location = "y"};
    assert_int_equal(supply_add(f->st, &f->officer, &bad, ref, &e), ERR_INPUT);
    json_t *due;
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &due, &e), 0);
    int n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(due, i, v) n +=
        strcmp(json_string_value(json_object_get(v, "kind")), "supply") == 0;
    json_decref(due);
    assert_int_equal(n, 1); /* maintenance in 3 days; the licence has 90 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dispatch_waits_for_a_leader_and_returns_reconcile,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_expiring_items_are_due, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
