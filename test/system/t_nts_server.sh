#!/bin/sh
# NTS server, end to end against Debian's chronyd:
#  - the user's story: chronyd -Q over NTS prints "System clock wrong by",
#    and serverstats counts the NTS-KE connection and authenticated packets;
#  - a long-running chronyd client stays synchronised over NTS with 8
#    cookies, and after kill -9 and restart of ntsd it goes on without a
#    new NTS-KE (the server keys survive in ntsdumpdir);
#  - migration: a chronyd NTS server's ntsdumpdir is handed to ntsd and
#    the chronyd client that holds its cookies syncs from ntsd without a
#    new NTS-KE.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc certtool

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
CLIENT_CMD_PORT=$(free_port udp)
CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS" > /dev/null
# chronyd runs with -u root here, so it can read the test CA in $TMP

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" \
  "ntsport $NTSKE_PORT"

stat_value() {
  # stat_value LABEL: a number from ntsctl serverstats
  "$NTSCTL" -h "$TMP/ntsd.sock" serverstats 2>/dev/null | sed -n "s/^$1 *: *//p"
}

# ---- the user's story ----
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts with an NTS certificate" [ $? -eq 0 ]
wait_for 5 tcp_listening "$NTSKE_PORT"
$NOCLOCK timeout 20 chronyd -Q -t 5 -u root "ntstrustedcerts $CERTS/ca.pem" \
  "server 127.0.0.1 port $NTP_PORT ntsport $NTSKE_PORT iburst nts maxsamples 1" \
  > "$TMP/q.out" 2>&1
check "chronyd -Q over NTS prints the offset" grep -q 'System clock wrong by' "$TMP/q.out"
check "serverstats: NTS-KE connections accepted >= 1" [ "$(stat_value 'NTS-KE connections accepted')" -ge 1 ]
check "serverstats: authenticated NTP packets >= 1" [ "$(stat_value 'Authenticated NTP packets')" -ge 1 ]
check "ntskeys saved in ntsdumpdir with mode 0600" \
  sh -c "[ \"\$(stat -c %a '$TMP/ntskeys')\" = 600 ] && head -n 1 '$TMP/ntskeys' | grep -qx 'NKS0'"

# ---- a long-running chronyd client ----
mkdir -p "$TMP/client"
# chronyd disables its command socket in a directory with more than 0770
chmod 770 "$TMP/client"
start_client() {
  start_bg chronyd-client $NOCLOCK chronyd -x -d -u root \
    "server 127.0.0.1 port $NTP_PORT ntsport $NTSKE_PORT nts minpoll 1 maxpoll 1 iburst" \
    "ntstrustedcerts $CERTS/ca.pem" "ntsdumpdir $TMP/client" "port 0" \
    "cmdport $CLIENT_CMD_PORT" "bindcmdaddress 127.0.0.1" \
    "bindcmdaddress $TMP/client/chronyd.sock" "pidfile $TMP/client/chronyd.pid" \
    "driftfile $TMP/client/drift"
  CLIENT_PID=$LAST_PID
}
client_cmd() {
  chronyc -h "$TMP/client/chronyd.sock" "$@" 2>/dev/null
}
synchronised() {
  client_cmd tracking | grep -q '^Leap status *: Normal' &&
    client_cmd -n sources | grep -q "^\^\* 127.0.0.1"
}
nts_cookies() {
  # the Cook column of chronyc authdata for our server
  client_cmd -n authdata | awk '$1 == "127.0.0.1" && $2 == "NTS" { print $(NF - 1) }'
}

start_client
wait_for 20 synchronised
check "chronyd client synchronises over NTS" synchronised
sleep 60
check "still synchronised after a minute" synchronised
check "client holds 8 cookies" [ "$(nts_cookies)" = 8 ]
check "client not running on unauthenticated time" \
  sh -c "chronyc -h '$TMP/client/chronyd.sock' -n authdata | grep -q '^127.0.0.1 *NTS'"

# kill -9 and restart: keys come back from ntsdumpdir, cookies stay valid
kill -9 "$NTSD_PID"
wait "$NTSD_PID" 2>/dev/null
rm -f "$TMP/ntsd.pid" "$TMP/ntsd.sock"
check "ntskeys intact after kill -9" sh -c "head -n 1 '$TMP/ntskeys' | grep -qx NKS0"
start_ntsd "$TMP/ntsd.conf"
check "ntsd restarts after kill -9" [ $? -eq 0 ]
wait_for 20 sh -c "[ \"\$('$NTSCTL' -h '$TMP/ntsd.sock' serverstats 2>/dev/null | sed -n 's/^Authenticated NTP packets *: *//p')\" -ge 3 ]"
check "client gets authenticated replies from the restarted ntsd" \
  [ "$(stat_value 'Authenticated NTP packets')" -ge 3 ]
check "... without a new NTS-KE" [ "$(stat_value 'NTS-KE connections accepted')" -eq 0 ]
check "client still synchronised" synchronised
stop_pid "$NTSD_PID"
stop_pid "$CLIENT_PID"

# ---- migration from a chronyd NTS server ----
mkdir -p "$TMP/chronyd-server"
rm -rf "$TMP/client"/*
start_bg chronyd-server $NOCLOCK chronyd -x -d -u root "port $NTP_PORT" "ntsport $NTSKE_PORT" \
  "allow 127.0.0.1" "local stratum 10" "bindaddress 127.0.0.1" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" \
  "ntsdumpdir $TMP/chronyd-server" "cmdport 0" "bindcmdaddress /" \
  "pidfile $TMP/chronyd-server/chronyd.pid"
SERVER_PID=$LAST_PID
wait_for 10 tcp_listening "$NTSKE_PORT"
start_client
wait_for 20 synchronised
check "chronyd client synchronises to the chronyd NTS server" synchronised
check "chronyd server saved its keys" [ -s "$TMP/chronyd-server/ntskeys" ]
stop_pid "$SERVER_PID"

write_ntsd_conf "$TMP/ntsd2.conf" "allow 127.0.0.1" "local stratum 10" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" \
  "ntsport $NTSKE_PORT" "ntsdumpdir $TMP/chronyd-server"
start_ntsd "$TMP/ntsd2.conf"
check "ntsd starts on chronyd's ntsdumpdir" [ $? -eq 0 ]
wait_for 20 sh -c "[ \"\$('$NTSCTL' -h '$TMP/ntsd.sock' serverstats 2>/dev/null | sed -n 's/^Authenticated NTP packets *: *//p')\" -ge 3 ]"
check "migrated client gets authenticated replies from ntsd" \
  [ "$(stat_value 'Authenticated NTP packets')" -ge 3 ]
check "... with chronyd's cookies, no new NTS-KE" [ "$(stat_value 'NTS-KE connections accepted')" -eq 0 ]

finish
