/* The fast HTML parser against gumbo: on every page of the corpus and on
 * each construct it takes, its tree is gumbo's tree; on each construct where
 * the HTML5 algorithm moves or clones nodes, it gives the page to gumbo. The
 * portal pages must take the fast way, or the analysis loses its speed
 * without anyone noticing. Also: gumbo's own tree keeps the attribute after
 * a duplicate one whole, and a hidden link with one is found either way. */
#include "probe/probe_int.h"
#include "testutil.h"

#include <dirent.h>
#include <gumbo.h>

/* 1 when the fast parser took html (and then its tree must be gumbo's). */
static int fast_and_same(const char *what, const char *html, size_t n)
{
    GumboOutput *f = parse_html_fast(html, n);
    int line = fast_parse_gave_up_at();
    GumboOutput *g = parse_html_gumbo(html, n);
    assert_non_null(g);
    char why[400] = "";
    if (f && fast_parse_differs(g->document, f->document, why, sizeof why)) {
        print_error("%s: the fast tree differs from gumbo's: %s\n", what, why);
        fail();
    }
    parse_release();
    if (!f)
        print_message("  %s: to gumbo (fastparse.c:%d)\n", what, line);
    return f != NULL;
}

/* The page decoded as the analysis decodes it. */
static int page_fast(const char *path)
{
    struct buf raw, html;
    buf_init(&raw, 16 << 20);
    assert_int_equal(fs_read_file(path, 16 << 20, &raw, NULL), 0);
    char cs[32];
    size_t bad;
    probe_charset(NULL, raw.p, raw.len, cs);
    buf_init(&html, 2 * raw.len + 16);
    assert_int_equal(probe_to_utf8(cs, raw.p, raw.len, &html, &bad, NULL), 0);
    int r = fast_and_same(path, html.p ? html.p : "", html.len);
    buf_release(&raw);
    buf_release(&html);
    return r;
}

static void test_corpus(void **state)
{
    (void)state;
    static const char *const dirs[] = {"tests/data/pages/benign", "tests/data/pages/attack"};
    int pages = 0, fast = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        assert_non_null(dir);
        struct dirent *e;
        while ((e = readdir(dir))) {
            if (!strstr(e->d_name, ".html"))
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            int took = page_fast(path);
            pages++;
            fast += took;
            /* every ordinary portal page goes the fast way */
            if (d == 0 && !took) {
                print_error("%s: a benign portal page went to gumbo\n", path);
                fail();
            }
        }
        closedir(dir);
    }
    assert_true(page_fast("bench/portal-50k.html"));
    print_message("  %d of %d corpus pages built by the fast parser, all as gumbo builds them\n",
                  fast, pages);
    assert_true(pages >= 40);
}

struct construct {
    const char *name;
    const char *html;
};

