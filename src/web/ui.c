/* The web interface's files: the table the build embedded into the binary
 * (scripts/embed-ui.py), or, for the application's own files while it is
 * developed, a directory given with --ui-dir. The libraries (Preact, htm,
 * uPlot) always come from the table. */
#include "web_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define UI_MAX_FILE (4u << 20)

int web_ui_wants(const char *method, const char *path)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return 0;
    return strcmp(path, "/") == 0 || strncmp(path, "/ui/", 4) == 0;
}

static const struct web_asset *embedded(const char *path)
{
    for (const struct web_asset *a = web_assets; a->path; a++)
        if (strcmp(a->path, path) == 0)
            return a;
    return NULL;
}

/* A name under --ui-dir: segments of letters, digits, '_', '.', '-', none
 * starting with a dot, so no "..", no hidden file, nothing absolute; and
 * nothing of npm's (node_modules, package.json), which the build never serves. */
static int safe_rel(const char *rel)
{
    size_t n = strlen(rel);
    if (n == 0 || n > 200 || strncmp(rel, "node_modules/", 13) == 0 ||
        strncmp(rel, "package", 7) == 0)
        return 0;
    int start = 1;
    for (const char *p = rel; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (start)
                return 0;
            start = 1;
            continue;
        }
        if (start && c == '.')
            return 0;
        start = 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return !start;
}

static const char *type_of(const char *rel)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(rel, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

static int from_dir(struct web *w, const char *rel, struct web_file *f, struct err *e)
{
    const char *type = type_of(rel);
    if (!safe_rel(rel) || !type)
        return err_set(e, ERR_NOTFOUND, "no such file");
    int fd = fs_open_beneath(w->ui_fd, rel, O_RDONLY, 0);
    if (fd < 0)
        return err_set(e, ERR_NOTFOUND, "no such file");
    buf_init(&f->own, UI_MAX_FILE);
    int rc = fs_read_fd(fd, &f->own);
    close(fd);
    if (rc)
        return err_set(e, ERR_NOTFOUND, "cannot read %s", rel);
    unsigned char sum[SHA256_LEN];
    char hex[2 * 16 + 1]; /* the first 128 bits, as the embedded table's */
    sha256(f->own.p, f->own.len, sum);
    hex_encode(sum, 16, hex);
    snprintf(f->etag, sizeof(f->etag), "\"%.32s\"", hex);
    f->type = type;
    f->data = f->own.p ? f->own.p : "";
    f->size = f->own.len;
    return 0;
}

int web_ui_find(struct web *w, const char *path, struct web_file *f, struct err *e)
{
    memset(f, 0, sizeof(*f));
    if (strcmp(path, "/") == 0)
        path = "/ui/index.html";
    const struct web_asset *a = embedded(path);
    if (w->ui_fd >= 0 && !(a && a->vendor))
        return from_dir(w, path + 4, f, e);
    if (!a)
        return err_set(e, ERR_NOTFOUND, "no such file");
    f->type = a->type;
    snprintf(f->etag, sizeof(f->etag), "%s", a->etag);
    f->data = a->data;
    f->size = a->size;
    return 0;
}
