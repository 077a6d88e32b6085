#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Ask a DC's endpoint mapper (ncacn_ip_tcp, port 135) which TCP port an
# interface is registered on, the way a client would find a dynamic
# endpoint (C706 part 6.2.2, MS-RPCE 2.1.1.1).
#
#   epm-lookup.py [--host ADDR] SMBCONF [UUID]
#
# ADDR: the host whose endpoint mapper is asked (default 127.0.0.1).
# With UUID: prints that interface's port (exit 1 if not registered).
# Without: prints "UUID VERSION PORT ANNOTATION" for every TCP entry.
# Exit 3 when the endpoint mapper cannot be asked (three tries).
# Needs Debian's /usr/bin/python3 (python3-samba).
import sys
import time

from samba.credentials import Credentials
from samba.dcerpc import epmapper, misc
from samba.ndr import ndr_unpack
from samba.param import LoadParm


def tcp_entries(smbconf, host):
    lp = LoadParm()
    lp.load(smbconf)
    creds = Credentials()
    creds.guess(lp)
    creds.set_anonymous()
    conn = epmapper.epmapper(f"ncacn_ip_tcp:{host}[135]", lp, creds)
    handle = misc.policy_handle()
    while True:
        r = conn.epm_Lookup(0, None, None, 0, handle, 64)
        handle, entries, result = r[0], r[1], r[-1]
        for e in entries or []:
            floors = e.tower.tower.floors
            if len(floors) < 4:
                continue
            if floors[3].lhs.protocol != epmapper.EPM_PROTOCOL_TCP:
                continue
            # floor 1: the interface UUID (16 bytes) and major version
            lhs = bytes(floors[0].lhs.lhs_data)
            uuid = ndr_unpack(misc.GUID, lhs[:16])
            ver = int.from_bytes(lhs[16:18], "little")
            port = floors[3].rhs.port
            yield (str(uuid), ver, port, e.annotation)
        if result != 0 or not entries:
            break


def main():
    args = sys.argv[1:]
    host = "127.0.0.1"
    if len(args) >= 2 and args[0] == "--host":
        host = args[1]
        args = args[2:]
    if len(args) not in (1, 2):
        sys.stderr.write("usage: epm-lookup.py [--host ADDR] SMBCONF "
                         "[UUID]\n")
        return 2
    want = args[1].lower() if len(args) == 2 else None
    # a connection that fails or times out (a loaded machine) is asked
    # again, twice; an interface that is not registered is an answer
    for attempt in range(3):
        try:
            entries = list(tcp_entries(args[0], host))
            break
        except Exception as e:  # samba raises RuntimeError subclasses
            sys.stderr.write(f"epm-lookup: {host}: {e}\n")
            if attempt == 2:
                return 3
            time.sleep(0.5)
    for uuid, ver, port, ann in entries:
        if want is None:
            print(uuid, ver, port, ann)
        elif uuid.lower() == want:
            print(port)
            return 0
    return 0 if want is None else 1


if __name__ == "__main__":
    sys.exit(main())
