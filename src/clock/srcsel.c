/*
  ntsd - source selection and clock updates

  The statistics of a source live here, keyed by its registry instance,
  so that the registry stays a plain store.  Selection runs over the
  registry's sources in its order; the selected source is remembered by
  instance, as indices shift when sources come and go.

  Times: samples, selection and the statistics use cooked time (what we
  believe is correct); the discipline itself takes the raw time of the
  clock it drives.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "driftfile.h"
#include "leapsec.h"
#include "logging.h"
#include "memory.h"
#include "ntp_sources.h"
#include "reference.h"
#include "sched.h"
#include "select.h"
#include "srcsel.h"

/* Before the first selection, chronyd waits for sources that answered
   but are not selectable yet, until a selectable one has been polled
   this many times (the size of the reachability register) */
#define WAIT_SAMPLES 8
/* chronyd's drift file interval when none is configured */
#define DEFAULT_DRIFT_INTERVAL 3600
/* Selection also runs this often without new samples, so that sources
   that stopped answering are dropped and the reference with them */
#define RESELECT_INTERVAL 16.0

typedef struct {
  SRC_Instance src;
  SST_Instance stats;
  int options;                 /* SEL_OPT_* */
  int n_received;              /* samples ever, for the start-up wait */
  int new_sample;              /* since the last clock update */
  SSL_SourceState state;
} Entry;

static int initialised;
static int once;                /* -q/-Q: statistics, one selection at the end */
static Entry *entries;
static int n_entries;
static SRC_Instance selected;
static SEL_Params sel_params;
static const char *unsync_reason;
static int virtual_clock;       /* the driver never changes the clock */
static int have_frequency;     /* known: from the drift file or an update */
static SCH_TimeoutID tick_id, drift_id, reselect_id;
static LSC_Table leap_table;    /* leapseclist or leapsectz; n 0: none */

static int select_sources(SRC_Instance updated, SEL_Result *res);

/* ---- per-source statistics ---- */

static int
find_entry(SRC_Instance src)
{
  int i;

  for (i = 0; i < n_entries; i++)
    if (entries[i].src == src)
      return i;
  return -1;
}

static void
set_initial_state(Entry *e)
{
  memset(&e->state, 0, sizeof e->state);
  e->state.state = SEL_UNUSABLE;
  e->state.select_state = 'M';
  e->state.options = e->options;
  e->state.leap = 3;
  /* chronyd's score of a new source */
  e->state.score = 1.0;
}

int
SSL_ConfOptions(const CNF_Source *conf)
{
  if (!conf)
    return 0;
  return (conf->prefer ? SEL_OPT_PREFER : 0) | (conf->noselect ? SEL_OPT_NOSELECT : 0) |
         (conf->trust ? SEL_OPT_TRUST : 0) | (conf->require ? SEL_OPT_REQUIRE : 0);
}

static int
add_entry(SRC_Instance src, const CNF_Source *conf)
{
  SST_Params p;
  Entry *e;

  SST_DefaultParams(&p);
  p.max_clock_error = CNF_Get()->max_clock_error * 1e-6;
  if (conf) {
    if (conf->minsamples >= 0)
      p.min_samples = conf->minsamples;
    if (conf->maxsamples > 0)
      p.max_samples = conf->maxsamples;
    p.max_delay = conf->maxdelay;
    p.max_delay_ratio = conf->maxdelayratio;
    p.max_delay_dev_ratio = conf->maxdelaydevratio;
  }

  entries = ReallocArray(Entry, n_entries + 1, entries);
  e = &entries[n_entries];
  memset(e, 0, sizeof *e);
  e->src = src;
  e->stats = SST_CreateInstance(&p);
  e->options = SSL_ConfOptions(conf);
  set_initial_state(e);
  return n_entries++;
}

void
SSL_RemoveSource(SRC_Instance src)
{
  int i = find_entry(src);

  if (i < 0)
    return;
  SST_DeleteInstance(entries[i].stats);
  memmove(&entries[i], &entries[i + 1], (n_entries - i - 1) * sizeof entries[0]);
  n_entries--;
  if (selected == src)
    selected = NULL;
}

void
SSL_ResetSources(void)
{
  int i;

  for (i = 0; i < n_entries; i++) {
    SST_ResetInstance(entries[i].stats);
    entries[i].n_received = 0;
    entries[i].new_sample = 0;
    /* Without samples the old '*' and '+' would be stale until the next
       selection; show what a new source shows, as chronyd does */
    set_initial_state(&entries[i]);
  }
  selected = NULL;
}

