/*
  Unit tests of src/clock/leapsec.c: TZif and leap-seconds.list parsing,
  "is a leap second due at the end of this month", bad files
*/
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapsec.h"
#include "test.h"

/* Noon UTC on some days */
#define DEC31_2016 1483185600
#define DEC30_2016 1483099200
#define DEC01_2016 1480593600
#define JUN30_2015 1435665600
#define JUN30_2016 1467288000
#define JAN01_2017 1483272000
#define NOV30_2016 1480507200
#define JUN30_2017 1498824000

static const char list_text[] =
  "#\tSome header text\n"
  "#$\t 3676924800\n"
  "#@\t3913697000\n"
  "#\n"
  "2272060800\t10\t# 1 Jan 1972\n"
  "2287785600\t11\t# 1 Jul 1972\n"
  "3550089600\t35\t# 1 Jul 2012\n"
  "3644697600\t36\t# 1 Jul 2015\n"
  "3692217600\t37\t# 1 Jan 2017\n"
  "#h\t16edd0f0 3666784f 37db7917 3953c7cb 9b9ab2be\n";

static const char deletion_text[] =
  "3644697600\t36\t# 1 Jul 2015\n"
  "3692217600\t35\t# 1 Jan 2017, a deletion\n"
  "3707856000\t36\t# 1 Jul 2017\n";

static void
test_list(void)
{
  LSC_Table t;
  char err[128];
  int tai;

  TEST_CHECK(LSC_ParseList(list_text, strlen(list_text), &t, err, sizeof err));
  TEST_CHECK(t.n == 5);
  TEST_CHECK(t.entries[0].when == 63072000 && t.entries[0].tai_offset == 10);
  TEST_CHECK(t.entries[4].when == 1483228800 && t.entries[4].tai_offset == 37);
  TEST_CHECK(t.expiry == 3913697000LL - 2208988800LL);

  /* The leap is announced all month, applied on the last day */
  TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, &tai) == LSC_INSERT && tai == 36);
  TEST_CHECK(LSC_GetLeap(&t, DEC01_2016, NULL) == LSC_INSERT);
  TEST_CHECK(LSC_GetLeap(&t, JUN30_2015, NULL) == LSC_INSERT);
  TEST_CHECK(LSC_GetLeap(&t, JUN30_2016, NULL) == LSC_NONE);
  /* A gap in the list (1972 to 2012) is not a leap second */
  TEST_CHECK(LSC_GetLeap(&t, 1341057600, NULL) == LSC_NONE);
  TEST_CHECK(LSC_GetLeap(&t, NOV30_2016, NULL) == LSC_NONE);
  TEST_CHECK(LSC_GetLeap(&t, JAN01_2017, &tai) == LSC_NONE && tai == 37);
  /* The second before midnight still belongs to December */
  TEST_CHECK(LSC_GetLeap(&t, 1483228799, &tai) == LSC_INSERT && tai == 36);
  TEST_CHECK(LSC_GetLeap(&t, 1483228800, &tai) == LSC_NONE && tai == 37);
  LSC_Free(&t);

  /* A deletion: the offset goes down (2017-01-01), then up again
     (2017-07-01); the same month rules as for an insertion */
  TEST_CHECK(LSC_ParseList(deletion_text, strlen(deletion_text), &t, err, sizeof err));
  TEST_CHECK(t.n == 3 && t.entries[1].when == 1483228800 && t.entries[1].tai_offset == 35);
  TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, &tai) == LSC_DELETE && tai == 36);
  TEST_CHECK(LSC_GetLeap(&t, DEC01_2016, NULL) == LSC_DELETE);
  TEST_CHECK(LSC_GetLeap(&t, NOV30_2016, NULL) == LSC_NONE);
  /* 23:59:59, the second that is deleted, still counts the old offset */
  TEST_CHECK(LSC_GetLeap(&t, 1483228799, &tai) == LSC_DELETE && tai == 36);
  TEST_CHECK(LSC_GetLeap(&t, 1483228800, &tai) == LSC_NONE && tai == 35);
  TEST_CHECK(LSC_GetLeap(&t, JUN30_2017, &tai) == LSC_INSERT && tai == 35);
  LSC_Free(&t);
  /* A change by more than one second is no leap second */
  TEST_CHECK(LSC_ParseList("3644697600 36\n3692217600 34\n", 28, &t, err, sizeof err));
  TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, NULL) == LSC_NONE);
  LSC_Free(&t);
}

