/* The roles (plan O-2). Later issues add the permission table beside them. */
#include "plan.h"

#include <string.h>

static const struct role_info roles[ROLE_COUNT] = {
    [ROLE_LEADER] = {"leader", "领导小组", "leading group"},
    [ROLE_OFFICER] = {"officer", "领导组办公室", "duty officer"},
    [ROLE_DEPARTMENT] = {"department", "部门", "department"},
    [ROLE_AUDITOR] = {"auditor", "审计员", "auditor"},
    [ROLE_ADMIN] = {"admin", "系统管理员", "administrator"},
};

const struct role_info *role_info(enum role r)
{
    return (unsigned)r < ROLE_COUNT ? &roles[r] : NULL;
}

int role_parse(const char *code, enum role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (strcmp(roles[i].code, code) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return -1;
}

const char *role_codes_list(void)
{
    static char list[128];
    if (!list[0]) {
        for (int i = 0; i < ROLE_COUNT; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, roles[i].code);
        }
    }
    return list;
}
