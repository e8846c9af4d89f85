/*
  ntsd - the pid file
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logging.h"
#include "memory.h"
#include "pidfile.h"

static int pid_fd = -1;
static char *pid_path;

int
PID_Create(const char *path, pid_t *other)
{
  struct flock fl;
  char buf[32];
  ssize_t n;
  int fd;

  *other = 0;
  /* O_NOFOLLOW: the run directory may be writable by others in odd set-ups,
     and a symlink must not make us truncate an arbitrary file */
  fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    LOG(LOGS_ERR, "Could not open pid file %s : %s", path, strerror(errno));
    return -1;
  }

  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &fl) < 0) {
    if (errno == EACCES || errno == EAGAIN) {
      n = read(fd, buf, sizeof buf - 1);
      if (n > 0) {
        buf[n] = '\0';
        *other = atoi(buf);
      }
      close(fd);
      return 0;
    }
    LOG(LOGS_ERR, "Could not lock pid file %s : %s", path, strerror(errno));
    close(fd);
    return -1;
  }

  pid_fd = fd;
  pid_path = Strdup(path);
  PID_Write();
  return 1;
}

void
PID_Write(void)
{
  char buf[32];
  int len;

  if (pid_fd < 0)
    return;
  len = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
  if (ftruncate(pid_fd, 0) < 0 || pwrite(pid_fd, buf, len, 0) != len)
    LOG(LOGS_ERR, "Could not write pid file %s", pid_path);
}

void
PID_Remove(void)
{
  if (pid_fd < 0)
    return;
  /* Unlink while the lock is still held, so no other instance can take the
     file over in between */
  if (unlink(pid_path) < 0 && errno != ENOENT)
    LOG(LOGS_WARN, "Could not remove pid file %s : %s", pid_path, strerror(errno));
  close(pid_fd);
  pid_fd = -1;
  Free(pid_path);
  pid_path = NULL;
}
