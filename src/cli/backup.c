/* tocsin backup …: disaster-recovery backups with verified restore (G-2, H-4). */
#include "../prep/prep.h"
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char backup_usage[] =
    "usage: tocsin backup add NAME (--path DIR | --command CMD) --dest DIR [--copy DIR]\n"
    "                         [--key FILE] [--asset NAME] [--on-incident] [--every 1d]\n"
    "                         [--keep N] --as USER\n"
    "       tocsin backup edit NAME [the same options] [--dest DIR] [--enable|--disable]\n"
    "                          --as USER\n"
    "       tocsin backup list\n"
    "       tocsin backup show NAME\n"
    "       tocsin backup run NAME\n"
    "       tocsin backup verify NAME [ARCHIVE]\n"
    "       tocsin backup restore NAME [ARCHIVE] --to DIR\n"
    "       tocsin backup restore --file ARCHIVE [--key FILE] --to DIR\n"
    "       tocsin backup keygen FILE\n"
    "\n"
    "An archive is tar + zstd (sealed with the key when --key is given), written under a\n"
    "temporary name and counted as good only after a test restore matched every file's\n"
    "SHA-256. 'run' prints the archive's id after verifying it. 'verify' exits 0 when the\n"
    "archive restores to the recorded hashes, 1 when it is damaged. 'restore' fills a new or\n"
    "empty DIR only when every file matched (exit 1 for a damaged archive). --file restores\n"
    "an archive without the database, e.g. on a new machine. The job 'tocsin' keeps tocsin's\n"
    "own data directory. --every is 0 (by hand only) or a duration (90m, 12h, 1d);\n"
    "'tocsin serve' runs scheduled and queued jobs. Every form takes --json and --data DIR.\n";

static int duration_arg(const char *s, int64_t *out, struct err *e)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : -1;
    if (!s || end == s || v < 0)
        return err_set(e, ERR_USAGE, "--every '%.20s' is not 0 or a duration (90m, 12h, 1d)",
                       s ? s : "");
    long long unit = !*end                   ? 1
                     : strcmp(end, "s") == 0 ? 1
                     : strcmp(end, "m") == 0 ? 60
                     : strcmp(end, "h") == 0 ? 3600
                     : strcmp(end, "d") == 0 ? 86400
                                             : 0;
    if (!unit || v > 400LL * 86400)
        return err_set(e, ERR_USAGE, "--every '%.20s' is not 0 or a duration (90m, 12h, 1d)", s);
    *out = v * unit;
    return 0;
}

static int job_args(struct cli *cli, const char *cmd, int argc, char **argv, int is_edit,
                    char **name, struct backup_job_new *in, const char **as, struct err *e)
{
    const char *every = NULL, *keep = NULL;
    int on_incident = 0, enable = 0, disable = 0;
    const struct opt opts[] = {OPT_V("as", as),
                               OPT_V("path", &in->path),
                               OPT_V("command", &in->command),
                               OPT_V("dest", &in->dest),
                               OPT_V("copy", &in->copy_dest),
                               OPT_V("key", &in->key_file),
                               OPT_V("asset", &in->asset),
                               OPT_F("on-incident", &on_incident),
                               OPT_F("enable", &enable),
                               OPT_F("disable", &disable),
                               OPT_V("every", &every),
                               OPT_V("keep", &keep),
                               OPT_END};
    in->interval_s = in->keep = BACKUP_UNSET;
    in->on_incident = in->enabled = -1;
    int rc = opt_parse_n(cli, cmd, opts, argc, argv, name, 1, "NAME", e);
    if (rc || cli->help)
        return rc;
    in->name = name[0];
    if (every && (rc = duration_arg(every, &in->interval_s, e)) != 0)
        return rc;
    if (keep) {
        char *end;
        long long v = strtoll(keep, &end, 10);
        if (end == keep || *end)
            return err_set(e, ERR_USAGE, "%s: --keep must be a whole number", cmd);
        in->keep = v;
    }
    if (on_incident)
        in->on_incident = 1;
    if (!is_edit && (enable || disable))
        return err_set(e, ERR_USAGE, "%s: --enable and --disable are for 'backup edit'", cmd);
    if (enable && disable)
        return err_set(e, ERR_USAGE, "%s: --enable or --disable, not both", cmd);
    if (enable || disable)
        in->enabled = enable;
    return 0;
}

