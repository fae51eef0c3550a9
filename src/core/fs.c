/* File helpers: bounded reads and crash-safe writes. */
#include "core.h"

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int fs_read_file(const char *path, size_t max, struct buf *out, struct err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open %s", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INPUT, "%s is not a regular file", path);
    }
    buf_init(out, max);
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            buf_release(out);
            return err_errno(e, ERR_IO, saved, "cannot read %s", path);
        }
        if (n == 0)
            break;
        if (buf_add(out, chunk, (size_t)n) != 0) {
            close(fd);
            return err_set(e, ERR_TOOBIG, "%s is larger than %zu bytes", path, max);
        }
    }
    close(fd);
    if (!out->p)
        buf_add(out, "", 0);
    return 0;
}

int fs_read_fd(int fd, struct buf *out)
{
    char chunk[65536];
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof(chunk));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return ERR_IO;
        if (k == 0)
            return 0;
        if (buf_add(out, chunk, (size_t)k) != 0)
            return ERR_TOOBIG;
    }
}

int fs_fsync_dir(const char *dir, struct err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot open directory %s", dir);
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    if (rc != 0 && saved != EINVAL)
        return err_errno(e, ERR_IO, saved, "cannot sync directory %s", dir);
    return 0;
}

int fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, int mode,
                    int exclusive, struct err *e)
{
    char tmp[4096], dst[4096];
    unsigned char rnd[6];
    char rhex[13];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-%s", dir, rhex, name) >= sizeof(tmp))
        return err_set(e, ERR_INPUT, "path %s/%s is too long", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "cannot create %s", tmp);
    if (fs_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        return err_errno(e, ERR_IO, saved, "cannot write %s", dst);
    }
    close(fd);
    int rc;
    if (exclusive) {
        /* link() fails when dst exists, so a concurrent writer cannot be overwritten. */
        rc = link(tmp, dst);
        int saved = errno;
        unlink(tmp);
        errno = saved;
        if (rc != 0 && saved == EEXIST)
            return err_set(e, ERR_EXISTS, "%s exists already", dst);
    } else {
        rc = rename(tmp, dst);
    }
    if (rc != 0) {
        int saved = errno;
        unlink(tmp);
        return err_errno(e, ERR_IO, saved, "cannot put %s in place", dst);
    }
    return fs_fsync_dir(dir, e);
}

int fs_mkdir(const char *dir, int mode, struct err *e)
{
    if (mkdir(dir, (mode_t)mode) == 0)
        return 0;
    int saved = errno;
    struct stat st;
    if (saved == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (saved == EEXIST)
        return err_set(e, ERR_EXISTS, "%s exists and is not a directory", dir);
    return err_errno(e, ERR_IO, saved, "cannot create directory %s", dir);
}

int fs_mkdirs(const char *dir, int mode, struct err *e)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(path))
        return err_set(e, ERR_INPUT, "directory path '%.100s' is empty or too long", dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        int rc = fs_mkdir(path, 0755, e);
        path[i] = '/';
        if (rc)
            return rc;
    }
    return fs_mkdir(path, mode, e);
}

int fs_check_writable(const char *dir, struct err *e)
{
    char probe[4096];
    unsigned char rnd[6];
    char rhex[13];
    fs_random(rnd, sizeof(rnd));
    hex_encode(rnd, sizeof(rnd), rhex);
    if ((size_t)snprintf(probe, sizeof(probe), "%s/.probe-%s", dir, rhex) >= sizeof(probe))
        return err_set(e, ERR_INPUT, "path %s is too long", dir);
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_errno(e, ERR_IO, errno, "data directory %s is not writable", dir);
    close(fd);
    unlink(probe);
    return 0;
}

int fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

void fs_random(void *out, size_t n)
{
    unsigned char *p = out;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            /* No kernel entropy interface at all: nothing safe to fall back to. */
            perror("tocsin: getrandom");
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

static int remove_tree(int dfd, const char *name, int depth, int max_depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > max_depth)
        return -1;
    int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return -1;
    DIR *d = fdopendir(sub);
    if (!d) {
        close(sub);
        return -1;
    }
    int rc = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (remove_tree(dirfd(d), de->d_name, depth + 1, max_depth) != 0)
            rc = -1;
    }
    closedir(d);
    if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

int fs_remove_tree(int dfd, const char *name, int max_depth)
{
    return remove_tree(dfd, name, 0, max_depth);
}

int fs_open_beneath(int root_fd, const char *rel, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    long fd;
    do
        fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
    while (fd < 0 && errno == EINTR);
    return (int)fd;
}
