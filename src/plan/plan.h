/*
 * plan — the organisation's emergency plan as code, with no I/O: who does
 * what (roles, O-2), and, as the plan grows into code, categories, levels,
 * colours, level rules, playbooks and deadlines.
 *
 * Everything here is a constant table or a pure function over one.
 */
#ifndef TOCSIN_PLAN_H
#define TOCSIN_PLAN_H

/* The roles of plan §5 (O-2), plus the auditor and the administrator. */
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

#endif
