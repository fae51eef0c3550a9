/*
 * prep — preparedness for the days when nothing is burning (P-1…P-4,
 * G-1…G-4). So far the emergency-supplies store (G-1): items with quantity,
 * location, state and dates, dispatched during an incident once a leader has
 * approved (through the plan core's approvals), and returned.
 *
 * Every call that acts takes the acting user, checked against the
 * permission table; every change is audited in its transaction.
 */
#ifndef TOCSIN_PREP_H
#define TOCSIN_PREP_H

#include "../response/response.h"
#include "archive.h"

enum supply_kind { SUPPLY_HARDWARE, SUPPLY_SOFTWARE, SUPPLY_RESCUE, SUPPLY_KIND_COUNT };

const char *supply_kind_code(enum supply_kind k);
int supply_kind_parse(const char *s, enum supply_kind *out);

struct supply_new {
    const char *name;
    enum supply_kind kind;
    int64_t quantity;
    const char *location;
    int64_t expires_at;  /* 0: does not expire */
    int64_t maintain_at; /* 0: no maintenance date */
};

#define SUPPLY_REF_LEN 16

int supply_add(struct store *st, const struct user *as, const struct supply_new *in,
               char ref[SUPPLY_REF_LEN], struct err *e);
int supply_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);
/* One item with its dispatches. */
int supply_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                     struct err *e);
/* Asks a leader to approve taking quantity of the item for an incident;
 * nothing leaves the store until approved (then the quantity goes down, or
 * the approval is refused when the store no longer holds enough). Writes the
 * approval's id. */
int supply_dispatch(struct store *st, const struct user *as, const char *ref, int64_t quantity,
                    const char *incident, const char *reason, int64_t *approval_id, struct err *e);
/* Puts back quantity of an issued dispatch; the dispatch is returned once all
 * of it is back. */
int supply_return(struct store *st, const struct user *as, int64_t dispatch_id, int64_t quantity,
                  struct err *e);

/* ---- hazards (P-1) ------------------------------------------------------ */

enum hazard_status { HAZ_OPEN, HAZ_REMEDIATING, HAZ_FIXED, HAZ_VERIFIED, HAZ_STATUS_COUNT };
enum hazard_severity { HAZ_LOW, HAZ_MEDIUM, HAZ_HIGH, HAZ_CRITICAL, HAZ_SEVERITY_COUNT };

const char *hazard_status_code(enum hazard_status s);
int hazard_status_parse(const char *s, enum hazard_status *out);
const char *hazard_severity_code(enum hazard_severity s);
int hazard_severity_parse(const char *s, enum hazard_severity *out);

struct hazard_new {
    const char *title;
    const char *asset;       /* may be NULL */
    const char *description; /* may be NULL */
    enum hazard_severity severity;
    const char *department; /* who remediates it; a department user: their own */
    int64_t deadline_at;    /* remediation deadline, in the future */
};

#define HAZARD_REF_LEN 16

int hazard_add(struct store *st, const struct user *as, const struct hazard_new *in,
               char ref[HAZARD_REF_LEN], struct err *e);
/* open → remediating → fixed → verified, and fixed → remediating when the fix
 * does not hold. A department works only its own hazards; verifying needs
 * hazard.verify and someone other than who fixed it. */
int hazard_set_status(struct store *st, const struct user *as, const char *ref,
                      enum hazard_status to, const char *note, struct err *e);
/* status NULL: any; overdue_only: past the deadline and not yet fixed.
 * Departments see their own. */
int hazard_list_json(struct store *st, const struct user *as, const char *status, int overdue_only,
                     json_t **out, struct err *e);
/* One hazard with its history. */
int hazard_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                     struct err *e);

/* ---- risk assessments (P-1) ----------------------------------------------- */

enum risk_level { RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK_EXTREME };

/* The 5×5 matrix: likelihood × impact, each 1-5. A score up to 4 is low, to 9
 * medium, to 16 high, 20 and 25 extreme. */
