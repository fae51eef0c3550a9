/* Page analysis throughput on one core: decodes and analyses PAGE (as a
 * changed page is, with the sample word list and a baseline comparison) N
 * times and prints pages per second. With `gumbo`, a misnested tail is
 * added to the page so that the fast parser leaves it to gumbo (what a page
 * with such markup costs). Built by bench/probe.sh against libtocsin.a.
 * Usage: analyse PAGE N [gumbo] */
#include "probe/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "gumbo") == 0))
        return 2;
    struct buf page;
    buf_init(&page, 64 << 20);
    if (fs_read_file(argv[1], 64 << 20, &page, NULL) != 0)
        return 2;
    if (argc == 4)
        buf_adds(&page, "<b><p>misnested</b>\n");
    int n = atoi(argv[2]);
    struct probe_words *w = probe_words_builtin(NULL);
    struct probe_page_opts o = {.url = "http://www.example.gov.cn/", .words = w};
    struct probe_findings *f = calloc(1, sizeof *f);
    struct probe_print *p = NULL;
    probe_page_analyse(page.p, page.len, &o, f, &p, NULL);
    struct probe_baseline *b = probe_baseline_new();
    probe_baseline_learn(b, p);
    probe_print_free(p);
    struct timespec a, z;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    for (int i = 0; i < n; i++) {
        char cs[32];
        size_t bad;
        struct buf html;
        buf_init(&html, 2 * page.len + 16);
        probe_charset("text/html", page.p, page.len, cs);
        probe_to_utf8(cs, page.p, page.len, &html, &bad, NULL);
        f->n = 0;
        probe_page_analyse(html.p, html.len, &o, f, &p, NULL);
        probe_baseline_compare(b, p, f);
        probe_print_free(p);
        buf_release(&html);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &z);
    double s = (double)(z.tv_sec - a.tv_sec) + (double)(z.tv_nsec - a.tv_nsec) / 1e9;
    printf("%.0f\n", n / s);
    probe_baseline_free(b);
    probe_words_free(w);
    free(f);
    buf_release(&page);
    return 0;
}