/* What a portal's templates and editors write, taken by the fast parser. */
static const struct construct taken[] = {
    {"no html, head or body", "<title>t</title><p>x"},
    {"doctype and comments around", "<!-- a --><!DOCTYPE html><!--b--><html><head>\n<!--c-->\n"
                                    "<title>t</title></head><body>x</body></html>\n<!--d-->\n"},
    {"xhtml doctype", "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
                      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                      "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><br/></body></html>"},
    {"p closed by a block", "<p>a<div>b</div><p>c<ul><li>d</ul><p>e<h2>f</h2>"},
    {"open list items", "<ul><li>a<li>b<li><a href=x>c</a></ul><dl><dt>t<dd>d<dt>u<dd>e</dl>"},
    {"list item after a paragraph", "<ul><li><p>a<li>b</ul>"},
    {"open cells and rows", "<table><tr><td>a<td>b<tr><th>c<td>d</table>"},
    {"sections of a table", "<table><caption>c</caption><colgroup><col><col></colgroup>"
                            "<thead><tr><th>h</thead><tbody><tr><td>1</td></tr></tbody>"
                            "<tfoot><tr><td>f</tfoot></table>"},
    {"col without colgroup", "<table><col width=10><tr><td>x</table>"},
    {"table in a cell",
     "<table><tr><td><table><tr><td>in</td></tr></table>after</td></tr></table>"},
    {"cell left open in a block", "<table><tr><td><div>a</td><td>b</td></tr></table>"},
    {"white space in tables", "<table>\n <tr>\n  <td>a</td>\n </tr>\n</table>"},
    {"hidden input and script in a table",
     "<table><input type=hidden name=a><script>var x=1;</script><tr><td>x</table>"},
    {"forms", "<form action=/s><input name=q><select name=s><option>a<option selected>b"
              "<optgroup label=g><option>c</optgroup></select><button>go</button></form>"},
    {"references in text", "a &amp; b &lt;c&gt; &nbsp;&nbsp d&copy;2026 &#20013;&#x6587; &middot;"},
    {"references in attributes",
     "<a href=\"/a?x=1&y=2&para=3&param=4&amp;z=5&copy=6\" title='&quot;&lt;'>x</a>"},
    {"line breaks", "<p class=\"a\r\nb\">line\r\nline\rline</p>\r\n<pre>\r\ncode</pre>"},
    {"pre and textarea keep all but the first newline",
     "<pre>\n\nx</pre><textarea>\nt &amp; u</textarea><listing>\ny</listing>"},
    {"raw text", "<style>p>a{color:red}</style><script>if (a<b && c>d) x='</p>';</script >"
                 "<xmp><b>x</b></xmp><iframe src=/f><p>in</p></iframe><title>a &amp; b</title>"},
    {"formatting closed in order",
     "<p><b>a<i>b</i></b><font color=red><font size=2>c</font></font><strong><em>d</em></strong>"},
    {"formatting in cells", "<table><tr><td><b>a</b></td><td><a href=x>b</a></td></tr></table>"},
    {"marquee and object", "<marquee width=1><a href=x>y</a></marquee><object data=f><param "
                           "name=a value=b></object>"},
    {"duplicate attributes", "<a href=a class=x class=y style=\"display:none\" href=b>x</a>"},
    {"unknown elements", "<p>a<o:p></o:p><st1:date>b</st1:date><x-y>c</x-y>"},
    {"void elements", "<p>a<br>b<img src=i.png alt=\"\"><hr><input type=text><wbr>c"},
    {"text after the body", "<body>x</body>\n</html>\n\n"},
    {"a lone less-than sign", "<p>1 < 2 and 3 <= 4</p>"},
    {"noscript in the body", "<body><noscript><img src=x></noscript>"},
    {"head elements in the body", "<body><meta name=a><link rel=b><style>x{}</style>y"},
    {"misnested formatting", "<p><b>a<i>b</b>c</i>d"},
    {"formatting closed by a paragraph's end", "<p><font color=red>a</p><p>b</p>"},
    {"formatting left open in a list item", "<ul><li><b>a<li>b</ul>"},
    {"a link inside a link", "<a href=x>a<a href=y>b</a>"},
    {"stray end tags", "<div>a</span></p></li></h2></div></div>b</font>"},
    {"an end tag closing what is open inside", "<div><span><em>a</div>b"},
    {"a heading closed by another heading's end tag", "<h2>a</h3>b"},
    {"a table in an open paragraph, quirks mode", "<p>a<table><tr><td>x</table>"},
    {"a table in an open paragraph, no quirks", "<!doctype html><p>a<table><tr><td>x</table>"},
    {"a script hidden from old browsers", "<script type=\"text/javascript\"><!--\n"
                                          "if (a <b) document.write('</p>');\n//--></script>x"},
    {"noscript in the head", "<head><noscript><link rel=stylesheet href=n.css>\n"
                             "<style>p{}</style></noscript><title>t</title></head>x"},
    {"empty", ""},
};