static void
test_bad_lists(void)
{
  static const char *const bad[] = {
    "",                                   /* no entries */
    "# only comments\n",
    "2272060800\n",                       /* no offset */
    "2272060800 10 junk\n",
    "abc 10\n",
    "2287785600 11\n2272060800 10\n",     /* not increasing */
    "2272060900 10\n",                    /* not at midnight */
    "#@ never\n2272060800 10\n",
    "99999999999999999999 10\n",          /* overflow */
  };
  LSC_Table t;
  char err[128];
  size_t i;

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    TEST_CHECK(!LSC_ParseList(bad[i], strlen(bad[i]), &t, err, sizeof err));
    TEST_CHECK(err[0] != '\0' && t.n == 0 && t.entries == NULL);
  }
  /* A NUL inside */
  TEST_CHECK(!LSC_ParseList("2272060800 10\n\0", 15, &t, err, sizeof err));
}

/* A version 2 TZif with two leap records (+ an expiry record); with
   deletion the second one deletes 2016-12-31 23:59:59 instead of
   inserting 23:59:60, as zic writes it: at 23:59:59 counted with the
   corrections before, and the correction down by one */
static size_t
make_tzif(unsigned char *buf, int truncate_v2, int deletion)
{
  unsigned char *p = buf;
  int64_t recs[3][2] = {
    { 1435708800 + 25, 26 },            /* 2015-07-01, counted with 25 before */
    { 1483228800 + 26, 27 },            /* 2017-01-01 */
    { 1700000000 + 27, 27 },            /* expiry */
  };
  int i, j;

  if (deletion) {
    recs[1][0] = 1483228799 + 26;
    recs[1][1] = 25;
    recs[2][0] = 1700000000 + 25;
    recs[2][1] = 25;
  }

  /* v1 header with no data at all, then the v2 header and data */
  memset(p, 0, 44);
  memcpy(p, "TZif2", 5);
  p += 44;
  memset(p, 0, 44);
  memcpy(p, "TZif2", 5);
  p[31] = 3;            /* leapcnt */
  p[39] = 1;            /* typecnt */
  p[43] = 4;            /* charcnt */
  p += 44;
  memset(p, 0, 6 + 4);  /* one ttinfo, "UTC\0" */
  memcpy(p + 6, "UTC", 4);
  p += 10;
  for (i = 0; i < 3; i++) {
    for (j = 7; j >= 0; j--)
      *p++ = (uint8_t)(recs[i][0] >> (8 * j));
    for (j = 3; j >= 0; j--)
      *p++ = (uint8_t)(recs[i][1] >> (8 * j));
  }
  return (p - buf) - (truncate_v2 ? 5 : 0);
}

static void
test_tzif(void)
{
  unsigned char buf[512];
  LSC_Table t;
  char err[128];
  size_t len, i;
  int tai;

  len = make_tzif(buf, 0, 0);
  TEST_CHECK(LSC_ParseTzif(buf, len, &t, err, sizeof err));
  TEST_CHECK(t.n == 2 && t.expiry == 1700000000);
  TEST_CHECK(t.entries[0].when == 1435708800 && t.entries[0].tai_offset == 36);
  TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, &tai) == LSC_INSERT && tai == 36);
  /* The first record is a base, not a leap */
  TEST_CHECK(LSC_GetLeap(&t, JUN30_2015, NULL) == LSC_NONE);
  LSC_Free(&t);

  /* The deletion record, a second before midnight, belongs to it */
  len = make_tzif(buf, 0, 1);
  TEST_CHECK(LSC_ParseTzif(buf, len, &t, err, sizeof err));
  TEST_CHECK(t.n == 2 && t.expiry == 1700000000);
  TEST_CHECK(t.entries[1].when == 1483228800 && t.entries[1].tai_offset == 35);
  TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, &tai) == LSC_DELETE && tai == 36);
  TEST_CHECK(LSC_GetLeap(&t, JAN01_2017, &tai) == LSC_NONE && tai == 35);
  LSC_Free(&t);

  /* Every truncation is an error, never a crash */
  for (i = 0; i < len; i++) {
    TEST_CHECK(!LSC_ParseTzif(buf, i, &t, err, sizeof err));
    TEST_CHECK(t.entries == NULL);
  }
  /* Counts larger than the file */
  len = make_tzif(buf, 0, 0);
  buf[44 + 28] = 0x7f;
  TEST_CHECK(!LSC_ParseTzif(buf, len, &t, err, sizeof err));
  TEST_CHECK(!LSC_ParseTzif((const unsigned char *)"TZjf", 4, &t, err, sizeof err));
}

