/*
  ntsd - load generator for NTP and NTS servers

  Three modes, each run for a bounded time (-d) and a bounded number of
  requests (-n):

    plain  NTPv4 client requests, -w of them in flight at any time
    nts    one NTS-KE, then NTS-protected requests with the cookies held;
           every reply's Unique Identifier and authenticator are checked
           and its new cookie replaces the one that was sent
    ke     full NTS-KE sessions (TCP, TLS 1.3, request, response with
           cookies, exported keys), -c of them at a time, and with -r
           started at no more than that many per second

  Only valid replies count: a server reply to that very request (origin
  timestamp), not a Kiss-o'-Death, and for NTS authentic with the S2C key,
  echoing the UID and carrying a cookie.  The UDP modes use sendmmsg() and
  recvmmsg() with one clock reading per batch, so that the generator costs
  much less per request than any server it measures; latency is taken
  between those readings and so includes up to one batch of queueing.

  Output is one line of key=value pairs for scripts:

    mode=nts duration=5.000 sent=N valid=N invalid=N kod=N lost=N
      errors=N rate=R p50_us=X p99_us=Y gen_cpu=F

  gen_cpu is the generator's own CPU time over the wall time; near 1.0 the
  generator, not the server, may be the bottleneck.

  Usage: ntsload -m plain|nts|ke -p NTP_PORT [-k NTSKE_PORT -a CA]
                 [-h ADDRESS] [-d SECONDS] [-n MAX_REQUESTS] [-w WINDOW]
                 [-c CONCURRENCY] [-r KE_RATE] [-t TIMEOUT_MS]
*/
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nts_ke_rec.h"
#include "ntp_pkt.h"
#include "siv.h"
#include "tls.h"

#define BATCH 64
#define UID_LEN 32
#define NONCE_LEN 16
/* Header, UID, the largest cookie and the authenticator, with room */
#define MAX_REQUEST 1024
#define MAX_REPLY 2048
#define MAX_WINDOW 4096             /* the slot is kept in 16 bits of the id */
#define MAX_CONCURRENCY 1024
#define MAX_DURATION 600.0
#define KE_RETRY_NS 10000000LL      /* after a failed NTS-KE, not to spin */

typedef enum { MODE_PLAIN, MODE_NTS, MODE_KE } Mode;

static Mode mode;
static const char *host = "127.0.0.1";
static const char *ca_file;
static int ntp_port, ke_port;
static double duration = 5.0;
static long max_requests = 100000000;
static int window = 64, concurrency = 8, timeout_ms = -1;
static double ke_rate;

/* Counters for the report */
static long n_sent, n_valid, n_invalid, n_kod, n_lost, n_errors;

/* ---- time, randomness, latency ---- */

static int64_t
now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* UIDs, nonces and ids only need to be unique, and AES-SIV does not even
   need that of its nonce, so a fast generator seeded once from GnuTLS is
   enough; a system call per request would cost more than the request */
static uint64_t rng_state;

