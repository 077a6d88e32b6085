#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Idempotent dependency installer for bitspeerauth (Debian 12 only).
#
#  1. installs the Debian packages the build, the DC harness and the
#     tests need (apt-get, only when one is missing);
#  2. fetches Samba's pidl from Debian's own "samba" source package (the
#     version matching the installed samba-dev) into a cache, once.
#
# Prints nothing but progress on stderr; on success the last line on
# stdout is the path of the pidl script.  PIDL=/path/to/pidl skips step 2.
#
# --pidl-only: only step 2 (used by meson).
#
# Cache: $BPA_CACHE_DIR, default /var/cache/bitspeerauth (root) or
# ${XDG_CACHE_HOME:-$HOME/.cache}/bitspeerauth.

set -eu

pidl_only=false
[ "${1:-}" = "--pidl-only" ] && pidl_only=true

PACKAGES="samba samba-dev samba-testsuite python3-samba python3-impacket
libgnutls28-dev libgmp-dev gnutls-bin libcmocka-dev libtdb-dev tdb-tools libpopt-dev
libwbclient-dev libtalloc-dev libtevent-dev meson ninja-build pkg-config
krb5-user libparse-yapp-perl iproute2 util-linux valgrind gcc make
clang libclang-rt-14-dev libcurl4-gnutls-dev openssl python3-cryptography
xsltproc docbook-xsl docbook-xml libxml2-utils man-db
dpkg-dev debhelper fakeroot lintian"

log() { echo "install-deps: $*" >&2; }

missing=""
$pidl_only && PACKAGES="libparse-yapp-perl"
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

ver=$(dpkg-query -W -f='${Version}' samba-dev)
# the upstream part of the version, e.g. 2:4.17.12+dfsg-0+deb12u1 -> 4.17.12
upver=$(echo "$ver" | sed -e 's/^[0-9]*://' -e 's/[+~-].*$//')
dest="$BPA_CACHE_DIR/samba-src-$(echo "$ver" | tr ':+~' '___')"
pidl="$dest/pidl/pidl"
if [ -f "$pidl" ] && [ -f "$dest/librpc/idl/idl_types.h" ]; then
	echo "$pidl"
	exit 0
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
	'samba-*/pidl/*' 'samba-*/librpc/idl/idl_types.h' >&2
rm -rf "$dest"
mv "$tmp" "$dest"
rm -f "$S"/samba_*
log "pidl (samba $upver) cached in $dest"
echo "$pidl"
