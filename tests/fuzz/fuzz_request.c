/* libFuzzer harness for the request layer of `tocsin serve`: routing of a
 * method and path, the web interface's files for a path (built in, and from a
 * --ui-dir whose symlink and sibling must never be served), and the decoding
 * of a JSON body with its field checks.
 * Input: METHOD " " PATH "\n" BODY. */
#include "web/web_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A --ui-dir with two files, a symlink out of it, and a secret beside it. */
static int ui_dir_fd(void)
{
    static int fd = -2;
    if (fd != -2)
        return fd;
    char dir[] = "/tmp/fuzz-ui-XXXXXX", path[64];
    fd = -1;
    if (!mkdtemp(dir))
        return fd;
    snprintf(path, sizeof(path), "%s/ui", dir);
    mkdir(path, 0700);
    const char *files[][2] = {
        {"ui/index.html", "<p>ui</p>"}, {"ui/app.js", "ui();"}, {"secret.js", "SECRET"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
        FILE *f = fopen(path, "w");
        if (f) {
            fputs(files[i][1], f);
            fclose(f);
        }
    }
    char target[64];
    snprintf(target, sizeof(target), "%s/secret.js", dir);
    snprintf(path, sizeof(path), "%s/ui/link.js", dir);
    if (symlink(target, path) != 0)
        return fd;
    snprintf(path, sizeof(path), "%s/ui", dir);
    fd = open(path, O_RDONLY | O_DIRECTORY);
    return fd;
}

static void ui_files(const char *method, const char *path)
{
    if (!web_ui_wants(method, path))
        return;
    struct web w = {.ui_fd = -1};
    struct web_file f;
    struct err e = {0};
    if (web_ui_find(&w, path, &f, &e) == 0 && (!f.type || !f.data || f.etag[0] != '"'))
        __builtin_trap();
    buf_release(&f.own);
    w.ui_fd = ui_dir_fd();
    if (w.ui_fd < 0)
        return;
    if (web_ui_find(&w, path, &f, &e) == 0 && f.size == 6 && memcmp(f.data, "SECRET", 6) == 0)
        __builtin_trap(); /* served what lies outside the directory */
    buf_release(&f.own);
}

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
    ui_files(r->method, r->path);
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
