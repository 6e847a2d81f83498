// SPDX-License-Identifier: GPL-2.0
/*
 * softib: many virtual peers (module parameter peers=N).
 *
 * Peer i (0 <= i < N) has the port GUID SIB_PEER_GUID_BASE + i (GID
 * fe80:: + GUID) and the LID SIB_PEER_LID_BASE + i.  No HCA port has
 * either: real ports' GUIDs are SIB_GUID_PREFIX | host << 16 | ..., and
 * the lid and sm_lid knobs refuse the peer LIDs.  The SA answers path
 * records to them (sib_sa.c), so an IPoIB driver can send to N distinct
 * destinations; the wire sinks what is sent to a peer LID and counts it.
 * A benchmark then sees the driver's cost per destination, not a peer's.
 */
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sib.h"

static struct {
	u32 count;
	unsigned long *hit;		/* peers that were sent a packet */
	atomic_t nhit;
	atomic64_t packets;
	atomic64_t bytes;
	atomic64_t paths;		/* path records the SA answered */
} sib_peers;

int sib_peers_init(u32 count)
{
	if (count > SIB_PEERS_MAX)
		return -EINVAL;
	sib_peers.count = count;
	if (!count)
		return 0;
	sib_peers.hit = bitmap_zalloc(count, GFP_KERNEL);
	return sib_peers.hit ? 0 : -ENOMEM;
}

void sib_peers_exit(void)
{
	bitmap_free(sib_peers.hit);
	sib_peers.hit = NULL;
	sib_peers.count = 0;
}

bool sib_peer_lid(u16 lid)
{
	return lid >= SIB_PEER_LID_BASE &&
	       lid - SIB_PEER_LID_BASE < sib_peers.count;
}

/* The LID of the peer with this GID, or 0 if none has it. */
u16 sib_peer_lid_by_gid(const union ib_gid *gid)
{
	u64 guid = be64_to_cpu(gid->global.interface_id);

	if (gid->global.subnet_prefix != cpu_to_be64(SIB_SUBNET_PREFIX) ||
	    guid < SIB_PEER_GUID_BASE ||
	    guid - SIB_PEER_GUID_BASE >= sib_peers.count)
		return 0;
	return SIB_PEER_LID_BASE + (u16)(guid - SIB_PEER_GUID_BASE);
}

void sib_peer_gid(u16 lid, union ib_gid *gid)
{
	gid->global.subnet_prefix = cpu_to_be64(SIB_SUBNET_PREFIX);
	gid->global.interface_id =
		cpu_to_be64(SIB_PEER_GUID_BASE + (lid - SIB_PEER_LID_BASE));
}

void sib_peer_path_answered(void)
{
	atomic64_inc(&sib_peers.paths);
}

/* A UD packet to a peer LID: counted and dropped. */
void sib_peer_sink(u16 lid, const struct sib_pkt *pkt)
{
	atomic64_inc(&sib_peers.packets);
	atomic64_add(pkt->len, &sib_peers.bytes);
	if (!test_and_set_bit(lid - SIB_PEER_LID_BASE, sib_peers.hit))
		atomic_inc(&sib_peers.nhit);
}

static int sib_peers_show(struct seq_file *s, void *unused)
{
	union ib_gid first, last;
	u32 n = sib_peers.count;

	seq_printf(s, "peers %u\n", n);
	if (n) {
		sib_peer_gid(SIB_PEER_LID_BASE, &first);
		sib_peer_gid(SIB_PEER_LID_BASE + n - 1, &last);
		seq_printf(s, "gids %pI6 %pI6\n", first.raw, last.raw);
		seq_printf(s, "lids 0x%04x 0x%04x\n", SIB_PEER_LID_BASE,
			   SIB_PEER_LID_BASE + n - 1);
	}
	seq_printf(s, "path_records %lld\n", atomic64_read(&sib_peers.paths));
	seq_printf(s, "sink_packets %lld\n", atomic64_read(&sib_peers.packets));
	seq_printf(s, "sink_bytes %lld\n", atomic64_read(&sib_peers.bytes));
	seq_printf(s, "peers_hit %d\n", atomic_read(&sib_peers.nhit));
	return 0;
}

static int sib_peers_open(struct inode *inode, struct file *f)
{
	return single_open(f, sib_peers_show, NULL);
}

/* Writing anything zeroes the counters (between two drivers' runs). */
static ssize_t sib_peers_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *pos)
{
	atomic64_set(&sib_peers.paths, 0);
	atomic64_set(&sib_peers.packets, 0);
	atomic64_set(&sib_peers.bytes, 0);
	if (sib_peers.count)
		bitmap_zero(sib_peers.hit, sib_peers.count);
	atomic_set(&sib_peers.nhit, 0);
	return len;
}

static const struct file_operations sib_peers_fops = {
	.owner = THIS_MODULE,
	.open = sib_peers_open,
	.read = seq_read,
	.write = sib_peers_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void sib_peers_debugfs(struct dentry *root)
{
	debugfs_create_file("peers", 0600, root, NULL, &sib_peers_fops);
}
