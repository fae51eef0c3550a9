/* The Core Rule Set read as data (src/logwatch/crs.c): each transformation,
 * the reader over rules written here in CRS's syntax (tests/data/crs), each
 * operator, variable, chain, multiMatch and paranoia gate, rule files that
 * are wrong in every way, a chain of transformations that would grow a
 * value without bound, the tokenizers behind @detectSQLi and @detectXSS
 * with benign look-alikes, and tocsin's second opinion on CRS's hits. */
#include "logwatch/crs.h"
#include "logwatch/inject.h"
#include "logwatch/logwatch.h"
#include "testutil.h"

static void tf_is(const char *name, const char *in, size_t n, const char *want, size_t wn)
{
    char out[512];
    long k = crs_transform(name, in, n, out, sizeof(out));
    assert_true(k >= 0);
    if ((size_t)k != wn || memcmp(out, want, wn) != 0)
        fail_msg("t:%s of \"%.*s\" gave \"%.*s\", not \"%.*s\"", name, (int)n, in, (int)k, out,
                 (int)wn, want);
}

#define TF(name, in, want) tf_is(name, in, sizeof(in) - 1, want, sizeof(want) - 1)

static void test_transformations(void **state)
{
    (void)state;
    TF("urlDecode", "a%27b+c%2", "a'b c%2");
    TF("urlDecodeUni", "%u0027%uff1cscript%uFF1E", "'<script>"); /* full-width as ASCII */
    TF("htmlEntityDecode", "&lt;&#x73;&#99;ript&GT;&#39", "<script>'");
    TF("jsDecode", "\\x3c\\u0073\\143ript\\n", "<script\n");
    TF("cssDecode", "\\3c \\73 cript", "<script");
    TF("removeNulls", "a\0b", "ab");
    TF("removeWhitespace", "a b\tc\n", "abc");
    TF("compressWhitespace", "a  \t b", "a b");
    TF("replaceComments", "un/**/ion/*x", "un ion ");
    TF("cmdLine", "C^a\"t,/ETC;'p'", "cat/etc p");
    TF("normalizePath", "/a/./b/../../etc//passwd", "/etc/passwd");
    TF("normalizePathWin", "\\a\\..\\win.ini", "/win.ini");
    TF("utf8toUnicode", "\xe4\xb8\xad", "%u4e2d");
    TF("base64Decode", "c3lzdGVtKA==", "system(");
    TF("lowercase", "SeLeCT", "select");
    TF("trim", "  x  ", "x");
    char out[64];
    assert_int_equal(crs_transform("noSuchThing", "x", 1, out, sizeof(out)), -1);
}

struct loaded {
    char warnings[4096];
    size_t nw;
};

static void collect(void *ctx, const char *msg)
{
    struct loaded *l = ctx;
    l->nw += (size_t)snprintf(l->warnings + l->nw, sizeof(l->warnings) - l->nw, "%s\n", msg);
    if (l->nw >= sizeof(l->warnings))
        l->nw = sizeof(l->warnings) - 1;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    *n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf;
}

static struct crs *load(int paranoia, struct loaded *l)
{
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-unit", 1); /* always compile */
    size_t n;
    char *text = slurp("tests/data/crs/rules.conf", &n);
    struct crs *c;
    struct err e = {0};
    if (crs_load_text("rules.conf", text, n, "tests/data/crs", paranoia, collect, l, &c, &e) != 0)
        fail_msg("%s", e.msg);
    return c;
}

/* The ids of the rules that match a request, space-separated, and the
 * anomaly score. */
static const char *ids(const struct crs *c, struct crs_scratch *s, const char *method,
                       const char *uri, const char *ua, const char *referer, int *score)
{
    struct crs_request q = {.method = method,
                            .method_n = strlen(method),
                            .uri = uri,
                            .uri_n = strlen(uri),
                            .protocol = "HTTP/1.1",
                            .protocol_n = 8,
                            .ua = ua,
                            .ua_n = ua ? strlen(ua) : 0,
                            .referer = referer,
                            .referer_n = referer ? strlen(referer) : 0};
    uint16_t hit[32];
    static char out[512];
    int n = crs_match(c, s, &q, hit, 32, score);
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%s", i ? " " : "",
                              crs_info(c, hit[i])->id);
    return out;
}

#define MATCHES(want, method, uri, ua, ref)                                                        \
    do {                                                                                           \
        int sc_;                                                                                   \
        assert_string_equal(ids(c, s, method, uri, ua, ref, &sc_), want);                          \
    } while (0)

