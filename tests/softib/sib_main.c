// SPDX-License-Identifier: GPL-2.0
/*
 * softib: module parameters, device registration, LID/GUID scheme and the
 * debugfs fault knobs.  See Documentation/softib.md.
 */
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <rdma/ib_cache.h>

#include "sib.h"

static int ndev = 2;
module_param(ndev, int, 0444);
MODULE_PARM_DESC(ndev, "Number of HCAs (sibN devices), 1..16 (default 2)");

static int nports = 1;
module_param(nports, int, 0444);
MODULE_PARM_DESC(nports, "Ports per HCA, 1..8 (default 1)");

static int mtu = 2048;
module_param(mtu, int, 0444);
MODULE_PARM_DESC(mtu, "Port MTU in bytes: 256, 512, 1024, 2048 or 4096 (default 2048)");

static char *pkeys = "0xffff,0x8001,0x0002,0x8002";
module_param(pkeys, charp, 0444);
MODULE_PARM_DESC(pkeys, "Initial P_Key table of every port; must start with 0xffff");

static bool srq = true;
module_param(srq, bool, 0444);
MODULE_PARM_DESC(srq, "Offer shared receive queues (default Y); N makes ipoib-CM use per-QP receive rings");

static bool parent = true;
module_param(parent, bool, 0444);
MODULE_PARM_DESC(parent, "Give each HCA a parent bus device, platform device softib.N (default Y), as a PCI function is for a real HCA; N leaves the HCAs parentless");

static int host;
module_param(host, int, 0444);
MODULE_PARM_DESC(host, "This host's number on a two-host fabric, 0..15 (default 0): LIDs start at 2 + 256 * host and GUIDs carry it");

static char *wire = "";
module_param(wire, charp, 0444);
MODULE_PARM_DESC(wire, "Network interface joining this host's fabric to another host's (default none: one host)");

static int sa = -1;
module_param(sa, int, 0444);
MODULE_PARM_DESC(sa, "Run the subnet administrator here: 1, 0 (requests go over the wire), -1 = on host 0 only (default)");

static uint peers;
module_param(peers, uint, 0444);
MODULE_PARM_DESC(peers, "Virtual peers the SA answers path records for and the wire sinks, 0..16384 (default 0): GUIDs 0002:c9ff:fe60:0000 + i, LIDs 0x8000 + i");

struct sib_fabric sib_fabric;

/* Serialises knob writes that change port attributes or the LID table. */
static DEFINE_MUTEX(sib_knob_mutex);

static u16 sib_init_pkeys[SIB_PKEY_TBL_LEN];
static int sib_init_npkeys;

#define SIB_CNT_NAME(id, name) [SIB_CNT_##id] = #name,
const char *const sib_counter_names[SIB_CNT_MAX] = {
	SIB_COUNTERS(SIB_CNT_NAME)
};
#undef SIB_CNT_NAME

int sib_mtu_bytes(void)
{
	return mtu;
}

enum ib_mtu sib_mtu_enum(void)
{
	return ib_mtu_int_to_enum(mtu);
}

/*
 * IBA 10.9.3: two P_Keys match when their base values are equal (and not
 * the invalid 0) and at least one of them is a full member.
 */
bool sib_pkey_match(u16 a, u16 b)
{
	return (a & 0x7fff) && (a & 0x7fff) == (b & 0x7fff) &&
	       ((a | b) & 0x8000);
}

/* Index of the table entry that admits @pkey, preferring an exact match. */
int sib_port_find_pkey(struct sib_port *port, u16 pkey)
{
	unsigned long flags;
	int i, found = -1;

	spin_lock_irqsave(&port->lock, flags);
	for (i = 0; i < SIB_PKEY_TBL_LEN; i++) {
		if (port->pkeys[i] == pkey) {
			found = i;
			break;
		}
		if (found < 0 && sib_pkey_match(port->pkeys[i], pkey))
			found = i;
	}
	spin_unlock_irqrestore(&port->lock, flags);
	return found;
}

