/*
  ntsd - client log and rate limiting

  Open addressing with a short probe window: a lookup touches at most
  PROBE records, so the cost per request is constant.  When the window is
  full the least recently used record in it is recycled and counted in
  STA_counters.log_drops.

  Rate limiting is a token bucket per address and service: a token every
  2^interval seconds, at most burst tokens.  A request without a token is
  limited; one in 2^leak of those is answered anyway, so that spoofed
  requests cannot cut a real client off completely.
*/
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "clientlog.h"
#include "conf.h"
#include "memory.h"
#include "sched.h"
#include "stats.h"

#define PROBE 16
#define MIN_RECORDS 16

typedef struct {
  IPAddr ip;                       /* AF_UNSPEC: empty */
  double last_hit[CLG_N_SERVICES]; /* monotonic seconds; 0: never */
  float tokens[CLG_N_SERVICES];
  uint32_t hits[CLG_N_SERVICES];
  uint32_t drops[CLG_N_SERVICES];
} Record;

static Record *records;
static unsigned int n_records;      /* a power of two */
static CLG_Limit limits[CLG_N_SERVICES];
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

/* Leak decisions need no cryptographic randomness, only an attacker who
   cannot trivially synchronise with them; xorshift seeded at start is fine */
static uint32_t
random_bits(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state >> 32;
}

static uint32_t
hash_ip(const IPAddr *ip)
{
  uint32_t h = 2166136261u;
  int i;

  if (ip->family == AF_INET) {
    h = (h ^ ip->addr.in4) * 16777619u;
  } else {
    for (i = 0; i < 16; i++)
      h = (h ^ ip->addr.in6[i]) * 16777619u;
  }
  return h ^ (h >> 15);
}

void
CLG_Setup(int memory_limit, const CLG_Limit *ntp, const CLG_Limit *ntske)
{
  unsigned int want;

  Free(records);
  want = memory_limit / sizeof (Record);
  for (n_records = MIN_RECORDS; n_records * 2 <= want && n_records < (1U << 24); n_records *= 2)
    ;
  records = MallocArray(Record, n_records);
  memset(records, 0, n_records * sizeof (Record));

  memset(limits, 0, sizeof limits);
  if (ntp)
    limits[CLG_NTP] = *ntp;
  if (ntske)
    limits[CLG_NTSKE] = *ntske;
}

void
CLG_Initialise(void)
{
  const CNF_Config *c = CNF_Get();
  CLG_Limit ntp = { c->ratelimit, c->ratelimit_interval, c->ratelimit_burst,
                    c->ratelimit_leak, c->ratelimit_kod };
  CLG_Limit ntske = { c->nts_ratelimit, c->nts_ratelimit_interval, c->nts_ratelimit_burst,
                      c->nts_ratelimit_leak, 0 };
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  rng_state ^= (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)getpid();
  CLG_Setup(c->noclientlog ? 0 : c->clientloglimit, &ntp, &ntske);
  if (c->noclientlog) {
    /* No log, so nothing to limit by */
    Free(records);
    records = NULL;
    n_records = 0;
  }
}

void
CLG_Finalise(void)
{
  Free(records);
  records = NULL;
  n_records = 0;
}

static Record *
find_record(const IPAddr *ip, double now)
{
  unsigned int i, idx, victim = 0;
  double oldest = INFINITY, last;
  Record *r;
  int s;

  idx = hash_ip(ip) & (n_records - 1);
  for (i = 0; i < PROBE; i++) {
    r = &records[(idx + i) & (n_records - 1)];
    if (r->ip.family == AF_UNSPEC)
      break;
    if (UTI_SameIP(&r->ip, ip))
      return r;
    for (last = 0.0, s = 0; s < CLG_N_SERVICES; s++)
      last = r->last_hit[s] > last ? r->last_hit[s] : last;
    if (last < oldest) {
      oldest = last;
      victim = (idx + i) & (n_records - 1);
    }
  }
  if (i == PROBE) {
    r = &records[victim];
    STA_counters.log_drops++;
  }
  memset(r, 0, sizeof *r);
  r->ip = *ip;
  for (s = 0; s < CLG_N_SERVICES; s++)
    r->tokens[s] = limits[s].burst;
  (void)now;
  return r;
}

CLG_Verdict
CLG_LogAccess(CLG_Service service, const IPAddr *ip, double now)
{
  const CLG_Limit *l = &limits[service];
  Record *r;
  double t;

  if (!n_records)
    return CLG_PASS;

  r = find_record(ip, now);
  r->hits[service]++;

  if (l->enabled) {
    if (r->last_hit[service] > 0.0) {
      t = r->tokens[service] + (now - r->last_hit[service]) / ldexp(1.0, l->interval);
      r->tokens[service] = t > l->burst ? l->burst : t;
    }
  }
  r->last_hit[service] = now;

  if (!l->enabled)
    return CLG_PASS;
  if (r->tokens[service] >= 1.0f) {
    r->tokens[service] -= 1.0f;
    return CLG_PASS;
  }
  if ((random_bits() & ((1U << l->leak) - 1)) == 0)
    return CLG_PASS;
  /* A KoD is an answer: like chronyd, only the silent drops are counted */
  if (l->kod > 0 && (random_bits() & ((1U << l->kod) - 1)) == 0)
    return CLG_KOD;
  r->drops[service]++;
  return CLG_DROP;
}

int
CLG_GetNumberOfIndices(void)
{
  return n_records;
}

int
CLG_GetReport(int index, double now, CLG_Report *report)
{
  const Record *r;
  int s;

  if (index < 0 || (unsigned int)index >= n_records)
    return 0;
  r = &records[index];
  if (r->ip.family == AF_UNSPEC)
    return 0;
  report->ip = r->ip;
  for (s = 0; s < CLG_N_SERVICES; s++) {
    report->hits[s] = r->hits[s];
    report->drops[s] = r->drops[s];
    report->last_hit_ago[s] = r->last_hit[s] > 0.0 ? now - r->last_hit[s] : -1.0;
  }
  return 1;
}
