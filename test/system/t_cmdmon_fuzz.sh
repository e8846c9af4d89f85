#!/bin/sh
# Command protocol robustness: thousands of malformed, truncated, oversized,
# wrong-version, wrong-type and random command packets at the UDP command
# port and the Unix socket.  No reply may be longer than its request, each
# reply must be well-formed and the status chronyd 4.3 gives, packets
# chronyd drops must get no reply, UDP must never get a restricted command
# executed, and the daemon must still serve chronyc and ntsctl afterwards
# with its command counters matching what was sent.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyc python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
SOCK=$TMP/ntsd.sock
COUNT=${FUZZ_COUNT:-3000}
SEED=${FUZZ_SEED:-$$}

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10"
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts" [ $? -eq 0 ]
wait_for 5 test -S "$SOCK"
check "ntsd opens its Unix command socket" test -S "$SOCK"

cat > "$TMP/fuzz.py" << 'EOF'
# fuzz.py udp PORT | unix SERVER_PATH CLIENT_PATH, COUNT, SEED, SECONDS
# Prints "counted N" (requests the daemon must count: right length range,
# type and reserved bytes, from a sender it answers) and one line per
# violation; exits 1 on any violation.
import os, random, socket, struct, sys, time

mode = sys.argv[1]
if mode == "udp":
    port = int(sys.argv[2]); args = sys.argv[3:]
else:
    server, client = sys.argv[2], sys.argv[3]; args = sys.argv[4:]
count, seed, seconds = int(args[0]), int(args[1]), float(args[2])
rnd = random.Random(seed)
deadline = time.monotonic() + seconds

# Request lengths chronyd 4.3 expects (0 = unsupported), as src/cmd/cmd_wire.c
LENGTHS = {0: 28, 1: 60, 2: 60, 3: 68, 4: 44, 5: 44, 6: 28, 7: 44, 8: 44,
           9: 28, 10: 32, 11: 40, 13: 28, 14: 32, 15: 76, 16: 28, 17: 44,
           18: 44, 19: 44, 20: 44, 21: 44, 22: 44, 23: 44, 24: 44, 25: 40,
           26: 40, 29: 40, 30: 28, 31: 28, 33: 104, 34: 84, 35: 56, 36: 28,
           37: 28, 41: 416, 42: 28, 43: 28, 44: 48, 45: 44, 46: 44, 47: 44,
           48: 28, 49: 28, 50: 28, 51: 52, 52: 28, 53: 28, 54: 48, 56: 36,
           57: 152, 62: 28, 63: 28, 64: 372, 65: 284, 66: 28, 67: 52,
           68: 520, 69: 76, 70: 28, 71: 28, 72: 52, 73: 48, 74: 48}
OPEN = {0, 10, 14, 15, 33, 34, 35, 41, 44, 51, 65}
# Never executed on purpose: stopping the daemon, adding sources (traffic
# off loopback), anything touching the clock or the RTC
DANGEROUS = {11, 27, 28, 30, 31, 32, 36, 43, 50, 58, 59, 60, 61, 62, 64, 71}
if mode == "udp":
    # Over UDP only what could send traffic off loopback is left out; the
    # rest must be refused, which the permission sweep below checks
    AVOID = {27, 28, 58, 59, 60, 61, 64}
else:
    AVOID = DANGEROUS
COMMANDS = [c for c in range(0, 80) if c not in AVOID]
STT_UNAUTH, STT_INVALID, STT_BADPKTVERSION, STT_BADPKTLENGTH = 2, 3, 18, 19

if mode == "udp":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", port))
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.2", 0))
    other.connect(("127.0.0.1", port))
else:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(client)
    except FileNotFoundError:
        pass
    sock.bind(client)
    os.chmod(client, 0o666)
    sock.connect(server)
    other = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # unbound
    other.connect(server)
sock.settimeout(2.0)
other.settimeout(2.0)

violations = []
statuses = {}
counted = 0
ping_seq = 0xA5000000

def bad(msg):
    violations.append(msg)
    print("VIOLATION " + msg)

def header(version=6, ptype=1, res1=0, res2=0, command=14, seq=None):
    if seq is None:
        seq = rnd.getrandbits(32)
        if seq >> 24 == 0xA5:
            seq ^= 0x01000000
    return struct.pack("!BBBBHHIII", version, ptype, res1, res2, command,
                       rnd.getrandbits(16), seq, 0, 0)

def is_counted(pkt):
    return 28 <= len(pkt) <= 860 and pkt[1] == 1 and pkt[2] == 0 and pkt[3] == 0

def executable(pkt):
    """Header a daemon would act on (whatever the version)"""
    return len(pkt) >= 20 and pkt[1] == 1 and pkt[2] == 0 and pkt[3] == 0

def fence():
    """Send a valid N_SOURCES and collect every datagram received before its
    reply (the daemon answers one socket's requests in order)"""
    global ping_seq, counted
    ping_seq += 1
    ping = header(command=14, seq=ping_seq) + bytes(12)
    sock.send(ping)
    counted += 1
    got = []
    while True:
        try:
            r = sock.recv(65536)
        except socket.timeout:
            return None
        if len(r) >= 28 and struct.unpack("!H", r[4:6])[0] == 14 and \
           struct.unpack("!I", r[16:20])[0] == ping_seq:
            if len(r) != 32 or r[0] != 6 or r[1] != 2:
                bad("malformed reply to the fence: %s" % r.hex())
            return got
        got.append(r)

