/*
  ntsd - logging

  Messages go to stderr in the foreground (-d), to a file with -l, and to
  syslog once daemonised.  Anything that a remote peer can trigger must use
  LOG_RATE so that a flood of bad packets cannot flood the log as well.
*/
#ifndef NTSD_LOGGING_H
#define NTSD_LOGGING_H

typedef enum {
  LOGS_DEBUG = -1,
  LOGS_INFO = 0,
  LOGS_WARN = 1,
  LOGS_ERR = 2,
  LOGS_FATAL = 3,
} LOG_Severity;

void LOG_Initialise(void);
void LOG_Finalise(void);

/* Minimum severity that is logged (-L) */
void LOG_SetMinSeverity(LOG_Severity severity);
void LOG_OpenFileLog(const char *path);
void LOG_OpenSystemLog(void);

void LOG_Message(LOG_Severity severity, const char *format, ...)
  __attribute__((format(printf, 2, 3)));

/* Like LOG_Message, but at most a few messages per second from each call
   site; the rest are counted and reported with the next allowed message */
typedef struct { double last; unsigned int suppressed; } LOG_RateState;
void LOG_MessageRate(LOG_RateState *state, LOG_Severity severity, const char *format, ...)
  __attribute__((format(printf, 3, 4)));

#define DEBUG_LOG(...) LOG_Message(LOGS_DEBUG, __VA_ARGS__)
#define LOG(severity, ...) LOG_Message(severity, __VA_ARGS__)
#define LOG_RATE(severity, ...) \
  do { static LOG_RateState log_rate_state_; \
       LOG_MessageRate(&log_rate_state_, severity, __VA_ARGS__); } while (0)

/* Log and exit(1); only for start-up errors */
#define LOG_FATAL(...) \
  do { LOG_Message(LOGS_FATAL, __VA_ARGS__); exit(1); } while (0)

#include <stdlib.h>

#endif
