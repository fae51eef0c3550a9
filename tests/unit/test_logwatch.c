/* logwatch: formats and their fields, times, the normaliser, rule files and
 * their refusals, a path rule's anchors, the new-script rule fed by the
 * guard, a rule hit on any of its fields, requests matched in batches as
 * alone, and the field cache against inputs chosen to collide. The detection
 * corpus itself runs in tests/e2e/logscan.sh. */
#include "logwatch/logwatch.h"
#include "logwatch/logwatch_int.h"
#include "testutil.h"

#include <dirent.h>

static void span_is(const struct lw_span *s, const char *want)
{
    assert_non_null(s->p);
    assert_int_equal(s->n, strlen(want));
    assert_memory_equal(s->p, want, s->n);
}

static void test_combined_and_common(void **state)
{
    (void)state;
    struct lw_format *f;
    assert_int_equal(lw_format_new("auto", &f, NULL), 0);
    char scratch[512];
    struct lw_record r;
    const char *line =
        "10.0.0.1 - alice [27/Nov/2026:08:00:00 +0800] \"GET /a?b=\\\"c\\\" HTTP/1.1\" "
        "200 512 \"https://x/\" \"Mozilla/5.0 (X11)\" \"1.2.3.4\"";
    assert_int_equal(lw_parse(f, line, strlen(line), &r, scratch, NULL), 0);
    span_is(&r.f[LW_CLIENT], "10.0.0.1");
    span_is(&r.f[LW_METHOD], "GET");
    span_is(&r.f[LW_URI], "/a?b=\\\"c\\\"");
    span_is(&r.f[LW_PROTOCOL], "HTTP/1.1");
    span_is(&r.f[LW_UA], "Mozilla/5.0 (X11)");
    assert_int_equal(r.status, 200);
    assert_int_equal(r.bytes, 512);
    assert_int_equal(r.time_ms, 1795737600000LL); /* 2026-11-27T00:00:00Z */
    const char *common = "10.0.0.1 - - [27/Nov/2026:08:00:00 +0800] \"GET / HTTP/1.0\" 404 -";
    assert_int_equal(lw_parse(f, common, strlen(common), &r, scratch, NULL), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.bytes, 0);
    assert_null(r.f[LW_UA].p);
    struct err e = {0};
    const char *broken = "10.0.0.1 - - [27/Nov/2026:08:00:00 +0800] \"GET / HTTP/1.0";
    assert_int_equal(lw_parse(f, broken, strlen(broken), &r, scratch, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "does not end"));
    lw_format_free(f);
}

static void test_json_and_custom(void **state)
{
    (void)state;
    struct lw_format *f;
    char scratch[512];
    struct lw_record r;
    assert_int_equal(lw_format_new("json", &f, NULL), 0);
    const char *j = "{\"remote_addr\":\"::1\",\"request_uri\":\"/\\u4e2d?x=\\\"\",\"status\":301,"
                    "\"msec\":\"1795737600.250\",\"upstream\":null,\"extra_field\":true}";
    assert_int_equal(lw_parse(f, j, strlen(j), &r, scratch, NULL), 0);
    span_is(&r.f[LW_CLIENT], "::1");
    span_is(&r.f[LW_URI], "/中?x=\"");
    assert_int_equal(r.status, 301);
    assert_int_equal(r.time_ms, 1795737600250LL);
    assert_int_equal(r.nextra, 2);
    struct err e = {0};
    const char *nested = "{\"a\":{\"b\":1}}";
    assert_int_equal(lw_parse(f, nested, strlen(nested), &r, scratch, &e), ERR_INPUT);
    lw_format_free(f);

    assert_int_equal(lw_format_new("$remote_addr\t${status}\t$request_time\t$request", &f, NULL),
                     0);
    const char *c = "1.2.3.4\t500\t0.004\tPOST /login HTTP/2.0";
    assert_int_equal(lw_parse(f, c, strlen(c), &r, scratch, NULL), 0);
    assert_int_equal(r.status, 500);
    span_is(&r.f[LW_METHOD], "POST");
    span_is(&r.f[LW_URI], "/login");
    span_is(&r.extra_name[0], "request_time");
    lw_format_free(f);
    err_clear(&e);
    assert_int_equal(lw_format_new("$a$b", &f, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "cannot be told apart"));
}

