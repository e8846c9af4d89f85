/*
  ntsd - NTP client

  One request in flight per source.  A reply is accepted only from the
  connected address and port, in server mode, echoing our random transmit
  timestamp (which also rejects duplicates: the first accepted reply clears
  it), authenticated with the source's key if it has one and not
  authenticated otherwise.  Such a reply makes the source reachable; it
  becomes a sample only if the server is synchronised, its timestamps are
  sane and the delay is within maxdelay.

  An NTS source (nts_ntp_client.h) sends nothing until NTS-KE has given
  it keys and cookies, sends its requests to the NTP server negotiated
  there, and takes only replies that authenticate with its keys: a reply
  that does not is dropped as if it had never arrived.

  The polling interval starts at minpoll and goes up by one after every
  few good samples, to maxpoll; a KoD RATE raises it at once.  This is a
  plain stand-in until the clock discipline drives the polling as chronyd
  does from its regression.

  Each source is in one of chronyd's four modes: online (polling), offline
  (nothing sent), or in a burst that returns to one of the two.  A name is
  resolved in the background and gives a server one address, a pool up to
  maxsources; a pool source that has not answered for POOL_UNREACH polls
  in a row (its reachability register is 0) moves to an address of the
  name that no source uses, found by resolving the name again.
*/
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "discipline.h"
#include "keys.h"
#include "logging.h"
#include "memory.h"
#include "ntp_client.h"
#include "ntp_io.h"
#include "ntp_pkt.h"
#include "nts_ntp_client.h"
#include "ntp_resolve.h"
#include "sched.h"
#include "sources.h"
#include "srcsel.h"

/* A reply later than this is not waited for (it would fail maxdelay) */
#define REPLY_WINDOW 8.0
#define MAX_DISPERSION 16.0
/* Frequency tolerance (RFC 5905's PHI) */
#define PHI 15e-6
/* Good samples before the polling interval goes up */
#define POLL_UP_SAMPLES 4
/* -q/-Q: samples wanted without maxsamples, and how many requests beyond
   the samples wanted may go unanswered before a source is given up
   (chronyd gives up when its 8-bit reachability register cannot fill) */
#define ONCE_DEFAULT_SAMPLES 3
#define ONCE_EXTRA_POLLS 7
#define RESOLVE_RETRY 64.0
#define RESOLVE_RETRY_MAX 4096.0
/* The first request after a change of mode waits at least this long */
#define INITIAL_DELAY 0.2
/* Polls without a reply before a pool source is replaced */
#define POOL_UNREACH 8

typedef enum {
  MD_OFFLINE, MD_ONLINE, MD_BURST_WAS_OFFLINE, MD_BURST_WAS_ONLINE
} OpMode;

/* A server or pool directive with a name to resolve */
typedef struct {
  const CNF_Source *conf;
  int n_sources;               /* sources with one of its addresses */
  int first_done;              /* the first resolution is over (-q/-Q) */
  int resolving;
  int refresh;                 /* the running resolution is for refresh */
  int online;                  /* the mode its sources still to come start in */
  double retry_interval;
  SCH_TimeoutID retry_id;
} Name;

typedef struct {
  const CNF_Source *conf;
  Name *name;                  /* NULL for a numeric address */
  SRC_Instance src;
  IPAddr ip;
  uint16_t port;
  int version;
  uint32_t key;
  NNC_Instance nts;            /* NULL unless an NTS source */
  IPAddr ntp_ip;               /* where requests go (NTS may negotiate another) */
  uint16_t ntp_port;
  int poll, minpoll, maxpoll;
  OpMode mode;
  int burst_good, burst_total;
  int fd;
  SCH_TimeoutID tx_id, rx_id;
  int polled;                  /* a poll whose reachability is not recorded */
  int awaiting;                /* the current request has no valid reply yet */
  int replied;                 /* a valid reply since the last request */
  int n_unreach;               /* polls in a row without a reply */
  int replace;                 /* (pool) waiting for a new address */
  double last_tx;              /* monotonic time of the last request */
  NTP_int64 tx_ts;             /* random, echoed as the origin timestamp */
  struct timespec t1;
  int good_run;
  int n_polls, n_good, target;
  int finished;                /* -q/-Q: nothing more to do */
  NCL_NtpData data;
} Source;

static Source **sources;
static int n_sources;
static Name **names;
static int n_names;
/* -q/-Q: names whose first resolution is not over */
static int n_unresolved;
static int local_precision;

static int once_mode;
static NCL_DoneHandler done_handler;
static void *done_arg;
static int done_called;
static SCH_TimeoutID done_id;

static void transmit(void *arg);
static void start_resolve(Name *nm, int refresh);

/* ---- helpers ---- */

