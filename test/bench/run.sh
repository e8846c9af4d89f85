#!/bin/sh
# make bench: ntsd against Debian's chronyd and the ceiling (a minimal
# batched responder, test/bench/ceiling.c), one after the other on
# loopback, with the same load from test/bench/ntsload.  With ntsd's
# server keys the ceiling answers the nts mode too (the NTS ceiling: the
# NTS work RFC 8915 requires and nothing else), its clients getting their
# cookies from ntsd's NTS-KE.
#
# Each server is pinned to SERVER_CPU and the generator to GEN_CPU with
# taskset, so that the server has a core of its own and the numbers are
# what one core can serve.  Per round and server, each mode runs for
# DURATION seconds:
#   plain    NTPv4 requests, WINDOW in flight
#   nts      NTS-protected requests (one NTS-KE first), every reply verified
#   ke       full NTS-KE sessions, KE_CONC at a time
#   plain+ke plain requests while NTS-KE sessions arrive at KE_RATE per
#            second (the same offered load for every server)
#   plain+keflood  plain requests during an NTS-KE flood: KE_CONC
#            sessions at a time, each started as soon as one ends, no rate
#            limit (NTS-KE must not stall NTP, issue 9); both generators
#            share GEN_CPU, the same for every server
# and we record the valid replies per second, the latency p50/p99 seen by
# the generator, the server's CPU time per request (utime + stime of all
# its processes, from /proc/PID/stat) and, at the end, its peak RSS
# (VmHWM, summed over its processes).  The summary takes the median over
# the rounds.
#
# Environment: ROUNDS (3), DURATION (5), WINDOW (64), KE_CONC (8),
# KE_RATE (100), SERVER_CPU (0), GEN_CPU (1), SERVERS ("ntsd chronyd
# ceiling"), CLIENTLOGLIMIT (524288, chronyd's default), NTSD (binary).
#
# Nothing touches the clock: both daemons run with -x and without
# CAP_SYS_TIME in their bounding set; traffic stays on 127.0.0.1.

bench_ntsd=${NTSD:-}
. "$(dirname "$0")/../system/lib/common.sh"
# The binary itself, not the system tests' wrapper (which adds -F and
# NTSD_WRAP): valgrind must see ntsd, and the bench compares daemons as
# started the same way (chronyd too runs without -F)
NTSD=${bench_ntsd:-$TOP/ntsd}

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WINDOW=${WINDOW:-64}
KE_CONC=${KE_CONC:-8}
KE_RATE=${KE_RATE:-100}
SERVER_CPU=${SERVER_CPU:-0}
GEN_CPU=${GEN_CPU:-1}
SERVERS=${SERVERS:-ntsd chronyd ceiling}
CLIENTLOGLIMIT=${CLIENTLOGLIMIT:-524288}
LOAD=$TOP/test/bench/ntsload
CEILING=$TOP/test/bench/ceiling
RESULTS=$TMP/results
CLK_TCK=$(getconf CLK_TCK)

die() {
  echo "bench: $*" >&2
  exit 1
}

for c in taskset certtool ss; do
  command -v $c >/dev/null 2>&1 || die "$c is not installed"
done
[ -x "$LOAD" ] && [ -x "$CEILING" ] || die "build first: make test/bench/ntsload test/bench/ceiling"
case " $SERVERS " in
  *" chronyd "*)
    if ! command -v chronyd >/dev/null 2>&1; then
      echo "bench: chronyd is not installed, leaving it out" >&2
      SERVERS=$(echo "$SERVERS" | sed 's/chronyd//')
    fi ;;
esac
if [ "$(nproc)" -lt 2 ]; then
  echo "bench: one CPU only: server and generator share it" >&2
  GEN_CPU=$SERVER_CPU
fi
# Bounded by design: every generator run stops after DURATION seconds
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 60 ] || die "DURATION must be 1-60"
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || die "ROUNDS must be 1-20"

CERTS=$TMP/certs
sh "$TOP/test/system/lib/mkcerts.sh" "$CERTS" > /dev/null || die "mkcerts.sh failed"
: > "$RESULTS"

# descendants PID: the process and its children (chronyd's NTS-KE helper)
descendants() {
  echo "$1"
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$c"
  done
}

# cpu_ticks PID...: utime + stime summed, in clock ticks
cpu_ticks() {
  for p in "$@"; do
    cat "/proc/$p/stat" 2>/dev/null
  done | awk '{ s += $14 + $15 } END { print s + 0 }'
}

# peak_rss PID...: VmHWM summed, in kB
peak_rss() {
  for p in "$@"; do
    cat "/proc/$p/status" 2>/dev/null
  done | awk '$1 == "VmHWM:" { s += $2 } END { print s + 0 }'
}

