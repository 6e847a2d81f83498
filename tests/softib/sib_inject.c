// SPDX-License-Identifier: GPL-2.0
/*
 * softib: packet injection for fuzzing (Documentation/softib.md).
 *
 * softib/sibN/portP/inject: each write() is one UD packet arriving at that
 * port from the wire, with whatever headers the writer chose: any source
 * LID and QPN, P_Key, Q_Key, SL, GRH bytes and payload.  It goes through the
 * same receive path as a packet sent by another port (sib_wire_deliver_ud),
 * so the port's P_Key/Q_Key checks, receive-length errors and drop counters
 * apply.  A read shows how many writes were injected and refused.
 *
 * A write is a 64-byte header, little-endian, then the payload:
 *
 *   0  magic  0x4a424953 ("SIBJ")   4  dqpn (0xffffff: multicast)
 *   8  sqpn                         12 qkey
 *   16 dlid (multicast: the MLID)   18 slid
 *   20 pkey                         22 sl (0..15)
 *   23 flags (bit 0: GRH present)   24 the 40-byte GRH
 *
 * Multicast goes to the QPs of this port attached to the GRH's DGID (to the
 * MLID when there is no GRH).  Unicast ignores dlid: the packet has
 * arrived.  QP0 cannot be targeted (SMPs travel through the switch,
 * sib_sma.c).  The payload may exceed the port MTU by up to
 * SIB_INJECT_SLACK bytes, so that receivers' length errors can be provoked.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "sib.h"

#define SIB_INJECT_MAGIC	0x4a424953
#define SIB_INJECT_F_GRH	0x01
#define SIB_INJECT_SLACK	1024
#define SIB_INJECT_MAX_PORTS	128	/* ndev 16 x nports 8 */

struct sib_inject_hdr {
	__le32 magic;
	__le32 dqpn;
	__le32 sqpn;
	__le32 qkey;
	__le16 dlid;
	__le16 slid;
	__le16 pkey;
	u8 sl;
	u8 flags;
	u8 grh[SIB_GRH_BYTES];
} __packed;

/* Per fabric port index: writes delivered to the wire's receive path, refused. */
static atomic64_t sib_injected[SIB_INJECT_MAX_PORTS];
static atomic64_t sib_inject_refused[SIB_INJECT_MAX_PORTS];

/* Fan a multicast packet out to the QPs of @port attached to the group. */
static void sib_inject_mcast(struct sib_port *port, const struct sib_pkt *pkt,
			     u16 mlid)
{
	struct sib_qp *qps[SIB_MAX_MCAST_QP];
	int i, n, hit = 0;

	n = sib_mcast_snapshot(pkt->has_grh ? &pkt->grh.dgid : NULL, mlid, qps,
			       ARRAY_SIZE(qps));
	for (i = 0; i < n; i++) {
		struct sib_qp *qp = qps[i];

		if (qp->sdev == port->sdev &&
		    READ_ONCE(qp->port_num) == port->port_num) {
			hit++;
			sib_count(port, SIB_CNT_MCAST_RX, 1);
			sib_wire_deliver_ud(qp, port, pkt);
		}
		sib_qp_put(qp);
	}
	if (!hit)
		sib_count(port, SIB_CNT_DROP_NO_GROUP, 1);
}

static void sib_inject_deliver(struct sib_port *port,
			       const struct sib_inject_hdr *h,
			       const struct ib_sge *sge)
{
	struct sib_pkt pkt = {};
	u32 dqpn = le32_to_cpu(h->dqpn);
	u16 dlid = le16_to_cpu(h->dlid);

	pkt.sport = port;
	pkt.slid = le16_to_cpu(h->slid);
	pkt.src_qpn = le32_to_cpu(h->sqpn);
	pkt.pkey = le16_to_cpu(h->pkey);
	pkt.qkey = le32_to_cpu(h->qkey);
	pkt.sl = h->sl;
	pkt.has_grh = h->flags & SIB_INJECT_F_GRH;
	if (pkt.has_grh)
		memcpy(&pkt.grh, h->grh, SIB_GRH_BYTES);
	pkt.sge = sge;
	pkt.num_sge = 1;
	pkt.len = sge->length;

	if (dqpn == SIB_MCAST_QPN) {
		/* As the wire: QPN 0xffffff needs a multicast DLID. */
		if (dlid < SIB_MCAST_LID_BASE || dlid == SIB_PERMISSIVE_LID) {
			sib_count(port, SIB_CNT_DROP_NO_QP, 1);
			return;
		}
		sib_inject_mcast(port, &pkt, dlid);
		return;
	}
	sib_wire_deliver_qpn(port, dqpn, &pkt);
}

static ssize_t sib_inject_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	const size_t hlen = sizeof(struct sib_inject_hdr);
	struct sib_inject_hdr *h;
	struct ib_sge sge;
	u32 dqpn, sqpn;
	void *buf;
	ssize_t ret = len;

	BUILD_BUG_ON(sizeof(struct sib_inject_hdr) != 64);
	if (len < hlen || len - hlen > (size_t)sib_mtu_bytes() + SIB_INJECT_SLACK)
		goto refuse;
	buf = memdup_user(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	h = buf;
	dqpn = le32_to_cpu(h->dqpn);
	sqpn = le32_to_cpu(h->sqpn);
	if (le32_to_cpu(h->magic) != SIB_INJECT_MAGIC || dqpn == 0 ||
	    dqpn > SIB_MCAST_QPN || sqpn > SIB_MCAST_QPN || h->sl > 15 ||
	    (h->flags & ~SIB_INJECT_F_GRH)) {
		kfree(buf);
		goto refuse;
	}
	/* virt-DMA: an SGE address is a kernel virtual address. */
	sge.addr = (uintptr_t)buf + hlen;
	sge.length = len - hlen;
	sge.lkey = 0;
	atomic64_inc(&sib_injected[port->index]);
	sib_inject_deliver(port, h, &sge);
	kfree(buf);
	return ret;

refuse:
	atomic64_inc(&sib_inject_refused[port->index]);
	return -EINVAL;
}

static ssize_t sib_inject_read(struct file *f, char __user *buf, size_t len,
			       loff_t *pos)
{
	struct sib_port *port = f->private_data;
	char s[64];
	int n;

	n = scnprintf(s, sizeof(s), "injected %lld\nrefused %lld\n",
		      (long long)atomic64_read(&sib_injected[port->index]),
		      (long long)atomic64_read(&sib_inject_refused[port->index]));
	return simple_read_from_buffer(buf, len, pos, s, n);
}

static const struct file_operations sib_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_inject_read,
	.write = sib_inject_write,
	.llseek = default_llseek,
};

void sib_inject_debugfs(struct sib_port *port)
{
	if (port->index >= SIB_INJECT_MAX_PORTS)
		return;
	debugfs_create_file("inject", 0600, port->dbg, port, &sib_inject_fops);
}
