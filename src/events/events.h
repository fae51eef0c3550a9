/*
 * events — intake of security events: from detectors inside tocsin, from other
 * tools through the API, and from departments. Each event is normalised
 * (category checked against the plan), deduplicated by its fingerprint (the
 * count and last-seen time grow) and kept for triage.
 *
 * Parameters are borrowed; JSON results are new references.
 */
#ifndef TOCSIN_EVENTS_H
#define TOCSIN_EVENTS_H

#include "../response/response.h"

struct event_new {
    const char *source;      /* who saw it: "probe", "guard", a tool's name */
    const char *category;    /* a plan category code, with or without sub-category */
    const char *asset;       /* may be NULL */
    const char *summary;     /* one line for people */
    const char *fingerprint; /* equal fingerprints are one event; NULL: derived */
    const json_t *details;   /* an object, or NULL */
};

#define EVENT_DETAILS_MAX (64 * 1024)

/* Stores the event or counts it again; writes its id and count. */
int event_submit(struct store *st, const struct user *as, const struct event_new *in, int64_t *id,
                 int64_t *count, struct err *e);
/* The two halves of event_submit, for callers that store many events in one
 * transaction: the checks (permission and fields, no I/O), and the storing,
 * which must run inside the caller's transaction. */
int event_check(const struct user *as, const struct event_new *in, struct err *e);
int event_store(struct store *st, const struct user *as, const struct event_new *in, int64_t *id,
                int64_t *count, struct err *e);
/* Newest first, at most limit, starting after `before_id` (0: from the newest). */
int event_list_json(struct store *st, const struct user *as, int limit, int64_t before_id,
                    json_t **out, struct err *e);

#endif