static int
measure_precision(void)
{
  struct timespec res;
  int p;

  if (clock_getres(CLOCK_REALTIME, &res) < 0 || (res.tv_sec == 0 && res.tv_nsec == 0))
    return -20;
  frexp(res.tv_sec + res.tv_nsec * 1e-9, &p);
  /* Reading the clock takes longer than its resolution suggests */
  return p < -25 ? -25 : p;
}

static double
poll_interval(int poll)
{
  return ldexp(1.0, poll);
}

static double
mono_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
in_burst(const Source *s)
{
  return s->mode == MD_BURST_WAS_ONLINE || s->mode == MD_BURST_WAS_OFFLINE;
}

static double
next_interval(const Source *s)
{
  if (once_mode || in_burst(s))
    return NCL_BURST_INTERVAL;
  return poll_interval(s->poll);
}

static void
close_socket(Source *s)
{
  SCH_RemoveTimeout(s->rx_id);
  s->rx_id = 0;
  if (s->fd >= 0) {
    SCH_RemoveFileHandler(s->fd);
    close(s->fd);
    s->fd = -1;
  }
}

static void
reschedule(Source *s, double delay)
{
  SCH_RemoveTimeout(s->tx_id);
  s->tx_id = SCH_AddTimeout(delay, transmit, s);
}

/* After a change of mode: soon, but (as chronyd) not sooner than the
   interval of the new mode after the last request, so that switching
   modes cannot make a source flood its server */
static void
start_initial_timeout(Source *s)
{
  double delay = next_interval(s) - (mono_now() - s->last_tx);

  reschedule(s, delay > INITIAL_DELAY ? delay : INITIAL_DELAY);
}

/* Back to minpoll, as chronyd after a source comes online */
static void
reset_polling(Source *s)
{
  s->poll = s->minpoll;
  SRC_SetPoll(s->src, s->poll);
  s->good_run = 0;
  s->n_unreach = 0;
}

/* Stop polling; a reply already received still counts for reachability,
   a request still unanswered is forgotten */
static void
take_offline(Source *s)
{
  if (s->polled && s->replied)
    SRC_UpdateReachability(s->src, 1);
  s->polled = s->replied = s->awaiting = 0;
  close_socket(s);
  SCH_RemoveTimeout(s->tx_id);
  s->tx_id = 0;
  s->mode = MD_OFFLINE;
}

/* A burst is over: back to the mode it started from */
static void
end_burst(Source *s)
{
  if (s->mode == MD_BURST_WAS_OFFLINE) {
    take_offline(s);
  } else if (s->mode == MD_BURST_WAS_ONLINE) {
    s->mode = MD_ONLINE;
    if (!once_mode)
      reschedule(s, poll_interval(s->poll));
  }
}

/* ---- -q/-Q ---- */

static void
call_done_handler(void *arg)
{
  done_id = 0;
  if (!done_called) {
    done_called = 1;
    done_handler(done_arg);
  }
}

static void
check_once_done(void)
{
  int i;

  if (!once_mode || done_called || done_id || n_unresolved > 0)
    return;
  for (i = 0; i < n_sources; i++) {
    if (!sources[i]->finished)
      return;
  }
  /* From the loop, not from inside a handler of one of our sockets */
  done_id = SCH_AddTimeout(0.0, call_done_handler, NULL);
}

static void
finish(Source *s)
{
  s->finished = 1;
  close_socket(s);
  SCH_RemoveTimeout(s->tx_id);
  s->tx_id = 0;
  check_once_done();
}

/* ---- requests ---- */

static void
reply_timeout(void *arg)
{
  Source *s = arg;

  s->rx_id = 0;
  close_socket(s);
}

static void receive(int fd, int event, void *arg);

