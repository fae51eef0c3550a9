/*
 * probe — website monitoring from outside: fetching a page (status, redirect
 * chain, timings, certificate, the address it came from), decoding its
 * character set to UTF-8, and analysing it for what government portals
 * actually suffer: tampering against a learned baseline, hidden links (暗链),
 * cloaking for search engines, malicious code (挂马), harmful words and
 * exposed personal data. Every finding carries the plan's category code.
 *
 * The analysis depends on core only: findings leave as plain structs, so
 * `tocsin check` works with no database, and `tocsin serve` hands the same
 * findings to intake. The monitors' rows and settings (monitors.c) are kept
 * in the store, read and written by the monitor commands, serve and the web
 * interface alike.
 *
 * Ownership: parameters are borrowed; _new hands a heap object to the caller,
 * _free releases it (NULL does nothing). A word list is read-only once built
 * and may be shared by threads; a scanner (probe_words_scratch) belongs to one.
 */
#ifndef TOCSIN_PROBE_H
#define TOCSIN_PROBE_H

#include <stdint.h>

#include "../core/core.h"
#include "../store/store.h"

#define PROBE_BODY_MAX      (5 * 1024 * 1024) /* default bound of a body, decoded */
#define PROBE_ANALYSE_MAX   (2 * 1024 * 1024) /* bytes of HTML analysed; the rest is cut */
#define PROBE_DEPTH_MAX     400               /* element nesting analysed */
#define PROBE_REDIRECTS_MAX 5
#define PROBE_FINDINGS_MAX  64
#define PROBE_ALLOW_MAX     32

enum probe_severity { PROBE_LOW = 1, PROBE_MEDIUM, PROBE_HIGH };

struct probe_finding {
    char code[64];     /* the plan's category/sub-category */
    char kind[32];     /* what was found: "hidden-links", "defacement", "script-source", … */
    char key[160];     /* what makes it this finding (a domain, a word): for fingerprints */
    char message[256]; /* for people */
    char excerpt[512]; /* the evidence, UTF-8 */
    int severity;      /* enum probe_severity */
};

struct probe_findings {
    struct probe_finding v[PROBE_FINDINGS_MAX];
    int n;
    int dropped; /* findings past the bound */
};

/* Adds a finding (the strings are cut to fit, at a UTF-8 boundary). */
void probe_add(struct probe_findings *f, const char *code, const char *kind, int severity,
               const char *key, const char *excerpt, const char *fmt, ...) PRINTF_LIKE(7, 8);
int probe_has(const struct probe_findings *f, const char *kind);

/* ---- character sets ------------------------------------------------------ */

/* The page's character set, as an iconv name: from the Content-Type header,
 * else a byte-order mark, else <meta> in the first 4 KiB, else UTF-8 when the
 * body is valid UTF-8 and GB18030 when not. GB2312 and GBK are read as
 * GB18030 (their superset), Big5 as BIG5-HKSCS. */
void probe_charset(const char *content_type, const char *body, size_t n, char out[32]);
/* Converts body to UTF-8 into out (bounded by out's max); bytes that are not
 * valid in the charset become U+FFFD and are counted in *bad. An unknown
 * charset is read as UTF-8 (and reported through *bad as well). */
int probe_to_utf8(const char *charset, const char *body, size_t n, struct buf *out, size_t *bad,
                  struct err *e);

/* ---- words --------------------------------------------------------------- */

/* A list of harmful words and regular expressions (one per line, "re:" for a
 * regex, "#" for comments), compiled into one Hyperscan database. Matching
 * runs over normalised text: full-width forms folded, traditional characters
 * folded to simplified (OpenCC), spaces and symbols removed. */
struct probe_words;
/* text[0..n) named `name` in messages. */
struct probe_words *probe_words_new(const char *name, const char *text, size_t n, struct err *e);
/* The sample list that ships with tocsin. */
struct probe_words *probe_words_builtin(struct err *e);
void probe_words_free(struct probe_words *w);
int probe_words_count(const struct probe_words *w);
/* Calls fn for every entry matched in text[0..n) (UTF-8), at most once per
 * entry, with the entry and the matched text's context (from the normalised
 * text). Returns the number of entries matched, negative on error. */
