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
trap 'exit 1' HUP INT PIPE TERM

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
  # A call the filter trapped (NTSD_TEST_SECCOMP=-1) is a gap in the
  # allowlist; the kill level (1) ends the daemon, which fails the test
  if [ "$NTSD_TEST_SECCOMP" != 0 ]; then
    blocked=$(grep -rIh 'seccomp: blocked system call' "$TMP" 2>/dev/null | sort | uniq -c)
    if [ -n "$blocked" ]; then
      fail "ntsd made system calls the filter blocked:"
      echo "$blocked" | sed 's/^/    /'
    fi
  fi
  echo "RESULT $PASSED $FAILED"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# Every ntsd a test starts runs under the system-call filter: $NTSD is a
# wrapper that puts -F LEVEL in front of the test's own options (a later
# -F, as in t_privileges.sh, wins).  NTSD_TEST_SECCOMP=0 turns this off,
# -1 traps instead of killing and logs each blocked call (to find what the
# allowlist misses; finish() fails the test on any such line).  -q/-Q and
# -p do not load the filter, so the prefix changes nothing for them.
# NTSD_BIN is the real binary; NTSD_WRAP, when set, is put in front of it
# (make check-valgrind runs every ntsd under valgrind this way) and every
# -F is left out.
NTSD_BIN=$TOP/ntsd
NTSD_TEST_SECCOMP=${NTSD_TEST_SECCOMP-1}
NTSD_WRAP=${NTSD_WRAP:-}
case "$NTSD_TEST_SECCOMP" in
  ''|0) NTSD_TEST_SECCOMP=0 ;;
  1|-1|2|-2) ;;
  *) echo "NTSD_TEST_SECCOMP must be 0, 1, -1, 2 or -2" >&2; exit 1 ;;
esac
# Without the filter in the build, or under a wrapper (valgrind cannot run
# inside a seccomp filter): no -F at all, not even a test's own
if [ -n "$NTSD_WRAP" ] || ! "$NTSD_BIN" -v 2>/dev/null | grep -q -- '+SECCOMP'; then
  NTSD_TEST_SECCOMP=0
fi
if [ "$NTSD_TEST_SECCOMP" != 0 ] || [ -n "$NTSD_WRAP" ]; then
  NTSD=$TMP/ntsd-wrapper
  {
    echo '#!/bin/sh'
    # The sanitizers start their symbolizer as a new process, which the
    # filter kills: reports then name module and offset instead
    if [ "$NTSD_TEST_SECCOMP" != 0 ] && "$NTSD_BIN" -v 2>/dev/null | grep -q -- '+SANITIZERS'; then
      echo 'ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=0; export ASAN_OPTIONS'
    fi
    if [ "$NTSD_TEST_SECCOMP" != 0 ]; then
      echo "exec $NTSD_WRAP \"$NTSD_BIN\" -F $NTSD_TEST_SECCOMP \"\$@\""
    else
      if [ -n "$NTSD_WRAP" ]; then
        cat <<'SH'
n=$#
i=0
while [ $i -lt $n ]; do
  a=$1
  shift
  i=$((i + 1))
  case "$a" in
    -F) [ $i -lt $n ] && shift && i=$((i + 1)); continue ;;
    -F*) continue ;;
  esac
  set -- "$@" "$a"
done
SH
      fi
      echo "exec $NTSD_WRAP \"$NTSD_BIN\" \"\$@\""
    fi
  } > "$NTSD"
  chmod 755 "$NTSD"
fi

# A prefix that removes CAP_SYS_TIME from the bounding set, so even a
# daemon started as root cannot change the clock
if command -v setpriv >/dev/null 2>&1 && setpriv --bounding-set=-sys_time true 2>/dev/null; then
  NOCLOCK="setpriv --bounding-set=-sys_time"
else
  NOCLOCK=""
fi

# free_port udp|tcp: a port in 20000-31999 that no socket uses now.  Below
# Linux's ephemeral range (32768-60999), so that the clients of a test
# (ntsload's thousands of NTS-KE connections, their TIME_WAIT) never hold
# a port a server is about to bind; any socket on it counts, not only
# listeners, for the same reason.
free_port() {
  proto=$1
  i=0
  while [ $i -lt 200 ]; do
    p=$(( (($$ * 7919 + i * 104729 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 12000) + 20000 ))
    i=$((i + 1))
    case " ${USED_PORTS:-} " in *" $p "*) continue ;; esac
    if [ "$proto" = udp ]; then
      ss -Haun "sport = :$p" 2>/dev/null | grep -q . && continue
    else
      ss -Hatn "sport = :$p" 2>/dev/null | grep -q . && continue
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

# need_probe: PROBE is test/system/nts_probe, which make check builds
need_probe() {
  PROBE=$TOP/test/system/nts_probe
  if [ ! -x "$PROBE" ]; then
    fail "test/system/nts_probe is not built (make check builds it)"
    finish
  fi
}

# start_bg NAME CMD...: start a process in the background, record its PID
start_bg() {
  name=$1
  shift
  "$@" > "$TMP/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS="$PIDS $LAST_PID"
}

# stop_pid PID: SIGTERM and wait (bounded); returns the exit status.  A
# daemon the system-call filter killed (SIGSYS, 128 + 31) fails the test.
stop_pid() {
  kill "$1" 2>/dev/null
  wait "$1"
  stop_status=$?
  if [ $stop_status -eq 159 ]; then
    fail "pid $1 was killed by SIGSYS: a system call outside the allowlist" \
      "(NTSD_TEST_SECCOMP=-1 logs its number)"
  fi
  return $stop_status
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
# control, and wait until its NTP port is open and, with the command socket
# of write_ntsd_conf, until that socket is there (opened last; a slow
# daemon, e.g. under valgrind, may answer NTP before) or was refused
start_ntsd() {
  conf=$1
  shift
  start_bg ntsd $NOCLOCK "$NTSD" -d -x -U -u root -f "$conf" "$@"
  NTSD_PID=$LAST_PID
  wait_for 5 udp_listening "$NTP_PORT" || return 1
  if grep -qx "bindcmdaddress $TMP/ntsd.sock" "$conf"; then
    wait_for 5 sh -c "[ -S '$TMP/ntsd.sock' ] || grep -q 'Disabled command socket' '$TMP/ntsd.log' ||
      ! kill -0 $NTSD_PID"
  fi
  return 0
}