static void test_times(void **state)
{
    (void)state;
    assert_int_equal(lw_time_parse("27/Nov/2026:08:00:00 +0800", 26), 1795737600000LL);
    assert_int_equal(lw_time_parse("2026-11-27T00:00:00Z", 20), 1795737600000LL);
    assert_int_equal(lw_time_parse("2026-11-27T08:00:00.5+08:00", 27), 1795737600500LL);
    assert_int_equal(lw_time_parse("27/Foo/2026:08:00:00 +0800", 26), 0);
    assert_int_equal(lw_time_parse("31/Nov/2026:25:00:00 +0800", 26), 0);
    assert_int_equal(lw_time_parse("12345", 5), 0);
}

static void norm_is(const char *in, const char *want)
{
    char out[256];
    size_t n = lw_normalise(in, strlen(in), out, sizeof(out));
    if (!want) {
        assert_true(n == (size_t)-1);
        return;
    }
    assert_true(n != (size_t)-1);
    out[n] = '\0';
    assert_string_equal(out, want);
}

static void test_normalise(void **state)
{
    (void)state;
    norm_is("/news/index.html", NULL);
    norm_is("/a//b/./c?q=1", "/a/b/c?q=1");
    norm_is("/x?q=union+select", "/x?q=union select");
    norm_is("/x?q=%2527", "/x?q='");
    norm_is("/x?q=%25252e", "/x?q=.");     /* three rounds */
    norm_is("/x?q=%2525252e", "/x?q=%2e"); /* and no more */
    norm_is("/x?q=%u003cscript%u003e", "/x?q=<script>");
    norm_is("/..%5c..%5cwin.ini", "/../../win.ini");
    norm_is("/a?b=\\x22c\\x22", "/a?b=\"c\"");
    norm_is("/a?b=%zz%", "/a?b=%zz%");
}

