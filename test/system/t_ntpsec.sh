#!/bin/sh
# NTPsec as the NTS server: ntsd -Q does NTS-KE with NTPsec's ntpd and
# gets authenticated time from it, by IP address and by host name, and a
# restart reuses the cookies NTPsec handed out.  NTPsec as the NTS client:
# its ntpd does NTS-KE with ntsd's NTS server, takes the negotiated NTP
# port and selects ntsd as its authenticated system peer.
#
# The ntpsec package conflicts with chrony, so .ci/install-deps only
# unpacks it into /opt/ntpsec-unpacked (NTPSEC_NTPD overrides the path).
# Its ntpd cannot be told to use another NTP port than 123, so it runs in
# a private network namespace (unshare -n, only lo, up), in the
# foreground (-n), with "disable ntp" (the clock discipline loop is open)
# and "disable kernel", as an orphan-mode server (no sources: after
# orphanwait it serves as stratum 10 without ever having set the clock).
# It still calls ntp_adjtime() with modes at start-up (start_kern_loop,
# set_freq), so it runs without CAP_SYS_TIME in its bounding set ($NOCLOCK)
# and, where strace is available, every clock call is traced and checked
# to have been refused by the kernel.
. "$(dirname "$0")/lib/common.sh"

need_cmd certtool

NTPD=${NTPSEC_NTPD:-/opt/ntpsec-unpacked/usr/sbin/ntpd}
SYNC='System clock wrong by'

if [ ! -x "$NTPD" ]; then
  fail "NTPsec's ntpd not found at $NTPD (.ci/install-deps unpacks the ntpsec package there)"
  finish
fi
if [ -z "$NOCLOCK" ]; then
  # Without setpriv nothing stops ntpd (run as root) from changing the
  # kernel's clock frequency and status at start-up
  echo "  skip: NTPsec NTS server (setpriv cannot drop CAP_SYS_TIME, ntpd would adjust the clock)"
  finish
fi
if ! command -v unshare >/dev/null 2>&1 || ! unshare -n true 2>/dev/null; then
  fail "NTPsec needs unshare -n (a private network namespace for its port 123)"
  finish
fi
if ! "$NTPD" --version > "$TMP/version" 2>&1; then
  fail "NTPsec's ntpd does not run: $(head -1 "$TMP/version")"
  finish
fi
echo "  $(head -1 "$TMP/version")"

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS"

cat > "$TMP/ntp-client.conf" <<EOF
# ntsd's NTS-KE server in the namespace; "localhost" because NTPsec checks
# only host names against the certificate
server localhost nts ca $CERTS/ca.pem minpoll 3 maxpoll 3 iburst
disable ntp
disable kernel
nts cookie $TMP/nts-keys-client
logconfig =allall
EOF
cat > "$TMP/ntsd.conf" <<EOF
pidfile $TMP/ntsd.pid
port 11123
bindaddress 127.0.0.1
cmdport 0
bindcmdaddress /
ntsdumpdir $TMP
allow 127.0.0.1
local stratum 10
ntsservercert $CERTS/server.pem
ntsserverkey $CERTS/server.key
ntsport 4460
EOF

cat > "$TMP/ntp.conf" <<EOF
# No sources: an orphan-mode server at stratum 10 after 1 s
tos orphan 10 orphanwait 1
# Open loop: no clock discipline, no kernel time discipline
disable ntp
disable kernel
nts enable
nts cert $CERTS/server.pem
nts key $CERTS/server.key
nts cookie $TMP/nts-keys
EOF

TRACE=""
TRACE2=""
SYSCALLS=clock_settime,settimeofday,adjtimex,clock_adjtime
if command -v strace >/dev/null 2>&1 && strace -qq -f -e trace=$SYSCALLS true 2>/dev/null; then
  TRACE="strace -qq -f -o $TMP/strace.out -e trace=$SYSCALLS"
  TRACE2="strace -qq -f -o $TMP/strace-client.out -e trace=$SYSCALLS"
fi

# ntsd -Q inside the namespace: NAME SERVER NTSPORT DUMPDIR
cat > "$TMP/ns.sh" <<EOF
ip link set lo up
$TRACE $NOCLOCK "$NTPD" -n -c "$TMP/ntp.conf" -f "$TMP/drift" -l "$TMP/ntpd.log" \
  -p "$TMP/ntpd.pid" -s "$TMP/" > "$TMP/ntpd.out" 2>&1 &
