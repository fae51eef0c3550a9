/* tocsin event …, tocsin triage …, tocsin notify …: intake, the triage queue
 * and notifications from the command line. */
#include "../notify/notify.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ----------------------------------------------------------------------- */

static const char event_usage[] =
    "usage: tocsin event list [--limit N]\n"
    "       tocsin event submit --source NAME --category CODE --summary TEXT [--asset NAME]\n"
    "                           [--fingerprint KEY] [--state STATE] [--time TIME] [--resolved]\n"
    "       tocsin event report --what TEXT --where ASSET --how-bad HOW [--when TIME]\n"
    "                           [--category CODE] [--detail TEXT]\n"
    "\n"
    "'submit' gives tocsin an event as another tool would (POST /api/v1/events); 'report' is\n"
    "a department's short report (O-3). HOW: threat, impaired, down, tampered, data. STATE:\n"
    "ok, degraded, down, tampered, leaked, lost. Every form takes --as USER, --json, --data.\n";

static int ev_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *limit_s = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("limit", &limit_s), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "event list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    int64_t limit = 50;
    if (limit_s && (rc = cli_id("--limit", limit_s, &limit, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items = NULL;
    rc = event_list_json(st, &u, (int)(limit > 1000 ? 1000 : limit), 0, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    size_t i;
    json_t *v;
    printf("%-6s %-20s %-10s %-34s %-5s %s\n", "ID", "LAST SEEN", "SOURCE", "CATEGORY", "COUNT",
           "SUMMARY");
    json_array_foreach(items, i, v)
    {
        printf("%-6lld %-20.19s %-10.10s %-34.34s %-5lld %s%s\n",
               (long long)json_integer_value(json_object_get(v, "id")),
               json_string_value(json_object_get(v, "last_seen")),
               json_string_value(json_object_get(v, "source")),
               json_string_value(json_object_get(v, "category")),
               (long long)json_integer_value(json_object_get(v, "count")),
               json_string_value(json_object_get(v, "summary")),
               json_is_string(json_object_get(v, "cleared_at")) ? " (cleared)" : "");
    }
    json_decref(items);
    return 0;
}

static int ev_submit(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *time_s = NULL;
    int resolved = 0;
    struct event_new in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("source", &in.source),
                               OPT_V("category", &in.category),
                               OPT_V("summary", &in.summary),
                               OPT_V("asset", &in.asset),
                               OPT_V("fingerprint", &in.fingerprint),
                               OPT_V("state", &in.state),
                               OPT_V("time", &time_s),
                               OPT_F("resolved", &resolved),
                               OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "event submit", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    in.is_resolved = resolved;
    if (time_s && (rc = cli_time("--time", time_s, &in.occurred_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    int64_t id = 0, count = 0;
    rc = event_submit(st, &u, &in, &id, &count, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(
                        json_pack("{s:I, s:I}", "id", (json_int_t)id, "count", (json_int_t)count))
                  : (void)printf("event %lld (seen %lld times)\n", (long long)id, (long long)count);
    return rc;
}

static int ev_report(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *when = NULL, *how = NULL;
    struct department_report in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("what", &in.what),
                               OPT_V("where", &in.where),
                               OPT_V("when", &when),
                               OPT_V("how-bad", &how),
                               OPT_V("category", &in.category),
                               OPT_V("detail", &in.detail),
                               OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "event report", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    if (!how || report_severity_parse(how, &in.how_bad) != 0)
        return err_set(
            e, ERR_USAGE,
            "tocsin event report: --how-bad is threat, impaired, down, tampered or data");
    if (when && (rc = cli_time("--when", when, &in.when, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = event_report(st, &u, &in, &id, e);
    store_close(st);
    if (!rc)
        cli->json
            ? cli_print_json(json_pack("{s:I}", "event", (json_int_t)id))
            : (void)printf("reported as event %lld; the office will triage it\n", (long long)id);
    return rc;
}

int cmd_event(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"list", ev_list}, {"submit", ev_submit}, {"report", ev_report}, {NULL, NULL}};
    return cli_dispatch(cli, "event", event_usage, subs, argc, argv, e);
}

/* ---- triage ----------------------------------------------------------------------- */

static const char triage_usage[] =
    "usage: tocsin triage list [--status open|accepted|warned|dismissed]\n"
    "       tocsin triage show ID\n"
    "       tocsin triage accept ID [--into REF] [--level LEVEL --reason TEXT]\n"
    "       tocsin triage warn ID [--colour COLOUR]\n"
    "       tocsin triage dismiss ID --reason TEXT\n"
    "\n"
    "Proposals group related events with the facts they establish and the level the plan's\n"
    "rules propose (docs/triage.md). 'accept' opens a new incident (or joins REF), 'warn'\n"
    "drafts a warning, 'dismiss' closes the proposal with a reason. Every form takes\n"
    "--as USER, --json and --data DIR.\n";

static int tr_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *status = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("status", &status), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "triage list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items = NULL;
    rc = proposal_list_json(st, &u, status, 200, 0, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-5s %-9s %-5s %-6s %-20s %s\n", "ID", "STATUS", "LEVEL", "EVENTS", "ASSET", "TITLE");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        printf("%-5lld %-9s %-5s %-6lld %-20.20s %s%s%s\n",
               (long long)json_integer_value(json_object_get(v, "id")),
               json_string_value(json_object_get(v, "status")),
               json_string_value(json_object_get(v, "level")),
               (long long)json_integer_value(json_object_get(v, "events")),
               json_string_value(json_object_get(v, "asset")),
               json_string_value(json_object_get(v, "title")),
               json_object_get(v, "incident") ? " → " : "",
               json_object_get(v, "incident") ? json_string_value(json_object_get(v, "incident"))
                                              : "");
    }
    json_decref(items);
    return 0;
}

static int one_id(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
                  int64_t *id, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, cmd, opts, argc, argv, pos, 1, "the proposal's ID", e);
    if (!rc && !cli->help)
        rc = cli_id("the proposal's ID", pos[0], id, e);
    return rc;
}

static int tr_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    int64_t id = 0;
    int rc = one_id(cli, "triage show", opts, argc, argv, &id, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *p = NULL;
    rc = proposal_show_json(st, &u, id, &p, e);
    store_close(st);
    if (!rc)
        cli_print_json(p);
    return rc;
}

static int tr_accept(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *into = NULL, *level_s = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("into", &into), OPT_V("level", &level_s),
                               OPT_V("reason", &reason), OPT_END};
    int64_t id = 0;
    int rc = one_id(cli, "triage accept", opts, argc, argv, &id, e);
    if (rc || cli->help)
        return rc;
    enum level level = LEVEL_NONE;
    if (level_s && level_parse(level_s, &level) != 0)
        return err_set(e, ERR_INPUT, "--level must be I, II, III or IV");
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[INCIDENT_REF_LEN];
    rc = proposal_accept(st, &u, id, into, level, reason, ref, e);
    store_close(st);
    if (!rc)
        cli->json
            ? cli_print_json(json_pack("{s:I, s:s}", "proposal", (json_int_t)id, "incident", ref))
            : (void)printf("proposal %lld → %s\n", (long long)id, ref);
    return rc;
}

static int tr_warn(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *colour = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("colour", &colour), OPT_END};
    int64_t id = 0;
    int rc = one_id(cli, "triage warn", opts, argc, argv, &id, e);
    if (rc || cli->help)
        return rc;
    struct warning_new in = {0};
    if (colour && colour_parse(colour, &in.colour) != 0)
        return err_set(e, ERR_INPUT, "--colour must be red, orange, yellow or blue");
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[WARNING_REF_LEN];
    rc = proposal_warn(st, &u, id, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json
            ? cli_print_json(json_pack("{s:I, s:s}", "proposal", (json_int_t)id, "warning", ref))
            : (void)printf("proposal %lld → warning draft %s\n", (long long)id, ref);
    return rc;
}

static int tr_dismiss(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("reason", &reason), OPT_END};
    int64_t id = 0;
    int rc = one_id(cli, "triage dismiss", opts, argc, argv, &id, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = proposal_dismiss(st, &u, id, reason, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("proposal %lld dismissed\n", (long long)id);
    return rc;
}

int cmd_triage(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"list", tr_list},       {"show", tr_show},
                                          {"accept", tr_accept},   {"warn", tr_warn},
                                          {"dismiss", tr_dismiss}, {NULL, NULL}};
    return cli_dispatch(cli, "triage", triage_usage, subs, argc, argv, e);
}

/* ---- notifications ------------------------------------------------------------------- */

static const char notify_usage[] =
    "usage: tocsin notify channel add NAME --kind KIND --config JSON\n"
    "       tocsin notify channel edit NAME --config JSON\n"
    "       tocsin notify channel list | rm NAME | enable NAME | disable NAME | test NAME\n"
    "       tocsin notify route add --trigger T --channel NAME [--min-level L] [--role R]\n"
    "                               [--category CODE] [--tier N]\n"
    "       tocsin notify route list | rm ID\n"
    "       tocsin notify outbox [--status pending|sent|failed]\n"
    "\n"
    "KIND: smtp, webhook, dingtalk, wecom, feishu; --config is the channel's JSON (see\n"
    "docs/notify.md), e.g. '{\"url\":\"https://oapi.dingtalk.com/robot/send?access_token=…\",\n"
    "\"secret\":\"SEC…\"}'. T: incident, escalation, proposal, warning, report. Escalation routes\n"
    "have a tier (1, 2, …): the n-th escalation of an unacknowledged incident goes to tier n.\n"
    "Every form takes --as USER, --json and --data DIR.\n";

static int print_items(struct cli *cli, json_t *items)
{
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        char *s = json_dumps(v, JSON_COMPACT);
        printf("%s\n", s ? s : "");
        free(s);
    }
    json_decref(items);
    return 0;
}

static int nt_channel(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *kind_s = NULL, *config_s = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("kind", &kind_s), OPT_V("config", &config_s),
                               OPT_END};
    char *pos[2];
    int npos, rc = opt_parse(cli, "notify channel", opts, argc, argv, pos, 2, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 1)
        return err_set(e, ERR_USAGE,
                       "tocsin notify channel: add, list, rm, enable, disable or test");
    const char *verb = pos[0];
    int is_list = strcmp(verb, "list") == 0;
    if (!is_list && npos != 2)
        return err_set(e, ERR_USAGE, "tocsin notify channel %.20s: give the channel's NAME", verb);
    enum channel_kind kind = CH_WEBHOOK;
    json_t *config = NULL;
    if (strcmp(verb, "add") == 0 || strcmp(verb, "edit") == 0) {
        json_error_t je;
        if (verb[0] == 'a' && (!kind_s || channel_kind_parse(kind_s, &kind) != 0))
            return err_set(e, ERR_USAGE,
                           "tocsin notify channel add: --kind smtp, webhook, dingtalk, wecom or "
                           "feishu");
        if (!config_s || !(config = json_loads(config_s, JSON_REJECT_DUPLICATES, &je)))
            return err_set(e, ERR_INPUT, "tocsin notify channel %s: --config is not JSON: %s", verb,
                           config_s ? je.text : "missing");
    }
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc) {
        json_decref(config);
        return rc;
    }
    int64_t id = 0;
    json_t *items = NULL;
    if (is_list)
        rc = channel_list_json(st, &u, &items, e);
    else if (strcmp(verb, "add") == 0)
        rc = channel_add(st, &u, pos[1], kind, config, &id, e);
    else if (strcmp(verb, "edit") == 0)
        rc = channel_set_config(st, &u, pos[1], config, e);
    else if (strcmp(verb, "rm") == 0)
        rc = channel_remove(st, &u, pos[1], e);
    else if (strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0)
        rc = channel_set_enabled(st, &u, pos[1], verb[0] == 'e', e);
    else if (strcmp(verb, "test") == 0)
        rc = channel_test(st, &u, pos[1], e);
    else
        rc = err_set(e, ERR_USAGE, "tocsin notify channel: unknown '%.20s'", verb);
    store_close(st);
    json_decref(config);
    if (!rc && items)
        return print_items(cli, items);
    if (!rc && !cli->json)
        printf("channel %s: %s%s\n", pos[1], verb,
               strcmp(verb, "test") == 0 ? " (queued; tocsin serve sends it)" : "");
    return rc;
}

