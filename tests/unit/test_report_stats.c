/* report: the year's statistics — real incidents only, counted by level,
 * category and the organisation's months (a New Year's night in Shanghai is
 * January, not December), with time to acknowledge; drills on their own
 * line; read by leaders, officers and auditors only. */
#include "report/report.h"
#include "response_fixture.h"

#define MINUTE_MS 60000

static void open_incident(struct fixture *f, const struct user *as, const char *category,
                          enum level level, int is_drill, char ref[INCIDENT_REF_LEN])
{
    struct incident_new in = {.title = "门户网站异常",
                              .category = category,
                              .level = level,
                              .level_reason = level ? "影响门户网站" : NULL,
                              .is_drill = is_drill};
    struct err e = {0};
    if (incident_open(f->st, as, &in, ref, &e) != 0)
        fail_msg("incident_open: %s", e.msg);
}

static json_t *stats(struct fixture *f, const struct user *as, int year)
{
    json_t *o = NULL;
    struct err e = {0};
    if (stats_year_json(f->st, as, year, &o, &e) != 0)
        fail_msg("stats_year_json: %s", e.msg);
    return o;
}

static json_int_t at(json_t *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", path);
    return json_integer_value(v);
}

static void test_stats_leave_drills_out(void **state)
{
    struct fixture *f = *state;
    char ref[INCIDENT_REF_LEN];
    /* 2025-12-31T15:00Z is 23:00 on New Year's Eve in Shanghai: last year */
    fixture_now = 1767193200000;
    open_incident(f, &f->officer, "other", LEVEL_IV, 0, ref);
    /* 2025-12-31T20:00Z is 04:00 on the first of January: this year */
    fixture_now = 1767211200000;
    open_incident(f, &f->officer, "network-attack/scanning", LEVEL_IV, 0, ref);
    fixture_now = 1795737600000; /* 2026-11-27 */
    open_incident(f, &f->officer, "network-attack/brute-force", LEVEL_III, 0, ref);
    /* a department's report waits 30 minutes for the office */
    open_incident(f, &f->dept, "information-destruction/tampering", LEVEL_NONE, 0, ref);
    fixture_now += 30 * MINUTE_MS;
    struct err e = {0};
    assert_int_equal(incident_acknowledge(f->st, &f->officer, ref, &e), 0);
    /* the drill's incidents are counted apart */
    open_incident(f, &f->officer, "information-destruction/tampering", LEVEL_I, 1, ref);
    open_incident(f, &f->officer, "network-attack/dos", LEVEL_II, 1, ref);

    json_t *o = stats(f, &f->leader, 2026);
    assert_int_equal(at(o, "incidents.total"), 3);
    assert_int_equal(at(o, "incidents.open"), 3);
    assert_int_equal(at(o, "incidents.by_level.I"), 0);
    assert_int_equal(at(o, "incidents.by_level.II"), 0);
    assert_int_equal(at(o, "incidents.by_level.III"), 1);
    assert_int_equal(at(o, "incidents.by_level.IV"), 1);
    assert_int_equal(at(o, "incidents.by_level.ungraded"), 1);
    assert_int_equal(at(o, "incidents.by_category.network-attack.count"), 2);
    assert_int_equal(at(o, "incidents.by_category.information-destruction.count"), 1);
    assert_int_equal(at(o, "incidents.by_category.other.count"), 0);
    assert_int_equal(at(o, "incidents.by_month.0"), 1);
    assert_int_equal(at(o, "incidents.by_month.10"), 2);
    assert_int_equal(at(o, "incidents.by_month.11"), 0);
    assert_int_equal(at(o, "drills.incidents"), 2);
    assert_int_equal(at(o, "drills.held"), 0);
    /* acknowledged at once by the officers who opened them, the report after 30 min */
    json_t *ack = json_object_get(json_object_get(o, "incidents"), "mean_minutes_to_acknowledge");
    assert_true(json_is_real(ack));
    assert_float_equal(json_real_value(ack), 10.0, 0.01);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(o, "incidents"), "by_category"),
                            "network-attack"),
            "zh")),
        "网络攻击事件");
    json_decref(o);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM incidents"), 6);

    o = stats(f, &f->auditor, 2025);
    assert_int_equal(at(o, "incidents.total"), 1);
    assert_int_equal(at(o, "incidents.by_month.11"), 1);
    json_decref(o);

    /* a department may not read them; a year out of range is refused */
    o = NULL;
    assert_int_equal(stats_year_json(f->st, &f->dept, 2026, &o, &e), ERR_DENIED);
    assert_null(o);
    assert_int_equal(stats_year_json(f->st, &f->leader, 1999, &o, NULL), ERR_INPUT);
    assert_null(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stats_leave_drills_out, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
