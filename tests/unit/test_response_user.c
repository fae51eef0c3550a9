/* Users: names, roles, passwords, disabling, and their audit entries. */
#include "response/response.h"
#include "testutil.h"

struct fixture {
    char *dir;
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = tmpdir_new();
    if (store_open(&f->st, f->dir, STORE_CREATE, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static int64_t count(struct store *st, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(st, NULL, &n, sql, ""), 0);
    return n;
}

static void test_user_add_find_and_authenticate(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(user_add(f->st, "cli:test", "zhang.san", "张三", ROLE_OFFICER, NULL,
                              "correct horse battery", &e),
                     0);
    struct user u;
    assert_int_equal(user_find(f->st, "zhang.san", &u, &e), 0);
    assert_string_equal(u.display_name, "张三");
    assert_int_equal(u.role, ROLE_OFFICER);
    assert_false(u.is_disabled);
    assert_int_equal(user_authenticate(f->st, "zhang.san", "correct horse battery", &u, &e), 0);
    assert_int_equal(user_authenticate(f->st, "zhang.san", "wrong password!", &u, &e), ERR_DENIED);
    assert_int_equal(user_authenticate(f->st, "nobody", "correct horse battery", &u, &e),
                     ERR_DENIED);
    /* the stored hash is argon2id, never the password */
    assert_int_equal(count(f->st, "SELECT count(*) FROM users WHERE pw_hash LIKE '$argon2id$%'"),
                     1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action = 'user.add' AND "
                                  "details NOT LIKE '%battery%'"),
                     1);
}

static void test_user_duplicate_name_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(user_add(f->st, "t", "li", NULL, ROLE_AUDITOR, NULL, "0123456789", &e), 0);
    assert_int_equal(user_add(f->st, "t", "li", NULL, ROLE_ADMIN, NULL, "0123456789", &e),
                     ERR_EXISTS);
    assert_int_equal(count(f->st, "SELECT count(*) FROM users"), 1);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit"), 1);
}

static void test_user_bad_input_is_refused(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(user_add(f->st, "t", "Zhang", NULL, ROLE_OFFICER, NULL, "0123456789", &e),
                     ERR_INPUT);
    assert_int_equal(user_add(f->st, "t", "-x", NULL, ROLE_OFFICER, NULL, "0123456789", NULL),
                     ERR_INPUT);
    assert_int_equal(user_add(f->st, "t", "a'b", NULL, ROLE_OFFICER, NULL, "0123456789", NULL),
                     ERR_INPUT);
    assert_int_equal(user_add(f->st, "t", "ok", NULL, ROLE_OFFICER, NULL, "short", NULL),
                     ERR_INPUT);
    assert_int_equal(user_add(f->st, "t", "dept", NULL, ROLE_DEPARTMENT, NULL, "0123456789", NULL),
                     ERR_USAGE);
    assert_int_equal(
        user_add(f->st, "t", "ok", "two\nlines", ROLE_OFFICER, NULL, "0123456789", NULL),
        ERR_INPUT);
    assert_int_equal(count(f->st, "SELECT count(*) FROM users"), 0);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit"), 0);
}

static void test_user_disabled_cannot_sign_in(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct user u;
    assert_int_equal(
        user_add(f->st, "t", "wang", NULL, ROLE_DEPARTMENT, "信息中心", "0123456789", &e), 0);
    assert_int_equal(user_set_disabled(f->st, "t", "wang", 1, &e), 0);
    assert_int_equal(user_authenticate(f->st, "wang", "0123456789", &u, &e), ERR_DENIED);
    assert_int_equal(user_set_disabled(f->st, "t", "wang", 0, &e), 0);
    assert_int_equal(user_authenticate(f->st, "wang", "0123456789", &u, &e), 0);
    assert_string_equal(u.department, "信息中心");
    assert_int_equal(user_set_disabled(f->st, "t", "nobody", 1, &e), ERR_NOTFOUND);
    assert_int_equal(count(f->st, "SELECT count(*) FROM audit WHERE action IN "
                                  "('user.disable', 'user.enable')"),
                     2);
}

static void test_user_password_change(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct user u;
    assert_int_equal(user_add(f->st, "t", "zhao", NULL, ROLE_LEADER, NULL, "old password", &e), 0);
    assert_int_equal(user_set_password(f->st, "t", "zhao", "new password", &e), 0);
    assert_int_equal(user_authenticate(f->st, "zhao", "old password", &u, &e), ERR_DENIED);
    assert_int_equal(user_authenticate(f->st, "zhao", "new password", &u, &e), 0);
    assert_int_equal(user_set_password(f->st, "t", "zhao", "tiny", &e), ERR_INPUT);
    assert_int_equal(user_set_password(f->st, "t", "ghost", "long enough pw", &e), ERR_NOTFOUND);
}

static void test_user_generated_passwords_differ(void **state)
{
    (void)state;
    char a[21], b[21];
    user_password_generate(a, 20);
    user_password_generate(b, 20);
    assert_int_equal(strlen(a), 20);
    assert_string_not_equal(a, b);
    assert_int_equal(user_password_check(a, NULL), 0);
}

static void test_role_codes_parse(void **state)
{
    (void)state;
    enum role r;
    for (int i = 0; i < ROLE_COUNT; i++) {
        assert_int_equal(role_parse(role_info((enum role)i)->code, &r), 0);
        assert_int_equal(r, i);
    }
    assert_int_equal(role_parse("root", &r), -1);
    assert_string_equal(role_info(ROLE_LEADER)->zh, "领导小组");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_add_find_and_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_duplicate_name_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_bad_input_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_disabled_cannot_sign_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_password_change, setup, teardown),
        cmocka_unit_test(test_user_generated_passwords_differ),
        cmocka_unit_test(test_role_codes_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
