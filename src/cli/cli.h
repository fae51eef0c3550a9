/*
 * cli — the `tocsin` subcommands: option parsing shared by all of them, the
 * data-directory conventions (--data, $TOCSIN_DATA, /var/lib/tocsin), output
 * (--json) and exit statuses (0 fine, 1 findings, 2 usage or input error).
 *
 * A command returns its exit status (0 or 1), or a negative ERR_* code with
 * the struct err filled; main prints that message and exits 2.
 */
#ifndef TOCSIN_CLI_H
#define TOCSIN_CLI_H

#include "../response/response.h"

#include <pthread.h>

#define CLI_DEFAULT_DATA "/var/lib/tocsin"

struct cli {
    const char *data_opt; /* --data, or NULL */
    int json;             /* --json */
    int help;             /* --help was given */
    char actor[80];       /* who acts, for the audit log: "cli:<login>" */
};

enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_MULTI };

struct opt {
    const char *name; /* without the leading "--" */
    enum opt_kind kind;
    const char **value; /* OPT_VALUE: where the value goes; OPT_MULTI: an array */
    int *flag;          /* OPT_FLAG: set to 1 when given; OPT_MULTI: the count */
    int max;            /* OPT_MULTI: the array's size */
};

#define OPT_V(name, ptr)                                                                           \
    {                                                                                              \
        name, OPT_VALUE, ptr, NULL, 0                                                              \
    }
#define OPT_F(name, ptr)                                                                           \
    {                                                                                              \
        name, OPT_FLAG, NULL, ptr, 0                                                               \
    }
#define OPT_M(name, arr, count)                                                                    \
    {                                                                                              \
        name, OPT_MULTI, arr, count, (int)(sizeof(arr) / sizeof(arr[0]))                           \
    }
#define OPT_END                                                                                    \
    {                                                                                              \
        NULL, 0, NULL, NULL, 0                                                                     \
    }

/* Parses argv[0..argc) of command `cmd` ("user add"). Options may stand before
 * or after positional arguments; "--" ends options. --data, --json and --help
 * are accepted by every command. Positional arguments go to pos (at most
 * max_pos). */
int opt_parse(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
              char **pos, int max_pos, int *npos, struct err *e);

/* opt_parse for a command that takes exactly n positional arguments; when the
 * count is wrong: "tocsin CMD: give WHAT" (unless --help was asked). */
int opt_parse_n(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
                char **pos, int n, const char *what, struct err *e);

/* The data directory in force: --data, else $TOCSIN_DATA, else the default. */
const char *cli_data_dir(const struct cli *cli);
/* Loads tocsin.conf (setting the process time zone from it) and opens the
 * database of the data directory. */
int cli_open(struct cli *cli, struct store **st, struct config *cfg, struct err *e);
/* Reads a password: from FILE when given (first line), else from the terminal
 * (asking twice) or one line of standard input. */
int cli_read_password(const char *file, char *out, size_t cap, struct err *e);

void cli_usage(const char *text);

/* Loads the user named by --as; every command that acts needs one. */
int cli_actor(struct store *st, const char *as, struct user *out, struct err *e);
/* cli_open, then cli_actor; on failure nothing stays open. */
int cli_open_as(struct cli *cli, const char *as, struct store **st, struct user *u, struct err *e);
/* Parses a time: "2026-11-27T08:00:00Z" (UTC), "2026-11-27 16:00" (local, the
 * organisation's zone), or relative to now: "+30m", "+4h", "+2d". */
int cli_time(const char *what, const char *s, int64_t *out, struct err *e);
/* Parses a positive whole number. */
int cli_id(const char *what, const char *s, int64_t *out, struct err *e);
/* Prints a JSON result (--json) and releases it. */
void cli_print_json(json_t *v);
/* A subcommand table: name, handler. */
struct cli_sub {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv, struct err *e);
};
/* Runs argv[0] from subs, or prints usage. */
int cli_dispatch(struct cli *cli, const char *cmd, const char *usage, const struct cli_sub *subs,
                 int argc, char **argv, struct err *e);

