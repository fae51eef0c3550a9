/* tocsin stats: the year's statistics, drills left out (src/report/). */
#include "cli.h"

#include "../report/report.h"

#include <stdio.h>

static const char stats_usage[] =
    "usage: tocsin stats --as USER [--year YYYY] [--json]\n"
    "\n"
    "The year's statistics (this year by default, in the organisation's time zone):\n"
    "incidents opened by level, category and month, mean time to acknowledge and to\n"
    "close, upward reports owed, sent and late; warnings published by colour; events by\n"
    "source. Drills are left out of every figure and counted on a line of their own.\n";

static void print_text(json_t *o)
{
    json_t *inc = json_object_get(o, "incidents"), *lv = json_object_get(inc, "by_level");
    json_t *rep = json_object_get(inc, "upward_reports"), *w = json_object_get(o, "warnings");
    json_t *dr = json_object_get(o, "drills");
#define I(obj, key) ((long long)json_integer_value(json_object_get((obj), (key))))
    printf("%lld年 (drills left out)\n", I(o, "year"));
    printf("incidents: %lld (open %lld) · I %lld · II %lld · III %lld · IV %lld · ungraded %lld\n",
           I(inc, "total"), I(inc, "open"), I(lv, "I"), I(lv, "II"), I(lv, "III"), I(lv, "IV"),
           I(lv, "ungraded"));
    const char *key;
    json_t *c;
    json_object_foreach(json_object_get(inc, "by_category"), key, c)
    {
        if (I(c, "count"))
            printf("  %-24s %-14s %lld\n", key, json_string_value(json_object_get(c, "zh")),
                   I(c, "count"));
    }
    printf("by month:");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(inc, "by_month"), i, m)
    {
        printf(" %lld", (long long)json_integer_value(m));
    }
    printf("\n");
    json_t *ack = json_object_get(inc, "mean_minutes_to_acknowledge"),
           *close = json_object_get(inc, "mean_hours_to_close");
    if (json_is_number(ack))
        printf("mean time to acknowledge: %.1f min\n", json_number_value(ack));
    if (json_is_number(close))
        printf("mean time to close: %.1f h\n", json_number_value(close));
    printf("upward reports: owed %lld, sent %lld, late %lld\n", I(rep, "owed"), I(rep, "sent"),
           I(rep, "late"));
    printf("warnings published: %lld · red %lld · orange %lld · yellow %lld · blue %lld\n",
           I(w, "total"), I(w, "red"), I(w, "orange"), I(w, "yellow"), I(w, "blue"));
    printf("events received: %lld\n", I(json_object_get(o, "events"), "total"));
    printf("drills held: %lld (comprehensive %lld), with %lld drill incidents and %lld drill "
           "warnings, not counted above\n",
           I(dr, "held"), I(dr, "comprehensive"), I(dr, "incidents"), I(dr, "warnings"));
#undef I
}

int cmd_stats(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *as = NULL, *year_s = NULL;
    const struct opt opts[] = {OPT_V("as", &as), OPT_V("year", &year_s), OPT_END};
    char *pos[1];
    int npos, rc = opt_parse(cli, "stats", opts, argc, argv, pos, 0, &npos, e);
    if (rc)
        return rc;
    if (cli->help) {
        cli_usage(stats_usage);
        return 0;
    }
    int year = 0;
    if ((rc = time_year("stats: --year", year_s, &year, e)))
        return rc == ERR_INPUT ? (e->code = ERR_USAGE) : rc;
    struct store *st;
    struct user u;
    if ((rc = cli_open_as(cli, as, &st, &u, e)))
        return rc;
    json_t *o = NULL;
    rc = stats_year_json(st, &u, year, &o, e);
    store_close(st);
    if (rc)
        return rc;
    if (cli->json)
        cli_print_json(o);
    else {
        print_text(o);
        json_decref(o);
    }
    return 0;
}
