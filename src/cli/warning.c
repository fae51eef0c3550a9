/* tocsin warning …, approval …, assessment …, due, asset …, setting … */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* ---- warnings --------------------------------------------------------------- */

static const char warning_usage[] =
    "usage: tocsin warning draft --colour red|orange|yellow|blue --category CODE --scope TEXT\n"
    "                            --items TEXT --measure TEXT --deadline TIME --issuer TEXT\n"
    "                            [--start TIME] [--incident REF] [--drill]\n"
    "       tocsin warning list\n"
    "       tocsin warning show REF\n"
    "       tocsin warning submit REF\n"
    "       tocsin warning approve REF [--reason TEXT]\n"
    "       tocsin warning publish REF\n"
    "       tocsin warning lift REF --reason TEXT\n"
    "\n"
    "A warning states its category, colour (level), start, possible scope, warning items,\n"
    "measures with their time limit (--deadline) and issuing authority (plan W-5); all are\n"
    "required. Red and orange are published only after a leader approves; yellow and blue\n"
    "an officer may publish directly (setting warning.officer_publishes_low). All forms take\n"
    "--as USER.\n";

static int w_draft(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *colour = NULL, *deadline = NULL, *start = NULL;
    struct warning_new in = {0};
    int drill = 0;
    const struct opt opts[] = {
        OPT_V("as", &as),
        OPT_V("colour", &colour),
        OPT_V("color", &colour),
        OPT_V("category", &in.category),
        OPT_V("scope", &in.scope),
        OPT_V("items", &in.items),
        OPT_V("measure", &in.measures),
        OPT_V("deadline", &deadline),
        OPT_V("issuer", &in.issuer),
        OPT_V("start", &start),
        OPT_V("incident", &in.incident),
        OPT_F("drill", &drill),
        OPT_END,
    };
    char *pos[1];
    int npos, rc = opt_parse(cli, "warning draft", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    if (!colour || colour_parse(colour, &in.colour) != 0)
        return err_set(e, ERR_INPUT, "--colour '%.20s' is not red, orange, yellow or blue",
                       colour ? colour : "");
    if (!deadline)
        return err_set(e, ERR_INPUT, "--deadline (the measures' time limit) is required");
    if ((rc = cli_time("--deadline", deadline, &in.deadline_at, e)) != 0)
        return rc;
    if (start && (rc = cli_time("--start", start, &in.start_at, e)) != 0)
        return rc;
    in.is_drill = drill;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[WARNING_REF_LEN];
    rc = warning_draft(st, &u, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static void print_warning(json_t *w)
{
    const char *keys[] = {"colour",   "level",    "category", "start",  "scope",      "items",
                          "measures", "deadline", "issuer",   "status", "lift_reason"};
    printf("%s  %s预警\n", json_string_value(json_object_get(w, "ref")),
           json_string_value(json_object_get(w, "colour_zh")));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = json_string_value(json_object_get(w, keys[i]));
        if (v && *v)
            printf("%-11s %s\n", keys[i], v);
    }
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(w, "tasks"), i, t) printf(
        "task #%lld [%s] %s, due %s\n", (long long)json_integer_value(json_object_get(t, "id")),
        json_is_true(json_object_get(t, "done")) ? "x" : " ",
        json_string_value(json_object_get(t, "title")),
        json_string_value(json_object_get(t, "due")));
}

static int w_list_show(struct cli *cli, int argc, char **argv, int is_show, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, is_show ? "warning show" : "warning list", opts, argc, argv, pos,
                             is_show, &npos, e);
    if (rc || cli->help)
        return rc;
    if (is_show && npos != 1)
        return err_set(e, ERR_USAGE, "tocsin warning show: give the warning's REF");
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *o;
    rc = is_show ? warning_show_json(st, &u, pos[0], &o, e) : warning_list_json(st, &u, &o, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(o);
        return 0;
    }
    if (is_show) {
        print_warning(o);
    } else {
        size_t i;
        json_t *w;
        printf("%-14s %-7s %-10s %-26s %s\n", "REF", "COLOUR", "STATUS", "CATEGORY", "ISSUER");
        json_array_foreach(o, i, w)
            printf("%-14s %-7s %-10s %-26s %s\n", json_string_value(json_object_get(w, "ref")),
                   json_string_value(json_object_get(w, "colour")),
                   json_string_value(json_object_get(w, "status")),
                   json_string_value(json_object_get(w, "category")),
                   json_string_value(json_object_get(w, "issuer")));
    }
    json_decref(o);
    return 0;
}

