#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A throwaway Samba AD DC (realm BPA.TEST, domain BPA) that serves the
# bitspeerauth endpoint, for `make run` and the 'dc' test suite.
#
#   dc-harness.sh start DIR [--model M] [--option 'name = value']...
#                           [--member]
#   dc-harness.sh stop  DIR
#   dc-harness.sh exec  DIR -- CMD [ARG]...
#   dc-harness.sh kinit DIR ACCOUNT CCACHE
#   dc-harness.sh with  DIR [start options] -- CMD [ARG]...
#   dc-harness.sh member-start DIR [--option 'name = value']...
#   dc-harness.sh member-stop  DIR
#   dc-harness.sh member-exec  DIR -- CMD [ARG]...
#   dc-harness.sh dc-exec      DIR -- CMD [ARG]...
#
# Nothing on the host is changed:
#  - the domain is provisioned once into a template (BPA_DC_TEMPLATE,
#    default BUILD/dc-template; ~4 s) with an empty smb.conf, so the
#    host's /etc/samba/smb.conf is never read, and copied per DC;
#  - samba runs in a network namespace of its own (bpa-<pid>-<n>) where
#    only lo exists: it cannot reach the host's ports or any network;
#  - our module is loaded through an overlay mount of DIR/overlay over
#    Samba's modules folder, in a private mount namespace that dies
#    with samba;
#  - in that namespace, Samba's default log folder /var/log/samba (where
#    some of its processes log whatever smb.conf says) is DIR/logs.
#
# DIR/env (shell-sourceable) describes a running DC: BPA_NETNS,
# BPA_REALM, BPA_DC_FQDN, BPA_DC_SID (the DC's machine account SID),
# BPA_SMBCONF, KRB5_CONFIG, BPA_BINDING, BPA_PORT (the endpoint's
# dynamic port as the epmapper reports it), BPA_*_PASSWORD, BPA_*_SID,
# BPA_PEER_TABLE, BPA_PEERn_SMBCONF (an smb.conf for client peer n,
# with private and state folders of its own), ...
#
# The module is BPA_MODULE, default BUILD/source/rpc_server/bitspeerauth.so
# where BUILD is BPA_BUILD_ROOT or else the parent of DIR.
# BPA_MODULE=installed: the module installed in Samba's modules folder
# (the package, or meson install), no overlay, and no smb.conf line of
# ours to load it: the caller gives those (--option), e.g. the README's.
# The process model is --model or BPA_PROCESS_MODEL (default single).
# Extra smb.conf [global] lines: --option or BPA_DC_OPTIONS (one a line).
#
# A member host (MS-BPAU 4.1 needs two real hosts): `start --member`
# makes the DC able to take one (its smbd, the s3fs service, for the
# join and the member's winbindd; its own winbindd socket where Samba's
# smbd-side code looks for it, /run/samba/winbindd, in samba's private
# mount namespace), then `member-start` joins MEMBER (member.bpa.test,
# 127.0.0.2, `net ads join`) and runs its winbindd and a standalone
# samba-dcerpcd ("rpc start on demand helpers = no", --libexec-rpcds)
# with our rpcd_bitspeerauth helper, all in the DC's network namespace
# on 127.0.0.2 ("interfaces = 127.0.0.2/8", "bind interfaces only").
# DIR/member holds its smb.conf, private/state/lock/cache folders,
# keytab and logs.  Every member process runs in a private mount
# namespace of its own (member_ns) where:
#  - /etc/resolv.conf names the DC's DNS server (127.0.0.1);
#  - /etc/nsswitch.conf adds winbind to passwd and group, with
#    libnss_winbind from Debian's libnss-winbind package, unpacked into
#    the cache by install-deps.sh, on LD_LIBRARY_PATH (the package
#    itself would edit the host's nsswitch.conf): rpcd_* helpers need a
#    Unix account for each authenticated caller;
#  - /run/samba is DIR/member/run-samba (libwbclient only knows the
#    compiled-in /run/samba/winbindd);
#  - DIR/member/libexec (our helper) is overlaid on Samba's libexec
#    folder, which samba-dcerpcd --libexec-rpcds scans for rpcd_*.
# member-start appends BPA_MEMBER_* lines to DIR/env (member-stop removes
# them); member-exec runs a command as the member host, dc-exec as the
# DC host (exec, and the DC's winbindd at /run/samba/winbindd).  `stop` ends
# the member too.  The helper is BPA_RPCD, default
# BUILD/source/rpc_server/rpcd_bitspeerauth.  BPA_RPCD=installed: the
# helper installed in Samba's libexec folder (the package, or meson
# install), run from there: no DIR/member/libexec, no overlay.
set -euo pipefail

