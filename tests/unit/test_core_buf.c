/* Bounded buffers: growth, the bound, formatting, hand-over. */
#include "core/core.h"
#include "testutil.h"

static void test_buf_add_keeps_nul_terminated(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_add(&b, "abc", 3), 0);
    assert_int_equal(buf_addc(&b, 'd'), 0);
    assert_int_equal(buf_addf(&b, "-%d-%s", 42, "x"), 0);
    assert_string_equal(b.p, "abcd-42-x");
    assert_int_equal(b.len, 9);
    buf_release(&b);
}

static void test_buf_over_bound_fails_and_releases(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345678"), 0);
    assert_int_equal(buf_addc(&b, '9'), ERR_TOOBIG);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_addf(&b, "%s", "123456789"), ERR_TOOBIG);
    assert_null(b.p);
}

static void test_buf_grows_past_initial_capacity(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(buf_addf(&b, "%04d", i % 10000), 0);
    assert_int_equal(b.len, 40000);
    assert_memory_equal(b.p + 39996, "9999", 4);
    buf_release(&b);
}

static void test_buf_take_hands_over_and_empties(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    char *empty = buf_take(&b);
    assert_string_equal(empty, "");
    free(empty);
    buf_adds(&b, "hello");
    char *s = buf_take(&b);
    assert_string_equal(s, "hello");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    free(s);
}

static void test_buf_reset_keeps_memory(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 16);
    buf_adds(&b, "hello");
    char *p = b.p;
    buf_reset(&b);
    assert_ptr_equal(b.p, p);
    assert_string_equal(buf_str(&b), "");
    buf_release(&b);
}

/* Prefaulting is advice: the bytes already there stay, small or absent
 * blocks are left alone. */
static void test_prefault_keeps_content(void **state)
{
    (void)state;
    size_t n = (size_t)5 << 20;
    unsigned char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i += 4093)
        p[i] = (unsigned char)(i * 31);
    mem_prefault(p, n);
    mem_prefault(p + 1, 100);
    mem_prefault(NULL, n);
    for (size_t i = 0; i < n; i += 4093)
        assert_int_equal(p[i], (unsigned char)(i * 31));
    memset(p, 0xa5, n); /* every page writable */
    assert_int_equal(p[n - 1], 0xa5);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_add_keeps_nul_terminated),
        cmocka_unit_test(test_buf_over_bound_fails_and_releases),
        cmocka_unit_test(test_buf_grows_past_initial_capacity),
        cmocka_unit_test(test_buf_take_hands_over_and_empties),
        cmocka_unit_test(test_buf_reset_keeps_memory),
        cmocka_unit_test(test_prefault_keeps_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
