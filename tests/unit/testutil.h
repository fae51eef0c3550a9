/* Helpers shared by the unit tests: temporary directories and file edits. */
#ifndef TOCSIN_TESTUTIL_H
#define TOCSIN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int testutil_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* A fresh directory under /tmp; the caller frees it with tmpdir_remove. */
static inline char *tmpdir_new(void)
{
    char *t = strdup("/tmp/tocsin-test-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static inline void tmpdir_remove(char *dir)
{
    nftw(dir, testutil_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static inline void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

#endif
