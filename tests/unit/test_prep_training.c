/* Training and publicity (P-4): attendees recorded once, unknown users
 * refused whole, the attendance rate per department, the yearly gap due. */
#include "prep/prep.h"
#include "response_fixture.h"

static void test_attendance_and_gaps(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    char ref[TRAINING_REF_LEN];
    struct training_new in = {
        .topic = "钓鱼邮件识别", .trainer = "信息中心", .held_at = fixture_now};
    assert_int_equal(training_add(f->st, &f->dept, &in, ref, &e), ERR_DENIED);
    in.topic = "";
    err_clear(&e);
    assert_int_equal(training_add(f->st, &f->officer, &in, ref, &e), ERR_USAGE);
    in.topic = "钓鱼邮件识别";
    assert_int_equal(training_add(f->st, &f->officer, &in, ref, &e), 0);

    const char *users[] = {"xc", "nobody"};
    err_clear(&e);
    assert_int_equal(training_attend(f->st, &f->officer, ref, users, 2, NULL, 0, &e), ERR_NOTFOUND);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM training_attendees"), 0);
    const char *people[] = {"张三@办公室"};
    assert_int_equal(training_attend(f->st, &f->officer, ref, users, 1, people, 1, &e), 0);
    assert_int_equal(training_attend(f->st, &f->officer, ref, users, 1, NULL, 0, &e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM training_attendees"), 2);

    json_t *o;
    assert_int_equal(training_attendance_json(f->st, &f->auditor, 2026, &o, &e), 0);
    size_t i;
    json_t *v;
    int seen = 0;
    json_array_foreach(json_object_get(o, "departments"), i, v)
    {
        const char *d = json_string_value(json_object_get(v, "department"));
        if (strcmp(d, "宣传部") == 0) {
            assert_int_equal(json_integer_value(json_object_get(v, "attended")), 1);
            assert_int_equal(json_integer_value(json_object_get(v, "users")), 1);
            seen++;
        } else if (strcmp(d, "财务处") == 0) {
            assert_int_equal(json_integer_value(json_object_get(v, "attended")), 0);
            seen++;
        }
    }
    json_decref(o);
    assert_int_equal(seen, 2);
    /* a session of another year counts for that year only */
    assert_int_equal(training_attendance_json(f->st, &f->auditor, 2025, &o, &e), 0);
    json_array_foreach(json_object_get(o, "departments"), i, v)
        assert_int_equal(json_integer_value(json_object_get(v, "attended")), 0);
    json_decref(o);

    json_t *due;
    assert_int_equal(due_list_json(f->st, &f->officer, 0, &due, &e), 0);
    int gaps = 0;
    json_array_foreach(
        due, i, v) if (strcmp(json_string_value(json_object_get(v, "kind")), "training") == 0)
    {
        gaps++;
        assert_string_equal(json_string_value(json_object_get(v, "ref")), "财务处");
    }
    json_decref(due);
    assert_int_equal(gaps, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_attendance_and_gaps, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
