/* Tokenizing detectors of SQL injection and of script in markup, for CRS's
 * @detectSQLi and @detectXSS (see inject.c). Private to logwatch. */
#ifndef TOCSIN_LOGWATCH_INJECT_H
#define TOCSIN_LOGWATCH_INJECT_H

#include <stddef.h>

/* 1 when p[0..n), landing bare or inside a quoted string, ends the SQL it
 * lands in and goes on as SQL of its own. */
int lw_detect_sqli(const unsigned char *p, size_t n);
/* 1 when p[0..n) holds markup a browser would run: a script-bearing
 * element, an event handler, a javascript: or vbscript: address, a
 * declaration. */
int lw_detect_xss(const unsigned char *p, size_t n);

#endif
