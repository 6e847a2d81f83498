#!/bin/bash
# The Debian package and DKMS, host-side only: nothing is installed into
# the host's /lib/modules, /usr/src or /var/lib/dkms, and nothing is loaded.
#
#   1. scripts/mkdeb.sh builds ipoib-cxx-dkms_<VERSION>_all.deb
#      (dpkg-buildpackage -us -uc -b in a copy of the tree under build/);
#   2. its control data (name, version = VERSION, Depends), its files
#      (dkms.conf and the sources under /usr/src/ipoib-cxx-<VERSION>, no
#      objects, no test fabric) and its maintainer scripts (dh_dkms's
#      add/build in postinst, remove --all in prerm, our every-kernel loop),
#      read and also run against stand-ins for dkms that record the calls;
#   3. the package's own sources, unpacked, go through dkms add/build into
#      a private DKMS tree for Debian 12's 6.1 and 6.12 kernels: ib_ipoib.ko
#      comes out with that kernel's vermagic and our version;
#   4. dkms install into a private module tree puts it under updates/,
#      where depmod prefers it to the in-tree module; dkms uninstall and
#      depmod give the in-tree module back.
# Prints ok/not ok lines and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${PKGTEST_DIR:-$top/build/package}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - package: $*"; }
notok() { fail=$((fail + 1)); echo "not ok - package: $*"; }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
# check DESCRIPTION COMMAND...: one result line.
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else notok "$what"; fi
}

ver=$(cat "$top/VERSION")
rm -rf "$work"
mkdir -p "$work"

# 1. Build.
t0=$(date +%s)
if ! deb=$("$top/scripts/mkdeb.sh" "$work/deb" 2>"$work/mkdeb.err"); then
	notok "dpkg-buildpackage failed"
	sed 's/^/#   /' "$work/mkdeb.err" | tail -n 20
	finish
fi
ok "dpkg-buildpackage -us -uc -b: $(basename "$deb") ($(($(date +%s) - t0)) s)"
if grep -E '^(dpkg-[a-z]+|dh_[a-z]+): (warning|error)' "$work/deb/dpkg-buildpackage.log" >/dev/null; then
	notok "debhelper/dpkg warnings"
	grep -E '^(dpkg-[a-z]+|dh_[a-z]+): (warning|error)' "$work/deb/dpkg-buildpackage.log" | head -n 10 | sed 's/^/#   /'
else
	ok "no debhelper/dpkg warnings"
fi

# 2. Control data, files, maintainer scripts.
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: ipoib-cxx-dkms" [ "$(field Package)" = ipoib-cxx-dkms ]
check "Version: $ver (the VERSION file)" [ "$(field Version)" = "$ver" ]
check "Architecture: all" [ "$(field Architecture)" = all ]
check "Depends on dkms, g++-12 and make ($(field Depends))" \
	sh -c "echo '$(field Depends)' | grep -qE '(^|, )dkms( |,|\$)' && echo '$(field Depends)' | grep -qE '(^|, )g\+\+-12(,|\$)' && echo '$(field Depends)' | grep -qE '(^|, )make(,|\$)'"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||; /\/$/d' | sort >"$work/files"