enum risk_level risk_level_of(int likelihood, int impact);
const char *risk_level_code(enum risk_level l); /* "low" … "extreme" */
const char *risk_level_zh(enum risk_level l);   /* 低 中 高 极高 */

#define RISK_THREATS_MAX 32

struct risk_threat {
    const char *threat;
    int likelihood, impact; /* 1-5 */
    const char *treatment;  /* what is done about it */
    const char *owner;      /* who */
};

struct risk_assessment_new {
    const char *asset;
    const char *note; /* may be NULL */
    int64_t next_review_at;
    struct risk_threat threats[RISK_THREATS_MAX];
    size_t n_threats;
};

#define RISK_REF_LEN 16

int risk_assess(struct store *st, const struct user *as, const struct risk_assessment_new *in,
                char ref[RISK_REF_LEN], struct err *e);
/* The latest assessment of every asset, or every assessment of one asset
 * (newest first) when asset is given. */
int risk_list_json(struct store *st, const struct user *as, const char *asset, json_t **out,
                   struct err *e);
int risk_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                   struct err *e);

/* ---- security checks (P-1) ---------------------------------------------- */

enum check_schedule { CHECK_DAILY, CHECK_WEEKLY, CHECK_MONTHLY, CHECK_ONCE, CHECK_SCHEDULE_COUNT };

const char *check_schedule_code(enum check_schedule s);
int check_schedule_parse(const char *s, enum check_schedule *out);

/* What tocsin checks itself; NULL when the code is unknown. */
const char *check_auto_describe(const char *code);
/* "monitors-up, certs-30d, …", for messages. */
const char *check_auto_codes(void);

#define CHECK_ITEMS_MAX 64

struct check_item {
    const char *text;      /* what to check; for an automatic item NULL: its description */
    const char *expected;  /* the expected result, may be NULL */
    const char *auto_code; /* NULL for an item a person checks */
};

struct checklist_new {
    const char *name;
    enum check_schedule schedule;
    int64_t due_at; /* CHECK_ONCE: the date */
    struct check_item items[CHECK_ITEMS_MAX];
    size_t n_items;
};

int checklist_add(struct store *st, const struct user *as, const struct checklist_new *in,
                  struct err *e);
int checklist_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);
/* Starts a run of the checklist; automatic items are filled at once. Writes
 * the run's id. */
int check_run_start(struct store *st, const struct user *as, const char *checklist, int64_t *run,
                    struct err *e);
/* Records one item's result ("pass", "fail", "na") in an unfinished run;
 * item is its position (1…). */
int check_run_record(struct store *st, const struct user *as, int64_t run, int item,
                     const char *result, const char *note, struct err *e);
/* Finishes a run once every item has a result: failed when any item failed. */
int check_run_finish(struct store *st, const struct user *as, int64_t run, struct err *e);
/* A failed item becomes a hazard in one step (P-1); writes its reference. */
int check_run_hazard(struct store *st, const struct user *as, int64_t run, int item,
                     const char *department, enum hazard_severity severity, int64_t deadline_at,
                     char ref[HAZARD_REF_LEN], struct err *e);
int check_run_show_json(struct store *st, const struct user *as, int64_t run, json_t **out,
                        struct err *e);

/* ---- training and publicity (P-4, G-3) ------------------------------------ */

struct training_new {
    int is_publicity; /* a publicity activity rather than a training session */
    const char *topic, *trainer, *place;
    int64_t held_at;
};

#define TRAINING_REF_LEN       16
#define TRAINING_ATTENDEES_MAX 500

int training_add(struct store *st, const struct user *as, const struct training_new *in,
                 char ref[TRAINING_REF_LEN], struct err *e);
/* Records who attended: users by name, and other staff as "NAME@DEPARTMENT".
 * Each once; an unknown user name is refused with nothing recorded. */
int training_attend(struct store *st, const struct user *as, const char *ref,
                    const char *const *users, size_t n_users, const char *const *people,
                    size_t n_people, struct err *e);