static void test_rule_files(void **state)
{
    (void)state;
    struct lw_rule v[4];
    size_t n = 0;
    struct err e = {0};
    const char *ok = "# c\n[r-1]\ncategory = network-attack/scanning\nfield = path, ua\n"
                     "pattern = ^/x$\nstatus = 4xx\nseverity = low\ndescription = d\n";
    assert_int_equal(lw_rules_parse("t.rules", ok, strlen(ok), v, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].fields, LW_F_PATH | LW_F_UA);
    assert_int_equal(v[0].status_lo, 400);
    assert_int_equal(v[0].status_hi, 499);
    struct {
        const char *text, *msg;
    } bad[] = {
        {"category = a/b\n", "t.rules:1: a key before the first [rule-id]"},
        {"[Bad Id]\n", "t.rules:1: a rule id is"},
        {"[a]\nfield = body\n", "t.rules:2: 'body' is not a valid field"},
        {"[a]\ncolour = red\n", "t.rules:2: unknown key 'colour'"},
        {"[a]\nseverity = huge\n", "'huge' is not a valid severity"},
        {"[a]\nstatus = 999\n", "'999' is not a valid status"},
        {"[a]\ncategory = x/y\nfield = uri\npattern = p\n", "rule a has no description"},
        {"[a]\ncategory = x\n", "has no category/sub-category"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 0;
        err_clear(&e);
        assert_int_equal(lw_rules_parse("t.rules", bad[i].text, strlen(bad[i].text), v, 4, &n, &e),
                         ERR_INPUT);
        if (!strstr(e.msg, bad[i].msg))
            fail_msg("'%s' gave '%s'", bad[i].text, e.msg);
    }
}

static int has_rule(const struct lw_rules *rs, const struct lw_line *l, const char *id)
{
    for (int i = 0; i < l->nhits; i++)
        if (strcmp(lw_rules_get(rs, l->hits[i])->id, id) == 0)
            return 1;
    return 0;
}

/* The built-in rules, compiled afresh, a matcher and the combined format. */
struct matching {
    struct lw_rules *rs;
    struct lw_matcher *m;
    struct lw_format *f;
};

static int matching_open(void **state)
{
    setenv("TOCSIN_CACHE", "/dev/null/tocsin-unit",
           1); /* always compile: not even root can store there */
    struct matching *x = calloc(1, sizeof(*x));
    assert_non_null(x);
    assert_int_equal(lw_rules_new(NULL, &x->rs, NULL), 0);
    assert_int_equal(lw_matcher_new(x->rs, &x->m, NULL), 0);
    assert_int_equal(lw_format_new("combined", &x->f, NULL), 0);
    *state = x;
    return 0;
}

static int matching_close(void **state)
{
    struct matching *x = *state;
    lw_format_free(x->f);
    lw_matcher_free(x->m);
    lw_rules_free(x->rs);
    free(x);
    return 0;
}

static void test_path_anchor_and_new_scripts(void **state)
{
    struct matching *x = *state;
    struct lw_line l;
    const char *a =
        "1.1.1.1 - - [27/Nov/2026:08:00:00 +0800] \"GET /.env?x=1 HTTP/1.1\" 404 1 \"-\" \"-\"";
    lw_match_line(x->m, x->f, a, strlen(a), 1, &l);
    assert_true(has_rule(x->rs, &l, "sensitive-config")); /* '$' ends at the query */
    const char *b =
        "1.1.1.1 - - [27/Nov/2026:08:00:00 +0800] \"GET /s?next=/.env HTTP/1.1\" 200 1 \"-\" \"-\"";
    lw_match_line(x->m, x->f, b, strlen(b), 2, &l);
    assert_false(has_rule(x->rs, &l, "sensitive-config")); /* a path rule ignores the query */
    const char *c = "1.1.1.1 - - [27/Nov/2026:08:00:00 +0800] \"POST /upload/logo.php HTTP/1.1\" "
                    "200 1 \"-\" \"-\"";
    lw_match_line(x->m, x->f, c, strlen(c), 3, &l);
    assert_false(has_rule(x->rs, &l, "webshell-new-script"));
    assert_int_equal(lw_matcher_add_new_script(x->m, "/upload/logo.php", NULL), 0);
    lw_match_line(x->m, x->f, c, strlen(c), 4, &l);
    assert_true(has_rule(x->rs, &l, "webshell-new-script"));
}

/* lw_hash gives the same hash, whatever its seed, to two inputs that differ
 * in the top bit of byte 7 of one 8-byte word and of bytes 3 and 7 of the
 * next (the multiplication carries the difference to the top bit, the shift
 * copies it down 32 bits, the next word can cancel both). An attacker who
 * sent the benign one first must not have the attack taken for it. */
static void test_cache_does_not_trust_the_hash(void **state)
{
    struct matching *x = *state;
    /* normalised: "/s.php?q=abcd<script>abcdefghijkl", with bytes 15, 19 and
     * 23 ('c', 't', 'c') given their top bit in the benign one; the last
     * word, read from byte 25, is the same in both */
    const char *benign = "9.9.9.9 - - [27/Nov/2026:08:00:00 +0800] \"GET "
                         "/s.php?q=abcd%3Cs%E3rip%F4%3Eab%E3defghijkl HTTP/1.1\" 200 1 \"-\" \"-\"";
    const char *attack = "9.9.9.9 - - [27/Nov/2026:08:00:01 +0800] \"GET "
                         "/s.php?q=abcd%3Cscript%3Eabcdefghijkl HTTP/1.1\" 200 1 \"-\" \"-\"";
    char a[128], b[128];
    const char *benign_uri = "/s.php?q=abcd%3Cs%E3rip%F4%3Eab%E3defghijkl";
    const char *attack_uri = "/s.php?q=abcd%3Cscript%3Eabcdefghijkl";
    size_t an = lw_normalise(benign_uri, strlen(benign_uri), a, sizeof(a));
    size_t bn = lw_normalise(attack_uri, strlen(attack_uri), b, sizeof(b));
    assert_int_equal(an, 33);
    assert_int_equal(bn, 33);
    assert_memory_not_equal(a, b, 33);
    assert_true(lw_hash(a, an) == lw_hash(b, bn)); /* the collision this test is about */
    struct lw_line l;
    lw_match_line(x->m, x->f, benign, strlen(benign), 1, &l);
    assert_int_equal(l.nhits, 0);
    lw_match_line(x->m, x->f, attack, strlen(attack), 2, &l);
    assert_true(has_rule(x->rs, &l, "xss-script-tag"));
    /* The remembered texts are kept in a ring: after it has come round many
     * times, with requests of every length, results are still each line's own. */
    char line[2048], pad[901];
    for (int i = 0; i < 900; i++)
        pad[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
    pad[900] = '\0';
    for (int i = 0; i < 20000; i++) {
        snprintf(line, sizeof(line),
                 "9.9.9.9 - - [27/Nov/2026:08:00:02 +0800] \"GET /news/%d.html?p=%.*s "
                 "HTTP/1.1\" 200 1 \"-\" \"-\"",
                 i, i % 900, pad);
        lw_match_line(x->m, x->f, line, strlen(line), 3 + (uint64_t)i, &l);
        assert_int_equal(l.nhits, 0);
        if (i % 1000 == 0) {
            lw_match_line(x->m, x->f, attack, strlen(attack), 3 + (uint64_t)i, &l);
            assert_true(has_rule(x->rs, &l, "xss-script-tag"));
            lw_match_line(x->m, x->f, benign, strlen(benign), 3 + (uint64_t)i, &l);
            assert_int_equal(l.nhits, 0);
        }
    }
}

/* A rule on several fields hits when any of them matches and is confirmed:
 * deser-java's pattern is caseless, its confirmation is not. The request's
 * "RO0AB…" matches but is not confirmed; the user agent's "rO0AB…" is, and
 * must not be hidden by the request's failed one. */
static void test_a_rule_stands_on_any_of_its_fields(void **state)
{
    struct matching *x = *state;
    const char *both = "1.1.1.5 - - [27/Nov/2026:08:00:05 +0800] \"GET /x?d=RO0ABCDEFGHIJ "
                       "HTTP/1.1\" 200 1 \"-\" \"rO0ABCDEFGHIJ\"";
    const char *request = "1.1.1.5 - - [27/Nov/2026:08:00:05 +0800] \"GET /x?d=RO0ABCDEFGHIJ "
                          "HTTP/1.1\" 200 1 \"-\" \"Java/1.8\"";
    struct lw_line l[2];
    for (int deferred = 0; deferred < 2; deferred++) {
        if (deferred) {
            lw_match_line_deferred(x->m, x->f, both, strlen(both), 1, &l[0]);
            lw_match_line_deferred(x->m, x->f, request, strlen(request), 2, &l[1]);
            lw_match_flush(x->m);
        } else {
            lw_match_line(x->m, x->f, both, strlen(both), 1, &l[0]);
            lw_match_line(x->m, x->f, request, strlen(request), 2, &l[1]);
        }
        assert_true(has_rule(x->rs, &l[0], "deser-java"));
        assert_false(has_rule(x->rs, &l[1], "deser-java"));
    }
}

/* Matching requests in batches (lw_match_line_deferred) gives each line
 * what matching it alone gives, hits and their order alike: over the whole
 * detection corpus, twice (the second time from the cache), with a batch
 * scan stopped by too many matches, a rule that matches only across two
 * requests, '$' ending a request inside a batch, and a request a rule
 * matches but whose line the rule does not want (remembered as nothing, it
 * would hide the same request sent as the rule wants). */
#define BATCH_TEST_LINES 2000

static void test_batches_match_as_alone(void **state)
{
    struct matching *x = *state;
    struct lw_matcher *alone = x->m, *batched;
    assert_non_null(x->rs->batch); /* else requests are matched alone anyway */
    assert_int_equal(lw_matcher_new(x->rs, &batched, NULL), 0);
    char **text = calloc(BATCH_TEST_LINES, sizeof(*text));
    assert_non_null(text);
    int n = 0;
    static const char *const crafted[] = {
        /* sqli-union-select, but only across the two requests */
        "1.1.1.1 - - [27/Nov/2026:08:00:00 +0800] \"GET /s?q=1'%20union HTTP/1.1\" 200 1 \"-\" "
        "\"-\"",
        "1.1.1.1 - - [27/Nov/2026:08:00:00 +0800] \"GET select%201 HTTP/1.1\" 200 1 \"-\" \"-\"",
        /* a path rule's '$' at the query, and at the end, in mid-batch */
        "1.1.1.2 - - [27/Nov/2026:08:00:01 +0800] \"GET /www.zip?x=1 HTTP/1.1\" 404 1 \"-\" \"-\"",
        "1.1.1.2 - - [27/Nov/2026:08:00:01 +0800] \"GET /old/index.php.bak HTTP/1.1\" 404 1 \"-\" "
        "\"-\"",
        /* webshell-post-short-name wants a POST: the GET after it must not
         * have the request remembered as matching nothing */
        "1.1.1.3 - - [27/Nov/2026:08:00:02 +0800] \"POST /up/x.php HTTP/1.1\" 200 1 \"-\" \"-\"",
        "1.1.1.3 - - [27/Nov/2026:08:00:03 +0800] \"GET /up/x.php HTTP/1.1\" 200 1 \"-\" \"-\"",
    };
    for (size_t i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++)
        assert_non_null(text[n++] = strdup(crafted[i]));
    /* Every file of the detection corpus, as tests/e2e/logscan.sh reads it. */
    static const char *const dirs[] = {"tests/data/logs/attack", "tests/data/logs/benign"};
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        DIR *dir = opendir(dirs[d]);
        assert_non_null(dir);
        struct dirent *de;
        while ((de = readdir(dir))) {
            size_t len = strlen(de->d_name);
            if (len < 5 || strcmp(de->d_name + len - 4, ".log") != 0)
                continue;
            char path[512], buf[70000];
            snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
            FILE *fp = fopen(path, "r");
            assert_non_null(fp);
            while (fgets(buf, sizeof(buf), fp) && n < BATCH_TEST_LINES - 300) {
                buf[strcspn(buf, "\n")] = '\0';
                assert_non_null(text[n++] = strdup(buf));
            }
            fclose(fp);
        }
        closedir(dir);
    }
    /* 300 lines with many matches each: the batch scan stops, each is matched alone */
    for (int i = 0; i < 300; i++) {
        char buf[512];
        snprintf(buf, sizeof(buf),
                 "1.1.1.4 - - [27/Nov/2026:08:00:04 +0800] \"GET /a/../../../etc/passwd?x=%d"
                 "&u=1'%%20union%%20select%%201,2--&f=php://filter/x HTTP/1.1\" 200 1 \"-\" \"-\"",
                 i);
        assert_non_null(text[n++] = strdup(buf));
    }
    struct lw_line *a = calloc((size_t)n, sizeof(*a)), *b = calloc((size_t)n, sizeof(*b));
    assert_non_null(a);
    assert_non_null(b);
    /* The crafted lines alone, twice, then everything, twice: the second
     * time each request is taken from the cache if it is still there. */
    int ncrafted = (int)(sizeof(crafted) / sizeof(crafted[0]));
    for (int round = 0; round < 4; round++) {
        int upto = round < 2 ? ncrafted : n;
        for (int i = 0; i < upto; i++) {
            lw_match_line(alone, x->f, text[i], strlen(text[i]), (uint64_t)i + 1, &a[i]);
            lw_match_line_deferred(batched, x->f, text[i], strlen(text[i]), (uint64_t)i + 1, &b[i]);
        }
        lw_match_flush(batched);
        for (int i = 0; i < upto; i++) {
            if (a[i].nhits != b[i].nhits || memcmp(a[i].hits, b[i].hits, a[i].nhits * 2) != 0)
                fail_msg("round %d, line %d (%s): %d hits alone, %d in a batch", round, i, text[i],
                         a[i].nhits, b[i].nhits);
            assert_int_equal(a[i].parsed, b[i].parsed);
            assert_int_equal(a[i].path_hash, b[i].path_hash);
        }
        assert_false(has_rule(x->rs, &b[0], "sqli-union-select"));
        assert_false(has_rule(x->rs, &b[1], "sqli-union-select"));
        assert_true(has_rule(x->rs, &b[2], "sensitive-backup"));
        assert_true(has_rule(x->rs, &b[3], "sensitive-backup"));
        assert_true(has_rule(x->rs, &b[4], "webshell-post-short-name"));
        assert_false(has_rule(x->rs, &b[5], "webshell-post-short-name"));
        if (round >= 2)
            assert_true(has_rule(x->rs, &b[n - 1], "lfi-sensitive-file"));
    }
    free(a);
    free(b);
    for (int i = 0; i < n; i++)
        free(text[i]);
    free(text);
    lw_matcher_free(batched);
}

/* A line for the analysis alone, from client ip at t ms. */
static struct lw_line flood_line(const char *ip, int64_t t, int status, uint64_t number)
{
    struct lw_line l = {.text = ip, .len = (uint32_t)strlen(ip), .number = number, .parsed = 1};
    l.client = (struct lw_span){ip, strlen(ip)};
    l.client_hash = lw_hash(ip, strlen(ip));
    l.path_hash = lw_hash(&number, sizeof(number));
    l.time_ms = t;
    l.status = status;
    l.bytes = 512;
    return l;
}

static int detected(struct lw_analysis *a, const char *rule, const char *client)
{
    const struct lw_detection *d;
    size_t n = lw_analysis_detections(a, &d);
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].rule->id, rule) == 0 && strcmp(d[i].client, client) == 0)
            return 1;
    return 0;
}

