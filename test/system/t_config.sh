#!/bin/sh
# Configuration: every directive parsed and printed in canonical form,
# compared with a saved file (as OpenBSD's config tests do); printing is
# stable; every class of error is FILE:LINE: and exit 1.
. "$(dirname "$0")/lib/common.sh"

D=$TOP/test/system/data
"$NTSD" -p -f "$D/full.conf" > "$TMP/full.out" 2> "$TMP/full.err"
check "full config parses" [ $? -eq 0 ]
if diff -u "$D/full.expected" "$TMP/full.out"; then
  pass "canonical form matches the saved file"
else
  fail "canonical form differs from test/system/data/full.expected"
fi
"$NTSD" -p -f "$TMP/full.out" > "$TMP/full.out2"
check "canonical form re-parses to itself" cmp -s "$TMP/full.out" "$TMP/full.out2"

# bad_line DESCRIPTION LINE: the line alone must fail as FILE:1:
bad_line() {
  printf '%s\n' "$2" > "$TMP/bad.conf"
  "$NTSD" -p -f "$TMP/bad.conf" > /dev/null 2> "$TMP/bad.err"
  st=$?
  if [ $st -eq 1 ] && grep -q "^$TMP/bad.conf:1: " "$TMP/bad.err"; then
    pass "$1"
  else
    fail "$1 (exit $st: $(cat "$TMP/bad.err"))"
  fi
}
bad_line "unknown directive" "frobnicate 1"
bad_line "unsupported chrony directive is not ignored" "hwtimestamp eth0"
bad_line "missing argument" "port"
bad_line "port out of range" "port 65536"
bad_line "not a number" "ntsport abc"
bad_line "trailing garbage in number" "cmdport 12x"
bad_line "bad subnet" "allow 300.1.1.1"
bad_line "bad prefix length" "allow 10.0.0.0/33"
bad_line "too many arguments" "allow 10 11"
bad_line "server without host" "server"
bad_line "unknown server option" "server 192.0.2.1 xleave"
bad_line "server option without value" "server 192.0.2.1 minpoll"
bad_line "key and nts together" "server 192.0.2.1 key 1 nts"
bad_line "flag with argument" "nosystemcert yes"
bad_line "bad ratelimit option" "ratelimit speed 3"
bad_line "bad local option" "local stratum 99"
bad_line "makestep without limit" "makestep 1"
bad_line "negative clock parameter" "maxdistance -1"
bad_line "minsources 0" "minsources 0"
bad_line "maxchange without ignore" "maxchange 1000 1"
bad_line "maxchange negative offset" "maxchange -1 1 2"
bad_line "bad leapsecmode" "leapsecmode smear"
bad_line "leapsecmode without mode" "leapsecmode"
bad_line "leapsectz without zone" "leapsectz"
bad_line "rtcsync with argument" "rtcsync 1"
bad_line "bad bind address" "bindaddress localhost"
long=$(head -c 3000 /dev/zero | tr '\0' a)
bad_line "overlong line" "allow $long"

printf 'include %s/nonexistent/*.conf\nport 1234\n' "$TMP" > "$TMP/inc.conf"
check "include matching nothing is not an error" sh -c "'$NTSD' -p -f '$TMP/inc.conf' | grep -qx 'port 1234'"

printf 'include %s/loop.conf\n' "$TMP" > "$TMP/loop.conf"
"$NTSD" -p -f "$TMP/loop.conf" > /dev/null 2> "$TMP/loop.err"
check "include loop is an error, not a crash" sh -c "[ $? -eq 1 ] && grep -q 'nested too deeply' '$TMP/loop.err'"

mkdir -p "$TMP/d1" "$TMP/d2"
printf 'clientloglimit 1111\n' > "$TMP/d1/a.conf"
printf 'clientloglimit 2222\n' > "$TMP/d2/a.conf"
printf 'ntsport 3333\n' > "$TMP/d2/b.conf"
printf 'port 9\n' > "$TMP/d2/c.txt"
"$NTSD" -p "confdir $TMP/d1 $TMP/d2" > "$TMP/confdir.out"
check "confdir: earlier directory hides the same name" grep -qx 'clientloglimit 1111' "$TMP/confdir.out"
check "confdir: other names from later directories read" grep -qx 'ntsport 3333' "$TMP/confdir.out"
check "confdir: only *.conf" grep -qx 'port 123' "$TMP/confdir.out"

"$NTSD" -p -f /nonexistent/ntsd.conf > /dev/null 2> "$TMP/missing.err"
check "missing config file is an error" sh -c "[ $? -eq 1 ] && grep -q '/nonexistent/ntsd.conf' '$TMP/missing.err'"

finish
