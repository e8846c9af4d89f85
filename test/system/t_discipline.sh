#!/bin/sh
# Clock discipline end to end: ntsd (-x, so only its own time is
# disciplined) follows three chronyd servers on loopback, one of them a
# falseticker half a second ahead under libfaketime (seen at +0.25 s: the
# kernel's receive timestamp is not faked, only chronyd's own clock reads).  The two good ones
# are selected and combined, the bad one is marked 'x', tracking shows a
# good reference and a normal leap status, chronyc reads the same, the
# NTP server then serves stratum 2 in the disciplined time, and the drift
# file is written atomically with mode 0644.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
if [ ! -e "$FAKETIME_LIB" ]; then
  FAKETIME_LIB=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
fi
if [ -z "$FAKETIME_LIB" ] || [ ! -e "$FAKETIME_LIB" ]; then
  fail "libfaketime is not installed (see .ci/install-deps)"
  finish
fi

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
SOCK=$TMP/ntsd.sock

# start_server N PORT [ENV...]: chronyd as a stratum-1 server on 127.0.0.N,
# without clock control or command port
start_server() {
  n=$1 port=$2
  shift 2
  start_bg chronyd$n env "$@" $NOCLOCK chronyd -x -d -u root -f /dev/null \
    "port $port" "allow 127.0.0.0/8" "local stratum 1" "bindaddress 127.0.0.$n" \
    "cmdport 0" "bindcmdaddress /" "pidfile $TMP/chronyd$n.pid"
}

P1=$(free_port udp)
P2=$(free_port udp)
P3=$(free_port udp)
start_server 1 "$P1"
start_server 2 "$P2"
start_server 3 "$P3" LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+0.5
for p in "$P1" "$P2" "$P3"; do
  wait_for 5 udp_listening "$p"
  check "reference chronyd on port $p started" [ $? -eq 0 ]
done

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "driftfile $TMP/drift 1" \
  "server 127.0.0.1 port $P1 minpoll 0 maxpoll 1 iburst" \
  "server 127.0.0.2 port $P2 minpoll 0 maxpoll 1 iburst" \
  "server 127.0.0.3 port $P3 minpoll 0 maxpoll 1 iburst"
# Under the system-call filter where there is one: the discipline and the
# drift file must need nothing outside the allowlist
FILTER=""
"$NTSD" -v | grep -q '+SECCOMP' && FILTER="-F 1"
start_ntsd "$TMP/ntsd.conf" $FILTER
check "ntsd starts" [ $? -eq 0 ]
wait_for 5 test -S "$SOCK"

# state CLIENT ADDRESS: the state column of a source in `sources`
state() {
  "$1" -n -h "$SOCK" sources 2>/dev/null | awk -v a="$2" '$2 == a { print substr($1, 2, 1) }'
}
converged() {
  case "$(state "$NTSCTL" 127.0.0.1)$(state "$NTSCTL" 127.0.0.2)$(state "$NTSCTL" 127.0.0.3)" in
    [*+][*+]x) return 0 ;;
  esac
  return 1
}
tracking_good() {
  "$NTSCTL" -n -h "$SOCK" tracking > "$TMP/tracking" 2>&1 &&
    grep -Eq '^Reference ID    : 7F00000[12] \(127\.0\.0\.[12]\)$' "$TMP/tracking" &&
    grep -q '^Leap status     : Normal$' "$TMP/tracking"
}

start=$(date +%s)
wait_for 60 converged
check "within 60 s: good sources '*'/'+', falseticker 'x' ($(( $(date +%s) - start )) s)" [ $? -eq 0 ]
"$NTSCTL" -n -h "$SOCK" sources > "$TMP/sources" 2>&1
sed 's/^/    /' "$TMP/sources"
check "exactly one source is selected" [ "$(grep -c '^\^\*' "$TMP/sources")" -eq 1 ]

wait_for 10 tracking_good
check "tracking: reference is a good source, leap status Normal" [ $? -eq 0 ]
sed 's/^/    /' "$TMP/tracking"
check "tracking: stratum 2" grep -q '^Stratum         : 2$' "$TMP/tracking"

# The frequency comes from the regression once a few samples are in: the
# skew falls from the unknown 2000 ppm to a fraction of a ppm (all the
# servers share our clock, so the frequency itself stays near 0)
skew_small() {
  "$NTSCTL" -h "$SOCK" tracking > "$TMP/tracking2" 2>&1 &&
    awk '/^Skew/ { s = $3 } /^Frequency/ { f = $3 } END { exit !(s != "" && s < 1 && f < 1) }' \
      "$TMP/tracking2"
}
wait_for 30 skew_small
check "tracking: skew below 1 ppm and frequency near 0 within 30 s" [ $? -eq 0 ]
grep -E '^(Frequency|Skew|Update interval)' "$TMP/tracking2" | sed 's/^/    /'

for a in 127.0.0.1 127.0.0.2 127.0.0.3; do
  check "chronyc shows $a in the same state" [ "$(state chronyc $a)" = "$(state "$NTSCTL" $a)" ]