# field NAME LINE: a value from ntsload's key=value output
field() {
  echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

start_server() {
  # start_server NAME: sets SPID, NTP_PORT, NTSKE_PORT
  name=$1
  NTP_PORT=$(free_port udp) || die "no free port"
  NTSKE_PORT=$(free_port tcp) || die "no free port"
  dir=$TMP/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  # The same directives for both daemons; only the command sockets
  # differ in spelling (none over UDP for either)
  common="port $NTP_PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 10
ntsservercert $CERTS/server.pem
ntsserverkey $CERTS/server.key
ntsport $NTSKE_PORT
ntsdumpdir $dir
clientloglimit $CLIENTLOGLIMIT
cmdport 0
pidfile $dir/$name.pid"
  case $name in
    ntsd)
      printf '%s\nbindcmdaddress %s\n' "$common" "$dir/ntsd.sock" > "$dir/conf"
      start_bg "$name" taskset -c "$SERVER_CPU" $NOCLOCK "$NTSD" -d -x -U -u root -f "$dir/conf"
      ;;
    chronyd)
      printf '%s\nbindcmdaddress /\n' "$common" > "$dir/conf"
      start_bg "$name" taskset -c "$SERVER_CPU" $NOCLOCK chronyd -d -x -u root -f "$dir/conf"
      ;;
    ceiling)
      # With ntsd's server keys it answers NTS too, with the cookies of
      # ntsd's NTS-KE: the NTS ceiling
      [ -n "$PID_ntsd" ] && wait_for 10 test -s "$TMP/ntsd/ntskeys" && keys="-k $TMP/ntsd"
      start_bg "$name" taskset -c "$SERVER_CPU" "$CEILING" -p "$NTP_PORT" -t 3600 $keys
      ;;
  esac
  SPID=$LAST_PID
  wait_for 10 udp_listening "$NTP_PORT" || die "$name did not start (see $TMP/$name.log)"
  if [ "$name" != ceiling ]; then
    wait_for 10 tcp_listening "$NTSKE_PORT" || die "$name has no NTS-KE port"
  fi
}

load() {
  # load MODE [OPTIONS]: one generator run on GEN_CPU
  m=$1
  shift
  taskset -c "$GEN_CPU" "$LOAD" -m "$m" -p "$NTP_PORT" -k "$NTSKE_PORT" -a "$CERTS/ca.pem" \
    -d "$DURATION" "$@" 2> "$TMP/load-$m.err"
}

forget_pid() {
  # Once waited for, a PID may be reused: keep cleanup from killing it
  PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
}

record() {
  # record ROUND SERVER MODE OUTPUT CPU_TICKS
  valid=$(field valid "$4")
  rate=$(field rate "$4")
  cpu=$(awk -v t="$5" -v v="${valid:-0}" -v hz="$CLK_TCK" \
    'BEGIN { if (v > 0 && t >= 0) printf "%.2f", t / hz * 1e6 / v; else print "-" }')
  [ -n "$rate" ] || rate=0
  echo "$1 $2 $3 $rate $(field p50_us "$4") $(field p99_us "$4") $cpu $(field gen_cpu "$4")" >> "$RESULTS"
  printf '  %-8s %-8s %10s /s  p50 %6s us  p99 %6s us  cpu/req %8s us  (%s)\n' \
    "$2" "$3" "$rate" "$(field p50_us "$4")" "$(field p99_us "$4")" "$cpu" "$4"
  if [ "${valid:-0}" -eq 0 ]; then
    echo "  warning: no valid replies from $2 in mode $3:" >&2
    e=${3%%+*}
    [ "$e" = keflood ] && e=ke
    tail -n 3 "$TMP/load-$e.err" >&2
    echo "  $2's log ends:" >&2
    tail -n 5 "$TMP/$2.log" >&2
  fi
}

run_mode() {
  # run_mode ROUND SERVER LABEL MODE [OPTIONS]
  r=$1
  s=$2
  l=$3
  shift 3
  pids=$(descendants "$SPID")
  c0=$(cpu_ticks $pids)
  out=$(load "$@")
  c1=$(cpu_ticks $pids)
  record "$r" "$s" "$l" "$out" $((c1 - c0))
}

