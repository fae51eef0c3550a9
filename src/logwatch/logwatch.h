/*
 * logwatch — attack detection in web-server access logs. A line is parsed
 * (nginx/Apache combined and common, nginx JSON, any nginx log_format) into
 * fields; the request is normalised (URL-decoded, repeatedly and bounded,
 * %u and + forms, back-slashes and dot segments) so that encoded attacks are
 * seen; the signature rules, all in one Hyperscan database with PCRE2 to
 * confirm, run over it; behaviour detectors (brute force, scanning, floods)
 * watch each client over sliding windows; and hits are aggregated per rule
 * and client into detections, a scan of 50,000 requests being one detection
 * with a count.
 *
 * Depends on core only: detections leave as plain structs, so `tocsin
 * logscan` works with no database and `tocsin serve` hands the same
 * detections to intake.
 *
 * Ownership: parameters are borrowed; _new hands a heap object to the caller,
 * _free releases it (NULL does nothing). A compiled rule set is read-only and
 * may be shared by threads; a matcher and an analysis belong to one thread.
 */
#ifndef TOCSIN_LOGWATCH_H
#define TOCSIN_LOGWATCH_H

#include <stdint.h>

#include "../core/core.h"

#define LW_LINE_MAX      (64 * 1024) /* longer lines are skipped and counted */
#define LW_DECODE_ROUNDS 3           /* URL-decoding passes over a request */
#define LW_RULES_MAX     1024
#define LW_LINE_HITS_MAX 8    /* signature rules recorded per line */
#define LW_SAMPLES       3    /* sample lines kept per detection */
#define LW_SAMPLE_MAX    1024 /* bytes of a sample line kept */
#define LW_EXTRA_MAX     8    /* extra log_format fields kept per line */
#define LW_CLIENTS_MAX                                                                             \
    131072 /* clients watched at once by the behaviour detectors (a power of two) */

/* ---- access-log lines ---------------------------------------------------- */

enum lw_field {
    LW_CLIENT,
    LW_TIME,
    LW_METHOD,
    LW_URI,
    LW_PROTOCOL,
    LW_STATUS,
    LW_BYTES,
    LW_REFERER,
    LW_UA,
    LW_HOST,
    LW_NFIELDS
};

struct lw_span {
    const char *p; /* into the line or the caller's scratch; NULL when absent */
    size_t n;
};

struct lw_record {
    struct lw_span f[LW_NFIELDS];
    struct lw_span extra_name[LW_EXTRA_MAX], extra[LW_EXTRA_MAX];
    int nextra;
    int status;      /* 0 when absent */
    int64_t bytes;   /* -1 when absent */
    int64_t time_ms; /* 0 when absent or not a time */
};

/* A compiled log format: "auto" (per line: JSON when it starts with '{',
 * else combined, common accepted), "combined", "common", "json", or an
 * nginx log_format string ('$remote_addr - [$time_local] "$request" …'). */
struct lw_format;
int lw_format_new(const char *spec, struct lw_format **out, struct err *e);
void lw_format_free(struct lw_format *f);
/* Parses line[0..n) (without its newline) into r. JSON values with escapes
 * are unescaped into scratch, which must hold n bytes. ERR_INPUT (with the
 * reason in e) when the line does not fit the format. */
int lw_parse(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
             char *scratch, struct err *e);
/* "27/Nov/2026:08:00:00 +0800", ISO 8601, or epoch seconds with
 * fractions; 0 when it is none of them. */
int64_t lw_time_parse(const char *p, size_t n);

/* ---- normalising --------------------------------------------------------- */

/* Writes the normalised form of a request URI into out[0..cap): %XX and %uXXXX
 * decoded (up to LW_DECODE_ROUNDS times while anything changes), '+' as a
 * space, '\' as '/', repeated slashes and "/./" collapsed (".." is kept: it is
 * what traversal rules look for). Returns the length, or (size_t)-1 when the
 * input is already normal and out was not written. cap must be at least n. */
size_t lw_normalise(const char *p, size_t n, char *out, size_t cap);

/* ---- rules --------------------------------------------------------------- */

/* Where a rule's pattern looks. FIELD_PATH is the URI up to its '?'. */
enum lw_rule_field {
    LW_F_URI = 1 << 0,
    LW_F_PATH = 1 << 1,
    LW_F_UA = 1 << 2,
    LW_F_REFERER = 1 << 3,
    LW_F_METHOD = 1 << 4,
};

enum lw_severity { LW_LOW, LW_MEDIUM, LW_HIGH, LW_CRITICAL };
/* "low", "medium", "high", "critical". */
const char *lw_severity_name(int severity);

