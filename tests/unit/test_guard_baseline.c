/* The guard's baseline: escaping, the file format and its refusals, keeping
 * order, and comparison. */
#include "guard/guard.h"
#include "testutil.h"

static struct gentry entry(const char *path, char type, uint32_t mode, const char *content)
{
    struct gentry g = {.path = path,
                       .path_len = (uint32_t)strlen(path),
                       .type = type,
                       .mode = mode,
                       .uid = 0,
                       .gid = 0,
                       .nlink = 1};
    if (content) {
        sha256(content, strlen(content), g.sha);
        g.has_sha = 1;
        g.size = strlen(content);
    }
    return g;
}

static void make(struct baseline *b)
{
    baseline_init(b);
    strcpy(b->root, "/srv/www");
    struct gentry v[] = {
        entry(".", GT_DIR, 0755, NULL),
        entry("index.html", GT_FILE, 0644, "<html>首页</html>"),
        entry("news", GT_DIR, 0755, NULL),
        entry("news/a b.html", GT_FILE, 0644, "a"),
        entry("news/new\nline", GT_FILE, 0600, "b"),
        entry("news/\xd5\xfe.html", GT_FILE, 0644, "c"),
        entry("home.html", GT_LINK, 0777, "index.html"),
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(baseline_add(b, &v[i], NULL), 0);
    baseline_sort(b);
}

static void test_escape_round_trips_any_name(void **state)
{
    (void)state;
    const char *names[] = {"plain.html", "a b",       "new\nline", "\xd5\xfe",
                           "100%",       "首页.html", "\x7f\x01"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct buf b;
        buf_init(&b, 4096);
        guard_escape(names[i], strlen(names[i]), &b);
        assert_true(utf8_valid(buf_str(&b), b.len));
        assert_null(strchr(buf_str(&b), '\n'));
        char out[64];
        size_t len;
        assert_int_equal(guard_unescape(b.p, b.len, out, sizeof(out), &len), 0);
        assert_int_equal(len, strlen(names[i]));
        assert_memory_equal(out, names[i], len);
        buf_release(&b);
    }
    char out[16];
    size_t len;
    assert_int_equal(guard_unescape("%G1", 3, out, sizeof(out), &len), -1);
    assert_int_equal(guard_unescape("%4", 2, out, sizeof(out), &len), -1);
    assert_int_equal(guard_unescape("%00", 3, out, sizeof(out), &len), -1);
}

static void test_file_round_trip(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    char file[256];
    snprintf(file, sizeof(file), "%s/b", dir);
    struct baseline a, b;
    make(&a);
    struct err e = {0};
    assert_int_equal(baseline_write(&a, file, &e), 0);
    assert_int_equal(baseline_read(&b, file, &e), 0);
    assert_string_equal(b.root, "/srv/www");
    assert_int_equal(b.n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.v[i].path, b.v[i].path);
        assert_int_equal(a.v[i].type, b.v[i].type);
        assert_int_equal(a.v[i].mode, b.v[i].mode);
        assert_memory_equal(a.v[i].sha, b.v[i].sha, SHA256_LEN);
    }
    struct gchanges ch;
    assert_int_equal(guard_compare(&a, &b, &ch, &e), 0);
    assert_int_equal(ch.n, 0);
    gchanges_free(&ch);
    baseline_free(&a);
    baseline_free(&b);
    tmpdir_remove(dir);
}

/* Every field survives the file at the ends of its range, and each line is
 * the documented "TYPE MODE UID GID SIZE INODE LINKS MTIME CTIME SHA PATH". */