REALM=BPA.TEST
DOMAIN=BPA
# Throwaway secrets of a DC reachable only inside its own namespace.
ADMIN_PASSWORD='Bpa-Admin.Pass1'
PEER1_PASSWORD='Bpa-Peer1.Pass1'
PEER2_PASSWORD='Bpa-Peer2.Pass1'
PEER3_PASSWORD='Bpa-Peer3.Pass1'
PEER4_PASSWORD='Bpa-Peer4.Pass1'
USER_PASSWORD='Bpa-User.Pass1'
IFACE_UUID=e3d0d746-d2af-40fd-8a7a-0d7078bb7092
MEMBER_NETBIOS=MEMBER
MEMBER_ADDR=127.0.0.2
# Bump when the template's content changes.
TEMPLATE_VERSION=5
STOP_GRACE=10		# seconds between TERM and KILL
READY_TIMEOUT=${BPA_DC_READY_TIMEOUT:-60}	# seconds until our endpoint is served

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3	# Debian's, with python3-samba

die() { echo "dc-harness: $*" >&2; exit 1; }
say() { echo "dc-harness: $*" >&2; }

usage() {
	sed -n '4,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

absdir() {
	mkdir -p "$1"
	(cd "$1" && pwd)
}

build_root() {
	local dir=$1
	if [ -n "${BPA_BUILD_ROOT:-}" ]; then
		echo "$BPA_BUILD_ROOT"
	else
		dirname "$dir"
	fi
}

modules_dir() {
	local m
	m=$(samba -b | sed -n 's/^ *MODULESDIR: *//p')
	[ -d "$m" ] || die "cannot find Samba's modules folder"
	echo "$m"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "needs root (network namespace, mounts)"
}

# --- the template: provisioned once, copied per DC -------------------
template_make() {
	local t=$1 tmp=$1.tmp conf out
	rm -rf "$tmp"
	mkdir -p "$tmp"
	: >"$tmp/empty.conf"
	say "provisioning the template domain $REALM in $t (once)"
	samba-tool domain provision -s "$tmp/empty.conf" \
		--targetdir="$tmp" --realm=$REALM --domain=$DOMAIN \
		--adminpass="$ADMIN_PASSWORD" --server-role=dc \
		--dns-backend=SAMBA_INTERNAL --host-ip=127.0.0.1 \
		--option='interfaces = lo' \
		--option='bind interfaces only = yes' \
		--option='dns forwarder = 127.0.0.1' \
		>"$tmp/provision.log" 2>&1 ||
		{ tail -20 "$tmp/provision.log" >&2; die "provision failed"; }
	conf=$tmp/etc/smb.conf
	# Accounts: four computers and one user (offline, on sam.ldb)
	local pw n
	{
		for n in 1 2 3 4; do
			pw=PEER${n}_PASSWORD
			samba-tool computer create PEER$n -s "$conf"
			samba-tool user setpassword "PEER$n\$" \
				--newpassword="${!pw}" -s "$conf"
		done
		samba-tool user create bpauser "$USER_PASSWORD" -s "$conf"
		mkdir -p "$tmp/keytabs"
		for a in 'PEER1$' 'PEER2$' 'PEER3$' 'PEER4$' bpauser; do
			samba-tool domain exportkeytab "$tmp/keytabs/$a.keytab" \
				--principal="$a@$REALM" -s "$conf"
		done
	} >>"$tmp/provision.log" 2>&1 ||
		{ tail -20 "$tmp/provision.log" >&2; die "accounts failed"; }
	# The DC's own identity, for tests to compare with
	local nb sid fqdn dsid
	nb=$(sed -n 's/^\s*netbios name = //p' "$conf")
	out=$(samba-tool computer show "$nb" \
		--attributes=objectSid,dNSHostName -s "$conf" 2>/dev/null)
	sid=$(echo "$out" | sed -n 's/^objectSid: //p')
	fqdn=$(echo "$out" | sed -n 's/^dNSHostName: //p')
	dsid=${sid%-*}
	[ -n "$sid" ] && [ -n "$fqdn" ] || die "cannot read the DC account"
	local a asid
	{
		for a in PEER1 PEER2 PEER3 PEER4 bpauser; do
			if [ $a = bpauser ]; then
				out=$(samba-tool user show $a \
					--attributes=objectSid -s "$conf") || true
			else
				out=$(samba-tool computer show $a \
					--attributes=objectSid -s "$conf") || true
			fi
			asid=$(echo "$out" | sed -n 's/^objectSid: //p')
			[ -n "$asid" ] || die "cannot read the SID of $a"
			[ $a = bpauser ] && a=USER
			printf 'BPA_%s_SID=%q\n' "$a" "$asid"
		done
		printf 'BPA_DC_NETBIOS=%q\n' "$nb"
		printf 'BPA_DC_SID=%q\n' "$sid"
		printf 'BPA_DC_FQDN=%q\n' "$fqdn"
		printf 'BPA_DOMAIN_SID=%q\n' "$dsid"
		printf 'BPA_TEMPLATE_PATH=%q\n' "$tmp"
	} >"$tmp/template.env"
	rm -f "$tmp/empty.conf"
	rm -rf "$t"
	mv "$tmp" "$t"
	echo "$TEMPLATE_VERSION $(samba -V)" >"$t/stamp"
}

template_ensure() {
	local t=$1 want
	want="$TEMPLATE_VERSION $(samba -V)"
	mkdir -p "$(dirname "$t")"
	exec 9>"$t.lock"
	flock 9
	if [ ! -f "$t/stamp" ] || [ "$(cat "$t/stamp")" != "$want" ]; then
		template_make "$t"
	fi
	flock -u 9
	exec 9>&-
}

# --- start ------------------------------------------------------------
write_client_krb5_conf() {
	cat >"$1" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
[realms]
	$REALM = {
		kdc = 127.0.0.1
		admin_server = 127.0.0.1
	}
[domain_realm]
	.${REALM,,} = $REALM
	${REALM,,} = $REALM
EOF
}

# The [global] lines a member of the domain named NAME keeps in DIR
# (the member host and every client peer): who it is, its own folders
member_globals() {
	local d=$1 name=$2
	cat <<EOF
[global]
	workgroup = $DOMAIN
	realm = $REALM
	netbios name = $name
	server role = member server
	security = ads
	private dir = $d/private
	state directory = $d/state
	cache directory = $d/cache
	lock directory = $d/lock
EOF
}

# An smb.conf for a client peer: its own private and state folders
# (local certificate, client peer table), nothing of the DC's
write_client_smb_conf() {
	local d=$1 name=$2
	mkdir -p "$d/private" "$d/state" "$d/cache" "$d/lock"
	{ member_globals "$d" "$name"; cat; } >"$d/smb.conf" <<EOF
	pid directory = $d/lock
	interfaces = lo
	bind interfaces only = yes
	log level = 0
EOF
}

# Add lines to smb.conf's [global] section
conf_add_global() {
	local conf=$1 lines=$2
	awk -v add="$lines" '
		{ print }
		/^\[global\]/ && !done { n = split(add, a, "\n");
			for (i = 1; i <= n; i++) if (a[i] != "")
				print "\t" a[i];
			done = 1 }' "$conf" >"$conf.new"
	mv "$conf.new" "$conf"
}

# The peer table the module uses: "bitspeerauth:peer table" or the
# default of source/util/bpa_config.c (state directory).  Samba's
# state directory option is "state directory".
peer_table_path() {
	local conf=$1 dir=$2 p
	p=$(sed -n 's/^\s*bitspeerauth:peer table\s*=\s*//p' "$conf" | tail -n 1)
	if [ -z "$p" ]; then
		p=$(sed -n 's/^\s*state directory\s*=\s*//p' "$conf" | tail -n 1)
		p=${p:-$dir/state}/bitspeerauth_peers.tdb
	fi
	echo "$p"
}

samba_pid() {
	local dir=$1 p=""
	if [ -s "$dir/run/samba.pid" ]; then
		p=$(tr -dc 0-9 <"$dir/run/samba.pid")
	fi
	if [ -z "$p" ] && [ -s "$dir/samba.launch.pid" ]; then
		p=$(cat "$dir/samba.launch.pid")
	fi
	echo "$p"
}

cmd_start() {
	local dir model opts module build t m ns conf pid port i n member=no
	[ $# -ge 1 ] || usage
	need_root
	dir=$(absdir "$1")
	shift
	model=${BPA_PROCESS_MODEL:-single}
	opts=${BPA_DC_OPTIONS:-}
	while [ $# -gt 0 ]; do
		case $1 in
		--model) model=$2; shift 2 ;;
		--option) opts=$opts$'\n'$2; shift 2 ;;
		--member) member=yes; shift ;;
		*) die "unknown start option: $1" ;;
		esac
	done
	build=$(build_root "$dir")
	module=${BPA_MODULE:-$build/source/rpc_server/bitspeerauth.so}
	local overlay=$dir/overlay load="dcerpc endpoint servers = +bitspeerauth"
	if [ "$module" = installed ]; then
		module=$(modules_dir)/dcerpc_server/bitspeerauth.so
		[ -f "$module" ] ||
			die "BPA_MODULE=installed: $module is not installed"
		overlay=""
		load=""
	fi
	[ -f "$module" ] || die "module not found: $module (build first)"
	if [ -f "$dir/env" ]; then
		pid=$(samba_pid "$dir")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			die "a DC already runs in $dir (pid $pid)"
		fi
		cmd_stop "$dir" >/dev/null 2>&1 || true
	fi

	t=${BPA_DC_TEMPLATE:-$build/dc-template}
	template_ensure "$t"

	# A private copy of the template, in a folder that is empty or ours
	if [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/template.env" ]; then
		die "$dir is not empty and not a DC folder: refusing to clear it"
	fi
	find "$dir" -mindepth 1 -delete
	cp -a "$t/." "$dir/"
	rm -f "$dir/stamp"
	# shellcheck source=/dev/null
	. "$dir/template.env"
	conf=$dir/etc/smb.conf
	sed -i "s#$BPA_TEMPLATE_PATH#$dir#g" "$conf"
	mkdir -p "$dir/run" "$dir/ncalrpc" "$dir/winbindd" "$dir/ntp_signd" \
		"$dir/overlay/dcerpc_server" "$dir/logs"
	# --member: smbd too ("+" adds to the list above it)
	local s3fs=""
	[ $member = no ] || s3fs="server services = +s3fs"
	conf_add_global "$conf" "server services = -nbt -wrepl -ntp_signd -dnsupdate -kcc -drepl -s3fs
$s3fs
$load
pid directory = $dir/run
ncalrpc dir = $dir/ncalrpc
winbindd socket directory = $dir/winbindd
ntp signd socket directory = $dir/ntp_signd
log file = $dir/log.samba
max log size = 0
log level = ${BPA_DC_LOG_LEVEL:-1 rpc_srv:3 bitspeerauth:5}
tls enabled = no
$opts"
	[ -z "$overlay" ] ||
		cp "$module" "$overlay/dcerpc_server/bitspeerauth.so"
	write_client_krb5_conf "$dir/krb5.conf"
	for n in 1 2 3 4; do
		write_client_smb_conf "$dir/clients/PEER$n" PEER$n
	done

	# The network namespace: lo only
	ns="bpa-$$-$RANDOM"
	while ip netns list | grep -qw "$ns"; do
		ns="bpa-$$-$RANDOM"
	done
	ip netns add "$ns"
	echo "$ns" >"$dir/netns"
	ip netns exec "$ns" ip link set lo up

	m=$(modules_dir)
	# samba -F: foreground, no daemon; stdin is not watched (-i would
	# exit on EOF).  setsid: a ^C in the terminal reaches the harness
	# (which stops samba in order), not samba directly.
	# --member: the DC's smbd finds its winbindd at the compiled-in
	# /run/samba/winbindd (a tmpfs over /run/samba, only in here)
	[ $member = no ] || [ -d /run/samba ] || mkdir -p /run/samba
	[ -d /var/log/samba ] || mkdir -p /var/log/samba
	KRB5_CONFIG=$dir/krb5.conf setsid ip netns exec "$ns" \
		unshare -m --propagation private sh -c '
			{ [ -z "$1" ] ||
			  mount -t overlay overlay -o "lowerdir=$1:$2" "$2"; } &&
			mount --bind "$7" /var/log/samba &&
			if [ "$5" = yes ]; then
				mount -t tmpfs -o mode=0755 tmpfs /run/samba &&
				mkdir /run/samba/winbindd &&
				mount --bind "$6" /run/samba/winbindd
			fi &&
			exec samba -F -M "$3" -s "$4"' \
		sh "$overlay" "$m" "$model" "$conf" "$member" \
		"$dir/winbindd" "$dir/logs" </dev/null >"$dir/samba.out" 2>&1 &
	echo $! >"$dir/samba.launch.pid"

	# Wait until the epmapper reports our endpoint
	port=""
	for ((i = 0; i < READY_TIMEOUT * 4; i++)); do
		pid=$(samba_pid "$dir")
		if ! kill -0 "$(cat "$dir/samba.launch.pid")" 2>/dev/null &&
		   ! { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }; then
			say "samba exited; its log:"
			tail -25 "$dir/log.samba" "$dir/samba.out" >&2 || true
			cmd_stop "$dir" >/dev/null 2>&1 || true
			die "samba did not start"
		fi
		port=$(ip netns exec "$ns" $PY "$HERE/epm-lookup.py" "$conf" \
			$IFACE_UUID 2>/dev/null) || port=""
		[ -n "$port" ] && break
		sleep 0.25
	done
	if [ -z "$port" ]; then
		tail -25 "$dir/log.samba" >&2 || true
		cmd_stop "$dir" >/dev/null 2>&1 || true
		die "the endpoint was not registered within ${READY_TIMEOUT}s"
	fi

	{
		printf 'BPA_DIR=%q\n' "$dir"
		printf 'BPA_NETNS=%q\n' "$ns"
		printf 'BPA_REALM=%q\n' "$REALM"
		printf 'BPA_DOMAIN=%q\n' "$DOMAIN"
		printf 'BPA_DC_NETBIOS=%q\n' "$BPA_DC_NETBIOS"
		printf 'BPA_DC_FQDN=%q\n' "$BPA_DC_FQDN"
		printf 'BPA_DC_SID=%q\n' "$BPA_DC_SID"
		printf 'BPA_DOMAIN_SID=%q\n' "$BPA_DOMAIN_SID"
		printf 'BPA_PEER1_SID=%q\n' "$BPA_PEER1_SID"
		printf 'BPA_PEER2_SID=%q\n' "$BPA_PEER2_SID"
		printf 'BPA_PEER3_SID=%q\n' "$BPA_PEER3_SID"
		printf 'BPA_PEER4_SID=%q\n' "$BPA_PEER4_SID"
		printf 'BPA_USER_SID=%q\n' "$BPA_USER_SID"
		printf 'BPA_PEER_TABLE=%q\n' "$(peer_table_path "$conf" "$dir")"
		printf 'BPA_SMBCONF=%q\n' "$conf"
		printf 'KRB5_CONFIG=%q\n' "$dir/krb5.conf"
		printf 'BPA_IFACE_UUID=%q\n' "$IFACE_UUID"
		printf 'BPA_PORT=%q\n' "$port"
		printf 'BPA_BINDING=%q\n' \
			"ncacn_ip_tcp:127.0.0.1[krb5,sign,target_hostname=$BPA_DC_FQDN]"
		printf 'BPA_BINDING_SEAL=%q\n' \
			"ncacn_ip_tcp:127.0.0.1[krb5,seal,target_hostname=$BPA_DC_FQDN]"
		printf 'BPA_ADMIN_PASSWORD=%q\n' "$ADMIN_PASSWORD"
		printf 'BPA_PEER1_PASSWORD=%q\n' "$PEER1_PASSWORD"
		printf 'BPA_PEER2_PASSWORD=%q\n' "$PEER2_PASSWORD"
		printf 'BPA_PEER3_PASSWORD=%q\n' "$PEER3_PASSWORD"
		printf 'BPA_PEER4_PASSWORD=%q\n' "$PEER4_PASSWORD"
		for n in 1 2 3 4; do
			printf 'BPA_PEER%s_SMBCONF=%q\n' $n \
				"$dir/clients/PEER$n/smb.conf"
		done
		printf 'BPA_USER=%q\n' bpauser
		printf 'BPA_USER_PASSWORD=%q\n' "$USER_PASSWORD"
		printf 'BPA_KEYTABS=%q\n' "$dir/keytabs"
		printf 'BPA_LOG=%q\n' "$dir/log.samba"
		printf 'BPA_PROCESS_MODEL=%q\n' "$model"
		printf 'BPA_SAMBA_PID=%q\n' "$(samba_pid "$dir")"
		printf 'BPA_MEMBER_CAPABLE=%q\n' "$member"
		printf 'BPA_MODULE_PATH=%q\n' "$module"
	} >"$dir/env.new"
	mv "$dir/env.new" "$dir/env"
	say "DC $BPA_DC_FQDN up in netns $ns (model $model), endpoint port $port"
}

