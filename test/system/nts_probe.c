/*
  ntsd - NTS client probe for the system tests

  Does one NTS-KE with the server (TLS 1.3, ALPN ntske/1, trusting only the
  CA file given), then sends NTS-protected NTP requests, some deliberately
  broken, and checks what comes back against RFC 8915.  One line per probe:

    pass MODE: detail
    FAIL MODE: detail

  and the exit status is 0 only if every probe passed.  Replies are parsed
  here with a separate, deliberately simple parser rather than the daemon's
  codec, so that a bug in the codec cannot hide itself.

  Usage: nts_probe -a CA -k NTSKE_PORT -p NTP_PORT [-h ADDRESS] MODE...
  Modes: ok, tamper-cookie, bad-auth, truncated-auth, replayed-auth,
  placeholders N, many-placeholders, huge-placeholders, short-placeholder,
  no-uid, two-cookies, short-uid, plain, ke-fails (NTS-KE must fail).
*/
#include "config.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nts_ke_rec.h"
#include "ntp_pkt.h"
#include "siv.h"
#include "tls.h"

#define KE_TIMEOUT_MS 5000
#define REPLY_TIMEOUT_MS 1000
#define UID_LEN 32
#define MAX_UID 64
#define NONCE_LEN 16
#define MAX_NEW_COOKIES 8
#define MAX_PACKET 65536
/* The largest request that still goes as one datagram on any IPv6 path */
#define MAX_SANE_REQUEST 1280
/* Length of the authenticator field of a request (nothing encrypted) */
#define AUTH_FIELD_LEN (4 + 4 + NONCE_LEN + SIV_TAG_LEN)

static const char *host = "127.0.0.1";
static const char *ca_file;
static int ke_port, ntp_port;

/* What NTS-KE gave us */
static int ke_tried, have_keys;
static char ke_why[256];
static uint8_t c2s[SIV_KEY_LEN], s2c[SIV_KEY_LEN];
static uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
static int cookie_lens[NKR_MAX_COOKIES];
static int n_cookies, next_cookie;

static int failures;

