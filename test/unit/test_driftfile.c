/*
  Unit tests of src/clock/driftfile.c and SST_SlewSamples
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driftfile.h"
#include "logging.h"
#include "srcstats.h"
#include "test.h"

static char dir[64], path[128];

static void
write_file(const char *text)
{
  FILE *f = fopen(path, "w");

  fputs(text, f);
  fclose(f);
}

static void
test_round_trip(void)
{
  char tmp[160];
  struct stat st;
  double f, s;

  /* The mode must not follow the umask */
  umask(077);
  TEST_CHECK(!DRF_Load(path, 500000.0, &f, &s));
  TEST_CHECK(DRF_Save(path, -12.345678, 0.25));
  TEST_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  TEST_CHECK(access(tmp, F_OK) != 0);
  TEST_CHECK(DRF_Load(path, 500000.0, &f, &s));
  TEST_CHECK(fabs(f + 12.345678) < 1e-9 && fabs(s - 0.25) < 1e-9);

  /* A stale temporary file does not stop the next save */
  write_file("");
  rename(path, tmp);
  TEST_CHECK(DRF_Save(path, 1.0, 2.0));
  TEST_CHECK(access(tmp, F_OK) != 0);
  TEST_CHECK(DRF_Load(path, 500000.0, &f, &s) && f == 1.0 && s == 2.0);
}

static void
test_bad_files(void)
{
  double f, s;

  write_file("garbage\n");
  TEST_CHECK(!DRF_Load(path, 500000.0, &f, &s));
  write_file("12.5\n");
  TEST_CHECK(!DRF_Load(path, 500000.0, &f, &s));
  write_file("nan 1.0\n");
  TEST_CHECK(!DRF_Load(path, 500000.0, &f, &s));
  write_file("600 1.0\n");
  TEST_CHECK(!DRF_Load(path, 500.0, &f, &s));
  write_file("1.0 -1.0\n");
  TEST_CHECK(!DRF_Load(path, 500000.0, &f, &s));
  /* chronyd's own format, with its padding */
  write_file("           -3.141593             0.012345\n");
  TEST_CHECK(DRF_Load(path, 500000.0, &f, &s) && fabs(f + 3.141593) < 1e-9);
}

/* A correction moves the sample times with the offsets, so samples taken
   after a large backward step still come later */
static void
test_slew_moves_times(void)
{
  SST_Params p;
  SST_Instance inst;
  SST_SelectionData d;
  SRC_Sample s;
  struct timespec when = { 1000, 0 };
  int i;

  SST_DefaultParams(&p);
  inst = SST_CreateInstance(&p);
  memset(&s, 0, sizeof s);
  s.delay = 1e-3;
  s.root_delay = 1e-3;
  for (i = 0; i < 4; i++) {
    s.time.tv_sec = 990 + i;
    s.offset = -10.0;
    SST_AccumulateSample(inst, &s);
    SST_DoNewRegression(inst);
  }
  SST_SlewSamples(inst, &when, 0.0, -10.0);
  TEST_CHECK(SST_GetSelectionData(inst, &(struct timespec){ 984, 0 }, &d));
  TEST_CHECK(fabs(d.offset) < 1e-6);
  TEST_CHECK(fabs(d.last_sample_ago - 1.0) < 1e-6);
  SST_DeleteInstance(inst);
}

int
main(void)
{
  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);
  snprintf(dir, sizeof dir, "/tmp/ntsd-drift.XXXXXX");
  if (!mkdtemp(dir))
    return 1;
  snprintf(path, sizeof path, "%s/drift", dir);

  test_round_trip();
  test_bad_files();
  test_slew_moves_times();

  unlink(path);
  rmdir(dir);
  TEST_END();
}