static int w_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_list_show(cli, argc, argv, 0, e);
}

static int w_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_list_show(cli, argc, argv, 1, e);
}

/* submit, approve, publish, lift: REF plus an optional reason. */
static int w_act(struct cli *cli, int argc, char **argv, const char *verb, struct err *e)
{
    const char *as = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("reason", &reason), OPT_END};
    char *pos[1], cmd[32];
    snprintf(cmd, sizeof(cmd), "warning %s", verb);
    int rc = opt_parse_n(cli, cmd, opts, argc, argv, pos, 1, "the warning's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    int64_t approval = 0;
    if (strcmp(verb, "submit") == 0)
        rc = warning_submit(st, &u, pos[0], &approval, e);
    else if (strcmp(verb, "approve") == 0)
        rc = warning_approve(st, &u, pos[0], reason, e);
    else if (strcmp(verb, "publish") == 0)
        rc = warning_publish(st, &u, pos[0], e);
    else
        rc = warning_lift(st, &u, pos[0], reason, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json)
        cli_print_json(json_pack("{s:s, s:s, s:I}", "ref", pos[0], "done", verb, "approval",
                                 (json_int_t)approval));
    else if (approval)
        printf("%s: waiting for a leader's approval #%lld\n", pos[0], (long long)approval);
    else
        printf("%s: %s\n", pos[0], strcmp(verb, "submit") == 0 ? "ready to publish" : verb);
    return 0;
}

static int w_submit(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_act(cli, argc, argv, "submit", e);
}
static int w_approve(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_act(cli, argc, argv, "approve", e);
}
static int w_publish(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_act(cli, argc, argv, "publish", e);
}
static int w_lift(struct cli *cli, int argc, char **argv, struct err *e)
{
    return w_act(cli, argc, argv, "lift", e);
}

int cmd_warning(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"draft", w_draft},     {"list", w_list},       {"show", w_show}, {"submit", w_submit},
        {"approve", w_approve}, {"publish", w_publish}, {"lift", w_lift}, {NULL, NULL},
    };
    return cli_dispatch(cli, "warning", warning_usage, subs, argc, argv, e);
}

/* ---- approvals ---------------------------------------------------------------- */

static const char approval_usage[] =
    "usage: tocsin approval list [--pending]\n"
    "       tocsin approval decide ID approve|reject [--reason TEXT]\n"
    "\n"
    "Warnings of red and orange, public statements and supply dispatch wait for a leader's\n"
    "decision here. A rejection needs a reason. All forms take --as USER.\n";

static int a_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    int pending = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_F("pending", &pending), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "approval list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items;
    rc = approval_list_json(st, &u, pending, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    size_t i;
    json_t *a;
    printf("%-5s %-10s %-9s %-14s %s\n", "ID", "KIND", "STATUS", "REF", "SUMMARY");
    json_array_foreach(items, i, a) printf("%-5lld %-10s %-9s %-14s %s\n",
                                           (long long)json_integer_value(json_object_get(a, "id")),
                                           json_string_value(json_object_get(a, "kind")),
                                           json_string_value(json_object_get(a, "status")),
                                           json_string_value(json_object_get(a, "ref")),
                                           json_string_value(json_object_get(a, "summary")));
    json_decref(items);
    return 0;
}

static int a_decide(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("reason", &reason), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "approval decide", opts, argc, argv, pos, 2,
                         "ID and approve or reject", e);
    if (rc || cli->help)
        return rc;
    int64_t id;
    if ((rc = cli_id("approval ID", pos[0], &id, e)) != 0)
        return rc;
    int approve = strcmp(pos[1], "approve") == 0;
    if (!approve && strcmp(pos[1], "reject") != 0)
        return err_set(e, ERR_USAGE, "decision '%.20s' is not approve or reject", pos[1]);
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = approval_decide(st, &u, id, approve, reason, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("approval #%lld %s\n", (long long)id, approve ? "approved" : "rejected");
    return rc;
}

int cmd_approval(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"list", a_list}, {"decide", a_decide}, {NULL, NULL}};
    return cli_dispatch(cli, "approval", approval_usage, subs, argc, argv, e);
}

