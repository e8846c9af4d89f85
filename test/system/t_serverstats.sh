#!/bin/sh
# serverstats counts what chronyd counts.  The same mix of traffic
# (stats_mix.py: valid, malformed, non-client-mode, denied, keyed and
# rate-limited NTP requests; valid, old-version, malformed and denied
# command requests; NTS-KE from a denied and from a rate-limited address;
# nts_probe's NTS exchange) goes to Debian's chronyd and to ntsd, both
# configured alike, and chronyc's serverstats of the two must agree line
# by line wherever chronyd's counting is deterministic; the rate-limited
# drops, which are random (leak), must match what the senders saw.  The
# RX/TX timestamp counters, which chronyc 4.3 does not print, are read
# with ntsctl -j: one kernel RX and one daemon TX timestamp per response.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc certtool python3

MIX=$TOP/test/system/stats_mix.py
need_probe

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS" > /dev/null
# Both daemons refuse a command socket in a directory others can enter
chmod 700 "$TMP"
KEY=8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819
printf '1 SHA1 HEX:%s\n' "$KEY" > "$TMP/keys"
chmod 600 "$TMP/keys"

# The configuration both daemons get, apart from their files and ports.
# 127.0.0.2 is denied everything; 127.0.0.3 may use NTP and commands.
common_conf() {
  cat <<EOF
port $NTP_PORT
bindaddress 127.0.0.1
cmdport $CMD_PORT
bindcmdaddress 127.0.0.1
bindcmdaddress $TMP/$1.sock
allow 127.0.0.1
allow 127.0.0.3
cmdallow 127.0.0.3
local stratum 10
keyfile $TMP/keys
ratelimit interval 3 burst 16 leak 4
ntsratelimit interval 6 burst 4 leak 4
ntsservercert $CERTS/server.pem
ntsserverkey $CERTS/server.key
ntsport $NTSKE_PORT
EOF
}

# run_mix NAME PID: the mix, nts_probe's NTS exchange (one NTS-KE, two
# authenticated requests, an NTS NAK for a cookie not ours and one for
# a bad authenticator), then serverstats through chronyc and ntsctl -j
run_mix() {
  python3 "$MIX" "$NTP_PORT" "$CMD_PORT" "$NTSKE_PORT" "$CERTS/ca.pem" "$KEY" \
    > "$TMP/$1.mix" 2>&1
  check "$1: the mix ran" grep -q '^ke_ok ' "$TMP/$1.mix"
  timeout 20 "$PROBE" -a "$CERTS/ca.pem" -k "$NTSKE_PORT" -p "$NTP_PORT" \
    ok tamper-cookie bad-auth > "$TMP/$1.probe" 2>&1
  # A bad authenticator gets an NTS NAK from both; both count the
  # request as received, neither as authenticated
  check "$1: NTS-KE and NTS requests (nts_probe ok, tamper-cookie, bad-auth)" \
    sh -c "grep -q '^pass ok' '$TMP/$1.probe' && grep -q '^pass tamper-cookie' '$TMP/$1.probe' &&
      grep -q '^pass bad-auth' '$TMP/$1.probe'"
  sed 's/^/    /' "$TMP/$1.mix" "$TMP/$1.probe"
  chronyc -h "$TMP/$1.sock" serverstats > "$TMP/$1.stats" 2>&1
  check "$1: chronyc serverstats" grep -q '^NTP packets received' "$TMP/$1.stats"
  kill -0 "$2" 2>/dev/null || fail "$1 died"
}

# mix NAME KEY: a count stats_mix.py printed (-1 if it did not, so that
# the checks fail rather than the arithmetic); counter NAME LABEL: a line
# of chronyc serverstats
mix() { v=$(sed -n "s/^$2 //p" "$TMP/$1.mix"); echo "${v:--1}"; }
counter() { sed -n "s/^$2 *: *//p" "$TMP/$1.stats"; }

# ---- chronyd ----
NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
{ common_conf chronyd; echo "pidfile $TMP/chronyd.pid"; echo "ntsprocesses 0"; } > "$TMP/chronyd.conf"
start_bg chronyd $NOCLOCK chronyd -x -d -u root -f "$TMP/chronyd.conf"
CHRONYD_PID=$LAST_PID
wait_for 5 sh -c "[ -S '$TMP/chronyd.sock' ]" && wait_for 5 tcp_listening "$NTSKE_PORT"
check "chronyd runs as an NTP, NTS-KE and command server" [ $? -eq 0 ]
run_mix chronyd "$CHRONYD_PID"
stop_pid "$CHRONYD_PID"

# ---- ntsd ----
NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
{ common_conf ntsd; echo "pidfile $TMP/ntsd.pid"; echo "ntsdumpdir $TMP"; } > "$TMP/ntsd.conf"
start_ntsd "$TMP/ntsd.conf" && wait_for 5 tcp_listening "$NTSKE_PORT"
check "ntsd runs as an NTP, NTS-KE and command server" [ $? -eq 0 ]
run_mix ntsd "$NTSD_PID"
"$NTSCTL" -j -h "$TMP/ntsd.sock" serverstats > "$TMP/ntsd.json" 2>&1
check "ntsd: ntsctl -j serverstats" [ $? -eq 0 ]

echo "    serverstats               chronyd   ntsd"
paste -d'|' "$TMP/chronyd.stats" "$TMP/ntsd.stats" |
  awk -F'|' '{ split($1, a, ": *"); split($2, b, ": *"); printf "    %-27s %7s %7s\n", a[1], a[2], b[2] }'