int
SSL_AccumulateSample(SRC_Instance src, const CNF_Source *conf, const SRC_Sample *sample)
{
  int i, failed;

  if (!initialised)
    return SST_GOOD;
  i = find_entry(src);
  if (i < 0)
    i = add_entry(src, conf);
  entries[i].n_received++;

  failed = SST_CheckSample(entries[i].stats, sample);
  if (failed != SST_GOOD) {
    DEBUG_LOG("Sample of source %d failed delay tests %#x", i, (unsigned int)failed);
    return failed;
  }
  /* As chronyd: a measurement around a leap second may have one end on
     either side of it */
  if (DSC_IsLeapSecondClose(&sample->time)) {
    DEBUG_LOG("Dropped sample of source %d around a leap second", i);
    return SST_GOOD;
  }
  SST_AccumulateSample(entries[i].stats, sample);
  SST_DoNewRegression(entries[i].stats);
  entries[i].new_sample = 1;
  /* -q/-Q selects once, over all the samples taken */
  if (!once)
    select_sources(src, NULL);
  return SST_GOOD;
}

int
SSL_CheckSample(SRC_Instance src, const SRC_Sample *sample)
{
  int i = initialised ? find_entry(src) : -1;

  return i >= 0 ? SST_CheckSample(entries[i].stats, sample) : SST_GOOD;
}

/* ---- the clock ---- */

static void tick(void *arg);

/* The discipline wants a call when a slew ends */
static void
schedule_tick(void)
{
  struct timespec when, raw;
  double delay;

  SCH_RemoveTimeout(tick_id);
  tick_id = 0;
  if (!DSC_GetNextEvent(&when))
    return;
  clock_gettime(CLOCK_REALTIME, &raw);
  delay = UTI_DiffTimespecsToDouble(&when, &raw);
  tick_id = SCH_AddTimeout(delay > 0.0 ? delay : 0.0, tick, NULL);
}

static void
tick(void *arg)
{
  struct timespec raw;

  tick_id = 0;
  clock_gettime(CLOCK_REALTIME, &raw);
  if (DSC_Tick(&raw) & DSC_TICK_RESET) {
    LOG(LOGS_INFO, "Leap second left to the sources, their statistics reset");
    SSL_ResetSources();
  }
  schedule_tick();
}

/* The reference id the source sees for us: as chronyd, that of our own
   address towards it, so that of two orphans at the same stratum only
   one takes the other as its root.  Before the first request, the local
   reference's id: no address compares above it but 127.127.x.x. */
static uint32_t
local_ref_id_of(const IPAddr *ip)
{
  NCL_NtpData data;

  if (ip->family != AF_UNSPEC && NCS_GetNtpDataByAddress(ip, &data) &&
      data.local_addr.family != AF_UNSPEC)
    return UTI_IPToRefid(&data.local_addr);
  return SEL_LOCAL_REF_ID;
}

static void
lose_reference(const struct timespec *raw, const char *reason)
{
  if (selected || !unsync_reason || strcmp(reason, unsync_reason) != 0)
    LOG(LOGS_INFO, "Can't synchronise: %s", reason);
  unsync_reason = reason;
  if (selected || DSC_IsSynchronised())
    DSC_SetUnsynchronised(raw);
  selected = NULL;
}

static void
update_clock(const struct timespec *raw, const struct timespec *cooked,
             const SEL_Result *res, const SEL_Source *s, const SRC_Report *rep)
{
  DSC_Estimate est;
  DSC_Change change;
  DSC_Status status;
  int i;

  memset(&est, 0, sizeof est);
  est.offset = res->offset;
  est.offset_sd = res->offset_sd;
  est.frequency = res->frequency;
  est.skew = res->skew;
  est.root_delay = s->root_delay;
  est.root_dispersion = s->root_dispersion;
  est.stratum = s->stratum;
  est.leap = res->leap;
  est.ref_id = UTI_IPToRefid(&rep->ip);
  est.ref_ip = rep->ip;

  status = DSC_Update(raw, &est, &change);
  if (status == DSC_EXIT || status == DSC_IGNORED) {
    /* chronyd's message and sign (the correction, -offset) */
    LOG(LOGS_WARN, "Adjustment of %.3f seconds exceeds the allowed maximum of %.3f seconds (%s)",
        -res->offset, CNF_Get()->maxchange_offset, status == DSC_EXIT ? "exiting" : "ignored");
    if (status == DSC_EXIT)
      SCH_QuitProgram();
    /* The same samples must not count against the allowance again */
    for (i = 0; i < n_entries; i++)
      entries[i].new_sample = 0;
    return;
  }
  /* (the Linux driver says so itself); positive: we were behind */
  if (status == DSC_STEPPED && virtual_clock)
    LOG(LOGS_WARN, "System clock wrong by %.6f seconds, adjustment started", res->offset);
  have_frequency = 1;

  /* Every history must read as if the new correction had always applied */
  for (i = 0; i < n_entries; i++) {
    SST_SlewSamples(entries[i].stats, cooked, change.dfreq, change.doffset);
    entries[i].new_sample = 0;
  }
  schedule_tick();
}

