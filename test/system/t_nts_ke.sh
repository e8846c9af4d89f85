#!/bin/sh
# NTS-KE server: gnutls-cli with ALPN ntske/1 gets NTPv4, AEAD 15, eight
# cookies, the NTP port and the NTP server name; clients without the ALPN
# protocol or with TLS 1.2 are refused; an unknown critical record gets an
# Error record; Debian's chronyd completes NTS-KE (its saved cookies and
# keys prove the exporter and the port record) and an authenticated NTP
# sample, also with its saved cookies after ntsd restarts; SNI picks
# between two certificates; access rules, maxntsconnections, ntsratelimit
# and the 2-second deadline close connections, and serverstats counts them
# as chronyd does (denied: nowhere; rate limited: dropped; others: accepted).
. "$(dirname "$0")/lib/common.sh"

need_cmd gnutls-cli certtool chronyd python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"
check "mkcerts.sh makes the test certificates" \
  sh -c "for f in ca server other expired untrusted untrusted-ca; do [ -s '$CERTS/'\$f.pem ] || exit 1; done"

# ke NAME [GNUTLS-CLI OPTIONS...]: send the request in $TMP/NAME.req to
# 127.0.0.1 and keep the response in $TMP/NAME.resp, the log in NAME.log
ke() {
  name=$1
  shift
  timeout 10 gnutls-cli --x509cafile="$CERTS/ca.pem" -p "$NTSKE_PORT" --logfile="$TMP/$name.log" \
    "$@" < "$TMP/$name.req" > "$TMP/$name.resp" 2>> "$TMP/$name.log"
}

# records FILE: one line per NTS-KE record, "C TYPE BODY-HEX" (C is 1 for
# critical), or "truncated"
records() {
  python3 - "$1" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
i = 0
while i < len(d):
    if i + 4 > len(d):
        print("truncated"); break
    t = d[i] << 8 | d[i + 1]; n = d[i + 2] << 8 | d[i + 3]
    if i + 4 + n > len(d):
        print("truncated"); break
    print(t >> 15, t & 0x7fff, d[i + 4:i + 4 + n].hex())
    i += 4 + n
EOF
}

request() {
  # Next Protocol NTPv4 (critical), AEAD 15, then the extra records, EOM
  printf '\200\001\000\002\000\000\000\004\000\002\000\017%b\200\000\000\000' "${1:-}"
}

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" \
  "ntsservercert $CERTS/other.pem" "ntsserverkey $CERTS/other.key" \
  "ntsport $NTSKE_PORT" "maxntsconnections 3" "ntsntpserver 127.0.0.1" "local stratum 10"
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts with NTS server certificates" [ $? -eq 0 ]
wait_for 5 tcp_listening "$NTSKE_PORT"
check "NTS-KE port is open" tcp_listening "$NTSKE_PORT"

request > "$TMP/good.req"
ke good --alpn=ntske/1 127.0.0.1
records "$TMP/good.resp" > "$TMP/good.rec"
check "response: Next Protocol NTPv4 first" sh -c "head -1 '$TMP/good.rec' | grep -qx '1 1 0000'"
check "response: AEAD AES-SIV-CMAC-256" grep -qx '[01] 4 000f' "$TMP/good.rec"
check "response: eight cookies" [ "$(grep -c '^0 5 ' "$TMP/good.rec")" -eq 8 ]
port_hex=$(printf '%04x' "$NTP_PORT")
check "response: Port Negotiation with the NTP port" grep -qx "[01] 7 $port_hex" "$TMP/good.rec"
server_hex=$(printf '127.0.0.1' | od -An -tx1 | tr -d ' \n')
check "response: Server Negotiation with ntsntpserver" grep -qx "[01] 6 $server_hex" "$TMP/good.rec"
check "response: End of Message last" sh -c "tail -1 '$TMP/good.rec' | grep -qx '1 0 '"
check "negotiated TLS 1.3 and ALPN ntske/1" \
  sh -c "grep -q 'TLS1.3' '$TMP/good.log' && grep -q 'Application protocol: ntske/1' '$TMP/good.log'"

cp "$TMP/good.req" "$TMP/noalpn.req"
ke noalpn 127.0.0.1
check "client without ALPN gets no response" [ ! -s "$TMP/noalpn.resp" ]
check "client without ALPN gets a no_application_protocol alert" grep -q 'alert \[120\]' "$TMP/noalpn.log"

