#!/bin/sh
# Source control over the Unix command socket: ntsd polls two chronyd
# servers, one configured offline.  activity counts the modes; online and
# offline (by address, subnet or all) start and stop the requests; burst
# sends its requests and returns the source to its mode; reset sources
# drops the samples; refresh and reload sources succeed; chronyc gets the
# same answers as ntsctl.  Then the clock and selection commands, which
# must show in what ntsd does: makestep THRESHOLD LIMIT with doffset (an
# update steps or slews), maxupdateskew (the frequency freezes), and
# reselectdist and reselect (B, of a lower stratum than A, is taken or not).
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
PA=$(free_port udp)
PB=$(free_port udp)
SOCK=$TMP/ntsd.sock
A=127.0.0.1
B=127.0.0.2

# chronyd_server NAME ADDRESS PORT STRATUM
chronyd_server() {
  start_bg "$1" $NOCLOCK chronyd -x -d -u root "port $3" "allow 127.0.0.0/8" \
    "local stratum $4" "bindaddress $2" "cmdport 0" "bindcmdaddress /" \
    "pidfile $TMP/$1.pid"
  wait_for 5 udp_listening "$3"
}
# A's stratum 3 against B's 1: stratumweight makes B better by 2 ms
chronyd_server srva $A "$PA" 3
check "chronyd server A started" [ $? -eq 0 ]
chronyd_server srvb $B "$PB" 1
check "chronyd server B started" [ $? -eq 0 ]

# Polling every second, so that a change shows within a few seconds
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" \
  "server $A port $PA minpoll 0 maxpoll 0" \
  "server $B port $PB minpoll 0 maxpoll 0 offline"
start_ntsd "$TMP/ntsd.conf"
check "ntsd started" [ $? -eq 0 ]
wait_for 5 test -S "$SOCK"

ctl() { "$NTSCTL" -h "$SOCK" "$@"; }
# activity as online,offline,burst_online,burst_offline,unresolved
activity() { ctl -c activity; }
is_activity() { [ "$(activity)" = "$1" ]; }
tx() { ctl ntpdata "$1" | sed -n 's/^Total TX *: //p'; }
np() { ctl -c sourcestats | awk -F, -v a="$1" '$1 == a { print $2 }'; }
# tx_grows ADDRESS SECONDS: the source sends within the time
tx_grows() {
  t0=$(tx "$1")
  wait_for "$2" sh -c "[ \"\$('$NTSCTL' -h '$SOCK' ntpdata $1 | sed -n 's/^Total TX *: //p')\" -gt $t0 ]"
}
# tx_still ADDRESS SECONDS: the source sends nothing for that long
tx_still() {
  t0=$(tx "$1")
  sleep "$2"
  [ "$(tx "$1")" = "$t0" ]
}
# ok_status COMMAND...: ntsctl and chronyc both answer 200 OK
ok_status() {
  [ "$(ctl "$@")" = "200 OK" ] && [ "$(chronyc -h "$SOCK" "$@")" = "200 OK" ]
}

check "activity: 1 online, 1 offline" is_activity "1,1,0,0,0"
check "  ... chronyc reports the same" sh -c "[ \"\$(chronyc -c -h '$SOCK' activity)\" = 1,1,0,0,0 ]"
ctl activity > "$TMP/n.act"; chronyc -h "$SOCK" activity > "$TMP/c.act"
check "  ... in the same text" cmp -s "$TMP/n.act" "$TMP/c.act"
check "the online source polls" tx_grows $A 3
check "the offline source sends nothing" sh -c "[ \"\$('$NTSCTL' -h '$SOCK' ntpdata $B | sed -n 's/^Total TX *: //p')\" = 0 ]"

out=$(ctl online $B)
check "online $B: 200 OK" [ "$out" = "200 OK" ]
check "  ... activity 2 online" is_activity "2,0,0,0,0"
check "  ... it polls" tx_grows $B 3
check "  ... and gets samples" wait_for 3 sh -c "[ \"\$('$NTSCTL' -h '$SOCK' -c sourcestats | awk -F, '\$1 == \"$B\" { print \$2 }')\" -gt 0 ]"

out=$(chronyc -h "$SOCK" offline $B)
check "chronyc offline $B: 200 OK" [ "$out" = "200 OK" ]
check "  ... activity 1 online, 1 offline" is_activity "1,1,0,0,0"
check "  ... it stops polling" tx_still $B 2.5
check "  ... the other one does not" tx_grows $A 3

out=$(ctl offline 127.0.0.3); rc=$?
outc=$(chronyc -h "$SOCK" offline 127.0.0.3); rcc=$?
check "offline of an unknown address: 503 No such source" [ "$out" = "503 No such source" ]
check "  ... as chronyc (rc $rc/$rcc)" [ "$out" = "$outc" ] && [ "$rc" = "$rcc" ]
out=$(ctl burst 1/2 10.0.0.0/8)
check "burst of an unmatched subnet: 503" [ "$out" = "503 No such source" ]

# burst of an offline source: its requests go out, then it is offline again
t0=$(tx $B)
out=$(ctl burst 2/4 $B)
check "burst 2/4 $B: 200 OK" [ "$out" = "200 OK" ]
check "  ... activity 1 burst returning offline" is_activity "1,0,0,1,0"
check "  ... the burst ends, the source is offline again" wait_for 8 is_activity "1,1,0,0,0"
t1=$(tx $B)
check "  ... after 2 requests ($t0 -> $t1)" [ $((t1 - t0)) -eq 2 ]
check "  ... and nothing more" tx_still $B 2.5

