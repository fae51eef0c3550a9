/*
 * response — the people and lifecycles of the emergency response: users,
 * assets, incidents with their timeline, playbook tasks, evidence, upward
 * reports and statements, warnings, approvals and assessments.
 *
 * Every change is made in one transaction together with its audit entry, and
 * every call that acts takes the acting user (`as`), whose role is checked
 * against the plan's permission table here, so that the command line and the
 * API cannot differ. Parameters are borrowed; JSON results are new references
 * the caller releases.
 */
#ifndef TOCSIN_RESPONSE_H
#define TOCSIN_RESPONSE_H

#include "../plan/plan.h"
#include "../store/store.h"

#define USER_NAME_MAX     32
#define USER_PASSWORD_MIN 10
#define USER_PASSWORD_MAX 1024

struct user {
    int64_t id;
    char name[USER_NAME_MAX + 1];
    char display_name[129];
    enum role role;
    char department[129]; /* "" when none */
    int is_disabled;
    int64_t created_at; /* ms, UTC */
};

/* A user name: 1 to 32 of a-z 0-9 . _ -, starting with a letter or digit. */
int user_name_check(const char *name, struct err *e);
int user_password_check(const char *password, struct err *e);
/* A random password of `len` characters from an alphabet without look-alikes. */
void user_password_generate(char *out, size_t len);

/* display_name and department may be NULL. A `department` user needs a
 * department. Fails with ERR_EXISTS when the name is taken. */
int user_add(struct store *st, const char *actor, const char *name, const char *display_name,
             enum role role, const char *department, const char *password, struct err *e);
int user_find(struct store *st, const char *name, struct user *out, struct err *e);
int user_find_id(struct store *st, int64_t id, struct user *out, struct err *e);
int user_set_password(struct store *st, const char *actor, const char *name, const char *password,
                      struct err *e);
int user_set_disabled(struct store *st, const char *actor, const char *name, int is_disabled,
                      struct err *e);
/* The address notifications by e-mail go to; "" removes it. */
int user_set_email(struct store *st, const char *actor, const char *name, const char *email,
                   struct err *e);
/* 0 when name exists, is enabled and the password matches; ERR_DENIED
 * otherwise, without saying which of these failed. */
int user_authenticate(struct store *st, const char *name, const char *password, struct user *out,
                      struct err *e);
/* Calls fn for every user in name order; fn returns non-zero to stop. */
int user_each(struct store *st, int (*fn)(const struct user *u, void *arg), void *arg,
              struct err *e);

/* Refuses with ERR_DENIED, naming the user, role and action, unless the
 * permission table allows it: the one check every module acting for a user
 * makes. */
int resp_allow(const struct user *as, enum action a, struct err *e);

/* Loads the acting user: it must exist and be enabled. */
int actor_load(struct store *st, const char *name, struct user *out, struct err *e);

/* ---- settings --------------------------------------------------------- */

/* An integer setting from the meta table ("deadline.cac", "level.down_long_min"). */
int setting_int(struct store *st, const char *key, int64_t fallback, int64_t *out, struct err *e);
int setting_set(struct store *st, const struct user *as, const char *key, const char *value,
                struct err *e);
int deadline_ms(struct store *st, enum deadline d, int64_t *out, struct err *e);
int level_thresholds_load(struct store *st, struct level_thresholds *t, struct err *e);

/* ---- assets (S-1, O-1) ------------------------------------------------ */

int asset_add(struct store *st, const struct user *as, const char *name, enum asset_kind kind,
              enum asset_importance importance, const char *department, const char *owner,
              struct err *e);
int asset_list_json(struct store *st, json_t **out, struct err *e);
/* An asset's kind and importance for the level rules: from the register, or
 * from the name when it is a kind (portal, oa: core), else other and general.
 * Returns 1 when registered, 0 when guessed, or a negative error. */
int asset_profile(struct store *st, const char *name, enum asset_kind *kind,
                  enum asset_importance *importance, struct err *e);

/* ---- incidents -------------------------------------------------------- */

struct incident_new {
    const char *title;
    const char *description; /* may be NULL */
    const char *category;    /* "network-attack" or "network-attack/scanning" */
    const char *assets[IMPACT_MAX_ASSETS];
    size_t n_assets;
    enum level level;            /* LEVEL_NONE: ungraded */
    const char *level_reason;    /* required with a level */
    const struct impact *impact; /* facts for a proposal, or NULL */
    int64_t started_at;          /* 0: now */
    int is_drill;
    int is_automatic; /* opened by a setting, not a person: nobody has
                         acknowledged it yet, so its notices escalate */
};

