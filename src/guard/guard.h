/*
 * guard — web-root protection: an integrity baseline of a directory tree, the
 * scan that compares a tree with it, the real-time guard that puts back what
 * was changed without authorisation, and webshell scanning.
 *
 * Depends on core and the object store only (no database): events leave
 * through a callback as plain structs, so `tocsin scan` and `tocsin guard`
 * work alone and `tocsin serve` hands the same events to intake.
 *
 * Paths inside a baseline are relative to its root ("." is the root itself),
 * raw bytes as the file system has them (not always UTF-8). Everything that
 * touches the tree goes through fs_open_beneath: no symlink is followed,
 * nothing outside the root is ever opened.
 *
 * Ownership: a struct baseline owns its entries and their paths
 * (baseline_free); changes point into the two baselines they compare.
 */
#ifndef TOCSIN_GUARD_H
#define TOCSIN_GUARD_H

#include <stdint.h>
#include <sys/types.h>

#include "../core/core.h"
#include "../store/store.h"

#define GUARD_PATH_MAX    4096
#define GUARD_ENTRIES_MAX 50000000u /* refused beyond, in a tree or a baseline file */
#define GUARD_DEPTH_MAX   256
#define GUARD_ESC_MAX     (GUARD_PATH_MAX * 3 + 64) /* an escaped path */

enum gtype { GT_FILE = 'f', GT_DIR = 'd', GT_LINK = 'l', GT_OTHER = 'o' };

struct gentry {
    const char *path; /* relative, NUL-terminated; "." for the root */
    uint32_t path_len;
    char type;     /* enum gtype */
    uint8_t dirty; /* scan: content must be (re)read */
    uint8_t has_sha;
    uint32_t mode; /* permission bits, 07777 */
    uint32_t uid, gid;
    uint64_t size, ino, nlink;
    int64_t mtime_ns, ctime_ns;
    unsigned char sha[SHA256_LEN]; /* file content, or a symlink's target */
};

struct baseline {
    char root[GUARD_PATH_MAX]; /* absolute, as given when it was made */
    struct gentry *v;          /* sorted by path (bytewise), no duplicates */
    size_t n, cap;
    struct path_arena *arena; /* owns the paths */
};

void baseline_init(struct baseline *b);
void baseline_free(struct baseline *b);
/* Appends a copy of e with its path copied; keeps no order (baseline_sort). */
int baseline_add(struct baseline *b, const struct gentry *e, struct err *err);
void baseline_sort(struct baseline *b);
/* Moves every entry of the nsrc baselines src[] (and the memory of their
 * paths) to dst, in order: dst and each of src must be sorted already and
 * hold no path twice. */
int baseline_merge(struct baseline *dst, struct baseline *const *src, size_t nsrc, struct err *e);
/* The entry for path, or NULL. */
struct gentry *baseline_find(const struct baseline *b, const char *path);

/* The baseline file: text, one entry per line, paths escaped, ending with a
 * line that counts the entries and carries the SHA-256 of everything above
 * it, so that a truncated or altered file is refused with the reason. */
int baseline_write(const struct baseline *b, const char *file, struct err *e);
int baseline_parse(struct baseline *b, const char *name, const char *p, size_t n, struct err *e);
int baseline_read(struct baseline *b, const char *file, struct err *e);

/* Paths for people and JSON: bytes below 0x20, 0x7f, '%' and bytes that are
 * not UTF-8 become %XX; everything else is kept. Always valid UTF-8. */
void guard_escape(const char *p, size_t n, struct buf *out);
/* The reverse; -1 on a malformed escape. */
int guard_unescape(const char *p, size_t n, char *out, size_t cap, size_t *len);

/* Keeps g in the baseline in path order, replacing an entry of the same path;
 * baseline_remove drops path and everything beneath it. Pointers into b->v
 * do not survive either. */
int baseline_set(struct baseline *b, const struct gentry *g, struct err *e);
void baseline_remove(struct baseline *b, const char *path);

/* ---- the tree ---------------------------------------------------------- */

/* Refuses "/" and system directories, resolves root to an absolute path
 * without symlinks, and opens it. */
int guard_root_open(const char *dir, char *abs, size_t cap, int *fd, struct err *e);

