#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throwaway PKI and a canned OCSP responder for the OCSP and
revocation tests (python3-cryptography; nothing leaves loopback).

  ocsp_pki.py pki DIR OCSP_URL [CRL_URL]
      DIR/ca.pem ca.key             the CA (RSA 2048)
      DIR/www/ca*.crl, DIR/ca*.crl.pem  its CRLs (see make_crls)
      DIR/<name>.pem <name>.key     leaf certificates issued by it, AIA
                                    OCSP = OCSP_URL (except noaia),
                                    CDP = CRL_URL (default the canned
                                    responder's /ca.crl); CN = a SID;
                                    noaia has neither, crlonly only CDP,
                                    down's OCSP URL has no listener
      DIR/selfsigned.pem/.key       a self-signed peer certificate
      DIR/index.txt                 openssl ocsp -index for them
      DIR/responder.pem/.key        delegated responder (OCSPSigning)
      DIR/responder-noeku.pem/.key  issued by the CA, no OCSPSigning
      DIR/other-ca.pem/.key, other-responder.pem/.key  another CA
      DIR/inter[-revoked].pem/.key, leaf-of-inter[-revoked].pem/.key
                                    chains of three (the second
                                    intermediate revoked by the CA)
      DIR/serials                   "<name> <serial hex>" per leaf
  ocsp_pki.py serve DIR PORT_FILE
      HTTP on 127.0.0.1:8889 (written to PORT_FILE when listening); the
      first path segment of the URL picks the canned answer (MODES).
"""
import datetime
import os
import sys
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.x509.oid import AuthorityInformationAccessOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

NOW = datetime.datetime.utcnow().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# leaf name -> (serial, revocation reason or None); CN is a SID
REASONS = ["unspecified", "keyCompromise", "cACompromise",
           "affiliationChanged", "superseded", "cessationOfOperation",
           "certificateHold"]
LEAVES = [("good", 0x1001, None), ("unknown", 0x1002, "UNLISTED"),
          ("noaia", 0x1003, None), ("crlonly", 0x1004, None),
          ("down", 0x1005, None)]
LEAVES += [("revoked-" + r, 0x1100 + i, r) for i, r in enumerate(REASONS)]

SID = "S-1-5-21-1004336348-1177238915-682003330-%d"
# the canned responder's fixed address (inside the test's namespace)
CANNED_PORT = 8889
CANNED_URL = "http://127.0.0.1:%d" % CANNED_PORT


def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write(d, name, cert, k):
    with open(os.path.join(d, name + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, name + ".key"), "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()))


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn, issuer=None, issuer_key=None, serial=1, ocsp_url=None):
    k = key()
    b = (x509.CertificateBuilder().subject_name(name(cn))
         .issuer_name(issuer.subject if issuer else name(cn))
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
         .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                        critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=True, content_commitment=False,
             key_encipherment=False, data_encipherment=False,
             key_agreement=False, key_cert_sign=True, crl_sign=True,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(
             k.public_key()), critical=False))
    if ocsp_url:
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                   x509.UniformResourceIdentifier(ocsp_url))
        ]), critical=False)
    c = b.sign(issuer_key or k, hashes.SHA256())
    return c, k


def make_leaf(cn, serial, ca, ca_key, ocsp_url=None, crl_url=None,
              eku=None):
    k = key()
    b = (x509.CertificateBuilder().subject_name(name(cn))
         .issuer_name(ca.subject).public_key(k.public_key())
         .serial_number(serial)
         .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                        critical=True)
         .add_extension(x509.ExtendedKeyUsage(
             eku or [ExtendedKeyUsageOID.CLIENT_AUTH,
                     ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    if ocsp_url:
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                   x509.UniformResourceIdentifier(ocsp_url))
        ]), critical=False)
    if crl_url:
        b = b.add_extension(x509.CRLDistributionPoints([
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url)],
                relative_name=None, reasons=None, crl_issuer=None)]),
            critical=False)
    return b.sign(ca_key, hashes.SHA256()), k


def pki(d, ocsp_url, crl_url=None):
    os.makedirs(d, exist_ok=True)
    crl_url = crl_url or CANNED_URL + "/ca.crl"
    ca, ca_key = make_ca("bitspeerauth test CA")
    write(d, "ca", ca, ca_key)
    index = []
    serials = []
    for i, (n, serial, reason) in enumerate(LEAVES):
        # noaia: neither AIA nor CDP; crlonly: only a CDP
        # down: its OCSP responder does not answer (port 9)
        url = {"noaia": None, "crlonly": None,
               "down": "http://127.0.0.1:9/"}.get(n, ocsp_url)
        c, k = make_leaf(SID % (2000 + i), serial, ca, ca_key, url,
                         None if n == "noaia" else crl_url)
        write(d, n, c, k)
        serials.append("%s %X" % (n, serial))
        exp = c.not_valid_after.strftime("%y%m%d%H%M%SZ")
        subj = "/CN=" + SID % (2000 + i)
        if reason == "UNLISTED":
            continue
        if reason is None:
            index.append("V\t%s\t\t%X\tunknown\t%s" % (exp, serial, subj))
        else:
            rev = (NOW - HOUR).strftime("%y%m%d%H%M%SZ")
            extra = ",holdInstructionReject" \
                if reason == "certificateHold" else ""
            index.append("R\t%s\t%s,%s%s\t%X\tunknown\t%s"
                         % (exp, rev, reason, extra, serial, subj))
    # an MS-BPAU style self-signed peer certificate
    sk = key()
    sc = (x509.CertificateBuilder().subject_name(name(SID % 4000))
          .issuer_name(name(SID % 4000)).public_key(sk.public_key())
          .serial_number(0x4000).not_valid_before(NOW - DAY)
          .not_valid_after(NOW + 30 * DAY)
          .add_extension(x509.ExtendedKeyUsage(
              [ExtendedKeyUsageOID.CLIENT_AUTH,
               ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
          .sign(sk, hashes.SHA256()))
    write(d, "selfsigned", sc, sk)
    r, rk = make_leaf("OCSP responder", 0x2001, ca, ca_key,
                      eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
    write(d, "responder", r, rk)
    r, rk = make_leaf("OCSP responder without EKU", 0x2002, ca, ca_key)
    write(d, "responder-noeku", r, rk)
    oca, oca_key = make_ca("another CA", serial=7)
    write(d, "other-ca", oca, oca_key)
    r, rk = make_leaf("OCSP responder", 0x2003, oca, oca_key,
                      eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
    write(d, "other-responder", r, rk)
    # chains of three: CA -> inter (good) / inter-revoked (cACompromise
    # in the CA's index) -> a leaf whose AIA is the canned responder
    canned = CANNED_URL + "/good"
    for n, serial, reason in (("inter", 0x3001, None),
                              ("inter-revoked", 0x3003, "cACompromise")):
        inter, inter_key = make_ca("bitspeerauth test " + n, ca, ca_key,
                                   serial=serial, ocsp_url=ocsp_url)
        write(d, n, inter, inter_key)
        c, k = make_leaf(SID % serial, serial + 1, inter, inter_key, canned,
                         crl_url)
        write(d, "leaf-of-" + n, c, k)
        serials.append("%s %X" % (n, serial))
        serials.append("leaf-of-%s %X" % (n, serial + 1))
        exp = inter.not_valid_after.strftime("%y%m%d%H%M%SZ")
        if reason is None:
            index.append("V\t%s\t\t%X\tunknown\t/CN=x" % (exp, serial))
        else:
            rev = (NOW - HOUR).strftime("%y%m%d%H%M%SZ")
            index.append("R\t%s\t%s,%s\t%X\tunknown\t/CN=x"
                         % (exp, rev, reason, serial))
    make_crls(d, ca, ca_key, oca_key)
    with open(os.path.join(d, "index.txt"), "w") as f:
        f.write("\n".join(index) + "\n")
    with open(os.path.join(d, "index.txt.attr"), "w") as f:
        f.write("unique_subject = no\n")
    with open(os.path.join(d, "serials"), "w") as f:
        f.write("\n".join(serials) + "\n")


FLAGS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "cACompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "certificateHold": x509.ReasonFlags.certificate_hold,
}


def make_crls(d, ca, ca_key, other_key):
    """DIR/www/ca.crl (DER, the revoked-* leaves with their reasons,
    nextUpdate in a day; served at CANNED_URL/ca.crl, the CDP of every
    leaf), ca-expired.crl, ca-badsig.crl (signed by another key), and
    DIR/ca.crl.pem (the first, PEM, for "crl files")."""
    www = os.path.join(d, "www")
    os.makedirs(www, exist_ok=True)

    def crl(this_update, next_update, key):
        b = (x509.CertificateRevocationListBuilder()
             .issuer_name(ca.subject).last_update(this_update)
             .next_update(next_update))
        for _, serial, reason in LEAVES:
            if reason in FLAGS:
                r = (x509.RevokedCertificateBuilder().serial_number(serial)
                     .revocation_date(NOW - HOUR))
                if reason != "unspecified":
                    r = r.add_extension(x509.CRLReason(FLAGS[reason]),
                                        critical=False)
                b = b.add_revoked_certificate(r.build())
        return b.sign(key, hashes.SHA256())
    for n, c in (("ca.crl", crl(NOW - HOUR, NOW + DAY, ca_key)),
                 ("ca-expired.crl", crl(NOW - 3 * DAY, NOW - 2 * DAY,
                                        ca_key)),
                 ("ca-badsig.crl", crl(NOW - HOUR, NOW + DAY, other_key))):
        with open(os.path.join(www, n), "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.DER))
        with open(os.path.join(d, n + ".pem"), "wb") as f:
            f.write(c.public_bytes(serialization.Encoding.PEM))


def load(d, n):
    with open(os.path.join(d, n + ".pem"), "rb") as f:
        c = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(d, n + ".key"), "rb") as f:
        k = serialization.load_pem_private_key(f.read(), None)
    return c, k


ERRORS = {
    "malformedRequest": ocsp.OCSPResponseStatus.MALFORMED_REQUEST,
    "internalError": ocsp.OCSPResponseStatus.INTERNAL_ERROR,
    "tryLater": ocsp.OCSPResponseStatus.TRY_LATER,
    "sigRequired": ocsp.OCSPResponseStatus.SIG_REQUIRED,
    "unauthorized": ocsp.OCSPResponseStatus.UNAUTHORIZED,
}

# MODES: good | revoked | unknown (as the issuer) | <error status> |
# delegated | delegated-noeku | other-responder | wrong-key | expired |
# not-yet-valid | no-next-update | no-nonce | bad-nonce | wrong-cert |
# http500 | garbage | big | slow | short (nextUpdate in 5 s)


class Responder:
    def __init__(self, d):
        self.d = d
        self.ca, self.ca_key = load(d, "ca")
        self.certs = {}
        for line in open(os.path.join(d, "serials")):
            n, s = line.split()
            self.certs[int(s, 16)] = load(d, n)[0]
        self.cas = {}
        for n in ("inter", "inter-revoked"):
            c, k = load(d, n)
            self.cas[c.subject] = (c, k)

    def answer(self, mode, body):
        if mode in ERRORS:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ERRORS[mode]).public_bytes(serialization.Encoding.DER)
        req = ocsp.load_der_ocsp_request(body)
        cert = self.certs[req.serial_number]
        issuer, signer, signer_key, certs = self.ca, self.ca, self.ca_key, []
        if cert.issuer in self.cas:
            issuer = self.cas[cert.issuer][0]
            signer, signer_key = self.cas[cert.issuer]
        status, rev_time, reason = ocsp.OCSPCertStatus.GOOD, None, None
        this_update, next_update = NOW - HOUR, NOW + DAY
        if mode == "revoked":
            status, rev_time = ocsp.OCSPCertStatus.REVOKED, NOW - HOUR
            reason = x509.ReasonFlags.key_compromise
        elif mode == "unknown":
            status = ocsp.OCSPCertStatus.UNKNOWN
        elif mode in ("delegated", "delegated-noeku", "other-responder"):
            n = {"delegated": "responder", "delegated-noeku":
                 "responder-noeku", "other-responder": "other-responder"}
            signer, signer_key = load(self.d, n[mode])
            certs = [signer]
        elif mode == "wrong-key":
            # signed by another CA's key, no certificate to find it by
            signer, signer_key = load(self.d, "other-ca")
        elif mode == "expired":
            this_update, next_update = NOW - 3 * DAY, NOW - 2 * DAY
        elif mode == "not-yet-valid":
            this_update, next_update = NOW + DAY, NOW + 2 * DAY
        elif mode == "no-next-update":
            next_update = None
        elif mode == "short":
            now = datetime.datetime.utcnow().replace(microsecond=0)
            this_update, next_update = now - HOUR, now + \
                datetime.timedelta(seconds=5)
        elif mode == "wrong-cert":
            cert = self.certs[0x1001 if req.serial_number != 0x1001
                              else 0x1002]
        b = ocsp.OCSPResponseBuilder().add_response(
            cert=cert, issuer=issuer, algorithm=req.hash_algorithm,
            cert_status=status, this_update=this_update,
            next_update=next_update, revocation_time=rev_time,
            revocation_reason=reason).responder_id(
            ocsp.OCSPResponderEncoding.NAME, signer)
        if certs:
            b = b.certificates(certs)
        nonce = None
        try:
            nonce = req.extensions.get_extension_for_class(
                x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            pass
        if mode == "bad-nonce":
            nonce = b"\x01" * 32
        if nonce is not None and mode != "no-nonce":
            b = b.add_extension(x509.OCSPNonce(nonce), critical=False)
        return b.sign(signer_key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER)


def serve(d, port_file):
    responder = Responder(d)

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, body, ctype="application/ocsp-response"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = os.path.join(d, "www", self.path.lstrip("/"))
            if "/../" in self.path or not os.path.isfile(path):
                self.reply(404, b"", "text/plain")
                return
            with open(path, "rb") as f:
                self.reply(200, f.read(), "application/pkix-crl")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            mode = self.path.strip("/").split("/")[0] or "good"
            if mode == "http500":
                self.reply(500, b"", "text/plain")
            elif mode == "garbage":
                self.reply(200, b"\x30\x03\x0a\x01")
            elif mode == "big":
                self.reply(200, b"\x30" * (1024 * 1024))
            elif mode == "slow":
                time.sleep(3)
                self.reply(200, responder.answer("good", body))
            else:
                self.reply(200, responder.answer(mode, body))

    srv = ThreadingHTTPServer(("127.0.0.1", CANNED_PORT), H)
    srv.daemon_threads = True
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
    # bounded: a test that forgets to stop it does not leave it forever
    threading.Timer(600, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "pki":
        pki(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4
            else None)
    elif sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: see the docstring")
