/* tocsin checklist …: security checks (P-1). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char checklist_usage[] =
    "usage: tocsin checklist add NAME --schedule daily|weekly|monthly|once [--date TIME]\n"
    "                            [--item TEXT [--expect TEXT]]… [--auto CODE]…\n"
    "       tocsin checklist list\n"
    "       tocsin checklist run NAME                 (prints the run's id)\n"
    "       tocsin checklist record RUN ITEM pass|fail|na [--note TEXT]\n"
    "       tocsin checklist finish RUN\n"
    "       tocsin checklist show RUN\n"
    "       tocsin checklist hazard RUN ITEM --department NAME --severity S --deadline TIME\n"
    "\n"
    "Items are numbered from 1: the --item ones in order (the n-th --expect is the n-th\n"
    "item's), then the automatic ones, which tocsin fills when a run starts: monitors-up, "
    "certs-30d,\n"
    "guard-intact, no-overdue-tasks, no-overdue-hazards. 'finish' needs every item's result;\n"
    "a failed item becomes a hazard with 'hazard'. Every form takes --as USER, --json, --data.\n";

static int ck_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    struct checklist_new in = {0};
    const char *as = NULL, *schedule = NULL, *date = NULL;
    const char *item[CHECK_ITEMS_MAX], *expect[CHECK_ITEMS_MAX], *autos[CHECK_ITEMS_MAX];
    int ni = 0, ne = 0, na = 0;
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("schedule", &schedule),
                               OPT_V("date", &date),
                               OPT_M("item", item, &ni),
                               OPT_M("expect", expect, &ne),
                               OPT_M("auto", autos, &na),
                               OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "checklist add", opts, argc, argv, pos, 1, "the checklist's NAME", e);
    if (rc || cli->help)
        return rc;
    if (ne && ne != ni)
        return err_set(e, ERR_USAGE,
                       "tocsin checklist add: give every --item its --expect, or "
                       "none");
    if (ni + na > CHECK_ITEMS_MAX)
        return err_set(e, ERR_USAGE, "a checklist has at most %d items", CHECK_ITEMS_MAX);
    for (int i = 0; i < ni; i++)
        in.items[in.n_items++] = (struct check_item){item[i], ne ? expect[i] : NULL, NULL};
    for (int i = 0; i < na; i++)
        in.items[in.n_items++] = (struct check_item){NULL, NULL, autos[i]};
    in.name = pos[0];
    if (!schedule || check_schedule_parse(schedule, &in.schedule) != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin checklist add: --schedule is daily, weekly, monthly or once");
    if (in.schedule == CHECK_ONCE && (rc = cli_time("--date", date, &in.due_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = checklist_add(st, &u, &in, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("checklist %s: %zu items, %s\n", pos[0], in.n_items, schedule);
    return rc;
}

static int ck_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "checklist list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = checklist_list_json(st, &u, &items, e);
    store_close(st);
    if (!rc)
        cli_print_json(items);
    return rc;
}

static int ck_run(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "checklist run", opts, argc, argv, pos, 1, "the checklist's NAME", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    int64_t run = 0;
    rc = check_run_start(st, &u, pos[0], &run, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:I}", "run", (json_int_t)run))
                  : (void)printf("%lld\n", (long long)run);
    return rc;
}

static int run_and_item(const char *r, const char *i, int64_t *run, int *item, struct err *e)
{
    int64_t v = 0;
    int rc = cli_id("the run", r, run, e);
    if (!rc && i)
        rc = cli_id("the item", i, &v, e);
    if (!rc && i && v > CHECK_ITEMS_MAX)
        rc = err_set(e, ERR_USAGE, "no item %lld", (long long)v);
    *item = (int)v;
    return rc;
}

static int ck_record(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *note = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("note", &note), OPT_END};
    char *pos[3];
    int rc =
        opt_parse_n(cli, "checklist record", opts, argc, argv, pos, 3, "RUN, ITEM and RESULT", e);
    if (rc || cli->help)
        return rc;
    int64_t run;
    int item;
    if ((rc = run_and_item(pos[0], pos[1], &run, &item, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = check_run_record(st, &u, run, item, pos[2], note, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("run %lld item %d: %s\n", (long long)run, item, pos[2]);
    return rc;
}

static int ck_finish_or_show(struct cli *cli, int argc, char **argv, int finish, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, finish ? "checklist finish" : "checklist show", opts, argc, argv, pos,
                         1, "the RUN", e);
    if (rc || cli->help)
        return rc;
    int64_t run;
    int item;
    if ((rc = run_and_item(pos[0], NULL, &run, &item, e)) != 0)
        return rc;
    struct store *st;
    struct user u = {.role = ROLE_AUDITOR};
    if (finish)
        rc = cli_open_as(cli, as, &st, &u, e);
    else {
        struct config cfg;
        rc = cli_open(cli, &st, &cfg, e);
    }
    if (rc)
        return rc;
    if (finish)
        rc = check_run_finish(st, &u, run, e);
    json_t *o = NULL;
    if (!rc)
        rc = check_run_show_json(st, &u, run, &o, e);
    store_close(st);
    if (rc)
        return rc;
    if (finish && !cli->json) {
        printf("run %lld: %s\n", (long long)run, json_string_value(json_object_get(o, "result")));
        json_decref(o);
        return 0;
    }
    cli_print_json(o);
    return 0;
}

static int ck_finish(struct cli *cli, int argc, char **argv, struct err *e)
{
    return ck_finish_or_show(cli, argc, argv, 1, e);
}

static int ck_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    return ck_finish_or_show(cli, argc, argv, 0, e);
}

static int ck_hazard(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *dept = NULL, *severity = NULL, *deadline = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("department", &dept),
                               OPT_V("severity", &severity), OPT_V("deadline", &deadline), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "checklist hazard", opts, argc, argv, pos, 2, "RUN and ITEM", e);
    if (rc || cli->help)
        return rc;
    int64_t run, when = 0;
    int item;
    enum hazard_severity sev;
    if ((rc = run_and_item(pos[0], pos[1], &run, &item, e)) != 0)
        return rc;
    if (!severity || hazard_severity_parse(severity, &sev) != 0)
        return err_set(e, ERR_USAGE, "--severity is low, medium, high or critical");
    if ((rc = cli_time("--deadline", deadline, &when, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[HAZARD_REF_LEN];
    rc = check_run_hazard(st, &u, run, item, dept, sev, when, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "hazard", ref)) : (void)printf("%s\n", ref);
    return rc;
}

int cmd_checklist(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", ck_add},       {"list", ck_list}, {"run", ck_run},       {"record", ck_record},
        {"finish", ck_finish}, {"show", ck_show}, {"hazard", ck_hazard}, {NULL, NULL}};
    return cli_dispatch(cli, "checklist", checklist_usage, subs, argc, argv, e);
}
