/* The database: creation, migrations, refusal of newer schemas and of damage. */
#include "store/store.h"
#include "testutil.h"

static void test_store_create_applies_all_migrations(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    assert_int_equal(store_schema_version(st, &e), store_schema_latest());
    int64_t n;
    assert_int_equal(store_query_int(st, &e, &n,
                                     "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                     "AND name IN ('meta', 'users', 'audit', 'audit_head')",
                                     ""),
                     0);
    assert_int_equal(n, 4);
    assert_int_equal(store_query_int(st, &e, &n, "PRAGMA foreign_keys", ""), 0);
    assert_int_equal(n, 1);
    sqlite3_stmt *q;
    assert_int_equal(store_query(st, &e, &q, "PRAGMA journal_mode", ""), 0);
    assert_int_equal(store_step(st, q, &e), 1);
    assert_string_equal(store_col_text(q, 0), "wal");
    store_finish(q);
    store_close(st);
    /* reopening applies nothing twice */
    assert_int_equal(store_open(&st, dir, 0, &e), 0);
    assert_int_equal(store_schema_version(st, &e), store_schema_latest());
    store_close(st);
    tmpdir_remove(dir);
}

static void test_store_refuses_newer_schema(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    assert_int_equal(store_exec(st, &e, "PRAGMA user_version = 999", ""), 0);
    store_close(st);
    assert_int_equal(store_open(&st, dir, 0, &e), ERR_VERSION);
    assert_non_null(strstr(e.msg, "schema version 999"));
    char latest[32];
    snprintf(latest, sizeof(latest), "(%d)", store_schema_latest());
    assert_non_null(strstr(e.msg, latest));
    tmpdir_remove(dir);
}

static void test_store_missing_database_is_not_created(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, 0, &e), ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "tocsin init"));
    char db[512];
    snprintf(db, sizeof(db), "%s/tocsin.db", dir);
    assert_false(fs_exists(db));
    tmpdir_remove(dir);
}

static void test_store_garbage_file_is_reported_damaged(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    char db[512], obj[512];
    snprintf(db, sizeof(db), "%s/tocsin.db", dir);
    snprintf(obj, sizeof(obj), "%s/objects", dir);
    char junk[4096];
    memset(junk, 'J', sizeof(junk));
    write_file(db, junk, sizeof(junk));
    mkdir(obj, 0700);
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, 0, &e), ERR_DAMAGED);
    assert_non_null(strstr(e.msg, "not a database"));
    assert_non_null(strstr(e.msg, db));
    tmpdir_remove(dir);
}

static void test_store_typed_binding_round_trips(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    assert_int_equal(store_exec(st, &e, "CREATE TABLE t (a TEXT, b INTEGER, c BLOB, d)", ""), 0);
    const char *hostile = "x'); DROP TABLE t; --";
    assert_int_equal(store_exec(st, &e, "INSERT INTO t VALUES (?, ?, ?, ?)", "sIbn", hostile,
                                (int64_t)1 << 40, "\0\1", (size_t)2),
                     0);
    sqlite3_stmt *q;
    assert_int_equal(store_query(st, &e, &q, "SELECT a, b, length(c), d IS NULL FROM t", ""), 0);
    assert_int_equal(store_step(st, q, &e), 1);
    assert_string_equal(store_col_text(q, 0), hostile);
    assert_int_equal(sqlite3_column_int64(q, 1), (int64_t)1 << 40);
    assert_int_equal(sqlite3_column_int(q, 2), 2);
    assert_int_equal(sqlite3_column_int(q, 3), 1);
    assert_int_equal(store_step(st, q, &e), 0);
    store_finish(q);
    /* a wrong number of types is a programmer error, reported, not guessed */
    assert_int_equal(store_exec(st, &e, "SELECT ?", "ss", "a", "b"), ERR_INTERNAL);
    store_close(st);
    tmpdir_remove(dir);
}

static void test_store_meta_and_rollback(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    assert_int_equal(store_meta_set(st, "k", "v1", &e), 0);
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_meta_set(st, "k", "v2", &e), 0);
    store_rollback(st);
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(store_meta_get(st, "k", &b, &e), 0);
    assert_string_equal(b.p, "v1");
    buf_release(&b);
    buf_init(&b, 64);
    assert_int_equal(store_meta_get(st, "missing", &b, &e), ERR_NOTFOUND);
    buf_release(&b);
    store_close(st);
    tmpdir_remove(dir);
}

/* A begin inside a transaction is a savepoint: the inner change rolls back
 * alone, or commits with the outer one. */
static void test_store_nested_transactions(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    struct buf b;
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_meta_set(st, "outer", "1", &e), 0);
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_meta_set(st, "inner", "1", &e), 0);
    store_rollback(st);
    assert_true(store_in_transaction(st));
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_meta_set(st, "kept", "1", &e), 0);
    assert_int_equal(store_commit(st, &e), 0);
    assert_true(store_in_transaction(st));
    assert_int_equal(store_commit(st, &e), 0);
    assert_false(store_in_transaction(st));
    static const char *const want[][2] = {{"outer", "1"}, {"kept", "1"}};
    for (int i = 0; i < 2; i++) {
        buf_init(&b, 64);
        assert_int_equal(store_meta_get(st, want[i][0], &b, &e), 0);
        assert_string_equal(b.p, want[i][1]);
        buf_release(&b);
    }
    buf_init(&b, 64);
    assert_int_equal(store_meta_get(st, "inner", &b, &e), ERR_NOTFOUND);
    buf_release(&b);
    /* an outer rollback takes the committed inner work with it */
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(store_meta_set(st, "gone", "1", &e), 0);
    assert_int_equal(store_commit(st, &e), 0);
    store_rollback(st);
    buf_init(&b, 64);
    err_clear(&e);
    assert_int_equal(store_meta_get(st, "gone", &b, &e), ERR_NOTFOUND);
    buf_release(&b);
    store_close(st);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_create_applies_all_migrations),
        cmocka_unit_test(test_store_refuses_newer_schema),
        cmocka_unit_test(test_store_missing_database_is_not_created),
        cmocka_unit_test(test_store_garbage_file_is_reported_damaged),
        cmocka_unit_test(test_store_typed_binding_round_trips),
        cmocka_unit_test(test_store_meta_and_rollback),
        cmocka_unit_test(test_store_nested_transactions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
