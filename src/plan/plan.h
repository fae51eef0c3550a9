/*
 * plan — the organisation's emergency plan as code, with no I/O: roles and
 * what each may do (O-2), categories (S-2), levels and warning colours (L-1,
 * W-1), the level rules (L-2), playbooks (H-1, H-3…H-6), the lifecycle of an
 * incident, and deadlines (O-3, W-4, H-2, H-7).
 *
 * Everything here is a constant table or a pure function over one; times are
 * passed in, never read from a clock. Strings returned are static.
 */
#ifndef TOCSIN_PLAN_H
#define TOCSIN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define PLAN_MINUTE_MS ((int64_t)60 * 1000)
#define PLAN_HOUR_MS   (60 * PLAN_MINUTE_MS)
#define PLAN_DAY_MS    (24 * PLAN_HOUR_MS)

/* ---- roles (O-2) ------------------------------------------------------ */

enum role {
    ROLE_LEADER,     /* leading group: approves red/orange warnings, statements, dispatch */
    ROLE_OFFICER,    /* leading-group office, the duty officer: runs the response */
    ROLE_DEPARTMENT, /* a department: reports events, carries out its tasks */
    ROLE_AUDITOR,    /* reads everything, changes nothing */
    ROLE_ADMIN,      /* users, settings, integrations */
    ROLE_COUNT
};

struct role_info {
    const char *code; /* stable name used on the command line and in the database */
    const char *zh;   /* name shown to users in Chinese */
    const char *en;   /* name shown to users in English */
};

const struct role_info *role_info(enum role r);
/* Parses a role code; -1 when unknown. */
int role_parse(const char *code, enum role *out);
/* "leader, officer, department, auditor, admin", for messages. */
const char *role_codes_list(void);

/* ---- permissions ------------------------------------------------------ */

/* Everything a person can do, each allowed to some roles by one table
 * (permission.c), published as docs/permissions.md. */
enum action {
    ACT_INCIDENT_REPORT,   /* open an incident as a report (department) */
    ACT_INCIDENT_OPEN,     /* open an incident directly into the response */
    ACT_INCIDENT_READ_ALL, /* see every incident, not only one's department's */
    ACT_INCIDENT_MANAGE,   /* level, status, assignment, flags */
    ACT_TASK_MANAGE,       /* add and assign tasks */
    ACT_TASK_DONE,         /* finish a task assigned to one's department or oneself */
    ACT_EVIDENCE_ADD,
    ACT_EVIDENCE_EXPORT,
    ACT_REPORT_MANAGE, /* upward reports: edit, mark sent */
    ACT_STATEMENT_DRAFT,
    ACT_STATEMENT_RELEASE,
    ACT_WARNING_DRAFT,
    ACT_WARNING_PUBLISH_LOW,  /* publish yellow and blue without approval (a setting) */
    ACT_WARNING_PUBLISH_HIGH, /* publish red and orange once approved */
    ACT_WARNING_LIFT,
    ACT_APPROVE, /* decide approvals addressed to leaders */
    ACT_ASSESSMENT_MANAGE,
    ACT_AUDIT_READ,
    ACT_USER_MANAGE,
    ACT_EVENT_SUBMIT,    /* submit security events for triage */
    ACT_EVENT_READ,      /* see the events waiting for triage */
    ACT_MONITOR_MANAGE,  /* add, change, remove website monitors */
    ACT_TRIAGE,          /* accept, merge, warn from or dismiss proposals */
    ACT_INCIDENT_ACK,    /* acknowledge an incident, which stops its escalation */
    ACT_NOTIFY_MANAGE,   /* notification channels and routes */
    ACT_NOTIFY_READ,     /* see the outbox: what was sent, what failed */
    ACT_SUPPLY_MANAGE,   /* keep the emergency-supplies store */
    ACT_SUPPLY_DISPATCH, /* request supplies for an incident, return them */
    ACT_HAZARD_REPORT,   /* enter a hazard in the register */
    ACT_HAZARD_WORK,     /* move a hazard to remediating or fixed (one's department's) */
    ACT_HAZARD_VERIFY,   /* verify a fixed hazard (not one's own fix) */
    ACT_RISK_ASSESS,     /* record risk assessments of assets */
    ACT_CHECK_MANAGE,    /* define security checklists */
    ACT_CHECK_RUN,       /* carry out security checks and record results */
    ACT_TRAINING_MANAGE, /* record training and publicity with attendance */
    ACT_PLAN_REVISE,     /* record a new version of the emergency plan */
    ACT_BACKUP_READ,     /* see backup jobs and their archives */
    ACT_BACKUP_MANAGE,   /* define backup jobs, run and verify backups */
    ACT_DRILL_READ,      /* see drills and their reports */
    ACT_DRILL_MANAGE,    /* plan, run and report drills, record findings */
    ACT_MONITOR_READ,    /* see the website monitors, their checks and findings */
    ACT_GUARD_MANAGE,    /* open publishing windows and accept changes in guarded roots */
    ACT_STATS_READ,      /* the year's statistics, drills left out */
    ACT_COUNT
};