# ---- what the senders saw ----
for d in chronyd ntsd; do
  check "$d: the valid requests (4) and keyed requests (2) were answered" \
    [ "$(mix $d ntp_valid):$(mix $d ntp_keyed)" = 4:2 ]
  check "$d: no reply to malformed, non-client or denied NTP packets" \
    [ "$(mix $d ntp_bad):$(mix $d ntp_denied)" = 0:0 ]
  check "$d: the flood was rate limited" [ "$(mix $d flood_replies)" -lt "$(mix $d flood_sent)" ]
  check "$d: commands: 2 + $(mix $d cmd_other) answered, no others" \
    [ "$(mix $d cmd_valid):$(mix $d cmd_bad):$(mix $d cmd_denied)" = 2:0:0 ]
  check "$d: no NTS-KE handshake from the denied address" [ "$(mix $d ke_denied)" = 0 ]
  check "$d: NTS-KE from 127.0.0.3 rate limited" [ "$(mix $d ke_ok)" -lt "$(mix $d ke_sent)" ]
done
# Where the replies differ by design (ntsd answers a wrong MAC with a
# crypto-NAK; chronyd answers a bad NTS authenticator with an NTS NAK),
# the counters must not: each is a received request, not an authenticated
# or dropped one
check "chronyd drops a request with a wrong MAC" [ "$(mix chronyd ntp_badmac)" = 0 ]
check "ntsd answers a wrong MAC with a crypto-NAK" [ "$(mix ntsd ntp_badmac)" = 1 ]

# ---- the counters ----
# Received: the requests that passed the format, mode and access checks,
# whether then answered, rate limited or failing authentication: 4 valid,
# 3 keyed (one with a wrong MAC), the flood, and nts_probe's 4
for d in chronyd ntsd; do
  want=$((4 + 3 + $(mix $d flood_sent) + 4))
  check "$d: NTP packets received = $want" [ "$(counter $d 'NTP packets received')" = "$want" ]
  want=$(($(mix $d flood_sent) - $(mix $d flood_replies)))
  check "$d: NTP packets dropped = the flood's unanswered requests ($want)" \
    [ "$(counter $d 'NTP packets dropped')" = "$want" ]
  want=$((2 + 2))
  check "$d: Authenticated NTP packets = 2 keyed + 2 NTS" \
    [ "$(counter $d 'Authenticated NTP packets')" = "$want" ]
  want=$((1 + $(mix $d ke_sent)))
  check "$d: NTS-KE connections accepted = $want (nts_probe and 127.0.0.3, not the denied)" \
    [ "$(counter $d 'NTS-KE connections accepted')" = "$want" ]
  want=$(($(mix $d ke_sent) - $(mix $d ke_ok)))
  check "$d: NTS-KE connections dropped = the refused handshakes ($want)" \
    [ "$(counter $d 'NTS-KE connections dropped')" = "$want" ]
  # 2 valid and 1 of version 4 from 127.0.0.1, the burst from 127.0.0.3,
  # and chronyc's own request
  want=$((2 + 1 + $(mix $d cmd_other) + 1))
  check "$d: Command packets received = $want" [ "$(counter $d 'Command packets received')" = "$want" ]
done

# Line by line where chronyd's counting is deterministic (the drops are
# not: chronyd and ntsd leak different requests through the limits)
for l in 'NTP packets received' 'Command packets received' 'Command packets dropped' \
         'Client log records dropped' 'NTS-KE connections accepted' \
         'Authenticated NTP packets' 'Interleaved NTP packets' 'NTP timestamps held' \
         'NTP timestamp span'; do
  c=$(counter chronyd "$l")
  n=$(counter ntsd "$l")
  check "$l: chronyd $c, ntsd $n" [ -n "$c" -a "$c" = "$n" ]
done

# ---- ntsd's timestamp counters (chronyc 4.4 and later print them) ----
jnum() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/ntsd.json" "$1"; }
# Every response: 4 valid, 2 keyed, the crypto-NAK, the flood's replies,
# nts_probe's 2 authenticated and 2 NAKs; loopback always has a kernel
# receive timestamp, and every transmit timestamp is the daemon's
for k in daemon_rx daemon_tx kernel_rx kernel_tx hardware_rx hardware_tx; do
  printf '    ntsd ntp_%s_timestamps: %s\n' "$k" "$(jnum ntp_${k}_timestamps)"
done
want=$((4 + 2 + 1 + $(mix ntsd flood_replies) + 4))
check "ntsd: NTP kernel RX timestamps = responses ($want)" [ "$(jnum ntp_kernel_rx_timestamps)" = "$want" ]
check "ntsd: NTP daemon RX timestamps = 0" [ "$(jnum ntp_daemon_rx_timestamps)" = 0 ]
check "ntsd: NTP daemon TX timestamps = responses ($want)" [ "$(jnum ntp_daemon_tx_timestamps)" = "$want" ]
check "ntsd: no kernel TX or hardware timestamps (no interleaved mode, no HW)" \
  [ "$(jnum ntp_kernel_tx_timestamps)$(jnum ntp_hardware_rx_timestamps)$(jnum ntp_hardware_tx_timestamps)" = 000 ]

stop_pid "$NTSD_PID"
check "ntsd exits cleanly" [ $? -eq 0 ]
finish
