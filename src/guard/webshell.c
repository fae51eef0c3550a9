/* Webshell scanning: the project's YARA rules, plus content statistics. */
#include "guard.h"
#include "wsa.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <clamav.h>
#include <pthread.h>
#include <yara.h>
#include <zstd.h>

/* The .yar files of rules/webshell, compiled in. */
extern const char guard_webshell_rules[];

struct webshell_rules {
    YR_RULES *rules;
    struct cl_engine *clam; /* ClamAV's signatures, when their databases are there */
    unsigned clam_sigs;
};

struct compile_ctx {
    struct err *e;
    const char *source;
};

static void compile_error(int level, const char *file, int line, const YR_RULE *rule,
                          const char *msg, void *user)
{
    (void)file;
    (void)rule;
    struct compile_ctx *c = user;
    if (level == YARA_ERROR_LEVEL_ERROR)
        err_set(c->e, ERR_INPUT, "webshell rules %s, line %d: %s", c->source, line, msg);
}

static int add_source(YR_COMPILER *comp, struct compile_ctx *cc, const char *name, const char *text)
{
    cc->source = name;
    if (yr_compiler_add_string(comp, text, NULL) != 0)
        return cc->e->code ? cc->e->code : err_set(cc->e, ERR_INPUT, "bad rules in %s", name);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int webshell_load(struct webshell_rules **out, const char *extra_dir, struct err *e)
{
    *out = NULL;
    if (yr_initialize() != ERROR_SUCCESS)
        return err_set(e, ERR_INTERNAL, "cannot initialise the YARA library");
    YR_COMPILER *comp = NULL;
    if (yr_compiler_create(&comp) != ERROR_SUCCESS) {
        yr_finalize();
        return err_set(e, ERR_NOMEM, "cannot create a YARA compiler");
    }
    struct compile_ctx cc = {.e = e};
    yr_compiler_set_callback(comp, compile_error, &cc);
    int rc = add_source(comp, &cc, "rules/webshell (built in)", guard_webshell_rules);
    if (!rc && extra_dir) {
        /* The directory's *.yar files, in name order. */
        DIR *d = opendir(extra_dir);
        char *names[256];
        size_t n = 0;
        if (!d)
            rc = err_errno(e, ERR_INPUT, errno, "cannot open rules directory %s", extra_dir);
        for (struct dirent *de; !rc && (de = readdir(d));) {
            size_t l = strlen(de->d_name);
            if (l > 4 && strcmp(de->d_name + l - 4, ".yar") == 0 && n < 256)
                names[n++] = strdup(de->d_name);
        }
        if (d)
            closedir(d);
        qsort(names, n, sizeof(names[0]), name_cmp);
        for (size_t i = 0; i < n; i++) {
            char path[GUARD_PATH_MAX];
            struct buf text;
            snprintf(path, sizeof(path), "%s/%s", extra_dir, names[i] ? names[i] : "");
            if (!rc && names[i] && !(rc = fs_read_file(path, 4 << 20, &text, e))) {
                rc = add_source(comp, &cc, path, buf_str(&text));
                buf_release(&text);
            }
            free(names[i]);
        }
    }
    YR_RULES *rules = NULL;
    if (!rc && yr_compiler_get_rules(comp, &rules) != ERROR_SUCCESS)
        rc = err_set(e, ERR_NOMEM, "cannot build the YARA rules");
    yr_compiler_destroy(comp);
    struct webshell_rules *r = rc ? NULL : calloc(1, sizeof(*r));
    if (!rc && !r)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc) {
        if (rules)
            yr_rules_destroy(rules);
        yr_finalize();
        return rc;
    }
    r->rules = rules;
    *out = r;
    return 0;
}

static pthread_once_t clam_once = PTHREAD_ONCE_INIT;
static cl_error_t clam_init_rc;

