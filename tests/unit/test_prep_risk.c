/* Risk assessments (P-1): the 5×5 matrix at every boundary, the checks of an
 * assessment, and earlier assessments kept. */
#include "prep/prep.h"
#include "response_fixture.h"

static void test_matrix_boundaries(void **state)
{
    (void)state;
    /* every cell of the matrix: score ≤ 4 low, ≤ 9 medium, ≤ 16 high, else extreme */
    for (int l = 1; l <= 5; l++)
        for (int i = 1; i <= 5; i++) {
            int s = l * i;
            enum risk_level want = s <= 4    ? RISK_LOW
                                   : s <= 9  ? RISK_MEDIUM
                                   : s <= 16 ? RISK_HIGH
                                             : RISK_EXTREME;
            assert_int_equal(risk_level_of(l, i), want);
        }
    assert_int_equal(risk_level_of(2, 2), RISK_LOW);
    assert_int_equal(risk_level_of(1, 5), RISK_MEDIUM);
    assert_int_equal(risk_level_of(2, 5), RISK_HIGH);
    assert_int_equal(risk_level_of(4, 4), RISK_HIGH);
    assert_int_equal(risk_level_of(4, 5), RISK_EXTREME);
    assert_string_equal(risk_level_zh(RISK_EXTREME), "极高");
}

static void test_assessments_are_checked_and_kept(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    char ref[RISK_REF_LEN];
    struct risk_assessment_new in = {
        .asset = "门户网站",
        .next_review_at = fixture_now + 180 * PLAN_DAY_MS,
        .threats = {{"网页被篡改", 4, 4, "网页防篡改与监测", "宣传部"},
                    {"DDoS 攻击", 2, 5, "接入运营商清洗服务", "办公室"}},
        .n_threats = 2};
    assert_int_equal(risk_assess(f->st, &f->dept, &in, ref, &e), ERR_DENIED);
    in.threats[1].impact = 6;
    err_clear(&e);
    assert_int_equal(risk_assess(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    in.threats[1].impact = 5;
    in.next_review_at = fixture_now - 1;
    err_clear(&e);
    assert_int_equal(risk_assess(f->st, &f->officer, &in, ref, &e), ERR_INPUT);
    in.next_review_at = fixture_now + 180 * PLAN_DAY_MS;
    in.n_threats = 0;
    err_clear(&e);
    assert_int_equal(risk_assess(f->st, &f->officer, &in, ref, &e), ERR_USAGE);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM risk_assessments"), 0);

    in.n_threats = 2;
    assert_int_equal(risk_assess(f->st, &f->officer, &in, ref, &e), 0);
    assert_string_equal(ref, "RSK-0001");
    fixture_now += PLAN_DAY_MS;
    in.threats[0].likelihood = 2; /* the guard is in place: less likely */
    assert_int_equal(risk_assess(f->st, &f->leader, &in, ref, &e), 0);
    json_t *latest, *all, *one;
    assert_int_equal(risk_list_json(f->st, &f->auditor, NULL, &latest, &e), 0);
    assert_int_equal(json_array_size(latest), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(latest, 0), "ref")),
                        "RSK-0002");
    assert_int_equal(risk_list_json(f->st, &f->auditor, "门户网站", &all, &e), 0);
    assert_int_equal(json_array_size(all), 2);
    assert_int_equal(risk_show_json(f->st, &f->auditor, "RSK-0001", &one, &e), 0);
    assert_string_equal(json_string_value(json_object_get(one, "worst")), "high");
    json_t *first = json_array_get(json_object_get(one, "threats"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "score")), 16);
    json_decref(latest);
    json_decref(all);
    json_decref(one);
    /* its review is due */
    json_t *due;
    fixture_now += 200 * PLAN_DAY_MS;
    assert_int_equal(due_list_json(f->st, &f->officer, 1, &due, &e), 0);
    int found = 0;
    size_t i;
    json_t *v;
    json_array_foreach(due, i, v) found +=
        strcmp(json_string_value(json_object_get(v, "kind")), "risk") == 0;
    json_decref(due);
    assert_int_equal(found, 1); /* the latest only */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_boundaries),
        cmocka_unit_test_setup_teardown(test_assessments_are_checked_and_kept, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