static void
send_request(Source *s, double window)
{
  struct sockaddr_storage ss, local;
  socklen_t sa_len, local_len = sizeof local;
  uint8_t pkt[NIO_MAX_PACKET];
  struct msghdr msg;
  struct iovec iov;
  NPK_Header h;
  uint16_t port;
  int fd, len, on = 1;

  if (getrandom(&s->tx_ts, sizeof s->tx_ts, GRND_NONBLOCK) != (ssize_t)sizeof s->tx_ts) {
    LOG_RATE(LOGS_ERR, "Could not get random bytes : %s", strerror(errno));
    return;
  }

  /* Nothing about our own state goes into the request (data
     minimisation): only the version, mode, poll and the random transmit
     timestamp */
  memset(&h, 0, sizeof h);
  h.lvm = NPK_LVM(NPK_LEAP_NORMAL, s->version, NPK_MODE_CLIENT);
  h.poll = (int8_t)s->poll;
  h.transmit_ts = s->tx_ts;
  NPK_WriteHeader(pkt, sizeof pkt, &h);
  len = NPK_HEADER_LEN;
  if (s->nts) {
    NNC_GetNtpAddress(s->nts, &s->ntp_ip, &s->ntp_port);
    if (!NNC_GenerateRequestAuth(s->nts, pkt, &len, sizeof pkt)) {
      LOG_RATE(LOGS_WARN, "Could not make NTS request for %s", UTI_IPToString(&s->ip));
      return;
    }
  } else if (s->key) {
    len = KEY_AddPacketMac(s->key, s->version, pkt, len, sizeof pkt);
    if (len <= 0) {
      LOG_RATE(LOGS_WARN, "Could not authenticate request to %s with key %"PRIu32,
               UTI_IPToString(&s->ip), s->key);
      return;
    }
  }

  fd = socket(s->ntp_ip.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    LOG_RATE(LOGS_ERR, "Could not open NTP client socket : %s", strerror(errno));
    return;
  }
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  sa_len = UTI_IPPortToSockaddr(&s->ntp_ip, s->ntp_port, &ss);
  s->data.remote_addr = s->ntp_ip;
  s->data.remote_port = s->ntp_port;
  /* Connected: the kernel picks a random source port and delivers only
     datagrams from the server's address and port */
  if (connect(fd, (struct sockaddr *)&ss, sa_len) < 0) {
    LOG_RATE(LOGS_WARN, "Could not connect to %s : %s",
             UTI_SockaddrToString((struct sockaddr *)&ss), strerror(errno));
    close(fd);
    return;
  }
  if (getsockname(fd, (struct sockaddr *)&local, &local_len) == 0)
    UTI_SockaddrToIPPort((struct sockaddr *)&local, &s->data.local_addr, &port);

  memset(&msg, 0, sizeof msg);
  iov.iov_base = pkt;
  iov.iov_len = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;

  clock_gettime(CLOCK_REALTIME, &s->t1);
  /* Measured against the discipline's time, not the slewing clock */
  DSC_CookTime(&s->t1, &s->t1);
  if (sendmsg(fd, &msg, 0) < 0) {
    LOG_RATE(LOGS_WARN, "Could not send NTP request to %s : %s",
             UTI_IPToString(&s->ntp_ip), strerror(errno));
    close(fd);
    return;
  }

  s->fd = fd;
  s->awaiting = 1;
  s->data.tx_count++;
  SCH_AddFileHandler(fd, SCH_FILE_INPUT, receive, s);
  s->rx_id = SCH_AddTimeout(window < REPLY_WINDOW ? window : REPLY_WINDOW, reply_timeout, s);
}

static void
transmit(void *arg)
{
  Source *s = arg;
  double interval;

  s->tx_id = 0;
  if (s->finished)
    return;

  /* Whatever the last request got, it is over now */
  if (s->polled) {
    SRC_UpdateReachability(s->src, s->replied);
    s->n_unreach = s->replied ? 0 : s->n_unreach + 1;
  }
  close_socket(s);
  s->polled = s->replied = s->awaiting = 0;

  if (once_mode && s->n_polls >= s->target + ONCE_EXTRA_POLLS) {
    LOG(LOGS_WARN, "Could not get enough samples from %s", UTI_IPToString(&s->ip));
    finish(s);
    return;
  }

  switch (s->mode) {
    case MD_BURST_WAS_ONLINE:
      /* The last request of the burst is an ordinary poll (chronyd's) */
      if (s->burst_total <= 1)
        s->mode = MD_ONLINE;
      break;
    case MD_BURST_WAS_OFFLINE:
      if (s->burst_total <= 0) {
        take_offline(s);
        return;
      }
      break;
    case MD_OFFLINE:
      return;
    default:
      break;
  }
  if (in_burst(s))
    s->burst_total--;

  if (s->n_unreach >= POOL_UNREACH && s->name && s->name->conf->type == CNF_SRC_POOL &&
      !once_mode && !s->replace) {
    LOG(LOGS_INFO, "Source %s unreachable, looking for a replacement", UTI_IPToString(&s->ip));
    s->replace = 1;
    s->n_unreach = 0;
    start_resolve(s->name, 0);
  }

  s->n_polls++;
  s->polled = 1;
  s->last_tx = mono_now();
  interval = next_interval(s);
  s->tx_id = SCH_AddTimeout(interval, transmit, s);
  /* Without keys and cookies the poll goes by unanswered; NTS-KE (if
     allowed now) sends the request when it is done */
  if (s->nts && !NNC_PrepareForAuth(s->nts))
    return;
  send_request(s, interval);
}

/* NTS-KE finished: the request of this poll can go out now */
static void
nts_ready(void *arg)
{
  Source *s = arg;

  if (s->finished || !s->tx_id || !s->polled || s->fd >= 0 || s->replied)
    return;
  if (NNC_PrepareForAuth(s->nts))
    send_request(s, next_interval(s));
}

