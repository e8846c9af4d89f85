#!/bin/sh
# The Quick start demo: an NTS server on loopback with a throwaway demo
# certificate, queried over NTS by Debian's chronyd (-Q: measure only, the
# clock is never touched), then ntsctl serverstats.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ntsd-demo.XXXXXX")
NTSD_PID=""
cleanup() {
  [ -n "$NTSD_PID" ] && kill "$NTSD_PID" 2>/dev/null && wait "$NTSD_PID" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

NOCLOCK=""
setpriv --bounding-set=-sys_time true 2>/dev/null && NOCLOCK="setpriv --bounding-set=-sys_time"

# High ports that are free now, so the demo runs beside any real NTP service
pick_port() {
  for p in $(seq "$1" "$(($1 + 200))"); do
    ss -Hlun "sport = :$p" | grep -q . && continue
    ss -Hltn "sport = :$p" | grep -q . && continue
    echo "$p"
    return
  done
  exit 1
}
NTP_PORT=$(pick_port 11123)
NTSKE_PORT=$(pick_port 14460)
CMD_PORT=$(pick_port 10323)

echo "== Making a throwaway CA and server certificate for 127.0.0.1"
sh "$TOP/test/system/lib/mkcerts.sh" "$DIR/certs" > /dev/null
# chronyd -Q started as root reads the CA after switching to its own user
chmod 755 "$DIR" "$DIR/certs"
chmod 644 "$DIR/certs/ca.pem"

cat > "$DIR/ntsd.conf" <<CONF
port $NTP_PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 10
ntsport $NTSKE_PORT
ntsserverkey $DIR/certs/server.key
ntsservercert $DIR/certs/server.pem
ntsdumpdir $DIR/state
cmdport $CMD_PORT
bindcmdaddress 127.0.0.1
bindcmdaddress $DIR/run/ntsd.sock
pidfile $DIR/ntsd.pid
CONF

echo "== Starting ntsd (NTP port $NTP_PORT, NTS-KE port $NTSKE_PORT, clock untouched)"
$NOCLOCK "$TOP/ntsd" -d -x -U -u nobody -f "$DIR/ntsd.conf" > "$DIR/ntsd.log" 2>&1 &
NTSD_PID=$!
i=0
until ss -Hltn "sport = :$NTSKE_PORT" | grep -q .; do
  i=$((i + 1))
  [ $i -lt 50 ] || { cat "$DIR/ntsd.log"; exit 1; }
  sleep 0.1
done

echo "== Querying it over NTS with chronyd -Q"
$NOCLOCK chronyd -Q -t 10 "ntstrustedcerts $DIR/certs/ca.pem" \
  "server 127.0.0.1 port $NTP_PORT ntsport $NTSKE_PORT iburst nts maxsamples 1" 2>&1 |
  tee "$DIR/chronyd.out"
grep -q 'System clock wrong by' "$DIR/chronyd.out"

echo "== ntsctl serverstats"
"$TOP/ntsctl" -h "$DIR/run/ntsd.sock" serverstats
