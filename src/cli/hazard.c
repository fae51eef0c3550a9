/* tocsin hazard …: the hazard register (P-1). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char hazard_usage[] =
    "usage: tocsin hazard add --title TEXT --severity low|medium|high|critical\n"
    "                         --department NAME --deadline TIME [--asset NAME]\n"
    "                         [--description TEXT]\n"
    "       tocsin hazard list [--status STATE] [--overdue]\n"
    "       tocsin hazard show REF\n"
    "       tocsin hazard status REF remediating|fixed|verified [--note TEXT]\n"
    "\n"
    "Hidden dangers (隐患) move open → remediating → fixed → verified (fixed → remediating\n"
    "when the fix does not hold). A department enters and remediates its own; verifying is\n"
    "for an officer or leader other than who fixed it. 'add' prints the reference\n"
    "(HZD-0001). Every form takes --as USER, --json and --data DIR.\n";

static int hz_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *severity = NULL, *deadline = NULL;
    struct hazard_new in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("title", &in.title),
                               OPT_V("severity", &severity),
                               OPT_V("department", &in.department),
                               OPT_V("deadline", &deadline),
                               OPT_V("asset", &in.asset),
                               OPT_V("description", &in.description),
                               OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "hazard add", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    if (!severity || hazard_severity_parse(severity, &in.severity) != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin hazard add: --severity is low, medium, high or critical");
    if ((rc = cli_time("--deadline", deadline, &in.deadline_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[HAZARD_REF_LEN];
    rc = hazard_add(st, &u, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static int hz_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *status = NULL;
    int overdue = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("status", &status),
                               OPT_F("overdue", &overdue), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "hazard list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items = NULL;
    rc = hazard_list_json(st, &u, status, overdue, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-9s %-8s %-11s %-20s %-16s %s\n", "REF", "SEVERITY", "STATUS", "DEADLINE",
           "DEPARTMENT", "TITLE");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        printf("%-9s %-8s %-11s %-20.19s %-16s %s%s\n",
               json_string_value(json_object_get(v, "ref")),
               json_string_value(json_object_get(v, "severity")),
               json_string_value(json_object_get(v, "status")),
               json_string_value(json_object_get(v, "deadline")),
               json_string_value(json_object_get(v, "department")),
               json_string_value(json_object_get(v, "title")),
               json_is_true(json_object_get(v, "overdue")) ? "  (overdue)" : "");
    }
    json_decref(items);
    return 0;
}

static int hz_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "hazard show", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *o = NULL;
    rc = hazard_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

static int hz_status(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *note = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("note", &note), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "hazard status", opts, argc, argv, pos, 2, "REF and STATE", e);
    if (rc || cli->help)
        return rc;
    enum hazard_status to;
    if (hazard_status_parse(pos[1], &to) != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin hazard status: '%.20s' is not remediating, fixed or "
                       "verified",
                       pos[1]);
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = hazard_set_status(st, &u, pos[0], to, note, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: %s\n", pos[0], pos[1]);
    return rc;
}

int cmd_hazard(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", hz_add}, {"list", hz_list}, {"show", hz_show}, {"status", hz_status}, {NULL, NULL}};
    return cli_dispatch(cli, "hazard", hazard_usage, subs, argc, argv, e);
}
