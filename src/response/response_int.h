/* Internals shared by the files of src/response; not for other modules. */
#ifndef TOCSIN_RESPONSE_INT_H
#define TOCSIN_RESPONSE_INT_H

#include "response.h"

/* The columns of an incident that the domain rules look at. */
struct incident_row {
    int64_t id;
    char ref[24];
    char title[256];
    char category[64];    /* "network-attack" */
    char subcategory[64]; /* "" when none */
    enum level level;     /* LEVEL_NONE while ungraded */
    enum level proposed;  /* LEVEL_NONE when no proposal */
    enum incident_status status;
    char owner_department[129];
    char owner_user[USER_NAME_MAX + 1];
    char reported_by[USER_NAME_MAX + 8];
    char reporter_department[129];
    int is_sabotage, is_crime, is_drill;
    int64_t started_at, created_at, closed_at; /* closed_at 0 while open */
};

/* Commits when rc is 0, else rolls back; returns rc (or the commit's error). */
int resp_finish(struct store *st, int rc, struct err *e);
/* Loads an incident by reference and checks that `as` may see it. */
int incident_load(struct store *st, const struct user *as, const char *ref,
                  struct incident_row *row, struct err *e);
/* Begins a write transaction and loads the incident; on failure nothing is
 * left open. The common opening of every change to an incident. */
int incident_begin(struct store *st, const struct user *as, const char *ref,
                   struct incident_row *row, struct err *e);
int incident_load_id(struct store *st, int64_t id, struct incident_row *row, struct err *e);
/* 1 when the user may see the incident (departments see their own). */
int incident_visible(const struct user *as, const struct incident_row *row);
/* The level that drives obligations: the confirmed one, else the proposal. */
enum level incident_effective_level(const struct incident_row *row);
/* Adds a timeline entry (inside the caller's transaction). */
int timeline_add(struct store *st, int64_t incident_id, const char *actor, const char *kind,
                 struct err *e, const char *fmt, ...) PRINTF_LIKE(6, 7);
/* The year of `ms` in the organisation's time zone (the process's TZ). */
int local_year(int64_t ms);
/* Checks one-line or multi-line user text: UTF-8, bounded, no NUL. */
int text_check(const char *what, const char *s, size_t max, int multiline, struct err *e);

/* Checks a new owner: a department name and/or an existing user, at least one. */
int owner_check(struct store *st, const char *department, const char *person, struct err *e);

/* Creates the first upward reports an incident now owes, and the final ones
 * once it is closed (W-4, H-2). Inside the caller's transaction. */
int reports_sync(struct store *st, const struct incident_row *row, const char *actor,
                 struct err *e);
/* Adds the playbook's tasks (H-1) for the incident. */
int playbook_instantiate(struct store *st, const struct incident_row *row, struct err *e);
int task_insert(struct store *st, int64_t incident_id, int64_t warning_id, const char *code,
                const char *title, const char *clause, enum role owner, const char *department,
                const char *assignee, int64_t due_at, int is_mandatory, struct err *e);

#endif
