#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A bind that offers NDR64 (context 0) and NDR32 (context 1) for
# BitsPeerAuth, unauthenticated, built with impacket's PDU classes: the
# server must reject the NDR64 context (Samba's dcesrv speaks NDR32
# only), accept NDR32, and answer an ExchangePublicKeys sent on it.
#
#   dc_bind_syntax.py HOST PORT
#
# Prints "ctx0=<result>/<reason> ctx1=<result>/<reason>
# response=<type> hresult=0x........" and exits 0 when the PDUs parse.
import struct
import sys

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.rpcrt import (CtxItem, MSRPCBind, MSRPCBindAck,
                                      MSRPCHeader, MSRPCRequestHeader,
                                      MSRPCRespHeader, MSRPC_BIND,
                                      MSRPC_BINDACK, MSRPC_RESPONSE,
                                      MSRPC_FAULT)
from impacket.uuid import uuidtup_to_bin

IFACE = ("e3d0d746-d2af-40fd-8a7a-0d7078bb7092", "1.0")
NDR32 = ("8a885d04-1ceb-11c9-9fe8-08002b104860", "2.0")
NDR64 = ("71710533-beba-4937-8319-b5dbef9ccc36", "1.0")


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:%s[%d]" % (host, port))
    t.connect()

    bind = MSRPCBind()
    for ctx_id, syntax in ((0, NDR64), (1, NDR32)):
        item = CtxItem()
        item["ContextID"] = ctx_id
        item["TransItems"] = 1
        item["AbstractSyntax"] = uuidtup_to_bin(IFACE)
        item["TransferSyntax"] = uuidtup_to_bin(syntax)
        bind.addCtxItem(item)
    pkt = MSRPCHeader()
    pkt["type"] = MSRPC_BIND
    pkt["call_id"] = 1
    pkt["pduData"] = bind.getData()
    t.send(pkt.get_packet())
    resp = MSRPCHeader(t.recv())
    if resp["type"] != MSRPC_BINDACK:
        print("bind answered with PDU type %d" % resp["type"])
        return 1
    ack = MSRPCBindAck(resp.getData())
    results = []
    for i in range(1, ack["ctx_num"] + 1):
        c = ack.getCtxItem(i)
        results.append("%d/%d" % (c["Result"], c["Reason"]))

    # ExchangePublicKeys(ClientKeyLength 0, ClientKey NULL), NDR32, ctx 1
    req = MSRPCRequestHeader()
    req["type"] = 0
    req["call_id"] = 2
    req["ctx_id"] = 1
    req["op_num"] = 0
    req["pduData"] = struct.pack("<II", 0, 0)
    req["alloc_hint"] = len(req["pduData"])
    t.send(req.get_packet())
    r = MSRPCHeader(t.recv())
    if r["type"] == MSRPC_RESPONSE:
        body = MSRPCRespHeader(r.getData())["pduData"]
        hr = struct.unpack("<I", body[-4:])[0]
        kind = "response"
    elif r["type"] == MSRPC_FAULT:
        body = MSRPCRespHeader(r.getData())["pduData"]
        hr = struct.unpack("<I", body[:4])[0]
        kind = "fault"
    else:
        hr, kind = 0, "type%d" % r["type"]
    print("ctx0=%s ctx1=%s response=%s hresult=0x%08x"
          % (results[0], results[1], kind, hr))
    t.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
