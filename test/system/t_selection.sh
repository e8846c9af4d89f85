#!/bin/sh
# Source selection seen from outside, against chronyd with the same
# configuration:
# (A) selectdata shows each source's own options and authentication flag
#     (the registry's order is not the configuration's: a name resolves
#     after the addresses), chronyd's score (1.0 for a source that is not
#     a candidate and for the selected one) and, for an IPv6 source,
#     chronyd's reference id (a hash of the address, never 0);
# (B) ntsd -Q, like chronyd -Q, selects and combines the sources: with two
#     good fake servers (+2 ms, +4 ms) and a falseticker (+500 ms, whose
#     small root dispersion made it the "best" sample of the old
#     stand-in), both print an offset between the good ones, within a
#     millisecond of each other.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc python3

PEER=$TOP/test/system/ntp_peer.py
P1=$(free_port udp)
P2=$(free_port udp)
P3=$(free_port udp)
P4=$(free_port udp)
P6=$(free_port udp)
# fake SERVER ADDRESS PORT OFFSET [DISPERSION]
fake() {
  start_bg fake$1 python3 "$PEER" serve "$3" good "$TMP/ports$1" address="$2" offset="$4" ${5:+dispersion=$5}
}
fake 1 127.0.0.1 "$P1" 0.002
fake 2 127.0.0.2 "$P2" 0.004
fake 3 127.0.0.3 "$P3" 0.5 0.001
for p in "$P1" "$P2" "$P3"; do
  wait_for 5 udp_listening "$p"
  check "fake server on port $p started" [ $? -eq 0 ]
done

# ---- (A) selectdata ----

# Nothing answers on 127.0.0.4 and ::1: no samples, options only
SOURCES="server localhost port $P1 noselect minpoll 0 maxpoll 0 iburst
server 127.0.0.2 port $P2 prefer minpoll 0 maxpoll 0 iburst
server 127.0.0.3 port $P3 trust require minpoll 0 maxpoll 0 iburst
server 127.0.0.4 port $P4 minpoll 0 maxpoll 0
server ::1 port $P6 minpoll 0 maxpoll 0 key 1"
echo "1 SHA256 HEX:$(printf '%064d' 1)" > "$TMP/keys"
for d in ntsd chronyd; do
  {
    echo "$SOURCES"
    echo "keyfile $TMP/keys"
    echo "port 0"
    echo "cmdport 0"
    echo "bindcmdaddress $TMP/$d.sock"
    echo "pidfile $TMP/$d.pid"
  } > "$TMP/$d.conf"
done
# chronyd's default authselectmode (mix) adds "trust require" to the
# authenticated source next to unauthenticated ones; ntsd has no
# authselectmode and behaves as chronyd's "ignore"
echo "authselectmode ignore" >> "$TMP/chronyd.conf"
start_bg ntsd $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/ntsd.conf"
start_bg chronyd $NOCLOCK chronyd -d -x -u root -f "$TMP/chronyd.conf"
wait_for 5 test -S "$TMP/ntsd.sock"
check "ntsd's command socket is up" [ $? -eq 0 ]
wait_for 5 test -S "$TMP/chronyd.sock"
check "chronyd's command socket is up" [ $? -eq 0 ]

# row SOCK: "address auth copts eopts score", sorted by address
rows() {
  chronyc -n -h "$1" selectdata 2>/dev/null |
    awk 'NR > 2 { print $2, $3, $4, $5, $7 }' | sort
}
# Both have selected the trusted source (the others are then falsetickers)
selected() {
  rows "$TMP/ntsd.sock" | grep -q . &&
    chronyc -n -h "$TMP/ntsd.sock" selectdata | grep -q '^\* 127\.0\.0\.3 ' &&
    chronyc -n -h "$TMP/chronyd.sock" selectdata | grep -q '^\* 127\.0\.0\.3 '
}
# Before any sample: the options are there from the start
rows "$TMP/ntsd.sock" | awk '{ print $1, $2, $3, $4 }' > "$TMP/n0"
sed 's/^/    ntsd: /' "$TMP/n0"
check "(A) at start, each source shows its own options" \
  sh -c "grep -qx '127.0.0.2 N -P--- -P---' '$TMP/n0' && grep -qx '127.0.0.3 N --TR- --TR-' '$TMP/n0' &&
         grep -qx '127.0.0.4 N ----- -----' '$TMP/n0' && grep -qx '::1 Y ----- -----' '$TMP/n0'"