cp "$TMP/good.req" "$TMP/tls12.req"
ke tls12 --alpn=ntske/1 --priority='NORMAL:-VERS-ALL:+VERS-TLS1.2' 127.0.0.1
check "TLS 1.2 client is refused" sh -c "[ ! -s '$TMP/tls12.resp' ] && ! grep -q 'Handshake was completed' '$TMP/tls12.log'"

# A critical record of an unassigned type (0x7000)
request '\360\000\000\000' > "$TMP/crit.req"
ke crit --alpn=ntske/1 127.0.0.1
records "$TMP/crit.resp" > "$TMP/crit.rec"
check "unknown critical record: Error 0 (Unrecognized Critical Record)" grep -qx '1 2 0000' "$TMP/crit.rec"
check "unknown critical record: no cookies" sh -c "! grep -q '^0 5 ' '$TMP/crit.rec'"

cp "$TMP/good.req" "$TMP/sni.req"
ke sni --alpn=ntske/1 --sni-hostname=ntsd-other.test --verify-hostname=ntsd-other.test 127.0.0.1
check "SNI selects the matching certificate" \
  sh -c "grep -q 'subject .CN=ntsd-other.test' '$TMP/sni.log' && grep -q 'certificate is trusted' '$TMP/sni.log'"
cp "$TMP/good.req" "$TMP/nosni.req"
ke nosni --alpn=ntske/1 127.0.0.1
check "without SNI the first certificate is used" grep -q 'subject .CN=localhost' "$TMP/nosni.log"

# Debian's chronyd as NTS client; its ntsdumpdir keeps the keys it exported
# and the cookies it got
mkdir -p "$TMP/chrony"
run_chronyd() {
  timeout 20 $NOCLOCK chronyd -Q -t 4 -u root -f /dev/null "pidfile $TMP/chronyd.pid" "cmdport 0" \
    "bindcmdaddress /" "ntsdumpdir $TMP/chrony" "ntstrustedcerts $CERTS/ca.pem" \
    "server 127.0.0.1 port $NTP_PORT ntsport $NTSKE_PORT iburst nts maxsamples 1" \
    > "$TMP/$1" 2>&1
}
run_chronyd chronyd.log
nts=$TMP/chrony/127.0.0.1.nts
check "chronyd gets an NTS-authenticated sample" grep -q 'System clock wrong by' "$TMP/chronyd.log"
check "chronyd completes NTS-KE and saves cookies" [ -s "$nts" ]
check "chronyd took the NTP address and port from the response" \
  grep -qx "127.0.0.1 $NTP_PORT" "$nts"
check "chronyd exported AES-SIV-CMAC-256 keys" \
  sh -c "grep -Eq '^[0-9]+ 15 [0-9A-F]{64} [0-9A-F]{64}\$' '$nts'"
check "chronyd holds cookies" [ "$(grep -Ec '^[0-9A-F]{64,}$' "$nts")" -ge 1 ]

# Refused connections, timed out connections: raw TCP clients that never
# start TLS
python3 - "$NTSKE_PORT" > "$TMP/slow.out" <<'EOF'
import selectors, socket, sys, time
port = int(sys.argv[1])
sel = selectors.DefaultSelector()
for i in range(5):
    s = socket.create_connection(("127.0.0.1", port))
    sel.register(s, selectors.EVENT_READ)
t0 = time.time()
while sel.get_map() and time.time() - t0 < 5:
    for key, _ in sel.select(0.1):
        try:
            data = key.fileobj.recv(100)
        except ConnectionResetError:
            data = b""
        if not data:
            print("closed %.1f" % (time.time() - t0))
            sel.unregister(key.fileobj)
for i in range(len(sel.get_map())):
    print("open")
EOF
check "idle connections are closed within 2.5 seconds" \
  sh -c "[ \$(grep -c '^closed' '$TMP/slow.out') -eq 5 ] && awk '\$2 > 2.5 { exit 1 }' '$TMP/slow.out'"
check "connections beyond maxntsconnections are closed at once" \
  sh -c "[ \$(awk '\$2 < 1.0' '$TMP/slow.out' | wc -l) -ge 2 ]"
