/*
  ntsd - -q and -Q

  Measure the configured sources once with the NTP client and report the
  offset as chronyd does ("System clock wrong by X seconds (ignored)" for
  -Q, "(step)" for -q, which also steps the clock).  No server socket, no
  command socket and no pid file: a one-off measurement can run next to
  the daemon.
*/
#ifndef NTSD_NTP_ONCE_H
#define NTSD_NTP_ONCE_H

/* Runs the event loop; timeout > 0 ends the run without a result (as
   chronyd's -t).  filter_level is -F's, applied once the sources are set
   up, as in the daemon.  Returns the exit status: 0 with a result, 1
   without. */
int NOC_Run(int set_clock, double timeout, int filter_level);

#endif
