/* tocsin drill …: drills through the real pipeline (P-3, G-4). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char drill_usage[] =
    "usage: tocsin drill add TITLE --form tabletop|hands-on|demonstration --scope single|joint\n"
    "                        --kind comprehensive|special --planned TIME --script FILE\n"
    "                        --participant USER… --as USER\n"
    "       tocsin drill list\n"
    "       tocsin drill show REF          (the report: injections, steps and deadlines)\n"
    "       tocsin drill start REF --as USER\n"
    "       tocsin drill finish REF --as USER\n"
    "       tocsin drill finding REF --text TEXT --department NAME --due TIME --as USER\n"
    "       tocsin drill done FINDING-ID --as USER\n"
    "       tocsin drill report REF --incident INC-REF [--text FILE] --as USER\n"
    "\n"
    "A script has one injection per line: T+TIME ASSET|- CATEGORY STATE|- WHAT HAPPENS, e.g.\n"
    "  T+0  门户网站 information-destruction/tampering tampered 首页被替换为非法内容\n"
    "  T+5m OA系统 equipment-failure down OA系统停止响应\n"
    "Started, a drill's injections go through the real intake and triage at their time\n"
    "('tocsin serve' feeds them), marked as the drill's: its incidents and warnings are\n"
    "drills, told by mail to its participants only, never reported upward. 'report' drafts\n"
    "the upward report of one of its incidents as practice (FILE's text, or the first report\n"
    "to the city office in the official layout), kept with the drill, never sent, and timed\n"
    "as the step 'upward report drafted'. 'add' prints the reference (DRL-0001). Every form\n"
    "takes --json and --data DIR.\n";

static int dr_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *planned = NULL, *script = NULL;
    const char *people[DRILL_PARTICIPANTS_MAX + 1];
    int np = 0;
    struct drill_new in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("form", &in.form),
                               OPT_V("scope", &in.scope),
                               OPT_V("kind", &in.kind),
                               OPT_V("planned", &planned),
                               OPT_V("script", &script),
                               OPT_M("participant", people, &np),
                               OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "drill add", opts, argc, argv, pos, 1, "TITLE", e);
    if (rc || cli->help)
        return rc;
    in.title = pos[0];
    if (!planned || (rc = cli_time("--planned", planned, &in.planned_at, e)) != 0)
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin drill add: --planned TIME is required");
    if (!script)
        return err_set(e, ERR_USAGE, "tocsin drill add: --script FILE is required");
    if (np > DRILL_PARTICIPANTS_MAX)
        return err_set(e, ERR_USAGE, "tocsin drill add: at most %d participants",
                       DRILL_PARTICIPANTS_MAX);
    for (int i = 0; i < np; i++)
        in.participants[i] = people[i];
    in.n_participants = (size_t)np;
    struct buf text;
    buf_init(&text, DRILL_SCRIPT_MAX);
    if ((rc = fs_read_file(script, DRILL_SCRIPT_MAX, &text, e)) != 0) {
        buf_release(&text);
        return rc;
    }
    in.script = buf_str(&text);
    if (strlen(in.script) != text.len)
        rc = err_set(e, ERR_INPUT, "the script %s holds a NUL byte", script);
    struct store *st = NULL;
    struct user u;
    char ref[DRILL_REF_LEN];
    if (!rc)
        rc = cli_open_as(cli, as, &st, &u, e);
    if (!rc) {
        rc = drill_add(st, &u, &in, ref, e);
        if (rc && e->msg[0] && strncmp(e->msg, "script", 6) == 0) {
            char m[sizeof e->msg];
            snprintf(m, sizeof m, "%s", e->msg);
            err_reset(e, rc, "%s: %s", script, m); /* name the file */
        }
        store_close(st);
    }
    buf_release(&text);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static int dr_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "drill list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = drill_list_json(st, &u, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-9s %-9s %-14s %-13s %s\n", "REF", "STATUS", "FORM", "KIND", "TITLE");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        printf("%-9s %-9s %-14s %-13s %s\n", json_string_value(json_object_get(v, "ref")),
               json_string_value(json_object_get(v, "status")),
               json_string_value(json_object_get(v, "form")),
               json_string_value(json_object_get(v, "kind")),
               json_string_value(json_object_get(v, "title")));
    }
    json_decref(items);
    return 0;
}

static int dr_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, "drill show", NULL, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *o = NULL;
    rc = drill_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

/* start and finish: the same shape */
static int dr_change(struct cli *cli, int argc, char **argv, const char *cmd,
                     int (*fn)(struct store *, const struct user *, const char *, struct err *),
                     struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, cmd, opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)) != 0)
        return rc;
    rc = fn(st, &u, pos[0], e);
    store_close(st);
    return rc;
}

static int dr_start(struct cli *cli, int argc, char **argv, struct err *e)
{
    return dr_change(cli, argc, argv, "drill start", drill_start, e);
}

static int dr_finish(struct cli *cli, int argc, char **argv, struct err *e)
{
    return dr_change(cli, argc, argv, "drill finish", drill_finish, e);
}

static int dr_finding(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *text = NULL, *dept = NULL, *due = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("text", &text), OPT_V("department", &dept),
                               OPT_V("due", &due), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "drill finding", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    int64_t due_at = 0, id = 0;
    if (!due || (rc = cli_time("--due", due, &due_at, e)) != 0)
        return rc ? rc : err_set(e, ERR_USAGE, "tocsin drill finding: --due TIME is required");
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)) != 0)
        return rc;
    rc = drill_finding_add(st, &u, pos[0], text, dept, due_at, &id, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:I}", "finding", (json_int_t)id))
                  : (void)printf("%lld\n", (long long)id);
    return rc;
}

static int dr_report(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *incident = NULL, *file = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("incident", &incident), OPT_V("text", &file),
                               OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "drill report", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    if (!incident)
        return err_set(e, ERR_USAGE, "tocsin drill report: --incident INC-REF is required");
    struct buf text, out;
    buf_init(&text, 16385);
    buf_init(&out, 64 << 10);
    if (file)
        rc = fs_read_file(file, 16384, &text, e);
    struct store *st = NULL;
    struct user u;
    int64_t id = 0;
    if (!rc && (rc = cli_open_as(cli, as, &st, &u, e)) == 0) {
        rc = drill_report_draft(st, &u, pos[0], incident, file ? buf_str(&text) : NULL, &id, &out,
                                e);
        store_close(st);
    }
    if (!rc)
        cli->json ? cli_print_json(
                        json_pack("{s:I, s:s}", "report", (json_int_t)id, "text", buf_str(&out)))
                  : (void)printf("%s\n", buf_str(&out));
    buf_release(&text);
    buf_release(&out);
    return rc;
}

static int dr_done(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "drill done", opts, argc, argv, pos, 1, "FINDING-ID", e);
    if (rc || cli->help)
        return rc;
    int64_t id = 0;
    if ((rc = cli_id("FINDING-ID", pos[0], &id, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)) != 0)
        return rc;
    rc = drill_finding_done(st, &u, id, e);
    store_close(st);
    return rc;
}

int cmd_drill(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", dr_add},     {"list", dr_list},     {"show", dr_show},
        {"start", dr_start}, {"finish", dr_finish}, {"finding", dr_finding},
        {"done", dr_done},   {"report", dr_report}, {NULL, NULL}};
    return cli_dispatch(cli, "drill", drill_usage, subs, argc, argv, e);
}