/* Ports live as long as the module, so the pointer needs no reference. */
struct sib_port *sib_port_by_lid(u16 lid)
{
	return xa_load(&sib_fabric.lids, lid);
}

void sib_port_gid(struct sib_port *port, union ib_gid *gid)
{
	gid->global.subnet_prefix = cpu_to_be64(SIB_SUBNET_PREFIX);
	gid->global.interface_id = port->guid;
}

struct sib_port *sib_port_by_gid(const union ib_gid *gid)
{
	int d, p;

	if (gid->global.subnet_prefix != cpu_to_be64(SIB_SUBNET_PREFIX))
		return NULL;
	for (d = 0; d < sib_fabric.ndev; d++) {
		struct sib_dev *sdev = sib_fabric.devs[d];

		for (p = 0; p < sdev->nports; p++)
			if (sdev->ports[p].guid == gid->global.interface_id)
				return &sdev->ports[p];
	}
	return sib_net_proxy_by_guid(gid->global.interface_id);
}

int sib_host(void)
{
	return host;
}

bool sib_sa_local(void)
{
	return sa < 0 ? host == 0 : sa;
}

u16 sib_lid_base(void)
{
	return SIB_FIRST_LID + 256 * host;
}

u16 sib_sm_lid(void)
{
	return READ_ONCE(sib_fabric.sm_lid);
}

void sib_port_event(struct sib_port *port, enum ib_event_type type)
{
	struct ib_event ev = {
		.device = &port->sdev->ib,
		.element.port_num = port->port_num,
		.event = type,
	};

	ib_dispatch_event(&ev);
}

/* ---- parameters ---- */

static int sib_parse_pkeys(void)
{
	char *s = pkeys, *end;
	unsigned long v;
	int n = 0;

	while (*s) {
		while (*s == ',' || isspace(*s))
			s++;
		if (!*s)
			break;
		if (n == SIB_PKEY_TBL_LEN)
			return -EINVAL;
		v = simple_strtoul(s, &end, 16);
		if (end == s || v > 0xffff)
			return -EINVAL;
		sib_init_pkeys[n++] = v;
		s = end;
	}
	if (n == 0 || sib_init_pkeys[0] != 0xffff)
		return -EINVAL;
	sib_init_npkeys = n;
	return 0;
}

static int sib_check_params(void)
{
	if (ndev < 1 || ndev > 16 || nports < 1 || nports > 8) {
		pr_err("softib: ndev must be 1..16 and nports 1..8\n");
		return -EINVAL;
	}
	if (host < 0 || host > 15 || sa < -1 || sa > 1) {
		pr_err("softib: host must be 0..15 and sa -1, 0 or 1\n");
		return -EINVAL;
	}
	if (ib_mtu_int_to_enum(mtu) == IB_MTU_256 && mtu != 256) {
		pr_err("softib: mtu %d is not an IB MTU\n", mtu);
		return -EINVAL;
	}
	if (peers > SIB_PEERS_MAX) {
		pr_err("softib: peers must be 0..%d\n", SIB_PEERS_MAX);
		return -EINVAL;
	}
	if (sib_parse_pkeys()) {
		pr_err("softib: pkeys must be up to %d hex values starting with 0xffff\n",
		       SIB_PKEY_TBL_LEN);
		return -EINVAL;
	}
	return 0;
}

/* ---- debugfs knobs ---- */

static ssize_t sib_read_str(struct file *f, char __user *buf, size_t len,
			    loff_t *pos, const char *s)
{
	return simple_read_from_buffer(buf, len, pos, s, strlen(s));
}

static int sib_get_user_str(const char __user *ubuf, size_t len, char *kbuf,
			    size_t ksize)
{
	if (len == 0 || len >= ksize)
		return -EINVAL;
	if (copy_from_user(kbuf, ubuf, len))
		return -EFAULT;
	kbuf[len] = 0;
	strim(kbuf);
	return 0;
}