static uint64_t
rng_next(void)
{
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void
rng_fill(uint8_t *buf, int len)
{
  uint64_t r;
  int i;

  for (i = 0; i < len; i += 8) {
    r = rng_next();
    memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
  }
}

/* 1-us buckets up to 65.5 ms, then 1-ms buckets up to 65 s */
#define HIST_FINE 65536
#define HIST_COARSE 65536
static uint32_t hist_fine[HIST_FINE], hist_coarse[HIST_COARSE];
static uint64_t hist_n;

static void
record_latency(int64_t ns)
{
  int64_t us = ns > 0 ? ns / 1000 : 0;

  if (us < HIST_FINE)
    hist_fine[us]++;
  else
    hist_coarse[us / 1000 < HIST_COARSE ? us / 1000 : HIST_COARSE - 1]++;
  hist_n++;
}

static long
percentile_us(double q)
{
  uint64_t target, acc = 0;
  int i;

  if (hist_n == 0)
    return -1;
  target = (uint64_t)(q * hist_n);
  if (target < 1)
    target = 1;
  for (i = 0; i < HIST_FINE; i++) {
    acc += hist_fine[i];
    if (acc >= target)
      return i;
  }
  for (i = 0; i < HIST_COARSE; i++) {
    acc += hist_coarse[i];
    if (acc >= target)
      return i * 1000L;
  }
  return (HIST_COARSE - 1) * 1000L;
}

static int
get16(const uint8_t *p)
{
  return p[0] << 8 | p[1];
}

static uint64_t
get64(const uint8_t *p)
{
  uint64_t x = 0;
  int i;

  for (i = 0; i < 8; i++)
    x = x << 8 | p[i];
  return x;
}

static void
put64(uint8_t *p, uint64_t x)
{
  int i;

  for (i = 7; i >= 0; i--, x >>= 8)
    p[i] = x & 0xff;
}

static int
pad4(int x)
{
  return (x + 3) & ~3;
}

static int
make_address(int port, struct sockaddr_storage *ss, socklen_t *len)
{
  struct sockaddr_in *sin = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

  memset(ss, 0, sizeof *ss);
  if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    *len = sizeof *sin;
    return 1;
  }
  if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    *len = sizeof *sin6;
    return 1;
  }
  return 0;
}

/* A socket of the given type connected (or connecting) to host:port */
static int
connect_to(int port, int type)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd;

  if (!make_address(port, &ss, &len))
    return -1;
  fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* ---- NTS-KE ---- */

static TLS_Credentials ke_creds;

typedef enum { KE_IDLE, KE_HANDSHAKE, KE_SEND, KE_RECV } KePhase;

typedef struct {
  int fd;
  TLS_Session session;
  KePhase phase;
  TLS_Status want;                  /* what the last step waits for */
  int done, req_len, msg_len;
  int64_t start_ns, deadline_ns, retry_ns;
  uint8_t req[64];
  uint8_t msg[NKR_MAX_MESSAGE];
} KeConn;

/* The result of a finished NTS-KE, for the NTS mode */
static uint8_t ke_c2s[SIV_KEY_LEN], ke_s2c[SIV_KEY_LEN];
static uint8_t ke_cookies[NKR_MAX_COOKIES][NKR_MAX_COOKIE_LEN];
static int ke_cookie_lens[NKR_MAX_COOKIES], ke_n_cookies;

static void
ke_end(KeConn *c)
{
  if (c->session)
    TLS_DestroySession(c->session);
  if (c->fd >= 0)
    close(c->fd);
  c->session = NULL;
  c->fd = -1;
  c->phase = KE_IDLE;
}

static void
ke_fail(KeConn *c, int64_t now)
{
  /* The TLS layer only says that a send or receive failed; errno from
     the failed call says why (refused, reset); once per run is enough */
  if (n_errors == 0)
    fprintf(stderr, "first NTS-KE failure: %s\n", strerror(errno));
  n_errors++;
  c->retry_ns = now + KE_RETRY_NS;
  ke_end(c);
}

static int
ke_start(KeConn *c, int64_t now)
{
  int on = 1;

  c->fd = connect_to(ke_port, SOCK_STREAM | SOCK_NONBLOCK);
  c->session = NULL;
  if (c->fd < 0) {
    n_errors++;
    c->retry_ns = now + KE_RETRY_NS;
    return 0;
  }
  /* The client's Finished and the request are separate small writes;
     with Nagle the second waits for the server's delayed ACK (40 ms on
     Linux) and every server would look equally slow */
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  c->session = TLS_CreateSession(c->fd, ke_creds, host, "NTS-KE server");
  if (!c->session) {
    ke_fail(c, now);
    return 0;
  }
  c->phase = KE_HANDSHAKE;
  c->want = TLS_WANT_WRITE;
  c->done = c->msg_len = 0;
  c->req_len = NKR_BuildRequest(c->req, sizeof c->req);
  c->start_ns = now;
  c->deadline_ns = now + timeout_ms * 1000000LL;
  n_sent++;
  return 1;
}