struct action_info {
    const char *code; /* "incident.open" */
    const char *en;   /* what it lets one do */
};

const struct action_info *action_info(enum action a);
/* 1 when role may perform action. */
int permission_allows(enum role role, enum action action);

/* ---- categories (S-2) ------------------------------------------------- */

/* The national classification of GB/T 20986-2023, for reports that ask. */
enum gbt_class {
    GBT_MALWARE,       /* 恶意程序事件 */
    GBT_ATTACK,        /* 网络攻击事件 */
    GBT_DATA,          /* 数据安全事件 */
    GBT_CONTENT,       /* 信息内容安全事件 */
    GBT_FAILURE,       /* 设备设施故障事件 */
    GBT_VIOLATION,     /* 违规操作事件 */
    GBT_HAZARD,        /* 安全隐患事件 */
    GBT_ABNORMAL,      /* 异常行为事件 */
    GBT_FORCE_MAJEURE, /* 不可抗力事件 */
    GBT_OTHER,         /* 其他事件 */
    GBT_COUNT
};

struct subcategory {
    const char *code; /* "scanning"; the full code is "network-attack/scanning" */
    const char *zh, *en;
    enum gbt_class gbt;
};

struct category {
    const char *code; /* "network-attack" */
    const char *zh, *en;
    const struct subcategory *subs; /* ends with a NULL code */
};

/* The seven categories, in the plan's order; ends with a NULL code. */
const struct category *category_all(void);
/* Parses "network-attack" or "network-attack/scanning". *sub is NULL when no
 * sub-category was given. -1 when unknown. */
int category_parse(const char *code, const struct category **cat, const struct subcategory **sub);
const char *gbt_class_zh(enum gbt_class c);

/* ---- levels and colours (L-1, W-1) ------------------------------------ */

enum level { LEVEL_NONE = 0, LEVEL_I = 1, LEVEL_II, LEVEL_III, LEVEL_IV };
enum colour { COLOUR_NONE = 0, COLOUR_RED = 1, COLOUR_ORANGE, COLOUR_YELLOW, COLOUR_BLUE };

const char *level_code(enum level l); /* "I" … "IV", "" for none */
const char *level_zh(enum level l);   /* 特别重大 … 一般 */
const char *level_en(enum level l);
int level_parse(const char *s, enum level *out);
/* 1 when a is more serious than b (LEVEL_NONE is the least serious). */
int level_above(enum level a, enum level b);

const char *colour_code(enum colour c); /* "red" … */
const char *colour_zh(enum colour c);   /* 红色 … */
int colour_parse(const char *s, enum colour *out);
/* Red for level I, orange II, yellow III, blue IV (W-1). */
enum colour colour_for_level(enum level l);
enum level level_for_colour(enum colour c);

/* ---- level assessment (L-2) ------------------------------------------- */

enum asset_kind { ASSET_PORTAL, ASSET_OA, ASSET_SERVER, ASSET_DATABASE, ASSET_DOMAIN, ASSET_OTHER };
enum asset_importance { IMPORTANCE_CORE, IMPORTANCE_IMPORTANT, IMPORTANCE_GENERAL };
enum asset_state {
    STATE_OK,
    STATE_DEGRADED, /* slow or partly failing */
    STATE_DOWN,     /* unable to do its business */
    STATE_TAMPERED, /* content changed by an attacker */
    STATE_LEAKED,   /* data left the organisation */
    STATE_LOST      /* data destroyed */
};

const char *asset_kind_code(enum asset_kind k);
int asset_kind_parse(const char *s, enum asset_kind *out);
const char *asset_importance_code(enum asset_importance i);
int asset_importance_parse(const char *s, enum asset_importance *out);
const char *asset_state_code(enum asset_state s);
int asset_state_parse(const char *s, enum asset_state *out);

struct impact_asset {
    const char *name;
    enum asset_kind kind;
    enum asset_importance importance;
    enum asset_state state;
    int64_t duration_min; /* how long in this state so far */
};

#define IMPACT_MAX_ASSETS 16

