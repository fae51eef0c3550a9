/* tocsin init: create a data directory with its first administrator. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char init_usage[] =
    "usage: tocsin init [--data DIR] [--org NAME] [--admin USER] [--timezone ZONE]\n"
    "                   [--listen ADDR:PORT] [--json]\n"
    "\n"
    "Creates the data directory (--data, else $TOCSIN_DATA, else " CLI_DEFAULT_DATA "):\n"
    "tocsin.conf, tocsin.db and objects/, and the first administrator, whose random\n"
    "password is printed once. Refuses a directory that holds tocsin data already.\n";

/* Removes what a failed init created, so that it can simply be run again. */
static void undo(const char *dir, int made_dir)
{
    static const char *const files[] = {"tocsin.db-wal", "tocsin.db-shm", "tocsin.db",
                                        "tocsin.conf",   "objects/tmp",   "objects"};
    char p[STORE_PATH_MAX + 32];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (made_dir)
        rmdir(dir);
}

int cmd_init(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *org = NULL, *admin = "admin", *tz = NULL, *listen = NULL;
    const struct opt opts[] = {
        OPT_V("org", &org),
        OPT_V("admin", &admin),
        OPT_V("timezone", &tz),
        OPT_V("listen", &listen),
        OPT_END,
    };
    char *pos[1];
    int npos;
    int rc = opt_parse(cli, "init", opts, argc, argv, pos, 0, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(init_usage);
        return 0;
    }
    const char *dir = cli_data_dir(cli);

    /* Check every input before touching the disk. */
    struct config cfg;
    config_defaults(&cfg);
    struct buf text;
    buf_init(&text, CONFIG_MAX_BYTES);
    buf_addf(&text, "[organisation]\n");
    if (org)
        buf_addf(&text, "name = %s\n", org);
    if (tz)
        buf_addf(&text, "timezone = %s\n", tz);
    if (listen)
        buf_addf(&text, "[server]\nlisten = %s\n", listen);
    if (org && strchr(org, '\n'))
        rc = err_set(e, ERR_INPUT, "--org may not contain a line break");
    if (!rc)
        rc = config_parse(&cfg, "the command line", buf_str(&text), text.len, e);
    buf_release(&text);
    if (!rc)
        rc = user_name_check(admin, e);
    if (rc)
        return rc;

    char conf[STORE_PATH_MAX + 16], db[STORE_PATH_MAX + 16];
    snprintf(conf, sizeof(conf), "%s/tocsin.conf", dir);
    snprintf(db, sizeof(db), "%s/tocsin.db", dir);
    if (fs_exists(conf) || fs_exists(db))
        return err_set(e, ERR_EXISTS,
                       "%s already holds a tocsin data directory; refusing to touch it", dir);
    int made_dir = !fs_exists(dir);
    rc = fs_mkdirs(dir, 0700, e);
    if (!rc)
        rc = fs_check_writable(dir, e);
    if (rc) {
        if (made_dir)
            rmdir(dir);
        return rc;
    }

    struct buf out;
    buf_init(&out, CONFIG_MAX_BYTES);
    rc = config_format(&cfg, &out);
    if (!rc)
        rc = fs_write_atomic(dir, "tocsin.conf", out.p, out.len, 0600, 1, e);
    buf_release(&out);
    if (rc) {
        if (rc == ERR_EXISTS)
            return err_reset(e, ERR_EXISTS, "%s already holds a tocsin data directory", dir);
        undo(dir, made_dir);
        return rc;
    }

    struct store *st = NULL;
    char password[21];
    user_password_generate(password, 20);
    rc = store_open(&st, dir, STORE_CREATE, e);
    if (!rc)
        rc = store_begin(st, e);
    if (!rc) {
        char now[TIME_ISO_LEN];
        time_format_utc(time_now_ms(), now);
        json_t *d =
            json_pack("{s:s, s:s, s:s, s:i}", "organisation", cfg.org_name, "timezone",
                      cfg.timezone, "version", TOCSIN_VERSION, "schema", store_schema_latest());
        rc = store_meta_set(st, "organisation", cfg.org_name, e);
        if (!rc)
            rc = store_meta_set(st, "created_at", now, e);
        if (!rc)
            rc = audit_append(st, cli->actor, "init", "data", d, e);
        json_decref(d);
        if (rc)
            store_rollback(st);
        else
            rc = store_commit(st, e);
    }
    if (!rc)
        rc = user_add(st, cli->actor, admin, NULL, ROLE_ADMIN, NULL, password, e);
    store_close(st);
    if (rc) {
        undo(dir, made_dir);
        explicit_bzero(password, sizeof(password));
        return rc;
    }

    if (cli->json) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "data", dir, "organisation", cfg.org_name,
                              "user", admin, "password", password);
        json_print(j, 1);
        json_decref(j);
    } else {
        printf("created tocsin data directory %s for %s\n", dir, cfg.org_name);
        printf("user: %s\n", admin);
        printf("password: %s\n", password);
        printf("(shown only now; change it with 'tocsin user passwd %s')\n", admin);
    }
    explicit_bzero(password, sizeof(password));
    return 0;
}
