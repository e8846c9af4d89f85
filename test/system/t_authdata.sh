#!/bin/sh
# authdata of NTS sources, ntsd next to chronyd as clients of the same
# servers, read with chronyc over the Unix socket:
#  - KeyID is the NTS context id: 1 after the first NTS-KE, one more with
#    each NTS-KE that succeeds (a server restarted with new keys, the
#    refresh command);
#  - NAK is a flag, 1 from an NTS NAK until the next request is made;
#  - Atmp counts NTS-KE attempts until the first authentic reply, not the
#    first NTS-KE that succeeds: against a fake server whose every reply is
#    a NAK it is 1 in both daemons after the first NTS-KE and keeps growing
#    in ntsd (chronyd waits far longer before its second attempt).
. "$(dirname "$0")/lib/common.sh"

need_cmd certtool chronyd chronyc python3

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"
FAKE="$TOP/test/system/fake_nts_server.py"

# ad SOCK: "KeyID Type KLen Atmp NAK" of the NTS source 127.0.0.1
ad() {
  chronyc -h "$1" -n authdata 2>/dev/null |
    awk '$1 == "127.0.0.1" && $2 == "NTS" { print $3, $4, $5, $7, $8 }'
}
ad_is() { [ "$(ad "$1")" = "$2" ]; }
nak_is() { [ "$(ad "$1" | cut -d' ' -f5)" = "$2" ]; }

# start_clients NAME PORT KE: ntsd and chronyd as NTS clients of
# 127.0.0.1 polling every 2 s (N_PID, C_PID); command sockets NAME-n.sock
# and NAME-c.sock
start_clients() {
  mkdir -p "$TMP/$1-n.dump" "$TMP/$1-c.dump"
  start_bg "$1-n" $NOCLOCK "$NTSD" -4 -d -x -U -u root -L -1 -f /dev/null \
    "pidfile $TMP/$1-n.pid" "port 0" "cmdport 0" "bindcmdaddress $TMP/$1-n.sock" \
    "ntsdumpdir $TMP/$1-n.dump" "ntstrustedcerts $CERTS/ca.pem" \
    "server 127.0.0.1 port $2 ntsport $3 nts minpoll 1 maxpoll 1"
  N_PID=$LAST_PID
  start_bg "$1-c" $NOCLOCK chronyd -4 -d -x -u root \
    "pidfile $TMP/$1-c.pid" "port 0" "cmdport 0" "bindcmdaddress $TMP/$1-c.sock" \
    "ntsdumpdir $TMP/$1-c.dump" "ntstrustedcerts $CERTS/ca.pem" \
    "server 127.0.0.1 port $2 ntsport $3 nts minpoll 1 maxpoll 1"
  C_PID=$LAST_PID
}

# ---- a server whose cookies never work ----

fake_up() { tcp_listening "$1" || ! kill -0 "$2" 2>/dev/null; }
tries=0
while :; do
  F_KE=$(free_port tcp)
  F_NTP=$(free_port udp)
  start_bg fake env TMPDIR="$TMP" python3 "$FAKE" "$F_KE" "$F_NTP" nak \
    "$CERTS/server.pem" "$CERTS/server.key" 60
  F_PID=$LAST_PID
  wait_for 5 fake_up "$F_KE" "$F_PID"
  tcp_listening "$F_KE" && break
  # Another test may take the port between free_port and the bind
  tries=$((tries + 1))
  stop_pid "$F_PID"
  if [ $tries -ge 5 ] || ! grep -q 'Address already in use' "$TMP/fake.log"; then
    fail "the fake server did not start: $(tail -1 "$TMP/fake.log")"
    finish
  fi
done