/* Where the algorithm moves or clones nodes, or this parser is not sure. */
static const struct construct refused[] = {
    {"formatting left open across a block", "<b>a<p>b</b>c"},
    {"a link inside a link with a block between", "<a href=x>a<div>b<a href=y>c</a></div>"},
    {"text moved out of a table", "<table>text<tr><td>x</table>"},
    {"a block moved out of a table", "<table><div>x</div><tr><td>y</table>"},
    {"a table in an open paragraph, another doctype",
     "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><p>a<table><tr><td>x</table>"},
    {"a stray end tag of an unknown element", "<x-a>a</x-b>b"},
    {"an unknown reference", "a &notin; b"},
    {"a reference without its semicolon that runs on", "a &notit b"},
    {"svg", "<p><svg><circle r=1></circle></svg>"},
    {"a template", "<template><p>x</template>"},
    {"a frameset", "<frameset><frame src=a></frameset>"},
    {"a script writing a script in an escaped part",
     "<script><!-- document.write('<script>x</script>') --></script>"},
    {"a second body", "<body>a<body class=x>b"},
    {"a bogus comment", "<p>a<?php echo 1; ?>"},
    {"an abrupt comment", "<!--->x"},
    {"an unterminated tag", "<p>a<div class=\"x"},
    {"a byte order mark", "\xef\xbb\xbf<p>x"},
};

static void test_constructs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof taken / sizeof taken[0]; k++) {
        const struct construct *c = &taken[k];
        if (!fast_and_same(c->name, c->html, strlen(c->html))) {
            print_error("%s: should have been built by the fast parser\n", c->name);
            fail();
        }
    }
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        const struct construct *c = &refused[k];
        if (fast_and_same(c->name, c->html, strlen(c->html))) {
            print_error("%s: the fast parser should have left it to gumbo\n", c->name);
            fail();
        }
    }
    static const char nul[] = "<p>a\0b"; /* a NUL byte, which a C string cannot hold */
    assert_false(fast_and_same("a NUL byte", nul, sizeof nul - 1));
}

/* gumbo 0.10.1 told to keep no errors glued a duplicate attribute's name to
 * the next one's ("class" + "style"); a hidden link lost its style. */
static void test_gumbo_duplicate_attribute(void **state)
{
    (void)state;
    const char *html = "<svg></svg><a class=x class=y style=\"display:none\" href=h>x</a>";
    GumboOutput *g = parse_html_gumbo(html, strlen(html));
    assert_non_null(g);
    GumboNode *body = ((GumboNode *)g->root)->v.element.children.data[1];
    GumboNode *a = body->v.element.children.data[1];
    assert_int_equal(a->v.element.tag, GUMBO_TAG_A);
    const GumboVector *at = &a->v.element.attributes;
    assert_int_equal(at->length, 3);
    assert_string_equal(((GumboAttribute *)at->data[0])->name, "class");
    assert_string_equal(((GumboAttribute *)at->data[0])->value, "x");
    assert_string_equal(((GumboAttribute *)at->data[1])->name, "style");
    assert_string_equal(((GumboAttribute *)at->data[2])->name, "href");
    parse_release();
}

/* The same hidden link with a duplicate attribute, through either parser:
 * its style is read and the link is reported. */
static void test_hidden_link_duplicate_attribute(void **state)
{
    (void)state;
    struct probe_words *w = probe_words_builtin(NULL);
    assert_non_null(w);
    struct probe_page_opts o = {.url = "http://www.example.gov.cn/", .words = w};
    static const char *const pages[] = {
        /* plain: the fast parser */
        "<!DOCTYPE html><html><body><p>政务公开</p><a class=x class=y style=\"display:none\" "
        "href=\"http://www.88bet-casino.example/\">澳门新葡京</a></body></html>",
        /* with an svg: gumbo */
        "<!DOCTYPE html><html><body><svg></svg><p>政务公开</p><a class=x class=y "
        "style=\"display:none\" href=\"http://www.88bet-casino.example/\">澳门新葡京</a>"
        "</body></html>"};
    for (size_t k = 0; k < 2; k++) {
        GumboOutput *f = parse_html_fast(pages[k], strlen(pages[k]));
        parse_release();
        assert_true(k == 0 ? f != NULL : f == NULL);
        struct probe_findings *fs = calloc(1, sizeof *fs);
        assert_non_null(fs);
        assert_int_equal(probe_page_analyse(pages[k], strlen(pages[k]), &o, fs, NULL, NULL), 0);
        assert_true(probe_has(fs, "hidden-links"));
        free(fs);
    }
    probe_words_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_constructs),
        cmocka_unit_test(test_gumbo_duplicate_attribute),
        cmocka_unit_test(test_hidden_link_duplicate_attribute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
