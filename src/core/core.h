/*
 * core — the few things every other part of tocsin stands on: errors, bounded
 * buffers, logging, time, file helpers, the configuration file and JSON helpers.
 * It knows no domain words.
 *
 * Ownership: parameters are borrowed. Functions named _new/_dup/_take hand
 * ownership to the caller; _init/_release manage storage the caller owns.
 * Functions that can fail return 0 or a negative ERR_* code and fill the
 * optional struct err passed last.
 */
#ifndef TOCSIN_CORE_H
#define TOCSIN_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define TOCSIN_VERSION "0.1.0"

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* ---- errors ---------------------------------------------------------- */

enum err_code {
    ERR_OK = 0,
    ERR_NOMEM = -1,     /* out of memory */
    ERR_IO = -2,        /* the operating system refused or failed */
    ERR_INPUT = -3,     /* outside data (file, request, argument value) is malformed */
    ERR_USAGE = -4,     /* the command line or call is wrong */
    ERR_NOTFOUND = -5,  /* a named thing does not exist */
    ERR_EXISTS = -6,    /* it exists already */
    ERR_DAMAGED = -7,   /* stored data fails its integrity check */
    ERR_VERSION = -8,   /* stored data is from a newer tocsin */
    ERR_DB = -9,        /* the database failed */
    ERR_DENIED = -10,   /* the acting user's role does not allow it */
    ERR_CONFLICT = -11, /* not allowed in the current state */
    ERR_TOOBIG = -12,   /* a size bound was reached */
    ERR_INTERNAL = -13, /* a bug or an unexpected library failure */
    ERR_MALFORMED = -14 /* a request is not well-formed (bad JSON, wrong types) */
};

struct err {
    int code;      /* one of ERR_*, 0 when nothing failed */
    char msg[512]; /* what failed first, naming the input */
};

/* Records code and message in e (when e is not NULL and holds no earlier error)
 * and returns code, so that callers can write `return err_set(e, ...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Like err_set, but appends ": strerror(errnum)". */