start_clients nak "$F_NTP" "$F_KE"
# ntsd's next NTS-KE is at least 4 s after the first: the line when the
# NAK is first seen is that of the first NTS-KE
wait_for 15 nak_is "$TMP/nak-n.sock" 1
n=$(ad "$TMP/nak-n.sock")
wait_for 15 nak_is "$TMP/nak-c.sock" 1
c=$(ad "$TMP/nak-c.sock")
echo "    KeyID Type KLen Atmp NAK after the first NAK: ntsd '$n', chronyd '$c'"
check "the fake answered requests with NAKs" grep -q 'ntp nak' "$TMP/fake.log"
check "first NTS-KE, NAK: chronyd shows KeyID 1, Atmp 1, NAK 1" [ "$c" = "1 15 256 1 1" ]
check "first NTS-KE, NAK: ntsd shows the same" [ "$n" = "1 15 256 1 1" ]
check "second NTS-KE, NAK again: ntsd shows KeyID 2, Atmp 2, NAK 1" \
  wait_for 15 ad_is "$TMP/nak-n.sock" "2 15 256 2 1"
stop_pid "$N_PID"
stop_pid "$C_PID"
stop_pid "$F_PID"

# ---- chronyd as the server, restarted with new keys ----

S_PORT=$(free_port udp)
S_KE=$(free_port tcp)
mkdir -p "$TMP/srv"
chmod 700 "$TMP/srv"
start_server() {
  start_bg "server$1" $NOCLOCK chronyd -x -d -u root "port $S_PORT" "ntsport $S_KE" \
    'allow 127.0.0.1' 'local stratum 10' 'bindaddress 127.0.0.1' \
    "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsdumpdir $TMP/srv" \
    'cmdport 0' 'bindcmdaddress /' "pidfile $TMP/srv/x.pid"
  S_PID=$LAST_PID
  wait_for 5 tcp_listening "$S_KE"
}
start_server 1
check "chronyd NTS server is up" tcp_listening "$S_KE"

start_clients real "$S_PORT" "$S_KE"
check "authentic replies: chronyd shows KeyID 1, Atmp 0, NAK 0" \
  wait_for 15 ad_is "$TMP/real-c.sock" "1 15 256 0 0"
check "authentic replies: ntsd shows the same" \
  wait_for 15 ad_is "$TMP/real-n.sock" "1 15 256 0 0"
n=$("$NTSCTL" -h "$TMP/real-n.sock" -n authdata | awk '$1 == "127.0.0.1" { $6 = "."; print }')
check "ntsctl prints the authdata line chronyc prints ($n)" [ "$n" = "$(chronyc -h \
  "$TMP/real-n.sock" -n authdata | awk '$1 == "127.0.0.1" { $6 = "."; print }')" ]

# The server comes back with new keys: every cookie the clients hold is
# refused with a NAK, then NTS-KE gives context 2.  Every 0.1 s until both
# are through, note whether NAK 1 was seen.
stop_pid "$S_PID"
rm -f "$TMP/srv/ntskeys"
start_server 2
nak_n=0
nak_c=0
i=0
while [ $i -lt 300 ]; do
  n=$(ad "$TMP/real-n.sock")
  c=$(ad "$TMP/real-c.sock")
  case "$n" in *" 1") nak_n=1 ;; esac
  case "$c" in *" 1") nak_c=1 ;; esac
  [ "$n" = "2 15 256 0 0" ] && [ "$c" = "2 15 256 0 0" ] && break
  sleep 0.1
  i=$((i + 1))
done
echo "    after the server restart: ntsd '$n', chronyd '$c' (NAK seen: $nak_n, $nak_c)"
check "server restart: chronyd reported NAK 1" [ $nak_c = 1 ]
check "server restart: ntsd reported NAK 1" [ $nak_n = 1 ]
check "server restart: chronyd ends with KeyID 2, Atmp 0, NAK 0" [ "$c" = "2 15 256 0 0" ]
check "server restart: ntsd ends with the same" [ "$n" = "2 15 256 0 0" ]

# refresh (an ntsd command) makes a new NTS-KE: context 3
check "refresh: 200 OK" sh -c "[ \"\$('$NTSCTL' -h '$TMP/real-n.sock' refresh)\" = '200 OK' ]"
check "refresh: ntsd shows KeyID 3, Atmp 0, NAK 0" \
  wait_for 15 ad_is "$TMP/real-n.sock" "3 15 256 0 0"

finish