/* ---- replies ---- */

static void
handle_kod(Source *s, uint32_t code)
{
  char c[5];

  c[0] = (char)(code >> 24);
  c[1] = (char)(code >> 16);
  c[2] = (char)(code >> 8);
  c[3] = (char)code;
  c[4] = '\0';
  if (code == NPK_KOD_RATE) {
    /* The server asks us to slow down: a longer interval at once, and no
       more burst */
    if (s->poll < s->maxpoll)
      s->poll++;
    SRC_SetPoll(s->src, s->poll);
    if (in_burst(s))
      end_burst(s);
    else if (!once_mode)
      reschedule(s, poll_interval(s->poll));
  }
  LOG_RATE(LOGS_WARN, "Received KoD %s from %s",
           isprint((unsigned char)c[0]) ? c : "?", UTI_IPToString(&s->ip));
}

static void
sample_taken(Source *s)
{
  s->n_good++;
  s->data.good_count++;

  if (once_mode) {
    if (s->n_good >= s->target)
      finish(s);
    return;
  }

  if (in_burst(s)) {
    if (--s->burst_good <= 0)
      end_burst(s);
    return;
  }

  if (++s->good_run >= POLL_UP_SAMPLES) {
    s->good_run = 0;
    if (s->poll < s->maxpoll) {
      s->poll++;
      SRC_SetPoll(s->src, s->poll);
    }
  }
}

static void
process_response(Source *s, const uint8_t *pkt, int len, const struct timespec *t4)
{
  struct timespec t2, t3;
  double server_interval, local_interval, delay, offset, dispersion;
  double pkt_root_delay, pkt_root_dispersion;
  NPK_Header h;
  NPK_Info info;
  SRC_Sample sample;
  uint32_t code;
  int is_ntsn;

  if (!NPK_ParsePacket(pkt, len, &info) || !NPK_ReadHeader(pkt, len, &h) ||
      info.mode != NPK_MODE_SERVER)
    return;

  if (!s->awaiting || UTI_CompareNtp64(&h.originate_ts, &s->tx_ts) != 0) {
    DEBUG_LOG("Bogus or duplicate reply from %s", UTI_IPToString(&s->ip));
    return;
  }
  /* Authenticated exactly as configured; anything else may be forged and
     must not stop us from waiting for the real reply */
  if (s->nts) {
    is_ntsn = NPK_IsKoD(&h, &code) && code == NPK_KOD_NTSN;
    switch (NNC_CheckResponseAuth(s->nts, pkt, len, &info, is_ntsn)) {
      case NNC_AUTH_OK:
        break;
      case NNC_AUTH_NAK:
        /* Our cookie is no good: NTS-KE again at the next poll */
        LOG_RATE(LOGS_WARN, "Received NTS NAK from %s", UTI_IPToString(&s->ntp_ip));
        s->awaiting = 0;
        close_socket(s);
        return;
      default:
        LOG_RATE(LOGS_WARN, "Dropped reply from %s without valid NTS authentication",
                 UTI_IPToString(&s->ntp_ip));
        return;
    }
  } else if (info.ef_flags & (NPK_EFF_NTS_COOKIE | NPK_EFF_NTS_AUTH_AND_EEF |
                              NPK_EFF_NTS_COOKIE_PLACEHOLDER)) {
    return;
  } else if (s->key) {
    if (info.mac_length == 0 || info.mac_key_id != s->key || !KEY_CheckPacketMac(pkt, &info)) {
      LOG_RATE(LOGS_WARN, "Reply from %s failed authentication", UTI_IPToString(&s->ip));
      return;
    }
  } else if (info.mac_length > 0) {
    return;
  }

  s->awaiting = 0;
  s->replied = 1;
  s->data.valid_count++;
  close_socket(s);

  pkt_root_delay = UTI_Ntp32ToDouble(h.root_delay);
  pkt_root_dispersion = UTI_Ntp32ToDouble(h.root_dispersion);
  s->data.leap = info.leap;
  s->data.version = info.version;
  s->data.mode = info.mode;
  s->data.stratum = h.stratum;
  s->data.poll = h.poll;
  s->data.precision = h.precision;
  s->data.root_delay = pkt_root_delay;
  s->data.root_dispersion = pkt_root_dispersion;
  s->data.ref_id = ntohl(h.reference_id);
  UTI_Ntp64ToTimespec(&h.reference_ts, t4, &s->data.ref_time);
  s->data.authenticated = s->key != 0 || s->nts != NULL;
  s->data.key_id = s->key;

  if (NPK_IsKoD(&h, &code)) {
    handle_kod(s, code);
    return;
  }
  if (info.leap == NPK_LEAP_UNSYNCHRONISED || h.stratum >= 16) {
    DEBUG_LOG("Unsynchronised reply from %s", UTI_IPToString(&s->ip));
    return;
  }
  if (UTI_IsZeroNtp64(&h.receive_ts) || UTI_IsZeroNtp64(&h.transmit_ts) ||
      pkt_root_delay / 2.0 + pkt_root_dispersion >= MAX_DISPERSION)
    return;

  UTI_Ntp64ToTimespec(&h.receive_ts, &s->t1, &t2);
  UTI_Ntp64ToTimespec(&h.transmit_ts, &s->t1, &t3);
  server_interval = UTI_DiffTimespecsToDouble(&t3, &t2);
  local_interval = UTI_DiffTimespecsToDouble(t4, &s->t1);
  /* A negative interval means a bogus server or a stepped clock */
  if (server_interval < 0.0 || local_interval < 0.0 || server_interval > MAX_DISPERSION)
    return;

  delay = local_interval - server_interval;
  if (delay < ldexp(1.0, local_precision))
    delay = ldexp(1.0, local_precision);
  offset = (UTI_DiffTimespecsToDouble(&t2, &s->t1) + UTI_DiffTimespecsToDouble(&t3, t4)) / 2.0;
  dispersion = ldexp(1.0, h.precision) + ldexp(1.0, local_precision) + PHI * local_interval;

  s->data.offset = offset;
  s->data.peer_delay = delay;
  s->data.peer_dispersion = dispersion;
  s->data.response_time = server_interval;

  if (delay > s->conf->maxdelay) {
    DEBUG_LOG("Delay %.9f from %s above maxdelay", delay, UTI_IPToString(&s->ip));
    return;
  }

  memset(&sample, 0, sizeof sample);
  sample.time = *t4;
  sample.offset = offset;
  sample.delay = delay;
  sample.dispersion = dispersion;
  sample.root_delay = pkt_root_delay + delay;
  sample.root_dispersion = pkt_root_dispersion + dispersion;
  sample.stratum = h.stratum;
  sample.leap = info.leap;
  SRC_AccumulateSample(s->src, &sample);
  SSL_AccumulateSample(s->src, s->conf, &sample);
  DEBUG_LOG("Sample from %s offset %.9f delay %.9f", UTI_IPToString(&s->ip), offset, delay);

  sample_taken(s);
}

