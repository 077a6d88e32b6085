#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A throwaway Samba AD DC (realm BPA.TEST, domain BPA) that serves the
# bitspeerauth endpoint, for `make run` and the 'dc' test suite.
#
#   dc-harness.sh start DIR [--model M] [--option 'name = value']...
#   dc-harness.sh stop  DIR
#   dc-harness.sh exec  DIR -- CMD [ARG]...
#   dc-harness.sh kinit DIR ACCOUNT CCACHE
#   dc-harness.sh with  DIR [start options] -- CMD [ARG]...
#
# Nothing on the host is changed:
#  - the domain is provisioned once into a template (BPA_DC_TEMPLATE,
#    default BUILD/dc-template; ~4 s) with an empty smb.conf, so the
#    host's /etc/samba/smb.conf is never read, and copied per DC;
#  - samba runs in a network namespace of its own (bpa-<pid>-<n>) where
#    only lo exists: it cannot reach the host's ports or any network;
#  - our module is loaded through an overlay mount of DIR/overlay over
#    Samba's modules folder, in a private mount namespace that dies
#    with samba.
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
# The process model is --model or BPA_PROCESS_MODEL (default single).
# Extra smb.conf [global] lines: --option or BPA_DC_OPTIONS (one a line).
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
# Bump when the template's content changes.
TEMPLATE_VERSION=5
STOP_GRACE=10		# seconds between TERM and KILL
READY_TIMEOUT=${BPA_DC_READY_TIMEOUT:-60}	# seconds until our endpoint is served

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3	# Debian's, with python3-samba

die() { echo "dc-harness: $*" >&2; exit 1; }
say() { echo "dc-harness: $*" >&2; }

usage() {
	sed -n '4,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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

# An smb.conf for a client peer: its own private and state folders
# (local certificate, client peer table), nothing of the DC's
write_client_smb_conf() {
	local d=$1 name=$2
	mkdir -p "$d/private" "$d/state" "$d/cache" "$d/lock"
	cat >"$d/smb.conf" <<EOF
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
	local dir model opts module build t m ns conf pid port i n
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
		*) die "unknown start option: $1" ;;
		esac
	done
	build=$(build_root "$dir")
	module=${BPA_MODULE:-$build/source/rpc_server/bitspeerauth.so}
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
		"$dir/overlay/dcerpc_server"
	conf_add_global "$conf" "server services = -nbt -wrepl -ntp_signd -dnsupdate -kcc -drepl -s3fs
dcerpc endpoint servers = +bitspeerauth
pid directory = $dir/run
ncalrpc dir = $dir/ncalrpc
winbindd socket directory = $dir/winbindd
ntp signd socket directory = $dir/ntp_signd
log file = $dir/log.samba
max log size = 0
log level = ${BPA_DC_LOG_LEVEL:-1 rpc_srv:3 bitspeerauth:5}
tls enabled = no
$opts"
	cp "$module" "$dir/overlay/dcerpc_server/bitspeerauth.so"
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
	KRB5_CONFIG=$dir/krb5.conf setsid ip netns exec "$ns" \
		unshare -m --propagation private sh -c '
			mount -t overlay overlay -o "lowerdir=$1:$2" "$2" &&
			exec samba -F -M "$3" -s "$4"' \
		sh "$dir/overlay" "$m" "$model" "$conf" \
		</dev/null >"$dir/samba.out" 2>&1 &
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
*) usage ;;
esac
