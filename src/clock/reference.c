/*
  ntsd - the reference state
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "conf.h"
#include "discipline.h"
#include "reference.h"
#include "select.h"

/* As chronyd: the local reference claims a small root dispersion and its
   reference time follows the clock, so clients see it as fresh.  Its id
   is select.h's, which orphan mode compares with. */
#define LOCAL_ROOT_DISPERSION 0.0

static int precision;
/* chronyc local: overrides the configuration from then on */
static int local_changed, local_stratum, local_orphan;

static int
get_local(int *orphan)
{
  const CNF_Config *c = CNF_Get();

  if (!local_changed) {
    *orphan = c->local_orphan;
    return c->local_stratum;
  }
  *orphan = local_orphan;
  return local_stratum;
}

void
REF_SetLocal(int stratum, int orphan)
{
  local_changed = 1;
  local_stratum = stratum;
  local_orphan = stratum > 0 && orphan;
}

int
REF_GetOrphanStratum(void)
{
  int orphan, stratum = get_local(&orphan);

  return stratum > 0 && orphan ? stratum : 0;
}

static int
measure_precision(void)
{
  struct timespec res;
  double r;
  int p;

  if (clock_getres(CLOCK_REALTIME, &res) < 0)
    return -20;
  r = res.tv_sec + res.tv_nsec * 1e-9;
  if (r <= 0.0)
    r = 1e-9;
  /* Rounded up: never claim a better precision than the clock has */
  for (p = 0; p > -30 && ldexp(1.0, p - 1) >= r; p--)
    ;
  /* The nanosecond resolution of CLOCK_REALTIME says nothing about how
     fast it can be read; chronyd reports about 2^-25 on such systems */
  return p < -25 ? -25 : p;
}

void
REF_Initialise(void)
{
  precision = measure_precision();
}

void
REF_Finalise(void)
{
}

void
REF_GetReferenceParams(const struct timespec *now, REF_Params *params)
{
  int orphan, stratum = get_local(&orphan);

  if (DSC_IsSynchronised()) {
    DSC_GetReferenceParams(now, params);
    /* The discipline keeps raw time; clients compare with ours */
    DSC_CookTime(&params->ref_time, &params->ref_time);
    params->precision = precision;
    return;
  }

  memset(params, 0, sizeof *params);
  params->precision = precision;
  if (stratum) {
    params->leap = 0;
    params->stratum = stratum;
    params->ref_id = SEL_LOCAL_REF_ID;
    params->ref_time = *now;
    params->ref_time.tv_sec -= 1;
    params->root_delay = 0.0;
    params->root_dispersion = LOCAL_ROOT_DISPERSION;
  } else {
    params->leap = 3;
    params->stratum = 0;
  }
}