/* libclamav's messages go to our log, not straight to standard error. */
static void clam_msg(enum cl_msg severity, const char *fullmsg, const char *msg, void *ctx)
{
    (void)fullmsg;
    (void)ctx;
    size_t n = strcspn(msg, "\n");
    if (severity == CL_MSG_ERROR)
        log_warn("libclamav: %.*s", (int)n, msg);
    else
        log_debug("libclamav: %.*s", (int)n, msg);
}

static void clam_init(void)
{
    cl_set_clcb_msg(clam_msg);
    clam_init_rc = cl_init(CL_INIT_DEFAULT);
}

/* Whether dir holds ClamAV signature databases. */
static int has_clam_db(const char *dir)
{
    static const char *ext[] = {".cvd", ".cld", ".cud", ".hdb", ".hsb", ".ndb", ".ldb", ".yar"};
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *de; d && !found && (de = readdir(d));) {
        const char *dot = strrchr(de->d_name, '.');
        for (size_t i = 0; dot && !found && i < sizeof(ext) / sizeof(ext[0]); i++)
            found = strcmp(dot, ext[i]) == 0;
    }
    if (d)
        closedir(d);
    return found;
}

int webshell_use_clamav(struct webshell_rules *r, const char *dir, int required, struct err *e)
{
    if (!has_clam_db(dir))
        return required ? err_set(e, ERR_INPUT, "%s holds no ClamAV signature database", dir) : 0;
    pthread_once(&clam_once, clam_init);
    if (clam_init_rc != CL_SUCCESS)
        return err_set(e, ERR_INTERNAL, "cannot initialise libclamav: %s",
                       cl_strerror(clam_init_rc));
    struct cl_engine *eng = cl_engine_new();
    if (!eng)
        return err_set(e, ERR_NOMEM, "cannot create a ClamAV engine");
    unsigned sigs = 0;
    cl_error_t rc = cl_load(dir, eng, &sigs, CL_DB_STDOPT);
    if (rc == CL_SUCCESS && sigs == 0) {
        cl_engine_free(eng);
        return required ? err_set(e, ERR_INPUT, "%s holds no usable ClamAV signature", dir) : 0;
    }
    if (rc == CL_SUCCESS)
        rc = cl_engine_compile(eng);
    if (rc != CL_SUCCESS) {
        cl_engine_free(eng);
        return err_set(e, ERR_INPUT, "cannot load the ClamAV databases of %s: %s", dir,
                       cl_strerror(rc));
    }
    if (r->clam)
        cl_engine_free(r->clam);
    r->clam = eng;
    r->clam_sigs = sigs;
    log_info("webshell scanning with %u ClamAV signatures from %s", sigs, dir);
    return 0;
}

void webshell_free(struct webshell_rules *r)
{
    if (!r)
        return;
    if (r->clam)
        cl_engine_free(r->clam);
    yr_rules_destroy(r->rules);
    free(r);
    yr_finalize();
}

struct scan_ctx {
    struct webshell_result *out;
    const unsigned char *p;
    size_t n;
};

/* Up to 60 bytes either side of the match, within its line, escaped. */
static void excerpt(const unsigned char *p, size_t n, size_t off, size_t len, char *out, size_t cap)
{
    size_t a = off > 60 ? off - 60 : 0, b = off + len + 60 < n ? off + len + 60 : n;
    for (size_t i = off; i > a; i--)
        if (p[i - 1] == '\n') {
            a = i;
            break;
        }
    for (size_t i = off + len; i < b; i++)
        if (p[i] == '\n') {
            b = i;
            break;
        }
    /* Readable on one line: control bytes become spaces, bytes that are not
     * UTF-8 become '?'. */
    size_t o = 0;
    for (size_t i = a; i < b && o + 4 < cap;) {
        size_t k = 1;
        if (p[i] >= 0x80) {
            k = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
            if (i + k > b || !utf8_valid((const char *)p + i, k)) {
                out[o++] = '?';
                i++;
                continue;
            }
            memcpy(out + o, p + i, k);
            o += k;
        } else {
            out[o++] = p[i] < 0x20 || p[i] == 0x7f ? ' ' : (char)p[i];
        }
        i += k;
    }
    out[o] = 0;
}