cp "$TMP/good.req" "$TMP/afterslow.req"
ke afterslow --alpn=ntske/1 127.0.0.1
check "server answers again once the slots are free" \
  [ "$(records "$TMP/afterslow.resp" | grep -c '^0 5 ')" -eq 8 ]

"$NTSCTL" -h "$TMP/ntsd.sock" serverstats > "$TMP/stats1" 2>&1
hits=$(sed -n 's/^NTS-KE connections accepted: *//p' "$TMP/stats1")
drops=$(sed -n 's/^NTS-KE connections dropped *: *//p' "$TMP/stats1")
check "serverstats counts NTS-KE connections" [ "${hits:-0}" -ge 10 ]
check "serverstats: connections closed for want of a slot are not dropped ones" \
  [ "${drops:-x}" = 0 ]

kill -TERM "$NTSD_PID"
wait "$NTSD_PID"
check "ntsd exits cleanly" [ $? -eq 0 ]
check "server keys are saved in ntsdumpdir" [ -s "$TMP/ntskeys" ]

# The keys survive a restart: chronyd's saved cookies still open, so it
# needs no new NTS-KE session
start_ntsd "$TMP/ntsd.conf"
wait_for 5 tcp_listening "$NTSKE_PORT"
run_chronyd chronyd2.log
"$NTSCTL" -h "$TMP/ntsd.sock" serverstats > "$TMP/stats3" 2>&1
check "after a restart: chronyd's old cookies are accepted" \
  sh -c "grep -q 'System clock wrong by' '$TMP/chronyd2.log' && grep -q '^Authenticated NTP packets *: *[1-9]' '$TMP/stats3'"
check "after a restart: no new NTS-KE session was needed" \
  grep -q '^NTS-KE connections accepted: *0$' "$TMP/stats3"
stop_pid "$NTSD_PID"

# ntsratelimit: a burst of 2, then (apart from the rare leak) refused
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "ntsratelimit interval 6 burst 2 leak 4" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsport $NTSKE_PORT"
start_ntsd "$TMP/ntsd.conf"
wait_for 5 tcp_listening "$NTSKE_PORT"
answered=""
for i in 1 2 3 4 5 6; do
  cp "$TMP/good.req" "$TMP/rl$i.req"
  ke "rl$i" --alpn=ntske/1 127.0.0.1
  [ -s "$TMP/rl$i.resp" ] && answered="$answered $i"
done
check "ntsratelimit: the burst is answered" sh -c "echo '$answered' | grep -q '^ 1 2'"
check "ntsratelimit: then connections are refused" [ "$answered" != " 1 2 3 4 5 6" ]
"$NTSCTL" -h "$TMP/ntsd.sock" serverstats > "$TMP/stats4" 2>&1
check "ntsratelimit: refused connections count as dropped" \
  grep -q '^NTS-KE connections dropped *: *[1-9]' "$TMP/stats4"
stop_pid "$NTSD_PID"

# Denied by the access rules: the connection is closed before TLS
write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "deny 127.0.0.1" \
  "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/server.key" "ntsport $NTSKE_PORT"
start_ntsd "$TMP/ntsd.conf"
wait_for 5 tcp_listening "$NTSKE_PORT"
cp "$TMP/good.req" "$TMP/denied.req"
ke denied --alpn=ntske/1 127.0.0.1
check "denied client gets no handshake" sh -c "! grep -q 'Handshake was completed' '$TMP/denied.log'"
"$NTSCTL" -h "$TMP/ntsd.sock" serverstats > "$TMP/stats2" 2>&1
check "denied connection counts neither as accepted nor as dropped" \
  sh -c "grep -q '^NTS-KE connections accepted: *0\$' '$TMP/stats2' &&
    grep -q '^NTS-KE connections dropped *: *0\$' '$TMP/stats2'"

# Unusable certificates stop the daemon at start
stop_pid "$NTSD_PID"
write_ntsd_conf "$TMP/bad.conf" "ntsservercert $CERTS/server.pem" "ntsserverkey $CERTS/other.key" \
  "ntsport $NTSKE_PORT"
timeout 10 $NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/bad.conf" > "$TMP/bad.log" 2>&1
check "mismatched certificate and key: exit non-zero" [ $? -ne 0 ]
check "mismatched certificate and key: says why" grep -q 'Could not load certificate' "$TMP/bad.log"

finish