struct scan_opts {
    int full;                        /* re-read every file, even unchanged ones */
    int workers;                     /* hashing threads; 0: one per core */
    int progress;                    /* draw a progress bar on standard error */
    const struct objstore *objects;  /* keep every file's content here, or NULL */
    uint64_t max_file;               /* larger files are hashed but not kept */
    const struct baseline *previous; /* reuse hashes of files whose stat is unchanged */
    /* Instead of previous: the baseline file to read, on a thread of its own
     * while the tree is walked, into *previous_out (filled only when
     * guard_scan succeeds; baseline_free it). */
    const char *previous_file;
    struct baseline *previous_out;
};

struct scan_stats {
    uint64_t entries, files, hashed, bytes_hashed, unreadable, skipped;
};

/* Walks root_fd (opened by guard_root_open) into out, hashing files. */
int guard_scan(int root_fd, const char *root, const struct scan_opts *o, struct baseline *out,
               struct scan_stats *stats, struct err *e);
/* Fills g (whose path is set) from what the path is now, without reading a
 * file's content; -1 with errno (ENOENT: gone). */
int guard_restat(int root_fd, struct gentry *g);
/* Hashes one regular file beneath root, storing it when objects is given;
 * fills the entry's stat fields from the open file. */
int guard_hash_file(int root_fd, struct gentry *g, const struct objstore *objects,
                    uint64_t max_file, struct err *e);

/* ---- comparing --------------------------------------------------------- */

enum gchange_kind {
    GC_ADDED = 1,
    GC_REMOVED = 2,
    GC_CONTENT = 4,
    GC_MODE = 8,
    GC_OWNER = 16,
    GC_TYPE = 32,
    GC_LINKS = 64 /* more hard links than in the baseline */
};

struct gchange {
    unsigned kinds;           /* enum gchange_kind bits */
    const struct gentry *was; /* NULL when added */
    const struct gentry *now; /* NULL when removed */
};

struct gchanges {
    struct gchange *v;
    size_t n, cap;
};

int guard_compare(const struct baseline *was, const struct baseline *now, struct gchanges *out,
                  struct err *e);
void gchanges_free(struct gchanges *c);
/* "content,mode" for the change bits. */
void gchange_kinds(unsigned kinds, char *out, size_t cap);
/* The changed entry (after, or before when removed), its escaped path
 * appended to path (buf_init'ed with GUARD_ESC_MAX) and its kinds in kinds. */
const struct gentry *gchange_describe(const struct gchange *c, struct buf *path, char *kinds,
                                      size_t cap);
/* One change as JSON: {path, change, before, after}. */
json_t *gchange_json(const struct gchange *c);
json_t *gentry_json(const struct gentry *g);

/* ---- webshells --------------------------------------------------------- */

struct webshell_rules;

/* The rules shipped in rules/webshell (compiled in) plus every *.yar file of
 * extra_dir when given. */
int webshell_load(struct webshell_rules **out, const char *extra_dir, struct err *e);
void webshell_free(struct webshell_rules *r);
/* Adds ClamAV's signatures from the databases in dir (freshclam's
 * /var/lib/clamav, or a directory of one's own .hdb/.ndb/.ldb files). A dir
 * without databases is skipped, or refused when required. */
#define WEBSHELL_CLAMAV_DIR "/var/lib/clamav"
int webshell_use_clamav(struct webshell_rules *r, const char *dir, int required, struct err *e);

#define WEBSHELL_HITS_MAX 8

/* One reason a file is named: a YARA rule, a ClamAV signature, the packed-
 * payload statistic, or a technique the source analysis found (src/guard/wsa.h). */
struct webshell_hit {
    char rule[64];      /* the rule, or "analysis:" and the technique */
    char excerpt[160];  /* escaped, around the match, or what the analysis saw */
    int score;          /* 0..100: 100 for rules and signatures */
    char technique[40]; /* "signature" for rules, else the analysis's technique */
    unsigned line;      /* 1-based, 0 when not known */
    char decoded[160];  /* what a folded or decoded value came to, or "" */
    char taint[200];    /* request input → sink, or "" */
};

struct webshell_result {
    struct webshell_hit hits[WEBSHELL_HITS_MAX];
    int n;
    int score; /* the file's: 100 with any rule, else the analysis's */
    /* content statistics, the second signal */
    double entropy;        /* bits per byte */
    size_t longest_run;    /* longest run of base64/hex alphabet characters */
    double compress_ratio; /* compressed / original */
};

