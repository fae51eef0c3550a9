/* tocsin audit verify|list */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char audit_usage[] =
    "usage: tocsin audit verify [--json]\n"
    "       tocsin audit list [--actor NAME] [--action NAME] [--limit N] [--json]\n"
    "\n"
    "verify walks the hash chain of the audit log: 'ok: N entries' and exit 0, or the\n"
    "first entry that is wrong and exit 1. list shows entries oldest first (with\n"
    "--limit, the newest N), times in the organisation's time zone.\n";

static int audit_verify_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "audit verify", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct audit_report r;
    rc = audit_verify(st, &r, e);
    store_close(st);
    if (rc < 0)
        return rc;
    if (cli->json) {
        json_t *j =
            rc == 0 ? json_pack("{s:b, s:I}", "ok", 1, "entries", (json_int_t)r.entries)
                    : json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)r.entries,
                                "bad_entry", (json_int_t)r.bad_id, "reason", r.reason);
        json_print(j, 1);
        json_decref(j);
    } else if (rc == 0) {
        printf("ok: %lld entries\n", (long long)r.entries);
    } else {
        printf("broken: entry %lld: %s (%lld entries before it are intact)\n", (long long)r.bad_id,
               r.reason, (long long)r.entries);
    }
    return rc;
}

static int audit_list_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *actor = NULL, *action = NULL, *limit_s = NULL;
    const struct opt opts[] = {
        OPT_V("actor", &actor),
        OPT_V("action", &action),
        OPT_V("limit", &limit_s),
        OPT_END,
    };
    char *pos[1];
    int npos, rc = opt_parse(cli, "audit list", opts, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    int64_t limit = -1;
    if (limit_s) {
        char *end;
        limit = strtoll(limit_s, &end, 10);
        if (*limit_s == '\0' || *end != '\0' || limit < 1)
            return err_set(e, ERR_USAGE,
                           "tocsin audit list: --limit '%.20s' is not a positive number", limit_s);
    }
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    sqlite3_stmt *q;
    /* The newest `limit` entries matching the filters, shown oldest first. */
    rc = store_query(st, e, &q,
                     "SELECT * FROM (SELECT id, at, actor, action, object, details FROM audit "
                     "WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) "
                     "ORDER BY id DESC LIMIT ?3) ORDER BY id",
                     "ssI", actor, action, limit);
    if (rc) {
        store_close(st);
        return rc;
    }
    json_t *items = cli->json ? json_array() : NULL;
    while ((rc = store_step(st, q, e)) == 1) {
        int64_t at = sqlite3_column_int64(q, 1);
        char when[TIME_ISO_LEN];
        if (items) {
            time_format_utc(at, when);
            json_error_t jerr;
            json_t *details = json_loads(store_col_text(q, 5), 0, &jerr);
            json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o*}", "id",
                                                   (json_int_t)sqlite3_column_int64(q, 0), "at",
                                                   when, "actor", store_col_text(q, 2), "action",
                                                   store_col_text(q, 3), "object",
                                                   store_col_text(q, 4), "details", details));
        } else {
            time_format_local(at, when);
            /* Stored details escape non-ASCII; show them as people wrote them. */
            json_t *details = json_loads(store_col_text(q, 5), 0, NULL);
            char *shown = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
            printf("%6lld  %s  %-16s %-16s %-24s %s\n", (long long)sqlite3_column_int64(q, 0), when,
                   store_col_text(q, 2), store_col_text(q, 3), store_col_text(q, 4),
                   shown ? shown : store_col_text(q, 5));
            free(shown);
            json_decref(details);
        }
    }
    store_finish(q);
    store_close(st);
    if (rc == 0 && items)
        json_print(items, 1);
    json_decref(items);
    return rc;
}

int cmd_audit(struct cli *cli, int argc, char **argv, struct err *e)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        cli_usage(audit_usage);
        return argc < 1 ? err_set(e, ERR_USAGE, "tocsin audit: give a subcommand") : 0;
    }
    int rc;
    if (strcmp(argv[0], "verify") == 0)
        rc = audit_verify_cmd(cli, argc - 1, argv + 1, e);
    else if (strcmp(argv[0], "list") == 0)
        rc = audit_list_cmd(cli, argc - 1, argv + 1, e);
    else
        return err_set(e, ERR_USAGE, "tocsin audit: unknown subcommand '%.40s' (see --help)",
                       argv[0]);
    if (cli->help)
        cli_usage(audit_usage);
    return rc;
}
