#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""
ExchangePublicKeys wire vectors from an independent NDR engine.

impacket's NDR implementation (impacket.dcerpc.v5.ndr) encodes the
MS-BPAU section 6 request and response, in NDR32 and NDR64, at test
time.  tests/ndr/test_ndr_impacket.c pulls them with our parser and
compares our push with them.

Usage: impacket_vectors.py OUTDIR
Writes OUTDIR/vectors.txt, one vector a line:

  name dir ndr64 length has_ptr fill result hexdata hexmask

  dir      "in" (request) or "out" (response)
  ndr64    0 or 1
  length   ClientKeyLength / *pServerKeyLength
  has_ptr  1 if the unique pointer is non-NULL
  fill     key byte i is (i * 7 + fill) % 0x90
  result   HRESULT (hex), responses only
  hexmask  "ff" where impacket's choice is free (referent ids and
           padding), "00" where every NDR encoder must agree

and OUTDIR/<name>.bin for each vector (the raw stub, for ndrdump).

The mask is learnt from impacket itself, not from our encoder: each
vector is encoded twice with different referent ids (bytes that
change are the referent), and every byte impacket wrote as one of
its padding fillers (it pads with constants >= 0xa0) is padding.
Key bytes are kept below 0x90 and lengths small so that data never
looks like a filler.
"""

import os
import sys

from impacket.dcerpc.v5.ndr import (NDRCALL, NDRUniConformantArray,
                                    NDRPOINTER, NULL)
from impacket.dcerpc.v5.dtypes import DWORD

# the padding bytes impacket.dcerpc.v5.ndr writes (all >= 0xa0)
FILLERS = frozenset([0xaa, 0xab, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xca,
                     0xcb, 0xcc, 0xdd, 0xee, 0xef])


class BYTE_ARRAY(NDRUniConformantArray):
    item = 'c'


class PBYTE_ARRAY(NDRPOINTER):
    referent = (('Data', BYTE_ARRAY),)


class ExchangePublicKeys(NDRCALL):
    """MS-BPAU 3.1.4.1, [in] part"""
    opnum = 0
    structure = (
        ('ClientKeyLength', DWORD),
        ('ClientKey', PBYTE_ARRAY),
    )


class ExchangePublicKeysResponse(NDRCALL):
    """MS-BPAU 3.1.4.1, [out] part; the HRESULT as a DWORD"""
    structure = (
        ('pServerKeyLength', DWORD),
        ('pServerKey', PBYTE_ARRAY),
        ('ErrorCode', DWORD),
    )


def key_bytes(length, fill):
    return bytes(((i * 7 + fill) % 0x90) for i in range(length))


def encode(direction, ndr64, length, has_ptr, fill, result, ref_id):
    if direction == 'in':
        msg = ExchangePublicKeys(isNDR64=ndr64)
        len_field, ptr_field = 'ClientKeyLength', 'ClientKey'
    else:
        msg = ExchangePublicKeysResponse(isNDR64=ndr64)
        len_field, ptr_field = 'pServerKeyLength', 'pServerKey'
        msg['ErrorCode'] = result
    msg[len_field] = length
    if has_ptr:
        ptr = PBYTE_ARRAY(isNDR64=ndr64)
        ptr['Data'] = key_bytes(length, fill)
        ptr['ReferentID'] = ref_id
        msg[ptr_field] = ptr
    else:
        msg[ptr_field] = NULL
    return msg.getData()


# name, dir, ndr64, length, has_ptr, fill, result
VECTORS = []
for n64 in (0, 1):
    w = 'ndr64' if n64 else 'ndr32'
    VECTORS += [
        ('req_null_%s' % w, 'in', n64, 0, 0, 0, 0),
        ('req_empty_%s' % w, 'in', n64, 0, 1, 0, 0),
        ('req_small_%s' % w, 'in', n64, 5, 1, 1, 0),
        ('req_odd_%s' % w, 'in', n64, 333, 1, 2, 0),
        ('req_max_%s' % w, 'in', n64, 65536, 1, 3, 0),
        # MS-BPAU 3.1.4: our pull must refuse this one
        ('req_null_with_length_%s' % w, 'in', n64, 5, 0, 0, 0),
        ('rep_error_%s' % w, 'out', n64, 0, 0, 0, 0x80070005),
        ('rep_small_%s' % w, 'out', n64, 7, 1, 4, 0),
        ('rep_odd_%s' % w, 'out', n64, 1001, 1, 5, 0),
        ('rep_max_%s' % w, 'out', n64, 65536, 1, 6, 0),
    ]


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    lines = []
    for (name, direction, n64, length, has_ptr, fill, result) in VECTORS:
        a = encode(direction, n64 == 1, length, has_ptr, fill, result,
                   0x00012345)
        b = encode(direction, n64 == 1, length, has_ptr, fill, result,
                   0x00054321)
        assert len(a) == len(b)
        mask = bytes(0xff if (x != y or x in FILLERS) else 0
                     for x, y in zip(a, b))
        with open(os.path.join(outdir, name + '.bin'), 'wb') as f:
            f.write(a)
        lines.append('%s %s %d %d %d %d %08x %s %s\n' % (
            name, direction, n64, length, has_ptr, fill, result,
            a.hex(), mask.hex()))
    tmp = os.path.join(outdir, 'vectors.txt.tmp')
    with open(tmp, 'w') as f:
        f.writelines(lines)
    os.replace(tmp, os.path.join(outdir, 'vectors.txt'))


if __name__ == '__main__':
    main()
