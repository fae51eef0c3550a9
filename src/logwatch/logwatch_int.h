/* What the files of logwatch share and nobody else sees. */
#ifndef TOCSIN_LOGWATCH_INT_H
#define TOCSIN_LOGWATCH_INT_H

#include "crs.h"
#include "logwatch.h"

#include <errno.h>
#include <string.h>
#include <hs/hs.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct lw_rules {
    struct lw_rule *v;
    size_t n;
    hs_database_t *db;    /* every pattern, id = index into v */
    hs_database_t *batch; /* the request's patterns, for many requests in one scan; or NULL */
    pcre2_code **confirm; /* [n], NULL where a rule does not confirm */
    struct crs *crs;      /* the Core Rule Set's rules, or NULL */
    size_t crs_base;      /* v[crs_base + i] is the CRS's rule i */
    int any_method;       /* some rule looks at the method */
    int any_new_script;   /* some rule needs the guard's new scripts */
};

/* Undoes a log's own escaping of a field (nginx's \xHH, Apache's \" and
 * \\) from in[0..n) into out, which holds n bytes; returns the length. */
size_t lw_unescape_log(const char *in, size_t n, char *out);

/* The directory of compiled databases: $TOCSIN_CACHE, else
 * $XDG_CACHE_HOME/tocsin, else ~/.cache/tocsin; -1 when none can be named. */
int lw_cache_base(char *out, size_t cap);
/* Writes a compiled database as path ("BASE/logwatch-….hsdb") atomically,
 * creating BASE, and keeps only the newest few. Failing is silent: the
 * cache only saves time. */
void lw_cache_write(const char *path, const void *p, size_t n);

/* lw_parse without the combined format's own compiled parser: the general
 * token parser it is compiled from, which the line fuzzer holds it to. */
int lw_parse_general(const struct lw_format *f, const char *line, size_t n, struct lw_record *r,
                     char *scratch, struct err *e);

/* Clears n bytes at p, in two halves: gcc compiles one memset of a hundred
 * bytes or more into "rep stos", which takes longer to start than a dozen
 * plain stores take to finish, and this is done for every line. */
static inline void lw_zero(void *p, size_t n)
{
    memset(p, 0, n / 2);
    memset((char *)p + n / 2, 0, n - n / 2);
}

/* The process's secret seed for lw_hash, drawn by lw_seed_init (which every
 * constructor of logwatch calls before anything is hashed). */
extern uint64_t lw_seed_value;
void lw_seed_init(void);

/* A fast hash of client addresses, paths, user agents and requests, seeded
 * with a secret drawn at start. Not collision-proof against chosen input:
 * flipping the top bit of chosen bytes gives the same hash whatever the seed.
 * So it only places things; whatever must tell two inputs apart (the field
 * cache of the matcher) compares the bytes. Eight bytes at a time; the last
 * word is read whole, overlapping the one before (a load assembled from a
 * variable number of bytes stalls), then a final mix; never 0. */
static inline uint64_t lw_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = lw_seed_value ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    if (i < n && n >= 8) {
        memcpy(&w, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        w = (uint64_t)hi << 32 | lo;
    } else if (n > 0) {
        w = (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16;
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    return h ? h : 1;
}

/* The clients the behaviour detectors hold now (at most LW_CLIENTS_MAX), and
 * how many active ones were evicted for newcomers so far. */
size_t lw_analysis_clients(const struct lw_analysis *a, uint64_t *evicted);

/* Brings the detectors' state for line l into the cache ahead of its turn. */
void lw_analysis_prefetch(const struct lw_analysis *a, const struct lw_line *l);

#endif
