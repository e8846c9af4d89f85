#!/bin/sh
# NTS client: ntsd -Q measures through NTS against Debian's chronyd and
# against ntsd's own NTS server; certificates that are untrusted, expired
# or for another name (host name or IP address) are refused with a clear
# log line; a dead or hostile NTS-KE server is retried with backoff, a
# silent one times out; unauthenticated replies are never used; cookies
# and keys are saved in chronyd's format (and exchanged with chronyd
# itself) and reused after a restart; a long-running client keeps its
# eight cookies and gets through a server restart with new keys (NTS NAK,
# then NTS-KE again); the refresh command makes a running client do a new
# NTS-KE, which ntsd's NTS server counts.
. "$(dirname "$0")/lib/common.sh"

need_cmd certtool chronyd python3

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"
PEER="$TOP/test/system/ntp_peer.py"
SYNC='System clock wrong by'

# start_chronyd_server NAME CERT [DUMPDIR]: chronyd as NTS server on new
# ports (C_PORT, C_KE; C_PID)
start_chronyd_server() {
  name=$1
  cert=$2
  dir=${3:-$TMP/$name}
  C_PORT=$(free_port udp)
  C_KE=$(free_port tcp)
  mkdir -p "$dir"
  start_bg "$name" $NOCLOCK chronyd -x -d -u root "port $C_PORT" "ntsport $C_KE" \
    'allow 127.0.0.1' 'local stratum 10' 'bindaddress 127.0.0.1' \
    "ntsservercert $CERTS/$cert.pem" "ntsserverkey $CERTS/$cert.key" "ntsdumpdir $dir" \
    'cmdport 0' 'bindcmdaddress /' "pidfile $dir/x.pid"
  C_PID=$LAST_PID
  wait_for 5 tcp_listening "$C_KE"
}

# nts_q NAME SERVER PORT NTSPORT TIMEOUT [DIRECTIVES...]: ntsd -Q with one
# NTS source, log in $TMP/NAME.log, ntsdumpdir $TMP/NAME.dump (unless set)
nts_q() {
  name=$1
  server=$2
  port=$3
  ke=$4
  t=$5
  shift 5
  mkdir -p "$TMP/$name.dump"
  timeout 40 $NOCLOCK "$NTSD" -4 -Q -t "$t" -L -1 -f /dev/null "ntsdumpdir $TMP/$name.dump" \
    "ntstrustedcerts $CERTS/ca.pem" "$@" \
    "server $server port $port ntsport $ke iburst nts maxsamples 1" > "$TMP/$name.log" 2>&1
}

synced() { grep -q "$SYNC" "$TMP/$1.log"; }
not_synced() { ! grep -q "$SYNC" "$TMP/$1.log"; }

# ---- (a) Debian's chronyd as the NTS server ----

start_chronyd_server chrony server
check "chronyd NTS server is up" tcp_listening "$C_KE"
CH_PORT=$C_PORT
CH_KE=$C_KE
CH_PID=$C_PID

nts_q ch 127.0.0.1 "$CH_PORT" "$CH_KE" 10
check "chronyd server: ntsd -Q prints '$SYNC'" synced ch
check "chronyd server: NTS-KE gave 8 cookies" grep -q 'NTS-KE with 127.0.0.1: 8 cookies' "$TMP/ch.log"
check "chronyd server: authenticated sample (IP address in the certificate)" \
  grep -q 'Sample from 127.0.0.1' "$TMP/ch.log"
dump=$TMP/ch.dump/127.0.0.1.nts
check "cookies saved in chronyd's format (NNC0)" sh -c "head -1 '$dump' | grep -qx NNC0"
check "dump file has mode 0600" [ "$(stat -c %a "$dump" 2>/dev/null)" = 600 ]
check "dump holds keys and eight cookies (jar refilled by the reply)" \
  sh -c "grep -Eq '^[0-9]+ 15 [0-9A-F]{64} [0-9A-F]{64}\$' '$dump' && \
         [ \$(grep -Ec '^[0-9A-F]{64,}\$' '$dump') -eq 8 ]"

