/* probe: resident ID check digits and the masking of personal data, charset
 * sniffing and decoding, word normalisation against evasions, the hiding
 * rules of the page analysis, and the baseline's tolerance. The page corpus
 * itself runs in tests/e2e/probe.sh against nginx. */
#include "probe/probe.h"
#include "testutil.h"

static void test_resident_id(void **state)
{
    (void)state;
    assert_true(probe_is_resident_id("11010519491231002X"));
    assert_true(probe_is_resident_id("11010519491231002x"));
    assert_false(probe_is_resident_id("110105194912310021")); /* check digit */
    assert_false(probe_is_resident_id("110105194913310026")); /* month 13 */
    assert_false(probe_is_resident_id("99010519491231002X")); /* region */
    struct probe_findings f = {0};
    const char *t = "名单 11010519491231002X 与编号 ABC110105194912310021 电话 13800138000";
    probe_pii_scan(t, strlen(t), &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].excerpt, "110105********002X");
    assert_null(strstr(f.v[0].message, "19491231"));
    memset(&f, 0, sizeof f);
    const char *m = "13800138000 13900139000 15000150000";
    probe_pii_scan(m, strlen(m), &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].excerpt, "138****8000");
}

static void test_charset(void **state)
{
    (void)state;
    char cs[32];
    probe_charset("text/html; charset=GB2312", "", 0, cs);
    assert_string_equal(cs, "GB18030");
    const char *meta = "<html><head><meta http-equiv=\"Content-Type\" "
                       "content=\"text/html; charset=big5\">";
    probe_charset(NULL, meta, strlen(meta), cs);
    assert_string_equal(cs, "BIG5-HKSCS");
    probe_charset("text/html", "\xc4\xe3\xba\xc3", 4, cs); /* not UTF-8: GB18030 */
    assert_string_equal(cs, "GB18030");
    struct buf out;
    buf_init(&out, 1024);
    size_t bad;
    assert_int_equal(probe_to_utf8("GB18030", "\xc4\xe3\xba\xc3", 4, &out, &bad, NULL), 0);
    assert_string_equal(buf_str(&out), "你好");
    assert_int_equal(bad, 0);
    buf_reset(&out);
    assert_int_equal(probe_to_utf8("UTF-8",
                                   "a\xff"
                                   "b\xe4\xbd",
                                   5, &out, &bad, NULL),
                     0);
    assert_string_equal(buf_str(&out), "a\xef\xbf\xbd"
                                       "b\xef\xbf\xbd\xef\xbf\xbd");
    assert_int_equal(bad, 3);
    buf_release(&out);
    struct buf small;
    buf_init(&small, 8);
    assert_int_equal(
        probe_to_utf8("GB18030", "\xc4\xe3\xba\xc3\xc4\xe3\xba\xc3", 8, &small, &bad, NULL),
        ERR_TOOBIG);
    buf_release(&small);
}

static void hit(void *ctx, const char *entry, const char *context)
{
    (void)context;
    snprintf(ctx, 64, "%s", entry);
}

static void test_words(void **state)
{
    (void)state;
    struct buf n;
    buf_init(&n, 1024);
    const char *t = "澳門 新·葡京 ＶＩＰ";
    assert_int_equal(probe_words_normalise(t, strlen(t), &n), 0);
    assert_string_equal(buf_str(&n), "澳门新葡京vip");
    buf_release(&n);
    const char *list = "# comment\n博彩\nre:[0-9]{4}bet\n\n";
    struct probe_words *w = probe_words_new("list", list, strlen(list), NULL);
    assert_non_null(w);
    assert_int_equal(probe_words_count(w), 2);
    char got[64] = "";
    const char *p = "欢迎 博 * 彩 平台";
    assert_int_equal(probe_words_scan(w, p, strlen(p), hit, got), 1);
    assert_string_equal(got, "博彩");
    const char *benign = "博物馆 彩色 betting better 2026";
    assert_int_equal(probe_words_scan(w, benign, strlen(benign), hit, got), 0);
    const char *re = "请访问 8888 BET 注册";
    assert_int_equal(probe_words_scan(w, re, strlen(re), hit, got), 1);
    probe_words_free(w);
    struct err e = {0};
    assert_null(probe_words_new("bad.txt", "re:(x\n", 6, &e));
    assert_non_null(strstr(e.msg, "bad.txt"));
    err_clear(&e);
    assert_null(probe_words_new("bad.txt", "ok\n\xff\xfe\n", 6, &e));
    assert_non_null(strstr(e.msg, "bad.txt:2"));
}

static int kinds(const char *html, const char *kind)
{
    struct probe_findings *f = calloc(1, sizeof *f);
    struct probe_page_opts o = {.url = "https://www.example.gov.cn/"};
    o.words = probe_words_builtin(NULL);
    assert_int_equal(probe_page_analyse(html, strlen(html), &o, f, NULL, NULL), 0);
    int has = probe_has(f, kind);
    probe_words_free((struct probe_words *)o.words);
    free(f);
    return has;
}

