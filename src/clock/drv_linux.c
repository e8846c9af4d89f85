/*
  ntsd - Linux clock driver

  adjtimex(2) with the kernel PLL off: the discipline sets the frequency
  directly (ADJ_FREQUENCY, plus ADJ_TICK when beyond the +/-500 ppm the
  frequency field allows), steps with ADJ_SETOFFSET, and keeps
  STA_UNSYNC (cleared only with rtcsync), maxerror and esterror up to
  date for other programs, and sets STA_INS/STA_DEL on the day of a leap
  second in leapsecmode system.
  Changes the real clock: the tests never create it.
*/
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "clock_step.h"
#include "discipline.h"
#include "logging.h"
#include "memory.h"

#define MAX_FREQ_FIELD_PPM 500.0
/* The kernel caps maxerror at 16 s (NTP_PHASE_LIMIT) */
#define MAX_ERROR_US 16000000L

typedef struct {
  DSC_Driver drv;
  long nominal_tick;        /* us */
  double tick_ppm;          /* frequency of one tick unit */
  double freq;
  int rtc_sync;
} Linux;

static double
linux_set_frequency(DSC_Driver *drv, const struct timespec *now, double freq)
{
  Linux *l = drv->data;
  struct timex t;
  double ppm = freq * 1e6, rest;
  long dtick = 0;

  if (fabs(ppm) > MAX_FREQ_FIELD_PPM)
    dtick = lround(ppm / l->tick_ppm);
  rest = ppm - dtick * l->tick_ppm;
  memset(&t, 0, sizeof t);
  t.modes = ADJ_FREQUENCY | ADJ_TICK;
  t.freq = lround(rest * 65536.0);
  t.tick = l->nominal_tick + dtick;
  if (adjtimex(&t) < 0) {
    LOG(LOGS_ERR, "adjtimex(ADJ_FREQUENCY) failed : %s", strerror(errno));
    return l->freq;
  }
  l->freq = (dtick * l->tick_ppm + t.freq / 65536.0) * 1e-6;
  return l->freq;
}

static int
linux_step(DSC_Driver *drv, const struct timespec *now, double offset)
{
  struct timex t;
  double whole = floor(offset);

  memset(&t, 0, sizeof t);
  t.modes = ADJ_SETOFFSET | ADJ_NANO;
  t.time.tv_sec = (time_t)whole;
  /* With ADJ_NANO the field holds nanoseconds, always positive */
  t.time.tv_usec = lround((offset - whole) * 1e9);
  if (t.time.tv_usec >= 1000000000L) {
    t.time.tv_sec++;
    t.time.tv_usec -= 1000000000L;
  }
  if (adjtimex(&t) < 0) {
    LOG(LOGS_ERR, "Could not step the system clock : %s", strerror(errno));
    return 0;
  }
  /* As chronyd: positive when the clock was behind */
  LOG(LOGS_WARN, "System clock wrong by %.6f seconds, adjustment started", offset);
  return 1;
}

/* The kernel inserts or deletes the second at the next UTC midnight, so
   the flag may only be set on the last day of June or December */
static int
leap_day(void)
{
  time_t now = time(NULL), tomorrow = now + 86400;
  struct tm tm;

  gmtime_r(&tomorrow, &tm);
  return tm.tm_mday == 1 && (tm.tm_mon == 0 || tm.tm_mon == 6);
}

static long
to_us(double s)
{
  double us = s * 1e6;

  return us > MAX_ERROR_US ? MAX_ERROR_US : us < 0.0 ? 0 : (long)us;
}

static void
linux_set_sync_status(DSC_Driver *drv, int synchronised, int leap,
                      double est_error, double max_error)
{
  Linux *l = drv->data;
  struct timex t;

  memset(&t, 0, sizeof t);
  if (adjtimex(&t) < 0)
    return;
  t.status &= ~(STA_UNSYNC | STA_INS | STA_DEL | STA_PLL | STA_FLL);
  /* As chronyd on Linux: a clear STA_UNSYNC also starts the kernel's
     11-minute copy of the time to the RTC, so only with rtcsync */
  if (!synchronised || !l->rtc_sync || max_error >= MAX_ERROR_US * 1e-6)
    t.status |= STA_UNSYNC;
  if (synchronised && leap == 1 && leap_day())
    t.status |= STA_INS;
  else if (synchronised && leap == 2 && leap_day())
    t.status |= STA_DEL;
  t.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
  t.maxerror = synchronised ? to_us(max_error) : MAX_ERROR_US;
  t.esterror = synchronised ? to_us(est_error) : MAX_ERROR_US;
  if (adjtimex(&t) < 0)
    LOG(LOGS_ERR, "adjtimex(ADJ_STATUS) failed : %s", strerror(errno));
}

static void
linux_finalise(DSC_Driver *drv)
{
  Free(drv->data);
}

DSC_Driver *
DSC_CreateLinuxDriver(int rtc_sync)
{
  Linux *l;
  struct timex t;
  long hz = sysconf(_SC_CLK_TCK);

  if (!CLS_CanStep())
    return NULL;
  if (hz <= 0)
    hz = 100;
  memset(&t, 0, sizeof t);
  if (adjtimex(&t) < 0)
    return NULL;
  /* The kernel PLL would fight the discipline */
  t.modes = ADJ_STATUS;
  t.status = (t.status & ~(STA_PLL | STA_FLL | STA_PPSFREQ | STA_PPSTIME)) | STA_UNSYNC;
  if (adjtimex(&t) < 0)
    return NULL;

  l = MallocNew(Linux);
  memset(l, 0, sizeof *l);
  l->nominal_tick = (1000000L + hz / 2) / hz;
  l->tick_ppm = 1e6 / l->nominal_tick;
  l->freq = t.freq / 65536.0 * 1e-6;
  l->rtc_sync = rtc_sync;
  l->drv.name = "linux";
  l->drv.data = l;
  /* The kernel accepts ticks within 10% of nominal */
  l->drv.max_frequency = 0.09;
  l->drv.can_leap = 1;
  l->drv.set_frequency = linux_set_frequency;
  l->drv.step = linux_step;
  l->drv.set_sync_status = linux_set_sync_status;
  l->drv.finalise = linux_finalise;
  return &l->drv;
}