# --- stop ---------------------------------------------------------------
cmd_stop() {
	local dir pid ns p i left
	[ $# -eq 1 ] || usage
	need_root
	[ -d "$1" ] || return 0
	dir=$(cd "$1" && pwd)
	ns=""
	[ -f "$dir/netns" ] && ns=$(cat "$dir/netns")
	pid=$(samba_pid "$dir")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < STOP_GRACE * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			say "samba $pid ignored TERM for ${STOP_GRACE}s: KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	if [ -n "$ns" ] && ip netns list | grep -qw "$ns"; then
		# What is left in the namespace was started by us (samba's
		# children, commands run with `exec`).
		for sig in TERM KILL; do
			left=$(ip netns pids "$ns" 2>/dev/null || true)
			[ -n "$left" ] || break
			for p in $left; do
				kill -$sig "$p" 2>/dev/null || true
			done
			for ((i = 0; i < 30; i++)); do
				[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
				sleep 0.1
			done
		done
		ip netns del "$ns"
	fi
	# The overlay lives in samba's private mount namespace; make sure
	# nothing of it is visible here.
	if grep -qs " ${dir//\//\\/}" /proc/self/mounts; then
		grep " $dir" /proc/self/mounts | awk '{print $2}' |
			sort -r | xargs -r -n1 umount -l || true
	fi
	rm -f "$dir/env" "$dir/netns" "$dir/samba.launch.pid"
	say "stopped the DC in $dir"
}

# --- the member host -----------------------------------------------------
member_dir() {
	echo "$1/member"
}

# member_ns [--exec] DIR CMD...: CMD as the member host (see the top of
# this file); --exec: in place of this shell
member_ns() {
	local dir m ex=""
	[ "$1" != --exec ] || { ex=exec; shift; }
	dir=$1
	shift
	m=$(member_dir "$dir")
	$ex ip netns exec "$(cat "$dir/netns")" \
		unshare -m --propagation private sh -c '
		m=$1; lx=$2; shift 2
		mount --bind "$m/resolv.conf" /etc/resolv.conf &&
		mount --bind "$m/nsswitch.conf" /etc/nsswitch.conf &&
		mount --bind "$m/run-samba" /run/samba &&
		mount --bind "$m/logs" /var/log/samba &&
		{ [ ! -d "$m/libexec" ] ||
		  mount -t overlay overlay -o "lowerdir=$m/libexec:$lx" "$lx"
		} || exit 99
		export LD_LIBRARY_PATH="$m/nsslib"
		export KRB5_CONFIG="$m/krb5.conf"
		export KRB5_KTNAME="FILE:$m/private/krb5.keytab"
		exec "$@"' sh "$m" "$LIBEXEC_DIR" "$@"
}

# Samba's libexec folder (samba -b has no LIBEXECDIR in 4.17)
LIBEXEC_DIR=/usr/libexec/samba

write_member_smb_conf() {
	local m=$1 opts=$2
	{ member_globals "$m" "$MEMBER_NETBIOS"; cat; } >"$m/smb.conf" <<EOC
	pid directory = $m/run
	ncalrpc dir = $m/ncalrpc
	max log size = 0
	log level = ${BPA_MEMBER_LOG_LEVEL:-1 rpc_srv:3 bitspeerauth:5}
	interfaces = $MEMBER_ADDR/8
	bind interfaces only = yes
	disable netbios = yes
	kerberos method = dedicated keytab
	dedicated keytab file = FILE:$m/private/krb5.keytab
	idmap config * : backend = tdb
	idmap config * : range = 100000-199999
	idmap config $DOMAIN : backend = rid
	idmap config $DOMAIN : range = 200000-299999
	rpc start on demand helpers = no
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes
EOC
	if [ -n "$opts" ]; then
		printf '%s\n' "$opts" | sed '/^$/d; s/^/\t/' >>"$m/smb.conf"
	fi
}

# pid of a member daemon from its launch pid file
member_pid() {
	local f=$1
	[ -s "$f" ] && cat "$f"
}

# member_wait SECONDS DESCRIPTION CMD...: until CMD succeeds
member_wait() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 4; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	say "$what: not ready within ${secs}s"
	return 1
}

cmd_member_start() {
	local dir m rpcd nss opts="" build port sid out f i
	[ $# -ge 1 ] || usage
	need_root
	dir=$(cd "$1" && pwd)
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--option) opts=$opts$'\n'$2; shift 2 ;;
		*) die "unknown member-start option: $1" ;;
		esac
	done
	load_env "$dir"
	[ "${BPA_MEMBER_CAPABLE:-no}" = yes ] ||
		die "the DC in $dir was not started with --member"
	build=$(build_root "$dir")
	rpcd=${BPA_RPCD:-$build/source/rpc_server/rpcd_bitspeerauth}
	local lxdir=libexec
	if [ "$rpcd" = installed ]; then
		rpcd=$LIBEXEC_DIR/rpcd_bitspeerauth
		[ -x "$rpcd" ] ||
			die "BPA_RPCD=installed: $rpcd is not installed"
		lxdir=""
	fi
	[ -x "$rpcd" ] || die "helper not found: $rpcd (build first)"
	nss=$("$HERE/install-deps.sh" --nss-winbind | tail -n 1) ||
		die "no libnss_winbind (install-deps.sh --nss-winbind)"
	m=$(member_dir "$dir")
	[ ! -f "$m/samba-dcerpcd.launch.pid" ] ||
		cmd_member_stop "$dir" >/dev/null 2>&1 || true
	rm -rf "$m"
	mkdir -p "$m"/{private,state,cache,lock,run,ncalrpc,nsslib,logs}
	mkdir -p -m 0755 "$m/run-samba/winbindd"
	write_member_smb_conf "$m" "$opts"
	if [ -n "$lxdir" ]; then
		mkdir -p "$m/$lxdir"
		cp "$rpcd" "$m/$lxdir/rpcd_bitspeerauth"
	fi
	cp "$nss/libnss_winbind.so.2" "$m/nsslib/"
	echo "nameserver 127.0.0.1" >"$m/resolv.conf"
	sed -e 's/^\(passwd\|group\):.*/\1: files winbind/' \
		/etc/nsswitch.conf >"$m/nsswitch.conf"
	grep -q '^passwd:' "$m/nsswitch.conf" ||
		printf 'passwd: files winbind\ngroup: files winbind\n' \
			>>"$m/nsswitch.conf"
	cp "$dir/krb5.conf" "$m/krb5.conf"

	# DNS: the provision (--host-ip=127.0.0.1) made no A record for
	# the DC; the member finds the DC through its SRV records
	for f in "${BPA_DC_NETBIOS,,} A 127.0.0.1" \
		 "${MEMBER_NETBIOS,,} A $MEMBER_ADDR"; do
		# shellcheck disable=SC2086
		out=$(ip netns exec "$BPA_NETNS" samba-tool dns add \
			127.0.0.1 "${REALM,,}" $f \
			-U "Administrator%$ADMIN_PASSWORD" \
			-s "$BPA_SMBCONF" 2>&1) ||
			case $out in
			*"already exists"*) ;;	# a member started before
			*) echo "$out" >&2; die "dns add $f failed" ;;
			esac
	done

	# The join (net ads: a DNS host name, a keytab; ~2 s)
	member_ns "$dir" net ads join -s "$m/smb.conf" \
		-U "Administrator%$ADMIN_PASSWORD" --no-dns-updates \
		>>"$m/join.log" 2>&1 ||
		{ tail -5 "$m/join.log" >&2; die "net ads join failed"; }
	member_ns "$dir" net ads keytab create -P -s "$m/smb.conf" \
		>>"$m/join.log" 2>&1 ||
		{ tail -5 "$m/join.log" >&2; die "net ads keytab failed"; }

	setsid "${BASH_SOURCE[0]}" member-exec "$dir" -- \
		winbindd -F --no-process-group -s "$m/smb.conf" </dev/null >"$m/winbindd.out" 2>&1 &
	echo $! >"$m/winbindd.launch.pid"
	member_wait 30 "the member's winbindd" \
		member_ns "$dir" wbinfo --ping-dc ||
		{ cmd_member_stop "$dir" >/dev/null 2>&1; die "no winbindd"; }

	setsid "${BASH_SOURCE[0]}" member-exec "$dir" -- \
		"$LIBEXEC_DIR/samba-dcerpcd" -F \
		--libexec-rpcds -s "$m/smb.conf" \
		</dev/null >"$m/samba-dcerpcd.out" 2>&1 &
	echo $! >"$m/samba-dcerpcd.launch.pid"

	# until the member's epmapper maps our interface
	port=""
	for ((i = 0; i < READY_TIMEOUT * 4; i++)); do
		kill -0 "$(cat "$m/samba-dcerpcd.launch.pid")" 2>/dev/null || {
			tail -20 "$m/samba-dcerpcd.out" \
				"$m/logs/log.samba-dcerpcd" >&2 || true
			cmd_member_stop "$dir" >/dev/null 2>&1
			die "samba-dcerpcd exited"
		}
		port=$(ip netns exec "$BPA_NETNS" $PY "$HERE/epm-lookup.py" \
			--host "$MEMBER_ADDR" "$m/smb.conf" $IFACE_UUID \
			2>/dev/null) || port=""
		[ -n "$port" ] && break
		sleep 0.25
	done
	if [ -z "$port" ]; then
		tail -20 "$m/logs/log.samba-dcerpcd" >&2 || true
		cmd_member_stop "$dir" >/dev/null 2>&1
		die "the member's endpoint was not registered within" \
			"${READY_TIMEOUT}s"
	fi

	out=$(samba-tool computer show "$MEMBER_NETBIOS" \
		--attributes=objectSid,dNSHostName -s "$BPA_SMBCONF" \
		2>/dev/null) || true
	sid=$(echo "$out" | sed -n 's/^objectSid: //p')
	[ -n "$sid" ] || { cmd_member_stop "$dir" >/dev/null 2>&1;
		die "cannot read the SID of $MEMBER_NETBIOS\$"; }
	local fqdn=${MEMBER_NETBIOS,,}.${REALM,,}
	{
		grep -v '^BPA_MEMBER_' "$dir/env" || true
		printf 'BPA_MEMBER_CAPABLE=yes\n'
		printf 'BPA_MEMBER_DIR=%q\n' "$m"
		printf 'BPA_MEMBER_NETBIOS=%q\n' "$MEMBER_NETBIOS"
		printf 'BPA_MEMBER_FQDN=%q\n' "$fqdn"
		printf 'BPA_MEMBER_ADDR=%q\n' "$MEMBER_ADDR"
		printf 'BPA_MEMBER_SID=%q\n' "$sid"
		printf 'BPA_MEMBER_RPCD=%q\n' "$rpcd"
		printf 'BPA_MEMBER_SMBCONF=%q\n' "$m/smb.conf"
		printf 'BPA_MEMBER_KEYTAB=%q\n' "$m/private/krb5.keytab"
		printf 'BPA_MEMBER_KRB5_CONFIG=%q\n' "$m/krb5.conf"
		printf 'BPA_MEMBER_PORT=%q\n' "$port"
		printf 'BPA_MEMBER_BINDING=%q\n' \
			"ncacn_ip_tcp:$MEMBER_ADDR[krb5,sign,target_hostname=$fqdn]"
		printf 'BPA_MEMBER_BINDING_SEAL=%q\n' \
			"ncacn_ip_tcp:$MEMBER_ADDR[krb5,seal,target_hostname=$fqdn]"
		printf 'BPA_MEMBER_PEER_TABLE=%q\n' \
			"$(peer_table_path "$m/smb.conf" "$m")"
		printf 'BPA_MEMBER_CLIENT_PEER_TABLE=%q\n' \
			"$m/state/bitspeerauth_client_peers.tdb"
		printf 'BPA_MEMBER_LOG=%q\n' "$m/logs/log.rpcd_bitspeerauth"
		printf 'BPA_MEMBER_LOGS=%q\n' "$m/logs"
	} >"$dir/env.new"
	mv "$dir/env.new" "$dir/env"
	say "member $fqdn ($sid) up on $MEMBER_ADDR, endpoint port $port"
}

