#!/bin/sh
# NTP client: ntsd -Q measures a real chronyd server (plain and with
# symmetric keys) and prints the offset as chronyd -Q does; replies that
# are bogus, duplicated, unsynchronised, KoD or wrongly authenticated give
# no result; every request comes from a new source port.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd python3

SRV_PORT=$(free_port udp)
FAKE_PORT=$(free_port udp)
DEAD_PORT=$(free_port udp)
PEER="$TOP/test/system/ntp_peer.py"

cat > "$TMP/keys" <<KEYS
1 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819
2 AES128 HEX:00112233445566778899AABBCCDDEEFF
3 SHA512 ASCII:a-long-enough-shared-secret-value
KEYS
sed 's/^1 SHA1 HEX:8C/1 SHA1 HEX:9C/' "$TMP/keys" > "$TMP/wrongkeys"
chmod 600 "$TMP/keys" "$TMP/wrongkeys"

start_bg chronyd $NOCLOCK chronyd -x -d "local stratum 1" "allow 127.0.0.1" \
  "bindaddress 127.0.0.1" "port $SRV_PORT" "cmdport 0" "bindcmdaddress /" \
  "pidfile $TMP/chronyd.pid" "keyfile $TMP/keys"
wait_for 5 udp_listening "$SRV_PORT"
check "reference chronyd server started" [ $? -eq 0 ]

# ntsd_q NAME ARGS...: ntsd -Q, output in $TMP/NAME.out, status in $RC
ntsd_q() {
  name=$1
  shift
  $NOCLOCK "$NTSD" -Q "$@" > "$TMP/$name.out" 2>&1
  RC=$?
}
has_offset() {
  grep -Eq '^[0-9T:-]+Z System clock wrong by -?0\.[0-9]{6} seconds \(ignored\)$' "$TMP/$1.out"
}

start=$(date +%s)
ntsd_q plain -t 5 "server 127.0.0.1 port $SRV_PORT iburst maxsamples 1"
check "ntsd -Q gets an offset from chronyd (exit 0)" [ $RC -eq 0 ]
check "  ... printed as chronyd prints it" has_offset plain
check "  ... within a second with maxsamples 1" [ $(( $(date +%s) - start )) -le 2 ]

for k in 1 2 3; do
  ntsd_q key$k -t 5 "server 127.0.0.1 port $SRV_PORT iburst maxsamples 1 key $k" "keyfile $TMP/keys"
  check "ntsd -Q with key $k gets an authenticated offset" sh -c "[ $RC -eq 0 ] && grep -q 'System clock wrong' '$TMP/key$k.out'"
done

ntsd_q wrong -t 3 "server 127.0.0.1 port $SRV_PORT iburst maxsamples 1 key 1" "keyfile $TMP/wrongkeys"
check "a wrong key value gives no offset and exit 1" sh -c "[ $RC -eq 1 ] && ! grep -q 'System clock wrong' '$TMP/wrong.out'"
check "  ... it timed out" grep -q 'Timeout reached' "$TMP/wrong.out"

ntsd_q three -t 10 "server 127.0.0.1 port $SRV_PORT maxsamples 3"
check "maxsamples 3 without iburst: fast sampling, exit 0" sh -c "[ $RC -eq 0 ] && grep -q 'System clock wrong' '$TMP/three.out'"

ntsd_q dead -t 3 "server 127.0.0.1 port $DEAD_PORT iburst maxsamples 1"
check "-t with no server: exit 1" [ $RC -eq 1 ]
check "  ... 'Timeout reached' as chronyd" grep -q 'Timeout reached' "$TMP/dead.out"

ntsd_q nts -t 3 "server 127.0.0.1 port $SRV_PORT nts"
# (t_nts_client.sh tests NTS; here only: no NTS-KE server, no plain NTP)
check "an NTS source without NTS-KE server: NTS-KE fails, logged" \
  grep -q 'Could not connect to NTS-KE server' "$TMP/nts.out"
check "  ... no unauthenticated fallback: no offset, exit 1" \
  sh -c "[ $RC -eq 1 ] && ! grep -q 'System clock wrong' '$TMP/nts.out'"

# Fake servers that misbehave
for b in bogus unsync unsync0 kod; do
  : > "$TMP/ports.$b"
  start_bg fake$b python3 "$PEER" serve "$FAKE_PORT" $b "$TMP/ports.$b"
  fake=$LAST_PID
  wait_for 5 udp_listening "$FAKE_PORT"
  ntsd_q fake$b -t 3 "server 127.0.0.1 port $FAKE_PORT iburst maxsamples 1"
  check "$b replies give no offset" sh -c "[ $RC -eq 1 ] && ! grep -q 'System clock wrong' '$TMP/fake$b.out'"
  kill "$fake"; wait "$fake" 2>/dev/null
  wait_for 5 sh -c "! ss -Hlun 'sport = :$FAKE_PORT' | grep -q ."
done
check "KoD RATE is reported" grep -q 'Received KoD RATE' "$TMP/fakekod.out"
check "an unsynchronised server's stratum 0 without kiss code is no KoD" \
  sh -c "grep -q 'Timeout reached' '$TMP/fakeunsync0.out' && ! grep -q 'KoD' '$TMP/fakeunsync0.out'"

: > "$TMP/ports.dup"
start_bg fakedup python3 "$PEER" serve "$FAKE_PORT" dup "$TMP/ports.dup"
wait_for 5 udp_listening "$FAKE_PORT"
ntsd_q fakedup -t 10 "server 127.0.0.1 port $FAKE_PORT maxsamples 3"
check "with forged and duplicate replies around the real one: exit 0" [ $RC -eq 0 ]
check "every request from a new source port" \
  sh -c "[ \$(wc -l < '$TMP/ports.dup') -ge 3 ] && [ \$(sort -u '$TMP/ports.dup' | wc -l) -eq \$(wc -l < '$TMP/ports.dup') ]"

# -q would set the clock: only ever run it without CAP_SYS_TIME
if [ -n "$NOCLOCK" ]; then
  $NOCLOCK "$NTSD" -q -t 3 "server 127.0.0.1 port $SRV_PORT iburst maxsamples 1" > "$TMP/q.out" 2>&1
  check "-q without CAP_SYS_TIME refuses (exit 1)" [ $? -eq 1 ]
  check "  ... and says why" grep -q 'CAP_SYS_TIME' "$TMP/q.out"
fi

finish
