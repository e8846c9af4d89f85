#!/bin/sh
# Command protocol: Debian's chronyc 4.3 and ntsctl print the same reports
# (text and CSV) for the same ntsd, over the Unix socket and over UDP;
# UDP gets only the open commands (501 Not authorised otherwise), the Unix
# socket everything; ntsctl -j prints valid JSON whose counters move;
# ntsctl reports a missing daemon as chronyc does.  dfreq, doffset,
# makestep and local change what tracking (and the log) shows; what ntsd
# cannot do (manual, add, delete) answers 505, never 200 OK.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyc chronyd python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
SOCK=$TMP/ntsd.sock
UNIX="-h $SOCK"
UDP="-h 127.0.0.1 -p $CMD_PORT"

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10"
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts" [ $? -eq 0 ]
wait_for 5 test -S "$SOCK"
check "ntsd opens its Unix command socket" test -S "$SOCK"

# Lines and CSV fields that legitimately change from one request to the
# next: the local reference time, and the count of command packets (each
# query counts itself)
mask() {
  sed -e 's/^\(Ref time (UTC)  :\).*/\1 X/' \
      -e 's/^\(Command packets received   :\).*/\1 X/' \
      "$1"
}
mask_csv() {
  case "$2" in
    tracking) awk -F, 'BEGIN { OFS = "," } NF >= 4 { $4 = "X" } { print }' "$1" ;;
    serverstats) awk -F, 'BEGIN { OFS = "," } NF >= 3 { $3 = "X" } { print }' "$1" ;;
    *) cat "$1" ;;
  esac
}

# same WANT_RC DESC OPTIONS... -- COMMAND...: chronyc and ntsctl print the
# same (masked) output with the same exit status WANT_RC ("any": equal).
# Ages tick once a second, so a mismatch is retried twice.
same() {
  want=$1 desc=$2
  shift 2
  opts=""
  while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
  shift
  n=0
  while [ $n -lt 3 ]; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    chronyc $opts "$@" > "$TMP/c.out" 2> "$TMP/c.err"
    rc_c=$?
    # shellcheck disable=SC2086
    "$NTSCTL" $opts "$@" > "$TMP/n.out" 2> "$TMP/n.err"
    rc_n=$?
    case " $opts " in
      *" -c "*) mask_csv "$TMP/c.out" "$1" > "$TMP/c.m"; mask_csv "$TMP/n.out" "$1" > "$TMP/n.m" ;;
      *) mask "$TMP/c.out" > "$TMP/c.m"; mask "$TMP/n.out" > "$TMP/n.m" ;;
    esac
    if [ "$rc_c" = "$rc_n" ] && { [ "$want" = any ] || [ "$rc_c" = "$want" ]; } &&
       cmp -s "$TMP/c.m" "$TMP/n.m" && cmp -s "$TMP/c.err" "$TMP/n.err"; then
      pass "$desc"
      return 0
    fi
    sleep 0.3
  done
  fail "$desc (chronyc rc $rc_c, ntsctl rc $rc_n)"
  diff "$TMP/c.m" "$TMP/n.m" | head -n 20 | sed 's/^/    /'
  diff "$TMP/c.err" "$TMP/n.err" | head -n 5 | sed 's/^/    /'
  return 1
}

