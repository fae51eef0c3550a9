/* The monitors' rows and what a check leaves behind, shared by the monitor
 * commands (monitor.c) and tocsin serve's scheduler (monitor_serve.c). */
#ifndef TOCSIN_CLI_MONITOR_H
#define TOCSIN_CLI_MONITOR_H

#include "../probe/probe.h"
#include "cli.h"

/* A monitor's check settings; allow holds the split --allow list. */
struct monitor_judge {
    struct probe_check c;
    char allow[1024];
};

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