/* selectdata's letter for a source that select.c left unusable */
static char
unusable_letter(const Entry *e, const SEL_Source *s, int reachable)
{
  if (e->options & SEL_OPT_NOSELECT)
    return 'N';
  if (SST_GetNumberOfSamples(e->stats) == 0)
    return 'M';
  if (s->leap == 3)
    return 's';
  if (!reachable)
    return 'S';
  if (s->root_distance > sel_params.max_distance)
    return 'd';
  return 'N';
}

/* Keep the outcome for the reports */
static void
record_states(int n, const int *map, const SEL_Source *sel, const char *status,
              const int *reach, const double *scores, int waiting)
{
  SSL_SourceState *st;
  int i, any_prefer = 0;

  for (i = 0; i < n; i++)
    if (map[i] >= 0 && (status[i] == SEL_SELECTED || status[i] == SEL_COMBINED) &&
        (sel[i].options & SEL_OPT_PREFER))
      any_prefer = 1;

  for (i = 0; i < n; i++) {
    if (map[i] < 0)
      continue;
    st = &entries[map[i]].state;
    st->options = entries[map[i]].options;
    st->state = waiting ? SEL_UNUSABLE : status[i];
    st->leap = sel[i].leap;
    st->lo_limit = -sel[i].offset - sel[i].root_distance;
    st->hi_limit = -sel[i].offset + sel[i].root_distance;
    st->score = scores[i];
    if (!sel[i].usable || (!waiting && status[i] == SEL_UNUSABLE)) {
      st->select_state = unusable_letter(&entries[map[i]], &sel[i], reach[i]);
      st->state = SEL_UNUSABLE;
    } else if (waiting) {
      st->select_state = 'w';
    } else if (status[i] == SEL_ORPHAN) {
      st->select_state = 'O';
      st->state = SEL_UNUSABLE;
    } else if (status[i] == SEL_NOT_COMBINED) {
      st->select_state = any_prefer && !(sel[i].options & SEL_OPT_PREFER) ? 'P' : 'D';
    } else {
      st->select_state = status[i];
    }
  }
}

/* The clock as it reads (what the discipline's calls take) and as it
   should read (what the reference time and the log use) */
static void
read_clock(struct timespec *raw, struct timespec *cooked)
{
  clock_gettime(CLOCK_REALTIME, raw);
  DSC_CookTime(raw, cooked);
}

/* Select the sources; updated is the one with a new sample, or NULL.
   Returns 1 with a source selected, its estimate combined with the others
   in *res (when not NULL).  In -q/-Q mode the clock is left alone. */
