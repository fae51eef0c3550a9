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

#define CLI_DEFAULT_DATA "/var/lib/tocsin"

struct cli {
    const char *data_opt; /* --data, or NULL */
    int json;             /* --json */
    int help;             /* --help was given */
    char actor[80];       /* who acts, for the audit log: "cli:<login>" */
};

enum opt_kind { OPT_FLAG, OPT_VALUE };

struct opt {
    const char *name;  /* without the leading "--" */
    enum opt_kind kind;
    const char **value; /* OPT_VALUE: where the value goes */
    int *flag;          /* OPT_FLAG: set to 1 when given */
};

/* Parses argv[0..argc) of command `cmd` ("user add"). Options may stand before
 * or after positional arguments; "--" ends options. --data, --json and --help
 * are accepted by every command. Positional arguments go to pos (at most
 * max_pos). */
int opt_parse(struct cli *cli, const char *cmd, const struct opt *opts, int argc, char **argv,
              char **pos, int max_pos, int *npos, struct err *e);

/* The data directory in force: --data, else $TOCSIN_DATA, else the default. */
const char *cli_data_dir(const struct cli *cli);
/* Loads tocsin.conf (setting the process time zone from it) and opens the
 * database of the data directory. */
int cli_open(struct cli *cli, struct store **st, struct config *cfg, struct err *e);
/* Reads a password: from FILE when given (first line), else from the terminal
 * (asking twice) or one line of standard input. */
int cli_read_password(const char *file, char *out, size_t cap, struct err *e);

void cli_usage(const char *text);

int cmd_init(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_user(struct cli *cli, int argc, char **argv, struct err *e);
int cmd_audit(struct cli *cli, int argc, char **argv, struct err *e);

#endif