/* A complete response: usable if NTPv4, AEAD 15, cookies and keys */
static int
ke_accept(KeConn *c, int keep)
{
  NKR_Response resp;
  uint8_t c2s[SIV_KEY_LEN], s2c[SIV_KEY_LEN];
  int i;

  if (NKR_ParseResponse(c->msg, c->msg_len, &resp) != NKR_OK || resp.n_cookies < 1 ||
      !TLS_ExportKeys(c->session, NKR_AEAD_AES_SIV_CMAC_256, SIV_KEY_LEN, c2s, s2c))
    return 0;
  if (keep) {
    memcpy(ke_c2s, c2s, sizeof c2s);
    memcpy(ke_s2c, s2c, sizeof s2c);
    for (i = 0; i < resp.n_cookies; i++) {
      memcpy(ke_cookies[i], resp.cookies[i], resp.cookie_lens[i]);
      ke_cookie_lens[i] = resp.cookie_lens[i];
    }
    ke_n_cookies = resp.n_cookies;
  }
  return 1;
}

/* Run the session as far as it goes without waiting */
static void
ke_step(KeConn *c, int64_t now, int keep)
{
  TLS_Status st;
  int n;

  if (now > c->deadline_ns) {
    n_lost++;
    c->retry_ns = now;
    ke_end(c);
    return;
  }
  for (;;) {
    switch (c->phase) {
      case KE_HANDSHAKE:
        st = TLS_Handshake(c->session);
        if (st == TLS_OK) {
          c->phase = KE_SEND;
          continue;
        }
        break;
      case KE_SEND:
        st = TLS_Send(c->session, c->req + c->done, c->req_len - c->done, &n);
        if (st == TLS_OK) {
          c->done += n;
          if (c->done >= c->req_len)
            c->phase = KE_RECV;
          continue;
        }
        break;
      case KE_RECV:
        st = TLS_Receive(c->session, c->msg + c->msg_len, sizeof c->msg - c->msg_len, &n);
        if (st == TLS_OK) {
          c->msg_len += n;
          switch (NKR_CheckMessage(c->msg, c->msg_len)) {
            case NKR_INCOMPLETE:
              continue;
            case NKR_BAD:
              n_invalid++;
              ke_fail(c, now);
              return;
            case NKR_OK:
              break;
          }
          if (ke_accept(c, keep)) {
            n_valid++;
            record_latency(now_ns() - c->start_ns);
          } else {
            n_invalid++;
          }
          /* Done, as a real client: close_notify (best effort) and close.
             Waiting for the server to close first would add its delayed
             ACK to every session; the TIME_WAIT left here is reused on
             loopback (Linux's default tcp_tw_reuse = 2) */
          TLS_Shutdown(c->session);
          c->retry_ns = now;
          ke_end(c);
          return;
        }
        break;
      default:
        return;
    }
    if (st == TLS_WANT_READ || st == TLS_WANT_WRITE) {
      c->want = st;
      return;
    }
    ke_fail(c, now);
    return;
  }
}

/* Keep `conc` sessions going until end_ns or until `limit` have been
   started; with keep, the last usable response is kept for the NTS mode */