static void
receive(int fd, int event, void *arg)
{
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof (struct timespec)) + 64]; } cmsg;
  uint8_t pkt[NIO_MAX_PACKET];
  struct timespec t4;
  struct msghdr msg;
  struct cmsghdr *cm;
  struct iovec iov;
  Source *s = arg;
  ssize_t n;
  int kernel = 0;

  memset(&msg, 0, sizeof msg);
  iov.iov_base = pkt;
  iov.iov_len = sizeof pkt;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cmsg.buf;
  msg.msg_controllen = sizeof cmsg.buf;

  n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0)
    return;
  clock_gettime(CLOCK_REALTIME, &t4);
  s->data.rx_count++;
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    return;

  for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS &&
        cm->cmsg_len >= CMSG_LEN(sizeof (struct timespec))) {
      memcpy(&t4, CMSG_DATA(cm), sizeof t4);
      kernel = 1;
    }
  }
  s->data.kernel_rx_ts = kernel;

  DSC_CookTime(&t4, &t4);
  process_response(s, pkt, (int)n, &t4);
}

/* ---- sources ---- */

static NNC_Instance
create_nts(Source *s)
{
  const CNF_Source *conf = s->conf;

  /* A pool's addresses each get their own file */
  return NNC_CreateInstance(conf->name,
                            conf->type == CNF_SRC_POOL ? UTI_IPToString(&s->ip) : conf->name,
                            &s->ip, conf->ntsport, conf->certset, s->port, nts_ready, s);
}