static int bk_add(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *name[1];
    const char *as = NULL;
    struct backup_job_new in = {0};
    int rc = job_args(cli, "tocsin backup add", argc, argv, 0, name, &in, &as, e);
    if (rc || cli->help)
        return rc;
    if (!in.on_incident || in.on_incident < 0)
        in.on_incident = 0;
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)) != 0)
        return rc;
    rc = backup_job_add(st, &u, &in, e);
    store_close(st);
    if (!rc)
        cli->json ? cli_print_json(json_pack("{s:s}", "name", in.name))
                  : (void)printf("%s\n", in.name);
    return rc;
}

static int bk_edit(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *name[1];
    const char *as = NULL;
    struct backup_job_new in = {0};
    int rc = job_args(cli, "tocsin backup edit", argc, argv, 1, name, &in, &as, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)) != 0)
        return rc;
    rc = backup_job_edit(st, &u, name[0], &in, e);
    store_close(st);
    return rc;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int bk_list(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "backup list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *items = NULL;
    rc = backup_list_json(st, &u, &items, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json) {
        cli_print_json(items);
        return 0;
    }
    printf("%-16s %-6s %8s %-8s %-20s %s\n", "NAME", "KIND", "EVERY", "LAST", "LAST GOOD",
           "WHAT → WHERE");
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_t *last = json_object_get(v, "last");
        const char *what = json_is_string(json_object_get(v, "path"))    ? str(v, "path")
                           : json_is_true(json_object_get(v, "command")) ? "(dump command)"
                                                                         : "(tocsin data)";
        printf("%-16s %-6s %7llds %-8s %-20s %s → %s%s\n", str(v, "name"), str(v, "kind"),
               (long long)json_integer_value(json_object_get(v, "every_s")),
               last ? str(last, "state") : "-",
               json_is_string(json_object_get(v, "last_good")) ? str(v, "last_good") : "never",
               what, str(v, "dest"), json_is_true(json_object_get(v, "enabled")) ? "" : " (off)");
    }
    json_decref(items);
    return 0;
}

static int bk_show(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, "backup show", NULL, argc, argv, pos, 1, "NAME", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    struct user u = {.role = ROLE_AUDITOR};
    json_t *o = NULL;
    rc = backup_show_json(st, &u, pos[0], &o, e);
    store_close(st);
    if (!rc)
        cli_print_json(o);
    return rc;
}

/* Acting user: --as when given (and allowed), else the operator at the host. */
static int operator(struct cli *cli, struct store *st, const char *as, char out[96], struct err *e)
{
    if (!as) {
        snprintf(out, 96, "%.80s", cli->actor);
        return 0;
    }
    struct user u;
    int rc = cli_actor(st, as, &u, e);
    if (!rc)
        rc = resp_allow(&u, ACT_BACKUP_MANAGE, e);
    if (!rc)
        snprintf(out, 96, "%s", u.name);
    return rc;
}

static void print_result(struct cli *cli, int64_t id, const struct bk_result *r, const char *what)
{
    if (cli->json) {
        cli_print_json(json_pack("{s:I, s:b, s:s?, s:I, s:I, s:I, s:s}", "archive", (json_int_t)id,
                                 "damaged", r->damaged, "why", r->damaged ? r->why : NULL, "files",
                                 (json_int_t)r->st.files, "bytes", (json_int_t)r->st.bytes, "size",
                                 (json_int_t)r->st.size, "sha256", r->st.sha256));
    } else if (r->damaged) {
        fprintf(stderr, "tocsin: archive %lld is damaged: %s\n", (long long)id, r->why);
    } else if (what) {
        fprintf(stderr, "archive %lld %s: %llu files, %llu bytes\n", (long long)id, what,
                (unsigned long long)r->st.files, (unsigned long long)r->st.bytes);
    }
}

