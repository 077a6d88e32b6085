#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Suite 'package' (issue 16): bitspeerauth installs like a Samba module.
# One script, so that the one dpkg-buildpackage run (about a minute)
# serves every check that needs a .deb:
#  1. meson install --destdir: exactly the expected files, at the
#     expected paths, with the installed rpath (no build tree);
#  2. the .deb built in a clean clone of the repository (HEAD):
#     dpkg-deb -c contents, the exact-Samba Depends, lintian errors and
#     warnings 0 (each remaining tag overridden with its reason);
#  3. an installed run: both .debs installed into a throwaway root (a
#     mount namespace with overlays over /usr, /etc and /var/lib/dpkg),
#     a DC started from it with only the README's smb.conf lines (the
#     harness's BPA_MODULE=installed: no overlay of our own module), one
#     exchange by the installed tool served; then a member host whose
#     samba-dcerpcd runs the installed helper from Samba's libexec
#     folder (the harness's BPA_RPCD=installed: no overlay of our own
#     helper) serves one exchange too; the host is unchanged.
# Parts 2 and 3 are skipped, saying why, without dpkg-dev (and
# debhelper, lintian) or root; buildtools/install-deps.sh installs them.
#
# Usage (meson test): package_test.sh  (BPA_SOURCE_ROOT, BPA_BUILD_ROOT)
# shellcheck source=../integration/dc_lib.sh
. "$BPA_SOURCE_ROOT/tests/integration/dc_lib.sh"

# meson test points LD_LIBRARY_PATH at the build tree: what is checked
# here is what the installed files find by themselves
unset LD_LIBRARY_PATH
W=$BPA_BUILD_ROOT/tests/package/work
BPA_LOG=$W	# dc_done names it on failure
PY=/usr/bin/python3
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	gcc -print-multiarch)
SAMBA_MODULES=$(samba -b | sed -n 's/^ *MODULESDIR: *//p')
SAMBA_VERSION=$(dpkg-query -W -f='${Version}' samba-libs)

# re TEXT: TEXT as a literal in an extended regular expression
re() {
	printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}

# flat TEXT: one line, for a TAP diagnostic
flat() {
	printf '%s' "$1" | tr '\n\t' '  '
}

skip() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1 # SKIP $2"
}

# same_lines NAME GOT WANT: two sorted lists, the difference on failure
same_lines() {
	local d
	d=$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") |
		grep '^[<>]' | tr '\n' ' ')
	if [ -z "$d" ]; then
		ok 0 "$1"
	else
		ok 1 "$1" "unexpected (<) / missing (>): $d"
	fi
}

# --- 3, inside the throwaway root (run by part 3 below) ----------------
# The README's smb.conf lines: its "Installing" section's [global] block
installing_smb_conf_lines() {
	awk '/^## Installing/ { s = 1; next }
	     s && /^## / { exit }
	     s && /^    \[global\]$/ { b = 1; next }
	     b && /^[ \t]*$/ { exit }
	     b { sub(/^[ \t]+/, ""); print }' "$BPA_SOURCE_ROOT/README.md"
}

# installed_exchange ADDR FQDN: one exchange with the host at ADDR by
# the installed tool, as PEER1$ (its keytab), the DC as SID authority
installed_exchange() {
	in_ns timeout 120 /usr/bin/bitspeerauth exchange \
		-s "$BPA_PEER1_SMBCONF" --server "$1" \
		--target-hostname "$2" --realm "$BPA_REALM" \
		--keytab "$BPA_KEYTABS/PEER1\$.keytab" \
		--principal "PEER1\$@$BPA_REALM" \
		--dc 127.0.0.1 --dc-hostname "$BPA_DC_FQDN" 2>&1
}

