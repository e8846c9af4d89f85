#!/bin/sh
# Foundation: version, config printing and errors, foreground run, clean
# shutdown on SIGTERM, pid file exclusivity, man pages.
. "$(dirname "$0")/lib/common.sh"

NTP_PORT=$(free_port udp)
CMD_PORT=$(free_port udp)

out=$("$NTSD" -v)
check "-v prints version and features" sh -c "echo '$out' | grep -Eq '^ntsd version [0-9.]+ \(.*[+-]NTS.*[+-]SECCOMP.*[+-]PRIVDROP'"

"$NTSD" -Z > "$TMP/usage" 2>&1
check "unknown option exits 1" [ $? -eq 1 ]
check "unknown option prints usage" grep -q '^Usage: ntsd' "$TMP/usage"

"$NTSD" -p -f "$TOP/examples/ntsd.conf" > "$TMP/p1" 2> "$TMP/p1.err"
check "-p prints the example config" [ $? -eq 0 -a -s "$TMP/p1" ]
check "-p shows allow rules" grep -q '^allow ' "$TMP/p1"
"$NTSD" -p -f "$TMP/p1" > "$TMP/p2"
check "printed config re-parses to the same config" cmp -s "$TMP/p1" "$TMP/p2"

printf 'port 12345\n# comment\nalow 127.0.0.1\n' > "$TMP/typo.conf"
"$NTSD" -p -f "$TMP/typo.conf" > /dev/null 2> "$TMP/typo.err"
check "typo exits 1" [ $? -eq 1 ]
check "typo reported as FILE:LINE:" grep -q "^$TMP/typo.conf:3: .*alow" "$TMP/typo.err"

printf 'ratelimit interval x\n' > "$TMP/bad.conf"
"$NTSD" -p -f "$TMP/bad.conf" > /dev/null 2> "$TMP/bad.err"
check "bad value exits 1 with FILE:LINE:" sh -c "[ $? -eq 1 ] && grep -q '^$TMP/bad.conf:1: ' '$TMP/bad.err'"

mkdir -p "$TMP/conf.d"
printf 'clientloglimit 1000\n' > "$TMP/conf.d/a.conf"
printf 'include %s/conf.d/*.conf\n' "$TMP" > "$TMP/inc.conf"
check "include with glob" sh -c "'$NTSD' -p -f '$TMP/inc.conf' | grep -qx 'clientloglimit 1000'"

check "config lines as arguments replace the file" \
  sh -c "'$NTSD' -p -f /nonexistent 'port 4242' | grep -qx 'port 4242'"

write_ntsd_conf "$TMP/ntsd.conf" "allow 127.0.0.1"
start_ntsd "$TMP/ntsd.conf"
check "ntsd -d -x runs in the foreground and opens its NTP port" [ $? -eq 0 ]
check "pid file holds the daemon's pid" sh -c "[ \"\$(cat '$TMP/ntsd.pid')\" = '$NTSD_PID' ]"

"$NTSD" -d -x -U -u root -f "$TMP/ntsd.conf" > "$TMP/second.log" 2>&1 &
second=$!
PIDS="$PIDS $second"
wait "$second"
check "second instance on the same pid file refuses to start" [ $? -ne 0 ]
check "second instance says why" grep -q 'Another ntsd' "$TMP/second.log"
check "first instance still running" kill -0 "$NTSD_PID"

kill -TERM "$NTSD_PID"
i=0
while kill -0 "$NTSD_PID" 2>/dev/null && [ $i -lt 10 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM: exits within a second" sh -c "! kill -0 $NTSD_PID 2>/dev/null"
wait "$NTSD_PID"
check "SIGTERM: exit status 0" [ $? -eq 0 ]
check "SIGTERM: pid file removed" [ ! -e "$TMP/ntsd.pid" ]

for m in doc/ntsd.8 doc/ntsd.conf.5 doc/ntsctl.1; do
  check "$m renders with man -l" sh -c "MANWIDTH=80 man -l '$TOP/$m' 2>&1 >/dev/null | grep -q . && exit 1; MANWIDTH=80 man -l '$TOP/$m' 2>/dev/null | grep -q NAME"
done

finish
