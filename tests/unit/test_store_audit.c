/* The audit chain: appending, verifying, and finding every kind of tampering. */
#include "store/store.h"
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

static void append(struct store *st, const char *action, const char *object)
{
    struct err e = {0};
    json_t *d = json_pack("{s:s}", "note", "值");
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(audit_append(st, "cli:test", action, object, d, &e), 0);
    assert_int_equal(store_commit(st, &e), 0);
    json_decref(d);
}

/* Tampering as an attacker with the database file would: around the triggers. */
static void tamper(struct store *st, const char *sql)
{
    assert_int_equal(sqlite3_exec(st->db,
                                  "DROP TRIGGER IF EXISTS audit_no_update;"
                                  "DROP TRIGGER IF EXISTS audit_no_delete;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(st->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_audit_chain_of_five_verifies(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 5; i++)
        append(f->st, "user.add", "someone");
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 0);
    assert_int_equal(r.entries, 5);
    assert_int_equal(r.bad_id, 0);
}

static void test_audit_empty_chain_verifies(void **state)
{
    struct fixture *f = *state;
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 0);
    assert_int_equal(r.entries, 0);
}

static void test_audit_append_outside_transaction_is_refused(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(audit_append(f->st, "x", "y", "z", NULL, &e), ERR_INTERNAL);
    int64_t n;
    assert_int_equal(store_query_int(f->st, &e, &n, "SELECT count(*) FROM audit", ""), 0);
    assert_int_equal(n, 0);
}

static void test_audit_rolled_back_change_leaves_no_entry(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(store_begin(f->st, &e), 0);
    assert_int_equal(audit_append(f->st, "x", "y", "z", NULL, &e), 0);
    store_rollback(f->st);
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 0);
    assert_int_equal(r.entries, 0);
}

static void test_audit_triggers_refuse_update_and_delete(void **state)
{
    struct fixture *f = *state;
    append(f->st, "a", "b");
    assert_int_not_equal(sqlite3_exec(f->st->db, "UPDATE audit SET actor = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(f->st->db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
}

static void test_audit_altered_entry_is_named(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 4; i++)
        append(f->st, "user.add", "someone");
    tamper(f->st, "UPDATE audit SET object = 'nobody' WHERE id = 3");
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 1);
    assert_int_equal(r.bad_id, 3);
    assert_int_equal(r.entries, 2);
    assert_non_null(strstr(r.reason, "altered"));
}

static void test_audit_rehashed_entry_breaks_the_next_link(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 3; i++)
        append(f->st, "user.add", "someone");
    /* an attacker who recomputes entry 2's own hash still breaks entry 3's link */
    /* (the first two digits are always changed: a hash that began with "ab"
     * was once left as it was, one run in 256) */
    tamper(f->st, "UPDATE audit SET hash = CASE WHEN substr(hash, 1, 2) = 'ab' THEN 'cd' "
                  "ELSE 'ab' END || substr(hash, 3) WHERE id = 2");
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 1);
    assert_int_equal(r.bad_id, 2);
}

static void test_audit_removed_entries_are_found(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 4; i++)
        append(f->st, "user.add", "someone");
    tamper(f->st, "DELETE FROM audit WHERE id = 2");
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 1);
    assert_int_equal(r.bad_id, 2);
    assert_non_null(strstr(r.reason, "missing"));
}

static void test_audit_removed_tail_is_found(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 4; i++)
        append(f->st, "user.add", "someone");
    tamper(f->st, "DELETE FROM audit WHERE id = 4");
    struct audit_report r;
    assert_int_equal(audit_verify(f->st, &r, NULL), 1);
    assert_int_equal(r.bad_id, 4);
    assert_int_equal(r.entries, 3);
}

static void test_audit_canonical_bytes_are_unambiguous(void **state)
{
    (void)state;
    struct buf a, b;
    buf_init(&a, 1024);
    buf_init(&b, 1024);
    /* moving a character from one field to the next must change the bytes */
    assert_int_equal(audit_canonical(1, 2, "ab", "c", "d", "{}", &a), 0);
    assert_int_equal(audit_canonical(1, 2, "a", "bc", "d", "{}", &b), 0);
    assert_string_not_equal(a.p, b.p);
    buf_reset(&b);
    assert_int_equal(audit_canonical(1, 2, "ab", "c", "d", "{}", &b), 0);
    assert_string_equal(a.p, b.p);
    assert_string_equal(a.p, "tocsin-audit-v1\n1,2,2:ab,1:c,1:d,2:{},");
    buf_release(&a);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_chain_of_five_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_empty_chain_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_append_outside_transaction_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_rolled_back_change_leaves_no_entry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_triggers_refuse_update_and_delete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_altered_entry_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_rehashed_entry_breaks_the_next_link, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_removed_entries_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_removed_tail_is_found, setup, teardown),
        cmocka_unit_test(test_audit_canonical_bytes_are_unambiguous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
