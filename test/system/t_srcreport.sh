#!/bin/sh
# sources, sourcestats and ntpdata against chronyd's own: ntsd and a
# chronyd client (both -x) each poll a fake server of their own (same
# behaviour, a root delay of 40 ms and dispersion of 10 ms) every 4 s.
# After the first reply Reach is 1 in both; the sources error is the
# root distance (~30 ms); sourcestats with 1 and 2 samples is the same in
# both but for the offset (the newest sample's: no estimate yet) and the
# 4 s std dev.  The eighth reply comes 200 ms late and fails maxdelayratio
# in both (a test that needs 6 samples): valid but not good, and the last
# sample stays the seventh.  A doffset moves the adjusted offset and the
# sourcestats one as much in both, the measured offset not.  With the
# servers gone, a 0 goes in at the request after the unanswered one.  An
# IPv6 source has the MD5 reference ID in sourcestats.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
PN=$(free_port udp)
PC=$(free_port udp)
P6=$(free_port udp)
SOCK=$TMP/ntsd.sock
CSOCK=$TMP/chronyd.sock
PEER=$TOP/test/system/ntp_peer.py
A=127.0.0.1

start_bg fake_n python3 "$PEER" serve "$PN" slow8 "$TMP/pn.log" delay=0.04 dispersion=0.01
FAKE_N=$LAST_PID
start_bg fake_c python3 "$PEER" serve "$PC" slow8 "$TMP/pc.log" delay=0.04 dispersion=0.01
FAKE_C=$LAST_PID
check "fake servers started" wait_for 5 sh -c "ss -Hlun 'sport = :$PN' | grep -q . && ss -Hlun 'sport = :$PC' | grep -q ."

# Only the late reply may fail a delay test: its 200 ms against ~0.1 ms
OPTS="minpoll 2 maxpoll 2 maxdelayratio 100 maxdelaydevratio 1000000"
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "server $A port $PN $OPTS" "server ::1 port $P6 minpoll 2 maxpoll 2"
start_ntsd "$TMP/ntsd.conf"
check "ntsd started" [ $? -eq 0 ]
start_bg chronyd $NOCLOCK chronyd -x -d -u root "server $A port $PC $OPTS" "port 0" \
  "cmdport 0" "bindcmdaddress $CSOCK" "pidfile $TMP/chronyd.pid"
check "chronyd client started" wait_for 5 test -S "$CSOCK"

stats() { chronyc -c -h "$1" sourcestats | grep "^$A,"; }
srcs() { chronyc -c -h "$1" sources | grep ",$A,"; }
np() { stats "$1" | cut -d, -f2; }
field() { echo "$1" | cut -d, -f"$2"; }
# near X Y TOL: |X - Y| <= TOL
near() { awk -v x="$1" -v y="$2" -v t="$3" 'BEGIN { d = x - y; if (d < 0) d = -d; exit !(d <= t) }'; }
between() { awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(x >= a && x <= b) }'; }
ntpval() { chronyc -h "$1" ntpdata "$A" | sed -n "s/^$2 *: //p"; }

# snap N: the sources and sourcestats lines of each daemon as soon as its
# source has N samples (the two poll independently)
snap() {
  Ns= Nt= Cs= Ct=
  i=0
  while [ $i -lt 100 ] && { [ -z "$Nt" ] || [ -z "$Ct" ]; }; do
    if [ -z "$Nt" ] && [ "$(np "$SOCK")" = "$1" ]; then Ns=$(srcs "$SOCK"); Nt=$(stats "$SOCK"); fi
    if [ -z "$Ct" ] && [ "$(np "$CSOCK")" = "$1" ]; then Cs=$(srcs "$CSOCK"); Ct=$(stats "$CSOCK"); fi
    sleep 0.1
    i=$((i + 1))
  done
}

# ---- one sample ----
snap 1
check "ntsd: first sample" [ -n "$Nt" ]
check "chronyd: first sample" [ -n "$Ct" ]
echo "  ntsd    sources:     $Ns"
echo "  chronyd sources:     $Cs"
echo "  ntsd    sourcestats: $Nt"
echo "  chronyd sourcestats: $Ct"
check "1 reply: Reach 1 in ntsd" [ "$(field "$Ns" 6)" = 1 ]
check "  ... as in chronyd" [ "$(field "$Cs" 6)" = 1 ]
check "1 sample: sourcestats as chronyd's (n, runs, span, freq, skew, std dev)" \
  [ "$(echo "$Nt" | cut -d, -f2-6,8)" = "$(echo "$Ct" | cut -d, -f2-6,8)" ]
check "  ... Std Dev 4 s" [ "$(field "$Nt" 8)" = 4.000000000 ]
check "  ... Offset: the sample's adjusted offset, in ntsd" near "$(field "$Nt" 7)" "$(field "$Ns" 8)" 0.000000002
check "  ... as in chronyd" near "$(field "$Ct" 7)" "$(field "$Cs" 8)" 0.000000002
check "sources +/-: the root distance (0.03 s), not the delay" between "$(field "$Ns" 10)" 0.0299 0.035
check "  ... as chronyd's, within 5 ms" near "$(field "$Ns" 10)" "$(field "$Cs" 10)" 0.005
both_small() { near "$1" 0 0.005 && near "$2" 0 0.005; }
check "  ... measured offsets small in both" both_small "$(field "$Ns" 9)" "$(field "$Cs" 9)"

