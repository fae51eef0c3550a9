/* libFuzzer harness for the request layer of `tocsin serve`: routing of a
 * method and path, and the decoding of a JSON body with its field checks.
 * Input: METHOD " " PATH "\n" BODY. */
#include "web/web_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    const char *sp = memchr(p, ' ', size);
    const char *nl = sp ? memchr(sp, '\n', (size_t)(end - sp)) : NULL;
    if (!sp || !nl || sp - p >= 8 || nl - sp - 1 >= 512)
        return 0;
    struct req *r = calloc(1, sizeof(*r));
    if (!r)
        return 0;
    memcpy(r->method, p, (size_t)(sp - p));
    memcpy(r->path, sp + 1, (size_t)(nl - sp - 1));
    buf_init(&r->body, 1 << 16);
    if (buf_add(&r->body, nl + 1, (size_t)(end - nl - 1)) != 0) {
        free(r);
        return 0;
    }
    int mismatch = 0;
    const struct route *rt = web_route_find(r, &mismatch);
    if (rt) {
        /* every parameter is a bounded, NUL-terminated string without a slash */
        for (int i = 0; i < WEB_MAX_PARAMS; i++)
            if (strchr(r->params[i], '/') || strlen(r->params[i]) >= 128)
                __builtin_trap();
    }
    static const char *const fields[] = {"title",  "category", "asset", "level",
                                         "reason", "drill",    NULL};
    json_t *o = NULL;
    struct err e = {0};
    if (req_json(r, fields, &o, &e) == 0) {
        const char *s;
        for (int i = 0; fields[i]; i++) {
            err_clear(&e);
            if (json_str(o, fields[i], 0, &s, &e) != 0 && e.msg[0] == '\0')
                __builtin_trap();
        }
        json_decref(o);
    } else if (e.msg[0] == '\0') {
        __builtin_trap();
    }
    buf_release(&r->body);
    free(r);
    return 0;
}
