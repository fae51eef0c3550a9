/* The webshell source analysis: each technique on a small case written here,
 * the benign look-alikes that must stay quiet, the decoders, and the bounds on
 * bad input. The per-technique corpus is tests/data/webshell (e2e/scan.sh). */
#include "guard/wsa.h"
#include "testutil.h"

#include <time.h>
#include <zlib.h>

static struct wsa_result run(enum wsa_lang lang, const char *src)
{
    struct wsa_result r;
    wsa_analyse(lang, src, strlen(src), &r);
    return r;
}

static const struct wsa_finding *find(const struct wsa_result *r, const char *technique)
{
    for (int k = 0; k < r->n; k++)
        if (strcmp(r->f[k].technique, technique) == 0)
            return &r->f[k];
    return NULL;
}

static void test_explains_the_two_line_shell(void **state)
{
    (void)state;
    struct wsa_result r =
        run(WSA_PHP, "<?php\n$k = base64_decode(\"YXNzZXJ0\");\n$k($_REQUEST['x']);\n");
    assert_true(r.score >= WSA_THRESHOLD);
    const struct wsa_finding *name = find(&r, "obfuscated-function-name");
    assert_non_null(name);
    assert_int_equal(name->line, 3);
    assert_non_null(strstr(name->decoded, "base64_decode"));
    assert_non_null(strstr(name->decoded, "\"assert\""));
    const struct wsa_finding *taint = find(&r, "taint-code");
    assert_non_null(taint);
    assert_non_null(strstr(taint->taint, "$_REQUEST[x] line 3"));
    assert_non_null(strstr(taint->taint, "assert(...) line 3"));
}

/* Each obfuscation of a function name that the folding undoes. */
static void test_folding_undoes_each_obfuscation(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "<?php $f = 'ass'.'ert'; $f($_POST[1]);",
        "<?php $f = chr(97).chr(115).chr(115).chr(101).chr(114).chr(116); $f($_POST[1]);",
        "<?php $f = ('!'^'@').'ssert'; $f($_POST[1]);",
        "<?php $f = str_replace('x', '', 'axsxsexrt'); $f($_POST[1]);",
        "<?php $f = strrev('tressa'); $f($_POST[1]);",
        "<?php $f = str_rot13('nffreg'); $f($_POST[1]);",
        "<?php $f = hex2bin('617373657274'); $f($_POST[1]);",
        "<?php $f = pack('H*', '617373657274'); $f($_POST[1]);",
        "<?php $f = \"\\x61\\163s\\u{65}rt\"; $f($_POST[1]);",
        "<?php $s = 'xassertx'; $f = substr($s, 1, 6); $f($_POST[1]);",
        "<?php $f = sprintf('%s%s', 'ass', 'ert'); $f($_POST[1]);",
        "<?php $f = ~\"\\x9e\\x8c\\x8c\\x9a\\x8d\\x8b\"; $f($_POST[1]);",
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct wsa_result r = run(WSA_PHP, cases[k]);
        if (r.score < WSA_THRESHOLD || !find(&r, "obfuscated-function-name"))
            fail_msg("not undone: %s (score %d)", cases[k], r.score);
    }
}