static void
add_source(const CNF_Source *conf, Name *nm, const IPAddr *ip)
{
  Source *s = MallocNew(Source);

  memset(s, 0, sizeof *s);
  s->conf = conf;
  s->name = nm;
  s->ip = *ip;
  s->port = (uint16_t)conf->port;
  /* NTS replaces the symmetric key, as in chronyd */
  s->key = conf->nts ? 0 : conf->key;
  s->ntp_ip = *ip;
  s->ntp_port = s->port;
  s->version = conf->version ? conf->version :
               conf->key ? KEY_SuggestedVersion(conf->key) : NTP_VERSION;
  s->minpoll = conf->minpoll;
  s->maxpoll = conf->maxpoll < conf->minpoll ? conf->minpoll : conf->maxpoll;
  s->poll = s->minpoll;
  s->fd = -1;
  s->target = conf->maxsamples > 0 ? conf->maxsamples : ONCE_DEFAULT_SAMPLES;
  /* -q/-Q has no command to bring a source online */
  s->mode = once_mode || (nm ? nm->online : !conf->offline) ? MD_ONLINE : MD_OFFLINE;
  /* chronyd bursts even an offline source, and returns it offline */
  if (conf->iburst) {
    s->mode = s->mode == MD_ONLINE ? MD_BURST_WAS_ONLINE : MD_BURST_WAS_OFFLINE;
    s->burst_good = NCL_IBURST_GOOD;
    s->burst_total = NCL_IBURST_TOTAL;
  }
  s->data.remote_addr = *ip;
  s->data.remote_port = s->port;

  s->src = SRC_CreateSource(conf->name, conf->maxsamples);
  SRC_SetAddress(s->src, ip, s->port);
  SRC_SetPoll(s->src, s->poll);

  sources = ReallocArray(Source *, n_sources + 1, sources);
  sources[n_sources++] = s;
  if (nm)
    nm->n_sources++;

  if (conf->nts)
    s->nts = create_nts(s);

  if (s->key && !KEY_KeyKnown(s->key))
    LOG(LOGS_WARN, "Key %"PRIu32" is missing", conf->key);

  if (s->mode == MD_OFFLINE) {
    LOG(LOGS_INFO, "Source %s is offline", UTI_IPToString(ip));
    return;
  }
  /* A slight spread, so that many sources do not send at once */
  s->tx_id = SCH_AddTimeout(0.01 * (n_sources - 1), transmit, s);
}

static int
family_allowed(int family)
{
  int f = CNF_GetAddressFamily();

  return f == AF_UNSPEC || f == family;
}

static int
in_list(const IPAddr *ip, int n, const IPAddr *ips)
{
  int i;

  for (i = 0; i < n; i++) {
    if (UTI_CompareIPs(ip, &ips[i]) == 0)
      return 1;
  }
  return 0;
}

/* An address of the list that no source uses with this port, or NULL */
static const IPAddr *
unused_address(int port, int n, const IPAddr *ips)
{
  int i, j;

  for (i = 0; i < n; i++) {
    if (!family_allowed(ips[i].family))
      continue;
    for (j = 0; j < n_sources; j++) {
      if (sources[j]->port == port && UTI_CompareIPs(&sources[j]->ip, &ips[i]) == 0)
        break;
    }
    if (j == n_sources)
      return &ips[i];
  }
  return NULL;
}

/* The source becomes a new one at another address: same slot in the
   registry and the reports, nothing of the old server kept */
static void
change_address(Source *s, const IPAddr *ip)
{
  char old[64];

  snprintf(old, sizeof old, "%s", UTI_IPToString(&s->ip));
  LOG(LOGS_INFO, "Source %s replaced with %s", old, UTI_IPToString(ip));
  close_socket(s);
  s->polled = s->replied = s->awaiting = 0;
  s->ip = s->ntp_ip = *ip;
  s->ntp_port = s->port;
  memset(&s->data, 0, sizeof s->data);
  s->data.remote_addr = *ip;
  s->data.remote_port = s->port;
  SRC_SetAddress(s->src, ip, s->port);
  SRC_ResetInstance(s->src);
  reset_polling(s);
  if (s->nts) {
    NNC_DestroyInstance(s->nts);
    s->nts = create_nts(s);
  }
}

static void
retry_resolve(void *arg)
{
  Name *nm = arg;

  nm->retry_id = 0;
  start_resolve(nm, 0);
}

static void
resolved(int n, const IPAddr *ips, void *arg)
{
  Name *nm = arg;
  const IPAddr *ip;
  int i, max = nm->conf->type == CNF_SRC_POOL ? nm->conf->maxsources : 1;
  Source *s;

  nm->resolving = 0;
  if (n == 0)
    LOG(LOGS_WARN, "Could not resolve %s", nm->conf->name);

  /* Unreachable pool sources, and (refresh) sources whose address the
     name no longer has, move to an unused address if there is one */
  for (i = 0; i < n_sources; i++) {
    s = sources[i];
    if (s->name != nm || !(s->replace || (nm->refresh && n > 0 && !in_list(&s->ip, n, ips))))
      continue;
    s->replace = 0;
    ip = unused_address(s->port, n, ips);
    if (ip)
      change_address(s, ip);
  }
  nm->refresh = 0;

  while (nm->n_sources < max && (ip = unused_address(nm->conf->port, n, ips)))
    add_source(nm->conf, nm, ip);

  if (!nm->first_done) {
    nm->first_done = 1;
    n_unresolved--;
  }
  /* Too few addresses: the rest later, less and less often */
  if (nm->n_sources < max && !once_mode) {
    nm->retry_interval = nm->retry_interval > 0.0 ?
                         fmin(2.0 * nm->retry_interval, RESOLVE_RETRY_MAX) : RESOLVE_RETRY;
    if (!nm->retry_id)
      nm->retry_id = SCH_AddTimeout(nm->retry_interval, retry_resolve, nm);
  } else {
    nm->retry_interval = 0.0;
  }
  check_once_done();
}