int cmd_init(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_user(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_audit(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_incident(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_warning(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_assessment(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_approval(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_due(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_stats(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_asset(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_setting(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_serve(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_scan(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_guard(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_logscan(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_check(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_monitor(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_event(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_triage(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_notify(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_supply(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_backup(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_drill(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_hazard(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_risk(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_checklist(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_training(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_plan(struct cli *cli, int argc, char **argv, struct err *e);

/* One check of a page, blocking (tocsin check, tocsin monitor run): the fetch,
 * its judgement and, when cloak is set, the page as crawlers see it. */
struct probe_check;
struct probe_target;
struct probe_fetch;
struct probe_findings;
struct probe_print;
int check_run(const struct probe_check *c, const struct probe_target *t, int cloak,
              struct probe_fetch *fe, struct probe_findings *f, struct probe_print **print,
              struct err *e);
json_t *check_result_json(const char *url, const struct probe_fetch *fe,
                          const struct probe_findings *f);
void check_print_text(const char *url, const struct probe_fetch *fe,
                      const struct probe_findings *f);

/* One item of a PATH@ASSET list ([guard] protect, [logwatch] logs). */
struct cli_asset_path {
    char path[1024];
    char asset[128]; /* "" when the item names none */
};
/* Splits a comma-separated PATH[@ASSET] list (checked by the config reader),
 * spaces around each part trimmed, into out[0..max). Returns how many items
 * the list has, which may be more than max. */
int cli_asset_paths(const char *list, struct cli_asset_path *out, int max);

/* A thread that tocsin serve runs beside the API until it stops: fn gets arg
 * and a descriptor that becomes readable when it is time to return. */
struct cli_thread {
    int stop[2];
    pthread_t thread;
    int started;
};
void cli_thread_init(struct cli_thread *t);
int cli_thread_start(struct cli_thread *t, void *(*fn)(void *), void *arg, const char *what,
                     struct err *e);
/* Signals the thread, waits for it, closes the descriptors; safe when it
 * never started. */
void cli_thread_stop(struct cli_thread *t);

/* Scheduled and queued backups, run by tocsin serve on a thread of their own. */
struct serve_backup;
int serve_backup_start(const char *data, struct serve_backup **out, struct err *e);
void serve_backup_stop(struct serve_backup *s);

/* The guards of [guard] protect, run by tocsin serve on a thread of their own;
 * their events go to intake. Nothing is started (and *out is NULL) when no
 * directory is configured. */
struct serve_guards;
int serve_guards_start(const char *data, const struct config *cfg, struct serve_guards **out,
                       struct err *e);
void serve_guards_stop(struct serve_guards *s);

/* The access logs of [logwatch] logs, followed by tocsin serve on a thread of
 * their own with a database connection of their own; detections go to intake
 * with each log's position. Nothing is started when no log is configured. */
struct serve_logwatch;
struct lw_rules;
/* Every rule's category must be one of the plan's, with a sub-category. */
int logwatch_check_categories(const struct lw_rules *rs, struct err *e);
/* Adds the Core Rule Set of dir (NULL: the default, which may be missing;
 * "none": nothing) up to paranoia (1-4) to rs. */
int logwatch_add_crs(struct lw_rules *rs, const char *dir, int paranoia, struct err *e);
/* A detection as JSON: rule, category, severity, description, client,
 * samples (bytes that are not UTF-8 escaped), possibly_successful, and its
 * first and last time when the log has times. */
struct lw_detection;
json_t *logwatch_detection_json(const struct lw_detection *d);
/* Calls fn with the URL path (beneath its guarded root) of every file the
 * guard saw added, in guard events after *after, at most 1000 a call;
 * *after moves to the last event read. */
int logwatch_guard_scripts(struct store *st, int64_t *after, void (*fn)(void *, const char *),
                           void *ctx, struct err *e);
/* The website monitors of the database, checked on schedule by tocsin serve
 * on a thread of their own (libuv and libcurl's multi interface); findings
 * go to intake. Started even with no monitor: one added later is picked up. */
struct serve_monitors;
int serve_monitors_start(const char *data, struct serve_monitors **out, struct err *e);
void serve_monitors_stop(struct serve_monitors *s);

/* Triage's timed work, notification planning and delivery, on a thread of
 * their own (src/cli/notify_serve.c). */
struct serve_notify;
int serve_notify_start(const char *data, struct serve_notify **out, struct err *e);
void serve_notify_stop(struct serve_notify *s);

int serve_logwatch_start(const char *data, const struct config *cfg, struct serve_logwatch **out,
                         struct err *e);
void serve_logwatch_stop(struct serve_logwatch *s);

#endif
