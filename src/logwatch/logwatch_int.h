/* What the files of logwatch share and nobody else sees. */
#ifndef TOCSIN_LOGWATCH_INT_H
#define TOCSIN_LOGWATCH_INT_H

#include "logwatch.h"

#include <errno.h>
#include <hs/hs.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct lw_rules {
    struct lw_rule *v;
    size_t n;
    hs_database_t *db;    /* every pattern, id = index into v */
    pcre2_code **confirm; /* [n], NULL where a rule does not confirm */
    int any_method;       /* some rule looks at the method */
    int any_new_script;   /* some rule needs the guard's new scripts */
};

/* FNV-1a, for hashing client addresses and paths. */
static inline uint64_t lw_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h ? h : 1;
}

#endif
