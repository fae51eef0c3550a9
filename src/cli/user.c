/* tocsin user add|list|passwd|disable|enable */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char user_usage[] =
    "usage: tocsin user add NAME --role ROLE [--department NAME] [--display NAME]\n"
    "                       [--password-file FILE]\n"
    "       tocsin user list [--json]\n"
    "       tocsin user passwd NAME [--password-file FILE | --generate]\n"
    "       tocsin user disable NAME\n"
    "       tocsin user enable NAME\n"
    "       tocsin user email NAME ADDRESS   (\"\" removes it; notifications by mail go there)\n"
    "\n"
    "Roles: leader (leading group), officer (duty officer), department, auditor, admin.\n"
    "Without --password-file, 'add' prints a random password once; 'passwd' reads the new\n"
    "password from the terminal or one line of standard input. All take --data DIR.\n";

static void print_password(const struct cli *cli, const char *name, const char *password)
{
    if (cli->json) {
        json_t *j = json_pack("{s:s, s:s}", "user", name, "password", password);
        json_print(j, 1);
        json_decref(j);
    } else {
        printf("user: %s\npassword: %s\n", name, password);
    }
}

static int user_add_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *role_s = NULL, *dept = NULL, *display = NULL, *pwfile = NULL;
    const struct opt opts[] = {
        OPT_V("role", &role_s),
        OPT_V("department", &dept),
        OPT_V("display", &display),
        OPT_V("password-file", &pwfile),
        OPT_END,
    };
    char *pos[1];
    int rc = opt_parse_n(cli, "user add", opts, argc, argv, pos, 1, "the user's NAME", e);
    if (rc || cli->help)
        return rc;
    if (!role_s)
        return err_set(e, ERR_USAGE, "tocsin user add: --role is required (one of %s)",
                       role_codes_list());
    enum role role;
    if (role_parse(role_s, &role) != 0)
        return err_set(e, ERR_INPUT, "tocsin user add: unknown role '%.40s' (one of %s)", role_s,
                       role_codes_list());
    char password[USER_PASSWORD_MAX + 2];
    int generated = !pwfile;
    if (generated)
        user_password_generate(password, 20);
    else if ((rc = cli_read_password(pwfile, password, sizeof(password), e)) != 0)
        return rc;

    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (!rc) {
        rc = user_add(st, cli->actor, pos[0], display, role, dept, password, e);
        store_close(st);
    }
    if (!rc && generated)
        print_password(cli, pos[0], password);
    else if (!rc && cli->json) {
        json_t *j = json_pack("{s:s, s:s}", "user", pos[0], "role", role_s);
        json_print(j, 1);
        json_decref(j);
    } else if (!rc)
        printf("added user %s (%s)\n", pos[0], role_s);
    explicit_bzero(password, sizeof(password));
    return rc;
}

static int add_row(const struct user *u, void *arg)
{
    json_t *items = arg;
    if (items) {
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", u->name,
                                               "display_name", u->display_name, "role",
                                               role_info(u->role)->code, "department",
                                               u->department, "disabled", u->is_disabled));
    } else {
        printf("%-20s %-11s %-20s %-9s %s\n", u->name, role_info(u->role)->code,
               u->department[0] ? u->department : "-", u->is_disabled ? "disabled" : "active",
               u->display_name);
    }
    return 0;
}

static int user_list_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[1];
    int npos, rc = opt_parse(cli, "user list", NULL, argc, argv, pos, 0, &npos, e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    json_t *items = cli->json ? json_array() : NULL;
    if (!items)
        printf("%-20s %-11s %-20s %-9s %s\n", "NAME", "ROLE", "DEPARTMENT", "STATE", "DISPLAY");
    rc = user_each(st, add_row, items, e);
    store_close(st);
    if (!rc && items)
        json_print(items, 1);
    json_decref(items);
    return rc;
}

static int user_passwd_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *pwfile = NULL;
    int generate = 0;
    const struct opt opts[] = {
        OPT_V("password-file", &pwfile),
        OPT_F("generate", &generate),
        OPT_END,
    };
    char *pos[1];
    int rc = opt_parse_n(cli, "user passwd", opts, argc, argv, pos, 1, "the user's NAME", e);
    if (rc || cli->help)
        return rc;
    if (generate && pwfile)
        return err_set(e, ERR_USAGE,
                       "tocsin user passwd: --generate and --password-file exclude each other");
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    struct user u;
    char password[USER_PASSWORD_MAX + 2];
    rc = user_find(st, pos[0], &u, e);
    if (!rc && generate)
        user_password_generate(password, 20);
    else if (!rc)
        rc = cli_read_password(pwfile, password, sizeof(password), e);
    if (!rc)
        rc = user_set_password(st, cli->actor, pos[0], password, e);
    store_close(st);
    if (!rc && generate)
        print_password(cli, pos[0], password);
    else if (!rc && !cli->json)
        printf("password of %s changed\n", pos[0]);
    explicit_bzero(password, sizeof(password));
    return rc;
}

static int user_able_cmd(struct cli *cli, int argc, char **argv, int disable, struct err *e)
{
    const char *cmd = disable ? "user disable" : "user enable";
    char *pos[1];
    int rc = opt_parse_n(cli, cmd, NULL, argc, argv, pos, 1, "the user's NAME", e);
    if (rc || cli->help)
        return rc;
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    rc = user_set_disabled(st, cli->actor, pos[0], disable, e);
    store_close(st);
    if (!rc && !cli->json)
        printf("user %s %s\n", pos[0], disable ? "disabled" : "enabled");
    return rc;
}

static int user_email_cmd(struct cli *cli, int argc, char **argv, struct err *e)
{
    char *pos[2];
    int npos, rc = opt_parse(cli, "user email", NULL, argc, argv, pos, 2, &npos, e);
    if (rc || cli->help)
        return rc;
    if (npos != 2)
        return err_set(e, ERR_USAGE, "tocsin user email: give NAME and ADDRESS");
    struct store *st;
    struct config cfg;
    rc = cli_open(cli, &st, &cfg, e);
    if (rc)
        return rc;
    rc = user_set_email(st, cli->actor, pos[0], pos[1], e);
    store_close(st);
    if (!rc && !cli->json)
        printf("user %s: e-mail %s\n", pos[0], pos[1][0] ? pos[1] : "removed");
    return rc;
}

int cmd_user(struct cli *cli, int argc, char **argv, struct err *e)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        cli_usage(user_usage);
        return argc < 1 ? err_set(e, ERR_USAGE, "tocsin user: give a subcommand") : 0;
    }
    const char *sub = argv[0];
    int rc;
    if (strcmp(sub, "add") == 0)
        rc = user_add_cmd(cli, argc - 1, argv + 1, e);
    else if (strcmp(sub, "list") == 0)
        rc = user_list_cmd(cli, argc - 1, argv + 1, e);
    else if (strcmp(sub, "passwd") == 0)
        rc = user_passwd_cmd(cli, argc - 1, argv + 1, e);
    else if (strcmp(sub, "disable") == 0)
        rc = user_able_cmd(cli, argc - 1, argv + 1, 1, e);
    else if (strcmp(sub, "enable") == 0)
        rc = user_able_cmd(cli, argc - 1, argv + 1, 0, e);
    else if (strcmp(sub, "email") == 0)
        rc = user_email_cmd(cli, argc - 1, argv + 1, e);
    else
        return err_set(e, ERR_USAGE, "tocsin user: unknown subcommand '%.40s' (see --help)", sub);
    if (cli->help)
        cli_usage(user_usage);
    return rc;
}
