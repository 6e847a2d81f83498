#!/bin/sh
# modinfo of the installed module: the fields users and tools rely on.
. /vmtest/lib.sh

info=$(modinfo ib_ipoib)
log "$info" | grep -v '^sig'
check "modprobe resolves ib_ipoib to ours (updates/)" sh -c "/usr/sbin/modinfo -n ib_ipoib | grep -q /updates/ib_ipoib.ko"
for field in license description version author; do
	check "modinfo has $field" sh -c "/usr/sbin/modinfo -F $field ib_ipoib | grep -q ."
done
check "license is GPL-compatible" sh -c "/usr/sbin/modinfo -F license ib_ipoib | grep -q GPL"
check "alias rtnl-link-ipoib (ip link add ... type ipoib autoloads)" \
	sh -c "/usr/sbin/modinfo -F alias ib_ipoib | grep -qx rtnl-link-ipoib"
for p in send_queue_size recv_queue_size debug_level; do
	check "parameter $p has a description" sh -c "/usr/sbin/modinfo -F parm ib_ipoib | grep -q '^$p:[A-Za-z]'"
done
check "depends on ib_core" sh -c "/usr/sbin/modinfo -F depends ib_ipoib | grep -q ib_core"
check "vermagic matches the running kernel" sh -c "/usr/sbin/modinfo -F vermagic ib_ipoib | grep -q \"^$(uname -r) \""
finish