static int nt_route(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *trigger = NULL, *level = NULL, *tier_s = NULL;
    struct route_new in = {.min_level = LEVEL_IV};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("trigger", &trigger),
                               OPT_V("channel", &in.channel),
                               OPT_V("min-level", &level),
                               OPT_V("role", &in.role),
                               OPT_V("category", &in.category),
                               OPT_V("tier", &tier_s),
                               OPT_END};
    char *pos[2];
    int npos, rc = opt_parse(cli, "notify route", opts, argc, argv, pos, 2, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos < 1)
        return err_set(e, ERR_USAGE, "tocsin notify route: add, list or rm");
    int64_t id = 0;
    if (strcmp(pos[0], "add") == 0) {
        if (!trigger || notice_trigger_parse(trigger, &in.trigger) != 0)
            return err_set(e, ERR_USAGE,
                           "tocsin notify route add: --trigger incident, escalation, proposal, "
                           "warning or report");
        if (level && level_parse(level, &in.min_level) != 0)
            return err_set(e, ERR_INPUT, "--min-level must be I, II, III or IV");
        if (tier_s) {
            int64_t t;
            if ((rc = cli_id("--tier", tier_s, &t, e)) != 0)
                return rc;
            in.tier = (int)(t > 100 ? 100 : t);
        }
    } else if (strcmp(pos[0], "rm") == 0) {
        if (npos != 2 || (rc = cli_id("the route's ID", pos[1], &id, e)) != 0)
            return rc ? rc : err_set(e, ERR_USAGE, "tocsin notify route rm: give the route's ID");
    } else if (strcmp(pos[0], "list") != 0) {
        return err_set(e, ERR_USAGE, "tocsin notify route: add, list or rm");
    }
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items = NULL;
    if (strcmp(pos[0], "add") == 0)
        rc = route_add(st, &u, &in, &id, e);
    else if (strcmp(pos[0], "rm") == 0)
        rc = route_remove(st, &u, id, e);
    else
        rc = route_list_json(st, &u, &items, e);
    store_close(st);
    if (!rc && items)
        return print_items(cli, items);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:I}", "id", (json_int_t)id))
                  : (void)printf("route %lld: %s\n", (long long)id, pos[0]);
    return rc;
}

static int nt_outbox(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *status = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("status", &status), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "notify outbox", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    json_t *items = NULL;
    rc = outbox_list_json(st, &u, status, 200, 0, &items, e);
    store_close(st);
    return rc ? rc : print_items(cli, items);
}

int cmd_notify(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"channel", nt_channel}, {"route", nt_route}, {"outbox", nt_outbox}, {NULL, NULL}};
    return cli_dispatch(cli, "notify", notify_usage, subs, argc, argv, e);
}