static void
run_ke(int conc, int64_t end_ns, long limit, int keep)
{
  static struct pollfd pfds[MAX_CONCURRENCY];
  static int idx[MAX_CONCURRENCY];
  KeConn *conns;
  int64_t now, wait, start = now_ns();
  long allowed;
  int i, n;

  conns = calloc(conc, sizeof *conns);
  if (!conns) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (i = 0; i < conc; i++) {
    conns[i].fd = -1;
    conns[i].phase = KE_IDLE;
  }

  for (;;) {
    now = now_ns();
    if (now >= end_ns || (keep && ke_n_cookies > 0))
      break;
    /* A fixed offered load, when asked for, rather than as many as the
       server takes: sessions due by now, one ahead */
    allowed = limit;
    if (ke_rate > 0.0 && (now - start) / 1e9 * ke_rate + 1 < allowed)
      allowed = (long)((now - start) / 1e9 * ke_rate) + 1;
    for (i = n = 0; i < conc; i++) {
      if (conns[i].phase == KE_IDLE && now >= conns[i].retry_ns && n_sent < allowed &&
          ke_start(&conns[i], now))
        ke_step(&conns[i], now, keep);
      if (conns[i].phase == KE_IDLE)
        continue;
      pfds[n].fd = conns[i].fd;
      pfds[n].events = conns[i].want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
      pfds[n].revents = 0;
      idx[n++] = i;
    }
    if (n == 0 && n_sent >= limit)
      break;
    wait = (end_ns - now) / 1000000 + 1;
    if (wait > (ke_rate > 0.0 ? 1 : 10))
      wait = ke_rate > 0.0 ? 1 : 10;
    if (poll(pfds, n, wait) < 0 && errno != EINTR)
      break;
    now = now_ns();
    for (i = 0; i < n; i++) {
      if (pfds[i].revents || now > conns[idx[i]].deadline_ns)
        ke_step(&conns[idx[i]], now, keep);
    }
  }

  /* Sessions still running at the end are neither counted nor lost */
  for (i = 0; i < conc; i++) {
    if (conns[i].phase != KE_IDLE)
      ke_end(&conns[i]);
  }
  free(conns);
}

/* ---- NTP and NTS over UDP ---- */

typedef struct {
  int busy;
  uint64_t id;                      /* the transmit timestamp sent */
  int64_t sent_ns;
  uint8_t uid[UID_LEN];
  int cookie_len;
  uint8_t cookie[NKR_MAX_COOKIE_LEN];
} Slot;

static Slot *slots;
static int *free_slots, n_free;
static uint64_t id_key, id_seq;
static SIV_Instance c2s_siv, s2c_siv;

static int
build_request(int s, uint8_t *pkt)
{
  Slot *slot = &slots[s];
  uint8_t *body, empty[1] = { 0 };
  int len = NPK_HEADER_LEN, auth_offset;

  /* The slot number travels in the transmit timestamp, hidden by a key
     so that it looks as random as a real client's */
  slot->id = (++id_seq << 16 | (uint64_t)s) ^ id_key;
  memset(pkt, 0, NPK_HEADER_LEN);
  pkt[0] = NPK_LVM(NPK_LEAP_NORMAL, NTP_VERSION, NPK_MODE_CLIENT);
  put64(pkt + 40, slot->id);
  if (mode == MODE_PLAIN)
    return len;

  rng_fill(slot->uid, UID_LEN);
  if (!NPK_AddField(pkt, &len, MAX_REQUEST, NPK_EF_UNIQUE_ID, slot->uid, UID_LEN) ||
      !NPK_AddField(pkt, &len, MAX_REQUEST, NPK_EF_NTS_COOKIE, slot->cookie, slot->cookie_len))
    return 0;
  auth_offset = len;
  if (!NPK_AddFieldSpace(pkt, &len, MAX_REQUEST, NPK_EF_NTS_AUTH_AND_EEF,
                         4 + NONCE_LEN + SIV_TAG_LEN, &body))
    return 0;
  body[1] = NONCE_LEN;
  body[3] = SIV_TAG_LEN;
  rng_fill(body + 4, NONCE_LEN);
  /* Nothing to encrypt: the tag alone authenticates the packet so far */
  if (!SIV_Encrypt(&c2s_siv, body + 4, NONCE_LEN, pkt, auth_offset, empty, 0,
                   body + 4 + NONCE_LEN))
    return 0;
  return len;
}

/* An NTS reply: the UID once, the authenticator last, nothing else in
   the clear; inside, at least one cookie, the first of which is kept */
