#!/usr/bin/env python3
"""Small NTP peers for the system tests (loopback only).

  ntp_peer.py barrage PORT
      Send malformed and non-request packets to 127.0.0.1:PORT, then one
      valid request.  Prints "replies N" (answers to the bad packets, which
      must be 0) and "alive 1" if the valid request was answered.
  ntp_peer.py serve PORT BEHAVIOUR PORTLOG [NAME=VALUE...]
      A fake server on 127.0.0.1:PORT.  BEHAVIOUR: good, bogus (wrong origin
      timestamp), unsync (leap 3), unsync0 (leap 3, stratum 0, reference ID
      0: an unsynchronised chronyd), kod (KoD RATE), dup (the good reply
      preceded by a bogus copy and followed by a duplicate), slowN (good,
      but the Nth reply is held back 0.2 s after its transmit timestamp:
      a long delay).  The source port of each request is appended to
      PORTLOG.  Options, as NAME=VALUE: address (127.0.0.1; any of
      127.0.0.0/8), offset (0: seconds this server's clock is ahead of the
      machine's, for a falseticker or a source to combine), delay and
      dispersion (the replies' root delay and dispersion in seconds,
      default 0 and 1/64).
"""
import os
import socket
import struct
import sys
import time

NTP_DELTA = 2208988800


OFFSET = 0.0


def ntp_now():
    t = time.time() + OFFSET + NTP_DELTA
    return struct.pack('!II', int(t), int((t % 1) * 2**32))


def request(version=4, mode=3):
    return bytes([(version << 3) | mode, 0, 6, 0xec]) + bytes(36) + os.urandom(8)


def bad_packets():
    rnd = os.urandom
    pkts = [b'', b'\x23', request()[:20], request()[:47], request() + b'\x00',
            request() + b'\x00\x00', request() + b'\x00' * 3,
            request() + bytes(8),                       # v4: neither field nor MAC
            request() + b'\x00\x00\xff\xff' + bytes(12),  # field longer than the packet
            request() + b'\x12\x34\x00\x00' + bytes(12),  # field of length 0
            request() + bytes(4),                       # crypto-NAK as a request
            request() + rnd(1300),                      # oversized
            request() + rnd(4000), rnd(65000)]
    for mode in (0, 1, 2, 4, 5, 6, 7):
        pkts.append(request(4, mode))
        pkts.append(request(3, mode) + rnd(20))
    for version in (0, 5, 6, 7):
        pkts.append(request(version, 3))
    # ntpq (mode 6) read variables and ntpdc (mode 7) monlist
    pkts.append(b'\x16\x02\x00\x01' + bytes(8))
    pkts.append(b'\x17\x00\x03\x2a' + bytes(188))
    pkts.append(b'\x17\x00\x03\x2a' + bytes(44))
    for _ in range(50):
        g = bytearray(rnd(48 + 4 * (rnd(1)[0] % 40)))
        if g[0] & 7 == 3 and 1 <= (g[0] >> 3) & 7 <= 4:
            g[0] ^= 1                                   # never a valid request
        pkts.append(bytes(g))
    return pkts


def cryptonak(port):
    # A request with a key the server does not have gets a crypto-NAK: the
    # header and a zero key id, never a reply longer than the request
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    ok = 0
    for length in (16, 20):
        req = request() + struct.pack('!I', 4242) + os.urandom(length)
        s.sendto(req, ('127.0.0.1', port))
        try:
            r = s.recv(2048)
        except socket.timeout:
            continue
        if len(r) == 52 and r[48:] == bytes(4) and r[0] & 7 == 4 and r[24:32] == req[40:48]:
            ok += 1
    print('cryptonak', ok)


def barrage(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    for p in bad_packets():
        try:
            s.sendto(p, ('127.0.0.1', port))
        except OSError:
            pass
        time.sleep(0.002)
    s.settimeout(1.0)
    replies = 0
    try:
        while True:
            s.recv(70000)
            replies += 1
    except socket.timeout:
        pass
    print('replies', replies)
    req = request()
    s.sendto(req, ('127.0.0.1', port))
    alive = 0
    try:
        d = s.recv(2000)
        alive = int(len(d) == 48 and d[24:32] == req[40:48] and d[0] & 7 == 4)
    except socket.timeout:
        pass
    print('alive', alive)


def ntp32(x):
    return int(round(x * 65536))


def serve(port, behaviour, portlog, address='127.0.0.1', delay=0.0, dispersion=1.0 / 64):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, port))
    n = 0
    while True:
        req, addr = s.recvfrom(2000)
        with open(portlog, 'a') as f:
            f.write('%d\n' % addr[1])
        if len(req) < 48:
            continue
        n += 1
        rx = ntp_now()
        leap, stratum, refid = 0, 2, b'TEST'
        origin = req[40:48]
        if behaviour == 'unsync':
            leap = 3
        elif behaviour == 'unsync0':
            # What an unsynchronised chronyd or ntsd sends
            leap, stratum, refid = 3, 0, bytes(4)
        elif behaviour == 'kod':
            leap, stratum, refid = 3, 0, b'RATE'
        elif behaviour == 'bogus':
            origin = os.urandom(8)
        hdr = bytes([(leap << 6) | (4 << 3) | 4, stratum, req[2], 0xe8])
        hdr += struct.pack('!II', ntp32(delay), ntp32(dispersion)) + refid + rx
        pkt = hdr + origin + rx + ntp_now()
        if behaviour.startswith('slow') and n == int(behaviour[4:]):
            time.sleep(0.2)
        if behaviour == 'dup':
            s.sendto(hdr + os.urandom(8) + rx + ntp_now(), addr)
        s.sendto(pkt, addr)
        if behaviour == 'dup':
            s.sendto(pkt, addr)


if __name__ == '__main__':
    if sys.argv[1] == 'barrage':
        barrage(int(sys.argv[2]))
    elif sys.argv[1] == 'cryptonak':
        cryptonak(int(sys.argv[2]))
    elif sys.argv[1] == 'serve':
        opts = dict(a.split('=', 1) for a in sys.argv[5:])
        OFFSET = float(opts.pop('offset', 0.0))
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], opts.pop('address', '127.0.0.1'),
              **{k: float(v) for k, v in opts.items()})
