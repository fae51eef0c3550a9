/* Internals shared by the files of src/prep; not for other modules. */
#ifndef TOCSIN_PREP_INT_H
#define TOCSIN_PREP_INT_H

#include "prep.h"

/* Checks a field: one line of clean UTF-8 (or, multiline, any UTF-8 text) of
 * at most max bytes; empty is ERR_USAGE when required, else accepted. The
 * message names what. */
int prep_text(const char *what, const char *s, size_t max, int required, int multiline,
              struct err *e);
/* Commits when rc is 0, else rolls back; returns rc or the commit's error. */
int prep_finish(struct store *st, int rc, struct err *e);
/* A time as the API writes it; 0 is null (not set). */
json_t *prep_time_json(int64_t ms);

#endif
