#!/bin/sh
# NTS server under abuse: the probe (test/system/nts_probe) sends NTS
# requests with a tampered cookie (NTS NAK), a bad, truncated or replayed
# authenticator, a missing or short Unique Identifier, two cookies, odd
# placeholders (dropped), and checks that good ones are answered with
# authenticated replies exactly as long as the request.  Debian's chronyd
# must refuse a server whose certificate it does not trust or that has
# expired; garbage, TLS 1.2 and ALPN-less clients on the NTS-KE port are
# refused; and after all of that the server still serves NTS.
. "$(dirname "$0")/lib/common.sh"

need_cmd gnutls-cli certtool chronyd python3

need_probe

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"
# chronyd runs with -u root below, but should it ever drop to _chrony it
# must still be able to read the CA files
chmod 755 "$CERTS"
chmod 644 "$CERTS/ca.pem" "$CERTS/untrusted-ca.pem"
check "mkcerts.sh makes the test certificates" \
  sh -c "for f in ca server expired untrusted-ca; do [ -s '$CERTS/'\$f.pem ] || exit 1; done"

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsport $NTSKE_PORT"
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts with NTS" [ $? -eq 0 ]
wait_for 5 tcp_listening "$NTSKE_PORT"
check "NTS-KE port is open" tcp_listening "$NTSKE_PORT"

# probe MODE...: run the probe against the server; its lines go to the log
probe() {
  "$PROBE" -a "$CERTS/ca.pem" -k "$NTSKE_PORT" -p "$NTP_PORT" "$@" > "$TMP/probe.out" 2>&1
  st=$?
  sed 's/^/    /' "$TMP/probe.out"
  [ $st -eq 0 ] && grep -q '^pass ' "$TMP/probe.out" && ! grep -q '^FAIL ' "$TMP/probe.out"
}

# probe_expect PATTERN MODE...: as probe, and a line must match PATTERN
probe_expect() {
  pattern=$1
  shift
  probe "$@" && grep -Eq "$pattern" "$TMP/probe.out"
}

# probe_count N MODE: as probe, with N passing lines (a mode of N probes)
probe_count() {
  count=$1
  shift
  probe "$@" && [ "$(grep -c '^pass ' "$TMP/probe.out")" -eq "$count" ]
}

check "probe ok: authenticated reply, one new cookie, same length (also with a new cookie)" \
  probe_expect '^pass ok: cookies 1 len [0-9]+$' ok
check "probe tamper-cookie: NTS NAK (KoD NTSN) echoing the Unique Identifier" \
  probe_expect '^pass tamper-cookie: cookie not ours: NTS NAK' tamper-cookie
check "probe bad-auth: flipped authenticator byte gets an NTS NAK" \
  probe_expect '^pass bad-auth: flipped authenticator byte: NTS NAK' bad-auth
check "probe truncated-auth: four truncated authenticators are dropped" \
  probe_count 4 truncated-auth
check "probe replayed-auth: authenticator moved to another UID gets an NTS NAK" \
  probe_count 2 replayed-auth
check "probe placeholders 0: one cookie" probe_expect '^pass placeholders: cookies 1 ' placeholders 0
check "probe placeholders 3: four cookies, reply as long as the request" \
  probe_expect '^pass placeholders: cookies 4 ' placeholders 3
check "probe placeholders 7: eight cookies" probe_expect '^pass placeholders: cookies 8 ' placeholders 7
# Nine placeholders with chronyd-format 100-byte cookies make 1164 bytes,
# under the 1280 the server takes (NIO_MAX_PACKET)
check "probe placeholders 9: still eight cookies, padded to the request's length" \
  probe_expect '^pass placeholders: cookies 8 len [0-9]+$' placeholders 9
check "probe many-placeholders (up to 1280 bytes): reply not longer than the request" \
  probe many-placeholders
check "probe huge-placeholders (300, ~31 kB): no reply or one not longer" probe huge-placeholders
check "probe short-placeholder: placeholder shorter than the cookie is dropped" \
  probe short-placeholder
check "probe no-uid: dropped" probe no-uid
check "probe two-cookies: dropped" probe two-cookies
check "probe short-uid (16 bytes): dropped" probe short-uid
check "probe plain: plain NTPv4 request gets a 48-byte reply" probe plain

# chrony_q NAME CA NTP-PORT NTSKE-PORT SECONDS: chronyd -Q as NTS client,
# measuring only (the clock is never touched), output in $TMP/NAME.log
chrony_q() {
  timeout $(($5 + 10)) $NOCLOCK chronyd -Q -t "$5" -u root -f /dev/null \
    "pidfile $TMP/chronyd.pid" "cmdport 0" "bindcmdaddress /" "ntstrustedcerts $2" \
    "server 127.0.0.1 port $3 ntsport $4 iburst nts maxsamples 1" > "$TMP/$1.log" 2>&1
  sed 's/^/    /' "$TMP/$1.log"
}

chrony_q untrusted "$CERTS/untrusted-ca.pem" "$NTP_PORT" "$NTSKE_PORT" 5
check "chronyd trusting another CA gets no time" \
  sh -c "! grep -q 'System clock wrong by' '$TMP/untrusted.log'"
check "chronyd trusting another CA fails the certificate check" \
  grep -q 'TLS handshake.*failed.*certificate' "$TMP/untrusted.log"