int probe_words_scan(const struct probe_words *w, const char *text, size_t n,
                     void (*fn)(void *ctx, const char *entry, const char *context), void *ctx);
/* Several lists over one normalisation of the text: list k's entries go to
 * to[k]. Returns the number of entries matched in all. */
struct probe_words_hit {
    void (*fn)(void *ctx, const char *entry, const char *context);
    void *ctx;
};
int probe_words_scan_lists(const struct probe_words *const *lists, int nlists, const char *text,
                           size_t n, const struct probe_words_hit *to);
/* Text normalised as probe_words_scan sees it (for tests and evidence). */
int probe_words_normalise(const char *text, size_t n, struct buf *out);

/* ---- personal data ------------------------------------------------------- */

/* 1 when s[0..18) is a mainland resident ID number: a plausible birth date
 * and a valid ISO 7064 check digit. */
int probe_is_resident_id(const char *s);
/* Scans text for resident ID numbers and mobile numbers and adds one finding
 * per kind, masked. */
void probe_pii_scan(const char *text, size_t n, struct probe_findings *f);

/* ---- page analysis --------------------------------------------------------- */

/* What a page is, for comparing one fetch with another. */
struct probe_print;
struct probe_print *probe_print_new(void);
void probe_print_free(struct probe_print *p);
/* Similarity of two prints in [0,1]: visible text blocks weighted by their
 * length, numbers ignored (dates, counters). */
double probe_print_similarity(const struct probe_print *a, const struct probe_print *b);

struct probe_page_opts {
    const char *url;                    /* the page's address: what counts as its own site */
    const char *allow[PROBE_ALLOW_MAX]; /* further domains allowed to serve scripts, frames */
    int nallow;
    const struct probe_words *words; /* NULL: no harmful-word scan */
};

/* Analyses html[0..n) (UTF-8, cut at PROBE_ANALYSE_MAX and PROBE_DEPTH_MAX)
 * and adds what it finds to f. The page's print goes to *print when print is
 * not NULL. */
int probe_page_analyse(const char *html, size_t n, const struct probe_page_opts *o,
                       struct probe_findings *f, struct probe_print **print, struct err *e);

/* ---- baselines --------------------------------------------------------------- */

/* What the page looked like: learned from the first fetches, where blocks
 * that change between them are marked as the page's normal churn. */
struct probe_baseline;
struct probe_baseline *probe_baseline_new(void);
void probe_baseline_free(struct probe_baseline *b);
/* Adds a fetch to the baseline (the first sets it; later ones mark churn). */
void probe_baseline_learn(struct probe_baseline *b, const struct probe_print *p);
int probe_baseline_fetches(const struct probe_baseline *b);
/* Compares a page with the baseline: a changed title, a replaced page, an
 * injected block, new script or frame sources. */
void probe_baseline_compare(const struct probe_baseline *b, const struct probe_print *p,
                            struct probe_findings *f);
/* JSON text form, for a file or the database. */
int probe_baseline_save(const struct probe_baseline *b, struct buf *out);
struct probe_baseline *probe_baseline_load(const char *name, const char *text, size_t n,
                                           struct err *e);

/* ---- fetching ------------------------------------------------------------------ */

struct probe_target {
    const char *url;
    const char *user_agent; /* NULL: tocsin's own browser-like agent */
    const char *referer;    /* NULL: none */
    int64_t timeout_ms;
    size_t body_max;     /* decoded bytes kept; more is an error */
    const char *ca_file; /* NULL: the system's */
};

struct probe_hop {
    int status;
    char location[512];
};

