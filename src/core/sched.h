/*
  ntsd - the event loop

  One poll(2) loop multiplexes every socket and timer of the daemon.  Timers
  run on the monotonic clock so that a step of the system clock neither fires
  them early nor delays them; the real time of the last wake-up is kept for
  code that needs to timestamp what it is handling.
*/
#ifndef NTSD_SCHED_H
#define NTSD_SCHED_H

#include <time.h>

/* Events a file handler can wait for */
#define SCH_FILE_INPUT 1
#define SCH_FILE_OUTPUT 2

typedef void (*SCH_FileHandler)(int fd, int event, void *arg);
typedef void (*SCH_TimeoutHandler)(void *arg);

/* 0 is never a valid timeout id, so it can mean "no timer" */
typedef unsigned int SCH_TimeoutID;

void SCH_Initialise(void);
void SCH_Finalise(void);

/* Watch fd for the events in mask (SCH_FILE_*); one handler per fd */
void SCH_AddFileHandler(int fd, int events, SCH_FileHandler handler, void *arg);
void SCH_SetFileHandlerEvents(int fd, int events);
void SCH_RemoveFileHandler(int fd);

/* Run handler once after delay seconds (monotonic) */
SCH_TimeoutID SCH_AddTimeout(double delay, SCH_TimeoutHandler handler, void *arg);
void SCH_RemoveTimeout(SCH_TimeoutID id);

/* Real time (CLOCK_REALTIME) and monotonic time read at the last wake-up */
void SCH_GetLastEventTime(struct timespec *real, struct timespec *mono);

/* Run the loop until SCH_QuitProgram() is called */
void SCH_MainLoop(void);
void SCH_QuitProgram(void);

/* Signals are delivered through a self-pipe and handled inside the loop */
typedef void (*SCH_SignalHandler)(int signo);
void SCH_SetSignalHandler(int signo, SCH_SignalHandler handler);

#endif