jnum() { # jnum FILE FIELD: a number from a one-line JSON object
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# --- JSON, and counters that move -----------------------------------------
"$NTSCTL" -j $UNIX serverstats > "$TMP/s1.json"
check "ntsctl -j serverstats succeeds" [ $? -eq 0 ]
check "ntsctl -j serverstats is valid JSON" sh -c "python3 -m json.tool '$TMP/s1.json' > /dev/null"
check "ntsctl -j serverstats is one line" [ "$(wc -l < "$TMP/s1.json")" -eq 1 ]
rx1=$(jnum "$TMP/s1.json" ntp_packets_received)

# One NTP client exchange from the reference implementation, without clock
# control and without a command socket of its own
$NOCLOCK chronyd -Q -t 3 -U -u "$(id -un)" -f /dev/null \
  "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1" \
  "pidfile $TMP/chronyd-q.pid" "cmdport 0" > "$TMP/chronyd-q.log" 2>&1
check "chronyd -Q measures ntsd" grep -q 'System clock wrong by' "$TMP/chronyd-q.log"

"$NTSCTL" -j $UNIX serverstats > "$TMP/s2.json"
rx2=$(jnum "$TMP/s2.json" ntp_packets_received)
check "ntp_packets_received grows after NTP requests ($rx1 -> $rx2)" [ "$rx2" -gt "$rx1" ]
c1=$(jnum "$TMP/s1.json" command_packets_received)
c2=$(jnum "$TMP/s2.json" command_packets_received)
check "command_packets_received counts Unix socket requests ($c1 -> $c2)" [ "$c2" -gt "$c1" ]

for c in tracking sources sourcestats authdata ntpdata clients activity; do
  "$NTSCTL" -j $UNIX $c > "$TMP/j.json"
  check "ntsctl -j $c: exit 0 and valid JSON" \
    sh -c "[ $? -eq 0 ] && python3 -m json.tool '$TMP/j.json' > /dev/null"
done

# --- Unix socket: every report equals chronyc's ---------------------------
for c in tracking sources sourcestats serverstats authdata ntpdata clients activity; do
  same 0 "unix: $c equals chronyc" $UNIX -- $c
  same 0 "unix: -c $c equals chronyc" -c $UNIX -- $c
done
same 0 "unix: -n clients equals chronyc" -n $UNIX -- clients
check "unix: clients lists the NTP client" grep -Eq '^127\.0\.0\.1 +[1-9]' "$TMP/n.out"
same 0 "unix: sources -v equals chronyc" $UNIX -- sources -v
same 0 "unix: sourcestats -v equals chronyc" $UNIX -- sourcestats -v
same 0 "unix: authdata -a -v equals chronyc" $UNIX -- authdata -a -v

# --- UDP: open commands equal chronyc's, the rest 501 ---------------------
for c in tracking sources sourcestats authdata ntpdata activity; do
  same 0 "udp: $c equals chronyc" $UDP -- $c
  same 0 "udp: -c $c equals chronyc" -c $UDP -- $c
done
for c in serverstats clients; do
  same 1 "udp: $c refused as chronyc" $UDP -- $c
  check "udp: $c prints 501 Not authorised" grep -qx '501 Not authorised' "$TMP/n.out"
done

# --- makestep: refused over UDP, accepted over the Unix socket ------------
for prog in chronyc "$NTSCTL"; do
  p=$(basename "$prog")
  out=$($prog $UDP makestep 2>&1)
  check "udp: $p makestep refused with exit 1" [ $? -eq 1 ]
  check "udp: $p makestep prints 501 Not authorised" [ "$out" = "501 Not authorised" ]
  out=$($prog $UNIX makestep 2>&1)
  check "unix: $p makestep accepted with exit 0" [ $? -eq 0 ]
  check "unix: $p makestep prints 200 OK" [ "$out" = "200 OK" ]
done
out=$("$NTSCTL" -j $UNIX makestep)
check "unix: ntsctl -j makestep prints {\"status\":\"200 OK\"}" [ "$out" = '{"status":"200 OK"}' ]
out=$("$NTSCTL" -j $UDP makestep)
check "udp: ntsctl -j makestep prints {\"error\":\"501 Not authorised\"}" \
  [ "$out" = '{"error":"501 Not authorised"}' ]

# --- clock and reference commands: each must change what ntsd reports ----
ctl() { "$NTSCTL" $UNIX "$@"; }
# trk FIELD: a field of tracking -c (3 stratum, 5 system time, 8 frequency)
trk() { ctl -c tracking | awk -F, -v f="$1" '{ print $f }'; }
# near A B TOLERANCE
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d < t && -d < t) }'; }
# stepped: the size of the last step ntsd logged for makestep
stepped() { sed -n 's/.*System clock was stepped by \([-0-9.]*\) seconds.*/\1/p' "$TMP/ntsd.log" | tail -n 1; }

f0=$(trk 8)
out=$(ctl dfreq 2.5)
check "dfreq 2.5: 200 OK" [ "$out" = "200 OK" ]
f1=$(trk 8)
check "  ... tracking's frequency grows by 2.5 ppm ($f0 -> $f1)" near "$f1" "$(awk -v f="$f0" 'BEGIN { print f + 2.5 }')" 0.001
out=$(chronyc $UNIX dfreq -2.5)
check "chronyc dfreq -2.5: 200 OK" [ "$out" = "200 OK" ]
f2=$(trk 8)
check "  ... and it is back ($f1 -> $f2)" near "$f2" "$f0" 0.001

