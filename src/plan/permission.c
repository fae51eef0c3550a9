/* Who may do what: the one role × action table of tocsin (O-2). The command
 * line and the API both ask permission_allows, so they cannot differ. */
#include "plan.h"

#define L (1u << ROLE_LEADER)
#define O (1u << ROLE_OFFICER)
#define D (1u << ROLE_DEPARTMENT)
#define U (1u << ROLE_AUDITOR)
#define A (1u << ROLE_ADMIN)

static const struct {
    struct action_info info;
    unsigned roles;
} actions[ACT_COUNT] = {
    [ACT_INCIDENT_REPORT] = {{"incident.report", "report an event as a new incident"}, L | O | D},
    [ACT_INCIDENT_OPEN] = {{"incident.open", "open an incident straight into the response"}, L | O},
    [ACT_INCIDENT_READ_ALL] = {{"incident.read-all", "see every incident"}, L | O | U},
    [ACT_INCIDENT_MANAGE] = {{"incident.manage", "set level, status, owner and flags"}, L | O},
    [ACT_TASK_MANAGE] = {{"task.manage", "add and assign tasks"}, L | O},
    [ACT_TASK_DONE] = {{"task.done", "finish one's own or one's department's task"}, L | O | D},
    [ACT_EVIDENCE_ADD] = {{"evidence.add", "add evidence to a visible incident"}, L | O | D},
    [ACT_EVIDENCE_EXPORT] = {{"evidence.export", "export evidence (recorded in custody)"},
                             L | O | U},
    [ACT_REPORT_MANAGE] = {{"report.manage", "edit upward reports and mark them sent"}, L | O},
    [ACT_STATEMENT_DRAFT] = {{"statement.draft", "draft a public statement and submit it"}, L | O},
    [ACT_STATEMENT_RELEASE] = {{"statement.release", "release an approved statement"}, L | O},
    [ACT_WARNING_DRAFT] = {{"warning.draft", "draft and submit warnings"}, L | O},
    [ACT_WARNING_PUBLISH_LOW] = {{"warning.publish-low", "publish yellow and blue warnings"},
                                 L | O},
    [ACT_WARNING_PUBLISH_HIGH] = {{"warning.publish-high",
                                   "publish red and orange warnings once approved"},
                                  L | O},
    [ACT_WARNING_LIFT] = {{"warning.lift", "lift a published warning"}, L | O},
    [ACT_APPROVE] = {{"approval.decide", "approve or reject warnings, statements, dispatch"}, L},
    [ACT_ASSESSMENT_MANAGE] = {{"assessment.manage", "write and complete assessments"}, L | O},
    [ACT_AUDIT_READ] = {{"audit.read", "read and verify the audit log"}, L | U | A},
    [ACT_USER_MANAGE] = {{"user.manage", "add, disable users and reset passwords"}, A},
    [ACT_EVENT_SUBMIT] = {{"event.submit", "submit security events for triage"}, L | O | D},
    [ACT_EVENT_READ] = {{"event.read", "see the events waiting for triage"}, L | O | U},
    [ACT_MONITOR_MANAGE] = {{"monitor.manage", "add, change and remove website monitors"}, O | A},
    [ACT_TRIAGE] = {{"triage.decide", "accept, merge, warn from or dismiss proposals"}, L | O},
    [ACT_INCIDENT_ACK] = {{"incident.ack", "acknowledge an incident, stopping its escalation"},
                          L | O},
    [ACT_NOTIFY_MANAGE] = {{"notify.manage", "configure notification channels and routes"}, A},
    [ACT_NOTIFY_READ] = {{"notify.read", "see the notifications sent, pending and failed"},
                         L | O | U | A},
    [ACT_SUPPLY_MANAGE] = {{"supply.manage", "keep the emergency-supplies store"}, L | O | A},
    [ACT_SUPPLY_DISPATCH] = {{"supply.dispatch", "request supplies for an incident and return "
                                                 "them"},
                             L | O},
    [ACT_HAZARD_REPORT] = {{"hazard.report", "enter a hidden danger in the register"}, L | O | D},
    [ACT_HAZARD_WORK] = {{"hazard.work", "remediate a hazard (a department: its own)"}, L | O | D},
    [ACT_HAZARD_VERIFY] = {{"hazard.verify", "verify a fixed hazard fixed by someone else"}, L | O},
    [ACT_RISK_ASSESS] = {{"risk.assess", "record risk assessments of assets"}, L | O},
    [ACT_CHECK_MANAGE] = {{"check.manage", "define security checklists and their schedule"}, L | O},
    [ACT_CHECK_RUN] = {{"check.run", "carry out security checks and record the results"}, L | O},
    [ACT_TRAINING_MANAGE] = {{"training.manage", "record training and publicity with attendance"},
                             L | O},
    [ACT_PLAN_REVISE] = {{"plan.revise", "record a new version of the emergency plan"}, L},
    [ACT_BACKUP_READ] = {{"backup.read", "see backup jobs and their archives"}, L | O | U | A},
    [ACT_BACKUP_MANAGE] = {{"backup.manage", "define backup jobs, run and verify backups"}, O | A},
    [ACT_DRILL_READ] = {{"drill.read", "see drills and their reports"}, L | O | U},
    [ACT_DRILL_MANAGE] = {{"drill.manage", "plan, run and report drills, record findings"}, L | O},
    [ACT_MONITOR_READ] = {{"monitor.read", "see the website monitors, their checks and findings"},
                          L | O | U | A},
    [ACT_GUARD_MANAGE] = {{"guard.manage",
                           "open publishing windows and accept changes in guarded web roots"},
                          O | A},
    [ACT_STATS_READ] = {{"stats.read", "see the year's statistics (drills left out)"}, L | O | U},
};

const struct action_info *action_info(enum action a)
{
    return (unsigned)a < ACT_COUNT ? &actions[a].info : NULL;
}

int permission_allows(enum role role, enum action action)
{
    if ((unsigned)role >= ROLE_COUNT || (unsigned)action >= ACT_COUNT)
        return 0;
    return (actions[action].roles >> role) & 1u;
}
