/*
  ntsd - NTS client probe for the system tests

  Does one NTS-KE with the server (TLS 1.3, ALPN ntske/1, trusting only the
  CA file given), then sends NTS-protected NTP requests, some deliberately
  broken, and checks what comes back against RFC 8915.  One line per probe:

    pass MODE: detail
    FAIL MODE: detail

  and the exit status is 0 only if every probe passed.  The replies are
  parsed here with a separate, deliberately simple parser rather than the
  daemon's codec, so that a bug in the codec cannot hide itself.

  Usage: nts_probe -a CA -k NTSKE_PORT -p NTP_PORT [-h ADDRESS] MODE...
  Modes: ok, tamper-cookie, bad-auth, truncated-auth, replayed-auth,
  placeholders N, many-placeholders, huge-placeholders, no-uid,
  two-cookies, short-uid, plain, ke-fails (NTS-KE must not succeed).
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "logging.h"
#include "nts_ke_rec.h"
#include "ntp_pkt.h"
#include "siv.h"
#include "tls.h"

#define KE_TIMEOUT_MS 5000
#define REPLY_TIMEOUT_MS 1000
#define UID_LEN 32
#define NONCE_LEN 16
#define MAX_PACKET 65536
/* The largest request that is still an ordinary UDP datagram on any path */
#define MAX_SANE_REQUEST 1280

static const char *host = "127.0.0.1";
static const char *ca_file;
static int ke_port, ntp_port;

/* What NTS-KE gave us; cookies received in replies are added to the pool */
static int have_keys;
static uint8_t c2s[SIV_KEY_LEN], s2c[SIV_KEY_LEN];
static uint8_t cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
static int cookie_lens[NKR_MAX_COOKIES];
static int n_cookies, next_cookie;

static int failures;

static void
result(int ok, const char *mode, const char *fmt, ...)
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

/* A socket of the given type connected to host:port */
static int
connect_to(int port, int type)
{
  struct addrinfo hints, *ai;
  char port_s[16];
  int fd;

  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = type;
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

/* NTS-KE: returns 1 with keys and cookies stored, 0 (with a reason in why)
   otherwise */
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
    snprintf(why, why_len, "could not create TLS session");
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
    if (st == TLS_OK)
      done += n;
    else if (st == TLS_ERROR || !wait_tls(fd, st, deadline)) {
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
    snprintf(why, why_len, "could not export keys");
    goto out;
  }

  for (i = 0; i < resp.n_cookies; i++) {
    memcpy(cookies[i], resp.cookies[i], resp.cookie_lens[i]);
    cookie_lens[i] = resp.cookie_lens[i];
  }
  n_cookies = resp.n_cookies;
  next_cookie = 0;
  have_keys = 1;
  snprintf(why, why_len, "%d cookies of %d bytes", n_cookies, cookie_lens[0]);
  ok = 1;

  /* Best effort; the server closes after its response anyway */
  TLS_Shutdown(session);

out:
  if (session)
    TLS_DestroySession(session);
  if (fd >= 0)
    close(fd);
  TLS_DestroyCredentials(creds);
  return ok;
}

/* ---- requests ---- */

typedef struct {
  int uid_len;            /* 0: no Unique Identifier */
  int n_cookie_fields;    /* copies of the cookie */
  int n_placeholders;
  int tamper_cookie;
  int tamper_auth;
  int no_auth;
} Shape;

typedef struct {
  uint8_t pkt[MAX_PACKET];
  int len;
  uint8_t uid[NNS_UID_MAX_PROBE];
  int uid_len;
  uint8_t tx[8];
  int auth_offset;        /* start of the authenticator field */
  int cookie_len;
} Request;

#define NNS_UID_MAX_PROBE 64