struct lw_rule {
    char id[64];        /* "sqli-union-select"; its class is the part before the first '-' */
    char category[64];  /* plan code, "network-attack/injection" */
    char pattern[1024]; /* Hyperscan syntax, matched caseless */
    char confirm[1024]; /* PCRE2, caseless, on the same field; "" when none */
    char description[256];
    unsigned fields;          /* LW_F_* */
    int severity;             /* enum lw_severity */
    int status_lo, status_hi; /* only lines with a status in [lo, hi]; 0, 0: any */
    int method_post;          /* only POST requests */
    int new_script;           /* only requests for a script the guard saw appear */
    char source[128];         /* file:line where it was defined, for messages */
};

struct lw_rules;
/* The built-in rules (rules/logwatch/, compiled into tocsin) and, when dir
 * is not NULL, every *.rules file in dir (a rule with a built-in id replaces
 * it), compiled into one database. */
int lw_rules_new(const char *dir, struct lw_rules **out, struct err *e);
void lw_rules_free(struct lw_rules *rs);
/* Where Debian's modsecurity-crs package puts the Core Rule Set. */
#define LW_CRS_DEFAULT "/usr/share/modsecurity-crs/rules"
/* Adds the Core Rule Set's attack rules of dir (REQUEST-921 … 944, see
 * docs/logwatch.md) up to paranoia level 1-4 to rs, as rules "crs-ID". A
 * rule or data file that cannot be read is named through warn (file, line,
 * reason) and left out; the others load. ERR_INPUT when dir holds no rule
 * that could be loaded. At most once per rule set. */
int lw_rules_add_crs(struct lw_rules *rs, const char *dir, int paranoia,
                     void (*warn)(void *ctx, const char *msg), void *ctx, struct err *e);
/* Parses rule text (the format of docs/logwatch.md) named name, appending
 * to v[0..*n) (at most cap). Compiles nothing. */
int lw_rules_parse(const char *name, const char *p, size_t len, struct lw_rule *v, size_t cap,
                   size_t *n, struct err *e);
size_t lw_rules_count(const struct lw_rules *rs);
const struct lw_rule *lw_rules_get(const struct lw_rules *rs, size_t i);

/* ---- matching (one per thread) ------------------------------------------- */

/* What one line gave the detectors: the parts they need, no copies. */
struct lw_line {
    const char *text; /* the raw line */
    uint32_t len;
    uint64_t number; /* from 1 across the input */
    int parsed;      /* 0: skipped (not the format, or too long) */
    struct lw_span client;
    int64_t time_ms;
    int status;
    int64_t bytes;
    uint64_t path_hash;   /* of the normalised path */
    uint64_t client_hash; /* of the client's address */
    uint8_t is_post, is_login;
    uint16_t nhits;
    uint16_t hits[LW_LINE_HITS_MAX]; /* rule indexes */
};

struct lw_matcher;
int lw_matcher_new(const struct lw_rules *rs, struct lw_matcher **out, struct err *e);
void lw_matcher_free(struct lw_matcher *m);
/* The usual sign-in paths of portals and OA systems, NULL-terminated. */
extern const char *const lw_default_login[];
/* Login paths for the brute-force detector ("/login", "/admin/login.php");
 * the path of a request must equal one, query ignored. Copied. */
int lw_matcher_set_login(struct lw_matcher *m, const char *const *paths, int n, struct err *e);
/* Scripts the guard saw appear, as URL paths ("/upload/x.php"). Copied. */
int lw_matcher_add_new_script(struct lw_matcher *m, const char *path, struct err *e);
/* Parses and matches one line into out (its fields point into line). */
void lw_match_line(struct lw_matcher *m, const struct lw_format *f, const char *line, size_t n,
                   uint64_t number, struct lw_line *out);
/* The same, except that the request may wait to be matched together with
 * others (one scan for many is several times cheaper): out is complete only
 * after lw_match_flush, and neither it nor line may move or change before,
 * nor the matcher's sign-in paths or new scripts. */
void lw_match_line_deferred(struct lw_matcher *m, const struct lw_format *f, const char *line,
                            size_t n, uint64_t number, struct lw_line *out);
void lw_match_flush(struct lw_matcher *m);

/* ---- behaviour and aggregation (one per input) ----------------------------- */

