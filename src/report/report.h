/*
 * report — what the office tells others from the records: so far the year's
 * statistics (incidents by level, category and month, time to acknowledge
 * and to close, upward reports on time, warnings by colour, events by
 * source), always without drills: the plan's figures are real incidents
 * only, and what the drills produced is counted on its own line.
 *
 * Reads only; the caller's role is checked (stats.read).
 */
#ifndef TOCSIN_REPORT_H
#define TOCSIN_REPORT_H

#include "../response/response.h"

/* The year's statistics (a year of the organisation's calendar, in the
 * process's time zone) as JSON; ERR_INPUT for a year out of 2000–2200. */
int stats_year_json(struct store *st, const struct user *as, int year, json_t **out, struct err *e);

#endif
