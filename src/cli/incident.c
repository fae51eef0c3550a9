/* tocsin incident …: the response to one incident from the command line. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char incident_usage[] =
    "usage: tocsin incident open --title TEXT --category CODE [--asset NAME]… [--level LEVEL\n"
    "                            --reason TEXT] [--description TEXT] [--started TIME] [--drill]\n"
    "                            [--impact NAME=STATE[:MINUTES]]… [--records N] [--public]\n"
    "       tocsin incident list [--status STATE] [--open]\n"
    "       tocsin incident show REF\n"
    "       tocsin incident assess REF --impact NAME=STATE[:MINUTES]… [--records N] [--public]\n"
    "       tocsin incident level REF LEVEL --reason TEXT\n"
    "       tocsin incident status REF STATE [--reason TEXT] [--override]\n"
    "       tocsin incident ack REF          (taken in hand: its notices stop escalating)\n"
    "       tocsin incident assign REF [--department NAME] [--person USER]\n"
    "       tocsin incident flag REF sabotage|crime [--off]\n"
    "       tocsin incident task REF add --title TEXT --due TIME [--department NAME]\n"
    "                                    [--person USER] [--mandatory]\n"
    "       tocsin incident task REF done ID [--note TEXT]\n"
    "       tocsin incident task REF assign ID [--department NAME] [--person USER]\n"
    "       tocsin incident evidence REF add (--file FILE [--note TEXT] | --text TEXT)\n"
    "       tocsin incident evidence REF verify\n"
    "       tocsin incident evidence REF export ID --to FILE\n"
    "       tocsin incident report REF add --recipient WHO --kind first|followup|final\n"
    "       tocsin incident report REF edit ID (--text TEXT | --text-file FILE)\n"
    "       tocsin incident report REF sent ID --to NAME --via HOW [--at TIME]\n"
    "       tocsin incident report REF show ID\n"
    "       tocsin incident statement REF draft --text TEXT\n"
    "       tocsin incident statement REF submit ID\n"
    "       tocsin incident statement REF release ID\n"
    "\n"
    "Every form takes --as USER (who acts; checked against their role), --json and --data DIR.\n"
    "Categories: harmful-program, network-attack, information-destruction, content-security,\n"
    "equipment-failure, disaster, other (with /sub-category, e.g. network-attack/scanning).\n"
    "Levels I, II, III, IV. States: reported, triaged, responding, contained, recovered,\n"
    "closed (assessed comes with 'tocsin assessment complete'). Asset states: ok, degraded,\n"
    "down, tampered, leaked, lost. Report recipients: city-office, city-command, cac, police;\n"
    "--via phone, fax, email, mail, system, in-person. Times: 2026-11-27 16:00 (local),\n"
    "2026-11-27T08:00:00Z, or +4h.\n";

/* Reads --impact NAME=STATE[:MINUTES] facts; an asset's kind and importance
 * come from the asset register, or NAME may be a kind such as portal or oa. */
static int parse_impact(struct store *st, const char **facts, int n, const char *records,
                        int is_public, struct impact *im, char names[][129], struct err *e)
{
    memset(im, 0, sizeof(*im));
    im->is_public = is_public;
    if (records) {
        char *end;
        long long v = strtoll(records, &end, 10);
        if (!*records || *end || v < 0)
            return err_set(e, ERR_INPUT, "--records '%.20s' is not a number", records);
        im->personal_records = v;
    }
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(facts[i], '=');
        if (!eq || eq == facts[i] || (size_t)(eq - facts[i]) > 128)
            return err_set(e, ERR_INPUT, "--impact '%.60s' is not NAME=STATE[:MINUTES]", facts[i]);
        struct impact_asset *a = &im->assets[im->n_assets++];
        snprintf(names[i], 129, "%.*s", (int)(eq - facts[i]), facts[i]);
        a->name = names[i];
        char state[32];
        const char *colon = strchr(eq + 1, ':');
        snprintf(state, sizeof(state), "%.*s", colon ? (int)(colon - eq - 1) : 31, eq + 1);
        if (asset_state_parse(state, &a->state) != 0)
            return err_set(e, ERR_INPUT,
                           "--impact '%.60s': state '%s' is not ok, degraded, down, tampered, "
                           "leaked or lost",
                           facts[i], state);
        if (colon) {
            char *end;
            long long v = strtoll(colon + 1, &end, 10);
            if (!colon[1] || *end || v < 0)
                return err_set(e, ERR_INPUT, "--impact '%.60s': minutes are not a number",
                               facts[i]);
            a->duration_min = v;
        }
        int rc = asset_profile(st, names[i], &a->kind, &a->importance, e);
        if (rc < 0)
            return rc;
        if (rc == 0 && a->kind == ASSET_OTHER && strcmp(names[i], "other") != 0)
            return err_set(e, ERR_INPUT,
                           "--impact: '%s' is neither a registered asset nor a kind (portal, "
                           "oa, server, database, domain, other)",
                           names[i]);
    }
    return 0;
}