# A second server with the expired certificate (same names, same CA)
EXP=$TMP/expired
mkdir -m 700 "$EXP"
EXP_NTP_PORT=$(free_port udp)
EXP_CMD_PORT=$(free_port udp)
EXP_NTSKE_PORT=$(free_port tcp)
cat > "$EXP/ntsd.conf" <<CONF
pidfile $EXP/ntsd.pid
port $EXP_NTP_PORT
bindaddress 127.0.0.1
cmdport $EXP_CMD_PORT
bindcmdaddress 127.0.0.1
bindcmdaddress $EXP/ntsd.sock
ntsdumpdir $EXP
allow 127.0.0.1
local stratum 10
ntsservercert $CERTS/expired.pem
ntsserverkey $CERTS/expired.key
ntsport $EXP_NTSKE_PORT
CONF
start_bg ntsd-expired $NOCLOCK "$NTSD" -d -x -U -u root -f "$EXP/ntsd.conf"
EXP_PID=$LAST_PID
wait_for 5 tcp_listening "$EXP_NTSKE_PORT"
check "ntsd with an expired certificate listens (the client must refuse it)" \
  tcp_listening "$EXP_NTSKE_PORT"
chrony_q expired "$CERTS/ca.pem" "$EXP_NTP_PORT" "$EXP_NTSKE_PORT" 5
check "chronyd refuses the expired certificate: no time" \
  sh -c "! grep -q 'System clock wrong by' '$TMP/expired.log'"
check "chronyd refuses the expired certificate: says it expired" \
  grep -q 'TLS handshake.*failed.*expired' "$TMP/expired.log"
"$PROBE" -a "$CERTS/ca.pem" -k "$EXP_NTSKE_PORT" -p "$EXP_NTP_PORT" ke-fails \
  > "$TMP/probe-expired.out" 2>&1
sed 's/^/    /' "$TMP/probe-expired.out"
check "probe refuses the expired certificate" grep -q '^pass ke-fails' "$TMP/probe-expired.out"
stop_pid "$EXP_PID"

# Garbage on the NTS-KE port: the server must close the connection without
# starting a handshake (no TLS handshake record comes back)
python3 - "$NTSKE_PORT" > "$TMP/garbage.out" 2>&1 <<'EOF'
import os, socket, sys, time
port = int(sys.argv[1])
# Each is recognisably not TLS from its first bytes (an invalid record
# type, or a malformed ClientHello), so it cannot just wait for more data
for payload in (b"\xff" + os.urandom(511), b"GET / HTTP/1.0\r\n\r\n",
                b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", b"\x00" * 4096):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(3)
    s.sendall(payload)
    t0 = time.time()
    got = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except socket.timeout:
        print("open")
        continue
    except ConnectionResetError:
        pass
    finally:
        s.close()
    print("closed %.1f %d %s" % (time.time() - t0, len(got), got[:1].hex()))
EOF
sed 's/^/    /' "$TMP/garbage.out"
check "garbage on the NTS-KE port: every connection is closed at once (not at the deadline)" \
  sh -c "[ \$(awk '\$1 == \"closed\" && \$2 < 1.0' '$TMP/garbage.out' | wc -l) -eq 4 ]"
check "garbage on the NTS-KE port: no handshake record comes back" \
  sh -c "! grep -q '^closed .* 16\$' '$TMP/garbage.out'"

# ke NAME [GNUTLS-CLI OPTIONS...]: an NTS-KE request through gnutls-cli
ke() {
  name=$1
  shift
  printf '\200\001\000\002\000\000\000\004\000\002\000\017\200\000\000\000' > "$TMP/$name.req"
  timeout 10 gnutls-cli --x509cafile="$CERTS/ca.pem" -p "$NTSKE_PORT" --logfile="$TMP/$name.log" \
    "$@" < "$TMP/$name.req" > "$TMP/$name.resp" 2>> "$TMP/$name.log"
}

ke tls12 --alpn=ntske/1 --priority='NORMAL:-VERS-ALL:+VERS-TLS1.2' 127.0.0.1
check "TLS 1.2-only client is refused" \
  sh -c "[ ! -s '$TMP/tls12.resp' ] && ! grep -q 'Handshake was completed' '$TMP/tls12.log'"
ke noalpn 127.0.0.1
check "client without ALPN gets no NTS-KE response" [ ! -s "$TMP/noalpn.resp" ]
ke good --alpn=ntske/1 127.0.0.1
check "gnutls-cli with ALPN ntske/1 still gets a response (control)" [ -s "$TMP/good.resp" ]

# After all of that the server is still up and serving NTS
check "ntsd is still running" kill -0 "$NTSD_PID"
check "probe ok after the abuse" probe_expect '^pass ok: cookies 1 ' ok
chrony_q good "$CERTS/ca.pem" "$NTP_PORT" "$NTSKE_PORT" 10
check "chronyd -Q over NTS gets the time" grep -q 'System clock wrong by' "$TMP/good.log"

"$NTSCTL" -h "$TMP/ntsd.sock" serverstats > "$TMP/stats" 2>&1
sed 's/^/    /' "$TMP/stats"
auth=$(sed -n 's/^Authenticated NTP packets *: *//p' "$TMP/stats")
check "serverstats counts authenticated NTP packets" [ "${auth:-0}" -gt 0 ]

finish