/* One resolution at a time per name; refresh marks the running one */
static void
start_resolve(Name *nm, int refresh)
{
  if (refresh)
    nm->refresh = 1;
  if (nm->resolving)
    return;
  SCH_RemoveTimeout(nm->retry_id);
  nm->retry_id = 0;
  nm->resolving = 1;
  if (!NRS_Resolve(nm->conf->name, CNF_GetAddressFamily(), resolved, nm))
    resolved(0, NULL, nm);
}

void
NCL_SetOnceMode(NCL_DoneHandler handler, void *arg)
{
  once_mode = 1;
  done_handler = handler;
  done_arg = arg;
  done_called = 0;
}

void
NCL_Initialise(void)
{
  const CNF_Config *c = CNF_Get();
  const CNF_Source *conf;
  Name *nm;
  IPAddr ip;
  int i;

  KEY_Initialise();
  NRS_Initialise();
  NNC_Initialise();
  local_precision = measure_precision();

  for (i = 0; i < c->n_sources; i++) {
    conf = &c->sources[i];
#ifndef FEAT_NTS
    /* Never as an unauthenticated source */
    if (conf->nts) {
      LOG(LOGS_WARN, "Built without NTS, ignoring source %s", conf->name);
      continue;
    }
#endif
    if (UTI_StringToIP(conf->name, &ip)) {
      if (!family_allowed(ip.family)) {
        LOG(LOGS_WARN, "Ignoring source %s of a disabled address family", conf->name);
        continue;
      }
      add_source(conf, NULL, &ip);
    } else {
      nm = MallocNew(Name);
      memset(nm, 0, sizeof *nm);
      nm->conf = conf;
      nm->online = !conf->offline;
      names = ReallocArray(Name *, n_names + 1, names);
      names[n_names++] = nm;
      n_unresolved++;
      start_resolve(nm, 0);
    }
  }
  check_once_done();
}

void
NCL_Finalise(void)
{
  int i;

  NRS_Finalise();
  for (i = 0; i < n_sources; i++) {
    close_socket(sources[i]);
    SCH_RemoveTimeout(sources[i]->tx_id);
    /* Saves its cookies for the next start */
    NNC_DestroyInstance(sources[i]->nts);
    SRC_DestroySource(sources[i]->src);
    Free(sources[i]);
  }
  NNC_Finalise();
  Free(sources);
  sources = NULL;
  n_sources = 0;
  for (i = 0; i < n_names; i++) {
    SCH_RemoveTimeout(names[i]->retry_id);
    Free(names[i]);
  }
  Free(names);
  names = NULL;
  n_names = 0;
  n_unresolved = 0;
  SCH_RemoveTimeout(done_id);
  done_id = 0;
}

int
NCL_GetNumberOfSources(void)
{
  return n_sources;
}

int
NCL_GetNtpData(int index, NCL_NtpData *data)
{
  if (index < 0 || index >= n_sources)
    return 0;
  *data = sources[index]->data;
  return 1;
}

int
NCL_GetNtpDataByAddress(const IPAddr *ip, NCL_NtpData *data)
{
  int i;

  for (i = 0; i < n_sources; i++) {
    if (UTI_CompareIPs(&sources[i]->ip, ip) == 0)
      return NCL_GetNtpData(i, data);
  }
  return 0;
}

int
NCL_GetNtsReport(int index, NNC_Report *report)
{
  if (index < 0 || index >= n_sources || !sources[index]->nts)
    return 0;
  NNC_GetReport(sources[index]->nts, report);
  return 1;
}

/* ---- source control (the command protocol) ---- */

/* chronyd's matching: address AF_UNSPEC selects every source, a mask of
   another family than the address means the address exactly */
static int
address_matches(const IPAddr *ip, const IPAddr *mask, const IPAddr *address)
{
  int i;

  if (address->family == AF_UNSPEC)
    return 1;
  if (ip->family != address->family)
    return 0;
  if (mask->family != address->family)
    return UTI_CompareIPs(ip, address) == 0;
  if (ip->family == AF_INET)
    return ((ip->addr.in4 ^ address->addr.in4) & mask->addr.in4) == 0;
  for (i = 0; i < 16; i++) {
    if ((ip->addr.in6[i] ^ address->addr.in6[i]) & mask->addr.in6[i])
      return 0;
  }
  return 1;
}

/* onoffline: online if there is a route to the server (a UDP connect
   sends nothing) */
