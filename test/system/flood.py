#!/usr/bin/env python3
"""Adversarial load for the system tests (loopback only, always bounded).

  flood.py hold PORT N SECONDS
      Open N idle TCP connections to 127.0.0.1:PORT from this one process
      (never sending a byte) and hold them for SECONDS.  Prints "ready ..."
      once all are opened, then at the end "final opened O connected C
      closed_by_server S still_open L refused R".
  flood.py ke PORT CA OUTFILE [SOURCE-ADDRESS]
      One NTS-KE (TLS 1.3, ALPN ntske/1); the cookies go to OUTFILE as hex,
      one a line.  Prints "cookies N".
  flood.py barrage NTP_PORT CMD_PORT COOKIES COUNT SECONDS SEED
      Up to COUNT malformed NTP, NTS and command packets (and at most
      SECONDS of sending).  Every reply is matched to its request; prints
      "sent N", "replies R", and one "violation ..." line for a reply longer
      than its request, a reply to a packet that is not a request, or a
      reply that matches nothing we sent.  Exit status 1 on a violation.
"""
import os
import random
import select
import socket
import ssl
import struct
import sys
import time

HOST = '127.0.0.1'


# ---------------------------------------------------------------- hold

def hold(port, n, seconds):
    t0 = time.monotonic()
    deadline = t0 + seconds
    ep = select.epoll()
    socks = {}
    connected = set()
    opened = refused = closed = 0
    # Opening is bounded in count (n) and in time (half the hold time)
    for _ in range(n):
        if time.monotonic() > t0 + seconds / 2:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((HOST, port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            refused += 1
            continue
        socks[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLOUT | select.EPOLLIN | select.EPOLLRDHUP)
        opened += 1

    def poll(timeout):
        nonlocal closed
        for fd, ev in ep.poll(timeout):
            s = socks.get(fd)
            if s is None:
                continue
            gone = False
            if ev & select.EPOLLOUT and fd not in connected:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected.add(fd)
                    ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                else:
                    gone = True
            if ev & (select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP | select.EPOLLERR):
                try:
                    gone = gone or s.recv(4096) == b''
                except BlockingIOError:
                    pass
                except OSError:
                    gone = True
            if gone:
                closed += 1
                ep.unregister(fd)
                del socks[fd]
                s.close()

    poll(0.2)
    print('ready opened %d connected %d closed_by_server %d' % (opened, len(connected), closed),
          flush=True)
    while time.monotonic() < deadline:
        poll(min(0.5, max(0.01, deadline - time.monotonic())))
    print('final opened %d connected %d closed_by_server %d still_open %d refused %d' %
          (opened, len(connected), closed, len(socks), refused), flush=True)
    for s in socks.values():
        s.close()


# ---------------------------------------------------------------- NTS-KE

KE_REQUEST = (b'\x80\x01\x00\x02\x00\x00'      # Next Protocol: NTPv4
              b'\x00\x04\x00\x02\x00\x0f'      # AEAD: AES-SIV-CMAC-256
              b'\x80\x00\x00\x00')             # End of Message


def ke(port, ca, outfile, src=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(ca)
    ctx.set_alpn_protocols(['ntske/1'])
    data = b''
    with socket.create_connection((HOST, port), timeout=5,
                                  source_address=(src, 0) if src else None) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost') as s:
            s.sendall(KE_REQUEST)
            while len(data) < 65536:
                try:
                    d = s.recv(4096)
                except (ssl.SSLError, OSError):
                    break
                if not d:
                    break
                data += d
    cookies = []
    i = 0
    while i + 4 <= len(data):
        typ, blen = struct.unpack('!HH', data[i:i + 4])
        body = data[i + 4:i + 4 + blen]
        i += 4 + blen
        if typ & 0x7fff == 5:
            cookies.append(body.hex())
        if typ & 0x7fff == 0:
            break
    with open(outfile, 'w') as f:
        f.write(''.join(c + '\n' for c in cookies))
    print('cookies', len(cookies))


# ---------------------------------------------------------------- barrage

UID, COOKIE, PLACEHOLDER, AUTH = 0x0104, 0x0204, 0x0304, 0x0404


def ef(typ, body, length=None):
    body = body + bytes(-len(body) % 4)
    return struct.pack('!HH', typ, 4 + len(body) if length is None else length) + body


def header(version=4, mode=3, stratum=0, refid=b'\0\0\0\0'):
    return (bytes([(version << 3) | mode, stratum, 6, 0xec]) + bytes(8) + refid +
            bytes(24) + bytes(8))      # transmit timestamp filled in later


def auth(nonce_len=16, ct_len=16, nonce=None, ct=None):
    nonce = os.urandom(nonce_len) if nonce is None else nonce
    ct = os.urandom(ct_len) if ct is None else ct
    body = struct.pack('!HH', nonce_len, ct_len) + nonce + bytes(-len(nonce) % 4) + ct
    return ef(AUTH, body)


def nts_templates(cookies, rnd):
    """Malformed NTS requests; each a (name, bytes) pair"""
    c = cookies[0] if cookies else os.urandom(100)
    c2 = cookies[1] if len(cookies) > 1 else c
    uid = lambda n=32: ef(UID, os.urandom(n))
    ck = lambda x=c: ef(COOKIE, x)
    ph = lambda n=len(c): ef(PLACEHOLDER, bytes(n))
    h = header()
    t = []
    good = h + uid() + ck() + auth()          # right shape, wrong authenticator
    t.append(('garbage-auth', good))
    for cut in range(0, len(good), 3):
        t.append(('truncated', good[:cut]))
    t.append(('oversized-1281', good + os.urandom(1281 - len(good))))
    t.append(('oversized-1280', good + os.urandom(1280 - len(good))))
    t.append(('oversized-4000', good + os.urandom(4000)))
    t.append(('oversized-60000', good + os.urandom(60000)))
    for bad_len in (0, 1, 2, 3, 5, 6, 7, 8, 12, 0xfff0, 0xffff, len(c) + 8, len(c) + 200):
        t.append(('cookie-ef-len-%d' % bad_len, h + uid() + ef(COOKIE, c, bad_len) + auth()))
        t.append(('uid-ef-len-%d' % bad_len, h + ef(UID, os.urandom(32), bad_len) + ck() + auth()))
        t.append(('auth-ef-len-%d' % bad_len, h + uid() + ck() +
                  ef(AUTH, struct.pack('!HH', 16, 16) + os.urandom(32), bad_len)))
    for nl, cl in ((0, 16), (16, 0), (15, 16), (16, 15), (16, 0xffff), (0xffff, 16),
                   (17, 16), (16, 17), (64, 16), (16, 1000)):
        t.append(('auth-lens-%d-%d' % (nl, cl),
                  h + uid() + ck() + ef(AUTH, struct.pack('!HH', nl, cl) + os.urandom(32))))
    t.append(('dup-uid', h + uid() + uid() + ck() + auth()))
    t.append(('two-cookies', h + uid() + ck() + ck(c2) + auth()))
    t.append(('two-auth', h + uid() + ck() + auth() + auth()))
    t.append(('auth-first', h + auth() + uid() + ck()))
    t.append(('uid-after-auth', h + ck() + auth() + uid()))
    t.append(('cookie-after-auth', h + uid() + auth() + ck()))
    t.append(('placeholder-first', h + ph() + uid() + ck() + auth()))
    t.append(('no-auth', h + uid() + ck()))
    t.append(('no-cookie', h + uid() + auth()))
    t.append(('no-uid', h + ck() + auth()))
    t.append(('only-placeholders', h + ph() + ph() + auth()))
    t.append(('zero-cookie', h + uid() + ef(COOKIE, b'') + auth()))
    t.append(('tiny-cookie', h + uid() + ef(COOKIE, b'\0\0\0\1') + auth()))
    t.append(('huge-cookie', h + uid() + ef(COOKIE, os.urandom(1100)) + auth()))
    t.append(('huge-cookie-real-head', h + uid() + ef(COOKIE, c + os.urandom(1000)) + auth()))
    t.append(('huge-uid', h + ef(UID, os.urandom(1000)) + ck() + auth()))
    t.append(('short-uid', h + uid(4) + ck() + auth()))
    flipped = bytearray(c)
    flipped[len(c) // 2] ^= 1
    t.append(('tampered-cookie', h + uid() + ef(COOKIE, bytes(flipped)) + auth()))
    wrong_key = bytearray(c)
    wrong_key[0] ^= 0x80
    t.append(('cookie-unknown-key', h + uid() + ef(COOKIE, bytes(wrong_key)) + auth()))
    t.append(('random-cookie', h + uid() + ef(COOKIE, os.urandom(len(c))) + auth()))
    # Hundreds of cookie placeholders: empty ones, and as many cookie-sized
    # ones as fit in (or overflow) the 1280 bytes the server takes
    t.append(('300-empty-placeholders', h + uid() + ck() + ef(PLACEHOLDER, b'', 4) * 290 + auth()))
    n_fit = (1280 - len(good)) // (4 + len(c))
    t.append(('placeholders-fit-%d' % n_fit, h + uid() + ck() + ph() * n_fit + auth()))
    t.append(('placeholders-300', h + uid() + ck() + ph() * 300 + auth()))
    t.append(('placeholders-short', h + uid() + ck() + ph(len(c) - 4) * 5 + auth()))
    t.append(('placeholders-long', h + uid() + ck() + ph(len(c) + 400) * 2 + auth()))
    t.append(('placeholders-mixed', h + uid() + ck() + (ph() + ph(4)) * 5 + auth()))
    # Plain NTP with unknown and odd extension fields, and legacy MACs
    t.append(('unknown-ef', h + ef(0x7777, os.urandom(16))))
    t.append(('ef-len-0', h + struct.pack('!HH', 0x1234, 0) + bytes(12)))
    t.append(('ef-past-end', h + struct.pack('!HH', 0x1234, 0xffff) + bytes(12)))
    t.append(('mac-after-nts', good + struct.pack('!I', 1) + os.urandom(16)))
    t.append(('mac-only', h + struct.pack('!I', 4242) + os.urandom(20)))
    # Not requests: server, broadcast, control, private, reserved modes,
    # bad versions; several with NTS fields
    for mode in (0, 2, 4, 5, 6, 7):
        t.append(('mode-%d' % mode, header(mode=mode, stratum=2)))
        t.append(('mode-%d-nts' % mode, header(mode=mode, stratum=2) + uid() + ck() + auth()))
    t.append(('server-nak', header(mode=4, stratum=0, refid=b'NTSN') + uid() + auth()))
    t.append(('server-kod', header(mode=4, stratum=0, refid=b'RATE')))
    for version in (0, 5, 6, 7):
        t.append(('version-%d' % version, header(version=version) + uid() + ck() + auth()))
    t.append(('ntpq-readvar', b'\x16\x02\x00\x01' + bytes(8)))
    t.append(('ntpq-readvar-long', b'\x16\x02\x00\x01\x00\x00\x00\x00\x00\x00\x01\xf0' +
              bytes(496)))
    t.append(('ntpdc-monlist', b'\x17\x00\x03\x2a' + bytes(188)))
    t.append(('ntpdc-monlist-short', b'\x17\x00\x03\x2a' + bytes(44)))
    t.append(('empty', b''))
    return t


def is_request(p):
    """Packets a server may answer: NTP modes 1 and 3, versions 1-4"""
    if len(p) < 48:
        return False
    mode, version = p[0] & 7, (p[0] >> 3) & 7
    return mode in (1, 3) and 1 <= version <= 4


def mutate(p, rnd):
    p = bytearray(p)
    for _ in range(rnd.randint(1, 4)):
        what = rnd.random()
        if what < 0.4 and p:
            p[rnd.randrange(len(p))] = rnd.randrange(256)
        elif what < 0.6 and len(p) > 52:
            # a 16-bit field in the extension area: a type or a length
            i = 48 + rnd.randrange((len(p) - 50) // 2) * 2
            p[i:i + 2] = struct.pack('!H', rnd.choice((0, 1, 4, 8, 0x104, 0x204, 0x304,
                                                       0x404, 0x8000, 0xffff,
                                                       rnd.randrange(65536))))
        elif what < 0.8 and len(p) > 1:
            del p[rnd.randrange(len(p)):]
        else:
            p += os.urandom(rnd.choice((1, 2, 3, 4, 16, 100)))
    return bytes(p)


def cmd_packets(rnd, n):
    """Malformed command packets (chronyd's protocol) for the command port"""
    out = []
    for _ in range(n):
        version = rnd.choice((6, 6, 6, 5, 4, 0, 7, 255))
        ptype = rnd.choice((1, 1, 1, 2, 0, 3))
        command = rnd.choice((0, 14, 15, 33, 34, 35, 44, 51, 65, 9999, rnd.randrange(80)))
        seq = rnd.getrandbits(32)
        hdr = struct.pack('!BBBBHHIII', version, ptype, 0, 0, command, 0, seq, 0, 0)
        body = os.urandom(rnd.choice((0, 1, 7, 8, 40, 100, 400, 500, 1000, 1500)))
        p = hdr + body
        if rnd.random() < 0.2:
            p = p[:rnd.randrange(len(p))]
        out.append((seq, p))
    return out


def barrage(ntp_port, cmd_port, cookie_file, count, seconds, seed):
    rnd = random.Random(seed)
    try:
        cookies = [bytes.fromhex(l.strip()) for l in open(cookie_file) if l.strip()]
    except OSError:
        cookies = []
    deadline = time.monotonic() + seconds
    templates = nts_templates(cookies, rnd)

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.setblocking(False)
    cs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    cs.setblocking(False)

    sent = {}            # transmit timestamp -> (name, length, is request)
    cmd_sent = {}        # sequence -> (length, packet type)
    stats = {'sent': 0, 'replies': 0, 'cmd_sent': 0, 'cmd_replies': 0,
             'mode1_replies': 0, 'nak': 0, 'max_ratio': 0.0}
    violations = []

    def drain():
        while True:
            try:
                r = s.recv(70000)
            except BlockingIOError:
                break
            stats['replies'] += 1
            origin = r[24:32] if len(r) >= 32 else b''
            if origin not in sent:
                violations.append('unmatched NTP reply of %d bytes' % len(r))
                continue
            name, length, req = sent[origin]
            if not req:
                violations.append('reply of %d bytes to non-request %s' % (len(r), name))
            elif len(r) > length:
                violations.append('reply of %d bytes to %d-byte %s' % (len(r), length, name))
            if len(r) >= 16 and r[1] == 0 and r[12:16] == b'NTSN':
                stats['nak'] += 1
            if name.startswith('mode-1'):
                stats['mode1_replies'] += 1
        while True:
            try:
                r = cs.recv(70000)
            except BlockingIOError:
                break
            stats['cmd_replies'] += 1
            seq = struct.unpack('!I', r[16:20])[0] if len(r) >= 20 else None
            if seq not in cmd_sent:
                violations.append('unmatched command reply of %d bytes' % len(r))
                continue
            length, ptype = cmd_sent[seq]
            if ptype != 1:
                violations.append('command reply to packet type %d' % ptype)
            elif len(r) > length:
                violations.append('command reply of %d bytes to %d-byte request' %
                                  (len(r), length))

    def send_ntp(name, p):
        tx = os.urandom(8)
        while tx in sent:
            tx = os.urandom(8)
        if len(p) >= 48:
            p = p[:40] + tx + p[48:]
        sent[tx] = (name, len(p), is_request(p))
        try:
            s.sendto(p, (HOST, ntp_port))
            stats['sent'] += 1
        except OSError:
            pass

    n_cmd = count // 8
    cmds = cmd_packets(rnd, n_cmd)
    i = 0
    # every template once (twice for mode 1 and 3 variants), then mutants
    queue = [(n, p) for n, p in templates]
    for mode in (1, 3):
        hp = bytearray(header(mode=mode))
        queue.append(('mode-%d-plain' % mode, bytes(hp)))
    while i < count and time.monotonic() < deadline:
        if i < len(queue):
            name, p = queue[i]
        elif i % 8 == 0 and cmds:
            seq, p = cmds.pop()
            cmd_sent[seq] = (len(p), p[1] if len(p) > 1 else -1)
            try:
                cs.sendto(p, (HOST, cmd_port))
                stats['cmd_sent'] += 1
            except OSError:
                pass
            i += 1
            continue
        else:
            name, p = rnd.choice(templates)
            name, p = 'mutant-of-' + name, mutate(p, rnd)
        send_ntp(name, p)
        i += 1
        if i % 20 == 0:
            time.sleep(0.004)
            drain()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        time.sleep(0.1)
        drain()
    for k in ('sent', 'replies', 'nak', 'mode1_replies', 'cmd_sent', 'cmd_replies'):
        print(k, stats[k])
    for v in violations[:20]:
        print('violation', v)
    print('violations', len(violations))
    return 1 if violations else 0


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'hold':
        hold(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == 'ke':
        ke(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    elif cmd == 'barrage':
        sys.exit(barrage(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                         float(sys.argv[6]), int(sys.argv[7])))
    else:
        sys.exit('unknown command ' + cmd)
