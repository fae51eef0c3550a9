/* The monitors' rows and what a check leaves behind, shared by the monitor
 * commands (monitor.c) and tocsin serve's scheduler (monitor_serve.c). */
#ifndef TOCSIN_CLI_MONITOR_H
#define TOCSIN_CLI_MONITOR_H

#include "../probe/probe.h"
#include "cli.h"

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

/* A monitor's check settings; allow holds the split --allow list. */
struct monitor_judge {
    struct probe_check c;
    char allow[1024];
};

int monitor_get(struct store *st, int64_t id, struct monitor_conf *m, struct err *e);
int monitor_each(struct store *st, int (*fn)(void *, const struct monitor_conf *), void *ctx,
                 struct err *e);
void monitor_judge_init(const struct monitor_conf *m, const struct probe_words *words,
                        struct monitor_judge *j);
/* The learned baseline, NULL while there is none. */
int monitor_baseline(struct store *st, const struct monitor_conf *m, struct probe_baseline **out,
                     struct err *e);
/* A monitor's word list: its file, or the sample list. */
int monitor_words(const char *file, struct probe_words **out, struct err *e);
/* Records one check inside the caller's transaction: the baseline learned,
 * the state (failures confirmed over the retries, recovery), events, the
 * page kept when it changed, the result and its roll-ups; m is updated.
 * same_page says the body is the one recorded last (not hashed again).
 * *retry_soon asks for the next check early, to confirm a failure. */
int monitor_record(struct store *st, const struct objstore *os, struct monitor_conf *m,
                   const struct probe_fetch *fe, const struct probe_findings *f,
                   const struct probe_print *pp, int same_page, int *retry_soon, struct err *e);

/* Only the findings' events (the cloaking check's second fetch). */
int monitor_record_findings(struct store *st, const struct monitor_conf *m,
                            const struct probe_fetch *fe, const struct probe_findings *f,
                            const char *page, struct err *e);

#endif
