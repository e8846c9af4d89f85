/*
  ntsd - the drift file

  The file is written by the daemon after the privilege drop, so its
  directory must belong to the daemon's user, as chronyd's does.
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driftfile.h"
#include "logging.h"
#include "memory.h"

/* The largest skew worth keeping: chronyd's worst case */
#define MAX_SKEW_PPM 2000.0

int
DRF_Load(const char *path, double max_freq_ppm, double *freq_ppm, double *skew_ppm)
{
  char line[128];
  FILE *f;
  int ok;

  f = fopen(path, "r");
  if (!f) {
    if (errno != ENOENT)
      LOG(LOGS_WARN, "Could not open drift file %s : %s", path, strerror(errno));
    return 0;
  }
  ok = fgets(line, sizeof line, f) && sscanf(line, "%lf %lf", freq_ppm, skew_ppm) == 2;
  fclose(f);

  /* A value the discipline could never have written is not trusted */
  if (!ok || !isfinite(*freq_ppm) || !isfinite(*skew_ppm) ||
      fabs(*freq_ppm) > max_freq_ppm || *skew_ppm < 0.0) {
    LOG(LOGS_WARN, "Could not read valid frequency and skew from driftfile %s", path);
    return 0;
  }
  if (*skew_ppm > MAX_SKEW_PPM)
    *skew_ppm = MAX_SKEW_PPM;
  LOG(LOGS_INFO, "Frequency %.3f +/- %.3f ppm read from %s", *freq_ppm, *skew_ppm, path);
  return 1;
}

/* The directory entry of the rename must reach the disk too */
static void
sync_directory(const char *path)
{
  char *copy = Strdup(path);
  int fd;

  fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  Free(copy);
}

int
DRF_Save(const char *path, double freq_ppm, double skew_ppm)
{
  char tmp[4096], buf[64];
  int fd, len;

  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    LOG(LOGS_ERR, "Drift file name %s too long", path);
    return 0;
  }
  len = snprintf(buf, sizeof buf, "%20.6f %20.6f\n", freq_ppm, skew_ppm);

  /* O_NOFOLLOW: a link planted in the directory must not redirect us */
  unlink(tmp);
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    LOG(LOGS_ERR, "Could not open temporary driftfile %s for writing : %s", tmp,
        strerror(errno));
    return 0;
  }
  /* The mode must not depend on the umask: other tools read the file */
  if (fchmod(fd, 0644) < 0 || write(fd, buf, len) != len || fsync(fd) < 0) {
    LOG(LOGS_ERR, "Could not write temporary driftfile %s : %s", tmp, strerror(errno));
    close(fd);
    unlink(tmp);
    return 0;
  }
  if (close(fd) < 0 || rename(tmp, path) < 0) {
    LOG(LOGS_ERR, "Could not replace driftfile %s : %s", path, strerror(errno));
    unlink(tmp);
    return 0;
  }
  sync_directory(path);
  return 1;
}