static void test_line_fields_round_trip(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    char file[256];
    snprintf(file, sizeof(file), "%s/b", dir);
    struct baseline a, b;
    baseline_init(&a);
    strcpy(a.root, "/srv/www");
    struct gentry v[] = {
        entry("a", GT_FILE, 07777, "x"),
        entry("b", GT_OTHER, 0, NULL),
        entry("c", GT_DIR, 01750, NULL),
    };
    v[0].uid = UINT32_MAX, v[0].gid = 7, v[0].size = UINT64_MAX, v[0].ino = 1, v[0].nlink = 3;
    v[0].mtime_ns = -1, v[0].ctime_ns = INT64_MAX;
    v[1].ino = UINT64_MAX, v[1].mtime_ns = -INT64_MAX, v[1].ctime_ns = 0;
    v[2].uid = 33, v[2].gid = 33, v[2].mtime_ns = 1795831394889750608;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(baseline_add(&a, &v[i], NULL), 0);
    struct err e = {0};
    assert_int_equal(baseline_write(&a, file, &e), 0);
    struct buf t;
    assert_int_equal(fs_read_file(file, 1 << 20, &t, NULL), 0);
    char want[256], sha[SHA256_HEX_LEN];
    hex_encode(v[0].sha, SHA256_LEN, sha);
    snprintf(want, sizeof(want), "\nf 7777 4294967295 7 18446744073709551615 1 3 -1 %lld %s a\n",
             (long long)INT64_MAX, sha);
    assert_non_null(strstr(buf_str(&t), want));
    snprintf(want, sizeof(want), "\no 0000 0 0 0 18446744073709551615 1 %lld 0 - b\n",
             (long long)-INT64_MAX);
    assert_non_null(strstr(buf_str(&t), want));
    assert_non_null(strstr(buf_str(&t), "\nd 1750 33 33 0 0 1 1795831394889750608 0 - c\n"));
    buf_release(&t);
    assert_int_equal(baseline_read(&b, file, &e), 0);
    assert_int_equal(b.n, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct gentry *x = &a.v[i], *y = &b.v[i];
        assert_string_equal(x->path, y->path);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->mode, y->mode);
        assert_int_equal(x->uid, y->uid);
        assert_int_equal(x->gid, y->gid);
        assert_true(x->size == y->size && x->ino == y->ino && x->nlink == y->nlink);
        assert_true(x->mtime_ns == y->mtime_ns && x->ctime_ns == y->ctime_ns);
        assert_int_equal(x->has_sha, y->has_sha);
    }
    baseline_free(&a);
    baseline_free(&b);
    tmpdir_remove(dir);
}

/* The walkers' sorted shares merge into one sorted list that owns their
 * paths once the shares are freed. */
static void test_merge_sorted_runs(void **state)
{
    (void)state;
    struct baseline dst, r1, r2, r3;
    baseline_init(&dst);
    baseline_init(&r1);
    baseline_init(&r2);
    baseline_init(&r3);
    const char *p1[] = {"a", "c", "e/x", "e/y"}, *p2[] = {"-b", "b", "d", "e/z"};
    struct gentry g = entry(".", GT_DIR, 0755, NULL);
    assert_int_equal(baseline_add(&dst, &g, NULL), 0);
    for (size_t i = 0; i < 4; i++) {
        g = entry(p1[i], GT_FILE, 0644, p1[i]);
        assert_int_equal(baseline_add(&r1, &g, NULL), 0);
        g = entry(p2[i], GT_FILE, 0644, p2[i]);
        assert_int_equal(baseline_add(&r2, &g, NULL), 0);
    }
    struct baseline *runs[] = {&r1, &r2, &r3};
    assert_int_equal(baseline_merge(&dst, runs, 3, NULL), 0);
    baseline_free(&r1);
    baseline_free(&r2);
    baseline_free(&r3);
    const char *want[] = {"-b", ".", "a", "b", "c", "d", "e/x", "e/y", "e/z"};
    assert_int_equal(dst.n, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_string_equal(dst.v[i].path, want[i]);
        if (i != 1) {
            unsigned char sha[SHA256_LEN];
            sha256(want[i], strlen(want[i]), sha);
            assert_memory_equal(dst.v[i].sha, sha, SHA256_LEN);
        }
    }
    assert_non_null(baseline_find(&dst, "e/y"));
    baseline_free(&dst);
}

/* The text of a valid baseline, to damage. */
static char *valid_text(size_t *n)
{
    char *dir = tmpdir_new();
    char file[256];
    snprintf(file, sizeof(file), "%s/b", dir);
    struct baseline a;
    make(&a);
    assert_int_equal(baseline_write(&a, file, NULL), 0);
    baseline_free(&a);
    struct buf t;
    assert_int_equal(fs_read_file(file, 1 << 20, &t, NULL), 0);
    tmpdir_remove(dir);
    *n = t.len;
    return buf_take(&t);
}

static void expect_refused(const char *text, size_t n, const char *why)
{
    struct baseline b;
    struct err e = {0};
    assert_int_equal(baseline_parse(&b, "t", text, n, &e), ERR_MALFORMED);
    if (!strstr(e.msg, why))
        fail_msg("'%s' does not say '%s'", e.msg, why);
    assert_null(b.v);
}

static void test_damaged_files_are_refused_with_the_reason(void **state)
{
    (void)state;
    size_t n;
    char *t = valid_text(&n);
    struct baseline b;
    assert_int_equal(baseline_parse(&b, "t", t, n, NULL), 0);
    baseline_free(&b);

    expect_refused(t, n / 2, "truncated");
    const char *end = strstr(t, "end ");
    expect_refused(t, (size_t)(end - t), "end line is missing");
    /* one entry changed: the checksum no longer matches */
    char *c = strdup(t);
    *strstr(c, "0644") = '7';
    expect_refused(c, n, "altered");
    free(c);
    /* one entry dropped: the count no longer matches */
    c = strdup(t);
    char *l3 = strchr(strchr(strchr(c, '\n') + 1, '\n') + 1, '\n') + 1;
    char *l4 = strchr(l3, '\n') + 1;
    memmove(l3, l4, strlen(l4) + 1);
    expect_refused(c, strlen(c), "altered");
    free(c);
    expect_refused("junk\n", 5, "not a tocsin baseline");
    expect_refused("tocsin-baseline 1\nroot relative\n", 32, "absolute root");
    free(t);
}

