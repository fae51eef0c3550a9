/* A data directory with the people of a small office, and a clock the test
 * moves by hand, for the tests of src/response. */
#ifndef TOCSIN_RESPONSE_FIXTURE_H
#define TOCSIN_RESPONSE_FIXTURE_H

#include "response/response.h"
#include "testutil.h"

static int64_t fixture_now;

static int64_t fixture_clock(void)
{
    return fixture_now;
}

struct fixture {
    char *dir;
    struct store *st;
    struct user officer, leader, dept, other_dept, auditor, admin;
};

static void fixture_user(struct fixture *f, const char *name, enum role role, const char *dept,
                         struct user *out)
{
    struct err e = {0};
    if (user_add(f->st, "test", name, NULL, role, dept, "long enough password", &e) != 0)
        fail_msg("user_add %s: %s", name, e.msg);
    assert_int_equal(user_find(f->st, name, out, &e), 0);
}

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    fixture_now = 1795737600000; /* 2026-11-27T00:00:00Z */
    time_set_clock(fixture_clock);
    f->dir = tmpdir_new();
    if (store_open(&f->st, f->dir, STORE_CREATE, NULL) != 0)
        return -1;
    fixture_user(f, "zhou", ROLE_OFFICER, NULL, &f->officer);
    fixture_user(f, "lead", ROLE_LEADER, NULL, &f->leader);
    fixture_user(f, "xc", ROLE_DEPARTMENT, "宣传部", &f->dept);
    fixture_user(f, "cw", ROLE_DEPARTMENT, "财务处", &f->other_dept);
    fixture_user(f, "aud", ROLE_AUDITOR, NULL, &f->auditor);
    fixture_user(f, "root", ROLE_ADMIN, NULL, &f->admin);
    struct err e = {0};
    if (asset_add(f->st, &f->officer, "门户网站", ASSET_PORTAL, IMPORTANCE_CORE, "宣传部", NULL,
                  &e) != 0)
        fail_msg("asset_add: %s", e.msg);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    tmpdir_remove(f->dir);
    free(f);
    time_set_clock(NULL);
    return 0;
}

static int64_t fixture_count(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(f->st, NULL, &n, sql, ""), 0);
    return n;
}

/* A digest of every row the domain keeps, to show that a refusal changed nothing. */
static inline void fixture_digest(struct fixture *f, char out[SHA256_HEX_LEN])
{
    static const char *const tables[] = {"incidents",  "timeline",    "tasks",    "evidence",
                                         "custody",    "reports",     "warnings", "approvals",
                                         "statements", "assessments", "audit"};
    struct sha256_ctx c;
    sha256_init(&c);
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        /* Table names come from the constant list above, never from data. */
        snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY rowid", tables[i]);
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(f->st->db, sql, -1, &q, NULL), SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW)
            for (int k = 0; k < sqlite3_column_count(q); k++) {
                const unsigned char *t = sqlite3_column_text(q, k);
                sha256_update(&c, t ? (const char *)t : "\x01", t ? strlen((const char *)t) : 1);
                sha256_update(&c, "\x00", 1);
            }
        sqlite3_finalize(q);
    }
    unsigned char d[SHA256_LEN];
    sha256_final(&c, d);
    hex_encode(d, SHA256_LEN, out);
}

#endif
