# Helpers for the rdma-core / infiniband-diags test (tests/vm/tests/
# fabric_rdma_tools.sh). Source after lib.sh and lib-fabric.sh. The tools
# are Debian's (infiniband-diags and iproute2's rdma), with their libraries
# (libibumad, libibmad, libibnetdisc); the MAD tools go through ib_umad.

saquery() { /usr/sbin/saquery "$@"; }
smpquery() { /usr/sbin/smpquery "$@"; }
ibnetdiscover() { /usr/sbin/ibnetdiscover "$@"; }
perfquery() { /usr/sbin/perfquery "$@"; }
sminfo() { /usr/sbin/sminfo "$@"; }
ibstatus() { /usr/sbin/ibstatus "$@"; }

# field NAME: from "NAME....value" dumps (smpquery, perfquery, saquery) or
# "NAME: value" lines (ibstat), the value of the first NAME line on stdin.
field() {
	awk -v n="$1" '{ l = $0; sub(/^[ \t]+/, "", l) }
		index(l, n) == 1 {
			r = substr(l, length(n) + 1)
			if (r ~ /^(\.+|:)/) { sub(/^(\.+|:)[ \t]*/, "", r); print r; exit }
		}'
}

# has_field NAME VALUE: stdin has a NAME line with exactly VALUE.
has_field() { [ "$(field "$1")" = "$2" ]; }

# gid_plain GID: a GID as ipoib's debugfs writes it (eight groups, no
# leading zeros, no "::"), from any IPv6 notation (saquery's inet_ntop).
gid_plain() {
	echo "$1" | awk -F: '{
		n = 0
		for (i = 1; i <= NF; i++) if ($i != "") n++
		out = ""; c = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "") {
				if (done) continue
				for (k = 0; k < 8 - n; k++) { out = out (c ? ":" : "") "0"; c++ }
				done = 1
				continue
			}
			v = $i; sub(/^0+/, "", v); if (v == "") v = "0"
			out = out (c ? ":" : "") v; c++
		}
		print out
	}'
}

# sa_members: the SA's MCMemberRecords as saquery -m lists them, one
# "MGID PORTGID SCOPESTATE" line each (scope << 4 | join state), GIDs as
# gid_plain writes them, sorted.
sa_members() {
	saquery -m >/tmp/saquery-m.out 2>&1 || { cat /tmp/saquery-m.out; return 1; }
	awk '$1 ~ /^MGID\./ { sub(/^MGID\.+/, "", $1); m = $1 }
		$1 ~ /^PortGid\./ { sub(/^PortGid\.+/, "", $1); p = $1 }
		$1 ~ /^ScopeState\./ { sub(/^ScopeState\.+/, "", $1); print m, p, $1 }' /tmp/saquery-m.out |
		while read -r m p j; do echo "$(gid_plain "$m") $(gid_plain "$p") $j"; done | sort
}

# sa_port_groups PORTGID: the MGIDs the SA lists PORTGID (gid_plain) in.
sa_port_groups() { sa_members | awk -v p="$1" '$2 == p { print $1 }' | sort; }

# port_gid_plain HCA: GID[0] of port 1, as gid_plain writes it.
port_gid_plain() { gid_plain "$(cat /sys/class/infiniband/$1/ports/1/gids/0)"; }