/* 600,000 lines, nearly every one from a new address (one per millisecond,
 * so that two windows' worth are active at once, far more than the table
 * holds), with a password guesser and a flooding client among them: the
 * table stays within its cap, and both are still named, and no one-request
 * address is. A table rebuilt per newcomer would not finish. */
static void test_a_million_addresses_do_not_blind_the_detectors(void **state)
{
    (void)state;
    struct lw_analysis *a;
    assert_int_equal(lw_analysis_new(NULL, NULL, &a, NULL), 0);
    char ip[32];
    uint64_t number = 0;
    for (int i = 0; i < 600000; i++) {
        int64_t t = 1800000000000 + i;
        snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        struct lw_line l = flood_line(ip, t, 200, ++number);
        lw_analysis_add(a, &l, NULL, 0);
        if (i % 500 == 0) { /* a guess every half second */
            l = flood_line("198.51.100.7", t, 401, ++number);
            lw_analysis_add(a, &l, NULL, 0);
        }
        if (i >= 300000 && i < 310000 && i % 20 == 0) { /* 500 in 10 s */
            l = flood_line("203.0.113.9", t, 200, ++number);
            lw_analysis_add(a, &l, NULL, 0);
        }
    }
    uint64_t evicted;
    size_t held = lw_analysis_clients(a, &evicted);
    assert_true(held <= LW_CLIENTS_MAX);
    assert_true(evicted > 0); /* the cap was reached, and newcomers still came in */
    assert_true(detected(a, "brute-force-login", "198.51.100.7"));
    assert_true(detected(a, "flood-client", "203.0.113.9"));
    const struct lw_detection *d;
    size_t n = lw_analysis_detections(a, &d);
    assert_int_equal(n, 2);
    lw_analysis_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combined_and_common),
        cmocka_unit_test(test_json_and_custom),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_rule_files),
        cmocka_unit_test(test_a_million_addresses_do_not_blind_the_detectors),
        cmocka_unit_test_setup_teardown(test_path_anchor_and_new_scripts, matching_open,
                                        matching_close),
        cmocka_unit_test_setup_teardown(test_a_rule_stands_on_any_of_its_fields, matching_open,
                                        matching_close),
        cmocka_unit_test_setup_teardown(test_batches_match_as_alone, matching_open, matching_close),
        cmocka_unit_test_setup_teardown(test_cache_does_not_trust_the_hash, matching_open,
                                        matching_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