static int
select_sources(SRC_Instance updated, SEL_Result *out)
{
  struct timespec raw, cooked;
  SST_SelectionData sd;
  SEL_Source *sel;
  SEL_Result res;
  SRC_Report rep;
  SRC_Instance src;
  int *map, *reach;
  double *scores;
  char *status;
  int i, n, have, previous = -1, updated_index = -1, waiting = 0, ready = 0, ok = 0;

  read_clock(&raw, &cooked);
  /* `local` may change at run time (chronyc local) */
  sel_params.orphan_stratum = REF_GetOrphanStratum();
  n = SRC_GetNumberOfSources();
  if (n == 0) {
    lose_reference(&raw, "no sources");
    return 0;
  }

  sel = MallocArray(SEL_Source, n);
  map = MallocArray(int, n);
  reach = MallocArray(int, n);
  scores = MallocArray(double, n);
  status = Malloc(n);
  for (i = 0; i < n; i++) {
    src = SRC_GetSourceByIndex(i);
    SRC_GetReport(src, &rep);
    reach[i] = rep.reachability != 0;
    map[i] = find_entry(src);
    scores[i] = map[i] >= 0 ? entries[map[i]].state.score : 1.0;
    if (src == updated)
      updated_index = i;
    memset(&sel[i], 0, sizeof sel[i]);
    sel[i].leap = 3;
    status[i] = SEL_UNUSABLE;
    have = map[i] >= 0 && SST_GetSelectionData(entries[map[i]].stats, &cooked, &sd);
    if (map[i] >= 0)
      sel[i].options = entries[map[i]].options;
    if (src == selected && map[i] >= 0)
      previous = i;
    if (sel_params.orphan_stratum > 0) {
      sel[i].ref_id = UTI_IPToRefid(&rep.ip);
      sel[i].local_ref_id = local_ref_id_of(&rep.ip);
    }
    /* -q/-Q: the last reply of a source that is done may not be in its
       register yet, but statistics mean it answered */
    if (once)
      reach[i] = have;
    if (have) {
      sel[i].usable = reach[i];
      sel[i].stratum = sd.stratum;
      sel[i].leap = sd.leap;
      sel[i].offset = sd.offset;
      sel[i].offset_sd = sd.offset_sd;
      sel[i].frequency = sd.frequency;
      sel[i].skew = sd.skew;
      sel[i].std_dev = sd.std_dev;
      sel[i].root_delay = sd.root_delay;
      sel[i].root_dispersion = sd.root_dispersion;
      sel[i].root_distance = sd.root_distance;
    }
    /* Answered, but the register or the statistics do not show it yet:
       at start-up, the first source to answer could be a falseticker */
    if (have != reach[i] && !(sel[i].options & SEL_OPT_NOSELECT))
      waiting++;
    if (have && reach[i] && entries[map[i]].n_received >= WAIT_SAMPLES)
      ready++;
  }

  /* -q/-Q selects when every source is done: nothing more to wait for */
  if (previous < 0 && waiting > 0 && ready == 0 && !once) {
    record_states(n, map, sel, status, reach, scores, 1);
    goto out;
  }

  SEL_SelectSource(&sel_params, sel, n, previous, updated_index, scores, status, &res);
  record_states(n, map, sel, status, reach, scores, 0);
  if (res.selected < 0) {
    lose_reference(&raw, res.reason ? res.reason : "no selectable sources");
    goto out;
  }
  ok = 1;
  if (out)
    *out = res;
  /* chronyd's -q/-Q reports the estimate and logs no selection */
  if (once)
    goto out;

  src = SRC_GetSourceByIndex(res.selected);
  SRC_GetReport(src, &rep);
  if (src != selected) {
    if (strcmp(rep.name, UTI_IPToString(&rep.ip)) != 0)
      LOG(LOGS_INFO, "Selected source %s (%s)", UTI_IPToString(&rep.ip), rep.name);
    else
      LOG(LOGS_INFO, "Selected source %s", rep.name);
    selected = src;
    unsync_reason = NULL;
  }
  /* Only a new measurement of the selected source moves the clock */
  if (entries[map[res.selected]].new_sample)
    update_clock(&raw, &cooked, &res, &sel[res.selected], &rep);

out:
  Free(sel);
  Free(map);
  Free(reach);
  Free(scores);
  Free(status);
  return ok;
}

static void
reselect(void *arg)
{
  reselect_id = SCH_AddTimeout(RESELECT_INTERVAL, reselect, NULL);
  if (n_entries > 0)
    select_sources(NULL, NULL);
}

/* ---- drift file ---- */

static void
save_drift(void)
{
  const char *path = CNF_Get()->driftfile;
  double freq, skew;

  if (!path || !have_frequency)
    return;
  DSC_GetFrequency(&freq, &skew);
  DRF_Save(path, freq, skew);
}

static void
drift_timeout(void *arg)
{
  int interval = CNF_Get()->driftfile_interval;

  save_drift();
  drift_id = SCH_AddTimeout(interval > 0 ? interval : DEFAULT_DRIFT_INTERVAL,
                            drift_timeout, NULL);
}

/* ---- leap second table ---- */

