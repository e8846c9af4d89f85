/*
  ntsd - the source registry

  Every time source (today the NTP client's servers) is registered here
  with its measurements.  The NTP client feeds samples and reachability in;
  the clock discipline and the sources/ntpdata reports read them out.  The
  registry only stores: it does not select or combine sources.
*/
#ifndef NTSD_SOURCES_H
#define NTSD_SOURCES_H

#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "util.h"

/* One measurement */
typedef struct {
  struct timespec time;        /* local (receive) time of the measurement */
  double offset;               /* seconds; positive when the source is ahead of us */
  double delay;                /* round-trip delay */
  double dispersion;           /* error bound of the measurement itself */
  double root_delay;           /* to the primary reference, delay included */
  double root_dispersion;      /* to the primary reference, dispersion included */
  int stratum;                 /* the source's stratum */
  int leap;                    /* the source's leap indicator */
} SRC_Sample;

/* Default and largest number of samples kept per source (chronyd's) */
#define SRC_DEFAULT_MAX_SAMPLES 64
#define SRC_MAX_SAMPLES 64

typedef struct SRC_Record *SRC_Instance;

/* name is copied; max_samples <= 0 means the default */
SRC_Instance SRC_CreateSource(const char *name, int max_samples);
void SRC_DestroySource(SRC_Instance inst);
void SRC_Finalise(void);

void SRC_SetAddress(SRC_Instance inst, const IPAddr *ip, uint16_t port);
void SRC_SetPoll(SRC_Instance inst, int poll);
/* The directive the source comes from (kept, not copied: the
   configuration outlives the sources), for the reports of its options
   from the moment it exists; NULL until set */
void SRC_SetConf(SRC_Instance inst, const CNF_Source *conf);
const CNF_Source *SRC_GetConf(SRC_Instance inst);

/* Keep a sample; the oldest is dropped beyond max_samples */
void SRC_AccumulateSample(SRC_Instance inst, const SRC_Sample *sample);
/* Shift a bit into the 8-bit reachability register: 1 when a valid reply
   from a synchronised server arrives, 0 when a request went unanswered */
void SRC_UpdateReachability(SRC_Instance inst, int reachable);

/* Forget the samples and the reachability: a new address, or the reset
   sources command */
void SRC_ResetInstance(SRC_Instance inst);
void SRC_ResetSources(void);

/* root delay / 2 + root dispersion */
double SRC_RootDistance(const SRC_Sample *sample);

typedef struct {
  const char *name;
  IPAddr ip;                   /* AF_UNSPEC until resolved */
  uint16_t port;
  int poll;
  int reachability;            /* 8 bits, the latest request in bit 0 */
  int n_samples;
  int stratum;                 /* of the latest sample, 0 if none */
  struct timespec last_sample_time;
} SRC_Report;

int SRC_GetNumberOfSources(void);
/* NULL when out of range; indices shift when a source is destroyed */
SRC_Instance SRC_GetSourceByIndex(int index);
void SRC_GetReport(SRC_Instance inst, SRC_Report *report);
int SRC_GetNumberOfSamples(SRC_Instance inst);
/* Sample i, 0 the oldest; returns 0 when out of range */
int SRC_GetSample(SRC_Instance inst, int i, SRC_Sample *sample);
/* The sample with the shortest delay, the most trustworthy offset (the
   NTP clock filter's choice); returns 0 when there is none */
int SRC_GetBestSample(SRC_Instance inst, SRC_Sample *sample);

#endif