#define INCIDENT_REF_LEN 24

/* Opens an incident: a department's report starts as `reported`, anyone
 * else's as `triaged`; the playbook's tasks are added (H-1). */
int incident_open(struct store *st, const struct user *as, const struct incident_new *in,
                  char ref[INCIDENT_REF_LEN], struct err *e);
/* Proposes a level from impact facts (L-2) and records the rules that fired. */
int incident_assess(struct store *st, const struct user *as, const char *ref,
                    const struct impact *im, struct level_assessment *out, struct err *e);
/* Confirms or overrides the level; the reason is required. */
int incident_set_level(struct store *st, const struct user *as, const char *ref, enum level level,
                       const char *reason, struct err *e);
/* Moves the incident; closing with open mandatory tasks needs `override` and
 * a reason. `assessed` is reached only by completing the assessment. */
int incident_set_status(struct store *st, const struct user *as, const char *ref,
                        enum incident_status to, const char *reason, int override, struct err *e);
/* Someone has taken the incident in hand: its notices stop escalating. */
int incident_acknowledge(struct store *st, const struct user *as, const char *ref, struct err *e);
/* Joins more of what triage found to an incident: its assets, and a line in
 * the timeline. */
int incident_merge(struct store *st, const struct user *as, const char *ref, const char *what,
                   const char *const *assets, size_t n_assets, struct err *e);
int incident_assign(struct store *st, const struct user *as, const char *ref,
                    const char *department, const char *person, struct err *e);
/* flag: "sabotage" (adds the police/secrecy-bureau task, H-5), "crime"
 * (adds the police as a report recipient) or "drill". */
int incident_flag(struct store *st, const struct user *as, const char *ref, const char *flag,
                  int value, struct err *e);
int incident_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                       struct err *e);
/* Newest first: at most limit (0: all) incidents with an id below before_id
 * (0: from the newest) that the user may see. status may be NULL; open_only
 * leaves out closed and assessed incidents. */
int incident_list_json(struct store *st, const struct user *as, const char *status, int open_only,
                       int limit, int64_t before_id, json_t **out, struct err *e);
/* The same page as JSON text appended to out; last_id is the id of its last
 * (oldest) item, 0 when empty, and count the number of items. */
int incident_list_text(struct store *st, const struct user *as, const char *status, int open_only,
                       int limit, int64_t before_id, struct buf *out, int64_t *last_id, int *count,
                       struct err *e);

/* ---- tasks -------------------------------------------------------------- */

int task_add(struct store *st, const struct user *as, const char *ref, const char *title,
             const char *department, const char *assignee, int64_t due_at, int is_mandatory,
             int64_t *id, struct err *e);
int task_assign(struct store *st, const struct user *as, int64_t id, const char *department,
                const char *assignee, struct err *e);
int task_done(struct store *st, const struct user *as, int64_t id, const char *note, struct err *e);
/* Everything due across the plan: tasks, upward reports, acknowledgements,
 * assessments; sorted by due time. Departments see their own. */
int due_list_json(struct store *st, const struct user *as, int overdue_only, json_t **out,
                  struct err *e);

/* ---- evidence (H-5) ----------------------------------------------------- */

#define EVIDENCE_MAX_BYTES ((uint64_t)1 << 30)

int evidence_add_file(struct store *st, const struct user *as, const char *ref, const char *path,
                      const char *note, int64_t *id, struct err *e);
/* The same for a file whose name for the record is not its path's (an upload). */
int evidence_add_file_named(struct store *st, const struct user *as, const char *ref,
                            const char *path, const char *name, const char *note, int64_t *id,
                            struct err *e);
/* Records an object already in the object store (a page a monitor kept, a
 * file version the guard kept) as evidence, once per incident. */
int evidence_add_object(struct store *st, const struct user *as, const char *ref, const char *hex,
                        const char *name, const char *note, struct err *e);
int evidence_add_note(struct store *st, const struct user *as, const char *ref, const char *text,
                      int64_t *id, struct err *e);
/* Re-hashes every item; returns 0 when all are intact, 1 when any is not,
 * with one object per item in *out. Each check is recorded in custody. */
int evidence_verify(struct store *st, const struct user *as, const char *ref, json_t **out,
                    struct err *e);
/* Writes an item's content to a new file dest (never overwriting); custody
 * records `detail`, or dest when detail is NULL. The item's name is written
 * to name (when not NULL, name_len bytes). */
