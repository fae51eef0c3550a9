/* The incident lifecycle, playbooks and deadlines of plan §6–§7. */
#include "plan.h"

#include <string.h>

/* ---- statuses ----------------------------------------------------------- */

static const struct {
    const char *code, *zh;
} statuses[INC_STATUS_COUNT] = {
    [INC_REPORTED] = {"reported", "已报告"},     [INC_TRIAGED] = {"triaged", "已研判"},
    [INC_RESPONDING] = {"responding", "处置中"}, [INC_CONTAINED] = {"contained", "已控制"},
    [INC_RECOVERED] = {"recovered", "已恢复"},   [INC_CLOSED] = {"closed", "已结束"},
    [INC_ASSESSED] = {"assessed", "已评估"},
};

const char *incident_status_code(enum incident_status s)
{
    return (unsigned)s < INC_STATUS_COUNT ? statuses[s].code : "";
}

const char *incident_status_zh(enum incident_status s)
{
    return (unsigned)s < INC_STATUS_COUNT ? statuses[s].zh : "";
}

int incident_status_parse(const char *s, enum incident_status *out)
{
    for (int i = 0; i < INC_STATUS_COUNT; i++) {
        if (strcmp(s, statuses[i].code) == 0) {
            *out = (enum incident_status)i;
            return 0;
        }
    }
    return -1;
}

/* Forward one step at a time, with three exceptions the work needs: a report
 * found to be nothing is closed straight away, a response that restores
 * service at once skips "contained", and a closed incident may be reopened. */
int incident_transition_allowed(enum incident_status from, enum incident_status to)
{
    static const unsigned char allowed[INC_STATUS_COUNT][INC_STATUS_COUNT] = {
        [INC_REPORTED] = {[INC_TRIAGED] = 1, [INC_CLOSED] = 1},
        [INC_TRIAGED] = {[INC_RESPONDING] = 1, [INC_CLOSED] = 1},
        [INC_RESPONDING] = {[INC_CONTAINED] = 1, [INC_RECOVERED] = 1},
        [INC_CONTAINED] = {[INC_RECOVERED] = 1},
        [INC_RECOVERED] = {[INC_CLOSED] = 1},
        [INC_CLOSED] = {[INC_RESPONDING] = 1},
    };
    if ((unsigned)from >= INC_STATUS_COUNT || (unsigned)to >= INC_STATUS_COUNT)
        return 0;
    return allowed[from][to];
}

/* ---- playbooks ------------------------------------------------------------ */

#define H (PLAN_HOUR_MS)

struct playbook_row {
    struct playbook_task task;
    const char *category;   /* only for this category code; NULL for all */
    enum level worst_level; /* only for levels at least this serious; LEVEL_NONE for all */
};

static const struct playbook_row playbook[] = {
    {{"contain", "控制事态，防止蔓延", "contain the event and stop it spreading", ROLE_OFFICER,
      1 * H, 1, "H-3"},
     NULL,
     LEVEL_NONE},
    {{"block-source", "封堵攻击来源", "block the source of the attack", ROLE_OFFICER, 1 * H, 1,
      "H-3"},
     "network-attack",
     LEVEL_NONE},
    {{"isolate", "隔离受感染主机，清除有害程序", "isolate infected hosts and remove the program",
      ROLE_OFFICER, 2 * H, 1, "H-3"},
     "harmful-program",
     LEVEL_NONE},
    {{"remove-content", "删除违法有害信息和暗链", "remove the harmful content and hidden links",
      ROLE_OFFICER, 1 * H, 1, "H-3"},
     "content-security",
     LEVEL_NONE},
    {{"strengthen", "加强防范措施，阻止事件扩散", "strengthen defences", ROLE_OFFICER, 2 * H, 1,
      "H-3"},
     NULL,
     LEVEL_NONE},
    {{"backup", "备份受影响系统的数据", "back up the affected data", ROLE_DEPARTMENT, 2 * H, 1,
      "H-4"},
     NULL,
     LEVEL_NONE},
    {{"protect-equipment", "保护设备设施", "protect the equipment", ROLE_DEPARTMENT, 4 * H, 1,
      "H-4"},
     "equipment-failure",
     LEVEL_NONE},
    {{"protect-equipment", "保护设备设施", "protect the equipment", ROLE_DEPARTMENT, 4 * H, 1,
      "H-4"},
     "disaster",
     LEVEL_NONE},
    {{"evidence", "保全证据（日志、页面、文件）", "preserve the evidence", ROLE_OFFICER, 4 * H, 1,
      "H-5"},
     NULL,
     LEVEL_NONE},
    {{"hidden-dangers", "排查安全隐患", "find the hidden dangers", ROLE_DEPARTMENT, 24 * H, 1,
      "H-4"},
     NULL,
     LEVEL_NONE},
    {{"restore", "尽快恢复系统正常运行", "restore normal operation", ROLE_DEPARTMENT, 8 * H, 1,
      "H-4"},
     NULL,
     LEVEL_NONE},
    {{"statement", "依据处置结果发布信息（须经批准）",
      "publish information on the outcome (after approval)", ROLE_OFFICER, 24 * H, 0, "H-6"},
     NULL,
     LEVEL_III},
};