static int inc_open(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *title = NULL, *category = NULL, *level_s = NULL, *reason = NULL,
               *desc = NULL, *started = NULL, *records = NULL;
    const char *assets[IMPACT_MAX_ASSETS], *facts[IMPACT_MAX_ASSETS];
    int n_assets = 0, n_facts = 0, drill = 0, is_public = 0;
    const struct opt opts[] = {
        OPT_V("as", &as),
        OPT_V("title", &title),
        OPT_V("category", &category),
        OPT_M("asset", assets, &n_assets),
        OPT_V("level", &level_s),
        OPT_V("reason", &reason),
        OPT_V("description", &desc),
        OPT_V("started", &started),
        OPT_F("drill", &drill),
        OPT_M("impact", facts, &n_facts),
        OPT_V("records", &records),
        OPT_F("public", &is_public),
        OPT_END,
    };
    char *pos[1];
    int npos, rc = opt_parse(cli, "incident open", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct incident_new in = {.title = title,
                              .description = desc,
                              .category = category,
                              .level_reason = reason,
                              .is_drill = drill};
    if (level_s && level_parse(level_s, &in.level) != 0)
        return err_set(e, ERR_INPUT, "--level '%.10s' is not I, II, III or IV", level_s);
    if (in.level != LEVEL_NONE && !reason)
        return err_set(e, ERR_USAGE, "--level needs --reason (why this level)");
    if (!title)
        return err_set(e, ERR_USAGE, "tocsin incident open: --title is required");
    if (!category)
        return err_set(e, ERR_USAGE, "tocsin incident open: --category is required");
    if (started && (rc = cli_time("--started", started, &in.started_at, e)) != 0)
        return rc;
    for (int i = 0; i < n_assets; i++)
        in.assets[in.n_assets++] = assets[i];
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    struct impact im;
    char names[IMPACT_MAX_ASSETS][129];
    if (n_facts || records || is_public) {
        rc = parse_impact(st, facts, n_facts, records, is_public, &im, names, e);
        in.impact = &im;
    }
    char ref[INCIDENT_REF_LEN];
    if (!rc)
        rc = incident_open(st, &u, &in, ref, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json)
        cli_print_json(json_pack("{s:s}", "ref", ref));
    else
        printf("%s\n", ref);
    return 0;
}

static int inc_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *status = NULL;
    int open_only = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("status", &status),
                               OPT_F("open", &open_only), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "incident list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items;
    rc = incident_list_json(st, &u, status, open_only, 0, 0, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-14s %-5s %-11s %-34s %s\n", "REF", "LEVEL", "STATUS", "CATEGORY", "TITLE");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        const char *lvl = json_string_value(json_object_get(v, "level"));
        const char *prop = json_string_value(json_object_get(v, "proposed_level"));
        char level[16];
        snprintf(level, sizeof(level), "%s", lvl ? lvl : prop ? prop : "-");
        if (!lvl && prop)
            snprintf(level, sizeof(level), "%s?", prop);
        char cat[80];
        const char *sub = json_string_value(json_object_get(v, "subcategory"));
        snprintf(cat, sizeof(cat), "%s%s%s", json_string_value(json_object_get(v, "category")),
                 sub ? "/" : "", sub ? sub : "");
        printf("%-14s %-5s %-11s %-34s %s%s\n", json_string_value(json_object_get(v, "ref")), level,
               json_string_value(json_object_get(v, "status")), cat,
               json_string_value(json_object_get(v, "title")),
               json_is_true(json_object_get(v, "drill")) ? " [演练]" : "");
    }
    json_decref(items);
    return 0;
}

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void show_local(const char *label, json_t *o, const char *k)
{
    int64_t ms;
    const char *s = js(o, k);
    char when[TIME_ISO_LEN] = "-";
    if (*s && time_parse_utc(s, &ms, NULL) == 0)
        time_format_local(ms, when);
    printf("%-10s %s\n", label, when);
}