# MEMBER, joined to the running DC, serving through the installed
# rpcd_bitspeerauth (MS-BPAU 4.1: the endpoint on a member host)
installed_member() {
	local out rc rpcd=/usr/libexec/samba/rpcd_bitspeerauth pid exe
	if ! BPA_RPCD=installed "$HARNESS" member-start "$DC_DIR" \
		>"$W/member.log" 2>&1; then
		ok 1 "a member starts with the installed helper" \
			"$(flat "$(tail -5 "$W/member.log")")"
		return 0
	fi
	ok 0 "a member starts with the installed helper"
	set -a
	# shellcheck source=/dev/null
	. "$DC_DIR/env"
	set +a
	expect_eq "$BPA_MEMBER_RPCD" "$rpcd" \
		"the harness used the helper in Samba's libexec folder"
	out=$(installed_exchange "$BPA_MEMBER_ADDR" "$BPA_MEMBER_FQDN")
	rc=$?
	ok $rc "one exchange with MEMBER by the installed tool, as PEER1\$: S_OK" \
		"$(printf '%s' "$out" | tail -3 | tr '\n' ' ')"
	expect_match "$(flat "$out")" \
		"server account: $BPA_MEMBER_NETBIOS\\\$ $BPA_MEMBER_SID" \
		"it got MEMBER's certificate (MEMBER's SID)"
	out=$(/usr/bin/bitspeerauth peers list -s "$BPA_MEMBER_SMBCONF" 2>&1)
	expect_match "$(flat "$out")" "$BPA_PEER1_SID" \
		"the installed tool lists PEER1\$ in MEMBER's peer table"
	# the helper samba-dcerpcd started for that exchange: its
	# executable and our library as installed, nothing of the build tree
	pid=$(pgrep -n -f "^$(re "$rpcd") " || true)
	if [ -z "$pid" ]; then
		ok 1 "the member runs $rpcd" "$(flat "$(pgrep -af rpcd_)")"
	else
		exe=$(readlink "/proc/$pid/exe")
		out=$(grep -o '/[^ ]*bitspeerauth[^ /]*\.so[^ /]*$' \
			"/proc/$pid/maps" | sort -u)
		same_lines "the member's helper is the installed one, with the installed library" \
			"$(printf '%s\n' "$exe" "$out" | sort -u)" \
			"$(printf '%s\n' "$rpcd" \
			"/usr/lib/$MA/bitspeerauth/libbitspeerauth.so.0.1.0" |
			sort)"
	fi
	"$HARNESS" member-stop "$DC_DIR" >/dev/null 2>&1
}

