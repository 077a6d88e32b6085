#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Idempotent dependency installer for bitspeerauth (Debian 12 only).
#
#  1. installs the Debian packages the build, the DC harness and the
#     tests need (apt-get, only when one is missing);
#  2. fetches Samba's pidl from Debian's own "samba" source package (the
#     version matching the installed samba-dev) into a cache, once, with
#     the one uninstalled header the rpcd_ helper needs
#     (source3/rpc_server/rpc_worker.h, as Samba's own helpers use it).
#
# Prints nothing but progress on stderr; on success the last line on
# stdout is the path of the pidl script.  PIDL=/path/to/pidl skips step 2.
#
# --pidl-only: only step 2 (used by meson).
# --pidl-cached: only print the cached pidl's path (or fail saying how to
#   fill the cache); installs and fetches nothing (debian/rules: a
#   package build never reaches the network).
# --nss-winbind: only step 3: Debian's libnss-winbind of the installed
#   samba's version, unpacked (not installed: its postinst would edit
#   the host's /etc/nsswitch.conf) into the cache, once; prints the
#   folder holding libnss_winbind.so.2 (the harness's member host).
#
# Cache: $BPA_CACHE_DIR, default /var/cache/bitspeerauth (root) or
# ${XDG_CACHE_HOME:-$HOME/.cache}/bitspeerauth.

set -eu

pidl_only=false
nss_only=false
cached_only=false
[ "${1:-}" = "--pidl-only" ] && pidl_only=true
[ "${1:-}" = "--pidl-cached" ] && cached_only=true
[ "${1:-}" = "--nss-winbind" ] && nss_only=true

PACKAGES="samba samba-dev samba-testsuite python3-samba python3-impacket
libgnutls28-dev libgmp-dev gnutls-bin libcmocka-dev libtdb-dev tdb-tools libpopt-dev
libwbclient-dev libtalloc-dev libtevent-dev meson ninja-build pkg-config
krb5-user libparse-yapp-perl iproute2 util-linux valgrind strace gcc make
clang libclang-rt-14-dev libcurl4-gnutls-dev openssl python3-cryptography
xsltproc docbook-xsl docbook-xml libxml2-utils man-db
dpkg-dev debhelper fakeroot lintian git"

log() { echo "install-deps: $*" >&2; }

missing=""
$pidl_only && PACKAGES="libparse-yapp-perl"
$cached_only && PACKAGES=""
$nss_only && PACKAGES="samba"
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		log "missing packages:$missing (run as root)"
		exit 1
	fi
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Wait for another apt (a parallel build) instead of failing.
	lock='-o DPkg::Lock::Timeout=600'
	apt-get $lock install -y $missing >&2 || {
		apt-get $lock update >&2
		apt-get $lock install -y $missing >&2
	}
fi

if [ -n "${PIDL:-}" ]; then
	[ -f "$PIDL" ] || { log "PIDL=$PIDL does not exist"; exit 1; }
	echo "$PIDL"
	exit 0
fi

if [ -z "${BPA_CACHE_DIR:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		BPA_CACHE_DIR=/var/cache/bitspeerauth
	else
		BPA_CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/bitspeerauth
	fi
fi

if $nss_only; then
	ver=$(dpkg-query -W -f='${Version}' samba)
	arch=$(dpkg --print-architecture)
	dest="$BPA_CACHE_DIR/nss-winbind-$(echo "$ver" | tr ':+~' '___')"
	lib=$(ls "$dest"/lib/*/libnss_winbind.so.2 2>/dev/null | head -n 1)
	if [ -z "$lib" ]; then
		log "fetching libnss-winbind $ver (unpacked, not installed)"
		tmp="$dest.tmp.$$"
		rm -rf "$tmp"
		mkdir -p "$tmp/deb"
		(cd "$tmp/deb" &&
		 apt-get download "libnss-winbind:$arch=$ver") >&2 ||
			{ rm -rf "$tmp"; log "cannot fetch libnss-winbind"; exit 1; }
		dpkg-deb -x "$tmp"/deb/*.deb "$tmp/root"
		mkdir -p "$tmp/lib"
		find "$tmp/root" -name 'libnss_winbind.so.2' \
			-exec cp {} "$tmp/lib/" \;
		[ -f "$tmp/lib/libnss_winbind.so.2" ] ||
			{ rm -rf "$tmp"; log "no libnss_winbind.so.2"; exit 1; }
		rm -rf "$tmp/deb" "$tmp/root" "$dest"
		mkdir -p "$tmp/lib/$arch"
		mv "$tmp/lib/libnss_winbind.so.2" "$tmp/lib/$arch/"
		mv "$tmp" "$dest"
	fi
	dirname "$(ls "$dest"/lib/*/libnss_winbind.so.2 | head -n 1)"
	exit 0
fi

ver=$(dpkg-query -W -f='${Version}' samba-dev)
# the upstream part of the version, e.g. 2:4.17.12+dfsg-0+deb12u1 -> 4.17.12
upver=$(echo "$ver" | sed -e 's/^[0-9]*://' -e 's/[+~-].*$//')
dest="$BPA_CACHE_DIR/samba-src-$(echo "$ver" | tr ':+~' '___')"
pidl="$dest/pidl/pidl"
if [ -f "$pidl" ] && [ -f "$dest/librpc/idl/idl_types.h" ] &&
   [ -f "$dest/source3/rpc_server/rpc_worker.h" ]; then
	echo "$pidl"
	exit 0
fi
if $cached_only; then
	log "no cached pidl for samba $ver in $dest:" \
		"run buildtools/install-deps.sh first, or set PIDL=..."
	exit 1
fi

log "fetching pidl from Debian's samba $ver source package"
S="$BPA_CACHE_DIR/apt-src"
mkdir -p "$S/parts" "$S/lists/partial" "$S/archives/partial"
# The system's own Debian entries, as deb-src: no host is written here.
: > "$S/parts/src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed 's/^Types:.*$/Types: deb-src/' "$f" >> "$S/parts/src.sources"
	echo >> "$S/parts/src.sources"
done
if [ -f /etc/apt/sources.list ]; then
	grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
		> "$S/parts/src.list" || true
fi
O="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$S/parts
-o Dir::State::Lists=$S/lists -o Dir::Cache::Archives=$S/archives"
# shellcheck disable=SC2086
apt-get $O update >&2
rm -f "$S"/samba_*
# shellcheck disable=SC2086
(cd "$S" && apt-get $O source --download-only "samba=$ver") >&2
tarball=$(ls "$S"/samba_*.orig.tar.* | head -n 1)
tmp="$dest.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
tar -xf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
	'samba-*/pidl/*' 'samba-*/librpc/idl/idl_types.h' \
	'samba-*/source3/rpc_server/rpc_worker.h' >&2
rm -rf "$dest"
mv "$tmp" "$dest"
rm -f "$S"/samba_*
log "pidl (samba $upver) cached in $dest"
echo "$pidl"
