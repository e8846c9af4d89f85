/*
  ntsd - libFuzzer harness support, shared by every harness
*/
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"
#include "logging.h"
#ifdef FEAT_NTS
#include "nts_keyring.h"
#endif

static char temp_dir[PATH_MAX];
static const char *seed_dir;

void
FUZ_Fail(const char *expr, const char *file, int line)
{
  fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, expr);
  abort();
}

/* The code under test includes clock control (cmdmon's makestep and
   settime, for instance).  Whatever it does, the fuzzer, often run as
   root, must never be able to step or slew the system clock: give up
   CAP_SYS_TIME for good before the first input. */
static void
drop_clock_control(void)
{
  struct __user_cap_header_struct header;
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  int i;

  /* Fails without CAP_SETPCAP, and then there is nothing to regain */
  prctl(PR_CAPBSET_DROP, CAP_SYS_TIME, 0, 0, 0);

  memset(&header, 0, sizeof header);
  header.version = _LINUX_CAPABILITY_VERSION_3;
  if (syscall(SYS_capget, &header, data) < 0)
    goto fail;
  i = CAP_TO_INDEX(CAP_SYS_TIME);
  data[i].effective &= ~CAP_TO_MASK(CAP_SYS_TIME);
  data[i].permitted &= ~CAP_TO_MASK(CAP_SYS_TIME);
  data[i].inheritable &= ~CAP_TO_MASK(CAP_SYS_TIME);
  if (syscall(SYS_capset, &header, data) < 0)
    goto fail;
  if (syscall(SYS_capget, &header, data) < 0 ||
      data[i].effective & CAP_TO_MASK(CAP_SYS_TIME))
    goto fail;
  return;

fail:
  fprintf(stderr, "fuzz: could not drop CAP_SYS_TIME : %s\n", strerror(errno));
  exit(1);
}

static void
remove_temp_dir(void)
{
  struct dirent *de;
  DIR *d;

  if (!temp_dir[0])
    return;
  d = opendir(temp_dir);
  if (d) {
    while ((de = readdir(d))) {
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
        unlink(FUZ_Path(de->d_name));
    }
    closedir(d);
  }
  rmdir(temp_dir);
  temp_dir[0] = '\0';
}

const char *
FUZ_TempDir(void)
{
  const char *base = getenv("TMPDIR");

  if (temp_dir[0])
    return temp_dir;
  snprintf(temp_dir, sizeof temp_dir, "%s/ntsd-fuzz.XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(temp_dir)) {
    fprintf(stderr, "fuzz: could not create %s : %s\n", temp_dir, strerror(errno));
    exit(1);
  }
  atexit(remove_temp_dir);
  return temp_dir;
}

const char *
FUZ_Path(const char *name)
{
  static char path[PATH_MAX];

  snprintf(path, sizeof path, "%s/%s", FUZ_TempDir(), name);
  return path;
}

void
FUZ_WriteFile(const char *path, const void *data, size_t len)
{
  FILE *f = fopen(path, "w");

  if (!f || (len > 0 && fwrite(data, len, 1, f) != 1) || fclose(f) != 0) {
    fprintf(stderr, "fuzz: could not write %s\n", path);
    exit(1);
  }
}

void
FUZ_WriteSeed(const char *name, const void *data, size_t len)
{
  char path[PATH_MAX];

  if (!seed_dir)
    return;
  snprintf(path, sizeof path, "%s/%s", seed_dir, name);
  FUZ_WriteFile(path, data, len);
}

#ifdef FEAT_NTS
/* chronyd's NKS0 layout: oldest key first, the current one third, the
   future one last; the ids' two low bits are consecutive slots */
static const char fixed_ntskeys[] =
  "NKS0\n"
  "15 100.0\n"
  "5EED1002 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
  "5EED2003 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n"
  "5EED3000 404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\n"
  "5EED4001 606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\n";

const char *
FUZ_LoadFixedNtsKeys(void)
{
  FUZ_WriteFile(FUZ_Path(NKY_FILE_NAME), fixed_ntskeys, sizeof fixed_ntskeys - 1);
  if (!NKY_Load(FUZ_TempDir())) {
    fprintf(stderr, "fuzz: could not load the fixed NTS keys\n");
    exit(1);
  }
  return FUZ_TempDir();
}
#endif

void
FUZ_Initialise(void)
{
  /* Rejected input is logged, and the log is not what is tested */
  LOG_SetMinSeverity(LOGS_FATAL);
  drop_clock_control();

  FUZ_Setup();

  seed_dir = getenv("NTSD_FUZZ_SEEDS");
  if (seed_dir && *seed_dir) {
    FUZ_WriteSeeds();
    exit(0);
  }
  seed_dir = NULL;
}
