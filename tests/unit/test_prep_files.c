/* prep: files kept with the records — added only by those who work on the
 * record, never under a name that is a path, never for a record that does
 * not exist; listed; given back byte for byte, and refused once damaged. */
#include "prep/prep.h"
#include "response_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void put_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_files_kept_with_a_training(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct training_new tr = {
        .topic = "网络安全法与日常防护", .held_at = fixture_now, .trainer = "市网信办讲师"};
    char ref[TRAINING_REF_LEN];
    if (training_add(f->st, &f->officer, &tr, ref, &e) != 0)
        fail_msg("training_add: %s", e.msg);
    char src[512], dest[512];
    snprintf(src, sizeof(src), "%s/slides.txt", f->dir);
    put_text(src, "第一讲 口令安全\n");
    int64_t id = 0;
    /* refusals change nothing */
    assert_int_equal(
        prep_file_add(f->st, &f->dept, PREP_FILE_TRAINING, ref, src, "slides.txt", NULL, &id, NULL),
        ERR_DENIED);
    assert_int_equal(prep_file_add(f->st, &f->officer, PREP_FILE_TRAINING, ref, src,
                                   "../slides.txt", NULL, &id, NULL),
                     ERR_INPUT);
    assert_int_equal(prep_file_add(f->st, &f->officer, PREP_FILE_TRAINING, "TRN-9999", src,
                                   "slides.txt", NULL, &id, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(prep_file_add(f->st, &f->officer, PREP_FILE_CHECK_RUN, "1", src, "slides.txt",
                                   NULL, &id, NULL),
                     ERR_NOTFOUND);
    assert_int_equal(prep_file_add(f->st, &f->officer, PREP_FILE_TRAINING, ref, f->dir,
                                   "slides.txt", NULL, &id, NULL),
                     ERR_INPUT); /* a directory */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM prep_files"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'file.add'"), 0);

    assert_int_equal(prep_file_add(f->st, &f->officer, PREP_FILE_TRAINING, ref, src, "课件.txt",
                                   "第一讲", &id, &e),
                     0);
    json_t *files = NULL;
    assert_int_equal(prep_files_json(f->st, PREP_FILE_TRAINING, ref, &files, &e), 0);
    assert_int_equal(json_array_size(files), 1);
    json_t *x = json_array_get(files, 0);
    assert_string_equal(json_string_value(json_object_get(x, "name")), "课件.txt");
    assert_string_equal(json_string_value(json_object_get(x, "added_by")), "zhou");
    assert_int_equal(json_integer_value(json_object_get(x, "size")), strlen("第一讲 口令安全\n"));
    char sha[SHA256_HEX_LEN];
    snprintf(sha, sizeof(sha), "%s", json_string_value(json_object_get(x, "sha256")));
    json_decref(files);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'file.add'"), 1);

    /* given back byte for byte; never over an existing file */
    snprintf(dest, sizeof(dest), "%s/out.txt", f->dir);
    char name[256];
    assert_int_equal(prep_file_export(f->st, &f->auditor, id, dest, name, sizeof(name), &e), 0);
    assert_string_equal(name, "课件.txt");
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(fs_read_file(dest, 1 << 20, &b, &e), 0);
    assert_int_equal(b.len, strlen("第一讲 口令安全\n"));
    assert_memory_equal(b.p, "第一讲 口令安全\n", b.len);
    buf_release(&b);
    assert_int_equal(prep_file_export(f->st, &f->auditor, id, dest, name, sizeof(name), NULL),
                     ERR_IO);
    assert_int_equal(prep_file_export(f->st, &f->auditor, id + 1, dest, name, sizeof(name), NULL),
                     ERR_NOTFOUND);

    /* a damaged object is refused, and no file is left behind */
    char obj[600];
    snprintf(obj, sizeof(obj), "%s/objects/%.2s/%s", f->dir, sha, sha);
    chmod(obj, 0600);
    int fd = open(obj, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    unlink(dest);
    assert_int_not_equal(prep_file_export(f->st, &f->auditor, id, dest, name, sizeof(name), NULL),
                         0);
    assert_int_equal(access(dest, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_kept_with_a_training, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
