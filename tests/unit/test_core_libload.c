/* Lazily loaded libraries: when one cannot be opened, every call fails the
 * way the library itself reports failure, and nothing crashes. (With the
 * real libraries, the end-to-end tests fetch pages, send notifications and
 * scan with ClamAV through the same functions.) */
#define CURL_SONAME   "libtocsin-test-no-such-curl.so.0"
#define CLAMAV_SONAME "libtocsin-test-no-such-clamav.so.0"
#include "core/libload.c"

#include "testutil.h"

static void test_missing_curl_fails_cleanly(void **state)
{
    (void)state;
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_FAILED_INIT);
    assert_null(curl_easy_init());
    assert_int_equal(curl_easy_setopt(NULL, CURLOPT_URL, "http://127.0.0.1/"), CURLE_FAILED_INIT);
    assert_int_equal(curl_easy_setopt(NULL, CURLOPT_TIMEOUT_MS, 5L), CURLE_FAILED_INIT);
    long code = 7;
    assert_int_equal(curl_easy_getinfo(NULL, CURLINFO_RESPONSE_CODE, &code), CURLE_FAILED_INIT);
    assert_int_equal(code, 7);
    assert_non_null(strstr(curl_easy_strerror(CURLE_OK), "could not be loaded"));
    assert_null(curl_slist_append(NULL, "Accept: */*"));
    assert_null(curl_multi_init());
    int left = 5;
    assert_null(curl_multi_info_read(NULL, &left));
    assert_int_equal(left, 0);
    assert_int_equal(curl_multi_setopt(NULL, CURLMOPT_MAXCONNECTS, 4L), CURLM_INTERNAL_ERROR);
    curl_easy_cleanup(NULL);
    curl_slist_free_all(NULL);
    curl_free(NULL);
}

static void test_missing_clamav_fails_cleanly(void **state)
{
    (void)state;
    assert_int_equal(cl_init(CL_INIT_DEFAULT), CL_EOPEN);
    assert_null(cl_engine_new());
    assert_null(cl_fmap_open_memory("x", 1));
    unsigned sigs = 9;
    assert_int_equal(cl_load("/nonexistent", NULL, &sigs, CL_DB_STDOPT), CL_EOPEN);
    assert_int_equal(sigs, 9);
    assert_non_null(strstr(cl_strerror(CL_EOPEN), "could not be loaded"));
    cl_fmap_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_curl_fails_cleanly),
        cmocka_unit_test(test_missing_clamav_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