src=usr/src/ipoib-cxx-$ver
# Every source the module is built from, as the tree has them.
(cd "$top" && ls Kbuild VERSION ipoib_*.cc kapi/*.c kapi/*.h kern/*.cc scripts/Kbuild.cxx && find include -name '*.h') |
	sed "s|^|$src/|" | sort >"$work/want"
missing=$(comm -23 "$work/want" "$work/files")
if [ -z "$missing" ]; then ok "all $(wc -l <"$work/want") sources under /$src"; else
	notok "sources missing from the package:"; echo "$missing" | head -n 10 | sed 's/^/#   /'; fi
check "dkms.conf at /$src/dkms.conf" grep -qx "$src/dkms.conf" "$work/files"
stray=$(grep -E '\.(o|ko|mod|cmd|symvers|order)$|softib|/tests/|/debian/' "$work/files")
if [ -z "$stray" ]; then ok "no objects, test fabric or tests in the package"; else
	notok "package carries build or test files:"; echo "$stray" | head -n 10 | sed 's/^/#   /'; fi
extra=$(grep "^$src/" "$work/files" | grep -vxF -f "$work/want" | grep -vx "$src/dkms.conf")
if [ -z "$extra" ]; then ok "nothing else under /$src"; else
	notok "unexpected files under /$src:"; echo "$extra" | head -n 10 | sed 's/^/#   /'; fi

root=$work/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"
check "dkms.conf: PACKAGE_NAME=ipoib-cxx, BUILT_MODULE_NAME ib_ipoib, AUTOINSTALL" \
	sh -c "grep -qx 'PACKAGE_NAME=\"ipoib-cxx\"' '$root/$src/dkms.conf' &&
		grep -qx 'BUILT_MODULE_NAME\[0\]=\"ib_ipoib\"' '$root/$src/dkms.conf' &&
		grep -qx 'AUTOINSTALL=\"yes\"' '$root/$src/dkms.conf'"
check "dkms.conf reads version $ver from the packaged VERSION" \
	[ "$(bash -c ". '$root/$src/dkms.conf'; echo \"\$PACKAGE_VERSION\"")" = "$ver" ]
pi=$work/control/postinst
pr=$work/control/prerm
check "postinst and prerm are valid sh" sh -n "$pi" -a -n "$pr"
check "postinst: dkms common.postinst adds and builds ipoib-cxx $ver" \
	sh -c "grep -qx 'DKMS_NAME=ipoib-cxx' '$pi' && grep -qx 'DKMS_VERSION=$ver' '$pi' &&
		grep -q '/usr/lib/dkms/common.postinst' '$pi'"
check "postinst: dkms install for every kernel with headers" \
	sh -c "grep -q 'for dir in /lib/modules/\*/build' '$pi' &&
		grep -qF 'dkms install -m ipoib-cxx -v $ver -k' '$pi' && ! grep -q '#ENV\.' '$pi'"
check "prerm: dkms remove --all (uninstall runs depmod)" \
	sh -c "grep -qx 'DKMS_NAME=ipoib-cxx' '$pr' && grep -qx 'DKMS_VERSION=$ver' '$pr' &&
		grep -qF 'dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all' '$pr'"

# The maintainer scripts run, against a stand-in dkms (first in PATH) and a
# stand-in for dkms's common.postinst, that record their calls: what the
# scripts would do on a real install/removal, with nothing done.
stub=$work/stub
mkdir -p "$stub/bin"
cat >"$stub/bin/dkms" <<'EOS'
#!/bin/sh
echo "dkms $*" >>"$STUB_CALLS"
case "$1" in
status) [ -n "${STUB_STATUS:-}" ] && echo "ipoib-cxx/x, k, x86_64: $STUB_STATUS" ;;
install) exit "${STUB_INSTALL_RC:-0}" ;;
esac
exit 0
EOS
printf '#!/bin/sh\n{ printf "common.postinst"; printf " [%%s]" "$@"; echo; } >>"$STUB_CALLS"\n' >"$stub/common.postinst"
chmod +x "$stub/bin/dkms" "$stub/common.postinst"
sed "s|/usr/lib/dkms/common.postinst|$stub/common.postinst|g" "$pi" >"$stub/postinst"
# run SCRIPT ARGS...: in a clean environment; the calls land in $stub/calls.
run() {
	: >"$stub/calls"
	env PATH="$stub/bin:/usr/sbin:/usr/bin:/sbin:/bin" STUB_CALLS="$stub/calls" \
		STUB_STATUS="${STUB_STATUS:-}" STUB_INSTALL_RC="${STUB_INSTALL_RC:-0}" sh "$@" >/dev/null 2>&1
}
kernels=$(for d in /lib/modules/*/build; do [ -e "$d/include" ] && basename "$(dirname "$d")"; done)
if run "$stub/postinst" configure; then
	want_calls=$(echo "common.postinst [ipoib-cxx] [$ver] [/usr/share/ipoib-cxx-dkms] []"
		for k in $kernels; do echo "dkms status -m ipoib-cxx -v $ver -k $k"; echo "dkms install -m ipoib-cxx -v $ver -k $k"; done)
	if [ "$(cat "$stub/calls")" = "$want_calls" ]; then
		ok "postinst configure: dh_dkms's common.postinst, then dkms install for each of: $(echo $kernels)"
	else
		notok "postinst configure: calls differ (< expected, > made):"
		diff <(echo "$want_calls") "$stub/calls" | grep '^[<>]' | head -n 10 | sed 's/^/#   /'
	fi
else
	notok "postinst configure failed"
fi
STUB_STATUS=installed run "$stub/postinst" configure
check "postinst configure: no dkms install where dkms says installed" sh -c "! grep -q 'dkms install' '$stub/calls'"
STUB_INSTALL_RC=77 run "$stub/postinst" configure
check "postinst configure: dkms's 77 (kernel excluded) is not an error" [ $? -eq 0 ]
STUB_INSTALL_RC=10 run "$stub/postinst" configure
check "postinst configure: a failed build fails the configuration" [ $? -ne 0 ]
STUB_STATUS=built run "$pr" remove
check "prerm remove: dkms remove -m ipoib-cxx -v $ver --all" grep -qx "dkms remove -m ipoib-cxx -v $ver --all" "$stub/calls"
STUB_STATUS=built run "$pr" upgrade
check "prerm upgrade: the old version removed" grep -qx "dkms remove -m ipoib-cxx -v $ver --all" "$stub/calls"

# 3. dkms add/build from the package's files, private trees only. Module
#    signing keys go to the private tree too (dkms would create its own
#    under /var/lib/dkms).
export mok_signing_key=$work/mok.key mok_certificate=$work/mok.pub
dk() { dkms --dkmstree "$work/dkms" --sourcetree "$root/usr/src" --installtree "$work/modroot/lib/modules" "$@"; }
mkdir -p "$work/dkms"
if dk add -m ipoib-cxx -v "$ver" >"$work/dkms-add.log" 2>&1; then ok "dkms add ipoib-cxx/$ver"; else
	notok "dkms add"; sed 's/^/#   /' "$work/dkms-add.log" | tail -n 10; finish; fi

newest() { ls -d "$@" 2>/dev/null | grep -v -e -rt- -e -cloud- | sort -V | tail -n 1 | cut -d/ -f4; }
k61=$(newest /lib/modules/6.1.0-*-amd64/build)
k612=$(newest /lib/modules/6.12.*+deb12-amd64/build)
[ -n "$k61" ] || notok "no 6.1.0-*-amd64 headers (scripts/install-deps.sh)"
[ -n "$k612" ] || notok "no 6.12.*+deb12-amd64 headers (KVER=6.12 scripts/install-deps.sh)"
for k in $k61 $k612; do
	t0=$(date +%s)
	if ! dk build -m ipoib-cxx -v "$ver" -k "$k" >"$work/dkms-build-$k.log" 2>&1; then
		notok "dkms build for $k"
		tail -n 5 "$work/dkms-build-$k.log" | sed 's/^/#   /'
		tail -n 20 "$work/dkms/ipoib-cxx/$ver/build/make.log" 2>/dev/null | sed 's/^/#   /'
		continue
	fi
	ko=$(ls "$work/dkms/ipoib-cxx/$ver/$k"/*/module/ib_ipoib.ko* 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then notok "dkms build for $k: no ib_ipoib.ko in the DKMS tree"; continue; fi
	magic=$(modinfo -F vermagic "$ko" | awk '{print $1}')
	mver=$(modinfo -F version "$ko")
	if [ "$magic" = "$k" ] && [ "$mver" = "$ver" ]; then
		ok "dkms build for $k: $(basename "$ko"), vermagic $magic, version $mver ($(($(date +%s) - t0)) s)"
	else
		notok "dkms build for $k: vermagic '$magic' version '$mver'"
	fi
	log=$(ls "$work/dkms/ipoib-cxx/$ver/$k"/*/log/make.log)
	if grep -iE 'warning|error' "$log" >/dev/null; then
		notok "dkms build for $k: compiler or make warnings"; grep -iE 'warning|error' "$log" | head -n 10 | sed 's/^/#   /'
	else
		ok "dkms build for $k: no warnings"
	fi

	# 4. install/uninstall into a private module tree holding a copy of
	#    the in-tree ib_ipoib; depmod -b there (never the host's).
	mr=$work/modroot
	intree=$(modinfo -k "$k" -n ib_ipoib)
	rel=${intree#/lib/modules/$k/}
	mkdir -p "$mr/lib/modules/$k/$(dirname "$rel")"
	cp "$intree" "$mr/lib/modules/$k/$rel"
	cp /lib/modules/"$k"/modules.order /lib/modules/"$k"/modules.builtin* "$mr/lib/modules/$k/"
	dk install --no-depmod -m ipoib-cxx -v "$ver" -k "$k" >"$work/dkms-install-$k.log" 2>&1
	depmod -b "$mr" "$k" 2>/dev/null
	used=$(modinfo -b "$mr" -k "$k" -n ib_ipoib 2>/dev/null)
	check "dkms install for $k: ib_ipoib resolves to updates/ (${used#"$mr"/lib/modules/"$k"/})" \
		sh -c "case '$used' in '$mr/lib/modules/$k/updates/'*) exit 0;; esac; exit 1"
	dk uninstall --no-depmod -m ipoib-cxx -v "$ver" -k "$k" >"$work/dkms-uninstall-$k.log" 2>&1
	depmod -b "$mr" "$k" 2>/dev/null
	used=$(modinfo -b "$mr" -k "$k" -n ib_ipoib 2>/dev/null)
	check "dkms uninstall + depmod for $k: the in-tree ib_ipoib again ($rel)" \
		[ "$used" = "$mr/lib/modules/$k/$rel" ]
done
finish