static int
connectable(const Source *s)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd, ok;

  fd = socket(s->ip.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  len = UTI_IPPortToSockaddr(&s->ip, s->port, &ss);
  ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
  close(fd);
  return ok;
}

static void
set_connectivity(Source *s, NCL_Connectivity c)
{
  if (c == NCL_MAYBE_ONLINE)
    c = connectable(s) ? NCL_ONLINE : NCL_OFFLINE;

  if (c == NCL_ONLINE) {
    if (s->mode == MD_OFFLINE) {
      s->mode = MD_ONLINE;
      reset_polling(s);
      start_initial_timeout(s);
    } else if (s->mode == MD_BURST_WAS_OFFLINE) {
      s->mode = MD_BURST_WAS_ONLINE;
    } else {
      return;
    }
    LOG(LOGS_INFO, "Source %s online", UTI_IPToString(&s->ip));
  } else {
    if (s->mode == MD_ONLINE)
      take_offline(s);
    else if (s->mode == MD_BURST_WAS_ONLINE)
      s->mode = MD_BURST_WAS_OFFLINE;
    else
      return;
    LOG(LOGS_INFO, "Source %s offline", UTI_IPToString(&s->ip));
  }
}

int
NCL_SetConnectivity(const IPAddr *mask, const IPAddr *address, NCL_Connectivity c)
{
  int i, any = 0;

  for (i = 0; i < n_sources; i++) {
    if (sources[i]->finished || !address_matches(&sources[i]->ip, mask, address))
      continue;
    set_connectivity(sources[i], c);
    any = 1;
  }

  /* Sources still to come from names start in the new mode (onoffline
     cannot know yet where they will be) */
  if (address->family == AF_UNSPEC && c != NCL_MAYBE_ONLINE) {
    for (i = 0; i < n_names; i++) {
      names[i]->online = c == NCL_ONLINE;
      if (names[i]->n_sources < (names[i]->conf->type == CNF_SRC_POOL ?
                                 names[i]->conf->maxsources : 1))
        any = 1;
    }
  }
  return any;
}

int
NCL_InitiateBurst(const IPAddr *mask, const IPAddr *address, int n_good, int n_total)
{
  Source *s;
  int i, any = 0;

  for (i = 0; i < n_sources; i++) {
    s = sources[i];
    if (s->finished || !address_matches(&s->ip, mask, address))
      continue;
    any = 1;
    /* A burst already running is not started again (chronyd's) */
    if (in_burst(s))
      continue;
    s->mode = s->mode == MD_ONLINE ? MD_BURST_WAS_ONLINE : MD_BURST_WAS_OFFLINE;
    s->burst_good = n_good;
    s->burst_total = n_total;
    start_initial_timeout(s);
  }
  return any;
}

/* New keys and cookies at the next request.  The instance is replaced;
   the file its destruction writes is removed at once, or the new
   instance would just load the old cookies again. */
static void
refresh_nts(Source *s)
{
  const char *dir = CNF_Get()->nts_dump_dir;
  const char *dump_name = s->conf->type == CNF_SRC_POOL ? UTI_IPToString(&s->ip) :
                          s->conf->name;
  char path[PATH_MAX];
  int r;

  NNC_DestroyInstance(s->nts);
  /* Only a name nts_ntp_client.c itself would accept as a file name */
  if (dir && *dir && *dump_name && *dump_name != '.' && !strchr(dump_name, '/')) {
    r = snprintf(path, sizeof path, "%s/%s.nts", dir, dump_name);
    if (r > 0 && r < (int)sizeof path)
      unlink(path);
  }
  s->nts = create_nts(s);
}

void
NCL_Refresh(void)
{
  int i;

  for (i = 0; i < n_names; i++)
    start_resolve(names[i], 1);
  for (i = 0; i < n_sources; i++) {
    if (sources[i]->nts && !sources[i]->finished)
      refresh_nts(sources[i]);
  }
}

void
NCL_GetActivity(NCL_Activity *a)
{
  int i, max;

  memset(a, 0, sizeof *a);
  for (i = 0; i < n_sources; i++) {
    switch (sources[i]->mode) {
      case MD_ONLINE: a->online++; break;
      case MD_OFFLINE: a->offline++; break;
      case MD_BURST_WAS_ONLINE: a->burst_online++; break;
      case MD_BURST_WAS_OFFLINE: a->burst_offline++; break;
    }
  }
  /* As chronyd, every source a name may still give counts unresolved */
  for (i = 0; i < n_names; i++) {
    max = names[i]->conf->type == CNF_SRC_POOL ? names[i]->conf->maxsources : 1;
    if (names[i]->n_sources < max)
      a->unresolved += max - names[i]->n_sources;
  }
}
