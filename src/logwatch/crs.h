/* The OWASP Core Rule Set read as data: the SecRule files of the attack
 * families an access log can show (921 protocol; 930-934 LFI, RFI, RCE, PHP, NodeJS; 941
 * XSS; 942 SQLi; 944 Java), their operators, transformations, paranoia
 * levels and anomaly scores, evaluated on what a log line holds (method,
 * URI with its query, User-Agent, Referer). Private to logwatch. */
#ifndef TOCSIN_LOGWATCH_CRS_H
#define TOCSIN_LOGWATCH_CRS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

#define CRS_RULES_MAX    512
#define CRS_LINKS_MAX    4          /* a rule and its chained rules */
#define CRS_TFN_MAX      12         /* transformations per rule */
#define CRS_VALUES_MAX   72         /* variables of one request evaluated (64 arguments) */
#define CRS_VALUE_MAX    (8 * 1024) /* bytes of a variable evaluated; longer ones are cut */
#define CRS_THRESHOLD    5          /* inbound anomaly score that names a request, as CRS's */
#define CRS_PHRASES_MAX  20000      /* phrases of one @pm or @pmFromFile */
#define CRS_FILE_MAX     (4 << 20)  /* bytes of a rules or data file */
#define CRS_PARANOIA_MAX 4

/* What one rule is, for listing and for the detections. */
struct crs_info {
    char id[16];      /* "942100" */
    char msg[200];    /* the rule's msg */
    char source[120]; /* "REQUEST-942-APPLICATION-ATTACK-SQLI.conf:45" */
    int family;       /* 921 … 944 */
    int paranoia;     /* 1-4 */
    int score;        /* 5 critical, 4 error, 3 warning, 2 notice */
};

/* A rule or data file refused: the file, line and reason. The other rules
 * still load. */
typedef void (*crs_warn_fn)(void *ctx, const char *msg);

struct crs;
/* Loads the attack-family files of dir (REQUEST-921, 930 … 944, whatever
 * their names go on with) for rules up to paranoia level (1-4). A rule that
 * cannot be read is named through warn and left out; ERR_INPUT when dir has
 * none of the files or no rule could be loaded, ERR_NOMEM. */
int crs_load(const char *dir, int paranoia, crs_warn_fn warn, void *ctx, struct crs **out,
             struct err *e);
/* The same over one file's text (named name; data files in datadir, NULL for
 * none); for tests and the fuzzer. ERR_INPUT when no rule loads. */
int crs_load_text(const char *name, const char *text, size_t n, const char *datadir, int paranoia,
                  crs_warn_fn warn, void *ctx, struct crs **out, struct err *e);
void crs_free(struct crs *c);
size_t crs_count(const struct crs *c);
const struct crs_info *crs_info(const struct crs *c, size_t i);

/* What a log line holds of a request. Absent parts are NULL or empty. */
struct crs_request {
    const char *method, *uri, *protocol, *ua, *referer;
    size_t method_n, uri_n, protocol_n, ua_n, referer_n;
};

/* Per thread. */
struct crs_scratch;
int crs_scratch_new(const struct crs *c, struct crs_scratch **out, struct err *e);
void crs_scratch_free(struct crs_scratch *s);
/* Evaluates every rule on r: writes the indexes of the rules that matched
 * into out[0..cap) (in rule order) and returns their number; *score is the
 * sum of their anomaly scores (a request is named at CRS_THRESHOLD). */
int crs_match(const struct crs *c, struct crs_scratch *s, const struct crs_request *r,
              uint16_t *out, int cap, int *score);

/* The transformations by their CRS names ("urlDecodeUni"); for tests: t
 * applied to in[0..n) into out (cap bytes), returning the length, or -1
 * for an unknown name. */
long crs_transform(const char *name, const char *in, size_t n, char *out, size_t cap);

#endif