static void
test_system_files(void)
{
  char path[256], err[256];
  LSC_Table t;

  /* Debian's tzdata: both files, when installed */
  if (LSC_ZonePath("right/UTC", path, sizeof path) && access(path, R_OK) == 0) {
    TEST_CHECK(LSC_LoadFile(path, LSC_FORMAT_TZIF, &t, err, sizeof err));
    TEST_CHECK(LSC_CheckKnownLeaps(&t));
    TEST_CHECK(LSC_GetLeap(&t, DEC31_2016, NULL) == LSC_INSERT);
    TEST_CHECK(LSC_GetLeap(&t, DEC30_2016, NULL) == LSC_INSERT);
    LSC_Free(&t);
  }
  if (access("/usr/share/zoneinfo/leap-seconds.list", R_OK) == 0) {
    TEST_CHECK(LSC_LoadFile("/usr/share/zoneinfo/leap-seconds.list", LSC_FORMAT_LIST,
                            &t, err, sizeof err));
    TEST_CHECK(LSC_CheckKnownLeaps(&t));
    TEST_CHECK(t.expiry > 1700000000);
    LSC_Free(&t);
  }
  /* A zone without leap seconds is refused with a reason */
  if (LSC_ZonePath("UTC", path, sizeof path) && access(path, R_OK) == 0) {
    TEST_CHECK(!LSC_LoadFile(path, LSC_FORMAT_TZIF, &t, err, sizeof err));
    TEST_CHECK(strstr(err, "no leap seconds") != NULL);
  }
  TEST_CHECK(!LSC_LoadFile("/nonexistent/leap", LSC_FORMAT_LIST, &t, err, sizeof err));
  TEST_CHECK(strstr(err, "/nonexistent/leap: ") == err);
  /* A TZif file is not a list, and the reverse */
  if (access("/usr/share/zoneinfo/leap-seconds.list", R_OK) == 0)
    TEST_CHECK(!LSC_LoadFile("/usr/share/zoneinfo/leap-seconds.list", LSC_FORMAT_TZIF,
                             &t, err, sizeof err));
}

static void
test_calendar(void)
{
  char path[64];

  TEST_CHECK(LSC_IsLeapDay(DEC31_2016));
  TEST_CHECK(LSC_IsLeapDay(JUN30_2015));
  TEST_CHECK(!LSC_IsLeapDay(DEC30_2016));
  TEST_CHECK(!LSC_IsLeapDay(NOV30_2016));
  TEST_CHECK(!LSC_IsLeapDay(JAN01_2017));
  TEST_CHECK(LSC_EndOfDay(DEC31_2016) == 1483228800);
  TEST_CHECK(LSC_EndOfDay(1483228800) == 1483228800 + 86400);
  TEST_CHECK(LSC_EndOfDay(-1) == 0);

  TEST_CHECK(LSC_ZonePath("/etc/right", path, sizeof path) && !strcmp(path, "/etc/right"));
  TEST_CHECK(!LSC_ZonePath("../etc/passwd", path, sizeof path));
  TEST_CHECK(!LSC_ZonePath("right/../../x", path, sizeof path));
  TEST_CHECK(!LSC_ZonePath("", path, sizeof path));
  TEST_CHECK(LSC_ZonePath("right/UTC..x", path, sizeof path));
}

int
main(void)
{
  test_list();
  test_bad_lists();
  test_tzif();
  test_system_files();
  test_calendar();
  TEST_END();
}