int training_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);
int training_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                       struct err *e);
/* Per department, of its users how many attended a training in the year
 * (local time), and the rate. */
int training_attendance_json(struct store *st, const struct user *as, int year, json_t **out,
                             struct err *e);

/* ---- the plan itself (A-1) ------------------------------------------------ */

#define PLAN_CITES_MAX 16

struct plan_revision {
    const char *version; /* "2027-01-15" or any short label, unique */
    const char *title;
    int64_t effective_at;              /* from when it governs new incidents */
    const char *approved_by;           /* the approving body, e.g. 领导小组 */
    const char *document;              /* path of the plan's text, or NULL */
    const char *note;                  /* may be NULL */
    const char *cites[PLAN_CITES_MAX]; /* what caused it: INC-…, RSK-…, a drill */
    size_t n_cites;
};

/* Records a version of the plan (leaders; the plan is interpreted and revised
 * by the leading group). The document goes to the object store. */
int plan_revise(struct store *st, const struct user *as, const struct plan_revision *in,
                struct err *e);
/* Every version, newest effective first, with the number of incidents each
 * governed. */
int plan_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);

/* ---- files kept with the records (P-1, P-4, A-1) -------------------------- */

enum prep_file_owner {
    PREP_FILE_CHECK_RUN, /* evidence of a security check: ref is the run's id */
    PREP_FILE_TRAINING,  /* a training's materials: ref is TRN-… */
    PREP_FILE_PLAN,      /* a plan version's document: ref is the version */
    PREP_FILE_OWNER_COUNT
};

#define PREP_FILE_MAX ((uint64_t)64 << 20)

const char *prep_file_owner_code(enum prep_file_owner o);
/* Keeps the file at path (a regular file, not followed through a symlink,
 * at most PREP_FILE_MAX) in the object store under name, for the record
 * ref; audited as file.add. Adding needs check.run, training.manage or
 * plan.revise; a plan version's first file becomes its document. */
int prep_file_add(struct store *st, const struct user *as, enum prep_file_owner o, const char *ref,
                  const char *path, const char *name, const char *note, int64_t *id, struct err *e);
/* The files of a record, oldest first: id, name, sha256, size, note, who, when. */
int prep_files_json(struct store *st, enum prep_file_owner o, const char *ref, json_t **out,
                    struct err *e);
/* Writes file id, its hash checked, to dest (created, never overwritten);
 * name receives its file name. */
int prep_file_export(struct store *st, const struct user *as, int64_t id, const char *dest,
                     char *name, size_t name_cap, struct err *e);

/* ---- backups (G-2, H-4) -------------------------------------------------- */

#define BACKUP_UNSET INT64_MIN

/* A job, or (for an edit) the fields to change: NULL strings and
 * BACKUP_UNSET or -1 numbers are left as they are. */
struct backup_job_new {
    const char *name;
    const char *path;    /* a directory (absolute), or */
    const char *command; /* a dump command whose standard output is kept */
    const char *dest;    /* where archives go (absolute) */
    const char *copy_dest;
    const char *key_file; /* seal archives with this key */
    const char *asset;
    int on_incident;    /* back up when an incident on the asset opens */
    int enabled;        /* edit only */
    int64_t interval_s; /* 0: by hand only; default one day */
    int64_t keep;       /* good archives kept; default 7 */
};

int backup_job_add(struct store *st, const struct user *as, const struct backup_job_new *in,
                   struct err *e);
int backup_job_edit(struct store *st, const struct user *as, const char *name,
                    const struct backup_job_new *in, struct err *e);
int backup_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);
/* One job with its archives, newest first. */
int backup_show_json(struct store *st, const struct user *as, const char *name, json_t **out,
                     struct err *e);
/* Asks for a run of the job (one waiting run is enough); writes its id. */
int backup_queue(struct store *st, const char *actor, const char *name, const char *reason,
                 int64_t *run_id, struct err *e);