installed_run() {
	local deb_dir=$1 d st dc opts=() line out rc pid unit
	# the throwaway root: overlays whose upper layers are a tmpfs of
	# this mount namespace, gone with it (var/lib/systemd: the state
	# deb-systemd-helper keeps for the prefetch unit)
	mount -t tmpfs tmpfs "$W/root" || return 1
	for d in usr etc var/lib/dpkg var/lib/systemd; do
		[ -d "/$d" ] || continue
		mkdir -p "$W/root/$d.upper" "$W/root/$d.work"
		mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/root/$d.upper,workdir=$W/root/$d.work" "/$d" ||
			return 1
	done
	# --no-triggers: man-db's trigger would write /var/cache/man
	out=$(dpkg --log=/dev/null --no-triggers -i \
		"$deb_dir"/bitspeerauth_*.deb \
		"$deb_dir"/samba-bitspeerauth_*.deb 2>&1)
	ok $? "dpkg -i of both packages in the throwaway root" "$(flat "$out")"
	st=$(dpkg-query -W -f='${db:Status-Status} ' bitspeerauth \
		samba-bitspeerauth 2>&1)
	expect_eq "$st" "installed installed " \
		"dpkg knows both as installed (in the throwaway root)"
	unit=/lib/systemd/system/bitspeerauth-ocsp-prefetch.service
	[ -f "$unit" ] &&
	[ ! -e /etc/systemd/system/multi-user.target.wants/${unit##*/} ]
	ok $? "the prefetch unit is installed, not enabled"
	if command -v systemd-analyze >/dev/null; then
		out=$(systemd-analyze verify "$unit" 2>&1)
		ok $? "systemd-analyze verify: the unit is well-formed" \
			"$(flat "$out")"
	fi
	out=$(ldd /usr/bin/bitspeerauth 2>&1)
	expect_match "$(flat "$out")" \
		"libbitspeerauth.so.0 => $(re "/usr/lib/$MA/bitspeerauth/libbitspeerauth.so.0") " \
		"the installed tool finds its private library"
	for f in "/usr/libexec/samba/rpcd_bitspeerauth" \
		 "$SAMBA_MODULES/dcerpc_server/bitspeerauth.so"; do
		out=$(flat "$(ldd "$f" 2>&1)")
		case $out in
		*"not found"*) ok 1 "$f: every library found" "$out" ;;
		*"libbitspeerauth.so.0 => /usr/lib/$MA/bitspeerauth/"*)
			ok 0 "$f: every library found, ours in /usr/lib/$MA/bitspeerauth" ;;
		*) ok 1 "$f: our library from its installed folder" "$out" ;;
		esac
	done

	while IFS= read -r line; do
		[ -n "$line" ] && opts+=(--option "$line")
	done < <(installing_smb_conf_lines)
	expect_eq "${opts[*]}" \
		"--option dcerpc endpoint servers = +bitspeerauth" \
		"the README's smb.conf lines are the ones the DC gets"

	dc=$W/dc
	DC_DIR=$dc
	if ! BPA_MODULE=installed "$HARNESS" start "$dc" --member "${opts[@]}" \
		>"$W/harness.log" 2>&1; then
		ok 1 "a DC starts with the installed module" \
			"$(tail -5 "$W/harness.log" | tr '\n' ' ')"
		return 0
	fi
	ok 0 "a DC starts with the installed module"
	set -a
	# shellcheck source=/dev/null
	. "$dc/env"
	set +a
	out=$(grep -c '^\s*dcerpc endpoint servers' "$BPA_SMBCONF")
	expect_eq "$out" 1 \
		"its smb.conf loads the endpoint once, with the README's line"
	expect_eq "$BPA_MODULE_PATH" "$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" \
		"the harness used the module in Samba's own folder"
	expect_match "$(flat "$(cat "$BPA_LOG")")" \
		"DCERPC endpoint server 'bitspeerauth' registered" \
		"samba registered the installed endpoint server"
	pid=$BPA_SAMBA_PID
	out=$(grep -o '/[^ ]*bitspeerauth[^ /]*\.so[^ /]*$' "/proc/$pid/maps" |
		sort -u)
	same_lines "samba mapped the installed module and library, nothing of the build tree" \
		"$out" "$(printf '%s\n' \
		"/usr/lib/$MA/bitspeerauth/libbitspeerauth.so.0.1.0" \
		"$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" | sort)"

	out=$(installed_exchange 127.0.0.1 "$BPA_DC_FQDN")
	rc=$?
	ok $rc "one exchange by the installed tool, as PEER1\$" \
		"$(printf '%s' "$out" | tail -3 | tr '\n' ' ')"
	expect_match "$(flat "$out")" \
		"server account: ${BPA_DC_NETBIOS}\\\$ $BPA_DC_SID" \
		"it got the DC's certificate (the DC's SID)"
	out=$(/usr/bin/bitspeerauth peers list -s "$BPA_SMBCONF" 2>&1)
	expect_match "$(flat "$out")" "$BPA_PEER1_SID" \
		"the installed tool lists PEER1\$ in the DC's peer table"
	installed_member
	"$HARNESS" stop "$dc" >/dev/null 2>&1
	DC_DIR=""
	rm -rf "$dc"
	return 0
}

if [ "${1:-}" = --installed-run ]; then
	# a child in its own mount namespace: TAP lines numbered after the
	# parent's, its counts left in a file for the parent
	TESTS_RUN=$3
	trap '[ -z "$DC_DIR" ] || "$HARNESS" stop "$DC_DIR" >/dev/null 2>&1
	      echo "$TESTS_RUN $TESTS_FAILED" >"$W/installed.counts"' EXIT
	installed_run "$2" || ok 1 "the throwaway root is set up"
	exit 0
fi

