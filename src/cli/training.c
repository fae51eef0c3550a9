/* tocsin training …: training and publicity with attendance (P-4, G-3). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char training_usage[] =
    "usage: tocsin training add --topic TEXT --date TIME --trainer NAME [--place TEXT]\n"
    "                           [--publicity]\n"
    "       tocsin training attend REF [--user NAME]… [--person NAME@DEPARTMENT]…\n"
    "       tocsin training list\n"
    "       tocsin training show REF\n"
    "       tocsin training attendance [--year YYYY]\n"
    "\n"
    "'add' prints the reference (TRN-0001); --publicity records a publicity activity rather\n"
    "than a training session. 'attendance' gives, per department, how many of its users\n"
    "attended a training in the year. A department nobody of which attended this year is due\n"
    "by the year's end. Every form takes --as USER, --json and --data DIR.\n";

static int tr_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *date = NULL;
    int publicity = 0;
    struct training_new in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("topic", &in.topic),
                               OPT_V("date", &date),
                               OPT_V("trainer", &in.trainer),
                               OPT_V("place", &in.place),
                               OPT_F("publicity", &publicity),
                               OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "training add", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    in.is_publicity = publicity;
    if ((rc = cli_time("--date", date, &in.held_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[TRAINING_REF_LEN];
    rc = training_add(st, &u, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static int tr_attend(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *users[TRAINING_ATTENDEES_MAX], *people[TRAINING_ATTENDEES_MAX];
    int nu = 0, np = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_M("user", users, &nu),
                               OPT_M("person", people, &np), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "training attend", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = training_attend(st, &u, pos[0], users, (size_t)nu, people, (size_t)np, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: %d attendees recorded\n", pos[0], nu + np);
    return rc;
}

static int tr_read(struct cli *cli, int argc, char **argv, int what, struct err *e)
{
    const char *year_s = NULL;
    const struct opt opts[] = {OPT_V("year", &year_s), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, what == 1 ? "training show" : "training list", opts, argc, argv,
                             pos, what == 1 ? 1 : 0, &npos, e);
    if (rc || cli->help)
        return rc;
    if (what == 1 && npos != 1)
        return err_set(e, ERR_USAGE, "tocsin training show: give REF");
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *o = NULL;
    if (what == 0)
        rc = training_list_json(st, &u, &o, e);
    else if (what == 1)
        rc = training_show_json(st, &u, pos[0], &o, e);
    else {
        int y = 0;
        rc = time_year("--year", year_s, &y, e);
        if (!rc)
            rc = training_attendance_json(st, &u, y, &o, e);
    }
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

static int tr_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    return tr_read(cli, argc, argv, 0, e);
}

static int tr_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    return tr_read(cli, argc, argv, 1, e);
}

static int tr_attendance(struct cli *cli, int argc, char **argv, struct err *e)
{
    return tr_read(cli, argc, argv, 2, e);
}

int cmd_training(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", tr_add},   {"attend", tr_attend},         {"list", tr_list},
        {"show", tr_show}, {"attendance", tr_attendance}, {NULL, NULL}};
    return cli_dispatch(cli, "training", training_usage, subs, argc, argv, e);
}