done
chronyc -h "$SOCK" tracking 2>&1 | grep -E "^(Reference ID|Stratum|Leap status)" > "$TMP/c.trk"
"$NTSCTL" -h "$SOCK" tracking 2>&1 | grep -E "^(Reference ID|Stratum|Leap status)" > "$TMP/n.trk"
check "chronyc tracking shows the same reference, stratum and leap" \
  sh -c "[ -s '$TMP/c.trk' ] && cmp -s '$TMP/c.trk' '$TMP/n.trk'"

check "selectdata marks the falseticker 'x'" \
  sh -c "'$NTSCTL' -n -h '$SOCK' selectdata | grep -Eq '^x 127\.0\.0\.3 '"
check "sourcestats has a regression for every source" \
  sh -c "[ \$('$NTSCTL' -n -h '$SOCK' sourcestats | grep -Ec '^127\.0\.0\.[123] +[0-9]+ +[0-9]+') -eq 3 ]"

# What ntsd serves now: stratum 2, and its (disciplined) time within a
# few milliseconds of the good servers, which share this machine's clock
$NOCLOCK chronyd -Q -t 5 -U -u "$(id -un)" -f /dev/null \
  "server 127.0.0.1 port $NTP_PORT iburst maxsamples 2" \
  "pidfile $TMP/chronyd-q.pid" "cmdport 0" > "$TMP/q.log" 2>&1
off=$(sed -n 's/.*System clock wrong by \(-\{0,1\}[0-9.]*\) seconds.*/\1/p' "$TMP/q.log" | tail -n 1)
check "chronyd -Q measures ntsd's time within 5 ms (offset ${off:-none})" \
  awk -v o="${off:-x}" 'BEGIN { exit !(o != "x" && o + 0 < 0.005 && o + 0 > -0.005) }'

wait_for 5 test -s "$TMP/drift"
check "drift file written" grep -Eq '^ *-?[0-9]+\.[0-9]{6} +[0-9]+\.[0-9]{6}$' "$TMP/drift"
check "  ... with mode 0644" [ "$(stat -c %a "$TMP/drift")" = 644 ]
check "  ... and no temporary file left" [ ! -e "$TMP/drift.tmp" ]

stop_pid "$NTSD_PID"
check "ntsd exits cleanly" [ $? -eq 0 ]
check "drift file still valid after exit" grep -Eq '^ *-?[0-9]+\.[0-9]{6} +[0-9]+\.[0-9]{6}$' "$TMP/drift"

# A restart starts from the saved frequency
start_bg ntsd2 $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/ntsd.conf"
wait_for 5 grep -q 'ppm read from' "$TMP/ntsd2.log"
check "restarted ntsd reads the drift file" grep -q "Frequency -\{0,1\}[0-9.]* +/- [0-9.]* ppm read from $TMP/drift" "$TMP/ntsd2.log"
stop_pid "$LAST_PID"

# Leap second tables: right/UTC and leap-seconds.list load and pass the
# check; a malformed list is a clear error that does not stop the daemon
if [ -r /usr/share/zoneinfo/right/UTC ]; then
  { cat "$TMP/ntsd.conf"; echo "leapsectz right/UTC"; } > "$TMP/tz.conf"
  start_bg ntsd3 $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/tz.conf"
  wait_for 5 grep -q 'Clock driver' "$TMP/ntsd3.log"
  check "leapsectz right/UTC is loaded" grep -Eq 'Loaded [0-9]+ leap seconds from right/UTC, TAI-UTC now 3[7-9] s' "$TMP/ntsd3.log"
  stop_pid "$LAST_PID"
fi
# A list may announce a leap second still to come: TAI-UTC is today's
if [ -r /usr/share/zoneinfo/leap-seconds.list ]; then
  { grep -v '^#[@h]' /usr/share/zoneinfo/leap-seconds.list
    echo '#@ 4290000000'
    echo '4260211200 38'; } > "$TMP/future.list"
  { cat "$TMP/ntsd.conf"; echo "leapseclist $TMP/future.list"; } > "$TMP/future.conf"
  start_bg ntsd5 $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/future.conf"
  wait_for 5 grep -q 'Clock driver' "$TMP/ntsd5.log"
  check "a future leap second in leapseclist: TAI-UTC is still today's" \
    grep -Eq "Loaded [0-9]+ leap seconds from $TMP/future.list, TAI-UTC now 37 s" "$TMP/ntsd5.log"
  stop_pid "$LAST_PID"
fi
printf '#@ 3913697000\n3692217600 37\nnot a number\n' > "$TMP/bad.list"
{ cat "$TMP/ntsd.conf"; echo "leapseclist $TMP/bad.list"; echo "leapsecmode slew"; } > "$TMP/list.conf"
start_bg ntsd4 $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/list.conf"
wait_for 5 grep -q 'Clock driver' "$TMP/ntsd4.log"
check "a malformed leapseclist is reported with its line" \
  grep -q "Could not load leap seconds from $TMP/bad.list: line 3: " "$TMP/ntsd4.log"
check "  ... and ntsd keeps running" kill -0 "$LAST_PID"
stop_pid "$LAST_PID"

finish