/* ---- assessments ---------------------------------------------------------------- */

static const char assessment_usage[] =
    "usage: tocsin assessment show REF\n"
    "       tocsin assessment edit REF [--cause TEXT] [--nature TEXT] [--impact TEXT]\n"
    "                       [--responsibility TEXT] [--handling TEXT] [--improvements TEXT]\n"
    "       tocsin assessment edit REF --improvement TEXT --department NAME --due TIME\n"
    "       tocsin assessment edit REF --commend PERSON --text TEXT\n"
    "       tocsin assessment edit REF --accountable PERSON --text TEXT\n"
    "       tocsin assessment complete REF\n"
    "\n"
    "The assessment of cause, nature, impact, responsibility, handling opinions and\n"
    "improvements is due 30 days after the response ends (plan H-7). Each --improvement\n"
    "becomes a tracked task; --commend and --accountable keep the G-5 records. Completing\n"
    "it moves the incident to 'assessed'. All forms take --as USER.\n";

static int s_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "assessment show", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *a;
    rc = assessment_show_json(st, &u, pos[0], &a, e);
    store_close(st);
    if (rc)
        return rc;
    if (!cli->json) {
        const char *keys[] = {"due",          "cause",          "nature",
                              "impact",       "responsibility", "handling",
                              "improvements", "completed_at",   "completed_by"};
        printf("assessment of %s: %s%s\n", pos[0],
               json_is_true(json_object_get(a, "complete")) ? "complete" : "open",
               json_is_true(json_object_get(a, "overdue")) ? ", OVERDUE" : "");
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            printf("  %-15s %s\n", keys[i], json_string_value(json_object_get(a, keys[i])));
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(a, "records"), i, r)
            printf("  %-15s %s: %s\n", json_string_value(json_object_get(r, "kind")),
                   json_string_value(json_object_get(r, "person")),
                   json_string_value(json_object_get(r, "text")));
        json_decref(a);
    } else {
        cli_print_json(a);
    }
    return 0;
}

static int s_edit(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *improvement = NULL, *dept = NULL, *due_s = NULL, *commend = NULL,
               *accountable = NULL, *text = NULL;
    struct assessment_fields f = {0};
    const struct opt opts[] = {
        OPT_V("as", &as),
        OPT_V("cause", &f.cause),
        OPT_V("nature", &f.nature),
        OPT_V("impact", &f.impact),
        OPT_V("responsibility", &f.responsibility),
        OPT_V("handling", &f.handling),
        OPT_V("improvements", &f.improvements),
        OPT_V("improvement", &improvement),
        OPT_V("department", &dept),
        OPT_V("due", &due_s),
        OPT_V("commend", &commend),
        OPT_V("accountable", &accountable),
        OPT_V("text", &text),
        OPT_END,
    };
    char *pos[1];
    int rc = opt_parse_n(cli, "assessment edit", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    int64_t due = 0;
    if (improvement && (rc = cli_time("--due", due_s, &due, e)) != 0)
        return rc;
    if (commend && accountable)
        return err_set(e, ERR_USAGE, "give --commend or --accountable, one at a time");
    int fields =
        f.cause || f.nature || f.impact || f.responsibility || f.handling || f.improvements;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    if (!rc && fields)
        rc = assessment_edit(st, &u, pos[0], &f, e);
    if (!rc && improvement)
        rc = assessment_add_improvement(st, &u, pos[0], improvement, dept, due, e);
    if (!rc && (commend || accountable))
        rc = assessment_add_record(st, &u, pos[0], commend ? "commendation" : "accountability",
                                   commend ? commend : accountable, text, e);
    if (!rc && !fields && !improvement && !commend && !accountable)
        rc = err_set(e, ERR_USAGE, "tocsin assessment edit: nothing to change (see --help)");
    store_close(st);
    return rc;
}

static int s_complete(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc =
        opt_parse_n(cli, "assessment complete", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = assessment_complete(st, &u, pos[0], e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: assessed\n", pos[0]);
    return rc;
}

int cmd_assessment(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"show", s_show}, {"edit", s_edit}, {"complete", s_complete}, {NULL, NULL}};
    return cli_dispatch(cli, "assessment", assessment_usage, subs, argc, argv, e);
}

/* ---- due ------------------------------------------------------------------------ */

static const char due_usage[] =
    "usage: tocsin due [--overdue] --as USER\n"
    "\n"
    "Everything due across the plan, soonest first: incident and warning tasks, upward\n"
    "reports, acknowledgement of department reports, assessments. A department sees its own.\n";

int cmd_due(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    int overdue = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_F("overdue", &overdue), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "due", opts, argc, argv, pos, 0, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(due_usage);
        return 0;
    }
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items;
    rc = due_list_json(st, &u, overdue, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        int64_t ms = json_integer_value(json_object_get(v, "due_ms"));
        char when[TIME_ISO_LEN];
        time_format_local(ms, when);
        printf("%s %s  %-11s %-14s %-12s %s\n", when,
               json_is_true(json_object_get(v, "overdue")) ? "OVERDUE" : "       ",
               json_string_value(json_object_get(v, "kind")),
               json_string_value(json_object_get(v, "ref")),
               json_string_value(json_object_get(v, "owner")),
               json_string_value(json_object_get(v, "what")));
    }
    if (json_array_size(items) == 0)
        printf("nothing %s\n", overdue ? "overdue" : "due");
    json_decref(items);
    return 0;
}

