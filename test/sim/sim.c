/*
  ntsd - clock discipline simulation

  Drives the real srcstats, select and discipline modules against
  simulated NTP servers and a simulated clock, in simulated time: the
  network (delay, exponential jitter, asymmetry, loss, delay spikes) and
  the servers (falsetickers, steps, deaths) are generated from a fixed
  seed, so every run gives the same figures.  Prints per scenario the
  time to synchronise, the largest and RMS clock error after it and the
  RMS frequency error, checks them against thresholds, and ends with the
  "RESULT passed failed" line of the test runner.  Leap second scenarios
  (inserted and deleted seconds, announced by the servers or found in a
  leap second table) also print the error half a second before and after
  the leap, the largest around it and the error after it; the polling
  scenario the range of poll intervals used.

  Synchronised means: the discipline has a reference, the clock is within
  1 ms of true time and its frequency within 10 ppm.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "discipline.h"
#include "drv_sim.h"
#include "select.h"
#include "srcstats.h"
#include "util.h"

#define MAX_SERVERS 8
#define EPOCH 1700000000
#define SYNC_OFFSET 1e-3
#define SYNC_FREQ 1e-5

typedef struct {
  double delay;           /* round trip, fixed part */
  double jitter;          /* mean of the exponential extra, round trip */
  double asymmetry;       /* outbound minus return, fixed */
  double loss;            /* probability */
  double spike_prob, spike;
  double offset;          /* server - true (a falseticker) */
  double step_time, step; /* the server's clock steps at step_time */
  double die_time;        /* stops answering; 0: never */
  double leap_at;         /* applies a leap second then; 0: never */
  int leap;               /* +1 inserts it (UTC falls back), -1 deletes it */
  int leap_unannounced;   /* applies it without the leap indicator before */
  int options;
} ServerConf;

typedef struct {
  const char *name;
  int n_servers;
  ServerConf servers[MAX_SERVERS];
  double freq_error, wander, start_offset;
  double duration;
  int minpoll, maxpoll;
  double makestep_threshold;
  int makestep_limit;
  uint64_t seed;
  time_t epoch;           /* UTC at true time 0; 0: EPOCH */
  double leap_at;         /* true time of a leap second; 0: none */
  int leap;               /* +1 inserted, -1 deleted */
  int leap_mode;          /* DSC_LEAP_* */
  const LSC_Table *leap_table;  /* leapsectz/leapseclist; NULL: none */
  double leap_settle;     /* after the leap, the clock must be right again */
  /* thresholds; 0: not checked */
  double max_sync_time, max_offset, max_rms_offset, max_rms_freq;
  int expect_steps;       /* -1: not checked */
  int never_selected;     /* index of a server that must never be chosen, -1 */
  int expect_maxpoll;     /* some server polled at this interval; 0: not checked */
} Scenario;

typedef struct {
  SST_Instance stats;
  int poll;
  double poll_score;
  double next_poll;       /* true time */
  int reach;
  int new_sample;
} Server;

static uint64_t rng;
static int passed, failed, trace;

