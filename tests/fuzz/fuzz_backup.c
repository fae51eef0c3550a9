/* libFuzzer harness for backup archives read back (verify): any bytes given
 * as an archive — unsealed or sealed with a fixed key — must end in a clean
 * refusal that says why, never a crash, a hang or memory growing with the
 * input's claims. An input starting with 'Z' is taken as the tar stream
 * itself and compressed first, so the fuzzer reaches the unpacking and the
 * manifest check past zstd's checksum. */
#include "prep/archive.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/tocsin-fuzz-backup-%d", (int)getpid());
    if (size > 4 << 20)
        return 0;
    static unsigned char packed[(4 << 20) + 4096];
    if (size > 0 && data[0] == 'Z') {
        size_t n = ZSTD_compress(packed, sizeof packed, data + 1, size - 1, 1);
        if (ZSTD_isError(n))
            return 0;
        data = packed;
        size = n;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fs_write_all(fd, data, size) != 0)
        __builtin_trap();
    close(fd);
    static const unsigned char key[BK_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    struct bk_read in = {.path = path, .key = key};
    struct bk_result r;
    struct err e = {0};
    int rc = bk_read(&in, &r, &e);
    if (rc != 0 && e.msg[0] == '\0')
        __builtin_trap();
    if (rc == 0 && r.damaged && r.why[0] == '\0')
        __builtin_trap();
    unlink(path);
    return 0;
}