static int
check_nts_reply(Slot *slot, const uint8_t *p, int len)
{
  static uint8_t plain[MAX_REPLY];
  const uint8_t *body;
  int offset, type, flen, n_uid = 0, uid_ok = 0, auth = -1;
  int body_len, nonce_len, ct_len, pt_len, n_cookies = 0;

  for (offset = NPK_HEADER_LEN; offset < len; offset += flen) {
    if (len - offset < 16)
      return 0;
    type = get16(p + offset);
    flen = get16(p + offset + 2);
    if (flen < 16 || flen % 4 != 0 || flen > len - offset)
      return 0;
    if (type == NPK_EF_UNIQUE_ID) {
      n_uid++;
      uid_ok = flen - 4 == UID_LEN && memcmp(p + offset + 4, slot->uid, UID_LEN) == 0;
    } else if (type == NPK_EF_NTS_AUTH_AND_EEF && offset + flen == len) {
      auth = offset;
    } else {
      return 0;
    }
  }
  if (n_uid != 1 || !uid_ok || auth < 0)
    return 0;

  body = p + auth + 4;
  body_len = get16(p + auth + 2) - 4;
  nonce_len = get16(body);
  ct_len = get16(body + 2);
  if (nonce_len < 1 || ct_len < SIV_TAG_LEN || 4 + pad4(nonce_len) + pad4(ct_len) > body_len ||
      ct_len - SIV_TAG_LEN > (int)sizeof plain)
    return 0;
  pt_len = ct_len - SIV_TAG_LEN;
  if (!SIV_Decrypt(&s2c_siv, body + 4, nonce_len, p, auth, body + 4 + pad4(nonce_len), ct_len,
                   plain))
    return 0;

  for (offset = 0; offset + 4 <= pt_len; offset += flen) {
    type = get16(plain + offset);
    flen = get16(plain + offset + 2);
    if (flen < 4 || flen % 4 != 0 || flen > pt_len - offset)
      return 0;
    if (type == NPK_EF_NTS_COOKIE && flen > 4 && flen - 4 <= NKR_MAX_COOKIE_LEN) {
      if (n_cookies++ == 0) {
        memcpy(slot->cookie, plain + offset + 4, flen - 4);
        slot->cookie_len = flen - 4;
      }
    }
  }
  return offset == pt_len && n_cookies > 0;
}

static void
release_slot(int s)
{
  slots[s].busy = 0;
  free_slots[n_free++] = s;
}

static void
handle_reply(const uint8_t *p, int len, int64_t now)
{
  Slot *slot;
  uint64_t id;
  int s, ok;

  if (len < NPK_HEADER_LEN) {
    n_invalid++;
    return;
  }
  id = get64(p + 24);
  s = (int)((id ^ id_key) & 0xffff);
  if (s >= window || !slots[s].busy || slots[s].id != id) {
    /* Not an answer to anything in flight: late after a timeout, or bogus */
    n_invalid++;
    return;
  }
  slot = &slots[s];

  if (NPK_LVM_MODE(p[0]) != NPK_MODE_SERVER || NPK_LVM_VERSION(p[0]) != NTP_VERSION ||
      get64(p + 40) == 0) {
    ok = 0;
  } else if (p[1] == 0 || p[1] >= 16) {
    /* A Kiss-o'-Death (an NTS NAK among them) or an unsynchronised server */
    n_kod++;
    release_slot(s);
    return;
  } else if (mode == MODE_PLAIN) {
    ok = len == NPK_HEADER_LEN;
  } else {
    ok = check_nts_reply(slot, p, len);
  }
  if (ok) {
    n_valid++;
    record_latency(now - slot->sent_ns);
  } else {
    n_invalid++;
  }
  release_slot(s);
}

static void
expire_slots(int64_t now)
{
  int64_t limit = now - timeout_ms * 1000000LL;
  int s;

  for (s = 0; s < window; s++) {
    if (slots[s].busy && slots[s].sent_ns < limit) {
      n_lost++;
      release_slot(s);
    }
  }
}