/* libyara keeps its match records in an arena packed to 4 bytes, so reading
 * them (its own foreach macros included) is a misaligned access that x86
 * performs fine; the sanitizer is told so for this function only. */
__attribute__((no_sanitize("alignment"))) static int on_match(YR_SCAN_CONTEXT *context, int message,
                                                              void *data, void *user)
{
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    struct scan_ctx *c = user;
    YR_RULE *rule = data;
    if (c->out->n >= WEBSHELL_HITS_MAX)
        return CALLBACK_CONTINUE;
    struct webshell_hit *h = &c->out->hits[c->out->n++];
    memset(h, 0, sizeof(*h));
    snprintf(h->rule, sizeof(h->rule), "%s", rule->identifier);
    snprintf(h->technique, sizeof(h->technique), "signature");
    h->score = 100;
    YR_STRING *s;
    YR_MATCH *m;
    yr_rule_strings_foreach(rule, s)
    {
        yr_string_matches_foreach(context, s, m)
        {
            if (!h->excerpt[0] && m->offset >= 0 && (size_t)m->offset < c->n) {
                excerpt(c->p, c->n, (size_t)m->offset, (size_t)m->match_length, h->excerpt,
                        sizeof(h->excerpt));
                h->line = 1;
                for (size_t k = 0; k < (size_t)m->offset; k++)
                    h->line += c->p[k] == '\n';
            }
        }
    }
    return CALLBACK_CONTINUE;
}

static int is_script_name(const char *name)
{
    static const char *ext[] = {".php",  ".phtml", ".php3", ".php4", ".php5", ".php7", ".pht",
                                ".inc",  ".jsp",   ".jspx", ".jspf", ".asp",  ".aspx", ".ashx",
                                ".asmx", ".asa",   ".cer",  ".cdx",  ".shtml"};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

void webshell_explain(const struct webshell_result *r, char *out, size_t cap)
{
    if (!r->n) {
        snprintf(out, cap, "%s", "");
        return;
    }
    const struct webshell_hit *h = &r->hits[0];
    int k = snprintf(out, cap, "%s\nscore %d, %s, line %u: %s", h->rule, r->score, h->technique,
                     h->line, h->excerpt);
    if (k > 0 && (size_t)k < cap && h->decoded[0])
        k += snprintf(out + k, cap - (size_t)k, "; decoded: %s", h->decoded);
    if (k > 0 && (size_t)k < cap && h->taint[0])
        snprintf(out + k, cap - (size_t)k, "; taint: %s", h->taint);
}

int webshell_name_kind(const char *name)
{
    if (!is_script_name(name))
        return 0;
    return 1 + (int)wsa_lang_of(name);
}

static int is_blob_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=' || c == '\\' || c == '_' || c == '-';
}

/* Bits per byte, the longest run of the base64/hex alphabet (image data URIs
 * excepted: they are how pages inline pictures), and how well it compresses. */
static void content_stats(const unsigned char *p, size_t n, struct webshell_result *out)
{
    size_t run = 0, longest = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_blob_char(p[i])) {
            if (!run)
                start = i;
            run++;
        } else {
            size_t from = start > 48 ? start - 48 : 0;
            int data_uri = start >= 7 && memcmp(p + start - 7, "base64,", 7) == 0 &&
                           memmem(p + from, start - from, "data:image/", 11) != NULL;
            if (run > longest && !data_uri)
                longest = run;
            run = 0;
        }
    }
    if (run > longest)
        longest = run;
    out->entropy = text_entropy(p, n);
    out->longest_run = longest;
    out->compress_ratio = 1.0;
    size_t sample = n < (1u << 20) ? n : (1u << 20);
    size_t cap = ZSTD_compressBound(sample);
    void *dst = malloc(cap);
    if (dst && sample) {
        size_t k = ZSTD_compress(dst, cap, p, sample, 1);
        if (!ZSTD_isError(k))
            out->compress_ratio = (double)k / (double)sample;
    }
    free(dst);
}

