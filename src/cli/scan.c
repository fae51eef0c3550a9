/* tocsin scan: integrity baselines and webshell scanning of a directory. */
#include "cli.h"

#include "../guard/guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char scan_usage[] =
    "usage: tocsin scan DIR (--baseline FILE | --data DATA) [--update] [--full] [--workers N]\n"
    "                   [--json]\n"
    "       tocsin scan --webshell DIR [--rules RULEDIR] [--clamav DBDIR] [--json]\n"
    "\n"
    "With --baseline FILE: when FILE does not exist, records DIR in it (path, type, size,\n"
    "mode, owner, inode, times, SHA-256 of every entry) and exits 0; afterwards compares\n"
    "DIR with it and prints what was added, removed, or changed in content, mode, owner,\n"
    "type or hard links (exit 1 when anything changed). --data DATA keeps the baseline in\n"
    "a tocsin data directory, with every file's content in its protected store. --update\n"
    "accepts what was found into the baseline. Files whose size, inode and times are\n"
    "unchanged are not read again unless --full.\n"
    "\n"
    "--webshell names every file that matches the webshell rules (rules/webshell, plus\n"
    "the *.yar files of RULEDIR) with the rule and an excerpt; exit 1 when any matched.\n"
    "ClamAV's signatures are used too when its databases are in /var/lib/clamav (or\n"
    "DBDIR).\n";

static void print_change(const struct gchange *c)
{
    struct buf path;
    char kinds[80];
    buf_init(&path, GUARD_ESC_MAX);
    gchange_describe(c, &path, kinds, sizeof(kinds));
    printf("%-16s %s", kinds, buf_str(&path));
    if (c->kinds & GC_CONTENT) {
        char a[SHA256_HEX_LEN] = "-", b[SHA256_HEX_LEN] = "-";
        if (c->was->has_sha)
            hex_encode(c->was->sha, SHA256_LEN, a);
        if (c->now->has_sha)
            hex_encode(c->now->sha, SHA256_LEN, b);
        printf("  sha256 %.12s… → %.12s…", a, b);
    }
    if (c->kinds & GC_MODE)
        printf("  mode %04o → %04o", c->was->mode, c->now->mode);
    if (c->kinds & GC_OWNER)
        printf("  owner %u:%u → %u:%u", c->was->uid, c->was->gid, c->now->uid, c->now->gid);
    if (c->kinds & GC_TYPE)
        printf("  %c → %c", c->was->type, c->now->type);
    if (c->kinds & GC_LINKS)
        printf("  links %llu → %llu", (unsigned long long)c->was->nlink,
               (unsigned long long)c->now->nlink);
    putchar('\n');
    buf_release(&path);
}

/* The webshell scan of a tree: files are read and scanned by several threads,
 * and a content already scanned (the walk hashed every file) is not scanned
 * again. Results are printed in path order. */
struct ws_job {
    const struct webshell_rules *rules;
    const struct baseline *b;
    int root_fd;
    size_t next;                     /* the next entry to take */
    pthread_mutex_t lock;            /* next, the cache, the first error */
    struct webshell_result **res;    /* per entry, when it has hits */
    unsigned char *owned;            /* res[i] is its own, not the cache's */
    const unsigned char **cache_sha; /* open addressing over content hashes */
    struct webshell_result **cache_res;
    unsigned char *cache_kind;
    size_t cache_cap;
    size_t files, too_big, reused;
    struct err err;
    int rc;
};

/* What a result depends on besides the content: the kind of name (a script's
 * language, or none), since scripts are also analysed as source. */
static int ws_name_kind(const struct gentry *g)
{
    const char *base = strrchr(g->path, '/');
    return webshell_name_kind(base ? base + 1 : g->path);
}

/* The cache slot of a content hash and name kind; -1 when the table is full. */
static long ws_cache_slot(struct ws_job *j, const unsigned char *sha, int kind)
{
    size_t h;
    memcpy(&h, sha, sizeof(h));
    h ^= (size_t)kind * 0x9e3779b97f4a7c15u;
    for (size_t k = 0; k < j->cache_cap; k++) {
        size_t i = (h + k) & (j->cache_cap - 1);
        if (!j->cache_sha[i] ||
            (memcmp(j->cache_sha[i], sha, SHA256_LEN) == 0 && j->cache_kind[i] == kind))
            return (long)i;
    }
    return -1;
}