static void
run_udp(int64_t end_ns)
{
  static uint8_t tx_bufs[BATCH][MAX_REQUEST], rx_bufs[BATCH][MAX_REPLY];
  static struct mmsghdr tx_msgs[BATCH], rx_msgs[BATCH];
  static struct iovec tx_iov[BATCH], rx_iov[BATCH];
  int tx_slots[BATCH], fd, i, n, s, len, sndbuf = 1 << 20;
  int64_t now, next_expiry;
  struct pollfd pfd;

  fd = connect_to(ntp_port, SOCK_DGRAM | SOCK_NONBLOCK);
  if (fd < 0) {
    fprintf(stderr, "could not open the NTP socket\n");
    exit(2);
  }
  /* Replies are small and read in batches; a larger buffer only keeps
     our side from being where packets are dropped */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  for (i = 0; i < BATCH; i++) {
    rx_iov[i].iov_base = rx_bufs[i];
    rx_iov[i].iov_len = MAX_REPLY;
    rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
    rx_msgs[i].msg_hdr.msg_iovlen = 1;
    tx_iov[i].iov_base = tx_bufs[i];
    tx_msgs[i].msg_hdr.msg_iov = &tx_iov[i];
    tx_msgs[i].msg_hdr.msg_iovlen = 1;
  }

  now = now_ns();
  next_expiry = now + 10000000;
  while (now < end_ns) {
    /* Fill the window */
    for (n = 0; n_free > 0 && n < BATCH && n_sent + n < max_requests; n++) {
      s = free_slots[--n_free];
      len = build_request(s, tx_bufs[n]);
      if (len <= 0) {
        fprintf(stderr, "could not build a request\n");
        exit(2);
      }
      tx_iov[n].iov_len = len;
      slots[s].busy = 1;
      slots[s].sent_ns = now;
      tx_slots[n] = s;
    }
    if (n > 0) {
      i = sendmmsg(fd, tx_msgs, n, 0);
      if (i < 0) {
        /* ECONNREFUSED from an earlier ICMP error, or a full buffer */
        n_errors++;
        i = 0;
      }
      n_sent += i;
      for (; i < n; i++)
        release_slot(tx_slots[i]);
    }

    n = recvmmsg(fd, rx_msgs, BATCH, MSG_DONTWAIT, NULL);
    now = now_ns();
    if (n > 0) {
      for (i = 0; i < n; i++)
        handle_reply(rx_bufs[i], rx_msgs[i].msg_len, now);
    } else {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        n_errors++;
      if (n_free == 0 || n_sent >= max_requests) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        poll(&pfd, 1, 1);
        now = now_ns();
      }
    }
    if (now >= next_expiry) {
      expire_slots(now);
      next_expiry = now + 10000000;
      if (n_sent >= max_requests && n_free == window)
        break;
    }
  }
  close(fd);
}

static void
setup_udp(int64_t end_ns)
{
  int s;

  if (mode == MODE_NTS) {
    /* One NTS-KE, then every slot holds a cookie of its own, replaced by
       the one in each reply, as a client with that many requests out */
    run_ke(1, end_ns, 10, 1);
    if (ke_n_cookies < 1) {
      fprintf(stderr, "NTS-KE failed\n");
      exit(2);
    }
    if (!SIV_SetKey(&c2s_siv, ke_c2s, SIV_KEY_LEN) || !SIV_SetKey(&s2c_siv, ke_s2c, SIV_KEY_LEN))
      exit(2);
    n_sent = n_valid = n_invalid = n_errors = n_lost = 0;
    hist_n = 0;
    memset(hist_fine, 0, sizeof hist_fine);
    memset(hist_coarse, 0, sizeof hist_coarse);
  }
  slots = calloc(window, sizeof *slots);
  free_slots = calloc(window, sizeof *free_slots);
  if (!slots || !free_slots) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (s = window - 1; s >= 0; s--) {
    if (mode == MODE_NTS) {
      slots[s].cookie_len = ke_cookie_lens[s % ke_n_cookies];
      memcpy(slots[s].cookie, ke_cookies[s % ke_n_cookies], slots[s].cookie_len);
    }
    free_slots[n_free++] = s;
  }
}

