#!/bin/sh
# NTP server: real chronyd -Q and ntpdig get time from ntsd, with and
# without symmetric keys; a wrong key gets nothing; a barrage of malformed
# packets gets no reply and the server keeps answering.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd python3

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
PEER="$TOP/test/system/ntp_peer.py"

# Keys shared by ntsd and chronyd; the SHA256 key makes chronyd use NTPv3
# with the full digest, the others NTPv4 with a 20-byte one
cat > "$TMP/keys" <<KEYS
# test keys
1 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819
2 AES128 HEX:00112233445566778899AABBCCDDEEFF
3 SHA256 ASCII:a-long-enough-shared-secret-value
4 MD5 HEX:0102030405060708090A0B0C0D0E0F10
KEYS
sed 's/^1 SHA1 HEX:8C/1 SHA1 HEX:9C/' "$TMP/keys" > "$TMP/wrongkeys"
chmod 600 "$TMP/keys" "$TMP/wrongkeys"

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "local stratum 10" "keyfile $TMP/keys"
start_ntsd "$TMP/ntsd.conf"
check "ntsd serves NTP on port $NTP_PORT" [ $? -eq 0 ]

# chronyd_q NAME DIRECTIVES...: chronyd -Q with its files in $TMP
chronyd_q() {
  name=$1
  shift
  $NOCLOCK chronyd -Q -t 5 "pidfile $TMP/$name.pid" "cmdport 0" "$@" > "$TMP/$name.out" 2>&1
}
offset_ok() {
  grep -Eq 'System clock wrong by -?0\.[0-9]{6} seconds \(ignored\)' "$TMP/$1.out"
}

chronyd_q plain "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1"
check "chronyd -Q gets time from ntsd (exit 0)" [ $? -eq 0 ]
check "chronyd -Q prints a sub-second offset" offset_ok plain

for k in 1 2 3 4; do
  chronyd_q key$k "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1 key $k" "keyfile $TMP/keys"
  check "chronyd -Q with key $k ($(sed -n "s/^$k \([A-Z0-9]*\) .*/\1/p" "$TMP/keys")) gets time" \
    sh -c "[ $? -eq 0 ] && grep -q 'System clock wrong' '$TMP/key$k.out'"
done

chronyd_q wrong "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1 key 1" "keyfile $TMP/wrongkeys"
check "chronyd -Q with a wrong key value gets nothing (exit 1)" [ $? -eq 1 ]
check "  ... and says so by timing out" grep -q 'Timeout reached' "$TMP/wrong.out"
check "  ... and never prints an offset" sh -c "! grep -q 'System clock wrong' '$TMP/wrong.out'"

printf '9 SHA1 HEX:8C5B2F9EC4A86E31B0F4D2E9A7C1D3B5E6F70819\n' > "$TMP/otherkeys"
chronyd_q unknown "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1 key 9" "keyfile $TMP/otherkeys"
check "chronyd -Q with a key ntsd does not have gets nothing" [ $? -eq 1 ]

# ntpdig has no port option: it talks to port 123, so it runs with its own
# ntsd inside a private network namespace where port 123 is nobody else's
if command -v ntpdig >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 &&
   unshare -n true 2>/dev/null; then
  write_ntsd_conf "$TMP/ns.conf" "allow 127.0.0.1" "local stratum 10" "keyfile $TMP/keys"
  sed -i "s/^port .*/port 123/; s|^pidfile .*|pidfile $TMP/ns.pid|" "$TMP/ns.conf"
  timeout 20 unshare -n sh -c "
    ip link set lo up
    $NOCLOCK '$NTSD' -d -x -U -u root -f '$TMP/ns.conf' > '$TMP/ns-ntsd.log' 2>&1 &
    pid=\$!
    i=0; while ! ss -Hlun 'sport = :123' | grep -q . && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
    ntpdig -p 1 -t 2 127.0.0.1 > '$TMP/ntpdig.out' 2>&1; echo \$? > '$TMP/ntpdig.rc'
    kill \$pid; wait \$pid" 2>/dev/null
  check "ntpdig gets time from ntsd (network namespace, port 123)" \
    sh -c "[ \"\$(cat '$TMP/ntpdig.rc' 2>/dev/null)\" = 0 ] && grep -q '127.0.0.1 s10' '$TMP/ntpdig.out'"
else
  fail "ntpdig needs ntpsec-ntpdig and unshare -n (a private network namespace for port 123)"
fi

python3 "$PEER" cryptonak "$NTP_PORT" > "$TMP/cryptonak.out" 2>&1
check "unknown key: crypto-NAK (header and zero key id, 52 bytes)" grep -qx 'cryptonak 2' "$TMP/cryptonak.out"

python3 "$PEER" barrage "$NTP_PORT" > "$TMP/barrage.out" 2>&1
check "malformed, oversized and non-request packets get no reply" grep -qx 'replies 0' "$TMP/barrage.out"
check "ntsd still answers after the barrage" grep -qx 'alive 1' "$TMP/barrage.out"
check "ntsd still running after the barrage" kill -0 "$NTSD_PID"
chronyd_q after "server 127.0.0.1 port $NTP_PORT iburst maxsamples 1 key 2" "keyfile $TMP/keys"
check "authenticated service still works after the barrage" [ $? -eq 0 ]
check "key material never logged" sh -c "! grep -Eqi '8C5B2F9E|00112233445566|shared-secret' '$TMP/ntsd.log'"

finish
