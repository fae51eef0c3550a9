/* Errors: one code type for all of tocsin, with a message naming the input. */
#include "core.h"

#include <stdio.h>
#include <string.h>

static int err_vset(struct err *e, int code, int errnum, int replace, const char *fmt, va_list ap)
{
    if (!e || (e->code != ERR_OK && !replace))
        return code;
    e->code = code;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    if (errnum) {
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
    }
    return code;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int err_errno(struct err *e, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, errnum, 0, fmt, ap);
    va_end(ap);
    return code;
}

int err_reset(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, 0, 1, fmt, ap);
    va_end(ap);
    return code;
}

void err_clear(struct err *e)
{
    if (e) {
        e->code = ERR_OK;
        e->msg[0] = '\0';
    }
}

static const struct {
    int code;
    const char *name;
} err_names[] = {
    {ERR_OK, "ok"},           {ERR_NOMEM, "out_of_memory"}, {ERR_IO, "io"},
    {ERR_INPUT, "bad_input"}, {ERR_USAGE, "usage"},         {ERR_NOTFOUND, "not_found"},
    {ERR_EXISTS, "exists"},   {ERR_DAMAGED, "damaged"},     {ERR_VERSION, "version"},
    {ERR_DB, "database"},     {ERR_DENIED, "denied"},       {ERR_CONFLICT, "conflict"},
    {ERR_TOOBIG, "too_big"},  {ERR_INTERNAL, "internal"},
};

const char *err_code_name(int code)
{
    for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
        if (err_names[i].code == code)
            return err_names[i].name;
    return "unknown";
}

int err_exit_status(int code)
{
    return code == ERR_OK ? 0 : 2;
}
