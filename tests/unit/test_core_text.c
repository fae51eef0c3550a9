/* Text, time and JSON helpers of core. */
#include "core/core.h"
#include "testutil.h"

static void test_utf8_valid_accepts_chinese_and_rejects_malformed(void **state)
{
    (void)state;
    assert_true(utf8_valid("网络与信息安全", strlen("网络与信息安全")));
    assert_true(utf8_valid("\xf0\x9f\x94\x94", 4));  /* U+1F514 bell */
    assert_false(utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(utf8_valid("\xe7\xbd", 2));         /* truncated */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(text_is_clean("a\nb", 3));
    assert_true(text_is_clean("办公室", strlen("办公室")));
}

static int64_t fixed_clock(void)
{
    return 1764214150123; /* 2025-11-27T03:29:10.123Z */
}

static void test_time_injected_clock_and_round_trip(void **state)
{
    (void)state;
    time_set_clock(fixed_clock);
    char s[TIME_ISO_LEN];
    time_format_utc(time_now_ms(), s);
    assert_string_equal(s, "2025-11-27T03:29:10.123Z");
    int64_t back;
    assert_int_equal(time_parse_utc(s, &back, NULL), 0);
    assert_int_equal(back, fixed_clock());
    time_set_clock(NULL);
    assert_true(time_now_ms() != fixed_clock());
}

static void test_time_parse_refuses_bad_forms(void **state)
{
    (void)state;
    int64_t t;
    struct err e = {0};
    assert_int_equal(time_parse_utc("2026-13-01T00:00:00Z", &t, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "2026-13-01T00:00:00Z"));
    assert_int_equal(time_parse_utc("2026-01-01 00:00:00", &t, NULL), ERR_INPUT);
    assert_int_equal(time_parse_utc("2026-01-01T00:00:00Zjunk", &t, NULL), ERR_INPUT);
    assert_int_equal(time_parse_utc("2026-02-30T00:00:00Z", &t, NULL), ERR_INPUT);
    assert_int_equal(time_parse_utc("2028-02-29T00:00:00Z", &t, NULL), 0);
    assert_int_equal(time_parse_utc("2026-01-01T00:00:00Z", &t, NULL), 0);
    assert_int_equal(t, 1767225600000);
}

static void test_time_local_uses_zone(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    char s[TIME_ISO_LEN];
    time_format_local(1767225600000, s);
    assert_string_equal(s, "2026-01-01 08:00:00");
}

static void test_time_zone_check(void **state)
{
    (void)state;
    assert_int_equal(time_zone_check("Asia/Shanghai", NULL), 0);
    assert_int_equal(time_zone_check("UTC", NULL), 0);
    assert_int_equal(time_zone_check("Asia/../../etc/passwd", NULL), ERR_INPUT);
    assert_int_equal(time_zone_check("/etc/passwd", NULL), ERR_INPUT);
    assert_int_equal(time_zone_check("Asia/Nowhere", NULL), ERR_INPUT);
}

static void test_json_canonical_is_order_independent(void **state)
{
    (void)state;
    json_t *a = json_pack("{s:i, s:s, s:{s:b, s:n}}", "z", 1, "a", "值", "m", "y", 1, "x");
    json_t *b = json_pack("{s:{s:n, s:b}, s:s, s:i}", "m", "x", "y", 1, "a", "值", "z", 1);
    struct buf ca, cb;
    buf_init(&ca, 1024);
    buf_init(&cb, 1024);
    assert_int_equal(json_canonical(a, &ca), 0);
    assert_int_equal(json_canonical(b, &cb), 0);
    assert_string_equal(ca.p, "{\"a\":\"\\u503C\",\"m\":{\"x\":null,\"y\":true},\"z\":1}");
    assert_string_equal(ca.p, cb.p);
    buf_release(&ca);
    buf_release(&cb);
    json_decref(a);
    json_decref(b);
}

static void test_json_canonical_respects_bound(void **state)
{
    (void)state;
    json_t *a = json_pack("{s:s}", "k", "0123456789012345678901234567890123456789");
    struct buf b;
    buf_init(&b, 16);
    assert_int_not_equal(json_canonical(a, &b), 0);
    assert_null(b.p);
    json_decref(a);
}

static void test_hex_round_trip_and_refusal(void **state)
{
    (void)state;
    unsigned char in[4] = {0x00, 0xab, 0x10, 0xff}, out[4];
    char hex[9];
    hex_encode(in, 4, hex);
    assert_string_equal(hex, "00ab10ff");
    assert_int_equal(hex_decode(hex, out, 4), 0);
    assert_memory_equal(in, out, 4);
    assert_int_equal(hex_decode("00ab10fg", out, 4), -1);
    assert_int_equal(hex_decode("00ab10ff00", out, 4), -1);
}

static void test_sha256_matches_known_vector(void **state)
{
    (void)state;
    unsigned char d[SHA256_LEN];
    char hex[SHA256_HEX_LEN];
    assert_int_equal(sha256("abc", 3, d), 0);
    hex_encode(d, SHA256_LEN, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct sha256_ctx c;
    assert_int_equal(sha256_init(&c), 0);
    sha256_update(&c, "a", 1);
    sha256_update(&c, "bc", 2);
    unsigned char d2[SHA256_LEN];
    sha256_final(&c, d2);
    assert_memory_equal(d, d2, SHA256_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_accepts_chinese_and_rejects_malformed),
        cmocka_unit_test(test_time_injected_clock_and_round_trip),
        cmocka_unit_test(test_time_parse_refuses_bad_forms),
        cmocka_unit_test(test_time_local_uses_zone),
        cmocka_unit_test(test_time_zone_check),
        cmocka_unit_test(test_json_canonical_is_order_independent),
        cmocka_unit_test(test_json_canonical_respects_bound),
        cmocka_unit_test(test_hex_round_trip_and_refusal),
        cmocka_unit_test(test_sha256_matches_known_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
