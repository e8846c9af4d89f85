#!/bin/sh
# mkcerts.sh DIR: test certificates for NTS-KE, made with certtool.
#
#   ca.pem                 the test CA (trust it with ntstrustedcerts)
#   server.pem/.key        valid for localhost, 127.0.0.1 and ::1
#   other.pem/.key         valid for ntsd-other.test only (SNI selection)
#   expired.pem/.key       same names as server.pem, expired in 2020
#   untrusted.pem/.key     same names, issued by untrusted-ca.pem
#
# Keys are ECDSA P-256 because they are quick to generate.  Nothing here
# asks a question; the same DIR can be reused (files are overwritten).
set -eu

dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"

command -v certtool >/dev/null 2>&1 || {
  echo "mkcerts.sh: certtool not found (Debian: gnutls-bin)" >&2
  exit 1
}

key() {
  certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$1" 2>/dev/null
}

ca() {
  # ca NAME CN
  cat > "$1.tmpl" <<TMPL
cn = "$2"
ca
cert_signing_key
crl_signing_key
expiration_days = 3650
TMPL
  key "$1.key"
  certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
    --outfile "$1.pem" 2>/dev/null
}

leaf() {
  # leaf NAME ISSUER TEMPLATE-LINES...
  name=$1
  issuer=$2
  shift 2
  : > "$name.tmpl"
  for l in "$@"; do echo "$l" >> "$name.tmpl"; done
  cat >> "$name.tmpl" <<TMPL
tls_www_server
signing_key
encryption_key
TMPL
  key "$name.key"
  certtool --generate-certificate --load-privkey "$name.key" \
    --load-ca-certificate "$issuer.pem" --load-ca-privkey "$issuer.key" \
    --template "$name.tmpl" --outfile "$name.pem" 2>/dev/null
}

names='cn = "localhost"
dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"'

ca ca "ntsd test CA"
ca untrusted-ca "ntsd untrusted test CA"

IFS='
'
leaf server ca $names "expiration_days = 365"
leaf other ca 'cn = "ntsd-other.test"' 'dns_name = "ntsd-other.test"' "expiration_days = 365"
leaf expired ca $names 'activation_date = "2019-01-01 00:00:00 UTC"' \
  'expiration_date = "2020-01-01 00:00:00 UTC"'
leaf untrusted untrusted-ca $names "expiration_days = 365"

rm -f ./*.tmpl