static double
cpu_seconds(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
usage(void)
{
  fprintf(stderr,
          "usage: ntsload -m plain|nts|ke -p NTP_PORT [-k NTSKE_PORT -a CA] [-h ADDRESS]\n"
          "               [-d SECONDS] [-n MAX_REQUESTS] [-w WINDOW] [-c CONCURRENCY]\n"
          "               [-r KE_RATE] [-t TIMEOUT_MS]\n");
  exit(2);
}

int
main(int argc, char **argv)
{
  const char *trusted[1];
  const char *mode_names[] = { "plain", "nts", "ke" };
  int64_t start, end;
  double cpu0, elapsed;
  int opt;

  while ((opt = getopt(argc, argv, "a:c:d:h:k:m:n:p:r:t:w:")) != -1) {
    switch (opt) {
      case 'a': ca_file = optarg; break;
      case 'c': concurrency = atoi(optarg); break;
      case 'd': duration = atof(optarg); break;
      case 'h': host = optarg; break;
      case 'k': ke_port = atoi(optarg); break;
      case 'n': max_requests = atol(optarg); break;
      case 'p': ntp_port = atoi(optarg); break;
      case 'r': ke_rate = atof(optarg); break;
      case 't': timeout_ms = atoi(optarg); break;
      case 'w': window = atoi(optarg); break;
      case 'm':
        if (strcmp(optarg, "plain") == 0)
          mode = MODE_PLAIN;
        else if (strcmp(optarg, "nts") == 0)
          mode = MODE_NTS;
        else if (strcmp(optarg, "ke") == 0)
          mode = MODE_KE;
        else
          usage();
        break;
      default:
        usage();
    }
  }
  if (optind != argc || !(duration > 0.0 && duration <= MAX_DURATION) || max_requests < 1 ||
      window < 1 || window > MAX_WINDOW || concurrency < 1 || concurrency > MAX_CONCURRENCY ||
      ke_rate < 0.0 ||
      (mode != MODE_KE && ntp_port <= 0) || (mode != MODE_PLAIN && (ke_port <= 0 || !ca_file)))
    usage();
  if (timeout_ms <= 0)
    timeout_ms = mode == MODE_KE ? 5000 : 500;

  if (gnutls_rnd(GNUTLS_RND_NONCE, &rng_state, sizeof rng_state) < 0 ||
      gnutls_rnd(GNUTLS_RND_NONCE, &id_key, sizeof id_key) < 0)
    return 2;
  if (mode != MODE_PLAIN) {
    if (!TLS_Initialise())
      return 2;
    trusted[0] = ca_file;
    ke_creds = TLS_CreateClientCredentials(trusted, 1, 0, 0);
    if (!ke_creds)
      return 2;
  }

  if (mode != MODE_KE)
    setup_udp(now_ns() + 10000000000LL);

  cpu0 = cpu_seconds();
  start = now_ns();
  end = start + (int64_t)(duration * 1e9);
  if (mode == MODE_KE)
    run_ke(concurrency, end, max_requests, 0);
  else
    run_udp(end);
  elapsed = (now_ns() - start) / 1e9;

  printf("mode=%s duration=%.3f sent=%ld valid=%ld invalid=%ld kod=%ld lost=%ld errors=%ld "
         "rate=%.1f p50_us=%ld p99_us=%ld gen_cpu=%.2f\n",
         mode_names[mode], elapsed, n_sent, n_valid, n_invalid, n_kod, n_lost, n_errors,
         n_valid / elapsed, percentile_us(0.50), percentile_us(0.99),
         (cpu_seconds() - cpu0) / elapsed);
  fflush(stdout);

  if (ke_creds)
    TLS_DestroyCredentials(ke_creds);
  if (mode != MODE_PLAIN)
    TLS_Finalise();
  return n_valid > 0 ? 0 : 1;
}
