/*
  ntsd - the pid file

  The file is locked for the life of the daemon, so a stale file left by a
  crash never blocks a restart, and a second instance is refused whatever
  the file says.
*/
#ifndef NTSD_PIDFILE_H
#define NTSD_PIDFILE_H

#include <sys/types.h>

/* Returns 1 when the file is ours; 0 (with *other set to the pid found,
   or 0 if unknown) when another instance holds it; -1 on any other error */
int PID_Create(const char *path, pid_t *other);
/* Write our pid (again after daemonising) */
void PID_Write(void);
void PID_Remove(void);

#endif