static void *ws_worker(void *arg)
{
    struct ws_job *j = arg;
    struct buf data;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        int stop = j->rc != 0;
        pthread_mutex_unlock(&j->lock);
        if (stop || i >= j->b->n)
            break;
        const struct gentry *g = &j->b->v[i];
        if (g->type != GT_FILE)
            continue;
        long slot = -1;
        if (g->has_sha) {
            pthread_mutex_lock(&j->lock);
            slot = ws_cache_slot(j, g->sha, ws_name_kind(g));
            int seen = slot >= 0 && j->cache_sha[slot] != NULL;
            if (seen) {
                j->res[i] = j->cache_res[slot];
                j->files++;
                j->reused++;
            }
            pthread_mutex_unlock(&j->lock);
            if (seen)
                continue;
        }
        int fd = fs_open_beneath(j->root_fd, g->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        if (fd < 0)
            continue; /* gone or replaced since the walk */
        buf_init(&data, (size_t)32 << 20);
        int big = fs_read_fd(fd, &data) == ERR_TOOBIG;
        close(fd);
        struct webshell_result *r = big ? NULL : malloc(sizeof(*r));
        struct err e = {0};
        int rc = 0;
        if (r) {
            const char *base = strrchr(g->path, '/');
            rc = webshell_scan(j->rules, base ? base + 1 : g->path, data.p ? data.p : "", data.len,
                               r, &e);
            if (rc || r->n == 0) {
                free(r);
                r = NULL;
            }
        }
        buf_release(&data);
        pthread_mutex_lock(&j->lock);
        j->files++;
        j->too_big += big;
        if (rc && !j->rc) {
            j->rc = rc;
            j->err = e;
        }
        j->res[i] = r;
        /* Only the first result of a content is cached, so each is freed once. */
        if (g->has_sha && (slot = ws_cache_slot(j, g->sha, ws_name_kind(g))) >= 0 &&
            !j->cache_sha[slot]) {
            j->cache_sha[slot] = g->sha;
            j->cache_kind[slot] = (unsigned char)ws_name_kind(g);
            j->cache_res[slot] = r;
        } else if (r) {
            j->owned[i] = 1; /* not cached (scanned twice at once, or no hash): its own */
        }
        pthread_mutex_unlock(&j->lock);
    }
    return NULL;
}

static json_t *ws_hit_json(const char *path, const struct webshell_result *r,
                           const struct webshell_hit *hit)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:i}", "path", path, "rule", hit->rule,
                          "excerpt", hit->excerpt, "score", r->score, "rule_score", hit->score,
                          "technique", hit->technique, "line", (int)hit->line);
    if (hit->decoded[0])
        json_object_set_new(m, "decoded", json_string(hit->decoded));
    if (hit->taint[0])
        json_object_set_new(m, "taint", json_string(hit->taint));
    return m;
}

static void ws_hit_print(const char *path, const struct webshell_result *r,
                         const struct webshell_hit *hit)
{
    printf("%s:%u: %s (score %d): %s", path, hit->line, hit->rule, r->score, hit->excerpt);
    if (hit->decoded[0])
        printf("; decoded: %s", hit->decoded);
    if (hit->taint[0])
        printf("; taint: %s", hit->taint);
    putchar('\n');
}

