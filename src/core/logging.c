/*
  ntsd - logging
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "logging.h"

/* Messages a rate-limited call site may log in a burst, and how fast the
   allowance refills (messages per second) */
#define RATE_BURST 1.0
#define RATE_INTERVAL 1.0

static LOG_Severity min_severity = LOGS_INFO;
static int use_syslog;
static FILE *file_log;

void
LOG_Initialise(void)
{
  use_syslog = 0;
  file_log = NULL;
}

void
LOG_Finalise(void)
{
  if (use_syslog)
    closelog();
  if (file_log && file_log != stderr)
    fclose(file_log);
  file_log = NULL;
  use_syslog = 0;
}

void
LOG_SetMinSeverity(LOG_Severity severity)
{
  min_severity = severity;
}

void
LOG_OpenFileLog(const char *path)
{
  FILE *f;
  int fd;

  /* O_NOFOLLOW: the log directory may be writable by the daemon's user */
  fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0 || !(f = fdopen(fd, "a"))) {
    LOG_FATAL("Could not open log file %s : %s", path, strerror(errno));
  }
  setvbuf(f, NULL, _IOLBF, 0);
  file_log = f;
}

void
LOG_OpenSystemLog(void)
{
  if (file_log)
    return;
  openlog("ntsd", LOG_PID, LOG_DAEMON);
  use_syslog = 1;
}

static void
emit(LOG_Severity severity, const char *msg)
{
  static const int syslog_priority[] = { LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT };
  struct timespec now;
  struct tm tm;
  char stamp[32];
  FILE *out;

  if (use_syslog) {
    syslog(severity < 0 ? LOG_DEBUG : syslog_priority[severity], "%s", msg);
    return;
  }

  out = file_log ? file_log : stderr;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf(out, "%s %s%s\n", stamp, severity == LOGS_FATAL ? "Fatal error : " : "", msg);
  fflush(out);
}

static void
vlog(LOG_Severity severity, const char *format, va_list ap)
{
  char buf[2048];

  if (severity < min_severity && severity != LOGS_FATAL)
    return;
  vsnprintf(buf, sizeof buf, format, ap);
  emit(severity, buf);
}

void
LOG_Message(LOG_Severity severity, const char *format, ...)
{
  va_list ap;

  va_start(ap, format);
  vlog(severity, format, ap);
  va_end(ap);
}

void
LOG_MessageRate(LOG_RateState *state, LOG_Severity severity, const char *format, ...)
{
  struct timespec now;
  double t;
  va_list ap;

  if (severity < min_severity)
    return;

  /* Monotonic, so that a clock step cannot unblock or block logging */
  clock_gettime(CLOCK_MONOTONIC, &now);
  t = now.tv_sec + now.tv_nsec * 1e-9;
  if (state->last != 0.0 && t - state->last < RATE_INTERVAL / RATE_BURST) {
    state->suppressed++;
    return;
  }
  state->last = t;

  if (state->suppressed) {
    LOG_Message(severity, "(%u similar messages suppressed)", state->suppressed);
    state->suppressed = 0;
  }
  va_start(ap, format);
  vlog(severity, format, ap);
  va_end(ap);
}
