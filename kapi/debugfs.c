// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * debugfs shims: directories, and read-only text files whose content the
 * C++ owner writes in one call at open time. The text lives with the open
 * file (file->private_data) and read(2) is simple_read_from_buffer().
 *
 * Files are made with debugfs_create_file(), not the _unsafe variant, so
 * our open/read run under debugfs's file_get/put protection and
 * debugfs_remove() waits for them: after kapi_debugfs_file_remove() the
 * fill function and the glue struct are never touched again. release()
 * is called unprotected, after removal too, so it uses only the text.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "kapi/debugfs.h"

#define DENTRY(d) ((struct dentry *)(d))

struct kapi_debugfs_file {
	struct dentry *dentry;
	kapi_debugfs_fill_fn fn;
	void *owner;
};

/* One open file's snapshot of the text. */
struct kapi_debugfs_text {
	size_t len;
	char data[];
};

static_assert(KAPI_DEBUGFS_FIRST_CAP <= KAPI_DEBUGFS_MAX_TEXT);

int kapi_debugfs_dir_create(const char *name, struct kapi_debugfs_dir *parent,
			    struct kapi_debugfs_dir **out)
{
	struct dentry *d = debugfs_create_dir(name, DENTRY(parent));

	*out = NULL;
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (!d)
		return -ENOMEM;
	*out = (struct kapi_debugfs_dir *)d;
	return 0;
}

void kapi_debugfs_dir_remove(struct kapi_debugfs_dir *dir)
{
	debugfs_remove(DENTRY(dir));
}

static int kapi_debugfs_open(struct inode *inode, struct file *filp)
{
	const struct kapi_debugfs_file *f = inode->i_private;
	struct kapi_debugfs_text *t;
	size_t cap = KAPI_DEBUGFS_FIRST_CAP;
	size_t need;

	for (;;) {
		t = kvmalloc(struct_size(t, data, cap), GFP_KERNEL);
		if (!t)
			return -ENOMEM;
		need = f->fn(f->owner, t->data, cap);
		if (need < cap)
			break;
		kvfree(t);
		/* The text plus the writer's NUL would not fit the largest buffer. */
		if (need >= KAPI_DEBUGFS_MAX_TEXT)
			return -EFBIG;
		cap = min_t(size_t, max(cap * 2, need + 1), KAPI_DEBUGFS_MAX_TEXT);
	}
	t->len = need;
	filp->private_data = t;
	return 0;
}

static ssize_t kapi_debugfs_read(struct file *filp, char __user *ubuf, size_t count, loff_t *ppos)
{
	const struct kapi_debugfs_text *t = filp->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, t->data, t->len);
}

static int kapi_debugfs_release(struct inode *inode, struct file *filp)
{
	kvfree(filp->private_data);
	return 0;
}

static const struct file_operations kapi_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = kapi_debugfs_open,
	.read = kapi_debugfs_read,
	.llseek = default_llseek,
	.release = kapi_debugfs_release,
};

int kapi_debugfs_file_create(struct kapi_debugfs_dir *dir, const char *name, unsigned int mode,
			     kapi_debugfs_fill_fn fn, void *owner, struct kapi_debugfs_file **out)
{
	struct kapi_debugfs_file *f;
	struct dentry *d;

	*out = NULL;
	if (!dir || !fn || (mode & ~0444u))
		return -EINVAL;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->fn = fn;
	f->owner = owner;
	d = debugfs_create_file(name, (umode_t)mode, DENTRY(dir), f, &kapi_debugfs_fops);
	if (IS_ERR_OR_NULL(d)) {
		kfree(f);
		return d ? PTR_ERR(d) : -ENOMEM;
	}
	f->dentry = d;
	*out = f;
	return 0;
}

void kapi_debugfs_file_remove(struct kapi_debugfs_file *file)
{
	if (!file)
		return;
	debugfs_remove(file->dentry);
	kfree(file);
}

int kapi_debugfs_file_rename(struct kapi_debugfs_file *file, struct kapi_debugfs_dir *dir,
			     const char *new_name)
{
	struct dentry *d;

	if (!file || !dir || !new_name)
		return -EINVAL;
	/* debugfs_rename() would lock `dir` but move the file out of its real parent. */
	if (READ_ONCE(file->dentry->d_parent) != DENTRY(dir))
		return -EINVAL;
	d = debugfs_rename(DENTRY(dir), file->dentry, DENTRY(dir), new_name);
	return IS_ERR(d) ? PTR_ERR(d) : 0;
}