static const struct playbook_task sabotage_task = {"police-contact",
                                                   "联系市公安局、保密局",
                                                   "contact the city police and secrecy bureau",
                                                   ROLE_OFFICER,
                                                   1 * H,
                                                   1,
                                                   "H-5"};

const struct playbook_task *playbook_sabotage_task(void)
{
    return &sabotage_task;
}

size_t playbook_tasks(const struct category *cat, enum level level, int is_sabotage,
                      const struct playbook_task **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(playbook) / sizeof(playbook[0]) && n < max; i++) {
        const struct playbook_row *r = &playbook[i];
        if (r->category && (!cat || strcmp(r->category, cat->code) != 0))
            continue;
        /* An ungraded incident gets the tasks of every level until graded. */
        if (r->worst_level != LEVEL_NONE && level != LEVEL_NONE && level > r->worst_level)
            continue;
        out[n++] = &r->task;
    }
    if (is_sabotage && n < max)
        out[n++] = &sabotage_task;
    return n;
}

/* ---- deadlines ------------------------------------------------------------ */

static const struct deadline_info deadlines[DL_COUNT] = {
    [DL_ACK_REPORT] = {"deadline.ack_report", "确认部门报告", "acknowledge a department's report",
                       30 * PLAN_MINUTE_MS, "O-3"},
    [DL_CITY_OFFICE] = {"deadline.city_office", "向市网络安全应急办公室首报",
                        "first report to the city network-security emergency office", 1 * H, "W-4"},
    [DL_CITY_COMMAND] = {"deadline.city_command", "向市应急指挥部报告",
                         "report to the city emergency command", 1 * H, "H-2"},
    [DL_CAC] = {"deadline.cac", "向省网信部门报告",
                "report to the provincial cyberspace administration", 4 * H, "W-4"},
    [DL_POLICE] = {"deadline.police", "向公安机关报告", "report to the public security bureau",
                   2 * H, "H-5"},
    [DL_FINAL_REPORT] = {"deadline.final_report", "处置结束后报送总结报告",
                         "final summary after handling ends", 30 * PLAN_DAY_MS, "W-4"},
    [DL_ASSESSMENT] = {"deadline.assessment", "应急结束后完成评估",
                       "assessment after the response ends", 30 * PLAN_DAY_MS, "H-7"},
    [DL_ESCALATION] = {"deadline.escalation", "重大及以上事件确认",
                       "acknowledge a level II+ incident before escalation", 15 * PLAN_MINUTE_MS,
                       "H-1"},
};

const struct deadline_info *deadline_info(enum deadline d)
{
    return (unsigned)d < DL_COUNT ? &deadlines[d] : NULL;
}

int deadline_parse_setting(const char *setting, enum deadline *out)
{
    for (int i = 0; i < DL_COUNT; i++) {
        if (strcmp(setting, deadlines[i].setting) == 0) {
            *out = (enum deadline)i;
            return 0;
        }
    }
    return -1;
}

static const struct recipient_info recipients[RCP_COUNT] = {
    [RCP_CITY_OFFICE] = {"city-office", "市网络安全应急办公室",
                         "city network-security emergency office", DL_CITY_OFFICE},
    [RCP_CITY_COMMAND] = {"city-command", "市应急指挥部", "city emergency command",
                          DL_CITY_COMMAND},
    [RCP_CAC] = {"cac", "省网信办", "provincial cyberspace administration", DL_CAC},
    [RCP_POLICE] = {"police", "市公安局", "public security bureau", DL_POLICE},
};

const struct recipient_info *recipient_info(enum recipient r)
{
    return (unsigned)r < RCP_COUNT ? &recipients[r] : NULL;
}

int recipient_parse(const char *code, enum recipient *out)
{
    for (int i = 0; i < RCP_COUNT; i++) {
        if (strcmp(code, recipients[i].code) == 0) {
            *out = (enum recipient)i;
            return 0;
        }
    }
    return -1;
}

int recipient_required(enum recipient r, enum level level, int is_crime_suspected, int is_drill)
{
    if (is_drill)
        return 0;
    int iii_or_above = level != LEVEL_NONE && level <= LEVEL_III;
    switch (r) {
    case RCP_CITY_OFFICE:
    case RCP_CAC:
        return iii_or_above;
    case RCP_CITY_COMMAND:
        return level == LEVEL_I;
    case RCP_POLICE:
        return is_crime_suspected;
    default:
        return 0;
    }
}