static void print_incident(json_t *o)
{
    printf("%s  %s\n", js(o, "ref"), js(o, "title"));
    printf("%-10s %s%s%s (%s; GB/T 20986: %s)\n", "category", js(o, "category"),
           *js(o, "subcategory") ? "/" : "", js(o, "subcategory"), js(o, "category_zh"),
           js(o, "gbt_20986"));
    if (*js(o, "level"))
        printf("%-10s %s %s — %s\n", "level", js(o, "level"), js(o, "level_zh"),
               js(o, "level_reason"));
    else
        printf("%-10s ungraded%s%s\n", "level", *js(o, "proposed_level") ? ", proposed " : "",
               js(o, "proposed_level"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "proposal"), i, v)
        printf("%-10s rule %s → %s: %s\n", i ? "" : "proposal", js(v, "rule"), js(v, "level"),
               js(v, "zh"));
    printf("%-10s %s (%s)\n", "status", js(o, "status"), js(o, "status_zh"));
    printf("%-10s %s / %s\n", "owner", *js(o, "owner_department") ? js(o, "owner_department") : "-",
           *js(o, "owner_user") ? js(o, "owner_user") : "-");
    json_t *f = json_object_get(o, "flags");
    printf("%-10s%s%s%s\n", "flags",
           json_is_true(json_object_get(f, "sabotage")) ? " sabotage" : "",
           json_is_true(json_object_get(f, "crime")) ? " crime" : "",
           json_is_true(json_object_get(f, "drill")) ? " drill" : "");
    printf("%-10s %s\n", "plan", js(o, "plan_version"));
    show_local("started", o, "started_at");
    printf("%-10s", "assets");
    json_array_foreach(json_object_get(o, "assets"), i, v) printf(" %s", json_string_value(v));
    printf("\n\ntimeline:\n");
    json_array_foreach(json_object_get(o, "timeline"), i, v)
    {
        int64_t ms = 0;
        char when[TIME_ISO_LEN] = "";
        if (time_parse_utc(js(v, "at"), &ms, NULL) == 0)
            time_format_local(ms, when);
        printf("  %s  %-12s %s\n", when, js(v, "actor"), js(v, "text"));
    }
    printf("\ntasks:\n");
    json_array_foreach(json_object_get(o, "tasks"), i, v)
    {
        int64_t ms = 0;
        char due[TIME_ISO_LEN] = "";
        if (time_parse_utc(js(v, "due_at"), &ms, NULL) == 0)
            time_format_local(ms, due);
        const char *who = *js(v, "assignee")     ? js(v, "assignee")
                          : *js(v, "department") ? js(v, "department")
                                                 : js(v, "owner_role");
        printf("  #%-4lld [%s] %s%s  due %s  %s\n",
               (long long)json_integer_value(json_object_get(v, "id")),
               json_is_null(json_object_get(v, "done_at")) ? " " : "x", js(v, "title"),
               json_integer_value(json_object_get(v, "mandatory")) ? " *" : "", due, who);
    }
    printf("\nevidence:\n");
    json_array_foreach(json_object_get(o, "evidence"), i, v)
        printf("  #%-4lld %-6s %-30s sha256 %s  by %s\n",
               (long long)json_integer_value(json_object_get(v, "id")), js(v, "kind"),
               js(v, "name"), js(v, "sha256"), js(v, "added_by"));
    printf("\nupward reports:\n");
    json_array_foreach(json_object_get(o, "reports"), i, v)
    {
        int64_t ms = 0;
        char due[TIME_ISO_LEN] = "";
        if (time_parse_utc(js(v, "due_at"), &ms, NULL) == 0)
            time_format_local(ms, due);
        printf("  #%-4lld %-12s %-8s due %s  %s%s\n",
               (long long)json_integer_value(json_object_get(v, "id")), js(v, "recipient"),
               js(v, "kind"), due,
               json_is_null(json_object_get(v, "sent_at")) ? "not sent" : "sent",
               json_integer_value(json_object_get(v, "late")) ? " (late)" : "");
    }
    printf("\nstatements:\n");
    json_array_foreach(json_object_get(o, "statements"), i, v)
        printf("  #%-4lld %-9s %s\n", (long long)json_integer_value(json_object_get(v, "id")),
               js(v, "status"), js(v, "text"));
    json_t *a = json_object_get(o, "assessment");
    if (json_is_object(a)) {
        printf("\nassessment: %s, due %s\n",
               json_is_true(json_object_get(a, "complete")) ? "complete" : "open", js(a, "due"));
        static const char *const keys[] = {"cause",          "nature",   "impact",
                                           "responsibility", "handling", "improvements"};
        for (int k = 0; k < 6; k++)
            printf("  %-15s %s\n", keys[k], *js(a, keys[k]) ? js(a, keys[k]) : "-");
    }
}