/* Scans one buffer; name decides whether the statistics and the source
 * analysis apply (server-side script files only). A file is named (n > 0)
 * when a rule matches or its analysis scores WEBSHELL_THRESHOLD or more.
 * Thread-safe for one rules object. */
#define WEBSHELL_THRESHOLD 60
/* What webshell_scan's result depends on in a file's name: 0 for files that
 * are not server-side scripts, else the script's language (1..4). */
int webshell_name_kind(const char *name);
int webshell_scan(const struct webshell_rules *r, const char *name, const void *p, size_t n,
                  struct webshell_result *out, struct err *e);
/* A named file's first rule, a newline, and one line saying why (the file's
 * score and its best finding with line, decoded value and taint path), as the
 * guard's events carry them. */
#define WEBSHELL_WHY_MAX 640
void webshell_explain(const struct webshell_result *r, char *out, size_t cap);

/* ---- the real-time guard ----------------------------------------------- */

enum guard_mode { GUARD_RESTORE, GUARD_ALERT_ONLY, GUARD_LOCK };

int guard_mode_parse(const char *s, enum guard_mode *out);
const char *guard_mode_name(enum guard_mode m);

/* What the guard saw and did, handed to the caller's callback. */
struct guard_event {
    const char *root;
    const char *path;          /* relative, raw bytes */
    const char *category;      /* plan code: information-destruction/tampering, … */
    const char *action;        /* "restored", "removed", "alerted", "accepted", "refused" */
    unsigned kinds;            /* enum gchange_kind */
    const char *before_sha;    /* hex or "" */
    const char *after_sha;     /* hex or "": the changed version, kept as evidence */
    const char *webshell_rule; /* the first rule that matched an added file, or NULL */
    const char *webshell_why;  /* why: score, technique, line, decoded, taint; or NULL */
    const char *process;       /* lock mode: who was refused, or NULL */
    int64_t detected_ms;       /* when the guard saw it */
    int64_t latency_us;        /* from seeing it to having put it back; -1 when not restored */
};

typedef void (*guard_event_fn)(void *ctx, const struct guard_event *ev);

struct guard_opts {
    const char *data_dir; /* state: <data>/guard/<id>/, objects: <data>/objects */
    enum guard_mode mode;
    int recheck_s;         /* full stat re-check every so many seconds (0: 300) */
    uint64_t max_file;     /* files larger than this are not kept (0: 100 MiB) */
    const char *allow[16]; /* lock mode: executables allowed to write */
    int nallow;
    const char *rules_dir;  /* extra webshell rules, or NULL */
    const char *clamav_dir; /* ClamAV databases (NULL: /var/lib/clamav when present) */
    guard_event_fn on_event;
    void *ctx;
};

struct guard;

/* Opens the guard for one directory: loads or (on first start) makes its
 * baseline and protected copies. */
int guard_open(struct guard **out, const char *dir, const struct guard_opts *o, struct err *e);
void guard_close(struct guard *g);
/* Compares the tree with the baseline and handles what changed while the
 * guard was away, then watches until guard_stop or an error. */
int guard_run(struct guard *g, struct err *e);
/* From any thread or a signal handler. */
void guard_stop(struct guard *g);
/* Watches a set of guards on this thread until stop_fd is readable. */
int guard_run_many(struct guard **gs, int n, int stop_fd, struct err *e);

/* ---- control: accept and publish (the state directory of a guarded root) */

/* The state directory of a guarded root: <data>/guard/<16 hex of the root's
 * SHA-256>, holding its baseline, lock, publishing window and requests. */
int guard_state_dir(const char *data_dir, const char *root, char *out, size_t cap, int create,
                    struct err *e);
/* Finds the guard state of the root containing path (absolute), writing the
 * state directory and the path relative to the root. */
int guard_locate(const char *data_dir, const char *path, char *state, size_t state_cap, char *rel,
                 size_t rel_cap, struct err *e);
/* Takes the current content of rel into the root's baseline: through the
 * running guard when there is one, else directly. */
int guard_accept(const char *data_dir, const char *state, const char **rels, int n,
                 const char *actor, struct err *e);
/* Opens a publishing window on the root until until_ms. */
int guard_publish(const char *state, int64_t until_ms, const char *actor, struct err *e);

#endif
