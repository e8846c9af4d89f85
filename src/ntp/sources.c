/*
  ntsd - the source registry

  Samples are kept in a ring per source, the memory allocated once when
  the source is created.
*/
#include "config.h"

#include <string.h>

#include "memory.h"
#include "sources.h"
#include "srcsel.h"

struct SRC_Record {
  char *name;
  IPAddr ip;
  uint16_t port;
  int poll;
  const CNF_Source *conf;
  unsigned int reachability;
  int max_samples;
  int n_samples;
  int first;                   /* ring index of the oldest sample */
  SRC_Sample *samples;
};

static SRC_Instance *sources;
static int n_sources;

SRC_Instance
SRC_CreateSource(const char *name, int max_samples)
{
  SRC_Instance inst = MallocNew(struct SRC_Record);

  memset(inst, 0, sizeof *inst);
  inst->name = Strdup(name);
  inst->ip.family = AF_UNSPEC;
  if (max_samples <= 0)
    max_samples = SRC_DEFAULT_MAX_SAMPLES;
  if (max_samples > SRC_MAX_SAMPLES)
    max_samples = SRC_MAX_SAMPLES;
  inst->max_samples = max_samples;
  inst->samples = MallocArray(SRC_Sample, max_samples);

  sources = ReallocArray(SRC_Instance, n_sources + 1, sources);
  sources[n_sources++] = inst;
  return inst;
}

void
SRC_DestroySource(SRC_Instance inst)
{
  int i;

  /* The statistics kept for the discipline go with the source */
  SSL_RemoveSource(inst);
  for (i = 0; i < n_sources; i++) {
    if (sources[i] == inst) {
      memmove(&sources[i], &sources[i + 1], (n_sources - i - 1) * sizeof sources[0]);
      n_sources--;
      break;
    }
  }
  Free(inst->samples);
  Free(inst->name);
  Free(inst);
}

void
SRC_Finalise(void)
{
  while (n_sources > 0)
    SRC_DestroySource(sources[n_sources - 1]);
  Free(sources);
  sources = NULL;
}

void
SRC_SetAddress(SRC_Instance inst, const IPAddr *ip, uint16_t port)
{
  inst->ip = *ip;
  inst->port = port;
}

void
SRC_SetPoll(SRC_Instance inst, int poll)
{
  inst->poll = poll;
}

void
SRC_SetConf(SRC_Instance inst, const CNF_Source *conf)
{
  inst->conf = conf;
}

const CNF_Source *
SRC_GetConf(SRC_Instance inst)
{
  return inst->conf;
}

void
SRC_AccumulateSample(SRC_Instance inst, const SRC_Sample *sample)
{
  if (inst->n_samples < inst->max_samples) {
    inst->samples[(inst->first + inst->n_samples) % inst->max_samples] = *sample;
    inst->n_samples++;
  } else {
    inst->samples[inst->first] = *sample;
    inst->first = (inst->first + 1) % inst->max_samples;
  }
}

void
SRC_UpdateReachability(SRC_Instance inst, int reachable)
{
  inst->reachability = ((inst->reachability << 1) | !!reachable) & 0xff;
}

static void
reset_instance(SRC_Instance inst)
{
  inst->reachability = 0;
  inst->n_samples = 0;
  inst->first = 0;
}

void
SRC_ResetInstance(SRC_Instance inst)
{
  reset_instance(inst);
  /* A new server: the discipline's statistics of the old one must go */
  SSL_RemoveSource(inst);
}

void
SRC_ResetSources(void)
{
  int i;

  for (i = 0; i < n_sources; i++)
    reset_instance(sources[i]);
  SSL_ResetSources();
}

double
SRC_RootDistance(const SRC_Sample *sample)
{
  return sample->root_delay / 2.0 + sample->root_dispersion;
}

int
SRC_GetNumberOfSources(void)
{
  return n_sources;
}

SRC_Instance
SRC_GetSourceByIndex(int index)
{
  return index >= 0 && index < n_sources ? sources[index] : NULL;
}

int
SRC_GetNumberOfSamples(SRC_Instance inst)
{
  return inst->n_samples;
}

int
SRC_GetSample(SRC_Instance inst, int i, SRC_Sample *sample)
{
  if (i < 0 || i >= inst->n_samples)
    return 0;
  *sample = inst->samples[(inst->first + i) % inst->max_samples];
  return 1;
}

void
SRC_GetReport(SRC_Instance inst, SRC_Report *report)
{
  SRC_Sample last;

  memset(report, 0, sizeof *report);
  report->name = inst->name;
  report->ip = inst->ip;
  report->port = inst->port;
  report->poll = inst->poll;
  report->reachability = (int)inst->reachability;
  report->n_samples = inst->n_samples;
  if (SRC_GetSample(inst, inst->n_samples - 1, &last)) {
    report->stratum = last.stratum;
    report->last_sample_time = last.time;
  }
}

int
SRC_GetBestSample(SRC_Instance inst, SRC_Sample *sample)
{
  SRC_Sample s;
  int i, found = 0;

  for (i = 0; i < inst->n_samples; i++) {
    SRC_GetSample(inst, i, &s);
    if (!found || s.delay < sample->delay) {
      *sample = s;
      found = 1;
    }
  }
  return found;
}
