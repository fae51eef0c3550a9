/* The response desk of tocsin serve: on a thread of its own with a database
 * connection of its own, every half second it feeds running drills'
 * injections that fell due, takes the settings' triage
 * decisions, plans the notices that are due and delivers the outbox; every
 * five seconds it assesses standing outages again (they grow more serious).
 * A slow webhook delays only this thread, never intake. */
#include "../notify/notify.h"
#include "../prep/prep.h"
#include "cli.h"

#include <curl/curl.h>
#include <poll.h>
#include <stdlib.h>

#define TICK_MS           500
#define REASSESS_EVERY_MS 5000

struct serve_notify {
    struct cli_thread t;
    struct store *st;
};

static void *run(void *arg)
{
    struct serve_notify *s = arg;
    int64_t last_triage = 0;
    for (;;) {
        int64_t now = time_now_ms();
        struct err e = {0};
        /* the settings' decisions every round; standing outages assessed
         * again every few seconds */
        int reassess = now - last_triage >= REASSESS_EVERY_MS;
        if (reassess)
            last_triage = now;
        /* a running drill's injections that fell due, through the real intake */
        int fed = 0, drc;
        while (fed < 64 && (drc = drill_tick(s->st, now, &e)) == 1)
            fed++;
        if (drc < 0)
            log_error("drill: %s", e.msg);
        err_clear(&e);
        if (triage_tick(s->st, reassess, &e) != 0)
            log_error("triage: %s", e.msg);
        err_clear(&e);
        int queued = 0, sent = 0, failed = 0;
        if (notify_plan(s->st, now, &queued, &e) != 0)
            log_error("notify: planning: %s", e.msg);
        err_clear(&e);
        /* a full round is followed at once by the next */
        int full = 0;
        if (notify_deliver(s->st, time_now_ms(), 32, &sent, &failed, &e) != 0)
            log_error("notify: delivering: %s", e.msg);
        else
            full = sent + failed == 32;
        struct pollfd p = {.fd = s->t.stop[0], .events = POLLIN};
        if (poll(&p, 1, full ? 0 : TICK_MS) > 0)
            break;
    }
    return NULL;
}

int serve_notify_start(const char *data, struct serve_notify **out, struct err *e)
{
    *out = NULL;
    struct serve_notify *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    cli_thread_init(&s->t);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = store_open(&s->st, data, 0, e);
    if (!rc)
        rc = cli_thread_start(&s->t, run, s, "notification", e);
    if (rc) {
        serve_notify_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

void serve_notify_stop(struct serve_notify *s)
{
    if (!s)
        return;
    cli_thread_stop(&s->t);
    if (s->st)
        store_close(s->st);
    free(s);
}