int evidence_export(struct store *st, const struct user *as, const char *ref, int64_t id,
                    const char *dest, const char *detail, char *name, size_t name_len,
                    struct err *e);

/* ---- upward reports (W-4, H-2) ----------------------------------------- */

int report_add(struct store *st, const struct user *as, const char *ref, enum recipient rcp,
               const char *kind, int64_t *id, struct err *e);
int report_edit(struct store *st, const struct user *as, const char *ref, int64_t id,
                const char *text, struct err *e);
/* The first report to rcp in the official layout for a drill's incident,
 * marked as practice: drills are never reported upward, but drafting the
 * report is part of the exercise (P-3). ERR_CONFLICT for a real incident. */
int report_practice_text(struct store *st, const struct user *as, const char *ref,
                         enum recipient rcp, struct buf *out, struct err *e);
/* Records how and when a report went out; one sent after its deadline is
 * recorded as late. sent_at 0 means now. */
int report_mark_sent(struct store *st, const struct user *as, const char *ref, int64_t id,
                     const char *to, const char *via, int64_t sent_at, struct err *e);

/* ---- statements (H-6) --------------------------------------------------- */

int statement_draft(struct store *st, const struct user *as, const char *ref, const char *text,
                    int64_t *id, struct err *e);
/* Submits a draft for a leader's approval; writes the approval's id. */
int statement_submit(struct store *st, const struct user *as, const char *ref, int64_t id,
                     int64_t *approval_id, struct err *e);
/* Releases an approved statement; anything else is refused. */
int statement_release(struct store *st, const struct user *as, const char *ref, int64_t id,
                      struct err *e);

/* ---- warnings (W-1, W-5, W-6, W-7) -------------------------------------- */

struct warning_new {
    enum colour colour;
    const char *category;
    const char *scope;    /* possible scope */
    const char *items;    /* warning items */
    const char *measures; /* measures to take */
    int64_t deadline_at;  /* the measures' time limit */
    const char *issuer;   /* issuing authority */
    int64_t start_at;     /* 0: now */
    const char *incident; /* reference of a related incident, or NULL */
    int is_drill;
};

#define WARNING_REF_LEN 24

int warning_draft(struct store *st, const struct user *as, const struct warning_new *in,
                  char ref[WARNING_REF_LEN], struct err *e);
/* Asks for approval where the colour needs it; writes the approval id (0 when
 * none is needed). */
int warning_submit(struct store *st, const struct user *as, const char *ref, int64_t *approval_id,
                   struct err *e);
/* A leader approves the warning's pending approval. */
int warning_approve(struct store *st, const struct user *as, const char *ref, const char *reason,
                    struct err *e);
/* Refuses (ERR_CONFLICT, nothing changed) while a required approval is missing. */
int warning_publish(struct store *st, const struct user *as, const char *ref, struct err *e);
int warning_lift(struct store *st, const struct user *as, const char *ref, const char *reason,
                 struct err *e);
int warning_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                      struct err *e);
int warning_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);

/* ---- approvals ---------------------------------------------------------- */

/* Requests an approval of `kind` (warning, statement, dispatch) for an object,
 * inside the caller's transaction; writes its id. The decision is applied to
 * the object by approval_decide. */
int approval_request(struct store *st, const char *kind, int64_t object_id, const char *object_ref,
                     const char *summary, enum role approver, const char *requested_by, int64_t *id,
                     struct err *e);

int approval_list_json(struct store *st, const struct user *as, int pending_only, json_t **out,
                       struct err *e);
int approval_decide(struct store *st, const struct user *as, int64_t id, int approve,
                    const char *reason, struct err *e);

/* ---- assessments (H-7, G-5) --------------------------------------------- */

struct assessment_fields {
    const char *cause, *nature, *impact, *responsibility, *handling, *improvements;
};

int assessment_edit(struct store *st, const struct user *as, const char *ref,
                    const struct assessment_fields *f, struct err *e);
/* An improvement becomes a tracked task with owner department and due time. */
int assessment_add_improvement(struct store *st, const struct user *as, const char *ref,
                               const char *text, const char *department, int64_t due_at,
                               struct err *e);
/* kind: "commendation" or "accountability" (G-5). */
int assessment_add_record(struct store *st, const struct user *as, const char *ref,
                          const char *kind, const char *person, const char *text, struct err *e);
/* Completes a full assessment and moves the incident to `assessed`. */
int assessment_complete(struct store *st, const struct user *as, const char *ref, struct err *e);
int assessment_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                         struct err *e);

#endif