static int scan_webshell(struct cli *cli, const char *dir, const char *rules_dir,
                         const char *clamav_dir, int workers, struct err *e)
{
    struct webshell_rules *rules;
    int rc = webshell_load(&rules, rules_dir, e);
    if (rc)
        return rc;
    rc = webshell_use_clamav(rules, clamav_dir ? clamav_dir : WEBSHELL_CLAMAV_DIR,
                             clamav_dir != NULL, e);
    if (rc) {
        webshell_free(rules);
        return rc;
    }
    char root[GUARD_PATH_MAX];
    int root_fd = -1;
    struct baseline b;
    struct scan_stats stats;
    rc = guard_root_open(dir, root, sizeof(root), &root_fd, e);
    struct scan_opts o = {.workers = workers};
    if (!rc)
        rc = guard_scan(root_fd, root, &o, &b, &stats, e);
    if (rc) {
        if (root_fd >= 0)
            close(root_fd);
        webshell_free(rules);
        return rc;
    }
    struct ws_job j = {.rules = rules, .b = &b, .root_fd = root_fd, .cache_cap = 1024};
    while (j.cache_cap < b.n * 2)
        j.cache_cap *= 2;
    j.res = calloc(b.n ? b.n : 1, sizeof(*j.res));
    j.owned = calloc(b.n ? b.n : 1, 1);
    j.cache_sha = calloc(j.cache_cap, sizeof(*j.cache_sha));
    j.cache_res = calloc(j.cache_cap, sizeof(*j.cache_res));
    j.cache_kind = calloc(j.cache_cap, 1);
    pthread_mutex_init(&j.lock, NULL);
    if (!j.res || !j.owned || !j.cache_sha || !j.cache_res || !j.cache_kind)
        j.rc = err_set(&j.err, ERR_NOMEM, "out of memory");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int n = workers > 0 ? workers : cpus > 0 ? (int)(cpus > 16 ? 16 : cpus) : 1;
    pthread_t th[16];
    int started = 0;
    for (int k = 0; !j.rc && k < n && k < 16; k++)
        if (pthread_create(&th[k], NULL, ws_worker, &j) == 0)
            started++;
    if (!started && !j.rc)
        ws_worker(&j);
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    pthread_mutex_destroy(&j.lock);
    close(root_fd);

    json_t *matches = json_array();
    size_t nmatch = 0;
    struct buf path;
    buf_init(&path, GUARD_ESC_MAX);
    for (size_t i = 0; !j.rc && i < b.n; i++) {
        const struct webshell_result *r = j.res[i];
        if (!r)
            continue;
        nmatch++;
        buf_reset(&path);
        guard_escape(b.v[i].path, b.v[i].path_len, &path);
        for (int h = 0; h < r->n; h++) {
            if (cli->json)
                json_array_append_new(matches, ws_hit_json(buf_str(&path), r, &r->hits[h]));
            else
                ws_hit_print(buf_str(&path), r, &r->hits[h]);
        }
    }
    buf_release(&path);
    /* Each result is freed once: the cache's through the cache, the rest here. */
    for (size_t i = 0; j.owned && i < b.n; i++)
        if (j.owned[i])
            free(j.res[i]);
    for (size_t k = 0; j.cache_res && k < j.cache_cap; k++)
        free(j.cache_res[k]);
    free(j.res);
    free(j.owned);
    free(j.cache_sha);
    free(j.cache_res);
    free(j.cache_kind);
    size_t files = j.files, too_big = j.too_big;
    baseline_free(&b);
    webshell_free(rules);
    if (j.rc) {
        json_decref(matches);
        *e = j.err;
        return j.rc;
    }
    if (cli->json) {
        cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:o}", "root", root, "files",
                                 (json_int_t)files, "too_large", (json_int_t)too_big, "threshold",
                                 (json_int_t)WEBSHELL_THRESHOLD, "matches", matches));
    } else {
        json_decref(matches);
        printf("tocsin scan --webshell %s: %zu files, %zu named%s\n", root, files, nmatch,
               too_big ? " (larger files skipped)" : "");
    }
    return nmatch ? 1 : 0;
}

