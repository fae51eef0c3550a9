/* Group commit of events: POST /api/v1/events is checked on the server's
 * thread, then its connection is suspended and the event handed to the
 * committer thread, which stores every event waiting in one transaction
 * (one fsync for many) on its own database connection, then resumes the
 * connections with their answers. An event is answered 202 only once it is
 * committed, so nothing acknowledged is lost. */
#include "web_int.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 512

struct pending {
    struct req *r;
    struct user user;
    struct event_new in;
    char *strings; /* the copies in.source … in.fingerprint point into */
    json_t *details, *evidence;
};

static char *dup_or_null(const char *s, char **cursor)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *out = *cursor;
    memcpy(out, s, n);
    *cursor += n;
    return out;
}

int batch_add(struct web *w, struct req *r, const struct event_new *in, struct err *e)
{
    struct event_batch *b = &w->batch;
    const char *parts[] = {in->source,      in->category, in->asset, in->summary,
                           in->fingerprint, in->state,    in->link};
    size_t total = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        total += parts[i] ? strlen(parts[i]) + 1 : 0;
    struct pending p = {.r = r, .user = r->user};
    p.strings = malloc(total ? total : 1);
    if (!p.strings)
        return err_set(e, ERR_NOMEM, "out of memory queueing an event");
    char *cur = p.strings;
    p.in.source = dup_or_null(in->source, &cur);
    p.in.category = dup_or_null(in->category, &cur);
    p.in.asset = dup_or_null(in->asset, &cur);
    p.in.summary = dup_or_null(in->summary, &cur);
    p.in.fingerprint = dup_or_null(in->fingerprint, &cur);
    p.in.state = dup_or_null(in->state, &cur);
    p.in.link = dup_or_null(in->link, &cur);
    p.in.occurred_at = in->occurred_at;
    p.in.is_resolved = in->is_resolved;
    p.details = in->details ? json_deep_copy(in->details) : NULL;
    p.in.details = p.details;
    p.evidence = in->evidence ? json_deep_copy(in->evidence) : NULL;
    p.in.evidence = p.evidence;
    pthread_mutex_lock(&b->lock);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct pending *items = realloc(b->items, cap * sizeof(*items));
        if (!items) {
            pthread_mutex_unlock(&b->lock);
            free(p.strings);
            json_decref(p.details);
            json_decref(p.evidence);
            return err_set(e, ERR_NOMEM, "out of memory queueing an event");
        }
        b->items = items;
        b->cap = cap;
    }
    b->items[b->n++] = p;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

/* Stores items[0..n) in one transaction; when that fails, each on its own,
 * so that one bad event does not take the others down with it. */
static void commit_items(struct web *w, struct pending *items, size_t n)
{
    struct store *st = w->batch.st;
    struct err e = {0};
    int rc = store_begin(st, &e);
    for (size_t i = 0; !rc && i < n; i++) {
        struct req *r = items[i].r;
        rc = event_store(st, &items[i].user, &items[i].in, &r->batch_id, &r->batch_count, &e);
    }
    if (!rc)
        rc = store_commit(st, &e);
    else
        store_rollback(st);
    for (size_t i = 0; i < n; i++) {
        struct req *r = items[i].r;
        if (rc) { /* again, alone */
            err_clear(&r->batch_err);
            r->batch_rc = event_submit(st, &items[i].user, &items[i].in, &r->batch_id,
                                       &r->batch_count, &r->batch_err);
        } else {
            r->batch_rc = 0;
        }
        if (r->batch_rc == 0)
            __atomic_fetch_add(&w->m.events_received, 1, __ATOMIC_RELAXED);
        free(items[i].strings);
        json_decref(items[i].details);
        json_decref(items[i].evidence);
        r->is_batch_done = 1;
        /* After this call the request belongs to the server's thread again. */
        MHD_resume_connection(r->conn);
    }
}

static void *committer(void *arg)
{
    struct web *w = arg;
    struct event_batch *b = &w->batch;
    struct pending *work = malloc(BATCH_MAX * sizeof(*work));
    for (;;) {
        pthread_mutex_lock(&b->lock);
        while (b->n == 0 && !b->is_stopping)
            pthread_cond_wait(&b->cond, &b->lock);
        if (b->n == 0 && b->is_stopping) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        size_t n = b->n < BATCH_MAX ? b->n : BATCH_MAX;
        memcpy(work, b->items, n * sizeof(*work));
        memmove(b->items, b->items + n, (b->n - n) * sizeof(*work));
        b->n -= n;
        pthread_mutex_unlock(&b->lock);
        commit_items(w, work, n);
    }
    free(work);
    return NULL;
}

int batch_start(struct web *w, struct err *e)
{
    struct event_batch *b = &w->batch;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    int rc = store_open(&b->st, w->st->dir, 0, e);
    if (rc)
        return rc;
    if (pthread_create(&b->thread, NULL, committer, w) != 0) {
        store_close(b->st);
        return err_set(e, ERR_INTERNAL, "cannot start the event committer thread");
    }
    return 0;
}

/* Stores what is still waiting, then ends the committer. */
void batch_stop(struct web *w)
{
    struct event_batch *b = &w->batch;
    pthread_mutex_lock(&b->lock);
    b->is_stopping = 1;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
    pthread_join(b->thread, NULL);
    store_close(b->st);
    free(b->items);
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
}
