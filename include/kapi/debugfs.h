/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kapi/debugfs.h - debugfs directories and read-only text files.
 *
 * Handles:
 *   struct kapi_debugfs_dir  is the kernel's struct dentry of a directory;
 *   struct kapi_debugfs_file is a small glue struct holding the file's
 *                            dentry plus the C++ owner and fill function
 *                            (so the C++ object holding it may move).
 *
 * A file's whole text is produced once per open(2) by fill(owner, buf,
 * cap), kept with the open file and served to read(2) from there; it is
 * freed at the last close. So everything read through one open comes
 * from one fill call (the in-tree seq_file walks its table anew between
 * reads instead).
 *
 * debugfs can be missing (CONFIG_DEBUG_FS=n) or switched off at boot
 * (debugfs=off). The create calls then fail with a negative errno and
 * leave *out NULL; callers are expected to carry on without the files.
 * The remove calls accept NULL, so an object whose create failed can be
 * torn down like any other.
 *
 * Ordering: remove every file before the directory that holds it.
 * kapi_debugfs_dir_remove() is recursive and would free those files'
 * dentries, leaving their kapi_debugfs_file handles dangling.
 */
#ifndef KAPI_DEBUGFS_H
#define KAPI_DEBUGFS_H
#include "types.h"

struct kapi_debugfs_dir;
struct kapi_debugfs_file;

/*
 * Writes the file's text into buf[0..cap) and returns its length, not
 * counting any NUL. A return value n >= cap means "did not fit": buf is
 * discarded and fill is called again, to write the whole text from the
 * start, into max(2 * cap, n + 1) bytes (at most KAPI_DEBUGFS_MAX_TEXT).
 * If n >= KAPI_DEBUGFS_MAX_TEXT, open(2) fails with -EFBIG instead. A
 * fill that cannot know the exact length (a truncating writer) may
 * simply return cap. The first call gets KAPI_DEBUGFS_FIRST_CAP bytes.
 *
 * Context: process, from open(2); may sleep. It may run several times
 * per open, and concurrently with itself for different openers. It must
 * not take a lock that is held around kapi_debugfs_file_remove() (or
 * kapi_debugfs_dir_remove() of its directory), since the remove waits
 * for it to return.
 */
typedef kapi_size (*kapi_debugfs_fill_fn)(void *owner, char *buf, kapi_size cap);

/* The first buffer offered to fill, and the size no text may reach. */
#define KAPI_DEBUGFS_FIRST_CAP 4096u
#define KAPI_DEBUGFS_MAX_TEXT (4u << 20)

KAPI_BEGIN_DECLS

/*
 * debugfs_create_dir(): `name` under `parent`, or in the debugfs root if
 * `parent` is NULL.
 * Returns: 0 and *out set, or a negative errno with *out = NULL:
 * -ENODEV (no debugfs in this kernel), -EPERM (debugfs=off), -ENOENT
 * (debugfs not initialised, or `parent` is being removed), -EEXIST,
 * -ENOMEM.
 * Context: process; may sleep.
 */
int kapi_debugfs_dir_create(const char *name, struct kapi_debugfs_dir *parent,
			    struct kapi_debugfs_dir **out);
/*
 * debugfs_remove(): removes `dir` and everything below it, waiting for
 * any fill in progress in a file below it to return. NULL is a no-op.
 * Context: process; may sleep.
 */
void kapi_debugfs_dir_remove(struct kapi_debugfs_dir *dir);

/*
 * debugfs_create_file() of a read-only text file `name` in `dir` (which
 * must not be NULL: -EINVAL). `mode` is a permission mask without write
 * or execute bits (0444, 0400 ...; anything else is -EINVAL). open(2)
 * calls fn(owner, ...) as described at kapi_debugfs_fill_fn; `owner` must
 * stay valid until kapi_debugfs_file_remove() returns.
 * Returns: 0 and *out set, or a negative errno with *out = NULL
 * (-EINVAL, -ENOMEM, -EEXIST, what kapi_debugfs_dir_create lists, or
 * a lookup error for a bad name).
 * Context: process; may sleep.
 */
int kapi_debugfs_file_create(struct kapi_debugfs_dir *dir, const char *name, unsigned int mode,
			     kapi_debugfs_fill_fn fn, void *owner, struct kapi_debugfs_file **out);
/*
 * Removes the file and frees `file`. It waits for a fill in progress to
 * return, and once it returns fn is never called again for this file:
 * the owner may be freed. On a file that is still open, read(2) fails
 * with -EIO from then on (debugfs's proxy), and close(2) frees its text
 * as usual. NULL is a no-op.
 * Context: process; may sleep.
 */
void kapi_debugfs_file_remove(struct kapi_debugfs_file *file);
/*
 * debugfs_rename() of `file` within `dir`, which must be the directory
 * it was created in (for a network interface rename).
 * Returns: 0, or a negative errno and the old name stays: -EINVAL (also
 * when `new_name` already exists: debugfs reports that as -EINVAL), or
 * a lookup error for a bad name.
 * Context: process; may sleep. Open files are not affected.
 */
int kapi_debugfs_file_rename(struct kapi_debugfs_file *file, struct kapi_debugfs_dir *dir,
			     const char *new_name);

KAPI_END_DECLS
#endif