static double
uniform(void)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return ((rng * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double
exponential(double mean)
{
  return mean > 0.0 ? -mean * log(1.0 - uniform()) : 0.0;
}

static void
check(int ok, const char *scenario, const char *what)
{
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL %s: %s\n", scenario, what);
  }
}

/* Cooked local time at true time t */
static void
cooked_at(DSC_Driver *clk, double t, struct timespec *ts)
{
  struct timespec raw;

  DRV_SimReadAt(clk, t, &raw);
  UTI_AddDoubleToTimespec(&raw, DSC_GetCorrection(&raw), ts);
}

/* How far UTC has fallen back by true time t: one second after an
   insertion (23:59:60 repeats a second), minus one after a deletion
   (23:59:59 jumps to 00:00:00) */
static double
leaps_by(double leap_at, int leap, double t)
{
  return leap_at > 0.0 && t >= leap_at ? (double)leap : 0.0;
}

static double
server_time(const ServerConf *c, double t)
{
  return t + c->offset + (c->step_time > 0.0 && t >= c->step_time ? c->step : 0.0) -
         leaps_by(c->leap_at, c->leap, t);
}

/* One request and response; returns 0 when lost */
static int
measure(DSC_Driver *clk, const ServerConf *c, time_t epoch_sec, double t, SRC_Sample *s)
{
  struct timespec t1, t4, epoch = {epoch_sec, 0};
  double d1, d2, t2, x1, x4, delay;

  if (c->die_time > 0.0 && t >= c->die_time)
    return 0;
  if (uniform() < c->loss)
    return 0;
  d1 = (c->delay + c->asymmetry) / 2.0 + exponential(c->jitter / 2.0);
  d2 = (c->delay - c->asymmetry) / 2.0 + exponential(c->jitter / 2.0);
  if (uniform() < c->spike_prob)
    d1 += c->spike * uniform();
  cooked_at(clk, t, &t1);
  cooked_at(clk, t + d1 + d2, &t4);
  /* Seconds since the epoch are small enough for exact doubles */
  x1 = UTI_DiffTimespecsToDouble(&t1, &epoch);
  x4 = UTI_DiffTimespecsToDouble(&t4, &epoch);
  t2 = server_time(c, t + d1);
  delay = x4 - x1;
  memset(s, 0, sizeof *s);
  s->time = t4;
  s->offset = ((t2 - x1) + (t2 - x4)) / 2.0;
  s->delay = delay;
  s->dispersion = 1e-6 + 15e-6 * delay;
  s->root_delay = delay;
  s->root_dispersion = 10e-6 + s->dispersion;
  s->stratum = 1;
  /* Announced until it happens, as servers do on the day: NTP's leap
     indicator 1 for an insertion, 2 for a deletion */
  s->leap = c->leap_at > 0.0 && !c->leap_unannounced && t + d1 < c->leap_at ?
            (c->leap > 0 ? 1 : 2) : 0;
  return 1;
}

static void
adjust_poll(const Scenario *sc, Server *sv, int dropped)
{
  /* A crude stand-in for the NTP client's policy: back off while the fit
     holds, speed up when the runs test had to drop samples */
  sv->poll_score += dropped ? -1.0 : 0.25;
  if (sv->poll_score >= 1.0 && sv->poll < sc->maxpoll) {
    sv->poll++;
    sv->poll_score = 0.0;
  } else if (sv->poll_score <= -1.0 && sv->poll > sc->minpoll) {
    sv->poll--;
    sv->poll_score = 0.0;
  }
  if (sv->poll_score > 1.0)
    sv->poll_score = 1.0;
  if (sv->poll_score < -1.0)
    sv->poll_score = -1.0;
}

static void
run(const Scenario *sc)
{
  Server servers[MAX_SERVERS];
  SEL_Source sel[MAX_SERVERS];
  char status[MAX_SERVERS];
  /* chronyd's selection scores, kept between selections as srcsel.c */
  double scores[MAX_SERVERS];
  SST_Params sp;
  SEL_Params selp;
  DSC_Params dp;
  DSC_Driver *clk;
  SST_SelectionData sd;
  SEL_Result res;
  DSC_Estimate est;
  DSC_Change change;
  SRC_Sample sample;
  struct timespec raw, cooked, when;
  double t = 0.0, next_metric = 1.0, tn, err, ferr, freq_ppm, skew_ppm;
  double sync_time = -1.0, max_off = 0.0, sum2_off = 0.0, sum2_freq = 0.0;
  double leap_max = 0.0, leap_after = 0.0, probe[2], probe_err[2] = {0.0, 0.0};
  double expected, tolerance;
  int i, j, previous = -1, n_metric = 0, bad_selected = 0, n_updates = 0;
  int leap_before = -1, leap_later = -1, min_poll = 99, max_poll = -99;
  int n_probe = sc->leap_at > 0.0 ? 0 : 2;
  time_t epoch = sc->epoch ? sc->epoch : EPOCH;
  REF_Params ref;
  char buf[160];

  rng = sc->seed;
  clk = DRV_CreateSimDriver(sc->freq_error, sc->wander, sc->start_offset,
                            sc->seed * 7 + 1, epoch);
  SST_DefaultParams(&sp);
  SEL_DefaultParams(&selp);
  DSC_DefaultParams(&dp);
  dp.makestep_threshold = sc->makestep_threshold;
  dp.makestep_limit = sc->makestep_limit;
  dp.leap_mode = sc->leap_mode;
  dp.leap_table = sc->leap_table;
  DRV_SimRead(clk, &raw);
  DSC_Initialise(&dp, clk, &raw);

  for (i = 0; i < sc->n_servers; i++) {
    servers[i].stats = SST_CreateInstance(&sp);
    servers[i].poll = sc->minpoll;
    servers[i].poll_score = 0.0;
    servers[i].next_poll = 0.5 + 0.3 * i;
    servers[i].reach = 0;
    servers[i].new_sample = 0;
    scores[i] = 1.0;
  }

  /* Half a second either side of the leap, between the whole seconds of
     the other metrics: whether the clock moved at the right second */
  probe[0] = sc->leap_at - 0.5;
  probe[1] = sc->leap_at + 0.5;

  while (t < sc->duration) {
    tn = next_metric;
    if (n_probe < 2 && probe[n_probe] < tn)
      tn = probe[n_probe];
    for (i = 0; i < sc->n_servers; i++)
      if (servers[i].next_poll < tn)
        tn = servers[i].next_poll;
    if (DSC_GetNextEvent(&when)) {
      DRV_SimRead(clk, &raw);
      double te = t + UTI_DiffTimespecsToDouble(&when, &raw) /
                  (1.0 + DRV_SimRateError(clk)) + 1e-7;
      if (te < tn)
        tn = te > t ? te : t;
    }
    t = tn;
    DRV_SimAdvance(clk, t);
    DRV_SimRead(clk, &raw);
    if (DSC_Tick(&raw) & DSC_TICK_RESET)
      for (i = 0; i < sc->n_servers; i++)
        SST_ResetInstance(servers[i].stats);
    if (n_probe < 2 && t >= probe[n_probe])
      probe_err[n_probe++] = DRV_SimError(clk) + leaps_by(sc->leap_at, sc->leap, t);

    for (i = 0; i < sc->n_servers; i++) {
      Server *sv = &servers[i];

      if (sv->next_poll > t)
        continue;
      sv->next_poll = t + (1 << sv->poll);
      sv->reach = (sv->reach << 1) & 0xff;
      if (!measure(clk, &sc->servers[i], epoch, t, &sample))
        continue;
      sv->reach |= 1;
      /* As srcsel.c */
      if (DSC_IsLeapSecondClose(&sample.time))
        continue;
      if (SST_CheckSample(sv->stats, &sample) != SST_GOOD)
        continue;
      SST_AccumulateSample(sv->stats, &sample);
      SST_DoNewRegression(sv->stats);
      adjust_poll(sc, sv, SST_GetLastDropped(sv->stats) > 0);
      sv->new_sample = 1;

      /* Select after every sample; update the clock only when the chosen
         source brought something new */
      cooked_at(clk, t, &cooked);
      for (j = 0; j < sc->n_servers; j++) {
        memset(&sel[j], 0, sizeof sel[j]);
        sel[j].options = sc->servers[j].options;
        if (!SST_GetSelectionData(servers[j].stats, &cooked, &sd))
          continue;
        sel[j].usable = servers[j].reach != 0;
        sel[j].stratum = sd.stratum;
        sel[j].leap = sd.leap;
        sel[j].offset = sd.offset;
        sel[j].offset_sd = sd.offset_sd;
        sel[j].frequency = sd.frequency;
        sel[j].skew = sd.skew;
        sel[j].std_dev = sd.std_dev;
        sel[j].root_delay = sd.root_delay;
        sel[j].root_dispersion = sd.root_dispersion;
        sel[j].root_distance = sd.root_distance;
      }
      SEL_SelectSource(&selp, sel, sc->n_servers, previous, i, scores, status, &res);
      if (res.selected < 0) {
        DSC_SetUnsynchronised(&raw);
        previous = -1;
        continue;
      }
      previous = res.selected;
      if (res.selected == sc->never_selected)
        bad_selected++;
      if (!servers[res.selected].new_sample)
        continue;
      memset(&est, 0, sizeof est);
      est.offset = res.offset;
      est.offset_sd = res.offset_sd;
      est.frequency = res.frequency;
      est.skew = res.skew;
      est.root_delay = sel[res.selected].root_delay;
      est.root_dispersion = sel[res.selected].root_dispersion;
      est.stratum = sel[res.selected].stratum;
      est.leap = res.leap;
      est.ref_id = 0x7f000001 + res.selected;
      DSC_Update(&raw, &est, &change);
      n_updates++;
      if (trace)
        printf("  t %8.1f sel %d off %+10.1f us sd %7.1f us freq %+9.3f ppm skew %8.3f ppm"
               " n %2d poll %d | err %+10.1f us ferr %+9.3f ppm dfreq %+9.3f\n",
               t, res.selected, res.offset * 1e6, res.offset_sd * 1e6,
               res.frequency * 1e6, res.skew * 1e6,
               SST_GetNumberOfSamples(servers[res.selected].stats),
               servers[res.selected].poll, DRV_SimError(clk) * 1e6,
               DRV_SimRateError(clk) * 1e6, change.dfreq * 1e6);
      for (j = 0; j < sc->n_servers; j++) {
        SST_SlewSamples(servers[j].stats, &cooked, change.dfreq, change.doffset);
        servers[j].new_sample = 0;
      }
    }

    if (t >= next_metric) {
      next_metric += 1.0;
      /* Against UTC, which moved at the leap */
      err = DRV_SimError(clk) + leaps_by(sc->leap_at, sc->leap, t);
      if (sc->leap_at > 0.0) {
        DSC_GetReferenceParams(&raw, &ref);
        if (fabs(t - (sc->leap_at - 60.0)) < 0.5)
          leap_before = ref.leap;
        if (fabs(t - (sc->leap_at + 60.0)) < 0.5)
          leap_later = ref.leap;
        /* Around the leap the clock is allowed its second */
        if (t >= sc->leap_at - 1.0 && t < sc->leap_at + sc->leap_settle) {
          if (fabs(err) > leap_max)
            leap_max = fabs(err);
          continue;
        }
        if (t >= sc->leap_at + sc->leap_settle && fabs(err) > leap_after)
          leap_after = fabs(err);
      }
      DSC_GetFrequency(&freq_ppm, &skew_ppm);
      ferr = DRV_SimFreqError(clk) - freq_ppm * 1e-6;
      if (sync_time < 0.0 && DSC_IsSynchronised() && fabs(err) <= SYNC_OFFSET &&
          fabs(ferr) <= SYNC_FREQ)
        sync_time = t;
      if (sync_time >= 0.0) {
        for (i = 0; i < sc->n_servers; i++) {
          if (servers[i].poll < min_poll)
            min_poll = servers[i].poll;
          if (servers[i].poll > max_poll)
            max_poll = servers[i].poll;
        }
        if (fabs(err) > max_off)
          max_off = fabs(err);
        sum2_off += err * err;
        sum2_freq += ferr * ferr;
        n_metric++;
      }
    }
  }

  printf("%-24s sync %7.1f s  max %9.1f us  rms %8.1f us  rms freq %8.3f ppm"
         "  steps %d  updates %d\n", sc->name, sync_time,
         max_off * 1e6, n_metric ? sqrt(sum2_off / n_metric) * 1e6 : 0.0,
         n_metric ? sqrt(sum2_freq / n_metric) * 1e6 : 0.0, DRV_SimSteps(clk), n_updates);
  if (sc->leap_at > 0.0)
    printf("%-24s leap: announced %d, after %d; error at -0.5 s %+.6f s, +0.5 s %+.6f s,"
           " max around %.6f s; after %.0f s max %.1f us; kernel leaps %d\n",
           "", leap_before, leap_later, probe_err[0], probe_err[1], leap_max,
           sc->leap_settle, leap_after * 1e6, DRV_SimLeaps(clk));
  if (sc->expect_maxpoll)
    printf("%-24s polls from %d s to %d s after sync\n", "", 1 << min_poll, 1 << max_poll);

  check(sync_time >= 0.0, sc->name, "never synchronised");
  if (sc->max_sync_time > 0.0) {
    snprintf(buf, sizeof buf, "sync time %.1f > %.1f s", sync_time, sc->max_sync_time);
    check(sync_time >= 0.0 && sync_time <= sc->max_sync_time, sc->name, buf);
  }
  if (sc->max_offset > 0.0) {
    snprintf(buf, sizeof buf, "max offset %.1f > %.1f us", max_off * 1e6, sc->max_offset * 1e6);
    check(n_metric > 0 && max_off <= sc->max_offset, sc->name, buf);
  }
  if (sc->max_rms_offset > 0.0) {
    snprintf(buf, sizeof buf, "rms offset > %.1f us", sc->max_rms_offset * 1e6);
    check(n_metric > 0 && sqrt(sum2_off / n_metric) <= sc->max_rms_offset, sc->name, buf);
  }
  if (sc->max_rms_freq > 0.0) {
    snprintf(buf, sizeof buf, "rms freq error > %.3f ppm", sc->max_rms_freq * 1e6);
    check(n_metric > 0 && sqrt(sum2_freq / n_metric) <= sc->max_rms_freq, sc->name, buf);
  }
  if (sc->expect_steps >= 0) {
    snprintf(buf, sizeof buf, "%d steps, expected %d", DRV_SimSteps(clk), sc->expect_steps);
    check(DRV_SimSteps(clk) == sc->expect_steps, sc->name, buf);
  }
  if (sc->never_selected >= 0)
    check(bad_selected == 0, sc->name, "falseticker selected");
  if (sc->leap_at > 0.0) {
    check(leap_before == (sc->leap > 0 ? 1 : 2), sc->name,
          "leap second not announced before it");
    check(leap_later == 0, sc->name, "leap second still announced after it");
    snprintf(buf, sizeof buf, "error %.1f us after the leap", leap_after * 1e6);
    check(leap_after > 0.0 && leap_after <= 1e-3, sc->name, buf);
    /* Never the wrong way: at most the second itself */
    snprintf(buf, sizeof buf, "error %.6f s around the leap", leap_max);
    check(leap_max <= 1.0 + 1e-3, sc->name, buf);
    /* Not a second early, nor late: half a second after the leap the
       clock has jumped (step, system), has slewed half a second's worth
       of its second (slew) or still has all of it (ignore); the second
       is +1 s after an insertion, -1 s after a deletion */
    snprintf(buf, sizeof buf, "error %+.6f s half a second before the leap", probe_err[0]);
    check(n_probe == 2 && fabs(probe_err[0]) <= 1e-3, sc->name, buf);
    switch (sc->leap_mode) {
      case DSC_LEAP_SLEW:
        expected = sc->leap * (1.0 - 0.5 * dp.max_slew_rate * 1e-6);
        tolerance = 0.01;
        break;
      case DSC_LEAP_IGNORE:
        expected = sc->leap;
        tolerance = 1e-3;
        break;
      default:
        expected = 0.0;
        tolerance = 1e-3;
        break;
    }
    snprintf(buf, sizeof buf, "error %+.6f s half a second after the leap, expected %+.6f",
             probe_err[1], expected);
    check(n_probe == 2 && fabs(probe_err[1] - expected) <= tolerance, sc->name, buf);
    snprintf(buf, sizeof buf, "%d kernel leaps", DRV_SimLeaps(clk));
    check(DRV_SimLeaps(clk) == (sc->leap_mode == DSC_LEAP_SYSTEM), sc->name, buf);
  }
  if (sc->expect_maxpoll) {
    snprintf(buf, sizeof buf, "polls %d..%d, expected up to %d", min_poll, max_poll,
             sc->expect_maxpoll);
    check(max_poll == sc->expect_maxpoll && min_poll == sc->minpoll, sc->name, buf);
  }

  for (i = 0; i < sc->n_servers; i++)
    SST_DeleteInstance(servers[i].stats);
  DSC_Finalise();
  DRV_DestroySimDriver(clk);
}

static ServerConf
good_server(double delay, double jitter)
{
  ServerConf c;

  memset(&c, 0, sizeof c);
  c.delay = delay;
  c.jitter = jitter;
  return c;
}

static Scenario
base_scenario(const char *name)
{
  Scenario sc;

  memset(&sc, 0, sizeof sc);
  sc.name = name;
  sc.n_servers = 1;
  sc.servers[0] = good_server(100e-6, 100e-6);
  sc.freq_error = 100e-6;
  sc.wander = 1e-9;
  sc.start_offset = 0.1;
  sc.duration = 10000.0;
  sc.minpoll = 4;
  sc.maxpoll = 6;
  sc.seed = 1;
  sc.expect_steps = 0;
  sc.never_selected = -1;
  return sc;
}

/* Three servers that apply a leap second at the end of 2016-12-31 UTC,
   two hours after the start: leap +1 inserts 23:59:60 (UTC falls back
   at 00:00:00), -1 deletes 23:59:59 (UTC jumps from 23:59:59 to
   00:00:00, a second earlier) */
static Scenario
leap_scenario(const char *name, int leap, int mode, uint64_t seed)
{
  Scenario sc = base_scenario(name);
  int i;

  sc.n_servers = 3;
  sc.servers[0] = good_server(100e-6, 100e-6);
  sc.servers[1] = good_server(200e-6, 100e-6);
  sc.servers[2] = good_server(300e-6, 200e-6);
  sc.epoch = 1483228800 - 7200;
  sc.leap_at = leap > 0 ? 7200.0 : 7199.0;
  sc.leap = leap;
  for (i = 0; i < sc.n_servers; i++) {
    sc.servers[i].leap_at = sc.leap_at;
    sc.servers[i].leap = leap;
  }
  sc.leap_mode = mode;
  sc.duration = 14400.0;
  sc.seed = seed;
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  return sc;
}

/* leapsectz/leapseclist contents with the leap second of leap_scenario:
   TAI-UTC goes up by one for an insertion, down by one for a deletion */
static LSC_Entry insert_entries[] = { {1435708800, 36}, {1483228800, 37} };
static LSC_Entry delete_entries[] = { {1467331200, 36}, {1483228800, 35} };
static const LSC_Table insert_table = { 2, insert_entries, 0 };
static const LSC_Table delete_table = { 2, delete_entries, 0 };

static Scenario
table_scenario(const char *name, int leap, int mode, uint64_t seed)
{
  Scenario sc = leap_scenario(name, leap, mode, seed);
  int i;

  for (i = 0; i < sc.n_servers; i++)
    sc.servers[i].leap_unannounced = 1;
  sc.leap_table = leap > 0 ? &insert_table : &delete_table;
  sc.leap_settle = 2.0;
  return sc;
}

int
main(int argc, char **argv)
{
  Scenario sc;

  trace = argc > 1 && !strcmp(argv[1], "-v");

  sc = base_scenario("baseline");
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  run(&sc);

  sc = base_scenario("3 good + 1 falseticker");
  sc.n_servers = 4;
  sc.servers[0] = good_server(100e-6, 100e-6);
  sc.servers[1] = good_server(300e-6, 200e-6);
  sc.servers[2] = good_server(1e-3, 300e-6);
  sc.servers[3] = good_server(200e-6, 100e-6);
  sc.servers[3].offset = 0.05;
  sc.never_selected = 3;
  sc.seed = 2;
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  run(&sc);

  sc = base_scenario("4 sources, one dies");
  sc.n_servers = 4;
  sc.servers[0] = good_server(100e-6, 100e-6);
  sc.servers[0].die_time = 3000.0;
  sc.servers[1] = good_server(200e-6, 100e-6);
  sc.servers[2] = good_server(300e-6, 200e-6);
  sc.servers[3] = good_server(500e-6, 200e-6);
  sc.seed = 3;
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  run(&sc);

  sc = base_scenario("10 ms jitter");
  sc.servers[0] = good_server(1e-3, 10e-3);
  sc.seed = 4;
  run(&sc);

  sc = base_scenario("5 s offset, makestep 1 3");
  sc.start_offset = 5.0;
  sc.makestep_threshold = 1.0;
  sc.makestep_limit = 3;
  sc.expect_steps = 1;
  sc.seed = 5;
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  run(&sc);

  sc = base_scenario("loss, spikes, asymmetry");
  sc.servers[0].loss = 0.2;
  sc.servers[0].spike_prob = 0.1;
  sc.servers[0].spike = 0.05;
  sc.servers[0].asymmetry = 100e-6;
  sc.seed = 6;
  run(&sc);

  /* 2016-12-31, two hours before the last leap second so far */
  sc = leap_scenario("leap second, step", 1, DSC_LEAP_STEP, 7);
  sc.leap_settle = 2.0;
  sc.expect_steps = 1;
  run(&sc);

  sc = leap_scenario("leap second, slew", 1, DSC_LEAP_SLEW, 8);
  /* 1 s at maxslewrate 83333 ppm: 12 s */
  sc.leap_settle = 15.0;
  run(&sc);

  sc = leap_scenario("leap second, system", 1, DSC_LEAP_SYSTEM, 9);
  sc.leap_settle = 2.0;
  run(&sc);

  sc = leap_scenario("leap second, ignore", 1, DSC_LEAP_IGNORE, 10);
  /* The sources see the second as an offset once their history restarts */
  sc.leap_settle = 300.0;
  run(&sc);

  /* The same with a deleted second, which has never happened: the clock
     must go forward, at 23:59:59 */
  sc = leap_scenario("leap deletion, step", -1, DSC_LEAP_STEP, 12);
  sc.leap_settle = 2.0;
  sc.expect_steps = 1;
  run(&sc);

  sc = leap_scenario("leap deletion, slew", -1, DSC_LEAP_SLEW, 13);
  sc.leap_settle = 15.0;
  run(&sc);

  sc = leap_scenario("leap deletion, system", -1, DSC_LEAP_SYSTEM, 14);
  sc.leap_settle = 2.0;
  run(&sc);

  sc = leap_scenario("leap deletion, ignore", -1, DSC_LEAP_IGNORE, 15);
  sc.leap_settle = 300.0;
  run(&sc);

  /* Sources that do not announce it (reference clocks without the
     information): the leap second comes from the table alone */
  sc = table_scenario("table insertion, system", 1, DSC_LEAP_SYSTEM, 16);
  run(&sc);
  sc = table_scenario("table deletion, system", -1, DSC_LEAP_SYSTEM, 17);
  run(&sc);

  sc = base_scenario("polls 16 s to 1024 s");
  sc.n_servers = 2;
  sc.servers[0] = good_server(100e-6, 100e-6);
  sc.servers[1] = good_server(300e-6, 200e-6);
  sc.minpoll = 4;
  sc.maxpoll = 10;
  sc.duration = 86400.0;
  sc.expect_maxpoll = 10;
  sc.seed = 11;
  sc.max_sync_time = 210.0;
  sc.max_offset = 1e-3;
  sc.max_rms_offset = 300e-6;
  sc.max_rms_freq = 1e-5;
  run(&sc);

  printf("RESULT %d %d\n", passed, failed);
  return failed ? 1 : 0;
}