static ssize_t sib_link_read(struct file *f, char __user *buf, size_t len,
			     loff_t *pos)
{
	struct sib_port *port = f->private_data;

	return sib_read_str(f, buf, len, pos,
			    READ_ONCE(port->state) == IB_PORT_ACTIVE ?
			    "up\n" : "down\n");
}

/* "down" or "up": PORT_ERR / PORT_ACTIVE, as a cable pull would. */
static ssize_t sib_link_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	enum ib_port_state new;
	unsigned long flags;
	bool changed;
	char kbuf[8];
	int ret;

	ret = sib_get_user_str(ubuf, len, kbuf, sizeof(kbuf));
	if (ret)
		return ret;
	if (!strcmp(kbuf, "up") || !strcmp(kbuf, "1"))
		new = IB_PORT_ACTIVE;
	else if (!strcmp(kbuf, "down") || !strcmp(kbuf, "0"))
		new = IB_PORT_DOWN;
	else
		return -EINVAL;

	mutex_lock(&sib_knob_mutex);
	spin_lock_irqsave(&port->lock, flags);
	changed = port->state != new;
	port->state = new;
	spin_unlock_irqrestore(&port->lock, flags);
	if (changed)
		sib_port_event(port, new == IB_PORT_ACTIVE ?
			       IB_EVENT_PORT_ACTIVE : IB_EVENT_PORT_ERR);
	mutex_unlock(&sib_knob_mutex);
	sib_net_announce();
	return len;
}

static const struct file_operations sib_link_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_link_read,
	.write = sib_link_write,
};

static ssize_t sib_lid_read(struct file *f, char __user *buf, size_t len,
			    loff_t *pos)
{
	struct sib_port *port = f->private_data;
	char s[16];

	snprintf(s, sizeof(s), "%u\n", READ_ONCE(port->lid));
	return sib_read_str(f, buf, len, pos, s);
}

/* A new unicast LID, as after an SM re-sweep: LID_CHANGE. */
static ssize_t sib_lid_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	unsigned long flags;
	u16 lid, old;
	int ret;

	ret = kstrtou16_from_user(ubuf, len, 0, &lid);
	if (ret)
		return ret;
	if (lid == 0 || lid >= SIB_MCAST_LID_BASE || lid == sib_sm_lid())
		return -EINVAL;
	if (sib_peer_lid(lid))
		return -EADDRINUSE;

	mutex_lock(&sib_knob_mutex);
	old = port->lid;
	if (lid != old) {
		ret = xa_insert(&sib_fabric.lids, lid, port, GFP_KERNEL);
		if (ret) {
			mutex_unlock(&sib_knob_mutex);
			return ret == -EBUSY ? -EADDRINUSE : ret;
		}
		spin_lock_irqsave(&port->lock, flags);
		WRITE_ONCE(port->lid, lid);
		spin_unlock_irqrestore(&port->lock, flags);
		xa_erase(&sib_fabric.lids, old);
		sib_port_event(port, IB_EVENT_LID_CHANGE);
	}
	mutex_unlock(&sib_knob_mutex);
	sib_net_announce();
	return len;
}

static const struct file_operations sib_lid_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_lid_read,
	.write = sib_lid_write,
};

/* Writing anything raises the event named by the file. */
static ssize_t sib_event_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	const char *name = f->f_path.dentry->d_name.name;

	if (!strcmp(name, "client_reregister"))
		sib_port_event(port, IB_EVENT_CLIENT_REREGISTER);
	else
		sib_port_event(port, IB_EVENT_SM_CHANGE);
	return len;
}

static const struct file_operations sib_event_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sib_event_write,
};

