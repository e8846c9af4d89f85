#!/bin/sh
# The ntpdata test bits and chronyd's test D (no synchronisation loop),
# against real peers.  Two daemons poll each other: A, on 127.0.0.1,
# serves its local reference at stratum 3; B, on 127.0.0.2, has only A as
# a source, so once synchronised it answers at stratum 4 with A's address
# as its reference id.  Neither binds its client sockets (ntsd has no
# bindacqaddress, chronyd runs without one), so A's requests to 127.0.0.2
# leave from 127.0.0.1, the preferred source address of the loopback
# route: B's reference id is A's own address towards B, which the test
# checks in A's ntpdata before anything else.  Then test D fails on A
# (chronyc: "NTP tests : 111 111 1110"), A takes no sample of B and stays
# on its local reference, and ntsd logs why at debug level; to B, A is an
# ordinary source that passes every test ("111 111 1111").
#
# Three pairs run at once on their own ports: ntsd with ntsd, chronyd as
# A with ntsd as B, and ntsd as A with chronyd as B.  chronyd's lines must
# equal ntsd's.
. "$(dirname "$0")/lib/common.sh"

need_cmd chronyd chronyc

A=127.0.0.1
B=127.0.0.2

# peer_dir NAME: a directory for the command socket that chronyd accepts
# (no more than 0770)
peer_dir() {
  mkdir -p "$TMP/$1" && chmod 770 "$TMP/$1"
}

# ntsd_peer NAME ADDRESS PORT DIRECTIVE...: ntsd, debug log, socket in
# $TMP/NAME/sock
ntsd_peer() {
  name=$1 addr=$2 port=$3
  shift 3
  peer_dir "$name"
  {
    echo "pidfile $TMP/$name/ntsd.pid"
    echo "port $port"
    echo "bindaddress $addr"
    echo "cmdport 0"
    echo "bindcmdaddress $TMP/$name/sock"
    echo "ntsdumpdir $TMP/$name"
    echo "allow 127.0.0.0/8"
    for l in "$@"; do echo "$l"; done
  } > "$TMP/$name/ntsd.conf"
  start_bg "$name" $NOCLOCK "$NTSD" -d -d -x -U -u root -f "$TMP/$name/ntsd.conf"
  eval "PID_$name=\$LAST_PID"
  wait_for 5 udp_listening "$port" && wait_for 5 test -S "$TMP/$name/sock"
}

# chronyd_peer NAME ADDRESS PORT DIRECTIVE...: the same with chronyd
chronyd_peer() {
  name=$1 addr=$2 port=$3
  shift 3
  peer_dir "$name"
  start_bg "$name" $NOCLOCK chronyd -x -d -u root -f /dev/null "pidfile $TMP/$name/chronyd.pid" \
    "port $port" "bindaddress $addr" "cmdport 0" "bindcmdaddress $TMP/$name/sock" \
    "allow 127.0.0.0/8" "$@"
  eval "PID_$name=\$LAST_PID"
  wait_for 5 udp_listening "$port" && wait_for 5 test -S "$TMP/$name/sock"
}

# pair N KIND_A KIND_B: A and B of pair N, polling each other every second
pair() {
  pa=$(free_port udp)
  pb=$(free_port udp)
  "$2_peer" a$1 $A "$pa" "local stratum 3" "server $B port $pb minpoll 0 maxpoll 0 iburst"
  check "pair $1: $2 as A started" [ $? -eq 0 ]
  "$3_peer" b$1 $B "$pb" "server $A port $pa minpoll 0 maxpoll 0 iburst"
  check "pair $1: $3 as B started" [ $? -eq 0 ]
}

pair 1 ntsd ntsd
pair 2 chronyd ntsd
pair 3 ntsd chronyd

