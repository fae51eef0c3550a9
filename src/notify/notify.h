/*
 * notify — telling the right people (W-3, W-7, H-1, W-4): channels (SMTP
 * mail, a generic JSON webhook, DingTalk, WeCom and Feishu group robots),
 * routes that decide who hears of what, the outbox every message passes
 * through, escalation of unacknowledged incidents, and reminders.
 *
 * Nothing here sends from a caller's thread: notify_plan writes messages to
 * the outbox in the transaction that decided them, and notify_deliver (run by
 * tocsin serve on a thread of its own) sends what is due, retrying with
 * backoff. A restart loses nothing: whatever was not marked sent is sent.
 */
#ifndef TOCSIN_NOTIFY_H
#define TOCSIN_NOTIFY_H

#include "../events/events.h"

enum channel_kind { CH_SMTP, CH_WEBHOOK, CH_DINGTALK, CH_WECOM, CH_FEISHU, CH_COUNT };

const char *channel_kind_code(enum channel_kind k);
int channel_kind_parse(const char *s, enum channel_kind *out);

/* What a route is for. */
enum notice_trigger {
    NT_INCIDENT,   /* an incident opened, or its level rose */
    NT_ESCALATION, /* a level II+ incident nobody acknowledged */
    NT_PROPOSAL,   /* a new proposal waits in triage */
    NT_WARNING,    /* a warning published or lifted */
    NT_REPORT,     /* an upward report falls due */
    NT_COUNT
};

const char *notice_trigger_code(enum notice_trigger t);
int notice_trigger_parse(const char *s, enum notice_trigger *out);

/* Checks a channel's configuration (JSON object) for its kind; secrets are
 * never echoed in the message. */
int channel_config_check(enum channel_kind kind, const json_t *config, struct err *e);
int channel_add(struct store *st, const struct user *as, const char *name, enum channel_kind kind,
                const json_t *config, int64_t *id, struct err *e);
/* Replaces a channel's configuration (checked as on adding). */
int channel_set_config(struct store *st, const struct user *as, const char *name,
                       const json_t *config, struct err *e);
int channel_remove(struct store *st, const struct user *as, const char *name, struct err *e);
int channel_set_enabled(struct store *st, const struct user *as, const char *name, int enabled,
                        struct err *e);
/* Channels with their configuration, secrets masked. */
int channel_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);

struct route_new {
    enum notice_trigger trigger;
    enum level min_level; /* the least serious level it carries */
    const char *category; /* "" or NULL: any */
    const char *role;     /* role code, "" or NULL: anyone */
    int tier;             /* 0 at once; N on the N-th escalation */
    const char *channel;  /* channel name */
};

int route_add(struct store *st, const struct user *as, const struct route_new *in, int64_t *id,
              struct err *e);
int route_remove(struct store *st, const struct user *as, int64_t id, struct err *e);
int route_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);

/* The outbox, newest first; status NULL: any. */
int outbox_list_json(struct store *st, const struct user *as, const char *status, int limit,
                     int64_t before_id, json_t **out, struct err *e);
/* Queues a test message on a channel, to prove it works end to end. */
int channel_test(struct store *st, const struct user *as, const char *name, struct err *e);

/* Writes every notice now due to the outbox: incidents opened or raised,
 * escalations of unacknowledged incidents, new proposals, warnings published
 * or lifted, upward reports falling due. Returns the number queued. */
int notify_plan(struct store *st, int64_t now, int *queued, struct err *e);

/* Sends up to max messages whose time has come, each bounded in time
 * (notify.timeout_s); marks each sent, or schedules a retry, or marks it
 * failed after its last try. Writes how many were sent and failed. */
int notify_deliver(struct store *st, int64_t now, int max, int *sent, int *failed, struct err *e);

#endif