nts_q ch_host localhost "$CH_PORT" "$CH_KE" 10
check "chronyd server: host name localhost verified" synced ch_host

# A restart reuses the saved cookies: with the NTS-KE port closed, only
# the dump can make this work
DEAD_KE=$(free_port tcp)
mkdir -p "$TMP/reuse.dump"
cp "$dump" "$TMP/reuse.dump/"
nts_q reuse 127.0.0.1 "$CH_PORT" "$DEAD_KE" 8
check "saved cookies are reused after a restart (no NTS-KE)" \
  sh -c "grep -q 'Loaded 8 NTS cookies for 127.0.0.1' '$TMP/reuse.log' && grep -q '$SYNC' '$TMP/reuse.log'"
check "the dump is rewritten with unused cookies" \
  sh -c "! cmp -s '$dump' '$TMP/reuse.dump/127.0.0.1.nts' && [ -s '$TMP/reuse.dump/127.0.0.1.nts' ]"

# The files move between ntsd and chronyd both ways
mkdir -p "$TMP/chc.dump"
cp "$TMP/reuse.dump/127.0.0.1.nts" "$TMP/chc.dump/"
timeout 20 $NOCLOCK chronyd -Q -t 6 -u root "pidfile $TMP/chc.pid" "cmdport 0" \
  "bindcmdaddress /" "ntsdumpdir $TMP/chc.dump" "ntstrustedcerts $CERTS/ca.pem" \
  "server 127.0.0.1 port $CH_PORT ntsport $DEAD_KE iburst nts maxsamples 1" > "$TMP/chc.log" 2>&1
check "chronyd uses the cookies ntsd saved" synced chc
mkdir -p "$TMP/fromch.dump"
cp "$TMP/chc.dump/127.0.0.1.nts" "$TMP/fromch.dump/"
nts_q fromch 127.0.0.1 "$CH_PORT" "$DEAD_KE" 8
check "ntsd uses the cookies chronyd saved" \
  sh -c "grep -q 'Loaded [1-8] NTS cookies' '$TMP/fromch.log' && grep -q '$SYNC' '$TMP/fromch.log'"

# ---- (b) ntsd's own NTS server ----

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
mkdir -p "$TMP/srv"
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsport $NTSKE_PORT"
start_ntsd "$TMP/ntsd.conf"
wait_for 5 tcp_listening "$NTSKE_PORT"
check "ntsd NTS server is up" tcp_listening "$NTSKE_PORT"

nts_q own 127.0.0.1 "$NTP_PORT" "$NTSKE_PORT" 10
check "ntsd server: ntsd -Q prints '$SYNC'" synced own
nts_q own_host localhost "$NTP_PORT" "$NTSKE_PORT" 10
check "ntsd server: host name localhost verified" synced own_host

# refresh: a running NTS client drops its keys and cookies and makes a new
# NTS-KE at its next poll, which the server counts
ke_accepted() {
  "$NTSCTL" -h "$TMP/ntsd.sock" serverstats | sed -n 's/^NTS-KE connections accepted *: *//p'
}
mkdir -p "$TMP/rf.dump"
RF_SOCK=$TMP/rf.sock
start_bg rf $NOCLOCK "$NTSD" -4 -d -x -U -u root -L -1 -f /dev/null \
  "pidfile $TMP/rf.pid" "port 0" "cmdport 0" "bindcmdaddress $RF_SOCK" \
  "ntsdumpdir $TMP/rf.dump" "ntstrustedcerts $CERTS/ca.pem" \
  "server 127.0.0.1 port $NTP_PORT ntsport $NTSKE_PORT nts minpoll 1 maxpoll 1"
