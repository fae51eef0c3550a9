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
    int64_t occurred_at;     /* when it happened, ms; 0: when it arrives */
    const char *state;       /* the asset's state it reports (asset_state codes);
                                NULL: what the category implies, if anything */
    const char *link;        /* a detector's key: events sharing it are one proposal */
    const json_t *evidence;  /* an array of references ("sha256:HEX", URLs), or NULL */
    int is_resolved;         /* its condition has cleared (the site is back, the file
                                restored); clears the event of the same fingerprint */
    int64_t drill_id;        /* injected by this drill (0: real): it joins only that
                                drill's proposals, whose incidents are drills */
};

#define EVENT_EVIDENCE_MAX 16
#define EVENT_DETAILS_MAX  (64 * 1024)

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

/* A department's short report (O-3): what, where, when, how bad. */
enum report_severity {
    SEVERITY_THREAT,   /* nothing is broken yet: a threat, a suspicion */
    SEVERITY_IMPAIRED, /* working, but partly failing or slow */
    SEVERITY_DOWN,     /* cannot be used */
    SEVERITY_TAMPERED, /* content changed by someone */
    SEVERITY_DATA,     /* data leaked or lost */
    SEVERITY_COUNT
};

struct department_report {
    const char *what;  /* what happened (one line) */
    const char *where; /* the asset */
    int64_t when;      /* ms; 0: now */
    enum report_severity how_bad;
    const char *category; /* NULL: implied by how_bad */
    const char *detail;   /* more text, may be NULL */
};

int report_severity_parse(const char *s, enum report_severity *out);
const char *report_severity_code(enum report_severity s);
/* Stores the report as an event of source "department" for triage. */
int event_report(struct store *st, const struct user *as, const struct department_report *in,
                 int64_t *id, struct err *e);

/* Turns an Alertmanager webhook body (version 4) into events and stores them
 * in one transaction; writes how many alerts it took. */
int event_alertmanager(struct store *st, const struct user *as, const json_t *body, int *n,
                       struct err *e);
/* Its first half: every alert turned into an event and checked, nothing stored. */
int event_alertmanager_check(const struct user *as, const json_t *body, struct err *e);

/* ---- triage: proposals ------------------------------------------------- */

/* The settings of triage (triage.*), read with triage_settings_load. */
struct triage_settings {
    int64_t window_ms;       /* events this close join the same proposal */
    int64_t public_after_ms; /* tampering left this long counts as seen by the public */
    int auto_restored;       /* tampering found and already restored: a level IV
                                incident opened as contained */
    enum level auto_level;   /* proposals this serious open an incident at once
                                (LEVEL_NONE: never) */
};

int triage_settings_load(struct store *st, struct triage_settings *t, struct err *e);

enum triage_change {
    TRIAGE_NEW,     /* a new event */
    TRIAGE_REPEAT,  /* the same event again */
    TRIAGE_CLEARED, /* its condition cleared */
    TRIAGE_REFIRED  /* a cleared event came back */
};

/* Brings the event's proposal up to date: a new event joins (or starts) the
 * proposal of its group, which is assessed again. Called by event_store in
 * its transaction. */
int triage_event(struct store *st, int64_t event_id, enum triage_change change, struct err *e);

/* Proposals, newest first; status NULL: any. */
int proposal_list_json(struct store *st, const struct user *as, const char *status, int limit,
                       int64_t before_id, json_t **out, struct err *e);
/* One proposal with its facts, reasons and events. */
int proposal_show_json(struct store *st, const struct user *as, int64_t id, json_t **out,
                       struct err *e);
/* Accepts a proposal into a new incident (into_ref NULL) or an existing one.
 * A new incident takes the proposed level unless `level` is given (then
 * `reason` is required); its events' evidence is attached. */
int proposal_accept(struct store *st, const struct user *as, int64_t id, const char *into_ref,
                    enum level level, const char *reason, char ref[INCIDENT_REF_LEN],
                    struct err *e);
/* Drafts a warning of the proposal's colour from its facts; fields given in
 * `in` (non-NULL, non-zero) replace the drafted ones. */
int proposal_warn(struct store *st, const struct user *as, int64_t id, const struct warning_new *in,
                  char ref[WARNING_REF_LEN], struct err *e);
int proposal_dismiss(struct store *st, const struct user *as, int64_t id, const char *reason,
                     struct err *e);
/* The periodic work of triage: with `reassess`, proposals whose facts depend
 * on time (a site still down) are assessed again (an accepted proposal's
 * incident gets the new proposal); then the settings' automatic decisions are
 * taken. */
int triage_tick(struct store *st, int reassess, struct err *e);

#endif
