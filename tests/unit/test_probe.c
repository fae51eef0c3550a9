/* probe: resident ID check digits and the masking of personal data, charset
 * sniffing and decoding, word normalisation against evasions, the hiding
 * rules of the page analysis, the baseline's tolerance, and the monitors'
 * settings as checked and written for the command line and the API alike.
 * The page corpus itself runs in tests/e2e/probe.sh against nginx. */
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

/* Each bad setting is refused by name; a good one passes. */
static void test_monitor_settings(void **state)
{
    (void)state;
    static const struct {
        const char *url, *allow, *ips, *words;
        int64_t interval, status;
        const char *says; /* NULL: accepted */
    } cases[] = {
        {"https://www.example.gov.cn/", "cdn.example.cn, *.gov.cn", "127.0.0.1,::1", NULL, 60, 0,
         NULL},
        {"http://127.0.0.1:8080/news/", "政务.中国", NULL, "/etc/tocsin/words.txt", 1, 200, NULL},
        {"ftp://example.cn/", NULL, NULL, NULL, -1, -1, "not an http"},
        {"http:///index.html", NULL, NULL, NULL, -1, -1, "names no host"},
        {"https://admin:pw@example.cn/", NULL, NULL, NULL, -1, -1, "user name or password"},
        {"https://example.cn/a b", NULL, NULL, NULL, -1, -1, "holds a space"},
        {"https://example.cn/\x01", NULL, NULL, NULL, -1, -1, "control character"},
        {"https://example.cn/", NULL, "1.2.3", NULL, -1, -1, "'1.2.3' in the expected addresses"},
        {"https://example.cn/", "cdn.example.cn, -bad", NULL, NULL, -1, -1, "'-bad'"},
        {"https://example.cn/", "evil.cn/x", NULL, NULL, -1, -1, "'evil.cn/x'"},
        {"https://example.cn/", NULL, NULL, "words.txt", -1, -1, "absolute path"},
        {"https://example.cn/", NULL, NULL, NULL, 0, -1, "interval"},
        {"https://example.cn/", NULL, NULL, NULL, 86401, -1, "interval"},
        {"https://example.cn/", NULL, NULL, NULL, -1, 99, "expected status"},
        {"https://example.cn/", NULL, NULL, NULL, -1, 600, "expected status"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct monitor_set s = MONITOR_SET_INIT;
        s.url = cases[i].url;
        s.allow = cases[i].allow;
        s.expect_ips = cases[i].ips;
        s.words_file = cases[i].words;
        s.interval_s = cases[i].interval;
        s.expect_status = cases[i].status;
        struct err e = {0};
        int rc = monitor_set_check(&s, 1, &e);
        if (!cases[i].says && rc != 0)
            fail_msg("case %zu refused: %s", i, e.msg);
        if (cases[i].says && (rc != ERR_INPUT || !strstr(e.msg, cases[i].says)))
            fail_msg("case %zu: rc %d, \"%s\" does not say \"%s\"", i, rc, e.msg, cases[i].says);
    }
    /* a URL is needed to add, not to change */
    struct monitor_set s = MONITOR_SET_INIT;
    struct err e = {0};
    assert_int_equal(monitor_set_check(&s, 1, &e), ERR_INPUT);
    assert_int_equal(monitor_set_check(&s, 0, NULL), 0);
    /* a text longer than its column is refused, not cut */
    char asset[200];
    memset(asset, 'a', sizeof asset - 1);
    asset[sizeof asset - 1] = 0;
    s.asset = asset;
    assert_int_equal(monitor_set_check(&s, 0, NULL), ERR_INPUT);
}

static int64_t count(struct store *st, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int(st, NULL, &n, sql, ""), 0);
    return n;
}

/* Added with defaults, changed field by field, removed; each audited, and a
 * refused change leaves the row and the audit log as they were. */
static void test_monitor_writes(void **state)
{
    (void)state;
    char *dir = tmpdir_new();
    struct store *st;
    struct err e = {0};
    assert_int_equal(store_open(&st, dir, STORE_CREATE, &e), 0);
    struct monitor_set s = MONITOR_SET_INIT;
    s.url = "https://www.example.gov.cn/";
    s.asset = "门户网站";
    int64_t id = 0;
    assert_int_equal(monitor_add(st, "zhou", &s, &id, &e), 0);
    struct monitor_conf m;
    assert_int_equal(monitor_get(st, id, &m, &e), 0);
    assert_string_equal(m.asset, "门户网站");
    assert_true(m.interval_s == 60 && m.timeout_s == 10 && m.retries == 2);
    assert_true(m.expect_status == 0 && m.cloak == 1 && m.enabled == 1 && m.learn == 3);

    struct monitor_set c = MONITOR_SET_INIT;
    c.keyword = "欢迎";
    c.interval_s = 30;
    c.enabled = 0;
    c.cloak = 0;
    assert_int_equal(monitor_edit(st, "zhou", id, &c, &e), 0);
    assert_int_equal(monitor_get(st, id, &m, &e), 0);
    assert_string_equal(m.keyword, "欢迎");
    assert_string_equal(m.url, "https://www.example.gov.cn/"); /* untouched */
    assert_true(m.interval_s == 30 && m.timeout_s == 10 && m.enabled == 0 && m.cloak == 0);

    int64_t audits = count(st, "SELECT count(*) FROM audit");
    struct monitor_set bad = MONITOR_SET_INIT;
    bad.retries = 21;
    assert_int_equal(monitor_edit(st, "zhou", id, &bad, NULL), ERR_INPUT);
    assert_int_equal(monitor_edit(st, "zhou", id + 1, &c, NULL), ERR_NOTFOUND);
    assert_int_equal(count(st, "SELECT count(*) FROM audit"), audits);
    assert_int_equal(monitor_get(st, id, &m, &e), 0);
    assert_int_equal(m.retries, 2);

    assert_int_equal(store_exec(st, &e, "UPDATE monitors SET learn = 0 WHERE id = ?", "I", id), 0);
    struct monitor_set re = MONITOR_SET_INIT;
    re.relearn = 1;
    assert_int_equal(monitor_edit(st, "lead", id, &re, &e), 0);
    assert_int_equal(monitor_get(st, id, &m, &e), 0);
    assert_int_equal(m.learn, 3);

    char url[2048];
    assert_int_equal(monitor_remove(st, "zhou", id, url, &e), 0);
    assert_string_equal(url, "https://www.example.gov.cn/");
    assert_int_equal(monitor_get(st, id, &m, NULL), ERR_NOTFOUND);
    assert_int_equal(monitor_remove(st, "zhou", id, NULL, NULL), ERR_NOTFOUND);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'monitor.add' AND "
                               "actor = 'zhou'"),
                     1);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'monitor.edit'"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'monitor.relearn' AND "
                               "actor = 'lead'"),
                     1);
    assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'monitor.rm'"), 1);
    store_close(st);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_id),    cmocka_unit_test(test_charset),
        cmocka_unit_test(test_words),          cmocka_unit_test(test_hiding),
        cmocka_unit_test(test_baseline),       cmocka_unit_test(test_monitor_settings),
        cmocka_unit_test(test_monitor_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