static int inc_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "incident show", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *o;
    rc = incident_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(o);
    } else {
        print_incident(o);
        json_decref(o);
    }
    return 0;
}

static int inc_assess(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *records = NULL, *facts[IMPACT_MAX_ASSETS];
    int n_facts = 0, is_public = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_M("impact", facts, &n_facts),
                               OPT_V("records", &records), OPT_F("public", &is_public), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "incident assess", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    struct impact im;
    struct level_assessment a;
    char names[IMPACT_MAX_ASSETS][129];
    rc = parse_impact(st, facts, n_facts, records, is_public, &im, names, e);
    if (!rc)
        rc = incident_assess(st, &u, pos[0], &im, &a, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        json_t *rs = json_array();
        for (size_t i = 0; i < a.n_reasons; i++)
            json_array_append_new(rs, json_pack("{s:s, s:s, s:s, s:s}", "rule", a.reasons[i].rule,
                                                "level", level_code(a.reasons[i].level), "zh",
                                                a.reasons[i].zh, "en", a.reasons[i].en));
        cli_print_json(
            json_pack("{s:s, s:o}", "proposed_level", level_code(a.level), "reasons", rs));
    } else {
        printf("proposed level %s (%s)\n", level_code(a.level), level_zh(a.level));
        for (size_t i = 0; i < a.n_reasons; i++)
            printf("  %s → %s: %s\n", a.reasons[i].rule, level_code(a.reasons[i].level),
                   a.reasons[i].zh);
        printf("confirm with: tocsin incident level %s %s --reason TEXT\n", pos[0],
               level_code(a.level));
    }
    return 0;
}

/* The forms that take REF and one value, act, and print a short result. */
static int inc_level(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("reason", &reason), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "incident level", opts, argc, argv, pos, 2, "REF and LEVEL", e);
    if (rc || cli->help)
        return rc;
    enum level level;
    if (level_parse(pos[1], &level) != 0)
        return err_set(e, ERR_INPUT, "level '%.10s' is not I, II, III or IV", pos[1]);
    if (!reason)
        return err_set(e, ERR_USAGE, "tocsin incident level: --reason is required");
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = incident_set_level(st, &u, pos[0], level, reason, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: level %s (%s)\n", pos[0], level_code(level), level_zh(level));
    return rc;
}

