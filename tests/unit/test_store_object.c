/* The object store: round trips, deduplication, damage detection. */
#include "store/store.h"
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

struct fixture {
    char *dir;
    struct objstore os;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = tmpdir_new();
    if (objstore_init(&f->os, f->dir, 1, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static void obj_file(struct fixture *f, const char *hex, char *out, size_t n)
{
    snprintf(out, n, "%s/%.2s/%s", f->os.dir, hex, hex);
}

static void test_object_round_trip_and_name_is_sha256(void **state)
{
    struct fixture *f = *state;
    char hex[SHA256_HEX_LEN];
    struct err e = {0};
    assert_int_equal(objstore_put(&f->os, "abc", 3, hex, &e), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct buf b;
    assert_int_equal(objstore_get(&f->os, hex, 1024, &b, &e), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.p, "abc", 3);
    buf_release(&b);
    /* empty content is an object too */
    assert_int_equal(objstore_put(&f->os, "", 0, hex, &e), 0);
    assert_int_equal(objstore_get(&f->os, hex, 1024, &b, &e), 0);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_object_large_random_content_streams(void **state)
{
    struct fixture *f = *state;
    size_t n = 3 * 1024 * 1024 + 17;
    unsigned char *data = malloc(n);
    fs_random(data, n);
    char path[600], hex[SHA256_HEX_LEN], hex2[SHA256_HEX_LEN];
    snprintf(path, sizeof(path), "%s/input", f->dir);
    write_file(path, data, n);
    int fd = open(path, O_RDONLY);
    uint64_t size = 0;
    struct err e = {0};
    assert_int_equal(objstore_put_fd(&f->os, fd, n, hex, &size, &e), 0);
    close(fd);
    assert_int_equal(size, n);
    assert_int_equal(objstore_put(&f->os, data, n, hex2, &e), 0);
    assert_string_equal(hex, hex2);
    struct buf b;
    assert_int_equal(objstore_get(&f->os, hex, n, &b, &e), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.p, data, n);
    buf_release(&b);
    /* a reader's bound is kept */
    assert_int_equal(objstore_get(&f->os, hex, n - 1, &b, &e), ERR_TOOBIG);
    free(data);
}

static int files_left;

static int count_files(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path;
    (void)st;
    (void)ftw;
    files_left += type == FTW_F;
    return 0;
}

static void test_object_put_fd_refuses_over_max(void **state)
{
    struct fixture *f = *state;
    char path[600], hex[SHA256_HEX_LEN];
    snprintf(path, sizeof(path), "%s/input", f->dir);
    write_file(path, "0123456789", 10);
    int fd = open(path, O_RDONLY);
    struct err e = {0};
    assert_int_equal(objstore_put_fd(&f->os, fd, 9, hex, NULL, &e), ERR_TOOBIG);
    close(fd);
    /* nothing is left behind in tmp (nor in its per-thread directories) */
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->os.dir);
    files_left = 0;
    assert_int_equal(nftw(tmp, count_files, 8, FTW_PHYS), 0);
    assert_int_equal(files_left, 0);
}

static void test_object_flipped_byte_is_damaged_not_returned(void **state)
{
    struct fixture *f = *state;
    char hex[SHA256_HEX_LEN], path[700];
    const char *text = "the portal home page, as it was before the attack";
    struct err e = {0};
    assert_int_equal(objstore_put(&f->os, text, strlen(text), hex, &e), 0);
    obj_file(f, hex, path, sizeof(path));
    struct buf raw;
    assert_int_equal(fs_read_file(path, 1 << 20, &raw, &e), 0);
    raw.p[raw.len / 2] ^= 0x20;
    write_file(path, raw.p, raw.len);
    buf_release(&raw);
    struct buf b;
    assert_int_equal(objstore_get(&f->os, hex, 1 << 20, &b, &e), ERR_DAMAGED);
    assert_null(b.p);
    assert_non_null(strstr(e.msg, hex));
    assert_int_equal(objstore_verify(&f->os, hex, NULL, NULL), ERR_DAMAGED);
}

static void test_object_truncated_and_swapped_are_damaged(void **state)
{
    struct fixture *f = *state;
    char a[SHA256_HEX_LEN], b[SHA256_HEX_LEN], pa[700], pb[700];
    struct err e = {0};
    assert_int_equal(objstore_put(&f->os, "first object", 12, a, &e), 0);
    assert_int_equal(objstore_put(&f->os, "second object", 13, b, &e), 0);
    obj_file(f, a, pa, sizeof(pa));
    obj_file(f, b, pb, sizeof(pb));
    /* b's valid frame stored under a's name: decompresses fine, wrong hash */
    struct buf raw;
    assert_int_equal(fs_read_file(pb, 1 << 20, &raw, &e), 0);
    write_file(pa, raw.p, raw.len);
    err_clear(&e);
    assert_int_equal(objstore_verify(&f->os, a, NULL, &e), ERR_DAMAGED);
    assert_non_null(strstr(e.msg, "hashes to"));
    /* truncated */
    write_file(pb, raw.p, raw.len - 3);
    err_clear(&e);
    assert_int_equal(objstore_verify(&f->os, b, NULL, &e), ERR_DAMAGED);
    buf_release(&raw);
}

static void test_object_put_repairs_damaged_copy(void **state)
{
    struct fixture *f = *state;
    char hex[SHA256_HEX_LEN], path[700];
    struct err e = {0};
    assert_int_equal(objstore_put(&f->os, "evidence", 8, hex, &e), 0);
    obj_file(f, hex, path, sizeof(path));
    write_file(path, "junk", 4);
    assert_int_equal(objstore_verify(&f->os, hex, NULL, NULL), ERR_DAMAGED);
    assert_int_equal(objstore_put(&f->os, "evidence", 8, hex, &e), 0);
    assert_int_equal(objstore_verify(&f->os, hex, NULL, NULL), 0);
}

/* A bulk load writes objects unsynced and syncs them once; an object torn by
 * a crash before that sync is replaced by the next load, not trusted. */
static void test_object_bulk_load_syncs_once_and_repairs_torn(void **state)
{
    struct fixture *f = *state;
    char hex[SHA256_HEX_LEN], again[SHA256_HEX_LEN], path[700];
    struct err e = {0};
    f->os.defer_sync = 1;
    assert_int_equal(objstore_put(&f->os, "page one", 8, hex, &e), 0);
    obj_file(f, hex, path, sizeof(path));
    assert_int_equal(truncate(path, 0), 0); /* what a crash can leave */
    assert_int_equal(objstore_verify(&f->os, hex, NULL, NULL), ERR_DAMAGED);
    assert_int_equal(objstore_put(&f->os, "page one", 8, again, &e), 0);
    assert_string_equal(hex, again);
    assert_int_equal(objstore_sync(&f->os, &e), 0);
    struct buf b;
    assert_int_equal(objstore_get(&f->os, hex, 1024, &b, &e), 0);
    assert_memory_equal(b.p, "page one", 8);
    buf_release(&b);

    struct objstore gone = f->os;
    snprintf(gone.dir, sizeof(gone.dir), "%s/no-such/objects", f->dir);
    assert_int_equal(objstore_sync(&gone, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "no-such/objects"));
}

/* Writes a file at path with its modification time age seconds ago. */
static void file_aged(const char *path, time_t age)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("partial object", fp);
    fclose(fp);
    time_t t = time(NULL) - age;
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* Temporary files a dead writer left (older than a day) are removed when
 * the store is opened; recent ones, which a live writer may be filling, are
 * not; nothing is followed out through a symlink. */
static void test_object_stale_temporary_files_removed_on_open(void **state)
{
    struct fixture *f = *state;
    char slot[1100], stale[1200], fresh[1200], old_flat[1200], outside[1100], link[1100];
    snprintf(slot, sizeof(slot), "%s/tmp/7", f->os.dir);
    assert_int_equal(mkdir(slot, 0700), 0);
    snprintf(stale, sizeof(stale), "%s/0123abcd", slot);
    snprintf(fresh, sizeof(fresh), "%s/4567ef01", slot);
    snprintf(old_flat, sizeof(old_flat), "%s/tmp/89abcdef", f->os.dir);
    snprintf(outside, sizeof(outside), "%s/keep", f->dir);
    snprintf(link, sizeof(link), "%s/tmp/8", f->os.dir);
    file_aged(stale, 2 * 86400);
    file_aged(fresh, 60);
    file_aged(old_flat, 3 * 86400); /* where earlier versions wrote them */
    assert_int_equal(mkdir(outside, 0700), 0);
    char victim[1200];
    snprintf(victim, sizeof(victim), "%s/old", outside);
    file_aged(victim, 5 * 86400);
    assert_int_equal(symlink(outside, link), 0);

    struct objstore again;
    assert_int_equal(objstore_init(&again, f->dir, 0, NULL), 0);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(old_flat, F_OK), -1);
    assert_int_equal(access(fresh, F_OK), 0);
    assert_int_equal(access(victim, F_OK), 0); /* behind a symlink: untouched */
    assert_int_equal(access(slot, F_OK), 0);   /* the thread's directory stays */
}

static void test_object_missing_and_bad_names(void **state)
{
    struct fixture *f = *state;
    struct buf b;
    struct err e = {0};
    assert_int_equal(
        objstore_get(&f->os, "0000000000000000000000000000000000000000000000000000000000000000",
                     100, &b, &e),
        ERR_NOTFOUND);
    assert_int_equal(objstore_get(&f->os, "../../../etc/passwd", 100, &b, &e), ERR_INPUT);
    assert_int_equal(
        objstore_get(&f->os, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                     100, &b, &e),
        ERR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_object_round_trip_and_name_is_sha256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_large_random_content_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_put_fd_refuses_over_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_flipped_byte_is_damaged_not_returned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_object_truncated_and_swapped_are_damaged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_object_put_repairs_damaged_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_bulk_load_syncs_once_and_repairs_torn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_object_missing_and_bad_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_stale_temporary_files_removed_on_open, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
