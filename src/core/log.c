/* Logging to standard error. Messages are lowercase and never carry a
 * password, token, cookie or session id. */
#include "core.h"

#include <stdio.h>

static enum log_level log_threshold = LOG_WARN;

void log_set_level(enum log_level level)
{
    log_threshold = level;
}

static void log_v(enum log_level level, const char *tag, const char *fmt, va_list ap)
{
    if (level > log_threshold)
        return;
    char ts[TIME_ISO_LEN];
    time_format_utc(time_now_ms(), ts);
    fprintf(stderr, "%s tocsin %s: ", ts, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define LOG_FN(fn, level, tag)                                                                     \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        log_v(level, tag, fmt, ap);                                                                \
        va_end(ap);                                                                                \
    }

LOG_FN(log_error, LOG_ERROR, "error")
LOG_FN(log_warn, LOG_WARN, "warning")
LOG_FN(log_info, LOG_INFO, "info")
LOG_FN(log_debug, LOG_DEBUG, "debug")