# --- 1. meson install --destdir ---------------------------------------
rm -rf "$W"
mkdir -p "$W/root"
opt() {
	meson introspect "$BPA_BUILD_ROOT" --buildoptions |
		$PY -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin)
	   if o["name"] == sys.argv[1]))' "$1"
}
prefix=$(opt prefix)
libdir=$(opt libdir)
bindir=$(opt bindir)
mandir=$(opt mandir)
libexec=$(opt samba_libexecdir)
version=$(meson introspect "$BPA_BUILD_ROOT" --projectinfo |
	$PY -c 'import json, sys; print(json.load(sys.stdin)["version"])')
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
pkglib=$(abs "$libdir")/bitspeerauth
dd=$W/destdir
out=$(meson install -C "$BPA_BUILD_ROOT" --no-rebuild --destdir "$dd" 2>&1)
ok $? "meson install --destdir succeeds" "$(echo "$out" | tail -3)"
got=$(cd "$dd" && find . ! -type d | sed 's#^\.##' | sort)
want=$(printf '%s\n' \
	"$(abs "$bindir")/bitspeerauth" \
	"$pkglib/libbitspeerauth.so" \
	"$pkglib/libbitspeerauth.so.0" \
	"$pkglib/libbitspeerauth.so.$version" \
	"$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" \
	"$libexec/rpcd_bitspeerauth" \
	"$(abs "$mandir")/man1/bitspeerauth.1" \
	"$(abs "$mandir")/man8/bitspeerauth.8" | sort)
same_lines "exactly the expected files: tool, private library, module in dcerpc_server/, helper in Samba's libexec, man pages (no headers, no .pc)" \
	"$got" "$want"
for f in "$(abs "$bindir")/bitspeerauth" \
	 "$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" \
	 "$libexec/rpcd_bitspeerauth"; do
	rp=$(readelf -d "$dd$f" 2>/dev/null |
		sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
	case ":$rp:" in
	*":$pkglib:"*) case $rp in
		*"$BPA_BUILD_ROOT"*) ok 1 "$f: installed rpath" "$rp" ;;
		*) ok 0 "$f: installed rpath has $pkglib, not the build tree" ;;
		esac ;;
	*) ok 1 "$f: installed rpath" "'$rp' has no $pkglib" ;;
	esac
done
rm -rf "$dd"

# --- 2. the .deb, from a clean clone ----------------------------------
missing=""
for t in dpkg-buildpackage dh lintian fakeroot git; do
	command -v $t >/dev/null || missing="$missing $t"
done
if [ -z "$missing" ] &&
   ! git -C "$BPA_SOURCE_ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	missing=" git checkout"
fi
if [ -n "$missing" ]; then
	why="no$missing (dpkg-dev, debhelper, lintian, git: buildtools/install-deps.sh installs them; the .deb is built from a git clone of HEAD)"
	skip "the .deb builds in a clean clone" "$why"
	skip "dpkg-deb -c contents, Depends, lintian" "$why"
	skip "installed run" "$why"
	dc_done
fi

src=$W/src
git clone --quiet "$BPA_SOURCE_ROOT" "$src"
echo "# building the packages from HEAD $(git -C "$src" rev-parse --short HEAD)"
[ -z "$(git -C "$BPA_SOURCE_ROOT" status --porcelain -- . ':!build*' 2>/dev/null)" ] ||
	echo "# (the working tree has uncommitted changes: they are not in the packages)"
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$W/dpkg-buildpackage.log" 2>&1
rc=$?
echo "# dpkg-buildpackage: $(( $(date +%s) - t0 )) s"
ok $rc "dpkg-buildpackage -us -uc -b in a clean clone" \
	"$(tail -5 "$W/dpkg-buildpackage.log" | tr '\n' ' ')"

deb=$W/bitspeerauth_${version}_$(dpkg --print-architecture).deb
sdeb=$W/samba-bitspeerauth_${version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ] || [ ! -f "$sdeb" ]; then
	ok 1 "both .debs were built" "$(ls "$W")"
	dc_done
fi