static int bk_run(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[1];
    int rc = opt_parse_n(cli, "backup run", opts, argc, argv, pos, 1, "NAME", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    char actor[96];
    int64_t id = 0;
    struct bk_result r;
    rc = operator(cli, st, as, actor, e);
    if (!rc)
        rc = backup_queue(st, actor, pos[0], "by hand", &id, e);
    if (!rc)
        rc = backup_execute(st, id, NULL, &r, e);
    store_close(st);
    if (rc)
        return rc;
    if (!cli->json && !r.damaged)
        printf("%lld\n", (long long)id);
    print_result(cli, id, &r, NULL);
    return r.damaged ? 1 : 0;
}

static int archive_arg(char **pos, int npos, int64_t *out, struct err *e)
{
    *out = 0;
    return npos > 1 ? cli_id("ARCHIVE", pos[1], out, e) : 0;
}

static int bk_verify(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_END};
    char *pos[2];
    int npos, rc = opt_parse(cli, "backup verify", opts, argc, argv, pos, 2, &npos, e);
    if (rc || cli->help)
        return rc;
    int64_t archive;
    if (npos < 1)
        return err_set(e, ERR_USAGE, "tocsin backup verify: give NAME [ARCHIVE]");
    if ((rc = archive_arg(pos, npos, &archive, e)) != 0)
        return rc;
    struct store *st;
    struct config cfg;
    if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
        return rc;
    char actor[96];
    int64_t used = 0;
    struct bk_result r;
    rc = operator(cli, st, as, actor, e);
    if (!rc)
        rc = backup_read(st, actor, pos[0], archive, NULL, &used, &r, e);
    store_close(st);
    if (rc)
        return rc;
    print_result(cli, used, &r, "restores to its recorded hashes");
    return r.damaged ? 1 : 0;
}

static int bk_restore(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *to = NULL, *file = NULL, *keyfile = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("to", &to), OPT_V("file", &file),
                               OPT_V("key", &keyfile), OPT_END};
    char *pos[2];
    int npos, rc = opt_parse(cli, "backup restore", opts, argc, argv, pos, 2, &npos, e);
    if (rc || cli->help)
        return rc;
    if (!to)
        return err_set(e, ERR_USAGE, "tocsin backup restore: --to DIR is required");
    struct bk_result r;
    int64_t used = 0;
    if (file) { /* without the database: the manifest inside the archive decides */
        if (npos)
            return err_set(e, ERR_USAGE, "tocsin backup restore: --file or NAME, not both");
        unsigned char key[BK_KEY_LEN];
        char kid[BK_KEY_ID_LEN] = "";
        if (keyfile && (rc = bk_key_load(keyfile, key, kid, e)) != 0)
            return rc;
        struct bk_read in = {.path = file, .key = keyfile ? key : NULL, .key_id = kid, .to = to};
        rc = bk_read(&in, &r, e);
        sodium_memzero(key, sizeof key);
    } else {
        if (npos < 1)
            return err_set(e, ERR_USAGE, "tocsin backup restore: give NAME [ARCHIVE] or --file");
        if (keyfile)
            return err_set(e, ERR_USAGE,
                           "tocsin backup restore: a job's archives use its own "
                           "--key; --key goes with --file");
        int64_t archive;
        if ((rc = archive_arg(pos, npos, &archive, e)) != 0)
            return rc;
        struct store *st;
        struct config cfg;
        if ((rc = cli_open(cli, &st, &cfg, e)) != 0)
            return rc;
        char actor[96];
        rc = operator(cli, st, as, actor, e);
        if (!rc)
            rc = backup_read(st, actor, pos[0], archive, to, &used, &r, e);
        store_close(st);
    }
    if (rc)
        return rc;
    print_result(cli, used, &r, r.damaged ? NULL : "restored");
    if (r.damaged)
        fprintf(stderr, "tocsin: nothing was restored into %s\n", to);
    return r.damaged ? 1 : 0;
}

static int bk_keygen(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int rc = opt_parse_n(cli, "backup keygen", NULL, argc, argv, pos, 1, "FILE", e);
    if (rc || cli->help)
        return rc;
    rc = bk_key_create(pos[0], e);
    if (!rc && !cli->json)
        fprintf(stderr, "key written to %s (mode 0600); keep a copy away from the archives\n",
                pos[0]);
    return rc;
}

int cmd_backup(struct cli *cli, int argc, char **argv, struct err *e)
{
    static const struct cli_sub subs[] = {
        {"add", bk_add},         {"edit", bk_edit},     {"list", bk_list},
        {"show", bk_show},       {"run", bk_run},       {"verify", bk_verify},
        {"restore", bk_restore}, {"keygen", bk_keygen}, {NULL, NULL}};
    return cli_dispatch(cli, "backup", backup_usage, subs, argc, argv, e);
}
