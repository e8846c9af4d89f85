#!/usr/bin/env python3
"""A deliberately misbehaving NTS server (NTS-KE over TLS 1.3 and NTP) for
the NTS client tests.

    fake_nts_server.py KE_PORT NTP_PORT MODE CERT KEY SECONDS

listens on 127.0.0.1 only, serves one NTS-KE connection at a time and
exits after SECONDS.  One line per event goes to stdout (flushed), for the
test to see that the fake was really asked.

Keys: the NTS keys are TLS exporter values (RFC 8915 4.3), which Python's
ssl module cannot compute; the TLS 1.3 exporter master secret comes from
the key log (SSLContext.keylog_filename) and the exporter (RFC 8446 7.5)
is computed here with hmac/hashlib.  The cookie is the magic "FAKE" and
the two keys in the clear (a test server needs nothing better), so the
NTP side gets the keys back from the cookie.  AES-SIV-CMAC-256 is Nettle's
(the library ntsd uses), through ctypes.

MODE, NTS-KE side (the NTP side then behaves):
    good         a correct NTS server (the control)
    noalpn       no ALPN in the TLS handshake
    nocookies    a response without New Cookie records
    error        an Error record (code 1, Bad Request)
    warning      a Warning record
    ninecookies  nine cookies, the ninth different (RFC 8915 sets no limit;
                 as chronyd, the client keeps the first eight and ignores
                 the rest), then the NTP side behaves (only the first eight
                 are valid cookies for it)
    badaead      AEAD algorithm 30 (AEAD_AES_128_GCM_SIV, not asked for)
    badproto     Next Protocol 0x8000 (not asked for)
    critical     an unknown critical record (type 0x4000)
    tls12        TLS 1.2 at most (RFC 8915 requires TLS 1.3)
MODE, NTP side (the NTS-KE is correct):
    badauth      the reply's authenticator tag has one bit flipped
    foreignuid   the reply carries another Unique Identifier, correctly
                 authenticated (so only the identifier check can catch it)
    nouid        the reply has no Unique Identifier, correctly authenticated
    nak          every request with a valid cookie gets an NTS NAK (KoD
                 NTSN echoing the identifier), as from a server whose keys
                 changed: NTS-KE works, its cookies never do
"""
import ctypes
import ctypes.util
import hashlib
import hmac
import os
import select
import signal
import socket
import ssl
import struct
import sys
import tempfile
import time

NTS_LABEL = b"EXPORTER-network-time-security"
AEAD_SIV_256 = 15
KEY_LEN = 32
COOKIE_MAGIC = b"FAKE"
NTP_EPOCH = 2208988800

EF_UID = 0x0104
EF_COOKIE = 0x0204
EF_PLACEHOLDER = 0x0304
EF_AUTH = 0x0404

KE_MODES = ("good", "noalpn", "nocookies", "error", "warning", "ninecookies",
            "badaead", "badproto", "critical", "tls12")
NTP_MODES = ("badauth", "foreignuid", "nouid", "nak")


def log(*args):
    print(*args, flush=True)


# ---- AES-SIV-CMAC-256 (RFC 5297 with two AES-128 keys) from Nettle ----

_nettle = ctypes.CDLL(ctypes.util.find_library("nettle") or "libnettle.so.8")


class Siv:
    TAG = 16

    def __init__(self, key):
        assert len(key) == KEY_LEN
        self.ctx = ctypes.create_string_buffer(2048)
        _nettle.nettle_siv_cmac_aes128_set_key(self.ctx, key)

    def encrypt(self, nonce, ad, plaintext):
        out = ctypes.create_string_buffer(len(plaintext) + self.TAG)
        _nettle.nettle_siv_cmac_aes128_encrypt_message(
            self.ctx, ctypes.c_size_t(len(nonce)), nonce, ctypes.c_size_t(len(ad)), ad,
            ctypes.c_size_t(len(plaintext) + self.TAG), out, plaintext)
        return out.raw

    def decrypt(self, nonce, ad, ciphertext):
        if len(ciphertext) < self.TAG:
            return None
        out = ctypes.create_string_buffer(len(ciphertext) - self.TAG + 1)
        ok = _nettle.nettle_siv_cmac_aes128_decrypt_message(
            self.ctx, ctypes.c_size_t(len(nonce)), nonce, ctypes.c_size_t(len(ad)), ad,
            ctypes.c_size_t(len(ciphertext) - self.TAG), out, ciphertext)
        return out.raw[:len(ciphertext) - self.TAG] if ok else None


