/*
  ntsd - fuzzing the leap second tables (LSC_ParseTzif, LSC_ParseList)

  The first byte picks the parser (odd: TZif, even: leap-seconds.list),
  the rest is the file.  A table either
  parser accepts must be usable: entries in increasing time, and every
  question the discipline asks of it answered without reading outside it.
*/
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "leapsec.h"

/* Enough for every real TZif and leap-seconds.list; larger inputs only
   slow the fuzzer down */
#define MAX_INPUT 65536

void
FUZ_Setup(void)
{
}

/* The seeds: the system's right/UTC when it has one, and a short list */
void
FUZ_WriteSeeds(void)
{
  static const char list[] =
    "#\tleap-seconds.list, shortened\n"
    "#$\t 3676924800\n"
    "#@\t3928521600\n"
    "2272060800\t10\t# 1 Jan 1972\n"
    "2287785600\t11\t# 1 Jul 1972\n"
    "3439756800\t34\t# 1 Jan 2009\n"
    "3550089600\t35\t# 1 Jul 2012\n"
    "3692217600\t37\t# 1 Jan 2017\n"
    "#h\t16edd0f0 3666784f 37db7bdc 7a8e1a53 b7a3bc9c\n";
  static unsigned char buf[1 + MAX_INPUT];
  FILE *f;
  size_t n;

  buf[0] = 0;                  /* even: a list */
  memcpy(buf + 1, list, sizeof list - 1);
  FUZ_WriteSeed("list", buf, sizeof list);

  f = fopen("/usr/share/zoneinfo/right/UTC", "rb");
  if (f) {
    buf[0] = 1;                /* odd: a TZif file */
    n = fread(buf + 1, 1, MAX_INPUT, f);
    fclose(f);
    FUZ_WriteSeed("tzif", buf, 1 + n);
  }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

static void
check_table(const LSC_Table *t)
{
  /* Around the known leaps, and at the far ends of time */
  static const time_t probes[] = {
    0, 78796799, 1230767999, 1341014399, 1341100799, 1483228799, 1798675200,
    (time_t)0x7fffffff, -1,
  };
  int i, leap, tai;

  FUZ_ASSERT(t->n >= 0);
  FUZ_ASSERT(t->n == 0 || t->entries);
  for (i = 1; i < t->n; i++)
    FUZ_ASSERT(t->entries[i - 1].when < t->entries[i].when);

  for (i = 0; i < (int)(sizeof probes / sizeof probes[0]); i++) {
    leap = LSC_GetLeap(t, probes[i], &tai);
    FUZ_ASSERT(leap == LSC_NONE || leap == LSC_INSERT || leap == LSC_DELETE);
  }
  (void)LSC_CheckKnownLeaps(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  LSC_Table table;
  char err[256];
  int ok;

  if (size < 1 || size > 1 + MAX_INPUT)
    return 0;

  memset(&table, 0, sizeof table);
  err[0] = '\0';
  if (data[0] & 1)
    ok = LSC_ParseTzif(data + 1, size - 1, &table, err, sizeof err);
  else
    ok = LSC_ParseList((const char *)data + 1, size - 1, &table, err, sizeof err);

  if (ok) {
    check_table(&table);
    LSC_Free(&table);
  } else {
    /* A refusal always says why */
    FUZ_ASSERT(err[0] != '\0' && memchr(err, '\0', sizeof err));
  }
  return 0;
}
