# Shared helpers for the system tests.  Source it from a test script.
#
# Every daemon a test starts is recorded by PID and ended by PID on exit;
# every wait is bounded; ports are picked free from a high range; traffic
# stays on loopback.  Reference daemons run with -x or -Q and, where
# setpriv is available, without CAP_SYS_TIME in the bounding set so the
# kernel refuses any clock change.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
NTSD=$TOP/ntsd
NTSCTL=$TOP/ntsctl
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ntsd-$TEST_NAME.XXXXXX")
PIDS=""
PASSED=0
FAILED=0

cleanup() {
  for p in $PIDS; do
    kill "$p" 2>/dev/null
  done
  for p in $PIDS; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
      sleep 0.1
      i=$((i + 1))
    done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() {
  PASSED=$((PASSED + 1))
  echo "  pass: $*"
}

fail() {
  FAILED=$((FAILED + 1))
  echo "  FAIL: $*"
}

# check DESCRIPTION COMMAND...: pass when the command succeeds
check() {
  desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}

finish() {
  echo "RESULT $PASSED $FAILED"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# A prefix that removes CAP_SYS_TIME from the bounding set, so even a
# daemon started as root cannot change the clock
if command -v setpriv >/dev/null 2>&1 && setpriv --bounding-set=-sys_time true 2>/dev/null; then
  NOCLOCK="setpriv --bounding-set=-sys_time"
else
  NOCLOCK=""
fi

# free_port udp|tcp: a port in 20000-59999 that nothing listens on now
free_port() {
  proto=$1
  i=0
  while [ $i -lt 200 ]; do
    p=$(( (($$ * 7919 + i * 104729 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 40000) + 20000 ))
    i=$((i + 1))
    case " ${USED_PORTS:-} " in *" $p "*) continue ;; esac
    if [ "$proto" = udp ]; then
      ss -Hlun "sport = :$p" 2>/dev/null | grep -q . && continue
    else
      ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && continue
    fi
    USED_PORTS="${USED_PORTS:-} $p"
    echo "$p"
    return 0
  done
  echo "no free port" >&2
  return 1
}

# need_cmd CMD...: fail loudly (not silently pass) when a peer is missing
need_cmd() {
  for c in "$@"; do
    if ! command -v "$c" >/dev/null 2>&1; then
      fail "required program $c is not installed (see .ci/run)"
      finish
    fi
  done
}

# start_bg NAME CMD...: start a process in the background, record its PID
start_bg() {
  name=$1
  shift
  "$@" > "$TMP/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS="$PIDS $LAST_PID"
}

# stop_pid PID: SIGTERM and wait (bounded); returns the exit status
stop_pid() {
  kill "$1" 2>/dev/null
  wait "$1"
}

# wait_for SECONDS CMD...: poll until the command succeeds
wait_for() {
  limit=$1
  shift
  i=0
  while [ $i -lt $((limit * 10)) ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

udp_listening() { ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }
tcp_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# write_ntsd_conf FILE LINES...: a config with test-local paths and ports
# (NTP_PORT, CMD_PORT, NTSKE_PORT must be set)
write_ntsd_conf() {
  f=$1
  shift
  {
    echo "pidfile $TMP/ntsd.pid"
    echo "port $NTP_PORT"
    echo "bindaddress 127.0.0.1"
    echo "cmdport $CMD_PORT"
    echo "bindcmdaddress 127.0.0.1"
    echo "bindcmdaddress $TMP/ntsd.sock"
    echo "ntsdumpdir $TMP"
    for l in "$@"; do echo "$l"; done
  } > "$f"
}

# start_ntsd CONF [OPTIONS]: run ntsd in the foreground, without clock
# control, and wait until its NTP port is open
start_ntsd() {
  conf=$1
  shift
  start_bg ntsd $NOCLOCK "$NTSD" -d -x -U -u root -f "$conf" "$@"
  NTSD_PID=$LAST_PID
  wait_for 5 udp_listening "$NTP_PORT"
}