static void result(int ok, const char *mode, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static void
result(int ok, const char *mode, const char *fmt, ...)
{
  va_list ap;

  printf("%s %s: ", ok ? "pass" : "FAIL", mode);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  if (!ok)
    failures++;
}

static int
pad4(int x)
{
  return (x + 3) & ~3;
}

static int
get16(const uint8_t *p)
{
  return p[0] << 8 | p[1];
}

static void
random_bytes(void *buf, int len)
{
  if (gnutls_rnd(GNUTLS_RND_NONCE, buf, len) < 0) {
    fprintf(stderr, "gnutls_rnd failed\n");
    exit(2);
  }
}

static long
now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* A socket of the given type connected (or connecting) to host:port */
static int
connect_to(int port, int type)
{
  struct addrinfo hints, *ai;
  char port_s[16];
  int fd;

  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = type & ~SOCK_NONBLOCK;
  snprintf(port_s, sizeof port_s, "%d", port);
  if (getaddrinfo(host, port_s, &hints, &ai) != 0)
    return -1;
  fd = socket(ai->ai_family, type | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(ai);
  return fd;
}

/* Wait for the event a TLS step asked for; 0 on timeout */
static int
wait_tls(int fd, TLS_Status status, long deadline)
{
  struct pollfd pfd;
  long left = deadline - now_ms();

  if (left <= 0)
    return 0;
  pfd.fd = fd;
  pfd.events = status == TLS_WANT_WRITE ? POLLOUT : POLLIN;
  pfd.revents = 0;
  return poll(&pfd, 1, left) > 0;
}

/* NTS-KE: returns 1 with the keys and cookies stored, else 0 with the
   reason in why */
static int
do_ke(char *why, int why_len)
{
  static uint8_t msg[NKR_MAX_MESSAGE];
  const char *trusted[1] = { ca_file };
  TLS_Credentials creds;
  TLS_Session session = NULL;
  TLS_Status st;
  NKR_Response resp;
  uint8_t req[64];
  int fd, req_len, done, n, msg_len = 0, ok = 0, i;
  long deadline = now_ms() + KE_TIMEOUT_MS;

  creds = TLS_CreateClientCredentials(trusted, 1, 0, 0);
  if (!creds) {
    snprintf(why, why_len, "could not load %s", ca_file);
    return 0;
  }
  fd = connect_to(ke_port, SOCK_STREAM | SOCK_NONBLOCK);
  if (fd < 0) {
    snprintf(why, why_len, "could not connect: %s", strerror(errno));
    goto out;
  }
  session = TLS_CreateSession(fd, creds, host, "NTS-KE server");
  if (!session) {
    snprintf(why, why_len, "could not create a TLS session");
    goto out;
  }

  while ((st = TLS_Handshake(session)) != TLS_OK) {
    if (st == TLS_ERROR || !wait_tls(fd, st, deadline)) {
      snprintf(why, why_len, "TLS handshake failed");
      goto out;
    }
  }

  req_len = NKR_BuildRequest(req, sizeof req);
  for (done = 0; done < req_len; ) {
    st = TLS_Send(session, req + done, req_len - done, &n);
    if (st == TLS_OK) {
      done += n;
    } else if (st == TLS_ERROR || !wait_tls(fd, st, deadline)) {
      snprintf(why, why_len, "could not send the request");
      goto out;
    }
  }

  while (NKR_CheckMessage(msg, msg_len) == NKR_INCOMPLETE) {
    st = TLS_Receive(session, msg + msg_len, sizeof msg - msg_len, &n);
    if (st == TLS_OK) {
      msg_len += n;
    } else if (st == TLS_CLOSED || st == TLS_ERROR || !wait_tls(fd, st, deadline)) {
      snprintf(why, why_len, "incomplete response (%d bytes)", msg_len);
      goto out;
    }
  }

  if (NKR_ParseResponse(msg, msg_len, &resp) != NKR_OK) {
    snprintf(why, why_len, "unusable response (error record %d)", resp.error);
    goto out;
  }
  if (!TLS_ExportKeys(session, NKR_AEAD_AES_SIV_CMAC_256, SIV_KEY_LEN, c2s, s2c)) {
    snprintf(why, why_len, "could not export the keys");
    goto out;
  }

  for (i = 0; i < resp.n_cookies; i++) {
    memcpy(cookies[i], resp.cookies[i], resp.cookie_lens[i]);
    cookie_lens[i] = resp.cookie_lens[i];
  }
  n_cookies = resp.n_cookies;
  next_cookie = 0;
  snprintf(why, why_len, "%d cookies of %d bytes", n_cookies, cookie_lens[0]);
  ok = 1;

  /* Best effort: the server closes after its response anyway */
  TLS_Shutdown(session);

out:
  if (session)
    TLS_DestroySession(session);
  if (fd >= 0)
    close(fd);
  TLS_DestroyCredentials(creds);
  return ok;
}

/* NTS-KE once, for every mode that needs keys */
static int
need_keys(const char *mode)
{
  if (!ke_tried) {
    ke_tried = 1;
    have_keys = do_ke(ke_why, sizeof ke_why);
  }
  if (!have_keys)
    result(0, mode, "NTS-KE failed: %s", ke_why);
  return have_keys;
}

/* ---- requests ---- */

typedef struct {
  int uid_len;              /* 0: no Unique Identifier */
  int n_cookie_fields;      /* copies of the cookie */
  int n_placeholders;
  int placeholder_len;      /* 0: the cookie's length */
  int tamper_cookie;
  const uint8_t *cookie;    /* NULL: the next one from NTS-KE */
  int cookie_len;
} Shape;

typedef struct {
  uint8_t pkt[MAX_PACKET];
  int len;
  uint8_t uid[MAX_UID];
  int uid_len;
  uint8_t tx[8];
  int auth_offset;          /* start of the authenticator field */
  int cookie_len;
} Request;

static int
build_request(Request *r, const Shape *s)
{
  const uint8_t *cookie = s->cookie;
  uint8_t tampered[NKR_MAX_COOKIE_LEN], *body, nonce[NONCE_LEN];
  int cookie_len = s->cookie_len, i;

  if (!cookie) {
    i = next_cookie++ % n_cookies;
    cookie = cookies[i];
    cookie_len = cookie_lens[i];
  }
  r->cookie_len = cookie_len;
  if (s->tamper_cookie) {
    /* A byte in the sealed keys, not the key id, so that the server finds
       its key and the AEAD check is what fails */
    memcpy(tampered, cookie, cookie_len);
    tampered[cookie_len / 2] ^= 0x40;
    cookie = tampered;
  }

  memset(r->pkt, 0, NPK_HEADER_LEN);
  r->pkt[0] = NPK_LVM(NPK_LEAP_UNSYNCHRONISED, 4, NPK_MODE_CLIENT);
  random_bytes(r->tx, sizeof r->tx);
  memcpy(r->pkt + 40, r->tx, sizeof r->tx);
  r->len = NPK_HEADER_LEN;

  r->uid_len = s->uid_len;
  if (r->uid_len > 0) {
    random_bytes(r->uid, r->uid_len);
    if (!NPK_AddField(r->pkt, &r->len, sizeof r->pkt, NPK_EF_UNIQUE_ID, r->uid, r->uid_len))
      return 0;
  }
  for (i = 0; i < s->n_cookie_fields; i++) {
    if (!NPK_AddField(r->pkt, &r->len, sizeof r->pkt, NPK_EF_NTS_COOKIE, cookie, cookie_len))
      return 0;
  }
  for (i = 0; i < s->n_placeholders; i++) {
    if (!NPK_AddFieldSpace(r->pkt, &r->len, sizeof r->pkt, NPK_EF_NTS_COOKIE_PLACEHOLDER,
                           s->placeholder_len > 0 ? s->placeholder_len : cookie_len, &body))
      return 0;
  }

  r->auth_offset = r->len;
  if (!NPK_AddFieldSpace(r->pkt, &r->len, sizeof r->pkt, NPK_EF_NTS_AUTH_AND_EEF,
                         4 + NONCE_LEN + SIV_TAG_LEN, &body))
    return 0;
  random_bytes(nonce, sizeof nonce);
  body[1] = NONCE_LEN;
  body[3] = SIV_TAG_LEN;
  memcpy(body + 4, nonce, NONCE_LEN);

  /* Nothing encrypted: the tag alone authenticates the packet up to here */
  {
    SIV_Instance siv;
    uint8_t empty[1] = { 0 };

    if (!SIV_SetKey(&siv, c2s, SIV_KEY_LEN) ||
        !SIV_Encrypt(&siv, nonce, NONCE_LEN, r->pkt, r->auth_offset, empty, 0,
                     body + 4 + NONCE_LEN))
      return 0;
    SIV_Clear(&siv);
  }
  return 1;
}

/* Send the request from a fresh socket and wait up to REPLY_TIMEOUT_MS for
   anything back.  Returns the reply length, 0 if none, -1 on error. */
static int
exchange(const uint8_t *req, int req_len, uint8_t *reply, int reply_max)
{
  struct pollfd pfd;
  long deadline = now_ms() + REPLY_TIMEOUT_MS, left;
  int fd, n = -1;

  fd = connect_to(ntp_port, SOCK_DGRAM);
  if (fd < 0)
    return -1;
  if (send(fd, req, req_len, 0) != req_len)
    goto out;
  for (;;) {
    left = deadline - now_ms();
    if (left <= 0) {
      n = 0;
      break;
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, left) <= 0)
      continue;
    /* The socket is connected, so only the server can answer on it; an
       ICMP error (nothing listening) shows up as a failed recv */
    n = recv(fd, reply, reply_max, 0);
    if (n < 0 && errno == ECONNREFUSED)
      n = -1;
    break;
  }
out:
  close(fd);
  return n;
}

/* ---- replies ---- */

typedef struct {
  int stratum;
  uint32_t refid;
  int uid_ok;               /* the request's UID, and only once */
  int auth_offset;          /* -1 if there is no authenticator */
  int auth_last;            /* the authenticator is the last field */
  int other_fields;         /* fields other than UID and authenticator */
  int n_cookies;            /* in the encrypted part */
  int other_encrypted;      /* encrypted fields that are not cookies */
  int authentic;
  uint8_t new_cookie[NKR_MAX_COOKIE_LEN];
  int new_cookie_len;
} Reply;

/* Check the header against the request and walk the fields; returns 0
   with why set if the reply is not even shaped like an answer to it */
static int
parse_reply(const Request *r, const uint8_t *p, int len, Reply *out, char *why, int why_len)
{
  int offset, type, flen, n_uid = 0;

  memset(out, 0, sizeof *out);
  out->auth_offset = -1;

  if (len < NPK_HEADER_LEN || len % 4 != 0) {
    snprintf(why, why_len, "reply of %d bytes", len);
    return 0;
  }
  if (NPK_LVM_MODE(p[0]) != NPK_MODE_SERVER || NPK_LVM_VERSION(p[0]) != 4) {
    snprintf(why, why_len, "reply mode %d version %d", NPK_LVM_MODE(p[0]),
             NPK_LVM_VERSION(p[0]));
    return 0;
  }
  if (memcmp(p + 24, r->tx, sizeof r->tx) != 0) {
    snprintf(why, why_len, "origin timestamp is not our transmit timestamp");
    return 0;
  }
  out->stratum = p[1];
  out->refid = (uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 | (uint32_t)p[14] << 8 | p[15];

  for (offset = NPK_HEADER_LEN; offset < len; offset += flen) {
    if (len - offset < 16) {
      snprintf(why, why_len, "%d stray bytes at %d", len - offset, offset);
      return 0;
    }
    type = get16(p + offset);
    flen = get16(p + offset + 2);
    if (flen < 16 || flen % 4 != 0 || flen > len - offset) {
      snprintf(why, why_len, "bad field length %d at %d", flen, offset);
      return 0;
    }
    if (type == NPK_EF_UNIQUE_ID) {
      n_uid++;
      out->uid_ok = flen - 4 == pad4(r->uid_len) &&
                    memcmp(p + offset + 4, r->uid, r->uid_len) == 0;
    } else if (type == NPK_EF_NTS_AUTH_AND_EEF) {
      out->auth_offset = offset;
      out->auth_last = offset + flen == len;
    } else {
      out->other_fields++;
    }
  }
  if (n_uid != 1)
    out->uid_ok = 0;
  return 1;
}

/* Decrypt the authenticator with the S2C key and count the new cookies */
static void
open_authenticator(const uint8_t *p, int len, Reply *out)
{
  static uint8_t plain[MAX_PACKET];
  const uint8_t *body;
  int body_len, nonce_len, ct_len, pt_len, offset, type, flen;
  SIV_Instance siv;

  if (out->auth_offset < 0)
    return;
  body = p + out->auth_offset + 4;
  body_len = get16(p + out->auth_offset + 2) - 4;
  nonce_len = get16(body);
  ct_len = get16(body + 2);
  if (nonce_len < 1 || ct_len < SIV_TAG_LEN || 4 + pad4(nonce_len) + pad4(ct_len) > body_len)
    return;
  pt_len = ct_len - SIV_TAG_LEN;
  if (!SIV_SetKey(&siv, s2c, SIV_KEY_LEN))
    return;
  out->authentic = SIV_Decrypt(&siv, body + 4, nonce_len, p, out->auth_offset,
                               body + 4 + pad4(nonce_len), ct_len, plain);
  SIV_Clear(&siv);
  if (!out->authentic)
    return;

  for (offset = 0; offset + 4 <= pt_len; offset += flen) {
    type = get16(plain + offset);
    flen = get16(plain + offset + 2);
    if (flen < 4 || flen % 4 != 0 || flen > pt_len - offset) {
      out->other_encrypted++;
      break;
    }
    if (type == NPK_EF_NTS_COOKIE && flen > 4 && flen - 4 <= NKR_MAX_COOKIE_LEN) {
      out->n_cookies++;
      memcpy(out->new_cookie, plain + offset + 4, flen - 4);
      out->new_cookie_len = flen - 4;
    } else {
      out->other_encrypted++;
    }
  }
  if (offset != pt_len)
    out->other_encrypted++;
}

/* ---- modes ---- */

/* An authenticated answer with exactly `expect` cookies (or, with
   expect < 0, up to MAX_NEW_COOKIES) and no longer than the request
   (exactly as long unless `shorter_ok`).  Returns 1 if it held; the new
   cookie is kept in *rep. */
static int
expect_authenticated(const char *mode, const Request *r, int expect, int shorter_ok, Reply *rep,
                     int report)
{
  static uint8_t reply[MAX_PACKET];
  char why[200];
  int n, ok;

  n = exchange(r->pkt, r->len, reply, sizeof reply);
  if (n <= 0) {
    result(0, mode, n == 0 ? "no reply to a %d-byte request" : "send/receive failed (%d bytes)",
           r->len);
    return 0;
  }
  if (!parse_reply(r, reply, n, rep, why, sizeof why)) {
    result(0, mode, "%s", why);
    return 0;
  }
  open_authenticator(reply, n, rep);

  if (rep->stratum == 0) {
    snprintf(why, sizeof why, "Kiss-o'-Death %c%c%c%c", rep->refid >> 24,
             (rep->refid >> 16) & 0xff, (rep->refid >> 8) & 0xff, rep->refid & 0xff);
    ok = 0;
  } else if (!rep->uid_ok) {
    snprintf(why, sizeof why, "Unique Identifier not echoed once");
    ok = 0;
  } else if (rep->auth_offset < 0 || !rep->auth_last) {
    snprintf(why, sizeof why, "no authenticator as the last field");
    ok = 0;
  } else if (!rep->authentic) {
    snprintf(why, sizeof why, "authenticator does not verify with the S2C key");
    ok = 0;
  } else if (rep->other_fields || rep->other_encrypted) {
    snprintf(why, sizeof why, "unexpected fields (%d plain, %d encrypted)", rep->other_fields,
             rep->other_encrypted);
    ok = 0;
  } else if (expect >= 0 ? rep->n_cookies != expect :
             rep->n_cookies < 1 || rep->n_cookies > MAX_NEW_COOKIES) {
    snprintf(why, sizeof why, "%d cookies, expected %d", rep->n_cookies, expect);
    ok = 0;
  } else if (n > r->len || (!shorter_ok && n != r->len)) {
    snprintf(why, sizeof why, "reply of %d bytes to a request of %d", n, r->len);
    ok = 0;
  } else {
    snprintf(why, sizeof why, "cookies %d len %d", rep->n_cookies, n);
    ok = 1;
  }
  if (report || !ok)
    result(ok, mode, "%s", why);
  return ok;
}

static void
expect_no_reply(const char *mode, const Request *r, const char *what)
{
  static uint8_t reply[MAX_PACKET];
  int n;

  n = exchange(r->pkt, r->len, reply, sizeof reply);
  if (n < 0)
    result(0, mode, "%s: send/receive failed", what);
  else if (n > 0)
    result(0, mode, "%s: got a %d-byte reply (stratum %d)", what, n, reply[1]);
  else
    result(1, mode, "%s: no reply", what);
}

static const Shape normal_shape = { UID_LEN, 1, 0, 0, 0, NULL, 0 };

static Request req_a, req_b;

static void
mode_ok(const char *mode)
{
  Shape s = normal_shape;
  Reply rep;

  if (!build_request(&req_a, &s)) {
    result(0, mode, "could not build the request");
    return;
  }
  if (!expect_authenticated(mode, &req_a, 1, 0, &rep, 0))
    return;
  /* The cookie the server just gave must work as well as NTS-KE's */
  s.cookie = rep.new_cookie;
  s.cookie_len = rep.new_cookie_len;
  if (!build_request(&req_b, &s)) {
    result(0, mode, "could not build the second request");
    return;
  }
  expect_authenticated(mode, &req_b, 1, 0, &rep, 1);
}

static void
mode_placeholders(const char *mode, int n)
{
  Shape s = normal_shape;
  Reply rep;
  int expect = n + 1 < MAX_NEW_COOKIES ? n + 1 : MAX_NEW_COOKIES;

  s.n_placeholders = n;
  if (!build_request(&req_a, &s)) {
    result(0, mode, "could not build the request");
    return;
  }
  expect_authenticated(mode, &req_a, expect, 0, &rep, 1);
}

/* More placeholders than cookies are given: no reply, or an authenticated
   one that is not longer than the request */
static void
mode_many_placeholders(const char *mode, int max_len)
{
  static uint8_t reply[MAX_PACKET];
  Shape s = normal_shape;
  Reply rep;
  char why[200];
  int n, c_len = cookie_lens[0];

  s.n_placeholders = 300;
  n = (max_len - NPK_HEADER_LEN - (4 + UID_LEN) - (4 + pad4(c_len)) - AUTH_FIELD_LEN) /
      (4 + pad4(c_len));
  if (s.n_placeholders > n)
    s.n_placeholders = n;
  if (!build_request(&req_a, &s)) {
    result(0, mode, "could not build the request");
    return;
  }

  n = exchange(req_a.pkt, req_a.len, reply, sizeof reply);
  if (n < 0) {
    result(0, mode, "send/receive failed");
  } else if (n == 0) {
    result(1, mode, "%d placeholders, %d-byte request: no reply", s.n_placeholders, req_a.len);
  } else if (!parse_reply(&req_a, reply, n, &rep, why, sizeof why)) {
    result(0, mode, "%s", why);
  } else {
    open_authenticator(reply, n, &rep);
    result(n <= req_a.len && rep.authentic && rep.uid_ok && rep.n_cookies >= 1 &&
           rep.n_cookies <= MAX_NEW_COOKIES, mode,
           "%d placeholders, %d-byte request: %d-byte reply, %s, %d cookies",
           s.n_placeholders, req_a.len, n, rep.authentic ? "authentic" : "NOT authentic",
           rep.n_cookies);
  }
}

/* The request must get an NTS NAK: a KoD NTSN echoing its Unique
   Identifier, with nothing else and never longer than the request */
static void
expect_nak(const char *mode, const Request *r, const char *what)
{
  static uint8_t reply[MAX_PACKET];
  Reply rep;
  char why[200];
  int n;

  n = exchange(r->pkt, r->len, reply, sizeof reply);
  if (n <= 0) {
    result(0, mode, "%s: no NTS NAK (%s)", what, n == 0 ? "no reply" : "send/receive failed");
    return;
  }
  if (!parse_reply(r, reply, n, &rep, why, sizeof why))
    result(0, mode, "%s: %s", what, why);
  else if (rep.stratum != 0 || rep.refid != NPK_KOD_NTSN)
    result(0, mode, "%s: not an NTS NAK: stratum %d refid %08x", what, rep.stratum,
           (unsigned)rep.refid);
  else if (!rep.uid_ok)
    result(0, mode, "%s: NTS NAK without our Unique Identifier", what);
  else if (rep.auth_offset >= 0 || rep.other_fields)
    result(0, mode, "%s: NTS NAK with an authenticator or other fields", what);
  else if (n > r->len)
    result(0, mode, "%s: NTS NAK of %d bytes to a request of %d", what, n, r->len);
  else
    result(1, mode, "%s: NTS NAK (KoD NTSN) with the Unique Identifier, %d bytes", what, n);
}

static void
mode_tamper_cookie(const char *mode)
{
  Shape s = normal_shape;

  s.tamper_cookie = 1;
  if (!build_request(&req_a, &s)) {
    result(0, mode, "could not build the request");
    return;
  }
  expect_nak(mode, &req_a, "cookie not ours");
}

/* RFC 8915 section 5.7: a request the server cannot authenticate gets
   an NTS NAK, as one with a cookie it cannot open (chronyd does both) */
static void
mode_bad_auth(const char *mode)
{
  Shape s = normal_shape;

  if (!build_request(&req_a, &s)) {
    result(0, mode, "could not build the request");
    return;
  }
  /* A byte of the tag, which is the whole ciphertext here */
  req_a.pkt[req_a.auth_offset + 4 + 4 + NONCE_LEN + 5] ^= 0x01;
  expect_nak(mode, &req_a, "flipped authenticator byte");
}

static void
mode_truncated_auth(const char *mode)
{
  Shape s = normal_shape;
  uint8_t *body;
  int i;

  for (i = 0; i < 4; i++) {
    if (!build_request(&req_a, &s)) {
      result(0, mode, "could not build the request");
      return;
    }
    body = req_a.pkt + req_a.auth_offset + 4;
    switch (i) {
      case 0:
        /* Ciphertext length shorter than the tag */
        body[3] = SIV_TAG_LEN - 8;
        expect_no_reply(mode, &req_a, "ciphertext length 8");
        break;
      case 1:
        /* Ciphertext length running past the field */
        body[3] = SIV_TAG_LEN + 16;
        expect_no_reply(mode, &req_a, "ciphertext length past the field");
        break;
      case 2:
        /* The field cut after the nonce, its length field saying so */
        req_a.pkt[req_a.auth_offset + 3] = 4 + 4 + NONCE_LEN;
        req_a.len = req_a.auth_offset + 4 + 4 + NONCE_LEN;
        expect_no_reply(mode, &req_a, "field cut after the nonce");
        break;
      case 3:
        /* The datagram cut in the middle of the tag */
        req_a.len -= 8;
        expect_no_reply(mode, &req_a, "datagram cut inside the tag");
        break;
    }
  }
}

static void
mode_replayed_auth(const char *mode)
{
  Shape s = normal_shape;
  Reply rep;

  /* Two requests of the same shape with the same cookie but different
     UIDs; the authenticator of the first is put on the second */
  s.cookie = cookies[0];
  s.cookie_len = cookie_lens[0];
  if (!build_request(&req_a, &s) || !build_request(&req_b, &s)) {
    result(0, mode, "could not build the requests");
    return;
  }
  memcpy(req_b.pkt + req_b.auth_offset, req_a.pkt + req_a.auth_offset,
         req_a.len - req_a.auth_offset);
  memcpy(req_b.pkt + 24, req_a.pkt + 24, 24);
  memcpy(req_b.tx, req_a.tx, sizeof req_b.tx);
  expect_nak(mode, &req_b, "authenticator of another request");
  /* ... while that authenticator is good on its own request */
  expect_authenticated(mode, &req_a, 1, 0, &rep, 1);
}

static void
mode_drop_shape(const char *mode, const Shape *s, const char *what)
{
  if (!build_request(&req_a, s)) {
    result(0, mode, "could not build the request");
    return;
  }
  expect_no_reply(mode, &req_a, what);
}

static void
mode_plain(const char *mode)
{
  static uint8_t reply[MAX_PACKET];
  Request *r = &req_a;
  int n;

  memset(r->pkt, 0, NPK_HEADER_LEN);
  r->pkt[0] = NPK_LVM(NPK_LEAP_UNSYNCHRONISED, 4, NPK_MODE_CLIENT);
  random_bytes(r->tx, sizeof r->tx);
  memcpy(r->pkt + 40, r->tx, sizeof r->tx);
  r->len = NPK_HEADER_LEN;
  n = exchange(r->pkt, r->len, reply, sizeof reply);
  if (n <= 0)
    result(0, mode, "%s", n == 0 ? "no reply" : "send/receive failed");
  else if (n != NPK_HEADER_LEN)
    result(0, mode, "reply of %d bytes", n);
  else if (NPK_LVM_MODE(reply[0]) != NPK_MODE_SERVER || reply[1] == 0 ||
           memcmp(reply + 24, r->tx, sizeof r->tx) != 0)
    result(0, mode, "not a server reply to our request (mode %d stratum %d)",
           NPK_LVM_MODE(reply[0]), reply[1]);
  else
    result(1, mode, "48-byte reply, stratum %d", reply[1]);
}

static void
mode_ke_fails(const char *mode)
{
  char why[256];

  if (do_ke(why, sizeof why))
    result(0, mode, "NTS-KE succeeded: %s", why);
  else
    result(1, mode, "NTS-KE failed as expected: %s", why);
}

static void
usage(void)
{
  fprintf(stderr, "usage: nts_probe -a CA -k NTSKE_PORT -p NTP_PORT [-h ADDRESS] MODE...\n");
  exit(2);
}

int
main(int argc, char **argv)
{
  Shape s;
  int opt, i, n;

  while ((opt = getopt(argc, argv, "a:h:k:p:")) != -1) {
    switch (opt) {
      case 'a':
        ca_file = optarg;
        break;
      case 'h':
        host = optarg;
        break;
      case 'k':
        ke_port = atoi(optarg);
        break;
      case 'p':
        ntp_port = atoi(optarg);
        break;
      default:
        usage();
    }
  }
  if (!ca_file || ke_port <= 0 || ntp_port <= 0 || optind >= argc)
    usage();

  if (!TLS_Initialise())
    return 2;

  for (i = optind; i < argc; i++) {
    const char *mode = argv[i];

    if (strcmp(mode, "ke-fails") == 0) {
      mode_ke_fails(mode);
      continue;
    }
    if (strcmp(mode, "plain") == 0) {
      mode_plain(mode);
      continue;
    }
    if (strcmp(mode, "placeholders") == 0) {
      if (i + 1 >= argc)
        usage();
      n = atoi(argv[++i]);
      if (n < 0 || n > 1000)
        usage();
      if (need_keys(mode))
        mode_placeholders(mode, n);
      continue;
    }
    if (strcmp(mode, "ok") && strcmp(mode, "tamper-cookie") && strcmp(mode, "bad-auth") &&
        strcmp(mode, "truncated-auth") && strcmp(mode, "replayed-auth") &&
        strcmp(mode, "many-placeholders") && strcmp(mode, "huge-placeholders") &&
        strcmp(mode, "short-placeholder") && strcmp(mode, "no-uid") &&
        strcmp(mode, "two-cookies") && strcmp(mode, "short-uid")) {
      fprintf(stderr, "unknown mode %s\n", mode);
      usage();
    }
    if (!need_keys(mode))
      continue;

    s = normal_shape;
    if (strcmp(mode, "ok") == 0) {
      mode_ok(mode);
    } else if (strcmp(mode, "tamper-cookie") == 0) {
      mode_tamper_cookie(mode);
    } else if (strcmp(mode, "bad-auth") == 0) {
      mode_bad_auth(mode);
    } else if (strcmp(mode, "truncated-auth") == 0) {
      mode_truncated_auth(mode);
    } else if (strcmp(mode, "replayed-auth") == 0) {
      mode_replayed_auth(mode);
    } else if (strcmp(mode, "many-placeholders") == 0) {
      mode_many_placeholders(mode, MAX_SANE_REQUEST);
    } else if (strcmp(mode, "huge-placeholders") == 0) {
      /* 300 placeholders: a datagram of some 30 kB */
      mode_many_placeholders(mode, MAX_PACKET);
    } else if (strcmp(mode, "short-placeholder") == 0) {
      s.n_placeholders = 1;
      s.placeholder_len = 16;
      mode_drop_shape(mode, &s, "placeholder shorter than the cookie");
    } else if (strcmp(mode, "no-uid") == 0) {
      s.uid_len = 0;
      mode_drop_shape(mode, &s, "no Unique Identifier");
    } else if (strcmp(mode, "two-cookies") == 0) {
      s.n_cookie_fields = 2;
      mode_drop_shape(mode, &s, "two cookies");
    } else if (strcmp(mode, "short-uid") == 0) {
      s.uid_len = 16;
      mode_drop_shape(mode, &s, "16-byte Unique Identifier");
    }
  }

  TLS_Finalise();
  return failures ? 1 : 0;
}