# deb_files DEB: its files and links, no folders
deb_files() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { print $6 }' | sed 's#^\.##' | sort
}
same_lines "bitspeerauth.deb: the tool, the private library, bitspeerauth(1), the prefetch unit" \
	"$(deb_files "$deb")" "$(printf '%s\n' /usr/bin/bitspeerauth \
	/lib/systemd/system/bitspeerauth-ocsp-prefetch.service \
	"/usr/lib/$MA/bitspeerauth/libbitspeerauth.so.0" \
	"/usr/lib/$MA/bitspeerauth/libbitspeerauth.so.$version" \
	/usr/share/doc/bitspeerauth/changelog.gz \
	/usr/share/doc/bitspeerauth/copyright \
	/usr/share/lintian/overrides/bitspeerauth \
	/usr/share/man/man1/bitspeerauth.1.gz | sort)"
same_lines "samba-bitspeerauth.deb: the module in Samba's dcerpc_server/, the helper in Samba's libexec, bitspeerauth(8)" \
	"$(deb_files "$sdeb")" "$(printf '%s\n' \
	"$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" \
	/usr/libexec/samba/rpcd_bitspeerauth \
	/usr/share/doc/samba-bitspeerauth/changelog.gz \
	/usr/share/doc/samba-bitspeerauth/copyright \
	/usr/share/lintian/overrides/samba-bitspeerauth \
	/usr/share/man/man8/bitspeerauth.8.gz | sort)"
dep=$(dpkg-deb -f "$deb" Depends 2>&1)
expect_match "$dep" "(^|, )$(re "samba-libs (= $SAMBA_VERSION)")(,|\$)" \
	"bitspeerauth depends on the exact samba-libs it was built against"
dep=$(dpkg-deb -f "$sdeb" Depends 2>&1)
expect_match "$dep" "(^|, )$(re "samba (= $SAMBA_VERSION)")(,|\$)" \
	"samba-bitspeerauth depends on the exact samba build"
expect_match "$dep" "(^|, )$(re "bitspeerauth (= $version)")(,|\$)" \
	"samba-bitspeerauth depends on its own version of the library"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xOf - ./usr/share/doc/bitspeerauth/copyright |
	grep -qx 'License: GPL-3.0-or-later'
ok $? "the copyright file (DEP-5) says GPL-3.0-or-later"

t0=$(date +%s)
lint=$(lintian "$W"/bitspeerauth_*.changes 2>&1 |
	grep -v '^running with root privileges')
echo "# lintian: $(( $(date +%s) - t0 )) s"
errors=$(printf '%s\n' "$lint" | grep -c '^E:')
warnings=$(printf '%s\n' "$lint" | grep -c '^W:')
echo "# lintian: $errors errors, $warnings warnings (overridden ones not counted)"
expect_eq "$errors" 0 "lintian: no errors"
expect_eq "$warnings" 0 "lintian: no warnings (the rest overridden, with reasons)"
[ "$errors$warnings" = 00 ] || printf '%s\n' "$lint" | sed 's/^/# /'

# --- 3. the installed run ---------------------------------------------
if [ "$(id -u)" != 0 ]; then
	skip "installed run" "needs root (mount and network namespaces)"
	dc_done
fi
# host_state: what the host's dpkg says of our packages
host_state() {
	dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' \
		bitspeerauth samba-bitspeerauth 2>/dev/null
}
before=$(host_state)
had_module=no
[ ! -e "$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" ] || had_module=yes
unshare -m --propagation private "$0" --installed-run "$W" "$TESTS_RUN"
if [ -f "$W/installed.counts" ]; then
	read -r TESTS_RUN failed <"$W/installed.counts"
	TESTS_FAILED=$((TESTS_FAILED + failed))
else
	ok 1 "the installed run reported its results"
fi
expect_eq "$(flat "$(host_state)")" "$(flat "$before")" \
	"the host's dpkg database is unchanged (our packages' state)"
now=no
[ ! -e "$SAMBA_MODULES/dcerpc_server/bitspeerauth.so" ] || now=yes
expect_eq "$now" "$had_module" \
	"the host's Samba modules folder is unchanged"
if [ "$TESTS_FAILED" = 0 ]; then
	rm -rf "$W"
fi
dc_done