struct lw_settings {
    int window_s;       /* aggregation and detector window; default 300 */
    int brute_attempts; /* failed sign-ins or login POSTs per client per window; 20 */
    int scan_404;       /* 404s per client per minute ... 30 */
    int scan_paths;     /* ... over at least this many distinct paths; 20 */
    int flood_client;   /* requests per client per 10 s; 300 */
    int flood_factor;   /* all requests per minute above factor × learned normal; 10 */
    int flood_min;      /* ... and above this many per minute; 6000 */
    int tool_attacks;   /* lines with attack signatures per client per window: a tool; 10 */
    int tool_404;       /* ... or 404s per window over half as many distinct paths; 100 */
};
void lw_settings_default(struct lw_settings *s);

struct lw_detection {
    const struct lw_rule *rule; /* the rule, or a behaviour detector's own */
    char client[64];
    uint64_t count;
    int64_t first_ms, last_ms; /* log times (0 when the log has none) */
    uint64_t first_line;
    int possibly_successful; /* an attack answered 2xx with an unusual size */
    int nsamples;
    char *samples[LW_SAMPLES]; /* the first lines, each at most LW_SAMPLE_MAX bytes */
    uint64_t reported;         /* count when last reported (lw_analysis_reported) */
};

struct lw_analysis;
int lw_analysis_new(const struct lw_rules *rs, const struct lw_settings *s,
                    struct lw_analysis **out, struct err *e);
void lw_analysis_free(struct lw_analysis *a);
/* Takes one matched line, in input order. Returns the number of rules (the
 * line's signatures and the behaviour detectors it tripped) written to
 * rules[0..cap), for per-line output. */
int lw_analysis_add(struct lw_analysis *a, const struct lw_line *l, const struct lw_rule **rules,
                    int cap);
/* Lines seen and skipped so far. */
uint64_t lw_analysis_lines(const struct lw_analysis *a);
uint64_t lw_analysis_skipped(const struct lw_analysis *a);
/* The detections so far, worst first (severity, then count). The array is
 * the analysis's; valid until the next add or lw_analysis_reported. */
size_t lw_analysis_detections(struct lw_analysis *a, const struct lw_detection **out);
/* For a long-running tail: marks every detection reported at its current
 * count, and forgets those whose last hit is before before_ms (a later hit
 * of the same rule and client starts a new detection). */
void lw_analysis_reported(struct lw_analysis *a, int64_t before_ms);

/* ---- scanning files ------------------------------------------------------- */

/* Called for each line that tripped anything, in input order. */
typedef void (*lw_hit_fn)(void *ctx, const struct lw_line *l, const struct lw_rule *const *rules,
                          int n);

struct lw_scan_opts {
    const struct lw_rules *rules;
    const struct lw_format *format;
    const struct lw_settings *settings;
    const char *const *login;       /* NULL-terminated, or NULL */
    const char *const *new_scripts; /* URL paths the guard saw appear, NULL-terminated, or NULL */
    int workers;                    /* 0: one per core */
    lw_hit_fn on_hit;               /* may be NULL */
    void *ctx;
};

/* Reads path ("-": standard input; gzip is recognised by its magic) to its
 * end through the matchers and the analysis a. Corrupt gzip ends the file
 * with an error naming it, after everything before it was analysed. */
int lw_scan_file(const char *path, const struct lw_scan_opts *o, struct lw_analysis *a,
                 struct err *e);

/* ---- following a log being written ---------------------------------------- */

/* Where a tail stands in which file. */
struct lw_tail_pos {
    uint64_t dev, ino, offset;
    char head[33]; /* hash of the file's first 256 bytes, hex (inodes are reused) */
};

typedef void (*lw_line_fn)(void *ctx, const char *line, size_t n);

struct lw_tail;
/* Follows path from position `from` (NULL: from the start of whatever file
 * is there). Nothing is opened until the first poll. */
int lw_tail_open(const char *path, const struct lw_tail_pos *from, struct lw_tail **out,
                 struct err *e);
void lw_tail_free(struct lw_tail *t);
/* Before the first poll: when the stored file was rotated to path.1 while
 * nobody followed it, reads the rest of it. */
int lw_tail_catch_up(struct lw_tail *t, lw_line_fn fn, void *ctx, uint64_t *lines, struct err *e);
/* Hands every complete line written since the last poll to fn; follows a
 * rotation (after the old file's last line), a truncation, a file that
 * appears late. *lines counts them. */
int lw_tail_poll(struct lw_tail *t, lw_line_fn fn, void *ctx, uint64_t *lines, struct err *e);
/* The position after the last line handed over: what to store. */
void lw_tail_committed(const struct lw_tail *t, struct lw_tail_pos *out);

#endif