int cmd_scan(struct cli *cli, int argc, char **argv, struct err *e)
{
    const char *baseline_file = NULL, *rules_dir = NULL, *workers_s = NULL, *clamav_dir = NULL;
    int update = 0, full = 0, webshell = 0;
    const struct opt opts[] = {
        OPT_V("baseline", &baseline_file), OPT_V("rules", &rules_dir),
        OPT_V("workers", &workers_s),      OPT_V("clamav", &clamav_dir),
        OPT_F("update", &update),          OPT_F("full", &full),
        OPT_F("webshell", &webshell),      OPT_END,
    };
    char *pos[1];
    int rc = opt_parse_n(cli, "scan", opts, argc, argv, pos, 1, "one directory", e);
    if (cli->help)
        cli_usage(scan_usage);
    if (rc || cli->help)
        return rc;
    int workers = 0;
    if (workers_s) {
        int64_t w;
        if ((rc = cli_id("--workers", workers_s, &w, e)))
            return rc;
        workers = w > 64 ? 64 : (int)w;
    }
    if (webshell)
        return scan_webshell(cli, pos[0], rules_dir, clamav_dir, workers, e);
    if (!!baseline_file == !!cli->data_opt)
        return err_set(e, ERR_USAGE, "tocsin scan: give --baseline FILE or --data DATA");

    char root[GUARD_PATH_MAX], file[GUARD_PATH_MAX + 64];
    int root_fd;
    if ((rc = guard_root_open(pos[0], root, sizeof(root), &root_fd, e)))
        return rc;
    struct objstore objects, *objs = NULL;
    if (cli->data_opt) {
        char state[GUARD_PATH_MAX];
        rc = guard_state_dir(cli->data_opt, root, state, sizeof(state), 1, e);
        if (!rc)
            rc = objstore_init(&objects, cli->data_opt, 1, e);
        objs = &objects;
        snprintf(file, sizeof(file), "%s/baseline", state);
    } else {
        snprintf(file, sizeof(file), "%s", baseline_file);
    }
    /* An existing baseline is read by the scan while it walks the tree. */
    struct baseline was, now;
    int have = !rc && access(file, F_OK) == 0;
    struct scan_opts o = {.full = full,
                          .workers = workers,
                          .progress = !cli->json && isatty(2),
                          .objects = have && !update ? NULL : objs,
                          .previous_file = have ? file : NULL,
                          .previous_out = &was};
    struct scan_stats stats;
    if (o.objects)
        objects.defer_sync = 1; /* synced once, before the baseline names them */
    if (!rc)
        rc = guard_scan(root_fd, root, &o, &now, &stats, e);
    close(root_fd);
    if (!rc && o.objects && (rc = objstore_sync(&objects, e)) != 0) {
        if (have)
            baseline_free(&was);
        baseline_free(&now);
    }
    if (!rc && have && strcmp(was.root, root) != 0) {
        rc = err_set(e, ERR_INPUT, "%s is the baseline of %s, not of %s", file, was.root, root);
        baseline_free(&was);
        baseline_free(&now);
    }
    if (rc)
        return rc;
    if (!have) {
        rc = baseline_write(&now, file, e);
        if (!rc && cli->json)
            cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "root", root, "baseline",
                                     file, "result", "created", "entries",
                                     (json_int_t)stats.entries, "files", (json_int_t)stats.files,
                                     "bytes", (json_int_t)stats.bytes_hashed));
        else if (!rc)
            printf("tocsin scan %s: baseline %s created: %llu entries, %llu files, %llu MiB\n",
                   root, file, (unsigned long long)stats.entries, (unsigned long long)stats.files,
                   (unsigned long long)(stats.bytes_hashed >> 20));
        baseline_free(&now);
        return rc;
    }
    struct gchanges ch;
    rc = guard_compare(&was, &now, &ch, e);
    if (!rc && update)
        rc = baseline_write(&now, file, e);
    if (!rc) {
        if (cli->json) {
            json_t *list = json_array();
            for (size_t i = 0; i < ch.n; i++)
                json_array_append_new(list, gchange_json(&ch.v[i]));
            cli_print_json(json_pack(
                "{s:s, s:s, s:I, s:I, s:I, s:b, s:o}", "root", root, "baseline", file, "entries",
                (json_int_t)stats.entries, "hashed", (json_int_t)stats.hashed, "unreadable",
                (json_int_t)stats.unreadable, "updated", update, "changes", list));
        } else {
            for (size_t i = 0; i < ch.n; i++)
                print_change(&ch.v[i]);
            printf("tocsin scan %s: %zu changes in %llu entries (%llu files read again)%s\n", root,
                   ch.n, (unsigned long long)stats.entries, (unsigned long long)stats.hashed,
                   update && ch.n ? "; baseline updated" : "");
        }
    }
    size_t n = ch.n;
    gchanges_free(&ch);
    baseline_free(&was);
    baseline_free(&now);
    return rc ? rc : n ? 1 : 0;
}