struct impact {
    struct impact_asset assets[IMPACT_MAX_ASSETS];
    size_t n_assets;
    int64_t personal_records; /* personal information records leaked or lost */
    int64_t pages_tampered;   /* pages of a public site changed */
    int is_public;            /* the public can see the damage */
};

/* The thresholds an organisation may change (settings level.*). */
struct level_thresholds {
    int64_t down_long_min;     /* a core system down this long → II (default 120) */
    int64_t degraded_long_min; /* a core system degraded this long → III (default 60) */
    int64_t records_iii;       /* personal records leaked → III (default 1,000,000) */
    int64_t records_ii;        /* → II (default 10,000,000) */
    int64_t records_i;         /* → I (default 100,000,000) */
};

void level_thresholds_default(struct level_thresholds *t);

#define LEVEL_MAX_REASONS 12

struct level_reason {
    const char *rule; /* stable rule id, e.g. "both-core-down" */
    enum level level;
    char zh[256]; /* why, in the plan's words, with the facts */
    char en[256];
};

struct level_assessment {
    enum level level; /* the highest any rule gave; LEVEL_IV when no impact */
    struct level_reason reasons[LEVEL_MAX_REASONS];
    size_t n_reasons;
};

/* Proposes a level from the facts; every rule that fired is listed. */
void level_assess(const struct impact *im, const struct level_thresholds *t,
                  struct level_assessment *out);

/* ---- incident lifecycle ------------------------------------------------- */

enum incident_status {
    INC_REPORTED,
    INC_TRIAGED,
    INC_RESPONDING,
    INC_CONTAINED,
    INC_RECOVERED,
    INC_CLOSED,
    INC_ASSESSED,
    INC_STATUS_COUNT
};

const char *incident_status_code(enum incident_status s);
const char *incident_status_zh(enum incident_status s);
int incident_status_parse(const char *s, enum incident_status *out);
/* 1 when the plan allows moving from `from` to `to` by a status change.
 * Reaching `assessed` goes only through a completed assessment. */
int incident_transition_allowed(enum incident_status from, enum incident_status to);

/* ---- playbooks (H-1, H-3, H-4, H-5, H-6) ----------------------------- */

struct playbook_task {
    const char *code; /* "contain" */
    const char *zh, *en;
    enum role owner;    /* default owner role */
    int64_t due_ms;     /* deadline after the incident's start */
    int is_mandatory;   /* closing with it open needs an override */
    const char *clause; /* the plan clause it comes from */
};

#define PLAYBOOK_MAX 16

/* The tasks the plan demands for an incident of this category and level;
 * sabotage adds the police and secrecy-bureau contact (H-5). Returns the count. */
size_t playbook_tasks(const struct category *cat, enum level level, int is_sabotage,
                      const struct playbook_task **out, size_t max);
/* The contact task that the sabotage flag adds. */
const struct playbook_task *playbook_sabotage_task(void);

/* ---- deadlines (O-3, W-4, H-2, H-7) ---------------------------------- */

enum deadline {
    DL_ACK_REPORT,   /* acknowledge a department's report (O-3) */
    DL_CITY_OFFICE,  /* first report to the city network-security emergency office (W-4) */
    DL_CITY_COMMAND, /* level I: the city emergency command (H-2) */
    DL_CAC,          /* provincial cyberspace administration, national reporting rules */
    DL_POLICE,       /* public security bureau when a crime is suspected */
    DL_FINAL_REPORT, /* final summary after handling ends */
    DL_ASSESSMENT,   /* post-incident assessment after the response ends (H-7) */
    DL_ESCALATION,   /* level II+ not acknowledged */
    DL_COUNT
};

struct deadline_info {
    const char *setting; /* "deadline.cac" */
    const char *zh, *en;
    int64_t default_ms;
    const char *clause;
};

const struct deadline_info *deadline_info(enum deadline d);
int deadline_parse_setting(const char *setting, enum deadline *out);

/* Upward-report recipients: who must hear of an incident, and by when. */
enum recipient { RCP_CITY_OFFICE, RCP_CITY_COMMAND, RCP_CAC, RCP_POLICE, RCP_COUNT };

struct recipient_info {
    const char *code; /* "city-office" */
    const char *zh, *en;
    enum deadline first_deadline;
};

const struct recipient_info *recipient_info(enum recipient r);
int recipient_parse(const char *code, enum recipient *out);
/* 1 when an incident of this (confirmed or proposed) level must be reported
 * to r. Drills are never reported upward. */
int recipient_required(enum recipient r, enum level level, int is_crime_suspected, int is_drill);

#endif
