#!/usr/bin/env python3
"""A known mix of NTP, command and NTS-KE traffic for t_serverstats.sh.

  stats_mix.py NTP_PORT CMD_PORT NTSKE_PORT CA_FILE KEY_HEX

Sends, to a server on 127.0.0.1 that allows NTP from 127.0.0.1 and
127.0.0.3 only, commands from 127.0.0.1 and 127.0.0.3 only, with key 1
(SHA1, KEY_HEX), ratelimit and ntsratelimit set:

  - valid client requests (NTPv4 and NTPv3) from 127.0.0.1,
  - malformed packets and packets of other modes from 127.0.0.1,
  - valid client requests from the denied 127.0.0.2,
  - requests with a correct and with a wrong MAC of key 1,
  - a back-to-back flood of requests from 127.0.0.3 (rate limited),
  - command requests: valid, of an old version, malformed, denied,
  - NTS-KE handshakes from the denied 127.0.0.2 and a burst of them from
    127.0.0.3 (rate limited).

Prints one "NAME COUNT" line per kind of reply it got, so that the test
can say what the server's counters must show.  Loopback only.
"""
import hashlib
import os
import socket
import ssl
import struct
import sys
import time

FLOOD = 40
KE_BURST = 10
CMD_BURST = 5


def request(version=4, mode=3):
    return bytes([(version << 3) | mode, 0, 6, 0xec]) + bytes(36) + os.urandom(8)


def udp_from(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    return s


def drain(s, wait):
    """Count the datagrams that arrive within WAIT seconds of the last one"""
    n = 0
    s.settimeout(wait)
    while True:
        try:
            s.recv(4096)
        except socket.timeout:
            return n
        n += 1


def exchange(s, port, pkts, wait=2.0):
    """Send each packet and wait for its reply; returns the replies got"""
    n = 0
    for p in pkts:
        s.sendto(p, ('127.0.0.1', port))
        s.settimeout(wait)
        try:
            s.recv(4096)
            n += 1
        except socket.timeout:
            pass
    return n


def keyed(key, good):
    pkt = request()
    digest = bytearray(hashlib.sha1(key + pkt).digest())
    if not good:
        digest[7] ^= 0x40
    return pkt + struct.pack('!I', 1) + bytes(digest)


def command(version=6, pkt_type=1, cmd=33, length=104):
    # TRACKING (33): no body, padded to the 104 bytes of its reply
    hdr = struct.pack('!BBBBHHIII', version, pkt_type, 0, 0, cmd, 0,
                      struct.unpack('!I', os.urandom(4))[0], 0, 0)
    return (hdr + bytes(length))[:length]


def ke_handshakes(port, ca, addr, count):
    """Complete TLS handshakes (ALPN ntske/1); returns how many succeeded"""
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(['ntske/1'])
    ctx.check_hostname = False
    ok = 0
    for _ in range(count):
        try:
            raw = socket.create_connection(('127.0.0.1', port), timeout=3,
                                           source_address=(addr, 0))
        except OSError:
            continue
        try:
            with ctx.wrap_socket(raw, server_hostname='localhost') as t:
                if t.selected_alpn_protocol() == 'ntske/1':
                    ok += 1
        except (OSError, ssl.SSLError):
            pass
        finally:
            raw.close()
    return ok


def main():
    ntp_port, cmd_port, ke_port = (int(a) for a in sys.argv[1:4])
    ca, key = sys.argv[4], bytes.fromhex(sys.argv[5])

    # NTP from 127.0.0.1: answered, then not requests, then keyed
    s = udp_from('127.0.0.1')
    print('ntp_valid', exchange(s, ntp_port, [request(), request(), request(),
                                              request(3, 3)]))
    bad = [b'', b'\x23', request()[:20], request()[:47], request() + b'\x00',
           request() + bytes(8),                         # neither field nor MAC
           request() + b'\x00\x00\xff\xff' + bytes(12),  # field longer than the packet
           request(0, 3), request(5, 3), request(7, 3)]
    bad += [request(4, mode) for mode in (2, 4, 5, 6, 7)]
    for p in bad:
        s.sendto(p, ('127.0.0.1', ntp_port))
    print('ntp_bad', drain(s, 0.3))
    print('ntp_keyed', exchange(s, ntp_port, [keyed(key, True), keyed(key, True)]))
    print('ntp_badmac', exchange(s, ntp_port, [keyed(key, False)], 0.5))
    s.close()

    s = udp_from('127.0.0.2')
    for _ in range(3):
        s.sendto(request(), ('127.0.0.1', ntp_port))
    print('ntp_denied', drain(s, 0.3))
    s.close()

    # The flood: sent at once, far faster than the rate limit
    s = udp_from('127.0.0.3')
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    for _ in range(FLOOD):
        s.sendto(request(), ('127.0.0.1', ntp_port))
    print('flood_sent', FLOOD)
    # Every reply counts: a late one would show as a drop that was not
    print('flood_replies', drain(s, 1.5))
    s.close()

    # Commands.  Version 4 is counted but never answered (chronyd's order).
    s = udp_from('127.0.0.1')
    print('cmd_valid', exchange(s, cmd_port, [command(), command()]))
    for p in (command(version=4), command(pkt_type=2), command(length=10), b'\x06'):
        s.sendto(p, ('127.0.0.1', cmd_port))
    print('cmd_bad', drain(s, 0.3))
    s.close()
    s = udp_from('127.0.0.2')
    s.sendto(command(), ('127.0.0.1', cmd_port))
    print('cmd_denied', drain(s, 0.3))
    s.close()
    s = udp_from('127.0.0.3')
    print('cmd_other', exchange(s, cmd_port, [command() for _ in range(CMD_BURST)]))
    s.close()

    # NTS-KE
    print('ke_denied', ke_handshakes(ke_port, ca, '127.0.0.2', 2))
    print('ke_sent', KE_BURST)
    print('ke_ok', ke_handshakes(ke_port, ca, '127.0.0.3', KE_BURST))
    # Let the server finish with the last connections before it is asked
    time.sleep(0.3)


main()