/* H-4: queues the jobs of asset marked for incidents; adds their count. */
int backup_queue_incident(struct store *st, int64_t incident_id, const char *incident_ref,
                          const char *asset, int *queued, struct err *e);
/* Queues every scheduled job whose interval has passed. */
int backup_schedule(struct store *st, int64_t now, struct err *e);
/* The oldest waiting run, or 0. */
int backup_next_queued(struct store *st, int64_t *run_id, struct err *e);
/* Marks runs left running by a stopped tocsin as failed. */
int backup_recover(struct store *st, struct err *e);
/* Runs a waiting run: writes the archive, reads it back in full (it counts
 * as good only if every file matches), copies it, applies retention.
 * Returns an error when the archive could not be made; res->damaged when
 * it was made but does not read back. */
int backup_execute(struct store *st, int64_t run_id, const volatile int *stop,
                   struct bk_result *res, struct err *e);
/* Verifies (to NULL) or restores an archive of the job (archive 0: its
 * newest good one), recording the result; writes the archive's id. */
int backup_read(struct store *st, const char *actor, const char *name, int64_t archive,
                const char *to, int64_t *used, struct bk_result *res, struct err *e);

/* ---- drills (P-3, G-4) -------------------------------------------------------- */

#define DRILL_REF_LEN          16
#define DRILL_STEPS_MAX        64
#define DRILL_PARTICIPANTS_MAX 64
#define DRILL_SCRIPT_MAX       (64 * 1024)

/* One timed injection of a scenario script: "T+5m OA系统 equipment-failure down OA 停止响应". */
struct drill_step {
    int64_t offset_s;
    char asset[129]; /* "" for "-" */
    char category[160];
    char state[16]; /* "" for "-" */
    char summary[513];
};

/* Parses a script: one injection per line (T+TIME ASSET|- CATEGORY STATE|- WHAT),
 * '#' comments and blank lines ignored; errors name the line. */
int drill_script_parse(const char *text, size_t len, struct drill_step *steps, int max, int *n,
                       struct err *e);

struct drill_new {
    const char *title;
    const char *form;  /* tabletop, hands-on, demonstration (GB/T 38645-2020) */
    const char *scope; /* single, joint */
    const char *kind;  /* comprehensive, special */
    int64_t planned_at;
    const char *script;
    const char *participants[DRILL_PARTICIPANTS_MAX]; /* user names */
    size_t n_participants;
};

int drill_add(struct store *st, const struct user *as, const struct drill_new *in,
              char ref[DRILL_REF_LEN], struct err *e);
/* Starts the drill (T+0 now): injections fall due from here. */
int drill_start(struct store *st, const struct user *as, const char *ref, struct err *e);
int drill_finish(struct store *st, const struct user *as, const char *ref, struct err *e);
/* Feeds one due injection of a running drill through the real intake (as a
 * drill event); returns 1 when it fed one (call again), 0 when none is due. */
int drill_tick(struct store *st, int64_t now, struct err *e);
int drill_list_json(struct store *st, const struct user *as, json_t **out, struct err *e);
/* One drill: its participants, injections, the steps people took with their
 * timing against the plan's deadlines, and its findings. */
int drill_show_json(struct store *st, const struct user *as, const char *ref, json_t **out,
                    struct err *e);
int drill_finding_add(struct store *st, const struct user *as, const char *ref, const char *text,
                      const char *department, int64_t due_at, int64_t *id, struct err *e);
int drill_finding_done(struct store *st, const struct user *as, int64_t id, struct err *e);
/* A practice upward report for one of a started drill's incidents: text as
 * written, or (NULL) the first report to the city office in the official
 * layout, marked as practice; out receives it. Kept with the drill, never
 * among the incident's reports and never sent; its time is the drill's
 * step "upward report drafted", against the plan's deadline (W-4). */
int drill_report_draft(struct store *st, const struct user *as, const char *ref,
                       const char *incident, const char *text, int64_t *id, struct buf *out,
                       struct err *e);

#endif
