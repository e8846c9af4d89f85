/*
  ntsd - privilege drop and system-call filter (prefix PRV_)

  A daemon started as root binds every socket and opens every root-only
  file first, then switches to the configured user with no capabilities
  beyond what the rest of its life needs (CAP_SYS_TIME only when it
  controls the clock), and finally locks itself into a seccomp allowlist
  of the system calls it makes.  main.c calls, in this order:

    PRV_CheckFilterLevel()       before daemonising, so a bad -F is seen
    PRV_Initialise()             after the pid file: look up the user
    PRV_PrepareUserDir()         directories written later (ntsdumpdir...)
      ... modules bind their sockets and open their files as root ...
    PRV_PrepareCommandSocket()   after CAM_Initialise
    PRV_DropRoot()
    PRV_EnableSystemCallFilter() last, just before signalling readiness
*/
#ifndef NTSD_PRIVOPS_H
#define NTSD_PRIVOPS_H

#include <sys/types.h>

/* Exits with an error if the -F level is out of range or the filter was
   not compiled in (configure --without-seccomp) */
void PRV_CheckFilterLevel(int level);

/* Resolve the user to switch to.  Only when running as root: an unknown
   user is a fatal error, and user root (uid 0) means no switch at all */
void PRV_Initialise(const char *user);
void PRV_Finalise(void);

/* Create a directory (missing parents as root, mode 0755) with the given
   mode and give it to the user, so files written there after the drop can
   be replaced.  An existing directory owned by root is handed over only if
   group and others cannot write to it.  Does nothing unless running as
   root.  Returns 0 (after logging) on failure. */
int PRV_PrepareUserDir(const char *path, mode_t mode);

/* The Unix command socket was bound as root: give the socket to the user
   and its directory to the user's group (g+rwx), so the daemon can still
   reach the ntsctl client sockets created there and remove its own
   socket at exit.  The directory keeps owner root, which CAM checks. */
void PRV_PrepareCommandSocket(const char *path);

/* Switch to the user: supplementary groups dropped, then gid, then uid.
   Only the named capabilities are kept (permitted, effective and bounding
   set); with neither, the process has no capabilities at all.  Sets
   no_new_privs.  Fatal on any failure. */
void PRV_DropRoot(int keep_sys_time, int keep_net_bind_service);

/* Load the seccomp filter (-F).  0: none.  1: allowlist, anything else
   kills the process.  2: the same, since the default already kills.
   Negative: a call outside the list raises SIGSYS, which prints the call
   number on stderr and makes the call fail with ENOSYS instead of killing
   (for debugging); at -2 fork/exec/ptrace still kill. */
void PRV_EnableSystemCallFilter(int level);

#endif