# ---- the TLS 1.3 exporter (RFC 8446 7.1, 7.5) ----

def hkdf_expand_label(hash_name, secret, label, context, length):
    full = b"tls13 " + label
    info = struct.pack("!HB", length, len(full)) + full + bytes([len(context)]) + context
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hash_name).digest()
        out += block
        i += 1
    return out[:length]


def tls_exporter(hash_name, exporter_secret, label, context, length):
    h = hashlib.new(hash_name)
    derived = hkdf_expand_label(hash_name, exporter_secret, label,
                                hashlib.new(hash_name, b"").digest(), h.digest_size)
    return hkdf_expand_label(hash_name, derived, b"exporter",
                             hashlib.new(hash_name, context).digest(), length)


def nts_keys(conn, keylog):
    secret = None
    with open(keylog) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "EXPORTER_SECRET":
                secret = bytes.fromhex(parts[2])
    if secret is None:
        raise RuntimeError("no EXPORTER_SECRET in the key log")
    hash_name = "sha384" if conn.cipher()[0].endswith("SHA384") else "sha256"
    keys = []
    for direction in (0, 1):
        context = struct.pack("!HHB", 0, AEAD_SIV_256, direction)
        keys.append(tls_exporter(hash_name, secret, NTS_LABEL, context, KEY_LEN))
    return keys[0], keys[1]


# ---- NTS-KE ----

def record(rtype, body=b"", critical=True):
    return struct.pack("!HH", rtype | (0x8000 if critical else 0), len(body)) + body


def u16(v):
    return struct.pack("!H", v)


def ke_response(mode, c2s, s2c):
    cookie = COOKIE_MAGIC + c2s + s2c
    proto = record(1, u16(0x8000 if mode == "badproto" else 0))
    aead = record(4, u16(30 if mode == "badaead" else AEAD_SIV_256))
    n_cookies = {"nocookies": 0, "ninecookies": 9}.get(mode, 8)
    cookies = b"".join(record(5, cookie, critical=False) for _ in range(min(n_cookies, 8)))
    if n_cookies > 8:
        # Beyond what the client keeps: a cookie the NTP side refuses, so
        # a client that used it would be seen ("ntp request without a
        # usable NTS cookie")
        cookies += b"".join(record(5, b"XTRA" + c2s + s2c, critical=False)
                            for _ in range(n_cookies - 8))
    extra = b""
    if mode == "error":
        return record(2, u16(1)) + record(0), 0
    if mode == "warning":
        extra = record(3, u16(1))
    if mode == "critical":
        extra = record(0x4000, b"\0\0\0\0")
    return proto + aead + extra + cookies + record(0), n_cookies


def read_request(conn):
    buf = b""
    while True:
        off = 0
        while len(buf) - off >= 4:
            rtype, blen = struct.unpack_from("!HH", buf, off)
            if len(buf) - off - 4 < blen:
                break
            if rtype & 0x7fff == 0:
                return buf
            off += 4 + blen
        data = conn.recv(4096)
        if not data:
            return None
        buf += data
        if len(buf) > 65536:
            return None


def serve_ke(listener, mode, tls_ctx, keylog):
    sock, addr = listener.accept()
    sock.settimeout(5)
    try:
        open(keylog, "w").close()
        conn = tls_ctx.wrap_socket(sock, server_side=True)
        req = read_request(conn)
        if req is None:
            log("ke incomplete request")
            return
        c2s, s2c = nts_keys(conn, keylog)
        resp, n = ke_response(mode, c2s, s2c)
        conn.sendall(resp)
        log("ke served %s alpn=%s cookies=%d" % (mode, conn.selected_alpn_protocol(), n))
        try:
            conn.unwrap()
        except (OSError, ssl.SSLError):
            pass
    except (OSError, ssl.SSLError, RuntimeError) as e:
        log("ke failed %s: %s" % (mode, e))
    finally:
        sock.close()


# ---- NTP ----

def ntp_now():
    t = time.time() + NTP_EPOCH
    return struct.pack("!II", int(t), int((t % 1) * 2**32) & 0xffffffff)


def ef(ftype, body):
    pad = (-len(body)) % 4
    return struct.pack("!HH", ftype, 4 + len(body) + pad) + body + b"\0" * pad


