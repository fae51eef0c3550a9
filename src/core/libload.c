/* libcurl and libclamav, loaded when first used rather than at every start.
 *
 * With their dependencies they are a third of the shared libraries tocsin
 * would otherwise load (Kerberos, LDAP, SSH, ICU, XML…), which made up a
 * quarter of the start-up time of every command, a `tocsin scan` or
 * `tocsin logscan` that never fetches a page or loads a ClamAV database
 * included. The functions below carry the libraries' own names, so the
 * code that calls them is the same as with the libraries linked: the
 * first call opens the library (by the soname it was built against) and
 * each call goes on to the real function. When the library cannot be
 * opened, it is said once in the log and every call fails the way the
 * library reports failure (CURLE_FAILED_INIT, NULL, CL_EOPEN, …). */
#define CURL_DISABLE_TYPECHECK /* curl.h would make curl_easy_setopt a macro */
#include "core.h"

#include <clamav.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>

#ifndef CURL_SONAME
#define CURL_SONAME "libcurl.so.4"
#endif
#ifndef CLAMAV_SONAME
#define CLAMAV_SONAME "libclamav.so.12"
#endif

/* An empty name would open tocsin itself, whose functions of these names
 * are the ones below. */
_Static_assert(sizeof(CURL_SONAME) > 1 && sizeof(CLAMAV_SONAME) > 1, "a soname is empty");

struct sym {
    const char *name;
    void **slot;
};

/* Opens lib and fills every slot, or none (and NULL). */
static void *load(const char *lib, const struct sym *v, size_t n)
{
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        log_error("cannot load %s: %s", lib, dlerror());
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        *v[i].slot = dlsym(h, v[i].name);
        if (!*v[i].slot) {
            log_error("%s has no %s: it is not the version tocsin was built with", lib, v[i].name);
            for (size_t k = 0; k < n; k++)
                *v[k].slot = NULL;
            dlclose(h);
            return NULL;
        }
    }
    return h;
}

/* ---- libcurl ------------------------------------------------------------ */

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    char *(*easy_escape)(CURL *, const char *, int);
    void (*free)(void *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
    CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
    CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
} cu;

static pthread_once_t cu_once = PTHREAD_ONCE_INIT;
static void *cu_lib;

#define SYM(prefix, f)                                                                             \
    {                                                                                              \
        prefix #f, (void **)&cu.f                                                                  \
    }

static void cu_load(void)
{
    static const struct sym v[] = {
        SYM("curl_", global_init),
        SYM("curl_", easy_init),
        SYM("curl_", easy_cleanup),
        SYM("curl_", easy_setopt),
        SYM("curl_", easy_getinfo),
        SYM("curl_", easy_perform),
        SYM("curl_", easy_strerror),
        SYM("curl_", easy_escape),
        SYM("curl_", free),
        SYM("curl_", slist_append),
        SYM("curl_", slist_free_all),
        SYM("curl_", multi_init),
        SYM("curl_", multi_cleanup),
        SYM("curl_", multi_setopt),
        SYM("curl_", multi_add_handle),
        SYM("curl_", multi_remove_handle),
        SYM("curl_", multi_perform),
        SYM("curl_", multi_poll),
        SYM("curl_", multi_socket_action),
        SYM("curl_", multi_assign),
        SYM("curl_", multi_info_read),
    };
    cu_lib = load(CURL_SONAME, v, sizeof(v) / sizeof(v[0]));
}

#undef SYM

/* Whether libcurl is there, opening it on the first call. */
static int cu_ok(void)
{
    pthread_once(&cu_once, cu_load);
    return cu_lib != NULL;
}

CURLcode curl_global_init(long flags)
{
    return cu_ok() ? cu.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
    return cu_ok() ? cu.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
    if (h && cu_ok())
        cu.easy_cleanup(h);
}

/* An option's type is its number's range (curl.h's CURLOPTTYPE_*): the one
 * argument is read as what it is and passed on. Function pointers travel as
 * void *, which the x86-64 and AArch64 calling conventions pass alike. */
#define FORWARD_OPTION(call, handle, option, ap)                                                   \
    ((option) < CURLOPTTYPE_OBJECTPOINT ? call(handle, option, va_arg(ap, long))                   \
     : (option) >= CURLOPTTYPE_OFF_T && (option) < CURLOPTTYPE_BLOB                                \
         ? call(handle, option, va_arg(ap, curl_off_t))                                            \
         : call(handle, option, va_arg(ap, void *)))

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
    if (!cu_ok())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, o);
    CURLcode rc = FORWARD_OPTION(cu.easy_setopt, h, o, ap);
    va_end(ap);
    return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
    if (!cu_ok())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, i);
    CURLcode rc = cu.easy_getinfo(h, i, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
    return cu_ok() ? cu.easy_perform(h) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode c)
{
    return cu_ok() ? cu.easy_strerror(c) : "libcurl could not be loaded";
}

