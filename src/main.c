/* The `tocsin` command: global options, then the subcommand. */
#include "cli/cli.h"

#include <pwd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv, struct err *e);
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create the data directory, database, config and first admin"},
    {"serve", cmd_serve, "the JSON API, /healthz and /metrics"},
    {"user", cmd_user, "add, list, disable users; change passwords"},
    {"audit", cmd_audit, "verify or list the hash-chained audit log"},
    {"incident", cmd_incident, "open and run incidents: level, status, tasks, evidence, reports"},
    {"warning", cmd_warning, "draft, approve, publish and lift warnings"},
    {"approval", cmd_approval, "list and decide approvals (leaders)"},
    {"assessment", cmd_assessment, "the post-incident assessment, due 30 days after closing"},
    {"due", cmd_due, "everything due or overdue"},
    {"stats", cmd_stats, "the year's statistics, drills left out"},
    {"asset", cmd_asset, "the systems the plan protects"},
    {"setting", cmd_setting, "change deadlines and level thresholds"},
    {"scan", cmd_scan, "integrity baseline of a web root; webshell scanning"},
    {"logscan", cmd_logscan, "detect attacks in web-server access logs"},
    {"monitor", cmd_monitor, "website monitors: add, list, show, edit, remove, run once"},
    {"event", cmd_event, "list and submit events; a department's short report"},
    {"triage", cmd_triage, "proposals: accept into incidents, warn, dismiss"},
    {"notify", cmd_notify, "notification channels, routes and the outbox"},
    {"supply", cmd_supply, "the emergency-supplies store: items, dispatch with approval"},
    {"backup", cmd_backup, "backups with verified restore: jobs, run, verify, restore"},
    {"drill", cmd_drill, "drills through the real pipeline: plan, script, run, report"},
    {"hazard", cmd_hazard, "the hazard register: hidden dangers to remediate and verify"},
    {"risk", cmd_risk, "risk assessments of assets on the 5×5 matrix"},
    {"checklist", cmd_checklist,
     "security checks: checklists, runs, results, failed items as hazards"},
    {"training", cmd_training, "training and publicity with attendance per department"},
    {"plan", cmd_plan, "the emergency plan's versions"},
    {"check", cmd_check,
     "check web pages once: availability, certificate, tampering, hidden links"},
    {"guard", cmd_guard, "protect web roots: detect changes, keep evidence, restore"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin [--data DIR] [--json] COMMAND [ARGS…]\n"
               "       tocsin --version | --help | COMMAND --help\n\n"
               "tocsin — network and information security emergency response.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nThe data directory is --data DIR, else $TOCSIN_DATA, else %s.\n"
            "Exit status: 0 fine, 1 findings, 2 usage or input error.\n",
            CLI_DEFAULT_DATA);
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    struct err e = {0};
    struct passwd *pw = getpwuid(geteuid());
    snprintf(cli.actor, sizeof(cli.actor), "cli:%s", pw ? pw->pw_name : "unknown");
    if (getenv("TOCSIN_DEBUG"))
        log_set_level(LOG_DEBUG);

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("tocsin %s\n", TOCSIN_VERSION);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            cli.json = 1;
        } else if (strcmp(a, "--data") == 0 && i + 1 < argc) {
            cli.data_opt = argv[++i];
        } else if (strncmp(a, "--data=", 7) == 0) {
            cli.data_opt = a + 7;
        } else {
            fprintf(stderr, "tocsin: unknown option '%s' (see tocsin --help)\n", a);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
        if (strcmp(commands[k].name, name) != 0)
            continue;
        int rc = commands[k].run(&cli, argc - i - 1, argv + i + 1, &e);
        if (rc < 0) {
            /* Usage messages already name the command ("tocsin user add: …"). */
            const char *msg = e.msg[0] ? e.msg : err_code_name(rc);
            fprintf(stderr, "%s%s\n", strncmp(msg, "tocsin ", 7) == 0 ? "" : "tocsin: ", msg);
            return err_exit_status(rc);
        }
        return rc;
    }
    fprintf(stderr, "tocsin: unknown command '%s' (see tocsin --help)\n", name);
    return 2;
}