static void
load_leap_table(void)
{
  const CNF_Config *c = CNF_Get();
  char path[512], err[640];
  const char *what;
  time_t now = time(NULL);
  int ok, tai_offset;

  memset(&leap_table, 0, sizeof leap_table);
  /* leapseclist wins when both are given: it says when it expires */
  if (c->leapseclist) {
    what = c->leapseclist;
    ok = LSC_LoadFile(c->leapseclist, LSC_FORMAT_LIST, &leap_table, err, sizeof err);
    if (c->leapsectz)
      LOG(LOGS_WARN, "Both leapseclist and leapsectz given, using %s", c->leapseclist);
  } else if (c->leapsectz) {
    what = c->leapsectz;
    if (!LSC_ZonePath(c->leapsectz, path, sizeof path)) {
      LOG(LOGS_ERR, "Invalid leapsectz zone name %s, ignoring it", c->leapsectz);
      return;
    }
    ok = LSC_LoadFile(path, LSC_FORMAT_TZIF, &leap_table, err, sizeof err);
  } else {
    return;
  }
  /* Not fatal: the sources still announce leap seconds, as with chronyd
     when its leapsectz check fails */
  if (!ok) {
    LOG(LOGS_ERR, "Could not load leap seconds from %s, ignoring it", err);
    return;
  }
  if (!LSC_CheckKnownLeaps(&leap_table)) {
    LOG(LOGS_ERR, "%s failed the leap second check, ignoring it", what);
    LSC_Free(&leap_table);
    return;
  }
  if (leap_table.expiry && leap_table.expiry < now)
    LOG(LOGS_WARN, "Leap second list %s expired, only past leap seconds are known", what);
  /* The table's last entry may be a leap second still to come */
  LSC_GetLeap(&leap_table, now, &tai_offset);
  LOG(LOGS_INFO, "Loaded %d leap seconds from %s, TAI-UTC now %d s", leap_table.n, what,
      tai_offset);
}

/* ---- start and end ---- */

static void
set_selection_params(void)
{
  const CNF_Config *c = CNF_Get();

  SEL_DefaultParams(&sel_params);
  sel_params.min_sources = c->min_sources;
  sel_params.max_distance = c->max_distance;
  sel_params.max_jitter = c->max_jitter;
  sel_params.reselect_dist = c->reselect_dist;
  sel_params.stratum_weight = c->stratum_weight;
  sel_params.combine_limit = c->combine_limit;
  sel_params.max_clock_error = c->max_clock_error * 1e-6;
  sel_params.orphan_stratum = REF_GetOrphanStratum();
}

void
SSL_InitialiseOnce(void)
{
  set_selection_params();
  initialised = 1;
  once = 1;
  selected = NULL;
  unsync_reason = NULL;
}

int
SSL_SelectOnce(double *offset)
{
  SEL_Result res;

  if (!initialised || !select_sources(NULL, &res))
    return 0;
  *offset = res.offset;
  return 1;
}

void
SSL_Initialise(DSC_Driver *driver)
{
  const CNF_Config *c = CNF_Get();
  struct timespec raw;
  DSC_Params dp;
  double freq, skew;

  DSC_DefaultParams(&dp);
  dp.corr_time_ratio = c->corr_time_ratio;
  dp.max_slew_rate = c->max_slew_rate;
  dp.max_update_skew = c->max_update_skew;
  dp.max_drift = c->max_drift;
  dp.max_clock_error = c->max_clock_error;
  dp.makestep_threshold = c->makestep_threshold;
  dp.makestep_limit = c->makestep_limit;
  if (c->maxchange) {
    dp.maxchange_offset = c->maxchange_offset;
    dp.maxchange_start = c->maxchange_start;
    dp.maxchange_ignore = c->maxchange_ignore;
  }
  /* conf.h and discipline.h list the modes in the same order */
  dp.leap_mode = (DSC_LeapMode)c->leapsecmode;
  load_leap_table();
  dp.leap_table = leap_table.n > 0 ? &leap_table : NULL;
  have_frequency = 0;
  if (c->driftfile && DRF_Load(c->driftfile, c->max_drift, &freq, &skew)) {
    dp.initial_frequency = freq;
    dp.initial_skew = skew;
    have_frequency = 1;
  }

  set_selection_params();

  clock_gettime(CLOCK_REALTIME, &raw);
  DSC_Initialise(&dp, driver, &raw);
  virtual_clock = driver->get_virtual_offset != NULL;
  LOG(LOGS_INFO, "Clock driver %s%s", driver->name,
      virtual_clock ? " (the system clock is not changed)" : "");

  initialised = 1;
  selected = NULL;
  unsync_reason = NULL;
  reselect_id = SCH_AddTimeout(RESELECT_INTERVAL, reselect, NULL);
  if (c->driftfile)
    drift_id = SCH_AddTimeout(c->driftfile_interval > 0 ? c->driftfile_interval :
                              DEFAULT_DRIFT_INTERVAL, drift_timeout, NULL);
}

