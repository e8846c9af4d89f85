#!/bin/sh
# clients: ntsd and chronyd get the same NTP and command requests at the
# same intervals (four 1 s apart, then 2 s, then 4 s) and chronyc clients
# shows the same line for both: hits, drops, the average intervals (Int,
# log2 seconds: 0, then 1, then 2) and IntL ("-": nothing was dropped).
# clients -r reports the counters, then zeroes them in both daemons while
# the intervals stay; ntsctl prints the line as chronyc does.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10"
start_ntsd "$TMP/ntsd.conf"

C_PORT=$(free_port udp)
C_CMD=$(free_port udp)
C_SOCK=$TMP/chronyd.sock
start_bg chronyd $NOCLOCK chronyd -x -d -u root "port $C_PORT" "cmdport $C_CMD" \
  'bindaddress 127.0.0.1' 'bindcmdaddress 127.0.0.1' "bindcmdaddress $C_SOCK" \
  'allow 127.0.0.1' 'local stratum 10' "pidfile $TMP/chronyd.pid"
wait_for 5 sh -c "[ -S '$C_SOCK' ]"
check "ntsd is up" [ -S "$TMP/ntsd.sock" ]
check "chronyd is up" [ -S "$C_SOCK" ]

# send GAPS: one NTP request to each daemon (the reply awaited) and one
# chronyc tracking over UDP to each, at each of the gaps (seconds, from
# the previous step; the first from now)
send() {
  python3 - "$1" "$NTP_PORT" "$C_PORT" -- "$CMD_PORT" "$C_CMD" <<'EOF'
import socket, struct, subprocess, sys, time
gaps = [float(g) for g in sys.argv[1].split()]
args = sys.argv[2:]
ntp = [int(p) for p in args[:args.index("--")]]
cmd = [int(p) for p in args[args.index("--") + 1:]]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
t0, at = time.monotonic(), 0.0
for g in gaps:
    at += g
    time.sleep(max(0.0, t0 + at - time.monotonic()))
    for p in ntp:
        tx = struct.pack("!Q", int(time.time() * 2**32) % 2**64)
        s.sendto(b"\x23" + bytes(39) + tx, ("127.0.0.1", p))
        try:
            s.recvfrom(2048)
        except socket.timeout:
            print("no NTP reply from port %d" % p)
    for p in cmd:
        subprocess.run(["chronyc", "-h", "127.0.0.1", "-p", str(p), "tracking"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
EOF
}

# row SOCK [CLIENT...]: the 127.0.0.1 line of `clients` over the Unix
# socket, without the two Last columns (seconds tick on between the calls)
row() {
  sock=$1
  shift
  "${CLIENT:-chronyc}" -h "$sock" -n clients "$@" 2>&1 |
    awk '$1 == "127.0.0.1" { $6 = "."; $10 = "."; print }'
}

# same DESC EXPECTED [ARGS]: both daemons show the expected line
same() {
  what=$1
  want=$2
  shift 2
  n=$(row "$TMP/ntsd.sock" "$@")
  c=$(row "$C_SOCK" "$@")
  echo "    ntsd:    $n"
  echo "    chronyd: $c"
  check "$what: ntsd equals chronyd" [ "${n:-none}" = "$c" ]
  check "$what: ntsd shows '$want'" [ "$n" = "$want" ]
}

send "0 1 1 1" > "$TMP/send1.out"
check "every request was answered" [ ! -s "$TMP/send1.out" ]
same "4 requests 1 s apart" "127.0.0.1 4 0 0 - . 4 0 0 ."
send "2 2" > "$TMP/send2.out"
same "then 2 requests 2 s apart" "127.0.0.1 6 0 1 - . 6 0 1 ."
send "4" > "$TMP/send3.out"
same "then one 4 s later" "127.0.0.1 7 0 2 - . 7 0 2 ."

CLIENT=$NTSCTL
n=$(row "$TMP/ntsd.sock")
CLIENT=chronyc
check "ntsctl prints the line chronyc prints ($n)" [ "$n" = "$(row "$TMP/ntsd.sock")" ]

# -r: the reply still has the counters, the next one has them zeroed;
# the intervals are not counters and stay
same "clients -r reports before it resets" "127.0.0.1 7 0 2 - . 7 0 2 ." -r
same "after clients -r" "127.0.0.1 0 0 2 - . 0 0 2 ."
# 6 s: rounded to 8 s, which leaves the average at 2
send "6" > "$TMP/send4.out"
same "counting goes on after the reset" "127.0.0.1 1 0 2 - . 1 0 2 ."
CLIENT=$NTSCTL
row "$TMP/ntsd.sock" -r > /dev/null
CLIENT=chronyc
check "ntsctl clients -r resets too" [ "$(row "$TMP/ntsd.sock")" = "127.0.0.1 0 0 2 - . 0 0 2 ." ]

finish
