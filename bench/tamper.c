/* bench/tamper.c — change-to-restore latency of a guarded file: N times,
 * overwrite FILE and wait until its content is the original again; prints the
 * latencies in microseconds, one per line. Usage: tamper FILE N */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap);
    close(fd);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    static char orig[65536], cur[65536];
    ssize_t on = slurp(argv[1], orig, sizeof(orig));
    int n = atoi(argv[2]);
    if (on < 0 || n < 1)
        return 2;
    for (int i = 0; i < n; i++) {
        char evil[64];
        int k = snprintf(evil, sizeof(evil), "defaced %d\n", i);
        long long t0 = now_us();
        int fd = open(argv[1], O_WRONLY | O_TRUNC);
        if (fd < 0 || write(fd, evil, (size_t)k) != k)
            return 1;
        close(fd);
        long long t;
        for (;;) {
            ssize_t cn = slurp(argv[1], cur, sizeof(cur));
            t = now_us();
            if (cn == on && memcmp(cur, orig, (size_t)on) == 0)
                break;
            if (t - t0 > 5000000) {
                fprintf(stderr, "tamper: not restored within 5 s\n");
                return 1;
            }
            usleep(50);
        }
        printf("%lld\n", t - t0);
        usleep(2000); /* let the guard settle between tamperings */
    }
    return 0;
}