RF_PID=$LAST_PID
rf_samples() { grep -c 'Sample from 127.0.0.1' "$TMP/rf.log"; }
rf_kes() { grep -c 'NTS-KE with 127.0.0.1: 8 cookies' "$TMP/rf.log"; }
wait_for 15 sh -c "[ \$(grep -c 'Sample from 127.0.0.1' '$TMP/rf.log') -ge 2 ]"
check "refresh: the client has authenticated samples" [ "$(rf_samples)" -ge 2 ]
check "refresh: one NTS-KE before it" [ "$(rf_kes)" -eq 1 ]
ke0=$(ke_accepted)
check "refresh: the server counts NTS-KE connections ($ke0)" [ "${ke0:-0}" -ge 1 ]
check "refresh: 200 OK" sh -c "[ \"\$('$NTSCTL' -h '$RF_SOCK' refresh)\" = '200 OK' ]"
check "refresh: the server accepts a new NTS-KE connection" \
  wait_for 10 sh -c "[ \"\$('$NTSCTL' -h '$TMP/ntsd.sock' serverstats | \
    sed -n 's/^NTS-KE connections accepted *: *//p')\" -gt $ke0 ]"
check "refresh: the client logs a second NTS-KE" wait_for 5 sh -c \
  "[ \$(grep -c 'NTS-KE with 127.0.0.1: 8 cookies' '$TMP/rf.log') -eq 2 ]"
before=$(rf_samples)
check "refresh: authenticated samples with the new keys" wait_for 10 sh -c \
  "[ \$(grep -c 'Sample from 127.0.0.1' '$TMP/rf.log') -gt $before ]"
ke1=$(ke_accepted)
sleep 5
check "refresh: no further NTS-KE without another refresh ($ke1)" [ "$(ke_accepted)" = "$ke1" ]
check "refresh: the client is still running" kill -0 "$RF_PID"
stop_pid "$RF_PID"

# ---- certificates that must be refused ----

start_chronyd_server untrusted untrusted
nts_q untrusted 127.0.0.1 "$C_PORT" "$C_KE" 5
check "untrusted CA: refused with a log line" \
  grep -q 'Could not verify certificate of 127.0.0.1.*NOT trusted' "$TMP/untrusted.log"
check "untrusted CA: no '$SYNC'" not_synced untrusted

start_chronyd_server expired expired
nts_q expired 127.0.0.1 "$C_PORT" "$C_KE" 5
check "expired certificate: refused with a log line" \
  grep -q 'Could not verify certificate of 127.0.0.1.*expired' "$TMP/expired.log"
check "expired certificate: no '$SYNC'" not_synced expired

start_chronyd_server other other
nts_q wrongname localhost "$C_PORT" "$C_KE" 5
check "wrong host name (localhost vs ntsd-other.test): refused with a log line" \
  grep -q 'Could not verify certificate of localhost.*name.*does not match' "$TMP/wrongname.log"
check "wrong host name: no '$SYNC'" not_synced wrongname
nts_q wrongip 127.0.0.1 "$C_PORT" "$C_KE" 5
check "IP address not in the certificate: refused with a log line" \
  grep -q 'Could not verify certificate of 127.0.0.1.*does not match' "$TMP/wrongip.log"
check "IP address not in the certificate: no '$SYNC'" not_synced wrongip

# ---- dead and hostile NTS-KE servers ----

# ke_listener PORT MODE SECONDS: accept connections and close them at
# once (close) or never answer (silent); prints the number accepted
ke_listener() {
  python3 - "$@" <<'EOF'
import socket, sys, time
port, mode, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
s.settimeout(0.2)
n, keep, t0 = 0, [], time.time()
while time.time() - t0 < secs:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    n += 1
    if mode == "close":
        c.close()
    else:
        keep.append(c)
print(n)
EOF
}

HOSTILE_KE=$(free_port tcp)
ke_listener "$HOSTILE_KE" close 15 > "$TMP/close.count" &
LPID=$!
PIDS="$PIDS $LPID"
wait_for 5 tcp_listening "$HOSTILE_KE"
nts_q hostile 127.0.0.1 "$(free_port udp)" "$HOSTILE_KE" 14
wait "$LPID"
n=$(cat "$TMP/close.count")
check "server closing every connection: logged, with the backoff" \
  sh -c "grep -q 'TLS handshake with 127.0.0.1.* failed' '$TMP/hostile.log' && \
         grep -q 'NTS-KE with 127.0.0.1 failed, next attempt in 8 seconds' '$TMP/hostile.log'"