int err_errno(struct err *e, int code, int errnum, const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Replaces any earlier message; for adding context at a higher level. */
int err_reset(struct err *e, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
void err_clear(struct err *e);
const char *err_code_name(int code);
/* The process exit status for an error code: 0 for ERR_OK, else 2. */
int err_exit_status(int code);

/* ---- bounded buffers --------------------------------------------------- */

/* A growable byte string, always NUL-terminated once anything was added.
 * `max` bounds its length: an add that would pass it releases the buffer and
 * fails with ERR_TOOBIG, so a hostile input can never grow it further. */
struct buf {
    char *p;    /* the bytes, or NULL while empty */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the largest len allowed */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* empty, keeping the memory */
/* Makes room for n more bytes, so that adds up to that many do not reallocate. */
int buf_reserve(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* The contents as a C string ("" when empty). */
const char *buf_str(const struct buf *b);
/* Hands the bytes to the caller (never NULL on success) and empties b. */
char *buf_take(struct buf *b);

/* Maps in the pages of a large block just allocated (n bytes at p) in one
 * system call, in huge pages where the kernel allows them, instead of one
 * page fault per 4 KiB at first touch: in a virtual machine each fault is
 * an exit to the hypervisor. Only advice; smaller blocks are left alone. */
void mem_prefault(void *p, size_t n);

/* ---- logging ---------------------------------------------------------- */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
void log_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* ---- time ------------------------------------------------------------- */

/* Milliseconds since the epoch, UTC. Tests inject a clock with
 * time_set_clock(); NULL restores the real one. */
int64_t time_now_ms(void);
void time_set_clock(int64_t (*clock_ms)(void));
/* "2026-11-27T03:29:10.123Z"; out must hold TIME_ISO_LEN bytes. */
#define TIME_ISO_LEN 64
void time_format_utc(int64_t ms, char out[TIME_ISO_LEN]);
/* Local time in the process's time zone (TZ), "2026-11-27 11:29:10". */
void time_format_local(int64_t ms, char out[TIME_ISO_LEN]);
/* Parses the format of time_format_utc (milliseconds optional), and RFC 3339
 * generally: any fraction digits, "Z" or an offset such as +08:00. */
int time_parse_utc(const char *s, int64_t *out_ms, struct err *e);
/* A calendar year given as text ("2026") into *out, or, when s is NULL, the
 * present year in the process's time zone; ERR_INPUT naming what for other text. */
int time_year(const char *what, const char *s, int *out, struct err *e);
/* The first millisecond of a month of year in the process's time zone;
 * month counts from 0 and may run past 11 (12: the next January). */
int64_t time_month_start(int year, int month);
/* Checks a time-zone name (e.g. "Asia/Shanghai") against the system's zone
 * database, refusing anything that is not a plain zone name. */
int time_zone_check(const char *name, struct err *e);

/* ---- files ------------------------------------------------------------ */

/* Reads at most max bytes of path into out; a longer file fails with
 * ERR_TOOBIG naming the path. */
int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e);
/* Reads fd to its end into out (buf_init'ed with its bound): ERR_TOOBIG
 * past the bound, ERR_IO when the read fails (errno kept). */
int fs_read_fd(int fd, struct buf *out);
/* Writes data to dir/name atomically: temporary file, fsync, rename, fsync of
 * dir. Refuses to replace an existing file when `exclusive`. */
int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, int mode,
                    int exclusive, struct err *e);
int fs_fsync_dir(const char *dir, struct err *e);
/* Creates dir (one level) with mode unless it exists as a directory. */
int fs_mkdir(const char *dir, int mode, struct err *e);
/* Like fs_mkdir, creating missing parents (mode 0755) first. */
int fs_mkdirs(const char *dir, int mode, struct err *e);
/* Fails with ERR_IO naming dir when a file cannot be created in it. */
int fs_check_writable(const char *dir, struct err *e);
int fs_exists(const char *path);
/* Removes name in dfd (AT_FDCWD: a path), a whole directory tree included,
 * never following a symbolic link; gives up below max_depth levels. 0 or -1. */
int fs_remove_tree(int dfd, const char *name, int max_depth);
/* Writes all n bytes to fd, retrying after interruptions; -1 with errno set
 * when the system refuses. */
int fs_write_all(int fd, const void *p, size_t n);
/* openat2 beneath root_fd, following no symlink at all (-1, errno set). */
int fs_open_beneath(int root_fd, const char *rel, int flags, mode_t mode);
/* Fills out with n random bytes from the operating system. */
void fs_random(void *out, size_t n);

/* ---- configuration (tocsin.conf) ---------------------------------------- */

#define CONFIG_MAX_BYTES (64 * 1024)
/* Short enough that `name = …` always fits a config line when written back. */
#define CONFIG_ORG_NAME_MAX 160

struct config {
    char listen_host[64];  /* [server] listen, host part */
    int listen_port;       /* [server] listen, port part */
    char tls_cert[512];    /* [server] tls_cert: PEM certificate chain, "" for plain HTTP */
    char tls_key[512];     /* [server] tls_key: PEM private key */
    char timezone[64];     /* [organisation] timezone */
    char org_name[256];    /* [organisation] name */
    char guard_dirs[1024]; /* [guard] protect: directories `tocsin serve` guards, comma-separated */
    char guard_mode[16];   /* [guard] mode: restore, alert-only or lock */
    char guard_allow[1024]; /* [guard] allow: programs lock mode lets write, comma-separated */
    char guard_rules[512];  /* [guard] rules: a directory of the organisation's own *.yar rules */
    char lw_logs[2048];     /* [logwatch] logs: PATH[@ASSET], comma-separated */
    char lw_format[512];    /* [logwatch] format: "" (auto) or a format for lw_format_new */
    char lw_login[512];     /* [logwatch] login: sign-in paths, comma-separated */
    char lw_rules[512];     /* [logwatch] rules: a directory of the organisation's *.rules */
    char lw_crs[512];       /* [logwatch] crs: the Core Rule Set's directory, or "none" */
};

void config_defaults(struct config *c);
/* Parses the INI text p[0..len) named `name` in messages ("tocsin.conf").
 * Unknown sections or keys, bad values, NUL bytes and over-long lines are
 * errors naming name and line. */
int config_parse(struct config *c, const char *name, const char *p, size_t len, struct err *e);
int config_load(struct config *c, const char *path, struct err *e);
/* Writes c as INI text with comments into out. */
int config_format(const struct config *c, struct buf *out);

/* ---- JSON ------------------------------------------------------------- */

/* Canonical bytes of a JSON value: keys sorted, no spaces, non-ASCII escaped,
 * so that equal values always give equal bytes. Appends to out. */
int json_canonical(const json_t *v, struct buf *out);
/* Prints v to stdout followed by a newline (pretty when indent). */
int json_print(const json_t *v, int indent);
/* A time in ms as UTC text ("2026-11-27T08:00:00.000Z"), or null when 0 or less. */
json_t *json_time_utc(int64_t ms);

/* ---- text ------------------------------------------------------------- */

/* 1 when s[0..n) is strict UTF-8. */
int utf8_valid(const char *s, size_t n);
/* Shannon entropy of the bytes, in bits per byte (0 for n == 0). */
double text_entropy(const void *p, size_t n);
/* 1 when s[0..n) is UTF-8 without control characters (one-line text). */
int text_is_clean(const char *s, size_t n);
/* Writes code point cp (at most 0x10ffff) as UTF-8 to out; returns the bytes
 * written, 1 to 4. */
size_t utf8_put(char *out, unsigned cp);

/* ---- hex and hashing ----------------------------------------------------- */

#define SHA256_LEN     32
#define SHA256_HEX_LEN 65 /* 64 digits and NUL */
void hex_encode(const unsigned char *in, size_t n, char *out /* 2n+1 */);
/* The value of one hex digit, -1 for anything else. */
int hex_value(char c);
/* Decodes exactly 2n hex digits; -1 on anything else. */
int hex_decode(const char *in, unsigned char *out, size_t n);

struct sha256_ctx {
    void *md; /* OpenSSL EVP_MD_CTX */
};
int sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_LEN]); /* also releases */
void sha256_release(struct sha256_ctx *c);                              /* without a result */
int sha256(const void *p, size_t n, unsigned char out[SHA256_LEN]);

