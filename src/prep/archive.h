/*
 * Backup archives (G-2): a tar stream (libarchive, pax) compressed with zstd
 * and, when a key is given, sealed chunk by chunk with libsodium's
 * secretstream. The tree's entries are under files/; the last entry,
 * tocsin-manifest.tsv, lists every entry with its type, mode, size, time and
 * SHA-256, so any reader can check each file. An unsealed archive is a plain
 * .tar.zst that tar and zstd restore without tocsin.
 *
 * This part knows nothing of the database: backup.c keeps jobs and runs.
 */
#ifndef TOCSIN_PREP_ARCHIVE_H
#define TOCSIN_PREP_ARCHIVE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/core.h"

#define BK_KEY_LEN    32
#define BK_KEY_ID_LEN 17 /* 16 hex digits and NUL */
#define BK_MANIFEST   "tocsin-manifest.tsv"

/* Reads a key file: 64 hex digits (a line end allowed), a regular file no
 * one but its owner may read. Writes the key and its public id. */
int bk_key_load(const char *file, unsigned char key[BK_KEY_LEN], char id[BK_KEY_ID_LEN],
                struct err *e);
/* Creates a new key file (mode 0600); refuses an existing path. */
int bk_key_create(const char *file, struct err *e);

struct bk_stats {
    uint64_t files, dirs, links;
    uint64_t bytes;   /* content of the files */
    uint64_t skipped; /* sockets, devices, entries gone while walking */
    uint64_t changed; /* files whose size changed while being read */
    uint64_t size;    /* of the archive file */
    char sha256[65];  /* of the archive file */
};

struct bk_writer;

/* A file still being written: its writer says how far it got, and whether
 * it finished (1) or gave up (-1). */
struct bk_follow {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t written;
    int done;
};

/* Starts an archive in dir, under a hidden temporary name until committed
 * as name. key NULL: not sealed. threads: zstd workers (0: none). verify:
 * read the archive back from the file, on a thread of its own, as it is
 * written (see bk_writer_commit). stop, when not NULL, is polled: once
 * non-zero, the work ends with ERR_CONFLICT. */
int bk_writer_open(struct bk_writer **out, const char *dir, const char *name,
                   const unsigned char *key, const char *key_id, int level, int threads, int verify,
                   const volatile int *stop, struct err *e);
/* Leaves out a directory (by device and inode), e.g. the destination. */
void bk_writer_skip(struct bk_writer *w, dev_t dev, ino_t ino);
/* Adds the tree under src (not following symbolic links) as prefix/… ;
 * names listed in leave_out (NULL-terminated, top level only) are skipped. */
int bk_add_tree(struct bk_writer *w, const char *src, const char *prefix,
                const char *const *leave_out, struct err *e);
/* Adds an open regular file as name (from its current offset 0). */
int bk_add_fd(struct bk_writer *w, int fd, const char *name, struct err *e);
struct bk_result;
/* Writes the manifest, ends the streams and syncs the archive; fills st.
 * With verify, waits for the read-back (filling *checked): only an archive
 * that read back whole — every file's hash as written, the file's own hash —
 * is renamed into place; a damaged one is removed (0 with checked->damaged).
 * The writer is freed either way. */
int bk_writer_commit(struct bk_writer *w, struct bk_stats *st, struct bk_result *checked,
                     struct err *e);
/* Drops an unfinished archive and its temporary file. */
void bk_writer_abort(struct bk_writer *w);

struct bk_read {
    const char *path;          /* the archive file */
    const unsigned char *key;  /* for a sealed archive */
    const char *key_id;        /* the key's id, to name a wrong key */
    const char *expect_sha256; /* the archive file's recorded hash, or NULL */
    const char *to;            /* restore here (new or empty); NULL: verify only */
    struct bk_follow *follow;  /* the file is still being written */
    const volatile int *stop;
};

struct bk_result {
    int damaged;   /* the archive does not restore to its manifest */
    char why[512]; /* what is damaged, naming the entry */
    struct bk_stats st;
};

/* Reads the whole archive: unseals, decompresses, unpacks and hashes every
 * entry, and compares them with the manifest (and the file's hash with
 * expect_sha256). With to, the entries are written into a new directory
 * beside it that replaces `to` only when everything matched; a damaged
 * archive leaves nothing behind. Returns 0 with r->damaged set for a damaged
 * archive, an error for a problem of the call (no file, wrong key,
 * unusable target). */
int bk_read(const struct bk_read *in, struct bk_result *r, struct err *e);

#endif