void
SSL_Finalise(void)
{
  if (!initialised)
    return;
  save_drift();
  SCH_RemoveTimeout(tick_id);
  SCH_RemoveTimeout(drift_id);
  SCH_RemoveTimeout(reselect_id);
  tick_id = drift_id = reselect_id = 0;
  while (n_entries > 0)
    SSL_RemoveSource(entries[n_entries - 1].src);
  Free(entries);
  entries = NULL;
  DSC_Finalise();
  LSC_Free(&leap_table);
  initialised = 0;
  once = 0;
}

/* ---- commands ---- */

/* The clock's correction changed outside an update: every history must
   read as if it had always applied, as after an update */
static void
apply_change(const struct timespec *cooked, const DSC_Change *change)
{
  int i;

  for (i = 0; i < n_entries; i++)
    SST_SlewSamples(entries[i].stats, cooked, change->dfreq, change->doffset);
  schedule_tick();
}

int
SSL_MakeStep(void)
{
  struct timespec raw;
  double step;

  /* Without the discipline (only in unit tests: the daemon starts it
     before the command socket is served) no correction is pending, and
     chronyd's step of zero succeeds */
  if (!initialised)
    return 1;
  clock_gettime(CLOCK_REALTIME, &raw);
  if (!DSC_MakeStep(&raw, &step))
    return 0;
  /* chronyd's message; the cooked time, and so the histories, stay */
  LOG(LOGS_WARN, "System clock was stepped by %.6f seconds%s", step,
      virtual_clock ? " (not applied to the system clock)" : "");
  schedule_tick();
  return 1;
}

int
SSL_ModifyMakeStep(double threshold, int limit)
{
  if (!initialised)
    return 0;
  DSC_SetMakeStep(threshold, limit);
  return 1;
}

int
SSL_ModifyMaxUpdateSkew(double skew_ppm)
{
  if (!initialised)
    return 0;
  DSC_SetMaxUpdateSkew(skew_ppm);
  return 1;
}

int
SSL_AccumulateDeltaFrequency(double dfreq_ppm)
{
  struct timespec raw, cooked;
  DSC_Change change;

  if (!initialised)
    return 0;
  read_clock(&raw, &cooked);
  DSC_AccumulateDeltaFrequency(&raw, dfreq_ppm, &change);
  apply_change(&cooked, &change);
  have_frequency = 1;
  LOG(LOGS_INFO, "Accumulated delta freq of %.3fppm", dfreq_ppm);
  return 1;
}

int
SSL_AccumulateOffset(double offset)
{
  struct timespec raw, cooked;
  DSC_Change change;

  if (!initialised)
    return 0;
  read_clock(&raw, &cooked);
  DSC_AccumulateOffset(&raw, offset, &change);
  apply_change(&cooked, &change);
  LOG(LOGS_INFO, "Accumulated delta offset of %.6f seconds", offset);
  return 1;
}

void
SSL_Reselect(void)
{
  if (!initialised)
    return;
  /* As chronyd's reselect: the best source wins, without the hysteresis
     that favours the current one */
  selected = NULL;
  if (n_entries > 0)
    select_sources(NULL, NULL);
}

void
SSL_SetReselectDistance(double distance)
{
  if (sel_params.reselect_dist != distance)
    LOG(LOGS_INFO, "New reselect distance %f", distance);
  sel_params.reselect_dist = distance;
}

/* ---- reports ---- */

int
SSL_GetSourceState(SRC_Instance src, const struct timespec *now, SSL_SourceState *state)
{
  SST_SelectionData sd;
  int i = find_entry(src);

  if (i < 0)
    return 0;
  *state = entries[i].state;
  state->last_sample_ago = -1.0;
  if (now && SST_GetSelectionData(entries[i].stats, now, &sd))
    state->last_sample_ago = sd.last_sample_ago > 0.0 ? sd.last_sample_ago : 0.0;
  return 1;
}

int
SSL_GetSourceStats(SRC_Instance src, SST_Report *report)
{
  int i = find_entry(src);

  if (i < 0)
    return 0;
  SST_GetReport(entries[i].stats, report);
  return 1;
}
