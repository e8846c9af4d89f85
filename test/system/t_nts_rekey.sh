#!/bin/sh
# Server keys through the command socket: "dump" writes ntskeys, and with
# ntsrotate 0 (keys managed outside ntsd) "rekey" reads them again.
. "$(dirname "$0")/lib/common.sh"

need_cmd certtool

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)
NTSKE_PORT=$(free_port tcp)
sh "$TOP/test/system/lib/mkcerts.sh" "$TMP/certs" > /dev/null

ctl() {
  "$NTSCTL" -h "$TMP/ntsd.sock" "$@" 2>&1
}

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1" "ntsport $NTSKE_PORT" \
  "ntsservercert $TMP/certs/server.pem" "ntsserverkey $TMP/certs/server.key"
start_ntsd "$TMP/ntsd.conf"
check "ntsd starts" [ $? -eq 0 ]
cp "$TMP/ntskeys" "$TMP/ntskeys.first"
rm -f "$TMP/ntskeys"
check "dump: 200 OK" sh -c "'$NTSCTL' -h '$TMP/ntsd.sock' dump | grep -qx '200 OK'"
# The age line differs; the four keys must be the same
tail -n 4 "$TMP/ntskeys.first" > "$TMP/keys.first"
check "dump: ntskeys written again with the same keys" \
  sh -c "[ -s '$TMP/ntskeys' ] && tail -n 4 '$TMP/ntskeys' | cmp -s - '$TMP/keys.first'"
stop_pid "$NTSD_PID"

# Keys managed outside: ntsrotate 0, rekey reloads them
mkdir -p "$TMP/ext"
cp "$TMP/ntskeys.first" "$TMP/ext/ntskeys"
chmod 600 "$TMP/ext/ntskeys"
write_ntsd_conf "$TMP/ntsd2.conf" "allow 127.0.0.1" "ntsport $NTSKE_PORT" \
  "ntsservercert $TMP/certs/server.pem" "ntsserverkey $TMP/certs/server.key" \
  "ntsrotate 0" "ntsdumpdir $TMP/ext"
start_ntsd "$TMP/ntsd2.conf"
check "ntsd starts with ntsrotate 0" [ $? -eq 0 ]
check "rekey with a valid ntskeys: 200 OK" sh -c "'$NTSCTL' -h '$TMP/ntsd.sock' rekey | grep -qx '200 OK'"
echo garbage > "$TMP/ext/ntskeys"
out=$(ctl rekey)
check "rekey with a corrupt ntskeys fails" sh -c "echo '$out' | grep -q '^500 Failure'"
check "ntsd still running after a failed rekey" kill -0 "$NTSD_PID"
check "dump with ntsrotate 0 does not overwrite the external keys" grep -qx garbage "$TMP/ext/ntskeys"
check "rekey over UDP is not authorised" \
  sh -c "'$NTSCTL' -h 127.0.0.1 -p $CMD_PORT rekey 2>&1 | grep -q '^501 Not authorised'"

finish