def status_of(r):
    return struct.unpack("!H", r[8:10])[0]

def check_replies(kind, pkt, replies):
    if len(replies) > 1:
        bad("%s: %d replies to one request" % (kind, len(replies)))
    for r in replies:
        if len(r) >= 10:
            statuses[status_of(r)] = statuses.get(status_of(r), 0) + 1
        if len(r) > len(pkt):
            bad("%s: reply of %d bytes to a request of %d: %s" % (kind, len(r), len(pkt), pkt[:64].hex()))
        if len(r) < 28 or r[0] != 6 or r[1] != 2 or r[2] or r[3]:
            bad("%s: malformed reply header %s" % (kind, r[:28].hex()))
            continue
        if r[4:6] != pkt[4:6] or r[16:20] != pkt[8:12]:
            bad("%s: reply does not echo command and sequence" % kind)
    # What chronyd 4.3 does with the request (spec section 2.5)
    if not is_counted(pkt):
        if replies:
            bad("%s: reply to a request chronyd drops (len %d): %s" % (kind, len(pkt), pkt[:32].hex()))
        return
    version, command = pkt[0], struct.unpack("!H", pkt[4:6])[0]
    if version != 6:
        if version < 5 and replies:
            bad("%s: reply to protocol version %d" % (kind, version))
        if version >= 5 and (not replies or status_of(replies[0]) != STT_BADPKTVERSION):
            bad("%s: version %d not answered with status 18" % (kind, version))
        return
    if not replies:
        bad("%s: no reply to a valid-header request (command %d, len %d)" % (kind, command, len(pkt)))
        return
    st = status_of(replies[0])
    need = LENGTHS.get(command, 0)
    if command == 54:
        need = 48
    if need == 0:
        if st != STT_INVALID:
            bad("%s: unsupported command %d answered with status %d" % (kind, command, st))
    elif len(pkt) < need:
        if st != STT_BADPKTLENGTH:
            bad("%s: short command %d (%d < %d) answered with status %d" % (kind, command, len(pkt), need, st))
    elif mode == "udp" and command not in OPEN and st != STT_UNAUTH:
        bad("%s: restricted command %d over UDP answered with status %d" % (kind, command, st))

def generate():
    kind = rnd.randrange(9)
    command = rnd.choice(COMMANDS)
    need = LENGTHS.get(command, 0) or rnd.randrange(28, 200)
    if kind == 0:    # random bytes
        name, pkt = "random", bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 1100)))
    elif kind == 1:  # truncated
        n = rnd.randrange(0, max(need, 1))
        name, pkt = "truncated", (header(command=command) + bytes(need))[:n]
    elif kind == 2:  # valid header, right length, random body
        extra = rnd.choice([0, 0, 0, 4, rnd.randrange(0, 860 - need + 1)])
        name = "random-body"
        pkt = header(command=command) + bytes(rnd.getrandbits(8) for _ in range(need - 20 + extra))
    elif kind == 3:  # valid header, zero body of the right length
        name, pkt = "zero-body", header(command=command) + bytes(need - 20)
    elif kind == 4:  # oversized
        name = "oversized"
        pkt = header(command=command) + bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(841, 4000)))
    elif kind == 5:  # wrong version
        v = rnd.choice([0, 1, 2, 3, 4, 5, 7, 255, rnd.randrange(256)])
        if v == 6:
            v = 5
        name, pkt = "version-%d" % v, header(version=v, command=command) + bytes(need - 20)
    elif kind == 6:  # wrong packet type or reserved bytes
        t = rnd.choice([0, 2, 3, 255])
        r1, r2 = rnd.choice([(0, 0), (1, 0), (0, 1), (255, 255)])
        if t == 1 and r1 == 0 and r2 == 0:
            t = 2
        name, pkt = "type-%d" % t, header(ptype=t, res1=r1, res2=r2, command=command) + bytes(need - 20)
    elif kind == 7:  # random command code, including out of range
        c = rnd.choice([rnd.randrange(75, 65536), rnd.randrange(0, 100)])
        name, pkt = "command-%d" % c, header(command=c) + bytes(rnd.randrange(8, 840))
    else:            # a valid request with a few bytes flipped
        pkt = bytearray(header(command=command) + bytes(need - 20))
        for _ in range(rnd.randrange(1, 8)):
            i = rnd.randrange(len(pkt))
            pkt[i] = rnd.getrandbits(8)
        name, pkt = "bitflip", bytes(pkt)
    return name, pkt

def allowed(pkt):
    return not (executable(pkt) and struct.unpack("!H", pkt[4:6])[0] in AVOID)

