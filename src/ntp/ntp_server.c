/*
  ntsd - NTP server

  The request path: layout check, mode check (only client requests are
  answered, so ntsd can never be made to ping-pong with another server),
  access control, rate limiting, authentication, then the reply, which is
  never longer than the request.

  The serverstats counters follow chronyd: a request that passed the layout,
  mode and access checks is received (ntp_hits) whatever happens to it
  next; dropped (ntp_drops) are only the requests the rate limiting
  refused; authenticated (ntp_auth_hits) only those answered with a valid
  MAC or NTS authenticator and no KoD.
*/
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "clientlog.h"
#include "conf.h"
#include "discipline.h"
#include "keys.h"
#include "logging.h"
#include "ntp_pkt.h"
#include "ntp_server.h"
#include "reference.h"
#include "stats.h"
#ifdef FEAT_NTS
#include "nts_ntp_server.h"
#endif

void
NSR_Initialise(void)
{
  REF_Initialise();
  CLG_Initialise();
}

void
NSR_Finalise(void)
{
  CLG_Finalise();
  REF_Finalise();
}

/* What every reply of a batch shares: the reference state and the time
   for the client log change far more slowly than a batch is processed, so
   they are read once per batch, not once per packet */
static struct {
  int valid;
  REF_Params ref;
  NTP_int64 ref_ts;
  NTP_int32 root_delay, root_dispersion;
  double mono;
} batch;

static void
load_batch(const struct timespec *real)
{
  struct timespec mono;

  clock_gettime(CLOCK_MONOTONIC, &mono);
  REF_GetReferenceParams(real, &batch.ref);
  UTI_TimespecToNtp64(&batch.ref.ref_time, &batch.ref_ts, NULL);
  batch.root_delay = UTI_DoubleToNtp32(batch.ref.root_delay);
  batch.root_dispersion = UTI_DoubleToNtp32(batch.ref.root_dispersion);
  batch.mono = mono.tv_sec + mono.tv_nsec * 1e-9;
}

void
NSR_BeginBatch(const struct timespec *now)
{
  load_batch(now);
  batch.valid = 1;
}

void
NSR_EndBatch(void)
{
  batch.valid = 0;
}

static void
fill_reply_header(const NPK_Header *req, const NPK_Info *info, const struct timespec *rx_ts,
                  CLG_Verdict verdict, NPK_Header *h)
{
  const REF_Params *ref = &batch.ref;
  struct timespec now, rx;

  memset(h, 0, sizeof *h);
  h->lvm = NPK_LVM(ref->leap, info->version, NPK_MODE_SERVER);
  h->stratum = ref->stratum;
  h->poll = req->poll;
  h->precision = ref->precision;
  h->root_delay = batch.root_delay;
  h->root_dispersion = batch.root_dispersion;
  h->reference_id = htonl(ref->ref_id);
  h->reference_ts = batch.ref_ts;
  h->originate_ts = req->transmit_ts;

  if (verdict == CLG_KOD) {
    /* No usable time in a KoD: the client must only back off */
    NPK_MakeKoD(h, NPK_KOD_RATE);
    h->receive_ts = req->transmit_ts;
    h->transmit_ts = req->transmit_ts;
    return;
  }

  /* Served in the discipline's time, which differs from the clock while
     a correction is slewed, and always with -x (as chronyd) */
  DSC_CookTime(rx_ts, &rx);
  UTI_TimespecToNtp64(&rx, &h->receive_ts, NULL);
  /* The one clock read per packet: the transmit timestamp is taken as
     late as the reply's construction allows */
  clock_gettime(CLOCK_REALTIME, &now);
  DSC_CookTime(&now, &now);
  UTI_TimespecToNtp64(&now, &h->transmit_ts, NULL);
}