static ssize_t sib_pkeys_read(struct file *f, char __user *buf, size_t len,
			      loff_t *pos)
{
	struct sib_port *port = f->private_data;
	char s[SIB_PKEY_TBL_LEN * 8 + 2];
	unsigned long flags;
	int i, n = 0;

	spin_lock_irqsave(&port->lock, flags);
	for (i = 0; i < SIB_PKEY_TBL_LEN; i++)
		n += scnprintf(s + n, sizeof(s) - n, "0x%04x\n",
			       port->pkeys[i]);
	spin_unlock_irqrestore(&port->lock, flags);
	return simple_read_from_buffer(buf, len, pos, s, n);
}

/* "INDEX PKEY": replace one table entry, then PKEY_CHANGE. */
static ssize_t sib_pkeys_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	unsigned int idx, pkey;
	unsigned long flags;
	char kbuf[32];
	int ret;

	ret = sib_get_user_str(ubuf, len, kbuf, sizeof(kbuf));
	if (ret)
		return ret;
	if (sscanf(kbuf, "%u %x", &idx, &pkey) != 2 ||
	    idx >= SIB_PKEY_TBL_LEN || pkey > 0xffff)
		return -EINVAL;
	/* The stack relies on the default P_Key at index 0. */
	if (idx == 0 && pkey != 0xffff)
		return -EINVAL;

	mutex_lock(&sib_knob_mutex);
	spin_lock_irqsave(&port->lock, flags);
	port->pkeys[idx] = pkey;
	spin_unlock_irqrestore(&port->lock, flags);
	sib_port_event(port, IB_EVENT_PKEY_CHANGE);
	mutex_unlock(&sib_knob_mutex);
	sib_net_announce();
	return len;
}

static const struct file_operations sib_pkeys_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_pkeys_read,
	.write = sib_pkeys_write,
};

static int sib_counters_show(struct seq_file *m, void *unused)
{
	struct sib_port *port = m->private;
	int i;

	for (i = 0; i < SIB_CNT_MAX; i++)
		seq_printf(m, "%s %lld\n", sib_counter_names[i],
			   (long long)atomic64_read(&port->cnt[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_counters);

static int sib_cq_stats_show(struct seq_file *m, void *unused)
{
	struct sib_dev *sdev = m->private;

	seq_printf(m, "completions %lld\nevents %lld\nmoderated_events %lld\n",
		   (long long)atomic64_read(&sdev->cq_cqes),
		   (long long)atomic64_read(&sdev->cq_events),
		   (long long)atomic64_read(&sdev->cq_mod_events));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sib_cq_stats);

static ssize_t sib_sm_lid_read(struct file *f, char __user *buf, size_t len,
			       loff_t *pos)
{
	char s[16];

	snprintf(s, sizeof(s), "%u\n", sib_sm_lid());
	return sib_read_str(f, buf, len, pos, s);
}

/* Move the SM/SA to another LID: SM_CHANGE on every port. */
static ssize_t sib_sm_lid_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	int d, p, ret;
	u16 lid;

	ret = kstrtou16_from_user(ubuf, len, 0, &lid);
	if (ret)
		return ret;
	if (lid == 0 || lid >= SIB_MCAST_LID_BASE)
		return -EINVAL;

	mutex_lock(&sib_knob_mutex);
	if (xa_load(&sib_fabric.lids, lid) || sib_peer_lid(lid)) {
		mutex_unlock(&sib_knob_mutex);
		return -EADDRINUSE;
	}
	WRITE_ONCE(sib_fabric.sm_lid, lid);
	for (d = 0; d < sib_fabric.ndev; d++)
		for (p = 0; p < sib_fabric.devs[d]->nports; p++)
			sib_port_event(&sib_fabric.devs[d]->ports[p],
				       IB_EVENT_SM_CHANGE);
	mutex_unlock(&sib_knob_mutex);
	return len;
}

static const struct file_operations sib_sm_lid_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_sm_lid_read,
	.write = sib_sm_lid_write,
};

static ssize_t sib_send_stall_read(struct file *f, char __user *buf,
				   size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	char s[16];

	snprintf(s, sizeof(s), "%u\n", READ_ONCE(port->send_stall));
	return sib_read_str(f, buf, len, pos, s);
}

/* 0 off, 1 hold, 2 hang (sib.h): clearing lets held sends go. */
static ssize_t sib_send_stall_write(struct file *f, const char __user *ubuf,
				    size_t len, loff_t *pos)
{
	struct sib_port *port = f->private_data;
	u32 v, old;
	int ret;

	ret = kstrtou32_from_user(ubuf, len, 0, &v);
	if (ret)
		return ret;
	if (v > SIB_STALL_HANG)
		return -EINVAL;
	mutex_lock(&sib_knob_mutex);
	old = READ_ONCE(port->send_stall);
	WRITE_ONCE(port->send_stall, v);
	if (old != SIB_STALL_OFF && v == SIB_STALL_OFF)
		sib_qp_release_stalled(port);
	mutex_unlock(&sib_knob_mutex);
	return len;
}

static const struct file_operations sib_send_stall_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sib_send_stall_read,
	.write = sib_send_stall_write,
};