# cc NAME ARGS...: chronyc on the socket of NAME
cc() {
  sock=$TMP/$1/sock
  shift
  chronyc -n -h "$sock" "$@"
}
# field NAME FILE: the value of a line of chronyc ntpdata
field() { sed -n "s/^$1 *: //p" "$2"; }
tests_of() { cc "$1" ntpdata | sed -n 's/^NTP tests *: //p'; }
has_tests() { [ "$(tests_of "$1")" = "$2" ]; }
# B synchronised and A heard it since: B answers at stratum 4
b_synchronised() { cc "a$1" ntpdata $B | grep -q '^Stratum *: 4$'; }

for n in 1 2 3; do
  check "pair $n: B synchronises to A, A sees it" wait_for 40 b_synchronised $n
  cc a$n ntpdata $B > "$TMP/a$n.ntpdata"
  sed 's/^/    /' "$TMP/a$n.ntpdata"
  # "127.0.0.1 (7F000001)" and "7F000001 (...)": the same hex word
  local_id=$(field 'Local address' "$TMP/a$n.ntpdata" | sed -n 's/.*(\([0-9A-F]*\))$/\1/p')
  ref_id=$(field 'Reference ID' "$TMP/a$n.ntpdata" | cut -d' ' -f1)
  check "pair $n: B's reference id is A's local address ($ref_id = $local_id = 7F000001)" \
    [ "$ref_id" = "$local_id" -a "$local_id" = 7F000001 ]
  line=$(field 'NTP tests' "$TMP/a$n.ntpdata")
  eval "LOOP_$n=\"\$line\""
  check "pair $n: A's tests of B: test D failed, all others passed ($line)" [ "$line" = "111 111 1110" ]
  check "pair $n: A counts B's replies valid, none good" \
    sh -c "[ '$(field 'Total valid RX' "$TMP/a$n.ntpdata")' -gt 0 ] && [ '$(field 'Total good RX' "$TMP/a$n.ntpdata")' = 0 ]"
  check "pair $n: A keeps no sample of B" \
    sh -c "[ \"\$(chronyc -n -c -h '$TMP/a$n/sock' sourcestats | awk -F, '\$1 == \"$B\" { print \$2 }')\" = 0 ]"
  check "pair $n: A does not select B" \
    sh -c "chronyc -n -c -h '$TMP/a$n/sock' sources | awk -F, '\$3 == \"$B\" { f = 1; if (\$2 == \"*\" || \$2 == \"+\") bad = 1 } END { exit !(f && !bad) }'"
  cc a$n -c tracking > "$TMP/a$n.tracking"
  check "pair $n: A stays on its local reference at stratum 3" \
    awk -F, '{ exit !($1 == "7F7F0101" && $3 == 3) }' "$TMP/a$n.tracking"
  # To B, A is an ordinary source (test C may fail a sample now and then
  # on loopback's jitter: wait for a reply that passes it)
  check "pair $n: B's tests of A: all passed" wait_for 10 has_tests b$n "111 111 1111"
  eval "NORMAL_$n=\"\$(tests_of b$n)\""
done

check "chronyd as A prints the same tests of a looping ntsd ($LOOP_2) as ntsd ($LOOP_1)" \
  [ "$LOOP_2" = "$LOOP_1" ]
check "ntsd as A prints the same tests of a looping chronyd ($LOOP_3)" [ "$LOOP_3" = "$LOOP_1" ]
check "chronyd's tests of an ordinary ntsd source ($NORMAL_3) equal ntsd's ($NORMAL_1, $NORMAL_2)" \
  [ "$NORMAL_3" = "$NORMAL_1" -a "$NORMAL_2" = "$NORMAL_1" ]
for n in 1 3; do
  check "pair $n: ntsd logged the loop at debug level" \
    grep -q "Reply from $B refers to our own address $A: the server is synchronised to us" \
    "$TMP/a$n.log"
done

for p in "$PID_a1" "$PID_b1" "$PID_b2" "$PID_a3"; do
  check "ntsd $p is still running" kill -0 "$p"
  stop_pid "$p"
  check "  ... and exits cleanly" [ $? -eq 0 ]
done
finish
