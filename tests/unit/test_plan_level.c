/* The level rules of plan §3 (L-2): each fires, does not fire, and its boundary. */
#include "plan/plan.h"
#include "testutil.h"

static struct level_thresholds T;

static int setup(void **state)
{
    (void)state;
    level_thresholds_default(&T);
    return 0;
}

static struct impact_asset asset(enum asset_kind kind, enum asset_state state, int64_t minutes)
{
    struct impact_asset a = {
        NULL, kind, kind == ASSET_PORTAL || kind == ASSET_OA ? IMPORTANCE_CORE : IMPORTANCE_GENERAL,
        state, minutes};
    return a;
}

static int fired(const struct level_assessment *a, const char *rule)
{
    for (size_t i = 0; i < a->n_reasons; i++)
        if (strcmp(a->reasons[i].rule, rule) == 0)
            return 1;
    return 0;
}

static void test_level_both_systems_down_is_I(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 2};
    im.assets[0] = asset(ASSET_PORTAL, STATE_DOWN, 5);
    im.assets[1] = asset(ASSET_OA, STATE_DOWN, 5);
    struct level_assessment a;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_I);
    assert_true(fired(&a, "both-core-down"));
    assert_non_null(strstr(a.reasons[0].zh, "丧失业务能力"));
}

static void test_level_portal_down_and_oa_degraded_is_not_I(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 2};
    im.assets[0] = asset(ASSET_PORTAL, STATE_DOWN, 5);
    im.assets[1] = asset(ASSET_OA, STATE_DEGRADED, 5);
    struct level_assessment a;
    level_assess(&im, &T, &a);
    assert_false(fired(&a, "both-core-down"));
    assert_int_equal(a.level, LEVEL_III);
}

static void test_level_core_down_long_boundary_is_II(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 1};
    struct level_assessment a;
    im.assets[0] = asset(ASSET_OA, STATE_DOWN, T.down_long_min); /* exactly the threshold */
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_II);
    assert_true(fired(&a, "core-down-long"));
    im.assets[0].duration_min = T.down_long_min - 1; /* one minute short */
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_III);
    assert_true(fired(&a, "core-down"));
    assert_false(fired(&a, "core-down-long"));
}

static void test_level_thresholds_are_settings(void **state)
{
    (void)state;
    struct level_thresholds t = T;
    t.down_long_min = 30;
    struct impact im = {.n_assets = 1};
    im.assets[0] = asset(ASSET_PORTAL, STATE_DOWN, 45);
    struct level_assessment a;
    level_assess(&im, &t, &a);
    assert_int_equal(a.level, LEVEL_II);
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_III);
}

static void test_level_core_degraded_long_boundary_is_III(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 1};
    struct level_assessment a;
    im.assets[0] = asset(ASSET_PORTAL, STATE_DEGRADED, T.degraded_long_min);
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_III);
    assert_true(fired(&a, "core-degraded-long"));
    im.assets[0].duration_min = T.degraded_long_min - 1;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_IV);
    assert_true(fired(&a, "some-impact"));
}

static void test_level_tampered_needs_public_for_III(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 1};
    struct level_assessment a;
    im.assets[0] = asset(ASSET_PORTAL, STATE_TAMPERED, 3);
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_IV);
    im.is_public = 1;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_III);
    assert_true(fired(&a, "core-tampered-public"));
}

static void test_level_general_server_down_long_is_IV(void **state)
{
    (void)state;
    /* Not the portal, the OA or a core asset: the plan's III/II rules do not apply. */
    struct impact im = {.n_assets = 1};
    im.assets[0] = asset(ASSET_SERVER, STATE_DOWN, 600);
    struct level_assessment a;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_IV);
    im.assets[0].importance = IMPORTANCE_CORE;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_II);
}

static void test_level_records_thresholds_include_the_number(void **state)
{
    (void)state;
    struct impact im = {0};
    struct level_assessment a;
    struct {
        int64_t records;
        enum level level;
        const char *rule;
    } cases[] = {
        {999999, LEVEL_IV, "some-impact"},   {1000000, LEVEL_III, "records-iii"},
        {9999999, LEVEL_III, "records-iii"}, {10000000, LEVEL_II, "records-ii"},
        {99999999, LEVEL_II, "records-ii"},  {100000000, LEVEL_I, "records-i"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        im.personal_records = cases[i].records;
        level_assess(&im, &T, &a);
        assert_int_equal(a.level, cases[i].level);
        assert_true(fired(&a, cases[i].rule));
    }
}

static void test_level_highest_rule_wins_and_all_are_listed(void **state)
{
    (void)state;
    struct impact im = {.n_assets = 2, .personal_records = 20000000};
    im.assets[0] = asset(ASSET_PORTAL, STATE_DOWN, 10);
    im.assets[1] = asset(ASSET_DATABASE, STATE_LEAKED, 0);
    struct level_assessment a;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_II);
    assert_true(fired(&a, "core-down"));
    assert_true(fired(&a, "records-ii"));
    assert_int_equal(a.n_reasons, 2);
}

static void test_level_no_facts_is_IV_pending(void **state)
{
    (void)state;
    struct impact im = {0};
    struct level_assessment a;
    level_assess(&im, &T, &a);
    assert_int_equal(a.level, LEVEL_IV);
    assert_true(fired(&a, "no-impact-facts"));
}

static void test_level_names_and_colours(void **state)
{
    (void)state;
    const char *zh[] = {"特别重大", "重大", "较大", "一般"};
    const char *colour[] = {"red", "orange", "yellow", "blue"};
    for (int l = LEVEL_I; l <= LEVEL_IV; l++) {
        enum level back;
        enum colour c;
        assert_string_equal(level_zh((enum level)l), zh[l - 1]);
        assert_int_equal(level_parse(level_code((enum level)l), &back), 0);
        assert_int_equal(back, l);
        assert_string_equal(colour_code(colour_for_level((enum level)l)), colour[l - 1]);
        assert_int_equal(colour_parse(colour[l - 1], &c), 0);
        assert_int_equal(level_for_colour(c), l);
    }
    enum level l;
    assert_int_equal(level_parse("V", &l), -1);
    assert_int_equal(level_parse("iii", &l), -1);
    assert_true(level_above(LEVEL_I, LEVEL_II));
    assert_false(level_above(LEVEL_IV, LEVEL_III));
    assert_true(level_above(LEVEL_IV, LEVEL_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_both_systems_down_is_I),
        cmocka_unit_test(test_level_portal_down_and_oa_degraded_is_not_I),
        cmocka_unit_test(test_level_core_down_long_boundary_is_II),
        cmocka_unit_test(test_level_thresholds_are_settings),
        cmocka_unit_test(test_level_core_degraded_long_boundary_is_III),
        cmocka_unit_test(test_level_tampered_needs_public_for_III),
        cmocka_unit_test(test_level_general_server_down_long_is_IV),
        cmocka_unit_test(test_level_records_thresholds_include_the_number),
        cmocka_unit_test(test_level_highest_rule_wins_and_all_are_listed),
        cmocka_unit_test(test_level_no_facts_is_IV_pending),
        cmocka_unit_test(test_level_names_and_colours),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