char *curl_easy_escape(CURL *h, const char *s, int n)
{
    return cu_ok() ? cu.easy_escape(h, s, n) : NULL;
}

void curl_free(void *p)
{
    if (p && cu_ok())
        cu.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
    return cu_ok() ? cu.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
    if (l && cu_ok())
        cu.slist_free_all(l);
}

CURLM *curl_multi_init(void)
{
    return cu_ok() ? cu.multi_init() : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
    return cu_ok() ? cu.multi_cleanup(m) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
    if (!cu_ok())
        return CURLM_INTERNAL_ERROR;
    va_list ap;
    va_start(ap, o);
    CURLMcode rc = FORWARD_OPTION(cu.multi_setopt, m, o, ap);
    va_end(ap);
    return rc;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
    return cu_ok() ? cu.multi_add_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
    return cu_ok() ? cu.multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
    return cu_ok() ? cu.multi_perform(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned n, int ms, int *ret)
{
    return cu_ok() ? cu.multi_poll(m, fds, n, ms, ret) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int mask, int *running)
{
    return cu_ok() ? cu.multi_socket_action(m, s, mask, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_assign(CURLM *m, curl_socket_t s, void *p)
{
    return cu_ok() ? cu.multi_assign(m, s, p) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
    if (!cu_ok()) {
        *left = 0;
        return NULL;
    }
    return cu.multi_info_read(m, left);
}

/* ---- libclamav ---------------------------------------------------------- */

static struct {
    cl_error_t (*init)(unsigned);
    void (*set_clcb_msg)(clcb_msg);
    struct cl_engine *(*engine_new)(void);
    cl_error_t (*engine_compile)(struct cl_engine *);
    cl_error_t (*engine_free)(struct cl_engine *);
    cl_error_t (*load)(const char *, struct cl_engine *, unsigned *, unsigned);
    const char *(*strerror)(cl_error_t);
    cl_fmap_t *(*fmap_open_memory)(const void *, size_t);
    void (*fmap_close)(cl_fmap_t *);
    cl_error_t (*scanmap_callback)(cl_fmap_t *, const char *, const char **, unsigned long *,
                                   const struct cl_engine *, struct cl_scan_options *, void *);
} cl;

static pthread_once_t cl_once = PTHREAD_ONCE_INIT;
static void *cl_lib;

#define SYM(f)                                                                                     \
    {                                                                                              \
        "cl_" #f, (void **)&cl.f                                                                   \
    }

static void cl_load_lib(void)
{
    static const struct sym v[] = {
        SYM(init),        SYM(set_clcb_msg),
        SYM(engine_new),  SYM(engine_compile),
        SYM(engine_free), SYM(load),
        SYM(strerror),    SYM(fmap_open_memory),
        SYM(fmap_close),  SYM(scanmap_callback),
    };
    cl_lib = load(CLAMAV_SONAME, v, sizeof(v) / sizeof(v[0]));
}

#undef SYM

static int cl_ok(void)
{
    pthread_once(&cl_once, cl_load_lib);
    return cl_lib != NULL;
}

cl_error_t cl_init(unsigned int options)
{
    return cl_ok() ? cl.init(options) : CL_EOPEN;
}

void cl_set_clcb_msg(clcb_msg callback)
{
    if (cl_ok())
        cl.set_clcb_msg(callback);
}

struct cl_engine *cl_engine_new(void)
{
    return cl_ok() ? cl.engine_new() : NULL;
}

cl_error_t cl_engine_compile(struct cl_engine *engine)
{
    return cl_ok() ? cl.engine_compile(engine) : CL_EOPEN;
}

cl_error_t cl_engine_free(struct cl_engine *engine)
{
    return cl_ok() ? cl.engine_free(engine) : CL_EOPEN;
}

cl_error_t cl_load(const char *path, struct cl_engine *engine, unsigned int *signo,
                   unsigned int options)
{
    return cl_ok() ? cl.load(path, engine, signo, options) : CL_EOPEN;
}

const char *cl_strerror(cl_error_t c)
{
    return cl_ok() ? cl.strerror(c) : "libclamav could not be loaded";
}

cl_fmap_t *cl_fmap_open_memory(const void *start, size_t len)
{
    return cl_ok() ? cl.fmap_open_memory(start, len) : NULL;
}

void cl_fmap_close(cl_fmap_t *map)
{
    if (map && cl_ok())
        cl.fmap_close(map);
}

cl_error_t cl_scanmap_callback(cl_fmap_t *map, const char *filename, const char **virname,
                               unsigned long int *scanned, const struct cl_engine *engine,
                               struct cl_scan_options *scanoptions, void *context)
{
    return cl_ok()
               ? cl.scanmap_callback(map, filename, virname, scanned, engine, scanoptions, context)
               : CL_EOPEN;
}
