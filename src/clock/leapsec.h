/*
  ntsd - leap second tables

  What the system knows about leap seconds, from either of the two files
  chronyd reads: a time zone with leap seconds (leapsectz, e.g. right/UTC,
  a TZif file) or the IERS/NIST leap-seconds.list (leapseclist).  Both
  become one table of dates and TAI-UTC offsets, which answers "is a leap
  second due at the end of this month", for June and December only, as
  chronyd.  Pure: parsing works on memory, and only LSC_LoadFile reads a
  file; nothing here logs, errors come back as text for the caller.
*/
#ifndef NTSD_LEAPSEC_H
#define NTSD_LEAPSEC_H

#include <stddef.h>
#include <time.h>

/* From `when` (the UTC midnight after the leap second, POSIX time) the
   offset TAI-UTC is tai_offset */
typedef struct {
  time_t when;
  int tai_offset;
} LSC_Entry;

typedef struct {
  int n;
  LSC_Entry *entries;          /* in increasing time */
  time_t expiry;               /* 0: unknown */
} LSC_Table;

/* Leap indicator values, as NTP's */
#define LSC_NONE 0
#define LSC_INSERT 1
#define LSC_DELETE 2

/* The largest file either parser accepts */
#define LSC_MAX_FILE (1 << 20)

/* Parse a TZif file (versions 1 to 4) or a leap-seconds.list; on success
   return 1 and fill table (free it with LSC_Free), else return 0 with a
   reason in err */
int LSC_ParseTzif(const unsigned char *data, size_t len, LSC_Table *table,
                  char *err, size_t err_len);
int LSC_ParseList(const char *text, size_t len, LSC_Table *table, char *err, size_t err_len);

typedef enum { LSC_FORMAT_TZIF, LSC_FORMAT_LIST } LSC_Format;

/* Read and parse a file; err gets "PATH: reason" */
int LSC_LoadFile(const char *path, LSC_Format format, LSC_Table *table,
                 char *err, size_t err_len);

/* The TZif file of a zone name: an absolute path as is, otherwise under
   $TZDIR or /usr/share/zoneinfo.  Returns 0 for names that could leave
   that directory (".." components) or do not fit. */
int LSC_ZonePath(const char *zone, char *path, size_t path_len);

void LSC_Free(LSC_Table *table);

/* LSC_INSERT or LSC_DELETE if the table has a leap second at the end of
   the UTC month containing now and that month is June or December, else
   LSC_NONE.  tai_offset (may be NULL) gets TAI-UTC at now, 0 if unknown. */
int LSC_GetLeap(const LSC_Table *table, time_t now, int *tai_offset);

/* Whether now is on the last day of June or December (UTC): the only day
   a leap second may be applied */
int LSC_IsLeapDay(time_t now);

/* The UTC midnight ending the day that contains now */
time_t LSC_EndOfDay(time_t now);

/* A sanity check of a table, as chronyd's of leapsectz: it must know the
   insertions at the end of 2008 and of June 2012 */
int LSC_CheckKnownLeaps(const LSC_Table *table);

#endif