int
NSR_ProcessRequest(const uint8_t *req, int req_len, const IPAddr *ip, uint16_t port,
                   const struct timespec *rx_ts, uint8_t *reply, int reply_max)
{
  const CNF_Config *c = CNF_Get();
  NPK_Header req_h, reply_h;
  CLG_Verdict verdict;
  NPK_Info info;
  int reply_len;
#ifdef FEAT_NTS
  NNS_Context nts;
  NNS_Result nts_result = NNS_NOT_NTS;
#endif

  if (!NPK_ParsePacket(req, req_len, &info) || !NPK_ReadHeader(req, req_len, &req_h) ||
      info.mode != NPK_MODE_CLIENT || port == 0)
    return 0;

  if (!CNF_AccessAllowed(c->access, c->n_access, ip, 0))
    return 0;

  /* Outside a batch (unit tests, fuzzing) each request is its own batch */
  if (!batch.valid)
    load_batch(rx_ts);
  STA_counters.ntp_hits++;
  verdict = CLG_LogAccess(CLG_NTP, ip, batch.mono);
  if (verdict == CLG_DROP) {
    STA_counters.ntp_drops++;
    return 0;
  }

  if (info.mac_length > 0) {
    /* A MAC next to NTS fields is ambiguous, and a crypto-NAK from a
       client asks for nothing: neither is answered (as chronyd, still a
       received request, not a dropped one) */
    if ((info.ef_flags & (NPK_EFF_NTS_COOKIE | NPK_EFF_NTS_AUTH_AND_EEF)) ||
        info.mac_length < NPK_MAC_MIN_LEN)
      return 0;
    if (!KEY_CheckPacketMac(req, &info)) {
      /* RFC 5905 crypto-NAK (key id 0, no digest), so the client learns
         its key is wrong instead of retrying in the dark; 52 bytes, far
         shorter than any request with a MAC.  Never signed with a key the
         request did not prove it has. */
      fill_reply_header(&req_h, &info, rx_ts, verdict, &reply_h);
      if (verdict == CLG_KOD || reply_max < NPK_HEADER_LEN + 4 ||
          !NPK_WriteHeader(reply, reply_max, &reply_h))
        return 0;
      memset(reply + NPK_HEADER_LEN, 0, 4);
      return NPK_HEADER_LEN + 4;
    }
    fill_reply_header(&req_h, &info, rx_ts, verdict, &reply_h);
    if (!NPK_WriteHeader(reply, reply_max, &reply_h))
      return 0;
    /* The reply is authenticated with the request's key only; its MAC is
       truncated as the request's was, so it is never the longer one */
    reply_len = KEY_AddPacketMac(info.mac_key_id, info.version, reply, NPK_HEADER_LEN,
                                 reply_max < req_len ? reply_max : req_len);
    if (reply_len <= 0)
      return 0;
    if (verdict != CLG_KOD)
      STA_counters.ntp_auth_hits++;
    return reply_len;
  }

#ifdef FEAT_NTS
  if (info.ef_flags & (NPK_EFF_NTS_COOKIE | NPK_EFF_NTS_AUTH_AND_EEF)) {
    nts_result = NNS_CheckRequest(req, req_len, &info, &nts);
    if (nts_result == NNS_DROP || nts_result == NNS_NOT_NTS)
      return 0;
  }
#else
  if (info.ef_flags & (NPK_EFF_NTS_COOKIE | NPK_EFF_NTS_AUTH_AND_EEF))
    return 0;
#endif

  fill_reply_header(&req_h, &info, rx_ts, verdict, &reply_h);
#ifdef FEAT_NTS
  if (nts_result == NNS_NAK)
    NPK_MakeKoD(&reply_h, NPK_KOD_NTSN);
#endif
  if (!NPK_WriteHeader(reply, reply_max, &reply_h))
    return 0;
  reply_len = NPK_HEADER_LEN;

#ifdef FEAT_NTS
  if (nts_result != NNS_NOT_NTS) {
    reply_len = NNS_FinishReply(&nts, nts_result, reply, reply_max < req_len ? reply_max : req_len);
    if (reply_len <= 0)
      return 0;
    if (nts_result == NNS_OK && verdict != CLG_KOD)
      STA_counters.ntp_auth_hits++;
  }
#endif

  /* Anti-amplification invariant */
  if (reply_len > req_len)
    return 0;
  return reply_len;
}