wait_for 20 selected
check "(A) ntsd and chronyd select the trusted source" [ $? -eq 0 ]
rows "$TMP/ntsd.sock" > "$TMP/n1"
rows "$TMP/chronyd.sock" > "$TMP/c1"
chronyc -n -h "$TMP/ntsd.sock" selectdata | sed 's/^/    ntsd:    /'
chronyc -n -h "$TMP/chronyd.sock" selectdata | sed 's/^/    chronyd: /'
awk '{ print $1, $2, $3, $4 }' "$TMP/n1" > "$TMP/n1o"
awk '{ print $1, $2, $3, $4 }' "$TMP/c1" > "$TMP/c1o"
check "(A) Auth, COpts and EOpts of every source as chronyd's" \
  sh -c "[ \$(wc -l < '$TMP/c1o') -eq 5 ] && cmp -s '$TMP/n1o' '$TMP/c1o'"
check "(A) the noselect source by name shows N----" grep -qx '127.0.0.1 N N---- N----' "$TMP/n1o"
# Every row here is the selected source or not a candidate: score 1.0
check "(A) Score 1.0 for every source, as chronyd's" \
  sh -c "[ \$(awk '\$5 == \"1.0\"' '$TMP/n1' | wc -l) -eq 5 ] &&
         [ \$(awk '\$5 == \"1.0\"' '$TMP/c1' | wc -l) -eq 5 ]"
refid() {
  "$NTSCTL" -j -h "$1" selectdata | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sources"]:
    if s["address"] == "::1":
        print(s["reference_id"])'
}
rn=$(refid "$TMP/ntsd.sock")
rc=$(refid "$TMP/chronyd.sock")
check "(A) the IPv6 source's reference id is chronyd's ($rn, chronyd $rc)" \
  sh -c "[ -n '$rn' ] && [ '$rn' = '$rc' ] && [ '$rn' != '00000000' ] && [ '$rn' != 0 ]"

# ---- (B) -Q ----

S="iburst maxsamples 4"
$NOCLOCK "$NTSD" -Q -t 15 "server 127.0.0.1 port $P1 $S" "server 127.0.0.2 port $P2 $S" \
  "server 127.0.0.3 port $P3 $S" > "$TMP/nq.out" 2>&1
nrc=$?
$NOCLOCK chronyd -Q -t 15 -U -u root -f /dev/null "server 127.0.0.1 port $P1 $S" \
  "server 127.0.0.2 port $P2 $S" "server 127.0.0.3 port $P3 $S" \
  "pidfile $TMP/cq.pid" "cmdport 0" > "$TMP/cq.out" 2>&1
offset() {
  sed -n 's/.*System clock wrong by \(-\{0,1\}[0-9.]*\) seconds (ignored)$/\1/p' "$1" | tail -n 1
}
no=$(offset "$TMP/nq.out")
co=$(offset "$TMP/cq.out")
check "(B) ntsd -Q prints an offset and exits 0 (${no:-none}, status $nrc)" \
  sh -c "[ $nrc -eq 0 ] && [ -n '$no' ]"
check "(B) chronyd -Q prints an offset (${co:-none})" [ -n "$co" ]
check "(B) ntsd's offset is between the good servers', not the falseticker's" \
  awk -v o="${no:-x}" 'BEGIN { exit !(o != "x" && o > 0.0015 && o < 0.0045) }'
check "(B) ntsd's and chronyd's offsets within 1 ms" \
  awk -v a="${no:-x}" -v b="${co:-y}" 'BEGIN { d = a - b; exit !(a != "x" && b != "y" && d < 0.001 && d > -0.001) }'
# With the falseticker alone trusted, it is the result: the selection, not
# a fixed rule, decides
$NOCLOCK "$NTSD" -Q -t 15 "server 127.0.0.1 port $P1 $S" "server 127.0.0.2 port $P2 $S" \
  "server 127.0.0.3 port $P3 $S trust" > "$TMP/nt.out" 2>&1
nt=$(offset "$TMP/nt.out")
check "(B) with the far server trusted, -Q follows it (${nt:-none})" \
  awk -v o="${nt:-x}" 'BEGIN { exit !(o != "x" && o > 0.49 && o < 0.51) }'

finish