static void test_operators_variables_chains(void **state)
{
    (void)state;
    struct loaded l = {0};
    struct crs *c = load(1, &l);
    struct crs_scratch *s;
    assert_int_equal(crs_scratch_new(c, &s, NULL), 0);
    assert_string_equal(l.warnings, ""); /* left out quietly: cookies, @validateByteRange */
    assert_int_equal(crs_count(c), 16);  /* level 1 only */

    MATCHES("990100 990230", "GET", "/?q=1%20UNION%u0020SELECT%202", NULL, NULL); /* and sqli */
    MATCHES("990100", "GET", "/?union+select=1", NULL, NULL);                     /* ARGS_NAMES */
    MATCHES("990110", "GET", "/?f=..%2Fetc%2FPASSWD", NULL, NULL);
    MATCHES("990120", "GET", "/?x=PHPinfo", NULL, NULL);
    MATCHES("990130", "GET", "/", "EvilScan/1.0", NULL);
    MATCHES("", "GET", "/", NULL, "evilscan"); /* the referer is left out */
    MATCHES("990140", "GET", "/", NULL, "https://a.example/&lt;SCRIPT&gt;");
    MATCHES("990150", "GET", "/a%5c..%5cetc/hosts", NULL, NULL);
    MATCHES("990160", "TRACE", "/", NULL, NULL);
    MATCHES("990170", "GET", "/?c=c%5Ea%22t%20/etc", NULL, NULL);
    MATCHES("990180", "GET", "/?x=al\\x65rt%20/**/(1)", NULL, NULL);
    MATCHES("990190", "GET", "/?x=c3lzdGVtKCdpZCcp", NULL, NULL);
    MATCHES("990110 990170 990200", "GET", "/?x=a;cat%20/etc/passwd", NULL, NULL);
    MATCHES("", "GET", "/?x=a;cat", NULL, NULL);        /* the chain wants a slash and a space */
    MATCHES("990210", "GET", "/?x=%253cb", NULL, NULL); /* "%3cb" after the query's own decoding */
    MATCHES("990230", "GET", "/?id=1%27%20or%20%271%27=%271", NULL, NULL);
    MATCHES("990180 990240", "GET", "/?x=%3Cimg%20src=x%20onerror=alert(1)%3E", NULL, NULL);

    /* a warning alone scores 3: reported, yet under CRS's threshold */
    int score;
    struct crs_request q = {.method = "GET",
                            .method_n = 3,
                            .uri = "/",
                            .uri_n = 1,
                            .protocol = "HTTP/9",
                            .protocol_n = 6};
    uint16_t hit[8];
    assert_int_equal(crs_match(c, s, &q, hit, 8, &score), 1);
    assert_string_equal(crs_info(c, hit[0])->id, "990220");
    assert_int_equal(score, 3);
    assert_true(score < CRS_THRESHOLD);
    MATCHES("990250", "GET", "/?q=%E4%B8%AD%E6%96%87", NULL, NULL);
    /* ordinary requests: nothing */
    MATCHES("", "GET", "/news/2026/12/index.html?page=2&sort=date", "Mozilla/5.0 (X11)",
            "https://www.baidu.com/s?wd=%E6%94%BF%E5%8A%A1");
    /* the same request twice: the value cache gives the same answer */
    MATCHES("990130", "GET", "/", "EvilScan/1.0", NULL);
    crs_scratch_free(s);
    crs_free(c);

    /* level 2 adds its rule */
    c = load(2, &l);
    assert_int_equal(crs_scratch_new(c, &s, NULL), 0);
    assert_int_equal(crs_count(c), 17);
    MATCHES("990300", "GET", "/?q=Select", NULL, NULL);
    crs_scratch_free(s);
    crs_free(c);
}