bg=\$!
i=0
while ! ss -Hltn 'sport = :4460' | grep -q . && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
q() {
  mkdir -p "\$4"
  timeout 30 $NOCLOCK "$NTSD" -4 -Q -t 10 -L -1 -f /dev/null "ntsdumpdir \$4" \
    "ntstrustedcerts $CERTS/ca.pem" "server \$2 ntsport \$3 iburst nts maxsamples 1" \
    > "$TMP/\$1.log" 2>&1
}
q ip 127.0.0.1 4460 "$TMP/ip.dump"
q host localhost 4460 "$TMP/host.dump"
# Only the saved cookies can work here: nothing listens on port 4461
mkdir -p "$TMP/reuse.dump"
cp "$TMP/ip.dump/127.0.0.1.nts" "$TMP/reuse.dump/" 2>/dev/null
q reuse 127.0.0.1 4461 "$TMP/reuse.dump"
# ntpd by its PID (the strace in front of it would only detach)
pid=\$(cat "$TMP/ntpd.pid" 2>/dev/null)
[ -n "\$pid" ] && kill "\$pid"
i=0
while kill -0 \$bg 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
kill -9 \$bg \$pid 2>/dev/null
wait \$bg

# ---- NTPsec's ntpd as the client of ntsd's NTS server ----
$NOCLOCK "$NTSD" -d -x -U -u root -f "$TMP/ntsd.conf" > "$TMP/ntsd.log" 2>&1 &
srv=\$!
i=0
while ! ss -Hltn 'sport = :4460' | grep -q . && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
$TRACE2 $NOCLOCK "$NTPD" -n -c "$TMP/ntp-client.conf" -f "$TMP/drift-client" \\
  -l "$TMP/ntpd-client.log" -p "$TMP/ntpd-client.pid" > "$TMP/ntpd-client.out" 2>&1 &
bg=\$!
i=0
while ! grep -q 'sys_peer' "$TMP/ntpd-client.log" 2>/dev/null && [ \$i -lt 200 ]; do
  sleep 0.1; i=\$((i + 1))
done
pid=\$(cat "$TMP/ntpd-client.pid" 2>/dev/null)
[ -n "\$pid" ] && kill "\$pid"
kill \$srv
i=0
while (kill -0 \$bg || kill -0 \$srv) 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
kill -9 \$bg \$pid \$srv 2>/dev/null
wait
EOF
timeout 120 unshare -n sh "$TMP/ns.sh"

check "NTPsec NTS-KE server started" grep -q 'NTSs: starting NTS-KE server' "$TMP/ntpd.log"
check "NTPsec: NTS-KE gave 8 cookies" grep -q 'NTS-KE with 127.0.0.1: 8 cookies, NTP server 127.0.0.1 port 123' "$TMP/ip.log"
check "NTPsec: authenticated sample" grep -q 'Sample from 127.0.0.1' "$TMP/ip.log"
check "NTPsec: ntsd -Q prints '$SYNC'" grep -q "$SYNC" "$TMP/ip.log"
check "NTPsec: NTS-KE seen by ntpd" grep -q 'NTSs: NTS-KE from 127.0.0.1' "$TMP/ntpd.log"
check "NTPsec: host name localhost verified, '$SYNC'" grep -q "$SYNC" "$TMP/host.log"
check "NTPsec: saved cookies reused after a restart (no NTS-KE)" \
  sh -c "grep -q 'Loaded 8 NTS cookies for 127.0.0.1' '$TMP/reuse.log' && grep -q '$SYNC' '$TMP/reuse.log'"
check "NTPsec: the reply's new cookie was kept" \
  sh -c "[ \$(grep -Ec '^[0-9A-F]{64,}\$' '$TMP/reuse.dump/127.0.0.1.nts' 2>/dev/null) -ge 7 ]"

C=$TMP/ntpd-client.log
check "NTPsec client: NTS-KE with ntsd gave 8 cookies" grep -q 'NTSc: Got 8 cookies' "$C"
check "NTPsec client: took the negotiated NTP port 11123" grep -q 'NTSc: Using port 11123' "$C"
# Peer status word: 0x8000 configured, 0x4000 authentication enabled,
# 0x2000 authentic, 0x1000 reachable
check "NTPsec client: ntsd reachable and authentic" \
  grep -Eq 'PROTO: 127.0.0.1 [ef][0-9a-f]{3} [0-9a-f]+ reachable' "$C"
check "NTPsec client: ntsd selected as the authenticated system peer" \
  grep -Eq 'PROTO: 127.0.0.1 f[0-9a-f]{3} [0-9a-f]+ sys_peer' "$C"

# Every call that could have changed the clock was refused
if [ -n "$TRACE" ]; then
  for who in "" -client; do
    grep -E "^[0-9]+ +($(echo $SYSCALLS | tr , '|'))\(" "$TMP/strace$who.out" > "$TMP/clock$who.calls"
    grep -v 'modes=0,' "$TMP/clock$who.calls" | grep -v '= -1 EPERM' > "$TMP/clock$who.bad"
    n=$(grep -c 'EPERM' "$TMP/clock$who.calls")
    check "NTPsec${who:+ client}: no clock change went through ($n attempts refused with EPERM)" \
      sh -c "[ -s '$TMP/clock$who.calls' ] && [ ! -s '$TMP/clock$who.bad' ]"
    [ -s "$TMP/clock$who.bad" ] && sed 's/^/    /' "$TMP/clock$who.bad"
  done
else
  echo "  skip: clock calls of ntpd not traced (no strace); CAP_SYS_TIME was dropped"
fi

finish