def parse_efs(pkt):
    off, fields = 48, []
    while len(pkt) - off >= 4:
        ftype, flen = struct.unpack_from("!HH", pkt, off)
        if flen < 4 or flen % 4 or off + flen > len(pkt):
            return None
        fields.append((ftype, off, pkt[off + 4:off + flen]))
        off += flen
    return fields if off == len(pkt) else None


def serve_ntp(sock, mode):
    pkt, addr = sock.recvfrom(2048)
    rx = ntp_now()
    if len(pkt) < 48 or pkt[0] & 7 != 3:
        return
    fields = parse_efs(pkt)
    if fields is None:
        log("ntp malformed request")
        return
    uid = cookie = auth = None
    n_placeholders = 0
    for ftype, off, body in fields:
        if ftype == EF_UID:
            uid = body
        elif ftype == EF_COOKIE:
            cookie = body
        elif ftype == EF_PLACEHOLDER:
            n_placeholders += 1
        elif ftype == EF_AUTH:
            auth = (off, body)
    if uid is None or cookie is None or auth is None or len(cookie) != 68 or \
            not cookie.startswith(COOKIE_MAGIC):
        log("ntp request without a usable NTS cookie")
        return
    c2s, s2c = cookie[4:36], cookie[36:68]
    off, body = auth
    nlen, clen = struct.unpack_from("!HH", body)
    nonce = body[4:4 + nlen]
    ct = body[4 + nlen + (-nlen) % 4:][:clen]
    if Siv(c2s).decrypt(nonce, pkt[:off], ct) is None:
        log("ntp request failed authentication")
        return
    if mode == "nak":
        # Stratum 0, reference id NTSN, the identifier and nothing else
        nak = bytes([0x24, 0, pkt[2], 0xec]) + struct.pack("!II", 0, 0) + b"NTSN" + \
            bytes(8) + pkt[40:48] + rx + ntp_now() + ef(EF_UID, uid)
        sock.sendto(nak, addr)
        log("ntp nak")
        return

    header = bytes([0x24, 10, pkt[2], 0xec]) + struct.pack("!II", 0x10, 0x10) + b"FAKE" + \
        ntp_now() + pkt[40:48] + rx
    if mode == "foreignuid":
        uid = os.urandom(len(uid))
    efs = b"" if mode == "nouid" else ef(EF_UID, uid)
    new_cookie = COOKIE_MAGIC + c2s + s2c
    plaintext = b"".join(ef(EF_COOKIE, new_cookie) for _ in range(1 + n_placeholders))
    reply_nonce = os.urandom(16)
    reply = header + ntp_now() + efs
    ct = Siv(s2c).encrypt(reply_nonce, reply, plaintext)
    if mode == "badauth":
        ct = ct[:5] + bytes([ct[5] ^ 0x01]) + ct[6:]
    reply += ef(EF_AUTH, struct.pack("!HH", len(reply_nonce), len(ct)) + reply_nonce + ct)
    sock.sendto(reply, addr)
    log("ntp replied %s cookies=%d" % (mode, 1 + n_placeholders))


def main():
    if len(sys.argv) != 7 or sys.argv[3] not in KE_MODES + NTP_MODES:
        sys.exit(__doc__)
    ke_port, ntp_port, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    cert, key, seconds = sys.argv[4], sys.argv[5], float(sys.argv[6])

    # SIGTERM ends the run like the timer does, and the key log goes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    keylog = tempfile.NamedTemporaryFile(prefix="fake-nts-keylog.", delete=False).name
    try:
        serve(ke_port, ntp_port, mode, cert, key, seconds, keylog)
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(keylog)


def serve(ke_port, ntp_port, mode, cert, key, seconds, keylog):
    tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if mode == "tls12":
        tls_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        tls_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    tls_ctx.load_cert_chain(cert, key)
    tls_ctx.keylog_filename = keylog
    if mode != "noalpn":
        tls_ctx.set_alpn_protocols(["ntske/1"])

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", ke_port))
    listener.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", ntp_port))
    log("listening ke %d ntp %d mode %s" % (ke_port, ntp_port, mode))

    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([listener, udp], [], [], min(left, 0.5))
        if listener in ready:
            serve_ke(listener, mode if mode in KE_MODES else "good", tls_ctx, keylog)
        if udp in ready:
            serve_ntp(udp, mode if mode in NTP_MODES else "good")

if __name__ == "__main__":
    main()
