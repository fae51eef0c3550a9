/* What every subcommand shares: options, the data directory, passwords. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const struct opt *find_opt(const struct opt *opts, const char *name, size_t n)
{
    for (; opts && opts->name; opts++)
        if (strlen(opts->name) == n && strncmp(opts->name, name, n) == 0)
            return opts;
    return NULL;
}

int opt_parse(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
              char **pos, int max_pos, int *npos, struct err *e)
{
    const struct opt globals[] = {
        OPT_V("data", &cli->data_opt),
        OPT_F("json", &cli->json),
        OPT_F("help", &cli->help),
        OPT_END,
    };
    int only_pos = 0;
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*npos >= max_pos)
                return err_set(e, ERR_USAGE, "tocsin %s: unexpected argument '%.60s'", cmd, a);
            pos[(*npos)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0) {
            cli->help = 1;
            continue;
        }
        if (a[1] != '-')
            return err_set(e, ERR_USAGE, "tocsin %s: unknown option '%.60s' (see --help)", cmd, a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt *o = find_opt(opts, name, n);
        if (!o)
            o = find_opt(globals, name, n);
        if (!o)
            return err_set(e, ERR_USAGE, "tocsin %s: unknown option '--%.*s' (see --help)", cmd,
                           (int)(n > 60 ? 60 : n), name);
        if (o->kind == OPT_MULTI) {
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return err_set(e, ERR_USAGE, "tocsin %s: option --%s needs a value", cmd, o->name);
            if (*o->flag >= o->max)
                return err_set(e, ERR_USAGE, "tocsin %s: --%s is given more than %d times", cmd,
                               o->name, o->max);
            o->value[(*o->flag)++] = v;
            continue;
        }
        if (o->kind == OPT_FLAG) {
            if (eq)
                return err_set(e, ERR_USAGE, "tocsin %s: option --%s takes no value", cmd, o->name);
            *o->flag = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v)
            return err_set(e, ERR_USAGE, "tocsin %s: option --%s needs a value", cmd, o->name);
        *o->value = v;
    }
    return 0;
}

int opt_parse_n(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
                char **pos, int n, const char *what, struct err *e)
{
    int npos;
    int rc = opt_parse(cli, cmd, opts, argc, argv, pos, n, &npos, e);
    if (!rc && !cli->help && npos != n)
        rc = err_set(e, ERR_USAGE, "tocsin %s: give %s", cmd, what);
    return rc;
}

const char *cli_data_dir(const struct cli *cli)
{
    if (cli->data_opt && *cli->data_opt)
        return cli->data_opt;
    const char *env = getenv("TOCSIN_DATA");
    return env && *env ? env : CLI_DEFAULT_DATA;
}

int cli_open(struct cli *cli, struct store **st, struct config *cfg, struct err *e)
{
    const char *dir = cli_data_dir(cli);
    char conf[STORE_PATH_MAX + 16];
    snprintf(conf, sizeof(conf), "%s/tocsin.conf", dir);
    if (!fs_exists(dir))
        return err_set(e, ERR_NOTFOUND,
                       "no tocsin data directory at %s (create one with 'tocsin init --data %s')",
                       dir, dir);
    config_defaults(cfg);
    int rc = config_load(cfg, conf, e);
    if (rc)
        return rc;
    setenv("TZ", cfg->timezone, 1);
    tzset();
    return store_open(st, dir, 0, e);
}

void cli_usage(const char *text)
{
    fputs(text, stdout);
}

/* Reads one line of at most cap-1 bytes from f, without its line end. */
static int read_line(FILE *f, char *out, size_t cap, const char *what, struct err *e)
{
    if (!fgets(out, (int)cap, f))
        return err_set(e, ERR_INPUT, "no password given on %s", what);
    size_t n = strlen(out);
    if (n == cap - 1 && out[n - 1] != '\n')
        return err_set(e, ERR_INPUT, "the password on %s is longer than %zu bytes", what, cap - 2);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return 0;
}

static int ask_tty(const char *prompt, char *out, size_t cap, struct err *e)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return err_errno(e, ERR_IO, errno, "cannot open the terminal to ask for a password");
    struct termios old, quiet;
    int have = tcgetattr(fileno(tty), &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    fputs(prompt, tty);
    fflush(tty);
    int rc = read_line(tty, out, cap, "the terminal", e);
    if (have)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    return rc;
}

int cli_read_password(const char *file, char *out, size_t cap, struct err *e)
{
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f)
            return err_errno(e, ERR_IO, errno, "cannot open password file %s", file);
        int rc = read_line(f, out, cap, file, e);
        fclose(f);
        return rc;
    }
    if (!isatty(STDIN_FILENO))
        return read_line(stdin, out, cap, "standard input", e);
    char again[USER_PASSWORD_MAX + 2];
    int rc = ask_tty("new password: ", out, cap, e);
    if (!rc)
        rc = ask_tty("again: ", again, sizeof(again), e);
    if (!rc && strcmp(out, again) != 0)
        rc = err_set(e, ERR_INPUT, "the two passwords differ");
    explicit_bzero(again, sizeof(again));
    return rc;
}

