/* tocsin risk …: risk assessments of assets (P-1). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char risk_usage[] =
    "usage: tocsin risk assess ASSET --review TIME [--note TEXT]\n"
    "                          (--threat TEXT --likelihood 1-5 --impact 1-5 --treatment TEXT\n"
    "                           --owner NAME)…\n"
    "       tocsin risk list [--asset NAME]\n"
    "       tocsin risk show REF\n"
    "\n"
    "Each --threat takes the --likelihood, --impact, --treatment and --owner given after it,\n"
    "in the same order. The risk is likelihood × impact: up to 4 low, to 9 medium, to 16\n"
    "high, 20 and 25 extreme. 'assess' prints the reference (RSK-0001); earlier assessments\n"
    "of the asset are kept ('list --asset'). The next review is due on --review.\n";

static int rk_assess(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *review = NULL, *note = NULL;
    const char *threat[RISK_THREATS_MAX], *lik[RISK_THREATS_MAX], *imp[RISK_THREATS_MAX],
        *treat[RISK_THREATS_MAX], *owner[RISK_THREATS_MAX];
    int nt = 0, nl = 0, ni = 0, nr = 0, no = 0;
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("review", &review),
                               OPT_V("note", &note),
                               OPT_M("threat", threat, &nt),
                               OPT_M("likelihood", lik, &nl),
                               OPT_M("impact", imp, &ni),
                               OPT_M("treatment", treat, &nr),
                               OPT_M("owner", owner, &no),
                               OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "risk assess", opts, argc, argv, pos, 1, "the ASSET", e);
    if (rc || cli->help)
        return rc;
    if (nt == 0 || nl != nt || ni != nt || nr != nt || no != nt)
        return err_set(e, ERR_USAGE,
                       "tocsin risk assess: every --threat needs its --likelihood, "
                       "--impact, --treatment and --owner");
    struct risk_assessment_new in = {.asset = pos[0], .note = note, .n_threats = (size_t)nt};
    if ((rc = cli_time("--review", review, &in.next_review_at, e)) != 0)
        return rc;
    for (int i = 0; i < nt; i++) {
        char *end1, *end2;
        long l = strtol(lik[i], &end1, 10), m = strtol(imp[i], &end2, 10);
        if (!*lik[i] || *end1 || !*imp[i] || *end2 || l < 1 || l > 5 || m < 1 || m > 5)
            return err_set(e, ERR_USAGE,
                           "tocsin risk assess: threat %d: --likelihood and --impact are 1 to 5",
                           i + 1);
        in.threats[i] = (struct risk_threat){threat[i], (int)l, (int)m, treat[i], owner[i]};
    }
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[RISK_REF_LEN];
    rc = risk_assess(st, &u, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static int rk_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *asset = NULL;
    const struct opt opts[] = {OPT_V("asset", &asset), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "risk list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = risk_list_json(st, &u, asset, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-9s %-8s %-7s %-20s %s\n", "REF", "WORST", "THREATS", "NEXT REVIEW", "ASSET");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        printf("%-9s %-8s %-7zu %-20.19s %s\n", json_string_value(json_object_get(v, "ref")),
               json_string_value(json_object_get(v, "worst")),
               json_array_size(json_object_get(v, "threats")),
               json_string_value(json_object_get(v, "next_review")),
               json_string_value(json_object_get(v, "asset")));
    }
    json_decref(items);
    return 0;
}

static int rk_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, "risk show", NULL, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *o = NULL;
    rc = risk_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

int cmd_risk(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"assess", rk_assess}, {"list", rk_list}, {"show", rk_show}, {NULL, NULL}};
    return cli_dispatch(cli, "risk", risk_usage, subs, argc, argv, e);
}
