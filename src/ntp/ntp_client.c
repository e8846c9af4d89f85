/*
  ntsd - NTP client

  One request in flight per source.  A reply is accepted only from the
  connected address and port, in server mode, echoing our random transmit
  timestamp (which also rejects duplicates: the first accepted reply clears
  it), authenticated with the source's key if it has one and not
  authenticated otherwise.  Such a reply with all its timestamps set makes
  the source reachable if the server is synchronised; it becomes a sample
  only if it passes chronyd's other tests (ntp_sample.h): the server is
  synchronised, and not to us, the intervals are sane, the delay is within
  maxdelay and passes the delay tests of the source's statistics.  What each
  test gave on the last valid reply is kept for the ntpdata report.

  An NTS source (nts_ntp_client.h) sends nothing until NTS-KE has given
  it keys and cookies, sends its requests to the NTP server negotiated
  there, and takes only replies that authenticate with its keys: a reply
  that does not is dropped as if it had never arrived.

  The polling interval starts at minpoll and goes up by one after every
  few good samples, to maxpoll; a KoD RATE raises it at once.  This is a
  plain stand-in until the clock discipline drives the polling as chronyd
  does from its regression.

  Each source is in one of chronyd's four modes: online (polling), offline
  (nothing sent), or in a burst that returns to one of the two.  Which
  sources exist, and at which addresses, is for the owner (ntp_sources.c)
  to decide: a source only tells it when it has gone unreachable or (-q/-Q)
  has finished.
*/
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "conf.h"
#include "discipline.h"
#include "keys.h"
#include "logging.h"
#include "memory.h"
#include "ntp_client.h"
#include "ntp_clsock.h"
#include "ntp_io.h"
#include "ntp_pkt.h"
#include "ntp_resolve.h"
#include "ntp_sample.h"
#include "ntp_sources.h"
#include "sched.h"
#include "sources.h"
#include "srcsel.h"

/* A reply later than this is not waited for (it would fail maxdelay) */
#define REPLY_WINDOW 8.0
/* Good samples before the polling interval goes up */
#define POLL_UP_SAMPLES 4
/* -q/-Q: samples wanted without maxsamples, and how many requests beyond
   the samples wanted may go unanswered before a source is given up
   (chronyd gives up when its 8-bit reachability register cannot fill) */
#define ONCE_DEFAULT_SAMPLES 3
#define ONCE_EXTRA_POLLS 7
/* The first request after a change of mode waits at least this long */
#define INITIAL_DELAY 0.2

struct NCL_Instance_Record {
  const CNF_Source *conf;
  SRC_Instance src;
  IPAddr ip;
  uint16_t port;
  int version;
  uint32_t key;
  NNC_Instance nts;            /* NULL unless an NTS source */
  IPAddr ntp_ip;               /* where requests go (NTS may negotiate another) */
  uint16_t ntp_port;
  int poll, minpoll, maxpoll;
  NCL_Mode mode;
  int burst_good, burst_total;
  int fd;
  SCH_TimeoutID tx_id, rx_id;
  int polled;                  /* a poll whose reachability is not recorded */
  int awaiting;                /* the current request has no valid reply yet */
  int replied;                 /* a valid reply since the last request */
  int n_unreach;               /* polls in a row without a reply */
  double last_tx;              /* monotonic time of the last request */
  NTP_int64 tx_ts;             /* random, echoed as the origin timestamp */
  NSK_TxTime tx;               /* real time */
  struct timespec t1;          /* tx.daemon, cooked */
  int good_run;
  int n_polls, n_good, target;
  int finished;                /* -q/-Q: nothing more to do */
  NCL_FinishedHandler finished_handler;
  NCL_UnreachableHandler unreachable_handler;
  void *handler_arg;
  NCL_NtpData data;
};

typedef struct NCL_Instance_Record Source;

static int local_precision;
static int once_mode;

static void transmit(void *arg);

/* ---- helpers ---- */

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
  return s->mode == NCL_MODE_BURST_WAS_ONLINE || s->mode == NCL_MODE_BURST_WAS_OFFLINE;
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

/* Stop polling; a request still unanswered is not counted as missed */
static void
take_offline(Source *s)
{
  s->polled = s->replied = s->awaiting = 0;
  close_socket(s);
  SCH_RemoveTimeout(s->tx_id);
  s->tx_id = 0;
  s->mode = NCL_MODE_OFFLINE;
}

