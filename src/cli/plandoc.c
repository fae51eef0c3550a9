/* tocsin plan …: the emergency plan's own versions. */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char plan_usage[] =
    "usage: tocsin plan list\n"
    "       tocsin plan revise VERSION --title TEXT --effective TIME --approved-by BODY\n"
    "                          [--document FILE] [--note TEXT] [--cites REF]…\n"
    "\n"
    "Every incident records the plan version in force when it was opened. A revision is\n"
    "recorded by a leader (the leading group interprets and revises the plan); its document\n"
    "is kept in the object store; --cites names what caused it (an incident, an assessment,\n"
    "a risk assessment, a drill). 'list' shows every version with the incidents it governed.\n";

static int pl_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "plan list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = plan_list_json(st, &u, &items, e);
    store_close(st);
    if (!rc)
        cli_print_json(items);
    return rc;
}

static int pl_revise(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *effective = NULL;
    struct plan_revision in = {0};
    int nc = 0;
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("title", &in.title),
                               OPT_V("effective", &effective),
                               OPT_V("approved-by", &in.approved_by),
                               OPT_V("document", &in.document),
                               OPT_V("note", &in.note),
                               OPT_M("cites", in.cites, &nc),
                               OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "plan revise", opts, argc, argv, pos, 1, "the VERSION", e);
    if (rc || cli->help)
        return rc;
    in.version = pos[0];
    in.n_cites = (size_t)nc;
    if ((rc = cli_time("--effective", effective, &in.effective_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = plan_revise(st, &u, &in, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("plan version %s recorded\n", in.version);
    return rc;
}

int cmd_plan(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"list", pl_list}, {"revise", pl_revise}, {NULL, NULL}};
    return cli_dispatch(cli, "plan", plan_usage, subs, argc, argv, e);
}