/* The source analysis: its findings explain a file it names, and a file a
 * rule named gets them too. */
static void analyse_source(const char *name, const void *p, size_t n, struct webshell_result *out)
{
    enum wsa_lang lang = wsa_lang_of(name);
    if (lang == WSA_NONE)
        return;
    struct wsa_result *r = malloc(sizeof(*r));
    if (!r)
        return;
    wsa_analyse(lang, p, n, r);
    if (r->score > out->score)
        out->score = r->score;
    if (r->score >= WEBSHELL_THRESHOLD || out->n > 0)
        for (int k = 0; k < r->n && out->n < WEBSHELL_HITS_MAX; k++) {
            const struct wsa_finding *f = &r->f[k];
            struct webshell_hit *h = &out->hits[out->n++];
            memset(h, 0, sizeof(*h));
            snprintf(h->rule, sizeof(h->rule), "analysis:%s", f->technique);
            snprintf(h->technique, sizeof(h->technique), "%s", f->technique);
            snprintf(h->excerpt, sizeof(h->excerpt), "%s", f->detail);
            snprintf(h->decoded, sizeof(h->decoded), "%s", f->decoded);
            snprintf(h->taint, sizeof(h->taint), "%s", f->taint);
            h->score = f->score;
            h->line = f->line;
        }
    free(r);
}

#define STATS_MIN_RUN   2048
#define STATS_MIN_RATIO 0.55

int webshell_scan(const struct webshell_rules *r, const char *name, const void *p, size_t n,
                  struct webshell_result *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    struct scan_ctx c = {out, p, n};
    int rc = yr_rules_scan_mem(r->rules, p, n, SCAN_FLAGS_FAST_MODE, on_match, &c, 10);
    if (rc != ERROR_SUCCESS && rc != ERROR_SCAN_TIMEOUT)
        return err_set(e, ERR_INTERNAL, "YARA failed on %s (error %d)", name, rc);
    if (out->n)
        out->score = 100;
    if (r->clam && out->n < WEBSHELL_HITS_MAX && n > 0) {
        cl_fmap_t *map = cl_fmap_open_memory(p, n);
        const char *virname = NULL;
        unsigned long scanned = 0;
        struct cl_scan_options so = {.parse = ~0u};
        cl_error_t rc =
            map ? cl_scanmap_callback(map, name, &virname, &scanned, r->clam, &so, NULL) : CL_EMEM;
        if (map)
            cl_fmap_close(map);
        if (rc == CL_VIRUS && virname) {
            struct webshell_hit *h = &out->hits[out->n++];
            h->score = 100;
            out->score = 100;
            snprintf(h->technique, sizeof(h->technique), "signature");
            snprintf(h->rule, sizeof(h->rule), "clamav:%.50s", virname);
            snprintf(h->excerpt, sizeof(h->excerpt), "ClamAV signature %.100s", virname);
        }
    }
    if (!is_script_name(name) || n == 0)
        return 0;
    analyse_source(name, p, n, out);
    content_stats(p, n, out);
    /* A long unbroken encoded string that does not compress is a packed
     * payload: ordinary code, text in any language, and inlined images do not
     * look like that. */
    if (out->n < WEBSHELL_HITS_MAX && out->longest_run >= STATS_MIN_RUN &&
        out->compress_ratio >= STATS_MIN_RATIO && out->entropy >= 4.5) {
        struct webshell_hit *h = &out->hits[out->n++];
        h->score = 100;
        out->score = 100;
        snprintf(h->technique, sizeof(h->technique), "statistics");
        snprintf(h->rule, sizeof(h->rule), "stats_packed_payload");
        snprintf(h->excerpt, sizeof(h->excerpt),
                 "an unbroken encoded string of %zu bytes; entropy %.2f bits/byte, compresses to "
                 "%.0f%%",
                 out->longest_run, out->entropy, out->compress_ratio * 100);
    }
    return 0;
}
