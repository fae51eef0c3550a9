/* tocsin scan: integrity baselines and webshell scanning of a directory. */
#include "cli.h"

#include "../guard/guard.h"

#include <errno.h>
#include <fcntl.h>
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
    json_t *matches = json_array();
    size_t files = 0, too_big = 0, nmatch = 0;
    struct buf data, path;
    buf_init(&path, GUARD_ESC_MAX);
    for (size_t i = 0; !rc && i < b.n; i++) {
        const struct gentry *g = &b.v[i];
        if (g->type != GT_FILE)
            continue;
        int fd = fs_open_beneath(root_fd, g->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
        if (fd < 0)
            continue; /* gone or replaced since the walk */
        buf_init(&data, (size_t)32 << 20);
        int big = fs_read_fd(fd, &data) == ERR_TOOBIG;
        close(fd);
        files++;
        if (big) {
            too_big++;
            buf_release(&data);
            continue;
        }
        struct webshell_result r;
        const char *base = strrchr(g->path, '/');
        rc = webshell_scan(rules, base ? base + 1 : g->path, data.p ? data.p : "", data.len, &r, e);
        buf_release(&data);
        buf_reset(&path);
        guard_escape(g->path, g->path_len, &path);
        nmatch += r.n > 0;
        for (int h = 0; !rc && h < r.n; h++) {
            const struct webshell_hit *hit = &r.hits[h];
            if (cli->json) {
                json_t *m = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:i}", "path", buf_str(&path),
                                      "rule", hit->rule, "excerpt", hit->excerpt, "score", r.score,
                                      "rule_score", hit->score, "technique", hit->technique,
                                      "line", (int)hit->line);
                if (hit->decoded[0])
                    json_object_set_new(m, "decoded", json_string(hit->decoded));
                if (hit->taint[0])
                    json_object_set_new(m, "taint", json_string(hit->taint));
                json_array_append_new(matches, m);
                continue;
            }
            printf("%s:%u: %s (score %d): %s", buf_str(&path), hit->line, hit->rule, r.score,
                   hit->excerpt);
            if (hit->decoded[0])
                printf("; decoded: %s", hit->decoded);
            if (hit->taint[0])
                printf("; taint: %s", hit->taint);
            putchar('\n');
        }
    }
    buf_release(&path);
    close(root_fd);
    baseline_free(&b);
    webshell_free(rules);
    if (rc) {
        json_decref(matches);
        return rc;
    }
    if (cli->json) {
        cli_print_json(json_pack("{s:s, s:I, s:I, s:o}", "root", root, "files", (json_int_t)files,
                                 "too_large", (json_int_t)too_big, "matches", matches));
    } else {
        json_decref(matches);
        printf("tocsin scan --webshell %s: %zu files, %zu matches%s\n", root, files, nmatch,
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
