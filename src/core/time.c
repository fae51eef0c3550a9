/* Time: UTC milliseconds everywhere inside; local time only for display. */
#include "core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int64_t (*clock_override)(void);

int64_t time_now_ms(void)
{
    if (clock_override)
        return clock_override();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_set_clock(int64_t (*clock_ms)(void))
{
    clock_override = clock_ms;
}

static void split_ms(int64_t ms, time_t *sec, int *milli)
{
    int64_t s = ms / 1000, m = ms % 1000;
    if (m < 0) {
        m += 1000;
        s -= 1;
    }
    *sec = (time_t)s;
    *milli = (int)m;
}

void time_format_utc(int64_t ms, char out[TIME_ISO_LEN])
{
    time_t sec;
    int milli;
    struct tm tm;
    split_ms(ms, &sec, &milli);
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, TIME_ISO_LEN, "invalid-time");
        return;
    }
    snprintf(out, TIME_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, milli);
}

void time_format_local(int64_t ms, char out[TIME_ISO_LEN])
{
    time_t sec;
    int milli;
    struct tm tm;
    split_ms(ms, &sec, &milli);
    if (!localtime_r(&sec, &tm)) {
        snprintf(out, TIME_ISO_LEN, "invalid-time");
        return;
    }
    strftime(out, TIME_ISO_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int time_parse_utc(const char *s, int64_t *out_ms, struct err *e)
{
    int Y, M, D, h, m, sec, milli = 0;
    size_t n = strlen(s);
    if (n < 20 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
        digits(s + 8, 2, &D) || s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
        goto bad;
    const char *p = s + 19;
    if (*p == '.') {
        /* RFC 3339 allows any number of fraction digits (Alertmanager sends nine). */
        size_t k = 1;
        while (k <= 9 && p[k] >= '0' && p[k] <= '9')
            k++;
        if (k < 2 || (p[k] >= '0' && p[k] <= '9'))
            goto bad;
        for (size_t i = 1; i <= 3; i++)
            milli = milli * 10 + (i < k ? p[i] - '0' : 0);
        p += k;
    }
    int offset_min = 0;
    if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            goto bad;
        offset_min = (p[0] == '+' ? 1 : -1) * (oh * 60 + om);
    } else if (p[0] != 'Z' || p[1] != '\0') {
        goto bad;
    }
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        goto bad;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    struct tm back;
    /* timegm rolls 30 February over into March; such a date is refused. */
    if (!gmtime_r(&t, &back) || back.tm_mday != D || back.tm_mon != M - 1)
        goto bad;
    *out_ms = ((int64_t)t - (int64_t)offset_min * 60) * 1000 + milli;
    return 0;
bad:
    return err_set(e, ERR_INPUT, "time '%.40s' is not of the form 2026-01-31T08:00:00Z", s);
}

int time_zone_check(const char *name, struct err *e)
{
    size_t n = strlen(name);
    if (n == 0 || n > 60)
        return err_set(e, ERR_INPUT, "time zone '%.60s' is empty or too long", name);
    int start = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (start && (c == '.' || c == '/'))
            return err_set(e, ERR_INPUT, "time zone '%s' is not a zone name", name);
        start = c == '/';
        if (!(isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+' || c == '.'))
            return err_set(e, ERR_INPUT, "time zone '%s' is not a zone name", name);
    }
    if (start)
        return err_set(e, ERR_INPUT, "time zone '%s' is not a zone name", name);
    if (strcmp(name, "UTC") == 0)
        return 0;
    const char *dir = getenv("TZDIR");
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(e, ERR_INPUT, "time zone '%s' is unknown to this system (%s)", name, path);
    return 0;
}

int time_year(const char *what, const char *s, int *out, struct err *e)
{
    if (!s) {
        time_t now = (time_t)(time_now_ms() / 1000);
        struct tm tm;
        localtime_r(&now, &tm);
        *out = tm.tm_year + 1900;
        return 0;
    }
    char *end;
    long y = strtol(s, &end, 10);
    if (!*s || *end || y < 1 || y > 9999)
        return err_set(e, ERR_INPUT, "%s must be a year such as 2026", what);
    *out = (int)y;
    return 0;
}

int64_t time_month_start(int year, int month)
{
    struct tm tm = {
        .tm_year = year - 1900 + month / 12, .tm_mon = month % 12, .tm_mday = 1, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000;
}