static void test_hiding(void **state)
{
    (void)state;
    const char *links = "<a href='http://a.example/'>博彩</a><a href='http://b.example/'>x</a>"
                        "<a href='http://c.example/'>y</a>";
    char page[1024];
    snprintf(page, sizeof page, "<style>.x , .y{ display : none }</style><div class=y>%s</div>",
             links);
    assert_true(kinds(page, "hidden-links"));
    snprintf(page, sizeof page, "<style>.x:hover{display:none}</style><div class=x>%s</div>",
             links);
    assert_false(kinds(page, "hidden-links")); /* a hover rule hides nothing by itself */
    /* shown by its own style attribute, after the sheet hid the class */
    snprintf(page, sizeof page,
             "<style>.y{display:none}</style><div class=y style='display:block'>%s</div>", links);
    assert_false(kinds(page, "hidden-links"));
    snprintf(
        page, sizeof page,
        "<style>.y{display:none !important}</style><div class=y style='display:block'>%s</div>",
        links);
    assert_true(kinds(page, "hidden-links")); /* !important: the browser hides it */
    snprintf(page, sizeof page, "<div style='display:block;display:none'>%s</div>", links);
    assert_true(kinds(page, "hidden-links"));
    snprintf(page, sizeof page, "<div style='color:#fff;background:white'>%s</div>", links);
    assert_true(kinds(page, "hidden-links"));
    snprintf(page, sizeof page, "<div style='color:#fff;background:#000'>%s</div>", links);
    assert_false(kinds(page, "hidden-links"));
    snprintf(page, sizeof page, "<div style='height:0'>%s</div>", links); /* overflows: visible */
    assert_false(kinds(page, "hidden-links"));
    /* hidden, but the site's own pages (a drop-down menu) */
    assert_false(kinds("<ul style='display:none'><a href='/a'>博彩</a><a href='https://news."
                       "example.gov.cn/'>b</a><a href='//www.example.gov.cn/c'>c</a></ul>",
                       "hidden-links"));
    /* deep nesting is cut, not followed */
    struct buf deep;
    buf_init(&deep, 1 << 20);
    for (int i = 0; i < 50000; i++)
        buf_adds(&deep, "<span>");
    assert_false(kinds(buf_str(&deep), "hidden-links"));
    buf_release(&deep);
}

static void test_baseline(void **state)
{
    (void)state;
    const char *a =
        "<title>门户 2026-11-27</title><ul class=news><li>新闻一 11月27日</li>"
        "<li>新闻二</li><li>新闻三</li></ul><div class=foot>主办单位：东江市人民政府办公室 "
        "承办单位：东江市政务服务数据管理局 网站标识码 4419000001 "
        "粤ICP备05012345号 粤公网安备44190002000123号 联系我们 网站地图 隐私声明</div>";
    const char *b =
        "<title>门户 2026-11-28</title><ul class=news><li>新闻零</li><li>新闻一 "
        "11月28日</li><li>新闻二</li></ul><div class=foot>主办单位：东江市人民政府办公室 "
        "承办单位：东江市政务服务数据管理局 网站标识码 4419000001 "
        "粤ICP备05012345号 粤公网安备44190002000123号 联系我们 网站地图 隐私声明</div>";
    const char *c = "<title>门户 2026-11-28</title><div class=evil>本站已停止服务 请联系某某办理"
                    "所有事项 逾期不候</div><ul class=news><li>新闻一 11月28日</li><li>新闻二</li>"
                    "<li>新闻三</li></ul><div class=foot>主办单位：东江市人民政府办公室 "
                    "承办单位：东江市政务服务数据管理局 网站标识码 4419000001 "
                    "粤ICP备05012345号 粤公网安备44190002000123号 联系我们 网站地图 隐私声明</div>";
    struct probe_page_opts o = {.url = "http://x.gov.cn/"};
    struct probe_findings f = {0};
    struct probe_print *pa, *pb, *pc;
    assert_int_equal(probe_page_analyse(a, strlen(a), &o, &f, &pa, NULL), 0);
    assert_int_equal(probe_page_analyse(b, strlen(b), &o, &f, &pb, NULL), 0);
    assert_int_equal(probe_page_analyse(c, strlen(c), &o, &f, &pc, NULL), 0);
    assert_true(probe_print_similarity(pa, pa) > 0.999);
    struct probe_baseline *base = probe_baseline_new();
    probe_baseline_learn(base, pa);
    struct probe_findings g = {0};
    probe_baseline_compare(base, pb, &g); /* a news item in, dates changed */
    assert_int_equal(g.n, 0);
    probe_baseline_compare(base, pc, &g);
    assert_true(probe_has(&g, "injected-block"));
    struct buf s;
    buf_init(&s, 1 << 20);
    assert_int_equal(probe_baseline_save(base, &s), 0);
    struct probe_baseline *back = probe_baseline_load("b", s.p, s.len, NULL);
    assert_non_null(back);
    struct probe_findings h = {0};
    probe_baseline_compare(back, pc, &h);
    assert_true(probe_has(&h, "injected-block"));
    struct err e = {0};
    assert_null(probe_baseline_load("b.json", "{\"tocsin\":\"x\"}", 14, &e));
    assert_non_null(strstr(e.msg, "b.json"));
    buf_release(&s);
    probe_baseline_free(base);
    probe_baseline_free(back);
    probe_print_free(pa);
    probe_print_free(pb);
    probe_print_free(pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_id), cmocka_unit_test(test_charset),
        cmocka_unit_test(test_words),       cmocka_unit_test(test_hiding),
        cmocka_unit_test(test_baseline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