static void sib_debugfs_init(void)
{
	struct dentry *root = debugfs_create_dir("softib", NULL);
	int d, p;

	sib_fabric.dbg = root;
	debugfs_create_u32("drop_ppm", 0600, root, &sib_fabric.drop_ppm);
	debugfs_create_u32("corrupt_ppm", 0600, root, &sib_fabric.corrupt_ppm);
	debugfs_create_file("sm_lid", 0600, root, NULL, &sib_sm_lid_fops);
	sib_sa_debugfs(root);
	sib_peers_debugfs(root);
	sib_net_debugfs(root);
	sib_bench_debugfs(root);
	sib_selftest_debugfs(root);

	for (d = 0; d < sib_fabric.ndev; d++) {
		struct sib_dev *sdev = sib_fabric.devs[d];

		sdev->dbg = debugfs_create_dir(dev_name(&sdev->ib.dev), root);
		debugfs_create_file("cq_stats", 0400, sdev->dbg, sdev,
				    &sib_cq_stats_fops);
		for (p = 0; p < sdev->nports; p++) {
			struct sib_port *port = &sdev->ports[p];
			char name[16];

			snprintf(name, sizeof(name), "port%u", port->port_num);
			port->dbg = debugfs_create_dir(name, sdev->dbg);
			debugfs_create_file("link", 0600, port->dbg, port,
					    &sib_link_fops);
			debugfs_create_file("lid", 0600, port->dbg, port,
					    &sib_lid_fops);
			debugfs_create_file("client_reregister", 0200,
					    port->dbg, port, &sib_event_fops);
			debugfs_create_file("sm_change", 0200, port->dbg, port,
					    &sib_event_fops);
			debugfs_create_file("pkeys", 0600, port->dbg, port,
					    &sib_pkeys_fops);
			debugfs_create_file("counters", 0400, port->dbg, port,
					    &sib_counters_fops);
			debugfs_create_file("send_stall", 0600, port->dbg,
					    port, &sib_send_stall_fops);
			sib_inject_debugfs(port);
		}
	}
}

/* ---- devices ---- */