out=$(ctl burst 2/4 $A)
check "burst 2/4 $A: 200 OK" [ "$out" = "200 OK" ]
check "  ... activity 1 burst returning online" is_activity "0,1,1,0,0"
check "  ... back online after the burst" wait_for 8 is_activity "1,1,0,0,0"

# subnets and all sources
check "offline 127.0.0.0/8: 200 OK" ok_status offline 127.0.0.0/8
check "  ... both offline" is_activity "0,2,0,0,0"
check "  ... nothing sent" tx_still $A 2.5
check "online (all): 200 OK" ok_status online
check "  ... both online" is_activity "2,0,0,0,0"
check "  ... polling again" tx_grows $A 3
check "offline 255.255.255.252/127.0.0.0 (mask form)" ok_status offline 255.255.255.252/127.0.0.0
check "  ... both offline" is_activity "0,2,0,0,0"
check "onoffline: 200 OK, both online (routable)" ok_status onoffline
check "  ... both online" is_activity "2,0,0,0,0"

# reset sources: the samples are gone; B offline keeps none from then on
ctl offline $B > /dev/null
check "samples before reset sources" [ "$(np $B)" -gt 0 ]
check "reset sources: 200 OK" ok_status reset sources
check "  ... the offline source has no samples" [ "$(np $B)" = 0 ]
check "  ... the online one starts again" [ "$(np $A)" -le 2 ]
check "  ... and keeps sampling" wait_for 4 sh -c "[ \"\$('$NTSCTL' -h '$SOCK' -c sourcestats | awk -F, '\$1 == \"$A\" { print \$2 }')\" -gt 0 ]"
ctl -c sources > "$TMP/src.csv"
check "  ... the offline source's reachability is 0" \
  awk -F, -v b=$B '$3 == b && $6 == 0 { f = 1 } END { exit !f }' "$TMP/src.csv"

ctl -c selectdata > "$TMP/sel.csv"
sed 's/^/    /' "$TMP/sel.csv"
check "  ... selectdata shows the offline source as new again (M)" \
  awk -F, -v b=$B '$1 == "M" && $2 == b { f = 1 } END { exit !f }' "$TMP/sel.csv"

check "refresh: 200 OK" ok_status refresh
check "reload sources: 200 OK (no sourcedir)" ok_status reload sources
check "ntsd still polls after refresh" tx_grows $A 3

# --- clock commands, with A selected and B offline ------------------------
is_selected() { ctl -c sources | awk -F, -v a="$1" '$2 == "*" && $3 == a { f = 1 } END { exit !f }'; }
# wrong_by: the steps of updates ntsd logged (-x), one a line
wrong_by() { sed -n 's/.*System clock wrong by \([-0-9.]*\) seconds.*/\1/p' "$TMP/ntsd.log"; }
jfreq() { ctl -j tracking | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["frequency_ppm"]))'; }
check "A is selected" wait_for 10 is_selected $A

check "makestep 0.5 -1: 200 OK" ok_status makestep 0.5 -1
n0=$(wrong_by | wc -l)
out=$(ctl doffset 2.0)
check "doffset 2.0: 200 OK" [ "$out" = "200 OK" ]
check "  ... the next update steps by +2 s" wait_for 6 sh -c \
  "[ \$(sed -n 's/.*System clock wrong by \\([-0-9.]*\\) seconds.*/\\1/p' '$TMP/ntsd.log' | awk '\$1 > 1.9 && \$1 < 2.1' | wc -l) -gt 0 ]"
check "makestep 0.5 0: 200 OK" ok_status makestep 0.5 0
n1=$(wrong_by | wc -l)
out=$(ctl doffset -2.0)
check "doffset -2.0: 200 OK" [ "$out" = "200 OK" ]
check "  ... an update corrects it (last offset +2 s)" wait_for 6 sh -c \
  "'$NTSCTL' -h '$SOCK' -c tracking | awk -F, '{ exit !(\$6 > 1.9 && \$6 < 2.1) }'"
check "  ... by a slew: no step ($n0 -> $n1 -> $(wrong_by | wc -l))" [ "$(wrong_by | wc -l)" = "$n1" ]

check "maxupdateskew 0: 200 OK" ok_status maxupdateskew 0
fr0=$(jfreq); sleep 3; fr1=$(jfreq)
check "  ... the frequency stays ($fr0 = $fr1)" [ "$fr0" = "$fr1" ]
check "maxupdateskew 1000: 200 OK" ok_status maxupdateskew 1000
check "  ... the frequency is updated again" wait_for 5 sh -c "[ \"\$('$NTSCTL' -h '$SOCK' -j tracking | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)[\"frequency_ppm\"]))')\" != '$fr1' ]"

# B is better, but not by reselectdist 1 s: A stays
check "reselectdist 1: 200 OK" ok_status reselectdist 1
ctl online $B > /dev/null
check "  ... B online gets samples" wait_for 8 sh -c "[ \"\$('$NTSCTL' -h '$SOCK' -c sourcestats | awk -F, '\$1 == \"$B\" { print \$2 }')\" -ge 4 ]"
sleep 2
ctl -c selectdata | sed 's/^/    /'
check "  ... A stays selected" is_selected $A
out=$(ctl reselect)
check "reselect: 200 OK" [ "$out" = "200 OK" ]
check "  ... B, the best, is selected at once" is_selected $B
check "reselectdist 0.0001: 200 OK" ok_status reselectdist 0.0001
check "  ... B stays" is_selected $B

check "ntsd is still running" kill -0 "$NTSD_PID"
stop_pid "$NTSD_PID"
check "ntsd exits cleanly" [ $? -eq 0 ]
finish
