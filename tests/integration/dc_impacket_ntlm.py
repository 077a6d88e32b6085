#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A second, independent client: impacket (Debian's python3-impacket
# 0.10, which binds with NTLM or SPNEGO only) calls ExchangePublicKeys
# as a computer account over NTLM, with its own NDR encoder.
#
#   dc_impacket_ntlm.py HOST PORT DOMAIN USER PASSWORD BLOBFILE
#
# Prints one line per case: "<case> hresult=0x........ keylen=N" or
# "<case> fault=<impacket's name of the fault>" (rpc_x_bad_stub_data).
import struct
import sys

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.ndr import NDRCALL, NDRPOINTER, NDRUniConformantArray
from impacket.dcerpc.v5.dtypes import ULONG
from impacket.dcerpc.v5.rpcrt import (DCERPCException, DCERPC_RawCall,
                                      RPC_C_AUTHN_WINNT,
                                      RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
                                      RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
from impacket.uuid import uuidtup_to_bin

IFACE = uuidtup_to_bin(("e3d0d746-d2af-40fd-8a7a-0d7078bb7092", "1.0"))


class BYTE_ARRAY(NDRUniConformantArray):
    item = "c"


class PBYTE_ARRAY(NDRPOINTER):
    referent = (("Data", BYTE_ARRAY),)


class ExchangePublicKeys(NDRCALL):
    opnum = 0
    structure = (("ClientKeyLength", ULONG), ("ClientKey", PBYTE_ARRAY))


def connect(host, port, domain, user, password, level):
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:%s[%d]" % (host, port))
    t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_type(RPC_C_AUTHN_WINNT)
    dce.set_auth_level(level)
    dce.connect()
    dce.bind(IFACE)
    return dce


def call(dce, name, body=None, blob=None):
    try:
        if body is None:
            req = ExchangePublicKeys()
            req["ClientKeyLength"] = len(blob)
            req["ClientKey"] = blob
            dce.call(0, req)
        else:
            dce.send(DCERPC_RawCall(0, body))
        ans = dce.recv()
    except DCERPCException as e:
        print("%s fault=%s" % (name, str(e).split()[0] if str(e) else "?"))
        return
    keylen = struct.unpack("<I", ans[:4])[0]
    hr = struct.unpack("<I", ans[-4:])[0]
    print("%s hresult=0x%08x keylen=%d" % (name, hr, keylen))


def main():
    host, port, domain, user, password, blobfile = sys.argv[1:7]
    blob = open(blobfile, "rb").read()
    for level, lname in ((RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, "integrity"),
                         (RPC_C_AUTHN_LEVEL_PKT_PRIVACY, "privacy")):
        dce = connect(host, int(port), domain, user, password, level)
        call(dce, "ntlm-%s" % lname, blob=blob)
        dce.disconnect()
    dce = connect(host, int(port), domain, user, password,
                  RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    # MS-BPAU 3.1.4: NULL unique pointer, nonzero conformance
    call(dce, "ntlm-null-key-length-5", body=struct.pack("<II", 5, 0))
    dce.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