static int sib_dev_init_ports(struct sib_dev *sdev)
{
	int p, ret;

	sdev->ports = kcalloc(nports, sizeof(*sdev->ports), GFP_KERNEL);
	if (!sdev->ports)
		return -ENOMEM;
	sdev->nports = nports;

	for (p = 0; p < nports; p++) {
		struct sib_port *port = &sdev->ports[p];
		int i;

		port->sdev = sdev;
		port->port_num = p + 1;
		port->index = sdev->index * nports + p;
		spin_lock_init(&port->lock);
		port->state = IB_PORT_ACTIVE;
		port->lid = sib_lid_base() + port->index;
		port->cap_flags = IB_PORT_SYS_IMAGE_GUID_SUP |
				  IB_PORT_CLIENT_REG_SUP;
		/* Node GUID ends in 00, its ports in 01, 02, ... */
		port->guid = cpu_to_be64(be64_to_cpu(sdev->ib.node_guid) +
					 port->port_num);
		for (i = 0; i < sib_init_npkeys; i++)
			port->pkeys[i] = sib_init_pkeys[i];
		for (i = 0; i < SIB_CNT_MAX; i++)
			atomic64_set(&port->cnt[i], 0);

		ret = xa_insert(&sib_fabric.lids, port->lid, port, GFP_KERNEL);
		if (ret)
			return ret;
	}
	return 0;
}

static void sib_dev_free(struct sib_dev *sdev)
{
	struct platform_device *pdev;
	int p;

	if (sdev->ports) {
		for (p = 0; p < sdev->nports; p++)
			xa_erase(&sib_fabric.lids, sdev->ports[p].lid);
		kfree(sdev->ports);
	}
	xa_destroy(&sdev->qps);
	pdev = sdev->pdev;
	ib_dealloc_device(&sdev->ib);
	/* After the ib_device, which holds a reference on its parent. */
	if (pdev)
		platform_device_unregister(pdev);
}

static struct sib_dev *sib_dev_create(int index)
{
	struct sib_dev *sdev;
	int ret;

	sdev = ib_alloc_device(sib_dev, ib);
	if (!sdev)
		return ERR_PTR(-ENOMEM);

	sdev->index = index;
	spin_lock_init(&sdev->qp_lock);
	xa_init_flags(&sdev->qps, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);
	sdev->next_qpn = 2;
	spin_lock_init(&sdev->pend_lock);
	INIT_LIST_HEAD(&sdev->pend);
	INIT_WORK(&sdev->work, sib_dev_work);
	atomic_set(&sdev->mr_key, 0x100);

	sdev->ib.node_type = RDMA_NODE_IB_CA;
	sdev->ib.phys_port_cnt = nports;
	sdev->ib.num_comp_vectors = 1;
	sdev->ib.local_dma_lkey = 0;
	/* Host 0 keeps the one-host GUIDs; another host's carry its number. */
	sdev->ib.node_guid = cpu_to_be64(SIB_GUID_PREFIX | ((u64)host << 16) |
					 ((u64)(index + 1) << 8));
	if (host)
		snprintf(sdev->ib.node_desc, sizeof(sdev->ib.node_desc),
			 "softib host %d HCA %d", host, index);
	else
		snprintf(sdev->ib.node_desc, sizeof(sdev->ib.node_desc),
			 "softib HCA %d", index);

	atomic64_set(&sdev->cq_cqes, 0);
	atomic64_set(&sdev->cq_events, 0);
	atomic64_set(&sdev->cq_mod_events, 0);

	ret = sib_dev_init_ports(sdev);
	if (ret)
		goto err;

	/*
	 * A real HCA's ib_device hangs off its PCI function; ipoib reports
	 * that device's name as ethtool bus-info and links the netdev to it.
	 */
	if (parent) {
		struct platform_device *pdev;

		pdev = platform_device_register_simple("softib", index, NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err;
		}
		sdev->pdev = pdev;
		sdev->ib.dev.parent = &pdev->dev;
	}

	ib_set_device_ops(&sdev->ib, &sib_dev_ops);
	if (srq)
		ib_set_device_ops(&sdev->ib, &sib_srq_ops);

	/* NULL dma_device: virt-DMA, SGE addresses are kernel addresses. */
	ret = ib_register_device(&sdev->ib, "sib%d", NULL);
	if (ret)
		goto err;
	sdev->registered = true;
	return sdev;
err:
	sib_dev_free(sdev);
	return ERR_PTR(ret);
}