s0=$(trk 5)
out=$(ctl doffset 1.0)
check "doffset 1.0: 200 OK" [ "$out" = "200 OK" ]
s1=$(trk 5)
check "  ... the system time is 1 s fast of NTP time ($s0 -> $s1)" near "$s1" "$(awk -v s="$s0" 'BEGIN { print s - 1.0 }')" 0.001
# The slew takes 12 s at maxslewrate: most of it is still pending
out=$(ctl makestep)
check "makestep: 200 OK" [ "$out" = "200 OK" ]
st=$(stepped)
check "  ... steps by what doffset left to slew ($st)" awk -v s="$st" 'BEGIN { exit !(s != "" && s < -0.5 && s >= -1.0) }'
check "  ... the time (-x: cooked) stays" near "$(trk 5)" "$s1" 0.001
ctl makestep > /dev/null
st=$(stepped)
check "  ... a second makestep has nothing left ($st)" near "$st" 0 0.000002
ctl doffset -1.0 > /dev/null && ctl makestep > /dev/null
check "doffset -1.0 and makestep: the system time is back" near "$(trk 5)" "$s0" 0.001
for v in "makestep 0.1 3" "maxupdateskew 100"; do
  # shellcheck disable=SC2086
  out=$(ctl $v)
  check "$v: 200 OK (effect: t_sources.sh, test_discipline)" [ "$out" = "200 OK" ]
done

out=$(ctl local stratum 7)
check "local stratum 7: 200 OK" [ "$out" = "200 OK" ]
check "  ... tracking shows stratum 7" [ "$(trk 3)" = 7 ]
out=$(chronyc $UNIX local off)
check "chronyc local off: 200 OK" [ "$out" = "200 OK" ]
check "  ... tracking shows stratum 0, not synchronised" \
  sh -c "'$NTSCTL' $UNIX tracking | grep -q '^Leap status     : Not synchronised' && [ \"\$('$NTSCTL' -c $UNIX tracking | cut -d, -f3)\" = 0 ]"
out=$(ctl local stratum 5 distance 2.0)
check "local with a distance ntsd cannot honour: 502 Invalid command" [ "$out" = "502 Invalid command" ]
check "  ... and nothing changes" [ "$(trk 3)" = 0 ]
out=$(chronyc $UNIX local stratum 10)
check "chronyc local stratum 10 (its default distance): back to the configuration" [ "$(trk 3)" = 10 ]
same 0 "tracking after local equals chronyc" $UNIX -- tracking

# What ntsd cannot do must not answer 200 OK
same 1 "manual on: refused as not enabled" $UNIX -- manual on
check "  ... 505 Facility not enabled in daemon" grep -qx '505 Facility not enabled in daemon' "$TMP/n.out" "$TMP/n.err"
same 1 "add server: refused as not enabled" $UNIX -- add server 127.0.0.5
check "  ... 505 Facility not enabled in daemon" grep -qx '505 Facility not enabled in daemon' "$TMP/n.out" "$TMP/n.err"
same 1 "delete: refused as not enabled" $UNIX -- delete 127.0.0.5
check "  ... 505 Facility not enabled in daemon" grep -qx '505 Facility not enabled in daemon' "$TMP/n.out" "$TMP/n.err"

# -m runs several commands; the first failure stops the list
"$NTSCTL" -m $UNIX tracking activity > "$TMP/m.out"
check "-m runs every command" sh -c "[ $? -eq 0 ] && grep -q '^Stratum' '$TMP/m.out' && grep -q 'sources online' '$TMP/m.out'"

# Client-side commands
chronyc help | grep -v '^keygen\|Generate key for key file' > "$TMP/c.help"
"$NTSCTL" help > "$TMP/n.help"
check "help equals chronyc's (without keygen)" cmp -s "$TMP/c.help" "$TMP/n.help"
same 0 "dns -n then clients equals chronyc" -m $UNIX -- "dns -n" clients
same 1 "bad dns argument fails as chronyc" $UNIX -- dns -x
same 1 "unknown command fails as chronyc" $UNIX -- frobnicate
"$NTSCTL" -j $UNIX tracking > "$TMP/t.json"
check "ntsctl -j prints no negative zero" sh -c "! grep -q ':-0[,}]' '$TMP/t.json'"

check "daemon still running" kill -0 "$NTSD_PID"

# --- no daemon -------------------------------------------------------------
stop_pid "$NTSD_PID"
out=$("$NTSCTL" $UDP tracking 2>&1)
check "no daemon: ntsctl exits non-zero" [ $? -ne 0 ]
check "no daemon: ntsctl prints 506 Cannot talk to daemon" [ "$out" = "506 Cannot talk to daemon" ]
same 1 "no daemon: ntsctl fails as chronyc" -h "$SOCK,127.0.0.1" -p "$CMD_PORT" -- tracking
out=$("$NTSCTL" -j $UDP tracking 2>&1)
check "no daemon: ntsctl -j prints the error as JSON" [ "$out" = '{"error":"506 Cannot talk to daemon"}' ]
"$NTSCTL" -h "$TMP/nonexistent.sock" tracking > /dev/null 2> "$TMP/e.err"
check "missing socket: exit 1" [ $? -eq 1 ]
check "missing socket: Could not open connection to daemon" \
  grep -qx 'Could not open connection to daemon' "$TMP/e.err"

finish