/* Every way a rule file can be wrong: named with its line, the others load. */
static void test_bad_rule_files(void **state)
{
    (void)state;
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-unit", 1);
    static const char text[] =
        "SecRule ARGS \"@rx ok\" \"id:1,t:none,msg:'fine',severity:'CRITICAL'\"\n"
        "SecRule ARGS \"@rx unterminated id:2\n"                   /* 2: quotes */
        "SecRule ARGS \"@rx (\" \"id:3,msg:'bad pattern'\"\n"      /* 3: PCRE2 refuses */
        "SecRule ARGS \"@pmFromFile missing.data\" \"id:4\"\n"     /* 4: no such file */
        "SecRule ARGS \"@pmFromFile ../../etc/passwd\" \"id:5\"\n" /* 5: not a bare name */
        "SecRule ARGS \"@rx x\" \"id:6,t:noSuchTransformation\"\n" /* 6 */
        "SecRule ARGS \"@rx x\" \"msg:'no id'\"\n"                 /* 7 */
        "SecRule ARGS \"@rx a\" \"id:8,chain\"\n"                  /* 8: a chain never ended */
        "SecRule ARGS \"@rx ok2\" \"id:9,msg:'fine too'\"\n"
        "SecRule ARGS \"@rx a\" \"id:10,chain\"\n";
    struct loaded l = {0};
    struct crs *c;
    struct err e = {0};
    assert_int_equal(
        crs_load_text("bad.conf", text, sizeof(text) - 1, "tests/data/crs", 1, collect, &l, &c, &e),
        0);
    const char *want[] = {"bad.conf:2:",
                          "bad.conf:3: rule 3: pattern rejected",
                          "bad.conf:4: rule 4: cannot read data file missing.data",
                          "bad.conf:5: rule 5: data file",
                          "bad.conf:6: rule 6: unknown transformation",
                          "bad.conf:7: a SecRule without an id",
                          "rule 10: its chain has no last rule"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(l.warnings, want[i]))
            fail_msg("no warning \"%s\" in:\n%s", want[i], l.warnings);
    /* 1 stays; rule 8's chain takes the next SecRule as its link, as CRS
     * reads it */
    assert_int_equal(crs_count(c), 2);
    assert_string_equal(crs_info(c, 0)->id, "1");
    assert_string_equal(crs_info(c, 0)->source, "bad.conf:1");
    assert_string_equal(crs_info(c, 1)->id, "8");
    crs_free(c);

    /* nothing loadable: refused with a reason */
    assert_int_equal(crs_load_text("none.conf", "# nothing\n", 10, NULL, 1, NULL, NULL, &c, &e),
                     ERR_INPUT);
    assert_non_null(strstr(e.msg, "none.conf"));
    err_clear(&e);
    assert_int_not_equal(crs_load("/nonexistent/tocsin/crs", 1, NULL, NULL, &c, &e), 0);
    assert_non_null(strstr(e.msg, "/nonexistent/tocsin/crs"));
}

/* utf8toUnicode six times over: a value may grow, but never past its bound. */
static void test_growth_is_bounded(void **state)
{
    (void)state;
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-unit", 1);
    static const char text[] = "SecRule ARGS \"@rx zzz\" \"id:7,t:none,t:utf8toUnicode,"
                               "t:urlDecode,t:utf8toUnicode,t:utf8toUnicode,t:utf8toUnicode,"
                               "t:utf8toUnicode,t:utf8toUnicode,msg:'grow'\"\n";
    struct crs *c;
    struct crs_scratch *s;
    assert_int_equal(
        crs_load_text("grow.conf", text, sizeof(text) - 1, NULL, 1, NULL, NULL, &c, NULL), 0);
    assert_int_equal(crs_scratch_new(c, &s, NULL), 0);
    size_t n = 3 * 20000 + 16;
    char *uri = malloc(n);
    strcpy(uri, "/?a=");
    for (size_t i = 4; i + 3 < n; i += 3)
        memcpy(uri + i, "\xe4\xb8\xad", 3);
    uri[n - 1] = '\0';
    int score;
    assert_string_equal(ids(c, s, "GET", uri, NULL, NULL, &score), "");
    free(uri);
    crs_scratch_free(s);
    crs_free(c);
}