static void sib_teardown(void)
{
	int d;

	debugfs_remove_recursive(sib_fabric.dbg);
	sib_fabric.dbg = NULL;

	/* Clients' remove() runs first: ipoib, ib_cm, ib_mad destroy their QPs. */
	for (d = 0; d < sib_fabric.ndev; d++)
		if (sib_fabric.devs[d] && sib_fabric.devs[d]->registered)
			ib_unregister_device(&sib_fabric.devs[d]->ib);
	/* Nothing comes in from the other host any more (it may ask the SA). */
	sib_net_exit();
	/* No QP is left, so nothing can be queued any more. */
	sib_sa_exit();
	for (d = 0; d < sib_fabric.ndev; d++)
		if (sib_fabric.devs[d])
			cancel_work_sync(&sib_fabric.devs[d]->work);
	for (d = 0; d < sib_fabric.ndev; d++)
		if (sib_fabric.devs[d])
			sib_dev_free(sib_fabric.devs[d]);
	kfree(sib_fabric.devs);
	/* After the SA, whose pending replies may name a remote requester. */
	sib_net_free_proxies();
	if (sib_fabric.wq)
		destroy_workqueue(sib_fabric.wq);
	xa_destroy(&sib_fabric.lids);
	sib_peers_exit();
}

static int __init sib_init(void)
{
	int d, ret;

	ret = sib_check_params();
	if (ret)
		return ret;

	spin_lock_init(&sib_fabric.lock);
	xa_init(&sib_fabric.lids);
	sib_fabric.sm_lid = SIB_DEFAULT_SM_LID;
	spin_lock_init(&sib_fabric.mcast_lock);
	INIT_LIST_HEAD(&sib_fabric.mcast);
	sib_fabric.nports_total = ndev * nports;

	ret = sib_peers_init(peers);
	if (ret)
		return ret;
	sib_fabric.wq = alloc_workqueue("softib", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!sib_fabric.wq) {
		sib_peers_exit();
		return -ENOMEM;
	}

	ret = sib_sa_init(sib_init_pkeys, sib_init_npkeys);
	if (ret)
		goto err_wq;

	sib_fabric.devs = kcalloc(ndev, sizeof(*sib_fabric.devs), GFP_KERNEL);
	if (!sib_fabric.devs) {
		ret = -ENOMEM;
		goto err_sa;
	}
	sib_fabric.ndev = ndev;

	for (d = 0; d < ndev; d++) {
		struct sib_dev *sdev = sib_dev_create(d);

		if (IS_ERR(sdev)) {
			ret = PTR_ERR(sdev);
			goto err_teardown;
		}
		WRITE_ONCE(sib_fabric.devs[d], sdev);
	}

	if (*wire) {
		ret = sib_net_init(wire);
		if (ret)
			goto err_teardown;
	}

	sib_debugfs_init();
	pr_info("softib: %d HCA(s) x %d port(s), MTU %d, SM LID %u, SRQ %s\n",
		ndev, nports, mtu, sib_fabric.sm_lid, srq ? "on" : "off");
	if (peers)
		pr_info("softib: %u virtual peers, LIDs 0x%x..0x%x\n", peers,
			SIB_PEER_LID_BASE, SIB_PEER_LID_BASE + peers - 1);
	if (*wire)
		pr_info("softib: host %d, wire %s, SA %s\n", host, wire,
			sib_sa_local() ? "here" : "on the other host");
	return 0;

err_teardown:
	sib_teardown();
	return ret;
err_sa:
	sib_sa_exit();
err_wq:
	destroy_workqueue(sib_fabric.wq);
	sib_peers_exit();
	return ret;
}

static void __exit sib_exit(void)
{
	sib_teardown();
}

module_init(sib_init);
module_exit(sib_exit);

MODULE_DESCRIPTION("softib: software InfiniBand fabric for tests");
MODULE_LICENSE("GPL");
