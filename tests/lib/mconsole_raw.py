#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one hand-made datagram to a control socket and print the answer.

  mconsole_raw.py SOCKET KIND

KIND is the kind of request: bad-magic, version-1, too-long (a datagram
longer than any request), short (shorter than the header), len-past-end
(a length beyond the data sent), empty (no bytes at all), unknown (a
well-formed request for a command there is not).  Prints "OK TEXT" or
"ERR TEXT" for the reply, or "NONE" if none came within 10 seconds.
"""

import socket
import struct
import sys

MAGIC = 0xcafebabe


def request(kind):
    if kind == 'bad-magic':
        return struct.pack('=III', 0x12345678, 2, 7) + b'version'
    if kind == 'version-1':
        return struct.pack('=III', MAGIC, 1, 7) + b'version'
    if kind == 'too-long':
        return struct.pack('=III', MAGIC, 2, 600) + b'l' * 600
    if kind == 'short':
        return struct.pack('=II', MAGIC, 2)
    if kind == 'len-past-end':
        return struct.pack('=III', MAGIC, 2, 300) + b'version'
    if kind == 'empty':
        return b''
    if kind == 'unknown':
        return struct.pack('=III', MAGIC, 2, 11) + b'no-such-cmd'
    raise SystemExit(f'unknown kind {kind}')


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind('')  # autobind: an abstract name the reply can go to
    s.settimeout(10)
    s.sendto(request(argv[2]), argv[1])
    try:
        data = s.recv(1024)
    except socket.timeout:
        print('NONE')
        return 1
    err, more, length = struct.unpack('=III', data[:12])
    text = data[12:12 + length].rstrip(b'\0').decode(errors='replace')
    print(('ERR ' if err else 'OK ') + text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