static void test_detectors(void **state)
{
    (void)state;
    static const char *const sqli[] = {"1' or '1'='1",
                                       "admin'--",
                                       "1 union select 1,2",
                                       "-1' UNION ALL SELECT NULL--",
                                       "1=1--",
                                       "1 and sleep(5)",
                                       "');waitfor delay '0:0:5'--",
                                       "1;drop table users",
                                       "' || 'a",
                                       "x' and extractvalue(1,2)#",
                                       "\") or (\"a\"=\"a",
                                       "1/*!50000union*/select 1"};
    static const char *const not_sqli[] = {
        "O'Reilly and sons",
        "Tom's + Jerry's",
        "it's 5' tall",
        "select a title",
        "union members 2026",
        "rock 'n' roll",
        "Price: $5 - $10",
        "2+2=4",
        "0x414243",
        "{\"-5uzPQx\":\"PuMnUh\",\"",
        "order by date",
        "I'm 25 (or so)",
        "rand numbers and floor(x) in math",
        "5 order by date",
        "5 and 6 apples",
        "chapter 1 having fun",
        "see page 2) and more",
        "in case when you need it then call",
        "union select members list",
        "select all from the drop-down menu",
        "Union members select new chair; drop in votes",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"};
    static const char *const xss[] = {"<script>alert(1)</script>",
                                      "<img src=x onerror=alert(1)>",
                                      "</form>",
                                      "<a href=\"javascript:alert(1)\">x</a>",
                                      "<svg/onload=alert(1)>",
                                      "<!DOCTYPE x [",
                                      "<?xml version=\"1.0\"?>",
                                      "<div style=\"width:expression(alert(1))\">",
                                      "<xsl:template match=\"/\">"};
    static const char *const not_xss[] = {"<b>bold</b> moves",
                                          "a < b and c > d",
                                          "I <3 you",
                                          "<p>text</p>",
                                          "<a href=\"/news/1.html\">news</a>",
                                          "1 <> 2",
                                          "javascript: the good parts",
                                          "<img src=\"/a.png\" alt=\"x\">"};
    for (size_t i = 0; i < sizeof(sqli) / sizeof(sqli[0]); i++)
        if (!lw_detect_sqli((const unsigned char *)sqli[i], strlen(sqli[i])))
            fail_msg("not SQL injection: %s", sqli[i]);
    for (size_t i = 0; i < sizeof(not_sqli) / sizeof(not_sqli[0]); i++)
        if (lw_detect_sqli((const unsigned char *)not_sqli[i], strlen(not_sqli[i])))
            fail_msg("SQL injection: %s", not_sqli[i]);
    for (size_t i = 0; i < sizeof(xss) / sizeof(xss[0]); i++)
        if (!lw_detect_xss((const unsigned char *)xss[i], strlen(xss[i])))
            fail_msg("not script: %s", xss[i]);
    for (size_t i = 0; i < sizeof(not_xss) / sizeof(not_xss[0]); i++)
        if (lw_detect_xss((const unsigned char *)not_xss[i], strlen(not_xss[i])))
            fail_msg("script: %s", not_xss[i]);
}

/* Debian's CRS (a dependency of tocsin) through tocsin's second opinion:
 * each family named on an attack, and the look-alikes CRS itself takes for
 * attacks left alone. */
static void test_debian_crs(void **state)
{
    (void)state;
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-unit", 1);
    struct crs *c;
    struct crs_scratch *s;
    struct err e = {0};
    if (crs_load(LW_CRS_DEFAULT, 1, NULL, NULL, &c, &e) != 0)
        fail_msg("%s (scripts/deps installs modsecurity-crs)", e.msg);
    assert_int_equal(crs_scratch_new(c, &s, NULL), 0);
    int score;
    static const char *const attacks[] = {
        "/?f=..%2f..%2fetc%2fpasswd",                             /* 930 */
        "/?u=http://203.0.113.9/shell.txt?",                      /* 931 */
        "/get?x=$(cmd)",                                          /* 932 */
        "/?x=foo%3Bcat%20/etc/passwd",                            /* 932 */
        "/?test=base64_decode(",                                  /* 933 */
        "/?code=require(%22child_process%22).exec(1)",            /* 934 */
        "/?s=%3Cscript%3Ealert(1)%3C/script%3E",                  /* 941 */
        "/?id=1%27%20union%20select%20password%20from%20users--", /* 942 */
        "/?x=java.lang.Runtime.getRuntime().exec(%22id%22)",      /* 944 */
        "/?a=%0d%0aSet-Cookie:x=1",                               /* 921 */
    };
    for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        const char *got = ids(c, s, "GET", attacks[i], "Mozilla/5.0", NULL, &score);
        if (score < CRS_THRESHOLD)
            fail_msg("%s: score %d (%s)", attacks[i], score, got);
    }
    static const char *const benign[] = {
        "/search?q=union+select+members+list",                              /* CRS: 942190 */
        "/search?q=%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80+select",            /* 942360 */
        "/search?q=java+runtime+environment+download",                      /* 932150 */
        "/search?q=price+%24%7Bamount%7D",                                  /* 932130 */
        "/articles/?title=javascript%3A+the+good+parts",                    /* 941210 */
        "/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80%E6%8C%87%E5%8D%97", /* 941310 */
        "/api/avatar?data=data%3Aimage%2Fpng%3Bbase64%2CiVBORw0KGgoAAAANSUhEUgAAAAE%3D", /* 941130
                                                                                          */
    };
    for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++) {
        const char *got = ids(c, s, "GET", benign[i], "Mozilla/5.0", NULL, &score);
        if (score >= CRS_THRESHOLD)
            fail_msg("%s: score %d (%s)", benign[i], score, got);
    }
    crs_scratch_free(s);
    crs_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transformations), cmocka_unit_test(test_operators_variables_chains),
        cmocka_unit_test(test_bad_rule_files),  cmocka_unit_test(test_growth_is_bounded),
        cmocka_unit_test(test_detectors),       cmocka_unit_test(test_debian_crs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
