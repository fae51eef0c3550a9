/* tocsin.conf: valid files, and every kind of bad one named by file and line. */
#include "core/core.h"
#include "testutil.h"

static int parse(struct config *c, const char *text, struct err *e)
{
    config_defaults(c);
    err_clear(e);
    return config_parse(c, "tocsin.conf", text, strlen(text), e);
}

static void test_config_defaults(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.timezone, "Asia/Shanghai");
}

static void test_config_valid_file_sets_every_key(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c,
                           "; comment\n[server]\nlisten = 0.0.0.0:9443\n\n"
                           "[organisation]\nname = 某开发区管委会 ; inline comment\n"
                           "timezone = UTC\n",
                           &e),
                     0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9443);
    assert_string_equal(c.org_name, "某开发区管委会");
    assert_string_equal(c.timezone, "UTC");
}

static void test_config_ipv6_listen(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[server]\nlisten = [::1]:8081\n", &e), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 8081);
}

static void test_config_unknown_key_names_file_and_line(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[server]\nlisten = 127.0.0.1:80\n\nport = 8080\n", &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:4:"));
    assert_non_null(strstr(e.msg, "unknown key 'port'"));
    /* nothing of a failed parse is kept */
    assert_int_equal(c.listen_port, 8080);
}

static void test_config_unknown_section(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[database]\nurl = x\n", &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:2: unknown section [database]"));
}

static void test_config_syntax_error_names_line(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[server]\nlisten = 127.0.0.1:80\nthis is not ini\n", &e),
                     ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:3: syntax error"));
    assert_int_equal(parse(&c, "[server\nlisten = 1.2.3.4:5\n", &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:1:"));
}

static void test_config_bad_values(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[server]\nlisten = 127.0.0.1:-1\n", &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "port"));
    assert_int_equal(parse(&c, "[server]\nlisten = 127.0.0.1:70000\n", &e), ERR_INPUT);
    assert_int_equal(parse(&c, "[server]\nlisten = 8080\n", &e), ERR_INPUT);
    assert_int_equal(parse(&c, "[server]\nlisten = a/b:80\n", &e), ERR_INPUT);
    assert_int_equal(parse(&c, "[organisation]\ntimezone = Mars/Olympus\n", &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:2: time zone 'Mars/Olympus' is unknown"));
    assert_int_equal(parse(&c, "[organisation]\ntimezone = ../../etc/passwd\n", &e), ERR_INPUT);
    assert_int_equal(parse(&c, "[organisation]\nname = \xff\xfe\n", &e), ERR_INPUT);
}

static void test_config_duplicate_key(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(parse(&c, "[server]\nlisten = 1.2.3.4:5\nlisten = 1.2.3.4:6\n", &e),
                     ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:3: key 'listen' in [server] is given twice"));
}

static void test_config_nul_byte_and_long_line(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char nul[] = "[server]\nlisten = 1.2.3.4:5\0\n";
    config_defaults(&c);
    err_clear(&e);
    assert_int_equal(config_parse(&c, "tocsin.conf", nul, sizeof(nul) - 1, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:2: line contains a NUL byte"));

    char longline[600];
    memset(longline, 'x', sizeof(longline));
    memcpy(longline, "[organisation]\nname = ", 22);
    longline[sizeof(longline) - 1] = '\0';
    assert_int_equal(parse(&c, longline, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "tocsin.conf:2: line is longer than"));
}

static void test_config_format_parses_back(void **state)
{
    (void)state;
    struct config c, d;
    struct err e = {0};
    config_defaults(&c);
    snprintf(c.org_name, sizeof(c.org_name), "示范单位");
    snprintf(c.listen_host, sizeof(c.listen_host), "::1");
    struct buf b;
    buf_init(&b, CONFIG_MAX_BYTES);
    assert_int_equal(config_format(&c, &b), 0);
    config_defaults(&d);
    assert_int_equal(config_parse(&d, "x", b.p, b.len, &e), 0);
    assert_string_equal(d.org_name, "示范单位");
    assert_string_equal(d.listen_host, "::1");
    assert_int_equal(d.listen_port, 8080);
    buf_release(&b);
}

static void test_config_load_missing_file(void **state)
{
    (void)state;
    struct config c;
    struct err e = {0};
    config_defaults(&c);
    assert_int_equal(config_load(&c, "/nonexistent/tocsin.conf", &e), ERR_IO);
    assert_non_null(strstr(e.msg, "/nonexistent/tocsin.conf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_valid_file_sets_every_key),
        cmocka_unit_test(test_config_ipv6_listen),
        cmocka_unit_test(test_config_unknown_key_names_file_and_line),
        cmocka_unit_test(test_config_unknown_section),
        cmocka_unit_test(test_config_syntax_error_names_line),
        cmocka_unit_test(test_config_bad_values),
        cmocka_unit_test(test_config_duplicate_key),
        cmocka_unit_test(test_config_nul_byte_and_long_line),
        cmocka_unit_test(test_config_format_parses_back),
        cmocka_unit_test(test_config_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