# TERM the process group a launch pid file names, KILL after a grace
member_kill() {
	local f=$1 pid i
	pid=$(member_pid "$f") || return 0
	[ -n "$pid" ] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || true
	for ((i = 0; i < STOP_GRACE * 10; i++)); do
		kill -0 -- "-$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -f "$f"
}

cmd_member_stop() {
	local dir m
	[ $# -eq 1 ] || usage
	need_root
	[ -d "$1" ] || return 0
	dir=$(cd "$1" && pwd)
	m=$(member_dir "$dir")
	[ -d "$m" ] || return 0
	member_kill "$m/samba-dcerpcd.launch.pid"
	member_kill "$m/winbindd.launch.pid"
	if [ -f "$dir/env" ]; then
		grep -v '^BPA_MEMBER_' "$dir/env" >"$dir/env.new" || true
		echo "BPA_MEMBER_CAPABLE=yes" >>"$dir/env.new"
		mv "$dir/env.new" "$dir/env"
	fi
	say "stopped the member in $dir"
}

cmd_dc_exec() {
	local dir
	[ $# -ge 3 ] && [ "$2" = "--" ] || usage
	need_root
	dir=$(cd "$1" && pwd)
	shift 2
	load_env "$dir"
	[ "${BPA_MEMBER_CAPABLE:-no}" = yes ] ||
		die "the DC in $dir was not started with --member"
	exec ip netns exec "$BPA_NETNS" unshare -m --propagation private \
		sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /run/samba &&
		mkdir /run/samba/winbindd &&
		mount --bind "$1" /run/samba/winbindd || exit 99
		shift
		exec "$@"' sh "$dir/winbindd" "$@"
}

cmd_member_exec() {
	local dir
	[ $# -ge 3 ] && [ "$2" = "--" ] || usage
	need_root
	dir=$(cd "$1" && pwd)
	shift 2
	load_env "$dir"
	[ -f "$(member_dir "$dir")/smb.conf" ] || die "no member in $dir"
	member_ns --exec "$dir" "$@"
}

# --- exec, kinit, with ---------------------------------------------------
load_env() {
	local dir=$1
	[ -f "$dir/env" ] || die "no DC running in $dir"
	set -a
	# shellcheck source=/dev/null
	. "$dir/env"
	set +a
}

cmd_exec() {
	local dir
	[ $# -ge 3 ] && [ "$2" = "--" ] || usage
	need_root
	dir=$(cd "$1" && pwd)
	shift 2
	load_env "$dir"
	exec ip netns exec "$BPA_NETNS" "$@"
}

cmd_kinit() {
	local dir account ccache kt princ
	[ $# -eq 3 ] || usage
	need_root
	dir=$(cd "$1" && pwd)
	account=$2
	ccache=$3
	load_env "$dir"
	kt=$BPA_KEYTABS/$account.keytab
	[ -f "$kt" ] || kt=$BPA_KEYTABS/$account\$.keytab
	[ -f "$kt" ] || die "no keytab for $account in $BPA_KEYTABS"
	princ=$(basename "$kt" .keytab)@$BPA_REALM
	ip netns exec "$BPA_NETNS" kinit -k -t "$kt" -c "$ccache" "$princ"
}

cmd_with() {
	local dir rc=0
	local -a sopts=()
	[ $# -ge 3 ] || usage
	dir=$(absdir "$1")
	shift
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		sopts+=("$1")
		shift
	done
	[ "${1:-}" = "--" ] && [ $# -ge 2 ] || usage
	shift
	trap 'cmd_stop "$dir" >/dev/null 2>&1 || true' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cmd_start "$dir" "${sopts[@]}"
	load_env "$dir"
	ip netns exec "$BPA_NETNS" "$@" || rc=$?
	exit $rc
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
exec) cmd_exec "$@" ;;
kinit) cmd_kinit "$@" ;;
with) cmd_with "$@" ;;
member-start) cmd_member_start "$@" ;;
member-stop) cmd_member_stop "$@" ;;
member-exec) cmd_member_exec "$@" ;;
dc-exec) cmd_dc_exec "$@" ;;
*) usage ;;
esac