struct probe_fetch {
    int ok;           /* a complete response arrived */
    char error[256];  /* why not */
    char detail[256]; /* curl's own words for the failure */
    int is_refused;   /* connection refused, DNS failure, timeout: the site is unreachable */
    int status;
    struct probe_hop hops[PROBE_REDIRECTS_MAX + 1];
    int nhops; /* responses seen, the last one final */
    char final_url[1024];
    char primary_ip[64];
    char content_type[128];
    char headers[4096];    /* the final response's header lines, cut at the bound */
    char dns_answers[512]; /* every address the name resolved to, comma-separated; "" unasked */
    int64_t dns_us, connect_us, tls_us, ttfb_us, total_us;
    int has_cert;
    int64_t cert_expiry_ms; /* notAfter of the site's certificate */
    char cert_error[256];   /* verification failed: why ("" when it passed) */
    struct buf body;        /* as received, decompressed */
};

/* Prepares an easy handle (CURL *) for t into f, for curl_multi or
 * curl_easy_perform; f must stay put until probe_fetch_finish. */
void probe_fetch_init(struct probe_fetch *f, size_t body_max);
void probe_fetch_release(struct probe_fetch *f);
void *probe_fetch_handle(struct probe_fetch *f, const struct probe_target *t, struct err *e);
/* Reads the outcome (curl's result code) from the handle and frees it. */
void probe_fetch_finish(struct probe_fetch *f, void *handle, int curl_code);
/* After a fetch failed on the certificate: keeps why in cert_error (and the
 * resolver's answers) and clears the rest, so that the next handle fetches
 * without verifying. */
void probe_fetch_unverified(struct probe_fetch *f);
/* Both at once, blocking (with the unverified second try when needed). */
int probe_fetch(const struct probe_target *t, struct probe_fetch *f, struct err *e);
/* n (at most 16) fetches at once, blocking: t[i] into f[i] (initialised). */
int probe_fetch_many(const struct probe_target *t, struct probe_fetch *f, int n, struct err *e);
/* Every address the URL's host resolves to, comma-separated, into out (an
 * address literal resolves to itself); blocking. "" when it does not resolve. */
void probe_resolve(const char *url, char *out, size_t cap);
/* The same from a getaddrinfo result (struct addrinfo *). */
void probe_answers(const void *addrinfo, char *out, size_t cap);

/* ---- checks -------------------------------------------------------------------- */

struct probe_check {
    const char *url;
    const char *asset;      /* may be NULL */
    int expect_status;      /* 0: any 2xx */
    const char *keyword;    /* must appear in the page's text; NULL: none */
    const char *expect_ips; /* comma-separated addresses the name must resolve to; NULL: any */
    int cert_warn_days;     /* certificate expiring within this many days is a finding */
    struct probe_page_opts page;
    const struct probe_baseline *baseline; /* NULL: none */
    int skip_page; /* the body is the one analysed last time: judge the transport only */
};

/* Judges one fetch: reachability, status, keyword, certificate, address, and
 * the page's analysis. The print goes to *print for HTML pages. */
void probe_check_judge(const struct probe_check *c, struct probe_fetch *fe,
                       struct probe_findings *f, struct probe_print **print);
/* Compares a plain fetch's print with one made as a crawler or a visitor from
 * a search result: a material difference is cloaking. `as` names the variant. */
void probe_check_cloaking(const char *as, const struct probe_fetch *plain,
                          const struct probe_print *pp, const struct probe_fetch *variant,
                          const struct probe_print *vp, struct probe_findings *f);

/* Cloaking is checked with the page fetched as variants: 1…PROBE_CRAWLERS
 * a search engine's crawler (Baiduspider, Sogou, 360Spider, Googlebot), then
 * a visitor arriving from a Baidu search; 0 is the plain fetch. */
#define PROBE_CRAWLERS 4
#define PROBE_VARIANTS (PROBE_CRAWLERS + 1)
/* t as variant v sees it (its agent or referer). */
struct probe_target probe_variant_target(const struct probe_target *t, int v);
/* Who fetches as variant v. */
const char *probe_variant_name(int v);
/* 1 when two fetches got the same page at the same address: nothing to compare. */
int probe_same_page(const struct probe_fetch *a, const struct probe_fetch *b);

/* ---- the monitors' scheduler ------------------------------------------------------- */

