/*
  ntsd - read-only clock driver (-x)

  Nothing is applied to the clock.  What the discipline asked for is
  integrated instead, so that raw + DSC_GetCorrection() is still the
  correct time and the server can serve it, as chronyd's null driver.
*/
#include "config.h"

#include <string.h>

#include "discipline.h"
#include "memory.h"

typedef struct {
  DSC_Driver drv;
  double freq;
  double offset;            /* integrated up to last */
  struct timespec last;
  int have_last;
} ReadOnly;

static void
integrate(ReadOnly *r, const struct timespec *now)
{
  if (r->have_last)
    r->offset += r->freq * UTI_DiffTimespecsToDouble(now, &r->last);
  r->last = *now;
  r->have_last = 1;
}

static double
ro_set_frequency(DSC_Driver *drv, const struct timespec *now, double freq)
{
  ReadOnly *r = drv->data;

  integrate(r, now);
  r->freq = freq;
  return freq;
}

static int
ro_step(DSC_Driver *drv, const struct timespec *now, double offset)
{
  ReadOnly *r = drv->data;

  integrate(r, now);
  r->offset += offset;
  return 1;
}

static double
ro_get_virtual_offset(DSC_Driver *drv, const struct timespec *now)
{
  ReadOnly *r = drv->data;

  if (!r->have_last)
    return 0.0;
  return r->offset + r->freq * UTI_DiffTimespecsToDouble(now, &r->last);
}

static void
ro_finalise(DSC_Driver *drv)
{
  Free(drv->data);
}

DSC_Driver *
DSC_CreateReadOnlyDriver(void)
{
  ReadOnly *r = MallocNew(ReadOnly);

  memset(r, 0, sizeof *r);
  r->drv.name = "none";
  r->drv.data = r;
  r->drv.max_frequency = 0.5;
  r->drv.set_frequency = ro_set_frequency;
  r->drv.step = ro_step;
  r->drv.get_virtual_offset = ro_get_virtual_offset;
  r->drv.finalise = ro_finalise;
  return &r->drv;
}