/* SHA-256 of many messages, two hashed side by side on one core with the
 * CPU's SHA extensions (sha256mb.c). A message handed to sha256_mb_add must
 * stay in place until done is called with its tag: at once, during a later
 * add, or during sha256_mb_flush, which finishes all. At most two messages
 * are held at a time, so a caller with three buffers always has one free
 * after an add returns. */
typedef void (*sha256_done_fn)(void *ctx, void *tag, const unsigned char digest[SHA256_LEN]);
struct sha256_lane {
    const unsigned char *p;  /* the next block: of the message, or of tail */
    size_t left;             /* blocks from p on */
    size_t tail_blocks;      /* the padded end still to come after them: 0, 1 or 2 */
    uint32_t st[8];          /* the state, in the instructions' order */
    void *tag;               /* the caller's, given back with the digest */
    int busy;                /* holds a message */
    unsigned char tail[128]; /* the message's last part block, padded */
};
struct sha256_mb {
    struct sha256_lane lane[2];
    int hw; /* 1: the SHA extensions; 0: OpenSSL, one message at a time */
    sha256_done_fn done;
    void *ctx;
};
/* 1 when this CPU has the SHA extensions sha256_mb uses. */
int sha256_mb_hw(void);
void sha256_mb_init(struct sha256_mb *m, sha256_done_fn done, void *ctx);
/* 0, or ERR_INTERNAL when OpenSSL failed (done is then not called). */
int sha256_mb_add(struct sha256_mb *m, const void *p, size_t n, void *tag);
void sha256_mb_flush(struct sha256_mb *m);

#endif