/* A burst is over: back to the mode it started from */
static void
end_burst(Source *s)
{
  if (s->mode == NCL_MODE_BURST_WAS_OFFLINE) {
    take_offline(s);
  } else if (s->mode == NCL_MODE_BURST_WAS_ONLINE) {
    s->mode = NCL_MODE_ONLINE;
    if (!once_mode)
      reschedule(s, poll_interval(s->poll));
  }
}

/* ---- -q/-Q ---- */

static void
finish(Source *s)
{
  s->finished = 1;
  close_socket(s);
  SCH_RemoveTimeout(s->tx_id);
  s->tx_id = 0;
  if (s->finished_handler)
    s->finished_handler(s->handler_arg);
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
  uint8_t pkt[NIO_MAX_PACKET];
  NPK_Header h;
  int fd, len;

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

  s->data.remote_addr = s->ntp_ip;
  s->data.remote_port = s->ntp_port;
  fd = NSK_Open(&s->ntp_ip, s->ntp_port, &s->data.local_addr);
  if (fd < 0)
    return;
  if (!NSK_Send(fd, pkt, len, &s->tx)) {
    LOG_RATE(LOGS_WARN, "Could not send NTP request to %s : %s",
             UTI_IPToString(&s->ntp_ip), strerror(errno));
    close(fd);
    return;
  }
  /* Measured against the discipline's time, not the slewing clock */
  DSC_CookTime(&s->tx.daemon, &s->t1);

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

  /* The last request is over: unanswered, a 0 (an answer went in on arrival) */
  if (s->polled) {
    if (!s->replied)
      SRC_UpdateReachability(s->src, 0);
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
    case NCL_MODE_BURST_WAS_ONLINE:
      /* The last request of the burst is an ordinary poll (chronyd's) */
      if (s->burst_total <= 1)
        s->mode = NCL_MODE_ONLINE;
      break;
    case NCL_MODE_BURST_WAS_OFFLINE:
      if (s->burst_total <= 0) {
        take_offline(s);
        return;
      }
      break;
    case NCL_MODE_OFFLINE:
      return;
    default:
      break;
  }
  if (in_burst(s))
    s->burst_total--;

  /* The owner may move the source to another address (even at once) */
  if (s->n_unreach >= NCL_UNREACH_POLLS && s->unreachable_handler &&
      s->unreachable_handler(s->handler_arg))
    s->n_unreach = 0;

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
  /* Stratum 0 without an ASCII kiss code is an unsynchronised server's
     ordinary reply (chronyd and ntsd send reference ID 0 then), not a KoD
     worth a warning; the reply is still not used */
  if (!isgraph((unsigned char)c[0]) || !isgraph((unsigned char)c[1]) ||
      !isgraph((unsigned char)c[2]) || !isgraph((unsigned char)c[3])) {
    DEBUG_LOG("Unsynchronised reply from %s", UTI_IPToString(&s->ip));
    return;
  }
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
  LOG_RATE(LOGS_WARN, "Received KoD %s from %s", c, UTI_IPToString(&s->ip));
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
process_response(Source *s, const uint8_t *pkt, int len, const struct timespec *t1,
                 const struct timespec *t4, int kernel_tx)
{
  double server_interval;
  NPK_Header h;
  NPK_Info info;
  SRC_Sample sample;
  uint32_t code;
  int is_ntsn, checks, within_maxdelay, failed;

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

  /* Tests 1 and 2 passed above (only the first reply that echoes our
     transmit timestamp gets this far) and 5; with 3 the reply is valid */
  checks = NSP_CheckReply(&h, &info);
  if (!(checks & NSP_TEST_3)) {
    DEBUG_LOG("Reply from %s with a zero timestamp", UTI_IPToString(&s->ip));
    return;
  }

  s->awaiting = 0;
  s->replied = 1;
  s->data.valid_count++;
  close_socket(s);
  /* At once, before the sample is used, and only if synchronised (chronyd's) */
  SRC_UpdateReachability(s->src, (checks & NSP_TESTS_SYNCED) == NSP_TESTS_SYNCED);

  s->data.leap = info.leap;
  s->data.version = info.version;
  s->data.mode = info.mode;
  s->data.stratum = h.stratum;
  s->data.poll = h.poll;
  s->data.precision = h.precision;
  s->data.root_delay = UTI_Ntp32ToDouble(h.root_delay);
  s->data.root_dispersion = UTI_Ntp32ToDouble(h.root_dispersion);
  s->data.ref_id = ntohl(h.reference_id);
  UTI_Ntp64ToTimespec(&h.reference_ts, t4, &s->data.ref_time);
  s->data.authenticated = s->key != 0 || s->nts != NULL;
  s->data.kernel_tx_ts = kernel_tx;
  s->data.kernel_tx_count += kernel_tx != 0;
  s->data.key_id = s->key;
  s->data.tests = NSP_TESTS_VALID | checks;

  if (NPK_IsKoD(&h, &code)) {
    handle_kod(s, code);
    return;
  }
  if ((checks & NSP_TESTS_SYNCED) != NSP_TESTS_SYNCED) {
    DEBUG_LOG("Unsynchronised reply from %s, or its root distance is too large",
              UTI_IPToString(&s->ip));
    return;
  }

  if (NSP_CheckSyncLoop(h.stratum, s->data.ref_id, &s->data.local_addr, !once_mode))
    s->data.tests |= NSP_TEST_D;
  else
    DEBUG_LOG("Reply from %s refers to our own address %s: the server is synchronised to us",
              UTI_IPToString(&s->ip), UTI_IPToString(&s->data.local_addr));
  /* Test A fails, and B and C are not reached */
  if (!NSP_MakeSample(&h, &info, t1, t4, local_precision, &sample, &server_interval))
    return;

  s->data.offset = sample.offset;
  s->data.peer_delay = sample.delay;
  s->data.peer_dispersion = sample.dispersion;
  s->data.response_time = server_interval;

  within_maxdelay = sample.delay <= s->conf->maxdelay;
  if (!within_maxdelay || !(s->data.tests & NSP_TEST_D)) {
    if (!within_maxdelay)
      DEBUG_LOG("Delay %.9f from %s above maxdelay", sample.delay, UTI_IPToString(&s->ip));
    /* Not used at all; B and C still show what they make of it */
    s->data.tests |= NSP_DelayTests(within_maxdelay, SSL_CheckSample(s->src, &sample));
    return;
  }

  /* A sample the statistics reject (B, C) is not good: the registry (the
     sources report's last sample) and the polling never see it, as in
     chronyd */
  failed = SSL_AccumulateSample(s->src, s->conf, &sample);
  s->data.tests |= NSP_DelayTests(1, failed);
  if (failed != SST_GOOD)
    return;
  SRC_AccumulateSample(s->src, &sample);
  DEBUG_LOG("Sample from %s offset %.9f delay %.9f", UTI_IPToString(&s->ip), sample.offset,
            sample.delay);

  sample_taken(s);
}

static void
receive(int fd, int event, void *arg)
{
  uint8_t pkt[NIO_MAX_PACKET];
  struct timespec t1, t4;
  Source *s = arg;
  int n, kernel, kernel_tx;

  /* A late transmit timestamp may be what woke us */
  NSK_ReadTxTimestamp(fd, &s->tx);
  n = NSK_Receive(fd, pkt, sizeof pkt, &t4, &kernel);
  if (n == NSK_NOTHING)
    return;
  s->data.rx_count++;
  if (n == NSK_TRUNCATED)
    return;
  s->data.kernel_rx_ts = kernel;
  s->data.kernel_rx_count += kernel != 0;

  kernel_tx = NSK_ChooseTxTime(&s->tx, &t4, &s->t1, &t1);
  DSC_CookTime(&t4, &t4);
  process_response(s, pkt, n, &t1, &t4, kernel_tx);
}

/* ---- the instance ---- */

static NNC_Instance
create_nts(Source *s)
{
  const CNF_Source *conf = s->conf;

  /* A pool's addresses each get their own file */
  return NNC_CreateInstance(conf->name,
                            conf->type == CNF_SRC_POOL ? UTI_IPToString(&s->ip) : conf->name,
                            &s->ip, conf->ntsport, conf->certset, s->port, nts_ready, s);
}

NCL_Instance
NCL_CreateInstance(const CNF_Source *conf, const IPAddr *ip, int online, double delay,
                   NCL_FinishedHandler finished, NCL_UnreachableHandler unreachable, void *arg)
{
  Source *s = MallocNew(Source);

  memset(s, 0, sizeof *s);
  s->conf = conf;
  s->finished_handler = finished;
  s->unreachable_handler = unreachable;
  s->handler_arg = arg;
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
  s->mode = once_mode || online ? NCL_MODE_ONLINE : NCL_MODE_OFFLINE;
  /* chronyd bursts even an offline source, and returns it offline */
  if (conf->iburst) {
    s->mode = s->mode == NCL_MODE_ONLINE ? NCL_MODE_BURST_WAS_ONLINE : NCL_MODE_BURST_WAS_OFFLINE;
    s->burst_good = NCL_IBURST_GOOD;
    s->burst_total = NCL_IBURST_TOTAL;
  }
  s->data.remote_addr = *ip;
  s->data.remote_port = s->port;

  s->src = SRC_CreateSource(conf->name, conf->maxsamples);
  SRC_SetConf(s->src, conf);
  SRC_SetAddress(s->src, ip, s->port);
  SRC_SetPoll(s->src, s->poll);

  if (conf->nts)
    s->nts = create_nts(s);

  if (s->key && !KEY_KeyKnown(s->key))
    LOG(LOGS_WARN, "Key %"PRIu32" is missing", conf->key);

  if (s->mode == NCL_MODE_OFFLINE)
    LOG(LOGS_INFO, "Source %s is offline", UTI_IPToString(ip));
  else
    s->tx_id = SCH_AddTimeout(delay, transmit, s);
  return s;
}

void
NCL_DestroyInstance(NCL_Instance s)
{
  close_socket(s);
  SCH_RemoveTimeout(s->tx_id);
  /* Saves its cookies for the next start */
  NNC_DestroyInstance(s->nts);
  SRC_DestroySource(s->src);
  Free(s);
}

/* Same slot in the registry and the reports, nothing of the old server
   kept */
void
NCL_ChangeAddress(NCL_Instance s, const IPAddr *ip)
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

void
NCL_GetAddress(NCL_Instance s, IPAddr *ip, uint16_t *port)
{
  *ip = s->ip;
  *port = s->port;
}

void
NCL_GetNtpData(NCL_Instance s, NCL_NtpData *data)
{
  *data = s->data;
}

int
NCL_GetNtsReport(NCL_Instance s, NNC_Report *report)
{
  if (!s->nts)
    return 0;
  NNC_GetReport(s->nts, report);
  return 1;
}

NCL_Mode
NCL_GetMode(NCL_Instance s)
{
  return s->mode;
}

/* ---- source control (the command protocol) ---- */

int
NCL_SetConnectivity(NCL_Instance s, NCL_Connectivity c)
{
  if (s->finished)
    return 0;
  if (c == NCL_MAYBE_ONLINE)
    c = NSK_IsConnectable(&s->ip, s->port) ? NCL_ONLINE : NCL_OFFLINE;

  if (c == NCL_ONLINE) {
    if (s->mode == NCL_MODE_OFFLINE) {
      s->mode = NCL_MODE_ONLINE;
      reset_polling(s);
      start_initial_timeout(s);
    } else if (s->mode == NCL_MODE_BURST_WAS_OFFLINE) {
      s->mode = NCL_MODE_BURST_WAS_ONLINE;
    } else {
      return 1;
    }
    LOG(LOGS_INFO, "Source %s online", UTI_IPToString(&s->ip));
  } else {
    if (s->mode == NCL_MODE_ONLINE)
      take_offline(s);
    else if (s->mode == NCL_MODE_BURST_WAS_ONLINE)
      s->mode = NCL_MODE_BURST_WAS_OFFLINE;
    else
      return 1;
    LOG(LOGS_INFO, "Source %s offline", UTI_IPToString(&s->ip));
  }
  return 1;
}

int
NCL_InitiateBurst(NCL_Instance s, int n_good, int n_total)
{
  if (s->finished)
    return 0;
  /* A burst already running is not started again (chronyd's) */
  if (in_burst(s))
    return 1;
  s->mode = s->mode == NCL_MODE_ONLINE ? NCL_MODE_BURST_WAS_ONLINE : NCL_MODE_BURST_WAS_OFFLINE;
  s->burst_good = n_good;
  s->burst_total = n_total;
  start_initial_timeout(s);
  return 1;
}

int
NCL_ForceNtsKe(NCL_Instance s)
{
  if (s->finished || !s->nts)
    return 0;
  NNC_ForceKe(s->nts);
  return 1;
}

/* ---- the client ---- */

void
NCL_SetOnceMode(NCL_DoneHandler handler, void *arg)
{
  once_mode = 1;
  NCS_SetOnceMode(handler, arg);
}

void
NCL_Initialise(void)
{
  KEY_Initialise();
  NRS_Initialise();
  NNC_Initialise();
  local_precision = NSP_MeasurePrecision();
  NCS_Initialise();
}

void
NCL_Finalise(void)
{
  NRS_Finalise();
  NCS_Finalise();
  NNC_Finalise();
}
