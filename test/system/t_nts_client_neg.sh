#!/bin/sh
# NTS client against a misbehaving NTS server (fake_nts_server.py): each
# bad NTS-KE response and each bad NTP reply is refused with a log line
# and ntsd -Q never prints "System clock wrong by".  The same fake, when
# it behaves, is a working NTS server for ntsd (the control), so every
# refusal below is for the one thing each mode gets wrong.
. "$(dirname "$0")/lib/common.sh"

need_cmd certtool python3

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"
FAKE="$TOP/test/system/fake_nts_server.py"
SYNC='System clock wrong by'

# fake_q MODE SECONDS: the fake in MODE on new ports, ntsd -Q against it
# for SECONDS; logs in $TMP/MODE.log (ntsd) and $TMP/fake-MODE.log
fake_q() {
  mode=$1
  t=$2
  tries=0
  while :; do
    ke=$(free_port tcp)
    ntp=$(free_port udp)
    start_bg "fake-$mode" env TMPDIR="$TMP" python3 "$FAKE" "$ke" "$ntp" "$mode" \
      "$CERTS/server.pem" "$CERTS/server.key" $((t + 10))
    fpid=$LAST_PID
    wait_for 5 fake_up "$ke" "$fpid"
    tcp_listening "$ke" && break
    # Another test may take the port between free_port and the bind;
    # take other ports
    tries=$((tries + 1))
    if [ $tries -ge 5 ] || ! grep -q 'Address already in use' "$TMP/fake-$mode.log"; then
      fail "$mode: the fake server did not start: $(tail -1 "$TMP/fake-$mode.log")"
      stop_pid "$fpid"
      return
    fi
    stop_pid "$fpid"
  done
  mkdir -p "$TMP/$mode.dump"
  timeout 30 $NOCLOCK "$NTSD" -4 -Q -t "$t" -L -1 -f /dev/null "ntsdumpdir $TMP/$mode.dump" \
    "ntstrustedcerts $CERTS/ca.pem" \
    "server 127.0.0.1 port $ntp ntsport $ke iburst nts maxsamples 1" > "$TMP/$mode.log" 2>&1
  stop_pid "$fpid"
}

fake_up() { tcp_listening "$1" || ! kill -0 "$2" 2>/dev/null; }
served() { grep -q "$2" "$TMP/fake-$1.log"; }
logged() { grep -q "$2" "$TMP/$1.log"; }
not_synced() { ! grep -q "$SYNC" "$TMP/$1.log"; }

# ---- the control: the fake as a correct NTS server ----

fake_q good 4
check "control: the fake's NTS-KE gave 8 cookies" logged good 'NTS-KE with 127.0.0.1: 8 cookies'
check "control: the fake authenticated our request and replied" served good 'ntp replied good'
check "control: ntsd -Q prints '$SYNC'" logged good "$SYNC"

# ---- NTS-KE responses that must be refused ----

# ke_case MODE DESCRIPTION LOG-REGEX
ke_case() {
  fake_q "$1" 2
  if [ "$1" = noalpn ] || [ "$1" = tls12 ]; then
    check "$2: the fake answered the connection" served "$1" '^ke '
  else
    check "$2: the fake sent it" served "$1" "ke served $1"
  fi
  check "$2: refused with a log line" logged "$1" "$3"
  check "$2: no NTP request sent" sh -c "! grep -q '^ntp ' '$TMP/fake-$1.log'"
  check "$2: no '$SYNC'" not_synced "$1"
}

ke_case noalpn "server without ALPN" 'did not negotiate ALPN ntske/1'
ke_case tls12 "TLS 1.2 server" 'TLS handshake with 127.0.0.1:[0-9]* failed\|TLS with 127.0.0.1:[0-9]* is not version 1.3'
# The log line says why: "Unusable NTS-KE response from ADDR : REASON"
UNUSABLE='Unusable NTS-KE response from 127.0.0.1:[0-9]* : '
ke_case nocookies "NTS-KE response with no cookies" "${UNUSABLE}no cookies\$"
ke_case error "NTS-KE Error record" 'NTS-KE server 127.0.0.1:[0-9]* sent error 1'
ke_case warning "NTS-KE Warning record" "${UNUSABLE}warning record 1\$"
ke_case badaead "unsupported AEAD (30, not asked for)" "${UNUSABLE}unsupported AEAD algorithm 30\$"
ke_case badproto "Next Protocol not asked for" "${UNUSABLE}unsupported next protocol 32768\$"
ke_case critical "unknown critical record" "${UNUSABLE}unknown critical record 0x4000\$"
check "a refused NTS-KE is retried with backoff" \
  logged critical 'NTS-KE with 127.0.0.1 failed, next attempt in'

# ---- more than 8 cookies: accepted, the first 8 kept (as chronyd) ----

# RFC 8915 sets no limit on the cookies a server sends; the ninth (which
# the fake would refuse on the NTP side) is ignored
fake_q ninecookies 4
check "9 cookies: the fake sent them" served ninecookies 'ke served ninecookies .*cookies=9'
check "9 cookies: 8 kept" logged ninecookies 'NTS-KE with 127.0.0.1: 8 cookies'
check "9 cookies: 1 ignored" logged ninecookies 'NTS-KE with 127.0.0.1:[0-9]*: ignored 1 cookies'
check "9 cookies: no 'Unusable NTS-KE response'" \
  sh -c "! grep -q 'Unusable NTS-KE response' '$TMP/ninecookies.log'"
check "9 cookies: the fake authenticated our request and replied" \
  served ninecookies 'ntp replied good'
check "9 cookies: the ignored cookie was never sent" \
  sh -c "! grep -q 'ntp request without a usable NTS cookie' '$TMP/fake-ninecookies.log'"
check "9 cookies: ntsd -Q prints '$SYNC'" logged ninecookies "$SYNC"

# ---- NTP replies that must be dropped (after a good NTS-KE) ----

# ntp_case MODE DESCRIPTION
ntp_case() {
  fake_q "$1" 3
  n=$(grep -c "ntp replied $1" "$TMP/fake-$1.log")
  check "$2: the fake replied ($n)" [ "$n" -ge 1 ]
  check "$2: dropped with a log line" \
    logged "$1" 'Dropped reply from 127.0.0.1 without valid NTS authentication'
  check "$2: no sample" sh -c "! grep -q 'Sample from' '$TMP/$1.log'"
  check "$2: no '$SYNC'" not_synced "$1"
  # One cookie spent per request, none taken from the dropped replies
  c=$(grep -Ec '^[0-9A-F]{64,}$' "$TMP/$1.dump/127.0.0.1.nts" 2>/dev/null)
  check "$2: no cookies taken from the reply ($c left of 8 after $n requests)" \
    [ "${c:-0}" -eq $((8 - n)) ]
}

ntp_case badauth "reply with a bad authenticator"
ntp_case foreignuid "authentic reply with a foreign Unique Identifier"
ntp_case nouid "authentic reply without a Unique Identifier"

finish