check "server closing every connection: backoff ($n connections in 14 s, polls every 2 s)" \
  sh -c "[ '${n:-99}' -ge 2 ] && [ '${n:-99}' -le 4 ]"
check "server closing every connection: no '$SYNC'" not_synced hostile

SILENT_KE=$(free_port tcp)
ke_listener "$SILENT_KE" silent 9 > "$TMP/silent.count" &
LPID=$!
PIDS="$PIDS $LPID"
wait_for 5 tcp_listening "$SILENT_KE"
nts_q silent 127.0.0.1 "$(free_port udp)" "$SILENT_KE" 8
wait "$LPID"
check "silent NTS-KE server: session times out with a log line" \
  grep -q 'NTS-KE session with 127.0.0.1.* timed out' "$TMP/silent.log"
check "silent NTS-KE server: no '$SYNC'" not_synced silent

# Keys and cookies that lead to a plain NTP server: its replies echo the
# origin timestamp but are not authenticated, so they must be dropped
FAKE_PORT=$(free_port udp)
start_bg fake python3 "$PEER" serve "$FAKE_PORT" good "$TMP/fake.ports"
wait_for 5 udp_listening "$FAKE_PORT"
mkdir -p "$TMP/unauth.dump"
sed "4s/.*/127.0.0.1 $FAKE_PORT/" "$dump" > "$TMP/unauth.dump/127.0.0.1.nts"
nts_q unauth 127.0.0.1 "$FAKE_PORT" "$DEAD_KE" 5
check "unauthenticated replies: requests were answered" [ -s "$TMP/fake.ports" ]
check "unauthenticated replies: dropped with a log line" \
  grep -q 'Dropped reply from 127.0.0.1 without valid NTS authentication' "$TMP/unauth.log"
check "unauthenticated replies: no '$SYNC'" not_synced unauth

# ---- a long-running client across a server restart ----

mkdir -p "$TMP/long.dump" "$TMP/long.srv"
start_chronyd_server longsrv server "$TMP/long.srv"
LS_PORT=$C_PORT
LS_KE=$C_KE
start_bg long $NOCLOCK "$NTSD" -4 -d -x -U -u root -L -1 -f /dev/null \
  "pidfile $TMP/long.pid" "port 0" "cmdport 0" "bindcmdaddress /" "ntsdumpdir $TMP/long.dump" \
  "ntstrustedcerts $CERTS/ca.pem" \
  "server 127.0.0.1 port $LS_PORT ntsport $LS_KE nts minpoll 1 maxpoll 1"
LONG_PID=$LAST_PID
samples() { grep -c 'Sample from 127.0.0.1' "$TMP/long.log"; }
wait_for 15 sh -c "[ \$(grep -c 'Sample from 127.0.0.1' '$TMP/long.log') -ge 4 ]"
check "long-running client: authenticated samples" [ "$(samples)" -ge 4 ]

# The server comes back with new keys: every cookie we hold is now void
stop_pid "$C_PID"
rm -f "$TMP/long.srv/ntskeys"
start_bg longsrv2 $NOCLOCK chronyd -x -d -u root "port $LS_PORT" "ntsport $LS_KE" \
  'allow 127.0.0.1' 'local stratum 10' 'bindaddress 127.0.0.1' \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsdumpdir $TMP/long.srv" \
  'cmdport 0' 'bindcmdaddress /' "pidfile $TMP/long.srv/x.pid"
wait_for 5 tcp_listening "$LS_KE"
before=$(samples)
wait_for 20 sh -c "[ \$(grep -c 'Sample from 127.0.0.1' '$TMP/long.log') -ge $((before + 3)) ]"
check "long-running client: NTS NAK after the server restart" grep -q 'Received NTS NAK' "$TMP/long.log"
check "long-running client: samples again after a new NTS-KE" [ "$(samples)" -ge $((before + 3)) ]
stop_pid "$LONG_PID"
ldump=$TMP/long.dump/127.0.0.1.nts
check "long-running client: eight cookies held at exit" \
  [ "$(grep -Ec '^[0-9A-F]{64,}$' "$ldump" 2>/dev/null)" -eq 8 ]

finish
