# Helpers for the ethtool tests (tests/vm/tests/ethtool_*.sh). Source after
# lib.sh, lib-fabric.sh, lib-dgram.sh and lib-child.sh.

# stat_names DEV: the names ethtool -S lists, in order, one a line.
stat_names() { ethtool -S "$1" | sed -n 's/^ *\([a-z_0-9]*\): .*/\1/p'; }

# intree_stat_names DEV: the names up to in-tree's last (multicast); ours
# adds per-queue and receive-poll counters after them (ethtool_queues).
intree_stat_names() { stat_names "$1" | sed '/^multicast$/q'; }

# stat_of DEV NAME: one ethtool -S value.
stat_of() { ethtool -S "$1" | awk -v n="$2:" '$1 == n { print $2 }'; }

# stats_agree DEV: every ethtool -S counter lies between the sysfs
# statistics/<name> read before and after it (traffic may run meanwhile).
stats_agree() {
	for _s in $(intree_stat_names "$1"); do
		_a=$(cat $N/$1/statistics/$_s) || return 1
		_v=$(stat_of "$1" $_s)
		_b=$(cat $N/$1/statistics/$_s)
		[ -n "$_v" ] && [ "$_a" -le "$_v" ] && [ "$_v" -le "$_b" ] ||
			{ echo "$1 $_s: sysfs $_a, ethtool $_v, sysfs $_b"; return 1; }
	done
}

# coal DEV: the rx-usecs / rx-frames lines of ethtool -c.
coal() { ethtool -c "$1" | grep -E '^(rx-usecs|rx-frames):'; }

# cq_stat HCA NAME: softib's per-HCA CQ counter (completions, events, moderated_events).
cq_stat() { awk -v n="$2" '$1 == n { print $2 }' $SIB_DBG/$1/cq_stats; }
