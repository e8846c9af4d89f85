/*
  ntsd - -q and -Q

  The samples go through the statistics of normal operation (delay
  tests, regression), and when every source is done one selection over
  them gives the result: falsetickers left out, the selected source's
  estimate combined with the others', as chronyd's -q/-Q.  No discipline
  runs: nothing is changed before the result is known.
*/
#include "config.h"

#include <signal.h>

#include "clock_step.h"
#include "keys.h"
#include "logging.h"
#include "ntp_client.h"
#include "ntp_once.h"
#include "privops.h"
#include "sched.h"
#include "sources.h"
#include "srcsel.h"

static int status;

static void
quit_signal(int signo)
{
  LOG(LOGS_INFO, "Received signal %d, exiting", signo);
  status = 1;
  SCH_QuitProgram();
}

static void
timeout_reached(void *arg)
{
  LOG(LOGS_INFO, "Timeout reached");
  status = 1;
  SCH_QuitProgram();
}

static void
sources_done(void *arg)
{
  int set_clock = *(int *)arg;
  double offset;

  status = 1;
  if (!SSL_SelectOnce(&offset)) {
    LOG(LOGS_WARN, "No suitable source for synchronisation");
  } else {
    /* Positive: the sources are ahead, the clock is behind */
    LOG(LOGS_INFO, "System clock wrong by %.6f seconds (%s)", offset,
        set_clock ? "step" : "ignored");
    if (!set_clock || CLS_StepOnce(offset))
      status = 0;
  }
  SCH_QuitProgram();
}

int
NOC_Run(int set_clock, double timeout, int filter_level)
{
  static int mode;

  /* chronyd -q cannot start without the right to set the clock either */
  if (set_clock && !CLS_CanStep()) {
    LOG(LOGS_ERR, "-q needs CAP_SYS_TIME (use -Q to print the offset only)");
    return 1;
  }

  mode = set_clock;
  status = 1;
  SCH_Initialise();
  SCH_SetSignalHandler(SIGINT, quit_signal);
  SCH_SetSignalHandler(SIGTERM, quit_signal);
  if (timeout > 0.0)
    SCH_AddTimeout(timeout, timeout_reached, NULL);

  SSL_InitialiseOnce();
  NCL_SetOnceMode(sources_done, &mode);
  NCL_Initialise();

  /* A one-off measurement parses server replies and NTS-KE records as the
     daemon does, so it deserves the same filter */
  PRV_EnableSystemCallFilter(filter_level);

  SCH_MainLoop();

  NCL_Finalise();
  SRC_Finalise();
  SSL_Finalise();
  KEY_Finalise();
  SCH_Finalise();
  return status;
}
