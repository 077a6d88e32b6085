#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Issue 17: a certificate and key the administrator configured
# ("bitspeerauth:certificate file", "key file") are used as they are or
# refused, never created, renewed or rewritten.  A CA-issued RSA 3072
# certificate (certtool: a CA, a leaf with CN = the DC's machine SID,
# the file holding the leaf then the CA) is served as the DC's
# CERTIFICATE_BLOB and both files are byte for byte unchanged after the
# exchange and after samba restarts.  Before that, on the same DC (the
# certificate is loaded at samba's start and tried again at each call
# while it is refused): no files, a CN that is not the machine SID, an expired
# certificate and a key that does not match are each refused with
# E_FAIL, their reason in the log, and the files unchanged.
. "$(dirname "$0")/dc_lib.sh"

W=$BPA_BUILD_ROOT/tests/integration/localcert-$$
rm -rf "$W"
mkdir -p "$W"
CERT=$W/machine-cert.pem
KEY=$W/machine-key.pem
trap 'dc_cleanup; rm -rf "$W"' EXIT

start() {
	dc_start localcert --option "bitspeerauth:certificate file = $CERT" \
		--option "bitspeerauth:key file = $KEY"
	trap 'dc_cleanup; rm -rf "$W"' EXIT
}

start
EFAIL="status=NT_STATUS_OK hresult=0x80004005 server_key_length=0"

exchange() {	# exchange OUT: PEER1$ sends its blob, the reply to OUT
	local cc
	cc=$(dc_kinit 'PEER1$')
	call -s "$BPA_PEER1_SMBCONF" --binding "$BPA_BINDING" --ccache "$cc" \
		--blob "$(make_blob PEER1 "$BPA_PEER1_SID")" --out "$1"
}

sums() {
	sha256sum "$CERT" "$KEY" 2>/dev/null | awk '{ print $1 }' | tr '\n' ' '
}

# log lines since the last mark
mark() { LOG_AT=$(wc -c < "$BPA_LOG"); }
log_since() { tail -c +$((LOG_AT + 1)) "$BPA_LOG"; }

# --- the certificates: a CA, leaves signed by it -----------------------
certtool --generate-privkey --rsa --bits 3072 --outfile "$W/ca.key" \
	>/dev/null 2>&1
cat > "$W/ca.tmpl" <<EOT
cn = "BPA Test Enterprise CA"
ca
cert_signing_key
crl_signing_key
expiration_days = 3650
EOT
certtool --generate-self-signed --load-privkey "$W/ca.key" \
	--template "$W/ca.tmpl" --outfile "$W/ca.pem" >/dev/null 2>&1
certtool --generate-privkey --rsa --bits 3072 --outfile "$W/leaf.key" \
	>/dev/null 2>&1
certtool --generate-privkey --rsa --bits 3072 --outfile "$W/other.key" \
	>/dev/null 2>&1

leaf() {	# leaf NAME CN [expired]: NAME.pem = leaf + CA, NAME.der
	{
		echo "cn = \"$2\""
		echo "tls_www_server"
		echo "tls_www_client"
		echo "signing_key"
		echo "encryption_key"
		if [ "${3:-}" = expired ]; then
			echo 'activation_date = "2020-01-01 00:00:00 UTC"'
			echo 'expiration_date = "2021-01-01 00:00:00 UTC"'
		else
			echo "expiration_days = 365"
		fi
	} > "$W/$1.tmpl"
	certtool --generate-certificate --load-privkey "$W/leaf.key" \
		--load-ca-certificate "$W/ca.pem" \
		--load-ca-privkey "$W/ca.key" --template "$W/$1.tmpl" \
		--outfile "$W/$1.leaf" >/dev/null 2>&1
	certtool --certificate-info --infile "$W/$1.leaf" \
		--outder --outfile "$W/$1.der" >/dev/null 2>&1
	certtool --certificate-info --infile "$W/$1.leaf" 2>/dev/null |
		sed -n '/-----BEGIN/,/-----END/p' > "$W/$1.pem"
	cat "$W/ca.pem" >> "$W/$1.pem"
}
leaf good "$BPA_DC_SID"
leaf wrongcn "$BPA_PEER2_SID"
leaf expired "$BPA_DC_SID" expired
[ -s "$W/good.der" ] && [ -s "$W/expired.pem" ] ||
	{ echo "Bail out! certtool failed"; exit 1; }

# install FILE-CERT FILE-KEY: what the administrator put there
install_pair() {
	cp "$1" "$CERT"
	cp "$2" "$KEY"
	chmod 0644 "$CERT"
	chmod 0600 "$KEY"
}

# --- configured, but the files are not there: never created ------------
mark
expect_eq "$(exchange "$W/r0")" "$EFAIL" \
	"configured files absent: E_FAIL"
[ ! -e "$CERT" ] && [ ! -e "$KEY" ] && [ ! -e "$CERT.lock" ]
ok $? "configured files absent: nothing created (no lock file either)"
expect_match "$(log_since)" "configured certificate file $CERT does not exist" \
	"configured files absent: the log names the file"

# --- each refusal: E_FAIL, the reason logged, files unchanged ----------
refused() {	# refused NAME CERT KEY LOG-REGEX
	local before
	install_pair "$2" "$3"
	before=$(sums)
	mark
	expect_eq "$(exchange "$W/r-$1")" "$EFAIL" "$1: E_FAIL"
	expect_eq "$(sums)" "$before" "$1: both files byte for byte unchanged"
	expect_match "$(log_since)" "$4" "$1: the reason is logged"
}
refused "CN not the machine SID" "$W/wrongcn.pem" "$W/leaf.key" \
	"configured certificate file $CERT is not usable .*subject is not the machine account's SID"
refused "expired" "$W/expired.pem" "$W/leaf.key" \
	"configured certificate file $CERT is not usable .*expired"
refused "key does not match" "$W/good.pem" "$W/other.key" \
	"configured key file $KEY does not belong to the certificate"

# --- the good one: served as it is --------------------------------------
install_pair "$W/good.pem" "$W/leaf.key"
before=$(sums)
for round in "first exchange" "after a samba restart"; do
	if [ "$round" != "first exchange" ]; then
		dc_stop
		start
	fi
	mark
	rm -f "$W/reply"
	expect_match "$(exchange "$W/reply")" "$SUCCESS_RE" \
		"CA-issued certificate, $round: the exchange succeeds"
	n=$(stat -c %s "$W/good.der")
	tail -c "$n" "$W/reply" 2>/dev/null | cmp -s - "$W/good.der"
	ok $? "CA-issued certificate, $round: the blob carries that certificate"
	expect_eq "$(sums)" "$before" \
		"CA-issued certificate, $round: both files byte for byte unchanged"
	if grep -q "creating anew\|created local certificate" <<<"$(log_since)"; then
		ok 1 "CA-issued certificate, $round: nothing created" \
			"$(log_since | grep "creating anew\|created local" | head -n 2)"
	else
		ok 0 "CA-issued certificate, $round: nothing created"
	fi
done

dc_done
