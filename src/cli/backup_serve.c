/* The backup desk of tocsin serve (G-2, H-4): on a thread of its own, every
 * few seconds it queues the scheduled jobs that are due and runs the waiting
 * runs one at a time — scheduled, asked for through the API, or queued when
 * an incident opened on a job's asset. A stop ends a run in progress
 * cleanly: its temporary file goes and the run is recorded as failed. */
#include "../prep/prep.h"
#include "cli.h"

#include <poll.h>
#include <stdlib.h>

#define TICK_MS 2000

struct serve_backup {
    struct cli_thread t;
    struct store *st;
    volatile int stopping;
};

static void *run(void *arg)
{
    struct serve_backup *s = arg;
    while (!s->stopping) {
        struct err e = {0};
        int64_t id = 0;
        if (backup_schedule(s->st, time_now_ms(), &e) != 0)
            log_error("backup: scheduling: %s", e.msg);
        err_clear(&e);
        if (backup_next_queued(s->st, &id, &e) != 0)
            log_error("backup: %s", e.msg);
        err_clear(&e);
        if (id) {
            struct bk_result r;
            if (backup_execute(s->st, id, &s->stopping, &r, &e) != 0)
                log_error("backup: archive %lld failed: %s", (long long)id, e.msg);
            else if (r.damaged)
                log_error("backup: archive %lld does not read back: %s", (long long)id, r.why);
            else
                log_info("backup: archive %lld good: %llu files, %llu bytes", (long long)id,
                         (unsigned long long)r.st.files, (unsigned long long)r.st.bytes);
            continue; /* the next waiting run at once */
        }
        struct pollfd p = {.fd = s->t.stop[0], .events = POLLIN};
        if (poll(&p, 1, TICK_MS) > 0)
            break;
    }
    return NULL;
}

int serve_backup_start(const char *data, struct serve_backup **out, struct err *e)
{
    *out = NULL;
    struct serve_backup *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    cli_thread_init(&s->t);
    int rc = store_open(&s->st, data, 0, e);
    if (!rc)
        rc = backup_recover(s->st, e);
    if (!rc)
        rc = cli_thread_start(&s->t, run, s, "backup", e);
    if (rc) {
        serve_backup_stop(s);
        return rc;
    }
    *out = s;
    return 0;
}

void serve_backup_stop(struct serve_backup *s)
{
    if (!s)
        return;
    s->stopping = 1;
    cli_thread_stop(&s->t);
    if (s->st)
        store_close(s->st);
    free(s);
}