int cli_actor(struct store *st, const char *as, struct user *out, struct err *e)
{
    if (!as || !*as)
        return err_set(e, ERR_USAGE, "--as USER is required: say who acts");
    return actor_load(st, as, out, e);
}

int cli_open_as(struct cli *cli, const char *as, struct store **st, struct user *u, struct err *e)
{
    struct config cfg;
    int rc = cli_open(cli, st, &cfg, e);
    if (!rc && (rc = cli_actor(*st, as, u, e)) != 0) {
        store_close(*st);
        *st = NULL;
    }
    return rc;
}

int cli_time(const char *what, const char *s, int64_t *out, struct err *e)
{
    if (!s || !*s)
        return err_set(e, ERR_USAGE, "%s needs a time", what);
    size_t n = strlen(s);
    if (s[0] == '+') {
        char *end;
        long long v = strtoll(s + 1, &end, 10);
        int64_t unit = *end == 'm'   ? PLAN_MINUTE_MS
                       : *end == 'h' ? PLAN_HOUR_MS
                       : *end == 'd' ? PLAN_DAY_MS
                                     : 0;
        if (end == s + 1 || !unit || end[1] != '\0' || v < 0 || v > 3650LL * 24 * 60)
            return err_set(e, ERR_INPUT, "%s '%.40s' is not like +30m, +4h or +2d", what, s);
        *out = time_now_ms() + v * unit;
        return 0;
    }
    if (n && s[n - 1] == 'Z') {
        struct err pe = {0};
        if (time_parse_utc(s, out, &pe) != 0)
            return err_set(e, ERR_INPUT, "%s: %s", what, pe.msg);
        return 0;
    }
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%d %H:%M", &tm);
    if (!end)
        end = strptime(s, "%Y-%m-%dT%H:%M", &tm);
    if (end && *end == ':')
        end = strptime(end, ":%S", &tm);
    if (!end || *end != '\0')
        return err_set(e, ERR_INPUT,
                       "%s '%.40s' is not a time (2026-11-27 16:00 local, "
                       "2026-11-27T08:00:00Z, or +4h)",
                       what, s);
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return err_set(e, ERR_INPUT, "%s '%.40s' is not a valid local time", what, s);
    *out = (int64_t)t * 1000;
    return 0;
}

int cli_id(const char *what, const char *s, int64_t *out, struct err *e)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v < 1)
        return err_set(e, ERR_USAGE, "%s '%.30s' is not a positive number", what, s ? s : "");
    *out = v;
    return 0;
}

void cli_print_json(json_t *v)
{
    json_print(v, 1);
    json_decref(v);
}

int cli_dispatch(struct cli *cli, const char *cmd, const char *usage, const struct cli_sub *subs,
                 int argc, char **argv, struct err *e)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        cli_usage(usage);
        return argc < 1 ? err_set(e, ERR_USAGE, "tocsin %s: give a subcommand", cmd) : 0;
    }
    for (; subs->name; subs++) {
        if (strcmp(subs->name, argv[0]) != 0)
            continue;
        int rc = subs->run(cli, argc - 1, argv + 1, e);
        if (cli->help)
            cli_usage(usage);
        return rc;
    }
    return err_set(e, ERR_USAGE, "tocsin %s: unknown subcommand '%.40s' (see --help)", cmd,
                   argv[0]);
}

/* ---- PATH@ASSET lists -------------------------------------------------- */

static void trim_copy(char *out, size_t cap, const char *p, size_t n)
{
    while (n && *p == ' ')
        p++, n--;
    while (n && p[n - 1] == ' ')
        n--;
    snprintf(out, cap, "%.*s", (int)n, p);
}

int cli_asset_paths(const char *list, struct cli_asset_path *out, int max)
{
    int n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        const char *at = memchr(p, '@', len);
        size_t plen = at ? (size_t)(at - p) : len;
        if (strspn(p, " ") < len) {
            if (n < max) {
                trim_copy(out[n].path, sizeof(out[n].path), p, plen);
                trim_copy(out[n].asset, sizeof(out[n].asset), at ? at + 1 : "",
                          at ? len - plen - 1 : 0);
            }
            n++;
        }
        p += len + (p[len] == ',');
    }
    return n;
}

/* ---- threads beside the API ------------------------------------------------ */

void cli_thread_init(struct cli_thread *t)
{
    *t = (struct cli_thread){.stop = {-1, -1}};
}

int cli_thread_start(struct cli_thread *t, void *(*fn)(void *), void *arg, const char *what,
                     struct err *e)
{
    if (pipe2(t->stop, O_CLOEXEC) != 0)
        return err_errno(e, ERR_IO, errno, "cannot create a pipe");
    if (pthread_create(&t->thread, NULL, fn, arg) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the %s thread", what);
    t->started = 1;
    return 0;
}

void cli_thread_stop(struct cli_thread *t)
{
    if (t->started) {
        char c = 1;
        ssize_t k = write(t->stop[1], &c, 1);
        (void)k;
        pthread_join(t->thread, NULL);
        t->started = 0;
    }
    for (int i = 0; i < 2; i++)
        if (t->stop[i] >= 0) {
            close(t->stop[i]);
            t->stop[i] = -1;
        }
}