# ---- two samples ----
snap 2
check "ntsd: second sample" [ -n "$Nt" ]
check "chronyd: second sample" [ -n "$Ct" ]
echo "  ntsd    sources:     $Ns"
echo "  chronyd sources:     $Cs"
echo "  ntsd    sourcestats: $Nt"
echo "  chronyd sourcestats: $Ct"
check "2 replies: Reach 3 in both" [ "$(field "$Ns" 6),$(field "$Cs" 6)" = 3,3 ]
check "2 samples: runs, span (rounded), freq, skew, std dev as chronyd's" \
  [ "$(echo "$Nt" | cut -d, -f2-6,8)" = "$(echo "$Ct" | cut -d, -f2-6,8)" ]
check "  ... Std Dev still 4 s" [ "$(field "$Nt" 8)" = 4.000000000 ]
check "  ... span 4 s" [ "$(field "$Nt" 4)" = 4 ]
check "  ... Offset: the newest sample's (the sources adjusted offset)" \
  near "$(field "$Nt" 7)" "$(field "$Ns" 8)" 0.000000002
check "  ... as in chronyd" near "$(field "$Ct" 7)" "$(field "$Cs" 8)" 0.000000002

# ---- a late reply: valid, not good ----
# valid RX of a daemon's source
valid() { chronyc -h "$1" ntpdata "$A" | sed -n 's/^Total valid RX *: //p'; }
is_valid() { [ "$(valid "$1")" = "$2" ]; }
check "ntsd: seventh reply" wait_for 30 is_valid "$SOCK" 7
N7=$(srcs "$SOCK"); n7=$(np "$SOCK")
check "chronyd: seventh reply" wait_for 8 is_valid "$CSOCK" 7
C7=$(srcs "$CSOCK"); c7=$(np "$CSOCK")
check "ntsd: eighth reply (200 ms late)" wait_for 8 is_valid "$SOCK" 8
N8=$(srcs "$SOCK")
check "chronyd: eighth reply" wait_for 8 is_valid "$CSOCK" 8
C8=$(srcs "$CSOCK")
echo "  ntsd    sources:     $N8"
echo "  chronyd sources:     $C8"
check "late reply: Total good RX 7 in ntsd" [ "$(ntpval "$SOCK" 'Total good RX')" = 7 ]
check "  ... as in chronyd" [ "$(ntpval "$CSOCK" 'Total good RX')" = 7 ]
tests() { chronyc -h "$1" ntpdata "$A" | sed -n 's/^NTP tests *: *//p'; }
check "  ... test B failed, as in chronyd ($(tests "$SOCK"))" \
  [ "$(tests "$SOCK")" = "111 111 1011" ] && [ "$(tests "$CSOCK")" = "111 111 1011" ]
check "  ... Reach 377 in both" [ "$(field "$N8" 6),$(field "$C8" 6)" = 377,377 ]
check "  ... ntsd's samples stay $n7" [ "$(np "$SOCK")" = "$n7" ]
check "  ... chronyd's stay $c7" [ "$(np "$CSOCK")" = "$c7" ]
check "  ... ntsd's last sample is still the seventh" [ "$(field "$N8" 9)" = "$(field "$N7" 9)" ]
check "  ... as chronyd's" [ "$(field "$C8" 9)" = "$(field "$C7" 9)" ]

# ---- a correction of the clock: adjusted moves, measured stays ----
Nb=$(srcs "$SOCK"); Cb=$(srcs "$CSOCK")
Ntb=$(stats "$SOCK"); Ctb=$(stats "$CSOCK")
chronyc -h "$SOCK" doffset 0.1 > /dev/null
chronyc -h "$CSOCK" doffset 0.1 > /dev/null
Na=$(srcs "$SOCK"); Ca=$(srcs "$CSOCK")
Nta=$(stats "$SOCK"); Cta=$(stats "$CSOCK")
echo "  ntsd    sources:     $Na"
echo "  chronyd sources:     $Ca"
diff_of() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
dn=$(diff_of "$(field "$Na" 8)" "$(field "$Nb" 8)")
dc=$(diff_of "$(field "$Ca" 8)" "$(field "$Cb" 8)")
check "doffset 0.1: measured offsets unchanged in both" \
  [ "$(field "$Na" 9),$(field "$Ca" 9)" = "$(field "$Nb" 9),$(field "$Cb" 9)" ]
check "  ... ntsd's adjusted offset moved by 0.1 s ($dn)" near "${dn#-}" 0.1 0.001
check "  ... in the direction chronyd's did ($dc)" near "$dn" "$dc" 0.002
dn=$(diff_of "$(field "$Nta" 7)" "$(field "$Ntb" 7)")
dc=$(diff_of "$(field "$Cta" 7)" "$(field "$Ctb" 7)")
check "  ... sourcestats Offset too, as chronyd's ($dn, $dc)" near "$dn" "$dc" 0.002

# ---- no more replies: a 0 at the next request after the unanswered one ----
kill "$FAKE_N" "$FAKE_C"
check "servers gone: ntsd's Reach 376 a poll after the unanswered request" \
  wait_for 12 sh -c "[ \"\$(chronyc -c -h '$SOCK' sources | grep ',$A,' | cut -d, -f6)\" = 376 ]"
check "  ... as chronyd's" \
  wait_for 12 sh -c "[ \"\$(chronyc -c -h '$CSOCK' sources | grep ',$A,' | cut -d, -f6)\" = 376 ]"

# ---- IPv6: the reference ID of sourcestats ----
want=$(python3 -c "import hashlib, socket; print(hashlib.md5(socket.inet_pton(socket.AF_INET6, '::1')).hexdigest()[:8].upper())")
got=$("$NTSCTL" -h "$SOCK" -j sourcestats | python3 -c "import json, sys
for s in json.load(sys.stdin)['sources']:
    if s['address'] == '::1': print(s['reference_id'].upper())")
check "sourcestats of ::1: reference ID $want (got $got)" [ "$got" = "$want" ]

stop_pid "$NTSD_PID"
finish