sent = 0
for i in range(count):
    if time.monotonic() > deadline:
        print("deadline reached after %d packets" % i)
        break
    name, pkt = generate()
    while not allowed(pkt):
        name, pkt = generate()
    sock.send(pkt)
    sent += 1
    if is_counted(pkt):
        counted += 1
    replies = fence()
    if replies is None:
        bad("daemon stopped answering after %s packet %s" % (name, pkt[:64].hex()))
        break
    check_replies(name, pkt, replies)

if mode == "udp" and not violations:
    # Permission sweep: every supported restricted command, with a zero
    # body of the right length, must be refused over UDP
    for c in sorted(LENGTHS):
        if c in OPEN:
            continue
        pkt = header(command=c) + bytes(LENGTHS[c] - 20)
        sock.send(pkt)
        counted += 1
        replies = fence()
        if replies is None:
            bad("daemon stopped answering after restricted command %d" % c)
            break
        check_replies("restricted-%d" % c, pkt, replies)

# A sender the daemon must not answer: 127.0.0.2 over UDP (not localhost,
# no cmdallow), an unbound socket on the Unix side
if not violations:
    for i in range(50):
        other.send(header(command=14) + bytes(12))
        if fence() is None:
            bad("daemon stopped answering after the foreign sender")
            break
    try:
        r = other.recv(65536, socket.MSG_DONTWAIT)
        bad("reply to a sender that must be ignored: %s" % r[:28].hex())
    except (BlockingIOError, OSError):
        pass

print("sent %d" % sent)
print("statuses %s" % " ".join("%d:%d" % kv for kv in sorted(statuses.items())))
print("counted %d" % counted)
if mode == "unix":
    os.unlink(client)
sys.exit(1 if violations else 0)
EOF

jnum() { # jnum FIELD < JSON
  python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

"$NTSCTL" -j -h "$SOCK" serverstats > "$TMP/s1.json"
check "serverstats before" [ $? -eq 0 ]
rx1=$(jnum command_packets_received < "$TMP/s1.json")
dr1=$(jnum command_packets_dropped < "$TMP/s1.json")

timeout 120 python3 "$TMP/fuzz.py" udp "$CMD_PORT" "$COUNT" "$SEED" 60 > "$TMP/udp.out" 2>&1
check "udp: $COUNT fuzz packets (seed $SEED) without a violation" [ $? -eq 0 ]
grep -m 10 -v '^counted' "$TMP/udp.out" | sed 's/^/    /'

timeout 120 python3 "$TMP/fuzz.py" unix "$SOCK" "$TMP/fuzz.sock" "$COUNT" "$SEED" 60 > "$TMP/unix.out" 2>&1
check "unix: $COUNT fuzz packets (seed $SEED) without a violation" [ $? -eq 0 ]
grep -m 10 -v '^counted' "$TMP/unix.out" | sed 's/^/    /'

check "daemon still running" kill -0 "$NTSD_PID"

"$NTSCTL" -j -h "$SOCK" serverstats > "$TMP/s2.json"
check "ntsctl serverstats over the Unix socket works afterwards" [ $? -eq 0 ]
rx2=$(jnum command_packets_received < "$TMP/s2.json")
dr2=$(jnum command_packets_dropped < "$TMP/s2.json")
n_udp=$(sed -n 's/^counted //p' "$TMP/udp.out")
n_unix=$(sed -n 's/^counted //p' "$TMP/unix.out")
want=$(( ${n_udp:-0} + ${n_unix:-0} + 1 ))
# +1: the serverstats request counts itself; allow for two retransmissions
check "command packets received grew by what was sent ($rx1 -> $rx2, want +$want)" \
  [ $((rx2 - rx1)) -ge "$want" -a $((rx2 - rx1)) -le $((want + 2)) ]
check "command packets dropped unchanged ($dr1 -> $dr2): localhost is never rate limited" \
  [ "$dr2" -eq "$dr1" ]

out=$(chronyc -h "$SOCK" tracking 2>&1)
check "chronyc tracking over the Unix socket works afterwards" \
  sh -c "[ $? -eq 0 ] && echo '$out' | grep -q '^Stratum'"
out=$(chronyc -h 127.0.0.1 -p "$CMD_PORT" tracking 2>&1)
check "chronyc tracking over UDP works afterwards" \
  sh -c "[ $? -eq 0 ] && echo '$out' | grep -q '^Stratum'"
out=$("$NTSCTL" -h "$SOCK" tracking 2>&1)
check "ntsctl tracking works afterwards" \
  sh -c "[ $? -eq 0 ] && echo '$out' | grep -q '^Stratum'"
"$NTSCTL" -h "$SOCK" serverstats > "$TMP/ss.txt"
check "ntsctl serverstats shows command packets received" \
  grep -Eq '^Command packets received   : [1-9][0-9]*$' "$TMP/ss.txt"
check "ntsctl serverstats shows command packets dropped" \
  grep -Eq '^Command packets dropped    : [0-9]+$' "$TMP/ss.txt"

check "no client socket left behind" sh -c "! ls '$TMP'/fuzz.sock '$TMP'/chronyc.*.sock 2>/dev/null | grep -q ."
check "daemon still running at the end" kill -0 "$NTSD_PID"
stop_pid "$NTSD_PID"
check "daemon exits cleanly on SIGTERM" [ $? -eq 0 ]

finish