run_under_ke() {
  # run_under_ke ROUND SERVER LABEL KE_LABEL KE_OPTIONS...: plain NTP
  # (recorded as LABEL) while a background NTS-KE load runs for the same
  # DURATION (its rate recorded as KE_LABEL)
  r=$1
  s=$2
  l=$3
  kl=$4
  shift 4
  pids=$(descendants "$SPID")
  c0=$(cpu_ticks $pids)
  load ke "$@" > "$TMP/ke-bg.out" &
  ke_pid=$!
  PIDS="$PIDS $ke_pid"
  out=$(load plain -w "$WINDOW")
  c1=$(cpu_ticks $pids)
  wait $ke_pid
  forget_pid $ke_pid
  ke_out=$(cat "$TMP/ke-bg.out")
  # Both generators share GEN_CPU: the NTP row's gen_cpu is their sum, so
  # that the summary can tell when the generator CPU was the limit.  The
  # server CPU per NTP request includes the NTS-KE work.
  g=$(awk -v a="$(field gen_cpu "$out")" -v b="$(field gen_cpu "$ke_out")" \
    'BEGIN { printf "%.2f", a + b }')
  out=$(echo "$out" | sed "s/gen_cpu=[0-9.]*/gen_cpu=$g/")
  record "$r" "$s" "$l" "$out" $((c1 - c0))
  record "$r" "$s" "$kl" "$ke_out" -1
}

echo "bench: $ROUNDS round(s) of $DURATION s per mode; server on CPU $SERVER_CPU," \
  "generator on CPU $GEN_CPU; window $WINDOW, NTS-KE concurrency $KE_CONC"
# use_server NAME: point SPID, NTP_PORT and NTSKE_PORT at a started server
use_server() {
  eval "SPID=\$PID_$1 NTP_PORT=\$NTPPORT_$1 NTSKE_PORT=\$KEPORT_$1"
}

# rotate N WORDS...: the words, the first N (mod their count) moved to the end
rotate() {
  k=$(($1 % ($# - 1)))
  shift
  while [ $k -gt 0 ]; do
    w=$1
    shift
    set -- "$@" "$w"
    k=$((k - 1))
  done
  echo "$@"
}

# All servers run at once (an idle one costs nothing) and every mode is
# measured for each of them back to back, in an order that rotates from
# round to round: the machine's load drifts, and the ratios are taken
# between runs seconds apart, per round, rather than half a minute apart
round=1
while [ $round -le "$ROUNDS" ]; do
  echo "round $round"
  # The ceiling starts last, whatever the order in SERVERS: as the NTS
  # ceiling it needs the keys of this round's ntsd, not of an earlier one
  PID_ntsd=
  keys=
  starts=$(echo " $SERVERS " | sed 's/ ceiling / /')
  case " $SERVERS " in *" ceiling "*) starts="$starts ceiling" ;; esac
  for s in $starts; do
    start_server "$s"
    eval "PID_$s=$SPID NTPPORT_$s=$NTP_PORT KEPORT_$s=$NTSKE_PORT"
  done
  # The NTS ceiling's clients get their cookies from ntsd's NTS-KE
  [ -n "$keys" ] && KEPORT_ceiling=$KEPORT_ntsd
  sleep 0.5
  order=$(rotate $((round - 1)) $SERVERS)
  for mode in plain nts ke plain+ke plain+keflood; do
    for s in $order; do
      [ "$s" = ceiling ] && [ "$mode" != plain ] && { [ "$mode" != nts ] || [ -z "$keys" ]; } &&
        continue
      use_server "$s"
      case $mode in
        plain) run_mode $round "$s" plain plain -w "$WINDOW" ;;
        nts) run_mode $round "$s" nts nts -w "$WINDOW" ;;
        ke) run_mode $round "$s" ke ke -c "$KE_CONC" ;;
        # NTP under an NTS-KE load: the same offered KE rate for every
        # server, so that only the server's handling of it differs
        plain+ke) run_under_ke $round "$s" plain+ke ke+plain -c "$KE_CONC" -r "$KE_RATE" ;;
        # ... and under as many handshakes as the server will take
        plain+keflood) run_under_ke $round "$s" plain+keflood keflood+plain -c "$KE_CONC" ;;
      esac
    done
  done
  for s in $SERVERS; do
    use_server "$s"
    echo "$round $s rss $(peak_rss $(descendants "$SPID"))" >> "$RESULTS"
    stop_pid "$SPID"
    forget_pid "$SPID"
  done
  round=$((round + 1))
done