/* Runs checks on a libuv loop (uv_loop_t *) with libcurl's multi interface;
 * each result is handed to the callback on the loop's thread. variant is 0
 * for a plain fetch, 1…PROBE_CRAWLERS for a crawler's, and one more for
 * a visitor from a search result. The fetch is released after the callback. */
struct probe_sched;
struct sched_monitor;
typedef void (*probe_sched_result_fn)(void *ctx, int64_t id, void *user, int variant,
                                      struct probe_fetch *f);
struct probe_sched *probe_sched_new(void *loop, size_t body_max, int per_host,
                                    probe_sched_result_fn on_result, void *ctx, struct err *e);
/* The first run after first_ms (negative: a random point of the interval).
 * With resolve set, each plain check first asks the resolver for every
 * address of the host (into the fetch's dns_answers), on libuv's threads. */
struct sched_monitor *probe_sched_add(struct probe_sched *s, int64_t id, const char *url,
                                      int64_t interval_ms, int64_t timeout_ms, int64_t first_ms,
                                      int resolve, void *user);
/* The next run after delay_ms instead of the interval (a retry). */
void probe_sched_soon(struct sched_monitor *m, int64_t delay_ms);
/* Fetches the page as a crawler or search visitor now; ERR_CONFLICT while busy. */
int probe_sched_variant(struct sched_monitor *m, int variant);
void probe_sched_remove(struct sched_monitor *m);
/* Stops everything; the caller has closed its own handles on the loop. */
void probe_sched_free(struct probe_sched *s);

/* A finding as JSON: category, kind, severity, message, excerpt, key. */
json_t *probe_finding_json(const struct probe_finding *f);
const char *probe_severity_name(int severity);

/* ---- the monitors table (monitors.c) --------------------------------------- */

struct monitor_conf {
    int64_t id;
    char url[2048];
    char asset[128];
    int64_t interval_s, timeout_s, retries, expect_status;
    char keyword[256];
    char allow[1024];
    char words_file[1024];
    char expect_ips[512];
    int cloak, enabled;
    int64_t learn; /* fetches still to learn the baseline from */
    char state[16];
    int64_t fails, down_since, last_check;
    char page_sha[SHA256_HEX_LEN];
    int64_t updated_at;
};

int monitor_get(struct store *st, int64_t id, struct monitor_conf *m, struct err *e);
int monitor_each(struct store *st, int (*fn)(void *, const struct monitor_conf *), void *ctx,
                 struct err *e);

/* A monitor's settings as people give them: a NULL text and -1 leave a
 * setting as it is (edit) or take its default (add: every 60 s, timeout
 * 10 s, 2 retries, any success status, cloaking checked, enabled). allow and
 * expect_ips are lists separated by commas or spaces; words_file is an
 * absolute path ("" for the built-in list). */
struct monitor_set {
    const char *url, *asset, *keyword, *allow, *words_file, *expect_ips;
    int64_t interval_s, timeout_s, retries, expect_status;
    int cloak, enabled; /* 1, 0 or -1 */
    int relearn;        /* learn the page's baseline again (edit) */
};
#define MONITOR_SET_INIT                                                                           \
    {                                                                                              \
        .interval_s = -1, .timeout_s = -1, .retries = -1, .expect_status = -1, .cloak = -1,        \
        .enabled = -1                                                                              \
    }

/* ERR_INPUT naming what is wrong; is_add needs the URL. */
int monitor_set_check(const struct monitor_set *s, int is_add, struct err *e);
/* Each checks the settings and writes them with their audit record
 * (monitor.add, monitor.edit or monitor.relearn, monitor.rm by actor) in one
 * transaction; tocsin serve picks the change up within seconds. */
int monitor_add(struct store *st, const char *actor, const struct monitor_set *s, int64_t *id,
                struct err *e);
int monitor_edit(struct store *st, const char *actor, int64_t id, const struct monitor_set *s,
                 struct err *e);
/* url (2048 bytes, may be NULL) receives the removed monitor's URL. */
int monitor_remove(struct store *st, const char *actor, int64_t id, char url[2048], struct err *e);

#endif