static void test_bad_entries_are_refused(void **state)
{
    (void)state;
    const char *head = "tocsin-baseline 1\nroot /srv\n";
    const char *sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    struct {
        const char *line, *why;
    } cases[] = {
        {"x 0644 0 0 1 1 1 0 0 - a", "type"},
        {"f 0844 0 0 1 1 1 0 0 - a", "number"},
        {"f 0644 0 0 99999999999999999999 1 1 0 0 - a", "number"},
        {"d 0755 0 0 0 1 1 0 0 %s a", "only files and symlinks"},
        {"f 0644 0 0 1 1 1 0 0 %s ../etc/passwd", "plain path"},
        {"f 0644 0 0 1 1 1 0 0 %s /etc/passwd", "plain path"},
        {"f 0644 0 0 1 1 1 0 0 %s a/../../b", "plain path"},
        {"f 0644 0 0 1 1 1 0 0 %s a%%G0", "escaped"},
        {"f 0644 0 0 1 1 1 0 0 abc a", "SHA-256"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512];
        char line[300];
        snprintf(line, sizeof(line), cases[i].line, sha);
        int n = snprintf(text, sizeof(text), "%s%s\nend 1 %s\n", head, line, sha);
        expect_refused(text, (size_t)n, cases[i].why);
    }
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "%sf 0644 0 0 1 1 1 0 0 %s b\nf 0644 0 0 1 1 1 0 0 %s a\nend 2 %s\n", head,
                     sha, sha, sha);
    expect_refused(text, (size_t)n, "out of order");
}

static void test_set_and_remove_keep_order(void **state)
{
    (void)state;
    struct baseline b;
    make(&b);
    struct gentry g = entry("news/b.html", GT_FILE, 0644, "new");
    assert_int_equal(baseline_set(&b, &g, NULL), 0);
    for (size_t i = 1; i < b.n; i++)
        assert_true(strcmp(b.v[i - 1].path, b.v[i].path) < 0);
    assert_non_null(baseline_find(&b, "news/b.html"));
    size_t n = b.n;
    g.mode = 0600;
    assert_int_equal(baseline_set(&b, &g, NULL), 0); /* replaces */
    assert_int_equal(b.n, n);
    assert_int_equal(baseline_find(&b, "news/b.html")->mode, 0600);
    baseline_remove(&b, "news"); /* and everything beneath */
    assert_null(baseline_find(&b, "news"));
    assert_null(baseline_find(&b, "news/a b.html"));
    assert_non_null(baseline_find(&b, "index.html"));
    assert_int_equal(b.n, 3);
    baseline_free(&b);
}

static void test_compare_names_each_kind(void **state)
{
    (void)state;
    struct baseline a, b;
    make(&a);
    make(&b);
    struct gentry *x = baseline_find(&b, "index.html");
    sha256("defaced", 7, x->sha);
    x->mode = 0666;
    baseline_find(&b, "news/a b.html")->nlink = 2;
    baseline_find(&b, "home.html")->type = GT_DIR;
    baseline_remove(&b, "news/new\nline");
    struct gentry added = entry("shell.php", GT_FILE, 0644, "<?php");
    baseline_set(&b, &added, NULL);
    struct gchanges ch;
    assert_int_equal(guard_compare(&a, &b, &ch, NULL), 0);
    assert_int_equal(ch.n, 5);
    char k[80];
    for (size_t i = 0; i < ch.n; i++) {
        const char *p = (ch.v[i].now ? ch.v[i].now : ch.v[i].was)->path;
        gchange_kinds(ch.v[i].kinds, k, sizeof(k));
        if (strcmp(p, "index.html") == 0)
            assert_string_equal(k, "content,mode");
        else if (strcmp(p, "news/a b.html") == 0)
            assert_string_equal(k, "links");
        else if (strcmp(p, "home.html") == 0)
            assert_string_equal(k, "type");
        else if (strcmp(p, "news/new\nline") == 0)
            assert_string_equal(k, "removed");
        else if (strcmp(p, "shell.php") == 0)
            assert_string_equal(k, "added");
        else
            fail_msg("unexpected change of %s", p);
    }
    gchanges_free(&ch);
    baseline_free(&a);
    baseline_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_round_trips_any_name),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_line_fields_round_trip),
        cmocka_unit_test(test_merge_sorted_runs),
        cmocka_unit_test(test_damaged_files_are_refused_with_the_reason),
        cmocka_unit_test(test_bad_entries_are_refused),
        cmocka_unit_test(test_set_and_remove_keep_order),
        cmocka_unit_test(test_compare_names_each_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