# ---- summary: medians over the rounds, ratios paired within a round ----
awk -v ke_rate="$KE_RATE" -v ke_conc="$KE_CONC" -v window="$WINDOW" '
function median(key,   n, i, j, t, a) {
  n = cnt[key]
  if (n == 0) return ""
  for (i = 1; i <= n; i++) a[i] = val[key, i]
  for (i = 2; i <= n; i++)
    for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { if (v == "-" || v == "") return; val[key, ++cnt[key]] = v }
function fmt(v, d) { return v == "" ? "-" : sprintf("%." d "f", v) }
# A rate the generator could not push further is marked: the generator
# was busy (>= 90% of its CPU) while the server was not (< 90% of its)
function rate(s, m,   v, g, c) {
  v = median(s SUBSEP m SUBSEP "rate")
  g = median(s SUBSEP m SUBSEP "gen")
  c = median(s SUBSEP m SUBSEP "cpu")
  if (v != "" && g != "" && g >= 0.9 && c != "" && c * v / 1e6 < 0.9) {
    bound = 1
    return fmt(v, 0) " (g)"
  }
  return fmt(v, 0)
}
# The median over the rounds of the ratio within each round: runs of the
# same round are seconds apart, so a change in the load of the machine moves
# both sides of a ratio alike.  what "rate": a/b; "cpu": b/a (requests
# per CPU-second of a over those of b)
function paired(a, b, m, what,   key, x, y, rd) {
  key = a SUBSEP b SUBSEP m SUBSEP what
  for (rd in rounds) {
    x = what == "rate" ? R[rd, a, m] : C[rd, b, m]
    y = what == "rate" ? R[rd, b, m] : C[rd, a, m]
    if (x != "" && x != "-" && y != "" && y != "-" && x > 0 && y > 0)
      add(key, x / y)
  }
  x = median(key)
  return x == "" ? "-" : sprintf("%.2f", x)
}
$3 == "rss" { if ($4 > rss[$2]) rss[$2] = $4; seen[$2] = 1; next }
{
  seen[$2] = 1
  rounds[$1] = 1
  R[$1, $2, $3] = $4; C[$1, $2, $3] = $7
  add($2 SUBSEP $3 SUBSEP "rate", $4); add($2 SUBSEP $3 SUBSEP "p50", $5)
  add($2 SUBSEP $3 SUBSEP "p99", $6); add($2 SUBSEP $3 SUBSEP "cpu", $7)
  add($2 SUBSEP $3 SUBSEP "gen", $8)
}
END {
  nm = split("plain nts ke plain+ke ke+plain plain+keflood keflood+plain", modes, " ")
  label["plain"] = "NTP (window " window ")"
  label["nts"] = "NTS-protected NTP (window " window ")"
  label["ke"] = "NTS-KE handshakes (concurrency " ke_conc ")"
  label["plain+ke"] = "NTP while NTS-KE at " ke_rate "/s"
  label["ke+plain"] = "... the NTS-KE rate achieved meanwhile"
  label["plain+keflood"] = "NTP during an NTS-KE flood (concurrency " ke_conc ")"
  label["keflood+plain"] = "... the NTS-KE rate achieved meanwhile"
  print ""
  print "| mode | ntsd /s | chronyd /s | ceiling /s | ntsd/chronyd | ntsd/ceiling | ceiling/chronyd | CPU us/req ntsd | chronyd | ceiling | per CPU-s ntsd/chronyd | ntsd/ceiling | ceiling/chronyd | p50/p99 us ntsd | chronyd | ceiling |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for (i = 1; i <= nm; i++) {
    m = modes[i]
    line = "| " label[m]
    for (k = 0; k < 3; k++) {
      s = k == 0 ? "ntsd" : k == 1 ? "chronyd" : "ceiling"
      r[s] = median(s SUBSEP m SUBSEP "rate")
      c[s] = median(s SUBSEP m SUBSEP "cpu")
      p[s] = (r[s] == "") ? "-" : median(s SUBSEP m SUBSEP "p50") " / " median(s SUBSEP m SUBSEP "p99")
    }
    line = line " | " rate("ntsd", m) " | " rate("chronyd", m) " | " rate("ceiling", m)
    line = line " | " paired("ntsd", "chronyd", m, "rate") " | " paired("ntsd", "ceiling", m, "rate")
    line = line " | " paired("ceiling", "chronyd", m, "rate")
    line = line " | " fmt(c["ntsd"], 2) " | " fmt(c["chronyd"], 2) " | " fmt(c["ceiling"], 2)
    line = line " | " paired("ntsd", "chronyd", m, "cpu") " | " paired("ntsd", "ceiling", m, "cpu")
    line = line " | " paired("ceiling", "chronyd", m, "cpu")
    line = line " | " p["ntsd"] " | " p["chronyd"] " | " p["ceiling"] " |"
    print line
  }
  if (bound)
    print "\n(g): bound by the generator (its CPU >= 90%, the server'"'"'s < 90%): compare the CPU time per request instead."
  print ""
  print "| server | peak RSS (VmHWM, all processes) |"
  print "|---|---:|"
  for (k = 0; k < 3; k++) {
    s = k == 0 ? "ntsd" : k == 1 ? "chronyd" : "ceiling"
    if (seen[s]) printf "| %s | %d kB |\n", s, rss[s]
  }
}' "$RESULTS"
