/* tocsin supply …: the emergency-supplies store (G-1). */
#include "../prep/prep.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char supply_usage[] =
    "usage: tocsin supply add --name TEXT --kind hardware|software|rescue --quantity N\n"
    "                         --location TEXT [--expires TIME] [--maintain TIME]\n"
    "       tocsin supply list\n"
    "       tocsin supply show REF\n"
    "       tocsin supply dispatch REF --quantity N --incident INC-REF [--reason TEXT]\n"
    "       tocsin supply return DISPATCH-ID --quantity N\n"
    "\n"
    "'add' prints the new reference (SUP-0001). 'dispatch' asks a leader to approve taking\n"
    "supplies for an incident and prints the approval's id: nothing leaves the store until\n"
    "'tocsin approval decide ID approve'. 'return' puts supplies back. Every form takes\n"
    "--as USER, --json and --data DIR. Expiring items and maintenance show in 'tocsin due'.\n";

static int count_arg(const char *what, const char *s, int64_t *out, struct err *e)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : -1;
    if (!s || !*s || *end || v < 0)
        return err_set(e, ERR_USAGE, "%s must be a whole number", what);
    *out = v;
    return 0;
}

static int sup_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *kind = NULL, *qty = NULL, *expires = NULL, *maintain = NULL;
    struct supply_new in = {0};
    const struct opt opts[] = {OPT_V("as", &as),
                               OPT_V("name", &in.name),
                               OPT_V("kind", &kind),
                               OPT_V("quantity", &qty),
                               OPT_V("location", &in.location),
                               OPT_V("expires", &expires),
                               OPT_V("maintain", &maintain),
                               OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "supply add", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    if (!kind || supply_kind_parse(kind, &in.kind) != 0)
        return err_set(e, ERR_USAGE, "tocsin supply add: --kind is hardware, software or rescue");
    if ((rc = count_arg("--quantity", qty, &in.quantity, e)) != 0)
        return rc;
    if (expires && (rc = cli_time("--expires", expires, &in.expires_at, e)) != 0)
        return rc;
    if (maintain && (rc = cli_time("--maintain", maintain, &in.maintain_at, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    char ref[SUPPLY_REF_LEN];
    rc = supply_add(st, &u, &in, ref, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "ref", ref)) : (void)printf("%s\n", ref);
    return rc;
}

static int sup_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "supply list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = supply_list_json(st, &u, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-9s %-9s %8s %5s %-10s %s\n", "REF", "KIND", "QUANTITY", "OUT", "STATE",
           "NAME / LOCATION");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        printf("%-9s %-9s %8lld %5lld %-10s %s / %s\n",
               json_string_value(json_object_get(v, "ref")),
               json_string_value(json_object_get(v, "kind")),
               (long long)json_integer_value(json_object_get(v, "quantity")),
               (long long)json_integer_value(json_object_get(v, "out")),
               json_string_value(json_object_get(v, "state")),
               json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "location")));
    }
    json_decref(items);
    return 0;
}

static int sup_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, "supply show", NULL, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *o = NULL;
    rc = supply_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

static int sup_dispatch(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *qty = NULL, *incident = NULL, *reason = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("quantity", &qty),
                               OPT_V("incident", &incident), OPT_V("reason", &reason), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "supply dispatch", opts, argc, argv, pos, 1, "REF", e);
    if (rc || cli->help)
        return rc;
    int64_t n = 0, approval = 0;
    if ((rc = count_arg("--quantity", qty, &n, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = supply_dispatch(st, &u, pos[0], n, incident, reason, &approval, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:I}", "approval", (json_int_t)approval))
                  : (void)printf("%lld\n", (long long)approval);
    return rc;
}

static int sup_return(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *qty = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("quantity", &qty), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "supply return", opts, argc, argv, pos, 1, "the dispatch's ID", e);
    if (rc || cli->help)
        return rc;
    int64_t id = 0, n = 0;
    if ((rc = cli_id("the dispatch's ID", pos[0], &id, e)) != 0 ||
        (rc = count_arg("--quantity", qty, &n, e)) != 0)
        return rc;
    struct store *st;
    struct user u;
    rc = cli_open_as(cli, as, &st, &u, e);
    if (rc)
        return rc;
    rc = supply_return(st, &u, id, n, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("dispatch %lld: %lld returned\n", (long long)id, (long long)n);
    return rc;
}

int cmd_supply(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {{"add", sup_add},       {"list", sup_list},
                                          {"show", sup_show},     {"dispatch", sup_dispatch},
                                          {"return", sup_return}, {NULL, NULL}};
    return cli_dispatch(cli, "supply", supply_usage, subs, argc, argv, e);
}
