#!/bin/sh
# Instructions per request on the NTP port, from callgrind: a number that,
# unlike a rate, does not depend on what else the machine is doing.
#
# ntsd runs under callgrind (with -x and without CAP_SYS_TIME) and only
# the NTP socket handler is counted (--toggle-collect), so start-up, the
# NTS-KE handshake of the nts mode and the idle loop are left out, while
# everything the handler calls (parsing, client log, NTS, the user-space
# side of recvmmsg/sendmmsg) is in.  ntsload sends a bounded number of
# requests per mode; Ir/request = Ir counted / valid replies.
#
# Environment: REQUESTS (20000 per mode), WINDOW (64), MODES ("plain nts"),
# NTSD (binary), KEEP (a directory to keep callgrind.out.* in).
# Prints one line per mode: mode=M requests=N ir=I ir_per_request=R

bench_ntsd=${NTSD:-}
. "$(dirname "$0")/../system/lib/common.sh"
# The binary itself, not the system tests' wrapper (which adds -F and
# NTSD_WRAP): valgrind must see ntsd, and the bench compares daemons as
# started the same way (chronyd too runs without -F)
NTSD=${bench_ntsd:-$TOP/ntsd}

REQUESTS=${REQUESTS:-20000}
WINDOW=${WINDOW:-64}
MODES=${MODES:-plain nts}
LOAD=$TOP/test/bench/ntsload

die() {
  echo "callgrind: $*" >&2
  exit 1
}

command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed"
command -v certtool >/dev/null 2>&1 || die "certtool is not installed"
[ -x "$LOAD" ] || die "build first: make test/bench/ntsload"
[ "$REQUESTS" -ge 1 ] && [ "$REQUESTS" -le 10000000 ] || die "REQUESTS must be 1-10000000"

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS" > /dev/null || die "mkcerts.sh failed"

for m in $MODES; do
  NTP_PORT=$(free_port udp) || die "no free port"
  NTSKE_PORT=$(free_port tcp) || die "no free port"
  dir=$TMP/$m
  mkdir -p "$dir"
  chmod 700 "$dir"
  cat > "$dir/conf" <<EOF
port $NTP_PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 10
ntsservercert $CERTS/server.pem
ntsserverkey $CERTS/server.key
ntsport $NTSKE_PORT
ntsdumpdir $dir
cmdport 0
bindcmdaddress $dir/ntsd.sock
pidfile $dir/ntsd.pid
EOF
  start_bg "ntsd-$m" $NOCLOCK valgrind --tool=callgrind \
    --callgrind-out-file="$dir/callgrind.out" --toggle-collect=handle_server_socket \
    "$NTSD" -d -x -U -u root -f "$dir/conf"
  vpid=$LAST_PID
  wait_for 60 udp_listening "$NTP_PORT" || die "ntsd did not start (see $TMP/ntsd-$m.log)"
  wait_for 60 tcp_listening "$NTSKE_PORT" || die "ntsd has no NTS-KE port"
  # A generous time limit: the server runs some 50 times slower
  out=$("$LOAD" -m "$m" -p "$NTP_PORT" -k "$NTSKE_PORT" -a "$CERTS/ca.pem" \
    -w "$WINDOW" -n "$REQUESTS" -d 300 -t 5000 2> "$TMP/load-$m.err") ||
    die "ntsload failed in mode $m: $(tail -n 3 "$TMP/load-$m.err"); ntsd: $(tail -n 20 "$TMP/ntsd-$m.log")"
  stop_pid "$vpid"
  PIDS=$(echo " $PIDS " | sed "s/ $vpid / /")
  valid=$(echo "$out" | tr ' ' '\n' | sed -n 's/^valid=//p')
  ir=$(sed -n 's/^summary: //p' "$dir/callgrind.out")
  [ -n "$ir" ] && [ "${valid:-0}" -gt 0 ] || die "no result in mode $m ($out)"
  echo "mode=$m requests=$valid ir=$ir ir_per_request=$((ir / valid))"
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    cp "$dir/callgrind.out" "$KEEP/callgrind.out.$m"
  fi
done