/* Each way request input reaches a sink. */
static void test_taint_reaches_each_sink(void **state)
{
    (void)state;
    static const struct {
        enum wsa_lang lang;
        const char *src, *technique;
    } cases[] = {
        {WSA_PHP, "<?php $c = $_GET['c']; $d = trim($c); system($d);", "taint-command"},
        {WSA_PHP, "<?php echo `{$_POST['c']}`;", "taint-command"},
        {WSA_PHP, "<?php include $_GET['p'];", "taint-include"},
        {WSA_PHP, "<?php include 'php://input';", "include-input"},
        {WSA_PHP, "<?php $h = getallheaders(); eval($h['X-Code']);", "taint-code"},
        {WSA_PHP, "<?php eval(getenv('HTTP_X_CODE'));", "taint-code"},
        {WSA_PHP, "<?php call_user_func('assert', $_POST['a']);", "taint-code"},
        {WSA_PHP, "<?php array_filter(array($_POST['a']), 'assert');", "taint-code"},
        {WSA_PHP, "<?php function run($x) { eval($x); } run($_COOKIE['c']);", "taint-code"},
        {WSA_PHP, "<?php $_SESSION['k'] = $_COOKIE['k']; eval($_SESSION['k']);", "taint-code"},
        {WSA_PHP, "<?php $f = create_function('', $_POST['b']); $f();", "taint-code"},
        {WSA_PHP, "<?php preg_replace('/.*/e', $_POST['r'], 'x');", "preg-replace-e"},
        {WSA_PHP,
         "<?php $a = file_get_contents('php://input'); eval(openssl_decrypt($a, 'AES128', "
         "'k'));",
         "taint-code"},
        {WSA_PHP, "<?php file_put_contents($_POST['f'], $_POST['c']);", "taint-file-write"},
        {WSA_PHP, "<?php $_ = ('%'^'z').('+'^'{').'OST'; ${$_}[_](${$_}[__]);",
         "function-name-from-request"},
        {WSA_JSP, "<% String c = request.getParameter(\"c\"); Runtime.getRuntime().exec(c); %>",
         "taint-command"},
        {WSA_JSP, "<% new ProcessBuilder(request.getParameter(\"c\")).start(); %>",
         "taint-command"},
        {WSA_JSP,
         "<% byte[] b = java.util.Base64.getDecoder().decode(request.getParameter(\"k\")); "
         "new U(this.getClass().getClassLoader()).defineClass(b, 0, b.length); %>",
         "define-class-from-input"},
        {WSA_ASP, "<% Execute Request(\"a\") %>", "taint-code"},
        {WSA_ASP, "<% Set s = CreateObject(\"WScript.Shell\") : s.Run Request.Form(\"c\") %>",
         "taint-command"},
        {WSA_ASP,
         "<% Set s = Server.CreateObject(\"ADODB.Stream\")\ns.Open\ns.WriteText Request(\"d\")\n"
         "s.SaveToFile Server.MapPath(\"x.asp\"), 2 %>",
         "writes-request-to-script"},
        {WSA_ASPX, "<%@ Page Language=\"Jscript\"%><% eval(Request.Item[\"z\"], \"unsafe\"); %>",
         "taint-code"},
        {WSA_ASPX,
         "<%@ Page Language=\"C#\"%><script runat=\"server\">void R(){ "
         "System.Diagnostics.Process.Start(\"cmd.exe\", \"/c \" + Request[\"c\"]); }</script>",
         "taint-command"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct wsa_result r = run(cases[k].lang, cases[k].src);
        if (r.score < WSA_THRESHOLD || !find(&r, cases[k].technique))
            fail_msg("%s not found in: %s (score %d)", cases[k].technique, cases[k].src, r.score);
    }
}

/* Benign code that looks like the above must stay under the threshold. */
static void test_benign_look_alikes_stay_quiet(void **state)
{
    (void)state;
    static const struct {
        enum wsa_lang lang;
        const char *src;
    } cases[] = {
        {WSA_PHP, "<?php $pdo->exec('DELETE FROM t WHERE id = ' . intval($_GET['id']));"},
        {WSA_PHP, "<?php assert('is_int($x)'); assert($n > 0);"},
        {WSA_PHP, "<?php $m = 'array_map'; $out = $m('trim', $_POST['tags']);"},
        {WSA_PHP, "<?php if (!function_exists('exec')) { echo 'disabled'; }"},
        {WSA_PHP, "<?php system('uptime'); $lang = $_GET['lang'];"},
        {WSA_PHP, "<?php move_uploaded_file($_FILES['f']['tmp_name'], UPLOAD_DIR . '/' . "
                  "basename($_FILES['f']['name']));"},
        {WSA_PHP, "<?php $t = \"select * from news where title like '%union%'\";"},
        {WSA_PHP, "<?php /* eval($_POST['x']); */ // system($_GET['c']);\necho 'ok';"},
        {WSA_PHP, "<?php $img = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf';"},
        {WSA_PHP, "<?php $ctl = new $controller(); $ctl->$action();"},
        {WSA_ASPX, "<%@ Page Language=\"C#\"%><%# Eval(\"Name\") %><%# DataBinder.Eval(Container, "
                   "\"Price\") %>"},
        {WSA_ASP, "<% Response.Write Server.HTMLEncode(Request(\"q\")) %>"},
        {WSA_JSP, "<% String q = request.getParameter(\"q\"); out.print(q.length()); %>"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct wsa_result r = run(cases[k].lang, cases[k].src);
        if (r.score >= WSA_THRESHOLD)
            fail_msg("a benign look-alike scored %d (%s): %s", r.score, r.n ? r.f[0].technique : "",
                     cases[k].src);
    }
}

/* Standard base64 of n bytes, written here so the tests do not lean on the
 * decoder they test. */
static size_t b64enc(const unsigned char *p, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t k = 0; k < n; k += 3) {
        unsigned v = (unsigned)p[k] << 16 | (k + 1 < n ? (unsigned)p[k + 1] : 0) << 8 |
                     (k + 2 < n ? (unsigned)p[k + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = k + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = k + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

/* Encodes text as the Script Encoder does, by finding for each character the
 * byte that decodes to it at its position: the decoder is the specification. */
static char *script_encode(const char *plain)
{
    struct wsa_arena *a = wsa_arena_new();
    size_t n = strlen(plain);
    char *enc = calloc(1, n + 1);
    for (size_t i = 0; i < n; i++) {
        for (int c = 32; c <= 127; c++) {
            if (c == '<' || c == '>' || c == '@')
                continue;
            enc[i] = (char)c;
            size_t dn = 0;
            char *d = wsa_script_decode(a, enc, i + 1, &dn);
            if (d && dn == i + 1 && d[i] == plain[i])
                break;
        }
    }
    char *block = malloc(n + 32);
    sprintf(block, "#@~^AAAAAA==%sAAAAAA==^#~@", enc);
    free(enc);
    wsa_arena_delete(a);
    return block;
}

static void test_decoders(void **state)
{
    (void)state;
    struct wsa_result r;
    /* base64 wrapped over short lines, as payloads are, decodes whole */
    r = run(WSA_PHP, "<?php eval(base64_decode('ZXZh\nbCgk\nX1BP\nU1Rb\nMV0p\nOw=='));");
    assert_true(r.score >= WSA_THRESHOLD);
    /* gzinflate(base64_decode()) of a payload made here with zlib */
    const char *payload = "system($_GET['c']);";
    unsigned char z[256];
    z_stream s = {0};
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = (unsigned char *)(uintptr_t)payload;
    s.avail_in = (unsigned)strlen(payload);
    s.next_out = z;
    s.avail_out = sizeof(z);
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    size_t zn = sizeof(z) - s.avail_out;
    deflateEnd(&s);
    char enc[512], src[700];
    b64enc(z, zn, enc);
    snprintf(src, sizeof(src), "<?php eval(gzinflate(base64_decode('%s')));", enc);
    r = run(WSA_PHP, src);
    assert_non_null(find(&r, "taint-command"));
    assert_non_null(find(&r, "eval-decoded-payload"));
    /* the Script Encoder: a block encoded here, through the decoder itself */
    char *block = script_encode("execute Request(\"a\")");
    snprintf(src, sizeof(src), "<%%@ Language=VBScript.Encode %%><%%%s%%>", block);
    free(block);
    r = run(WSA_ASP, src);
    assert_non_null(find(&r, "script-encoded"));
    assert_non_null(find(&r, "taint-code"));
}

/* Bad input: binary, unterminated, deeply nested, endless decoding, huge. */
static void test_bad_input_is_bounded(void **state)
{
    (void)state;
    struct wsa_result r;
    r = run(WSA_PHP, "<?php $a = \"unterminated {$_GET['x'] ");
    assert_true(r.score >= 0);
    r = run(WSA_PHP, "<?php $a = <<<EOT\nnever closed $b");
    assert_true(r.score >= 0);
    char bin[4096];
    for (size_t k = 0; k < sizeof(bin); k++)
        bin[k] = (char)(k * 131 + 7);
    wsa_analyse(WSA_PHP, bin, sizeof(bin), &r);
    wsa_analyse(WSA_JSP, bin, sizeof(bin), &r);
    wsa_analyse(WSA_ASP, bin, sizeof(bin), &r);
    /* 2,000 nested parentheses and brackets */
    char *deep = malloc(20000);
    size_t n = (size_t)snprintf(deep, 20000, "<?php eval(");
    for (int k = 0; k < 2000; k++)
        deep[n++] = k % 2 ? '(' : '[';
    deep[n] = 0;
    r = run(WSA_PHP, deep);
    free(deep);
    /* a payload nested deeper than the decoder follows: still named, still ends */
    char *p = strdup("system($_GET[1]);");
    for (int level = 0; level < 10; level++) {
        size_t pn = strlen(p);
        char *q = malloc(pn * 2 + 64);
        size_t en = (size_t)sprintf(q, "eval(base64_decode('");
        en += b64enc((const unsigned char *)p, pn, q + en);
        strcpy(q + en, "'));");
        free(p);
        p = q;
    }
    char *file = malloc(strlen(p) + 8);
    sprintf(file, "<?php %s", p);
    r = run(WSA_PHP, file);
    assert_true(r.score >= WSA_THRESHOLD);
    free(file);
    free(p);
    /* larger than the analysis reads: the first part is analysed, and it says so */
    size_t big = WSA_SOURCE_MAX + 4096;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    memcpy(huge, "<?php eval($_POST[1]); /*", 25);
    clock_t t0 = clock();
    wsa_analyse(WSA_PHP, huge, big, &r);
    assert_true(r.truncated);
    assert_true(r.score >= WSA_THRESHOLD);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0);
    free(huge);
}

static void test_utf16_and_java_escapes(void **state)
{
    (void)state;
    const char *jsp = "<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>";
    size_t n = strlen(jsp);
    char *u = malloc(2 * n + 2);
    u[0] = (char)0xff;
    u[1] = (char)0xfe;
    for (size_t k = 0; k < n; k++) {
        u[2 + 2 * k] = jsp[k];
        u[3 + 2 * k] = 0;
    }
    struct wsa_result r;
    wsa_analyse(WSA_JSP, u, 2 * n + 2, &r);
    free(u);
    assert_non_null(find(&r, "taint-command"));
    assert_non_null(find(&r, "utf16-source"));
    r = run(WSA_JSP, "<% Runtime.getRuntime().\\u0065xec(request.getParameter(\"c\")); %>");
    assert_non_null(find(&r, "taint-command"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explains_the_two_line_shell),
        cmocka_unit_test(test_folding_undoes_each_obfuscation),
        cmocka_unit_test(test_taint_reaches_each_sink),
        cmocka_unit_test(test_benign_look_alikes_stay_quiet),
        cmocka_unit_test(test_decoders),
        cmocka_unit_test(test_bad_input_is_bounded),
        cmocka_unit_test(test_utf16_and_java_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
