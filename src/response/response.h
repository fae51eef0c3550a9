/*
 * response — the people and lifecycles of the emergency response: users and
 * their roles now; incidents, warnings, tasks, evidence, approvals, upward
 * reports, statements and assessments as the plan core lands.
 *
 * Every change is made in one transaction together with its audit entry.
 * Parameters are borrowed; `actor` names who acts ("cli:root", a user name).
 */
#ifndef TOCSIN_RESPONSE_H
#define TOCSIN_RESPONSE_H

#include "../plan/plan.h"
#include "../store/store.h"

#define USER_NAME_MAX 32
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
int user_set_password(struct store *st, const char *actor, const char *name,
                      const char *password, struct err *e);
int user_set_disabled(struct store *st, const char *actor, const char *name, int is_disabled,
                      struct err *e);
/* 0 when name exists, is enabled and the password matches; ERR_DENIED
 * otherwise, without saying which of these failed. */
int user_authenticate(struct store *st, const char *name, const char *password, struct user *out,
                      struct err *e);
/* Calls fn for every user in name order; fn returns non-zero to stop. */
int user_each(struct store *st, int (*fn)(const struct user *u, void *arg), void *arg,
              struct err *e);

#endif
