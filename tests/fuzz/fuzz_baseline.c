/* libFuzzer harness for the guard's baseline file reader: anything it accepts
 * must write back and read back to the same entries. */
#include "guard/guard.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct baseline b, c;
    struct err e = {0};
    if (baseline_parse(&b, "fuzz", (const char *)data, size, &e) != 0) {
        if (e.msg[0] == '\0' || b.v != NULL)
            __builtin_trap(); /* every refusal says why, and keeps nothing */
        return 0;
    }
    char file[64];
    snprintf(file, sizeof(file), "/tmp/tocsin-fuzz-baseline-%d", (int)getpid());
    if (baseline_write(&b, file, &e) != 0 || baseline_read(&c, file, &e) != 0)
        __builtin_trap();
    unlink(file);
    if (c.n != b.n || strcmp(b.root, c.root) != 0)
        __builtin_trap();
    for (size_t i = 0; i < b.n; i++)
        if (strcmp(b.v[i].path, c.v[i].path) != 0 || b.v[i].type != c.v[i].type ||
            b.v[i].mode != c.v[i].mode || b.v[i].uid != c.v[i].uid || b.v[i].gid != c.v[i].gid ||
            b.v[i].size != c.v[i].size || b.v[i].ino != c.v[i].ino ||
            b.v[i].nlink != c.v[i].nlink || b.v[i].mtime_ns != c.v[i].mtime_ns ||
            b.v[i].ctime_ns != c.v[i].ctime_ns || b.v[i].has_sha != c.v[i].has_sha ||
            memcmp(b.v[i].sha, c.v[i].sha, SHA256_LEN) != 0)
            __builtin_trap();
    baseline_free(&b);
    baseline_free(&c);
    return 0;
}
