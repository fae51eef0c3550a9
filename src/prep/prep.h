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
                    const char *incident, const char *reason, int64_t *approval_id,
                    struct err *e);
/* Puts back quantity of an issued dispatch; the dispatch is returned once all
 * of it is back. */
int supply_return(struct store *st, const struct user *as, int64_t dispatch_id, int64_t quantity,
                  struct err *e);

#endif