static int inc_status(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *reason = NULL;
    int override = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("reason", &reason),
                               OPT_F("override", &override), OPT_END};
    char *pos[2];
    int rc = opt_parse_n(cli, "incident status", opts, argc, argv, pos, 2, "REF and STATE", e);
    if (rc || cli->help)
        return rc;
    enum incident_status to;
    if (incident_status_parse(pos[1], &to) != 0)
        return err_set(e, ERR_INPUT,
                       "state '%.20s' is not reported, triaged, responding, contained, "
                       "recovered, closed or assessed",
                       pos[1]);
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = incident_set_status(st, &u, pos[0], to, reason, override, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: %s\n", pos[0], incident_status_code(to));
    return rc;
}

static int inc_ack(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "incident ack", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = incident_acknowledge(st, &u, pos[0], e);
    store_close(st);
    if (!rc && !cli->json)
        printf("%s: acknowledged by %s\n", pos[0], u.name);
    return rc;
}

static int inc_assign(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *dept = NULL, *person = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("department", &dept),
                               OPT_V("person", &person), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "incident assign", opts, argc, argv, pos, 1, "the incident's REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = incident_assign(st, &u, pos[0], dept, person, e);
    store_close(st);
    return rc;
}

static int inc_flag(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    int off = 0;
    const struct opt opts[] = {OPT_V("as", &as), OPT_F("off", &off), OPT_END};
    char *pos[2];
    int rc =
        opt_parse_n(cli, "incident flag", opts, argc, argv, pos, 2, "REF and sabotage or crime", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = incident_flag(st, &u, pos[0], pos[1], !off, e);
    store_close(st);
    return rc;
}

/* tocsin incident task REF add|done|assign … */
static int inc_task(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *title = NULL, *due_s = NULL, *dept = NULL, *person = NULL, *note = NULL;
    int mandatory = 0;
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("title", &title),
                               OPT_V("due", &due_s),
                               OPT_V("department", &dept),
                               OPT_V("person", &person),
                               OPT_V("note", &note),
                               OPT_F("mandatory", &mandatory),
                               OPT_END};
    char *pos[3];
    int npos, rc = opt_parse(cli, "incident task", opts, argc, argv, pos, 3, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 2)
        return err_set(e, ERR_USAGE, "tocsin incident task: give REF and add, done or assign");
    int is_add = strcmp(pos[1], "add") == 0, is_done = strcmp(pos[1], "done") == 0,
        is_assign = strcmp(pos[1], "assign") == 0;
    int64_t id = 0, due = 0;
    if (!is_add && !is_done && !is_assign)
        return err_set(e, ERR_USAGE, "tocsin incident task: '%.20s' is not add, done or assign",
                       pos[1]);
    if (is_add && npos != 2)
        return err_set(e, ERR_USAGE, "tocsin incident task REF add takes no ID");
    if (!is_add && (npos != 3 || (rc = cli_id("task ID", pos[2], &id, e)) != 0))
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin incident task REF %s ID", pos[1]);
    if (is_add && (rc = cli_time("--due", due_s, &due, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    if (is_add)
        rc = task_add(st, &u, pos[0], title, dept, person, due, mandatory, &id, e);
    else if (is_done)
        rc = task_done(st, &u, id, note, e);
    else
        rc = task_assign(st, &u, id, dept, person, e);
    store_close(st);
    if (!rc && is_add)
        cli->json ? cli_print_json(json_pack("{s:I}", "id", (json_int_t)id))
                  : (void)printf("%lld\n", (long long)id);
    return rc;
}

static int inc_evidence(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *file = NULL, *note = NULL, *text = NULL, *to = NULL;
    const struct opt opts[] = {OPT_V("as", &as),     OPT_V("file", &file), OPT_V("note", &note),
                               OPT_V("text", &text), OPT_V("to", &to),     OPT_END};
    char *pos[3];
    int npos, rc = opt_parse(cli, "incident evidence", opts, argc, argv, pos, 3, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 2)
        return err_set(e, ERR_USAGE,
                       "tocsin incident evidence: give REF and add, verify or export");
    const char *sub = pos[1];
    int64_t id = 0;
    if (strcmp(sub, "add") == 0 && !!file == !!text)
        return err_set(e, ERR_USAGE, "tocsin incident evidence REF add: give --file or --text");
    if (strcmp(sub, "export") == 0 &&
        (npos != 3 || !to || (rc = cli_id("evidence ID", pos[2], &id, e)) != 0))
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin incident evidence REF export ID --to FILE");
    if (strcmp(sub, "add") != 0 && strcmp(sub, "verify") != 0 && strcmp(sub, "export") != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin incident evidence: '%.20s' is not add, verify or export", sub);
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *report = NULL;
    if (strcmp(sub, "add") == 0)
        rc = file ? evidence_add_file(st, &u, pos[0], file, note, &id, e)
                  : evidence_add_note(st, &u, pos[0], text, &id, e);
    else if (strcmp(sub, "verify") == 0)
        rc = evidence_verify(st, &u, pos[0], &report, e);
    else
        rc = evidence_export(st, &u, pos[0], id, to, NULL, NULL, 0, e);
    store_close(st);
    if (rc < 0)
        return rc;
    if (report && cli->json) {
        cli_print_json(json_pack("{s:b, s:o}", "ok", rc == 0, "items", report));
    } else if (report) {
        size_t i;
        json_t *v;
        json_array_foreach(report, i, v) printf(
            "#%-4lld %-4s %s %s%s%s\n", (long long)json_integer_value(json_object_get(v, "id")),
            json_is_true(json_object_get(v, "ok")) ? "ok" : "BAD",
            json_string_value(json_object_get(v, "sha256")),
            json_string_value(json_object_get(v, "name")),
            json_is_true(json_object_get(v, "ok")) ? "" : ": ",
            json_is_true(json_object_get(v, "ok"))
                ? ""
                : json_string_value(json_object_get(v, "problem")));
        printf("%s: %zu items\n", rc == 0 ? "ok" : "damaged", json_array_size(report));
        json_decref(report);
    } else if (strcmp(sub, "add") == 0) {
        cli->json ? cli_print_json(json_pack("{s:I}", "id", (json_int_t)id))
                  : (void)printf("%lld\n", (long long)id);
    }
    return rc;
}

static int inc_report(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *recipient = NULL, *kind = NULL, *text = NULL, *text_file = NULL,
               *to = NULL, *via = NULL, *at = NULL;
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("recipient", &recipient),
                               OPT_V("kind", &kind),
                               OPT_V("text", &text),
                               OPT_V("text-file", &text_file),
                               OPT_V("to", &to),
                               OPT_V("via", &via),
                               OPT_V("at", &at),
                               OPT_END};
    char *pos[3];
    int npos, rc = opt_parse(cli, "incident report", opts, argc, argv, pos, 3, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 2)
        return err_set(e, ERR_USAGE,
                       "tocsin incident report: give REF and add, edit, sent or show");
    const char *sub = pos[1];
    int64_t id = 0, sent_at = 0;
    enum recipient rcp = RCP_CITY_OFFICE;
    int is_add = strcmp(sub, "add") == 0;
    if (!is_add && strcmp(sub, "edit") != 0 && strcmp(sub, "sent") != 0 && strcmp(sub, "show") != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin incident report: '%.20s' is not add, edit, sent or show", sub);
    if (!is_add && (npos != 3 || (rc = cli_id("report ID", pos[2], &id, e)) != 0))
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin incident report REF %s ID", sub);
    if (is_add && (!recipient || recipient_parse(recipient, &rcp) != 0))
        return err_set(e, ERR_INPUT,
                       "--recipient '%.30s' is not city-office, city-command, cac or police",
                       recipient ? recipient : "");
    if (at && (rc = cli_time("--at", at, &sent_at, e)) != 0)
        return rc;
    struct buf body;
    buf_init(&body, 65536);
    if (strcmp(sub, "edit") == 0 && text_file)
        rc = fs_read_file(text_file, 65536, &body, e);
    else if (strcmp(sub, "edit") == 0 && text)
        rc = buf_adds(&body, text);
    else if (strcmp(sub, "edit") == 0)
        rc =
            err_set(e, ERR_USAGE, "tocsin incident report REF edit ID: give --text or --text-file");
    if (rc) {
        buf_release(&body);
        return rc;
    }
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc) {
        buf_release(&body);
        return rc;
    }
    if (is_add) {
        rc = report_add(st, &u, pos[0], rcp, kind ? kind : "followup", &id, e);
    } else if (strcmp(sub, "edit") == 0) {
        rc = report_edit(st, &u, pos[0], id, buf_str(&body), e);
    } else if (strcmp(sub, "sent") == 0) {
        rc = report_mark_sent(st, &u, pos[0], id, to, via, sent_at, e);
    } else {
        json_t *o;
        rc = incident_show_json(st, &u, pos[0], &o, e);
        size_t i;
        json_t *v, *found = NULL;
        if (!rc)
            json_array_foreach(json_object_get(o, "reports"), i,
                               v) if (json_integer_value(json_object_get(v, "id")) == id) found = v;
        if (!rc && !found)
            rc = err_set(e, ERR_NOTFOUND, "incident %s has no report #%lld", pos[0], (long long)id);
        if (!rc && cli->json)
            json_print(found, 1);
        else if (!rc)
            fputs(json_string_value(json_object_get(found, "text")), stdout);
        if (!rc)
            json_decref(o);
    }
    store_close(st);
    buf_release(&body);
    if (!rc && is_add)
        cli->json ? cli_print_json(json_pack("{s:I}", "id", (json_int_t)id))
                  : (void)printf("%lld\n", (long long)id);
    return rc;
}

static int inc_statement(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *text = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("text", &text), OPT_END};
    char *pos[3];
    int npos, rc = opt_parse(cli, "incident statement", opts, argc, argv, pos, 3, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 2)
        return err_set(e, ERR_USAGE,
                       "tocsin incident statement: give REF and draft, submit or release");
    const char *sub = pos[1];
    int is_draft = strcmp(sub, "draft") == 0;
    int64_t id = 0, approval = 0;
    if (!is_draft && strcmp(sub, "submit") != 0 && strcmp(sub, "release") != 0)
        return err_set(e, ERR_USAGE,
                       "tocsin incident statement: '%.20s' is not draft, submit or release", sub);
    if (!is_draft && (npos != 3 || (rc = cli_id("statement ID", pos[2], &id, e)) != 0))
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin incident statement REF %s ID", sub);
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    if (is_draft)
        rc = statement_draft(st, &u, pos[0], text, &id, e);
    else if (strcmp(sub, "submit") == 0)
        rc = statement_submit(st, &u, pos[0], id, &approval, e);
    else
        rc = statement_release(st, &u, pos[0], id, e);
    store_close(st);
    if (!rc && (is_draft || approval)) {
        json_int_t out = is_draft ? id : approval;
        cli->json ? cli_print_json(json_pack("{s:I}", is_draft ? "id" : "approval", out))
                  : (void)printf("%lld\n", (long long)out);
    }
    return rc;
}

int cmd_incident(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"open", inc_open},
        {"list", inc_list},
        {"show", inc_show},
        {"assess", inc_assess},
        {"level", inc_level},
        {"status", inc_status},
        {"ack", inc_ack},
        {"assign", inc_assign},
        {"flag", inc_flag},
        {"task", inc_task},
        {"evidence", inc_evidence},
        {"report", inc_report},
        {"statement", inc_statement},
        {NULL, NULL},
    };
    return cli_dispatch(cli, "incident", incident_usage, subs, argc, argv, e);
}
