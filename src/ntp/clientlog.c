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

  The average interval between requests (the Int columns of the clients
  report) is kept as a rate in quarters of log2 per second, in an int8_t,
  with chronyd's arithmetic so that both daemons report the same numbers
  for the same traffic: each interval is rounded to a power of two (up from
  about 0.67 * 2^n: 1/16 s ticks times 1.5, as in chronyd); a shorter one
  raises the rate by a quarter octave, a longer one pulls it half-way down,
  and at once to 2.5 octaves above its own rate if it was further.  So a
  client slowing down is followed at once, while a short burst barely
  moves the average.  The update is a few integer operations and a count
  of leading zeros: it runs for every NTP request.
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

/* Request rates: RATE_SCALE steps per octave, intervals measured in
   2^-RATE_TICK_BITS s; 0 means one request a second */
#define RATE_SCALE 4
#define RATE_TICK_BITS 4
#define RATE_UNKNOWN INT8_MIN
#define RATE_MAX ((RATE_TICK_BITS + 1) * RATE_SCALE)  /* interval < 1/16 s */
#define RATE_MIN (-14 * RATE_SCALE)                   /* 2^14 s or longer */
#define RATE_MAX_FALL (RATE_SCALE * 5 / 2)
/* The fewest ticks that round to RATE_MIN: 1.5 * ticks >= 2^18.  Longer
   intervals are cut off before counting ticks, so that neither the count
   (32 bits) overflows nor the rate needs clamping afterwards. */
#define RATE_MIN_TICKS 174763

typedef struct {
  IPAddr ip;                       /* AF_UNSPEC: empty */
  /* Monotonic seconds; NaN: never.  An interval from NaN is NaN and fails
     `interval >= 0.0` as one from a time going back does, so a single
     comparison leaves out both; the oldest-record search ignores NaN. */
  double last_hit[CLG_N_SERVICES];
  float tokens[CLG_N_SERVICES];
  uint32_t hits[CLG_N_SERVICES];
  uint32_t drops[CLG_N_SERVICES];
  int8_t rate[CLG_N_SERVICES];     /* RATE_UNKNOWN before the second request */
  /* NTP requests that followed a dropped one: a client retrying without
     replies (IntL in the report) must not hide the rate of the others */
  int8_t ntp_timeout_rate;
  /* The last request was dropped; only ever set for NTP, so that the hot
     path needs no test of the service */
  uint8_t dropped[CLG_N_SERVICES];
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
  for (s = 0; s < CLG_N_SERVICES; s++) {
    r->last_hit[s] = NAN;
    r->tokens[s] = limits[s].burst;
    r->rate[s] = RATE_UNKNOWN;
  }
  r->ntp_timeout_rate = RATE_UNKNOWN;
  (void)now;
  return r;
}

/* The rate of one interval: -RATE_SCALE * log2(interval), rounded as the
   comment at the top says, between RATE_MIN and RATE_MAX */
static int
interval_to_rate(double interval)
{
  uint32_t ticks;

  if (interval >= (double)RATE_MIN_TICKS / (1U << RATE_TICK_BITS))
    return RATE_MIN;
  ticks = (uint32_t)(interval * (1U << RATE_TICK_BITS));
  /* 31 - clz is the octave of 1.5 * ticks (the rounding), counted here in
     half ticks and made odd, so that an interval shorter than a tick comes
     out one octave below a tick, at RATE_MAX, without a branch */
  ticks = 2 * (ticks + (ticks >> 1)) + 1;
  return (RATE_TICK_BITS + 1 - (31 - __builtin_clz(ticks))) * RATE_SCALE;
}

static void
update_rate(int8_t *rate, int new_rate)
{
  int r = *rate;

  if (r == RATE_UNKNOWN)
    r = new_rate;
  else if (r < new_rate)
    r++;
  else if (r > new_rate)
    r = r - new_rate > RATE_MAX_FALL ? new_rate + RATE_MAX_FALL : (r + new_rate - 1) / 2;
  *rate = (int8_t)r;
}

/* For the report: log2 seconds rounded half away from zero, 127 unknown */
static int
rate_to_interval(int rate)
{
  if (rate == RATE_UNKNOWN)
    return CLG_INTERVAL_UNKNOWN;
  return -(rate + (rate > 0 ? RATE_SCALE / 2 : -RATE_SCALE / 2)) / RATE_SCALE;
}

CLG_Verdict
CLG_LogAccess(CLG_Service service, const IPAddr *ip, double now)
{
  const CLG_Limit *l = &limits[service];
  double interval, t;
  int8_t *rate;
  Record *r;

  if (!n_records)
    return CLG_PASS;

  r = find_record(ip, now);
  r->hits[service]++;
  interval = now - r->last_hit[service];
  r->last_hit[service] = now;

  if (interval >= 0.0) {
    rate = r->dropped[service] ? &r->ntp_timeout_rate : &r->rate[service];
    update_rate(rate, interval_to_rate(interval));
  }

  if (!l->enabled)
    return CLG_PASS;
  if (interval >= 0.0) {
    t = r->tokens[service] + interval / ldexp(1.0, l->interval);
    r->tokens[service] = t > l->burst ? l->burst : t;
  }
  r->dropped[service] = 0;
  if (r->tokens[service] >= 1.0f) {
    r->tokens[service] -= 1.0f;
    return CLG_PASS;
  }
  if ((random_bits() & ((1U << l->leak) - 1)) == 0)
    return CLG_PASS;
  /* A KoD is an answer: like chronyd, only the silent drops are counted,
     and the client's next request is no retry */
  if (l->kod > 0 && (random_bits() & ((1U << l->kod) - 1)) == 0)
    return CLG_KOD;
  r->drops[service]++;
  r->dropped[service] = service == CLG_NTP;
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
    report->last_hit_ago[s] = isnan(r->last_hit[s]) ? -1.0 : now - r->last_hit[s];
    report->interval[s] = rate_to_interval(r->rate[s]);
  }
  report->ntp_timeout_interval = rate_to_interval(r->ntp_timeout_rate);
  return 1;
}

void
CLG_ResetCounters(int index)
{
  Record *r;

  if (index < 0 || (unsigned int)index >= n_records)
    return;
  r = &records[index];
  memset(r->hits, 0, sizeof r->hits);
  memset(r->drops, 0, sizeof r->drops);
}