/* ---- assets and settings ----------------------------------------------------------- */

static const char asset_usage[] =
    "usage: tocsin asset add NAME --kind portal|oa|server|database|domain|other\n"
    "                        --importance core|important|general --department NAME\n"
    "                        [--owner PERSON] --as USER\n"
    "       tocsin asset list\n";

static int as_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *kind_s = NULL, *imp_s = NULL, *dept = NULL, *owner = NULL;
    const struct opt opts[] = {
        OPT_V("as", &as),           OPT_V("kind", &kind_s), OPT_V("importance", &imp_s),
        OPT_V("department", &dept), OPT_V("owner", &owner), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "asset add", opts, argc, argv, pos, 1, &npos, e);
    if (rc || cli->help)
        return rc;
    enum asset_kind kind;
    enum asset_importance imp;
    if (npos != 1)
        return err_set(e, ERR_USAGE, "tocsin asset add: give the asset's NAME");
    if (!kind_s || asset_kind_parse(kind_s, &kind) != 0)
        return err_set(e, ERR_INPUT,
                       "--kind '%.20s' is not portal, oa, server, database, domain or other",
                       kind_s ? kind_s : "");
    if (!imp_s || asset_importance_parse(imp_s, &imp) != 0)
        return err_set(e, ERR_INPUT, "--importance '%.20s' is not core, important or general",
                       imp_s ? imp_s : "");
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = asset_add(st, &u, pos[0], kind, imp, dept, owner, e);
    store_close(st);
    return rc;
}

static int as_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "asset list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    json_t *items;
    rc = asset_list_json(st, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    size_t i;
    json_t *a;
    printf("%-24s %-9s %-10s %s\n", "NAME", "KIND", "IMPORTANCE", "DEPARTMENT");
    json_array_foreach(items, i, a)
        printf("%-24s %-9s %-10s %s\n", json_string_value(json_object_get(a, "name")),
               json_string_value(json_object_get(a, "kind")),
               json_string_value(json_object_get(a, "importance")),
               json_string_value(json_object_get(a, "department")));
    json_decref(items);
    return 0;
}

int cmd_asset(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"add", as_add}, {"list", as_list}, {NULL, NULL}};
    return cli_dispatch(cli, "asset", asset_usage, subs, argc, argv, e);
}

static const char setting_usage[] =
    "usage: tocsin setting set KEY VALUE --as USER   (an admin or leader)\n"
    "\n"
    "Keys: deadline.ack_report, deadline.city_office, deadline.city_command, deadline.cac,\n"
    "deadline.police, deadline.final_report, deadline.assessment, deadline.escalation (all in\n"
    "milliseconds); level.down_long_min, level.degraded_long_min (minutes);\n"
    "level.records_iii, level.records_ii, level.records_i (records); \n"
    "warning.officer_publishes_low (0 or 1). See docs/levels.md and docs/deadlines.md.\n";

static int set_set(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "setting set", opts, argc, argv, pos, 2, "KEY and VALUE", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = setting_set(st, &u, pos[0], pos[1], e);
    store_close(st);
    return rc;
}

int cmd_setting(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"set", set_set}, {NULL, NULL}};
    return cli_dispatch(cli, "setting", setting_usage, subs, argc, argv, e);
}
