/*
  ntsd - leap second tables

  Both formats are parsed into (date, TAI-UTC) pairs.  Dates are rounded
  to the UTC midnight they belong to: a TZif leap record counts its time
  in the zone's own scale (which includes the earlier leap seconds), and
  a leap second can only ever end a UTC day.  Calendar arithmetic is done
  here rather than with timegm()/mktime() and TZ, so that nothing depends
  on the process's time zone.
*/
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapsec.h"
#include "memory.h"

#define DAY 86400
/* NTP era 0 starts 2208988800 s before the Unix epoch */
#define NTP_UNIX_OFFSET 2208988800LL
/* TAI-UTC was 10 s when the leap second records start (1972) */
#define TZIF_TAI_BASE 10
/* Year 9999, and far more corrections than there will ever be */
#define TZIF_MAX_TIME 253402300799LL
#define TZIF_MAX_CORR 100000
/* A leap record more than this away from a midnight is corrupt */
#define MAX_MIDNIGHT_SLACK 60
/* More entries than any real file could have in centuries */
#define MAX_ENTRIES 10000

/* ---- calendar ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

time_t
LSC_EndOfDay(time_t now)
{
  return (time_t)((floor_div(now, DAY) + 1) * DAY);
}

int
LSC_IsLeapDay(time_t now)
{
  struct tm tm;

  if (!gmtime_r(&now, &tm))
    return 0;
  return (tm.tm_mon == 5 && tm.tm_mday == 30) || (tm.tm_mon == 11 && tm.tm_mday == 31);
}

/* The midnight ending the month of now, or -1 for months other than June
   and December */
static int64_t
leap_midnight(time_t now)
{
  struct tm tm;

  if (!gmtime_r(&now, &tm) || (tm.tm_mon != 5 && tm.tm_mon != 11))
    return -1;
  if (tm.tm_mon == 5)
    return days_from_civil(tm.tm_year + 1900LL, 7, 1) * DAY;
  return days_from_civil(tm.tm_year + 1901LL, 1, 1) * DAY;
}

/* ---- the table ---- */

static void
set_error(char *err, size_t err_len, const char *message)
{
  if (err_len > 0)
    snprintf(err, err_len, "%s", message);
}

static int
add_entry(LSC_Table *t, int64_t when, int tai_offset, char *err, size_t err_len)
{
  int64_t midnight = floor_div(when + DAY / 2, DAY) * DAY;

  if (when - midnight > MAX_MIDNIGHT_SLACK || midnight - when > MAX_MIDNIGHT_SLACK) {
    set_error(err, err_len, "leap second not at the end of a UTC day");
    return 0;
  }
  if (t->n > 0 && midnight <= t->entries[t->n - 1].when) {
    set_error(err, err_len, "leap seconds not in increasing order");
    return 0;
  }
  if (t->n >= MAX_ENTRIES) {
    set_error(err, err_len, "too many leap seconds");
    return 0;
  }
  if (tai_offset < -1000 || tai_offset > 1000) {
    set_error(err, err_len, "implausible TAI-UTC offset");
    return 0;
  }
  t->entries = ReallocArray(LSC_Entry, t->n + 1, t->entries);
  t->entries[t->n].when = (time_t)midnight;
  t->entries[t->n].tai_offset = tai_offset;
  t->n++;
  return 1;
}

void
LSC_Free(LSC_Table *t)
{
  Free(t->entries);
  memset(t, 0, sizeof *t);
}

static int
fail(LSC_Table *t, char *err, size_t err_len, const char *message)
{
  if (message)
    set_error(err, err_len, message);
  LSC_Free(t);
  return 0;
}

/* ---- TZif (RFC 8536) ---- */

static uint32_t
get_u32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
get_i64(const unsigned char *p)
{
  return (int64_t)((uint64_t)get_u32(p) << 32 | get_u32(p + 4));
}

#define TZIF_HEADER 44

typedef struct {
  int version;
  uint32_t isut, isstd, leap, time, type, chars;
} TzHeader;

static int
read_header(const unsigned char *p, size_t len, TzHeader *h)
{
  if (len < TZIF_HEADER || memcmp(p, "TZif", 4) != 0)
    return 0;
  h->version = p[4] ? p[4] - '0' : 1;
  h->isut = get_u32(p + 20);
  h->isstd = get_u32(p + 24);
  h->leap = get_u32(p + 28);
  h->time = get_u32(p + 32);
  h->type = get_u32(p + 36);
  h->chars = get_u32(p + 40);
  return h->version >= 1 && h->version <= 9;
}

/* Size of the data block after a header, 0 if it does not fit in len;
   the counts are bounded first so that the sum cannot overflow */
static size_t
block_size(const TzHeader *h, int time_size, size_t len)
{
  size_t n;

  if (h->isut > len || h->isstd > len || h->leap > len || h->time > len ||
      h->type > len || h->chars > len)
    return 0;
  n = (size_t)h->time * (time_size + 1) + (size_t)h->type * 6 + h->chars +
      (size_t)h->leap * (time_size + 4) + h->isstd + h->isut;
  return n <= len ? n : 0;
}

int
LSC_ParseTzif(const unsigned char *data, size_t len, LSC_Table *t, char *err, size_t err_len)
{
  const unsigned char *p = data, *rec;
  int time_size = 4, corr, prev_corr = 0, have_prev = 0;
  size_t size, i;
  int64_t occ;
  TzHeader h;

  memset(t, 0, sizeof *t);
  if (!read_header(p, len, &h))
    return fail(t, err, err_len, "not a TZif file");
  size = block_size(&h, 4, len - TZIF_HEADER);
  if (!size && (h.time || h.type || h.chars || h.leap || h.isstd || h.isut))
    return fail(t, err, err_len, "truncated TZif file");
  if (h.version >= 2) {
    /* The 64-bit data follows the 32-bit data and has its own header */
    p += TZIF_HEADER + size;
    len -= TZIF_HEADER + size;
    if (!read_header(p, len, &h))
      return fail(t, err, err_len, "truncated TZif file (no version 2 header)");
    time_size = 8;
    size = block_size(&h, 8, len - TZIF_HEADER);
    if (!size && (h.time || h.type || h.chars || h.leap || h.isstd || h.isut))
      return fail(t, err, err_len, "truncated TZif file");
  }
  if (h.leap == 0)
    return fail(t, err, err_len, "no leap seconds in the zone (not a right/ zone?)");

  rec = p + TZIF_HEADER + (size_t)h.time * (time_size + 1) + (size_t)h.type * 6 + h.chars;
  for (i = 0; i < h.leap; i++, rec += time_size + 4) {
    occ = time_size == 8 ? get_i64(rec) : (int32_t)get_u32(rec);
    corr = (int32_t)get_u32(rec + time_size);
    /* Real tables start in 1972 and move by one second at a time; anything
       else is damage, and would overflow the sums below */
    if (occ < 0 || occ > TZIF_MAX_TIME || corr < -TZIF_MAX_CORR || corr > TZIF_MAX_CORR)
      return fail(t, err, err_len, "leap second record out of range");
    /* The record counts in the zone's scale, which already includes the
       earlier corrections */
    if (have_prev && corr == prev_corr) {
      /* Version 4: a last record that repeats the correction gives the
         expiry of the table */
      t->expiry = (time_t)(occ - prev_corr);
      continue;
    }
    if (!add_entry(t, occ - prev_corr, TZIF_TAI_BASE + corr, err, err_len))
      return fail(t, NULL, 0, NULL);
    prev_corr = corr;
    have_prev = 1;
  }
  return 1;
}

/* ---- leap-seconds.list ---- */

/* One integer; returns the position after it or NULL */
static const char *
parse_number(const char *s, const char *end, long long *v)
{
  long long x = 0;
  int neg = 0, digits = 0;

  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  if (s < end && (*s == '-' || *s == '+'))
    neg = *s++ == '-';
  for (; s < end && *s >= '0' && *s <= '9'; s++) {
    if (++digits > 15)
      return NULL;
    x = x * 10 + (*s - '0');
  }
  if (!digits)
    return NULL;
  *v = neg ? -x : x;
  return s;
}

int
LSC_ParseList(const char *text, size_t len, LSC_Table *t, char *err, size_t err_len)
{
  const char *line = text, *end = text + len, *eol, *p;
  long long ntp, offset;
  char message[96];
  int n_line = 0;

  memset(t, 0, sizeof *t);
  if (len > LSC_MAX_FILE)
    return fail(t, err, err_len, "file too large");
  for (; line < end; line = eol + 1) {
    eol = memchr(line, '\n', end - line);
    if (!eol)
      eol = end;
    n_line++;
    if (memchr(line, '\0', eol - line))
      return fail(t, err, err_len, "not a text file");
    if (eol - line >= 2 && line[0] == '#' && line[1] == '@') {
      p = parse_number(line + 2, eol, &ntp);
      if (!p || ntp <= 0) {
        snprintf(message, sizeof message, "line %d: invalid expiry", n_line);
        return fail(t, err, err_len, message);
      }
      t->expiry = (time_t)(ntp - NTP_UNIX_OFFSET);
      continue;
    }
    for (p = line; p < eol && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
      ;
    if (p == eol || *p == '#')
      continue;
    p = parse_number(p, eol, &ntp);
    if (p)
      p = parse_number(p, eol, &offset);
    if (p) {
      while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
      if (p < eol && *p != '#')
        p = NULL;
    }
    if (!p || ntp <= 0) {
      snprintf(message, sizeof message, "line %d: expected NTP seconds and TAI-UTC", n_line);
      return fail(t, err, err_len, message);
    }
    if (!add_entry(t, ntp - NTP_UNIX_OFFSET, (int)(offset < -10000 ? -10000 :
                   offset > 10000 ? 10000 : offset), message, sizeof message)) {
      set_error(err, err_len, message);
      return fail(t, NULL, 0, NULL);
    }
  }
  if (t->n == 0)
    return fail(t, err, err_len, "no leap seconds in the list");
  return 1;
}

/* ---- files ---- */

int
LSC_LoadFile(const char *path, LSC_Format format, LSC_Table *t, char *err, size_t err_len)
{
  char reason[128];
  unsigned char *buf;
  size_t len;
  FILE *f;
  int ok;

  memset(t, 0, sizeof *t);
  f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return 0;
  }
  buf = Malloc(LSC_MAX_FILE + 1);
  len = fread(buf, 1, LSC_MAX_FILE + 1, f);
  ok = !ferror(f);
  fclose(f);
  if (!ok || len > LSC_MAX_FILE) {
    snprintf(err, err_len, "%s: %s", path, ok ? "file too large" : "read error");
    Free(buf);
    return 0;
  }
  if (format == LSC_FORMAT_TZIF)
    ok = LSC_ParseTzif(buf, len, t, reason, sizeof reason);
  else
    ok = LSC_ParseList((const char *)buf, len, t, reason, sizeof reason);
  Free(buf);
  if (!ok)
    snprintf(err, err_len, "%s: %s", path, reason);
  return ok;
}

int
LSC_ZonePath(const char *zone, char *path, size_t path_len)
{
  const char *dir = getenv("TZDIR"), *p;
  int n;

  if (!zone[0])
    return 0;
  /* No way out of the zone directory through the configuration */
  for (p = zone; (p = strstr(p, "..")); p += 2)
    if ((p == zone || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
      return 0;
  if (zone[0] == '/')
    n = snprintf(path, path_len, "%s", zone);
  else
    n = snprintf(path, path_len, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", zone);
  return n > 0 && (size_t)n < path_len;
}

/* ---- questions ---- */

int
LSC_GetLeap(const LSC_Table *t, time_t now, int *tai_offset)
{
  int64_t midnight = leap_midnight(now);
  int i, leap = LSC_NONE;

  if (tai_offset)
    *tai_offset = 0;
  for (i = 0; i < t->n; i++) {
    if (t->entries[i].when <= now && tai_offset)
      *tai_offset = t->entries[i].tai_offset;
    if (i > 0 && t->entries[i].when == midnight) {
      if (t->entries[i].tai_offset == t->entries[i - 1].tai_offset + 1)
        leap = LSC_INSERT;
      else if (t->entries[i].tai_offset == t->entries[i - 1].tai_offset - 1)
        leap = LSC_DELETE;
    }
  }
  return leap;
}

int
LSC_CheckKnownLeaps(const LSC_Table *t)
{
  /* 2008-12-31 and 2012-06-30, noon UTC */
  return LSC_GetLeap(t, 1230724800, NULL) == LSC_INSERT &&
         LSC_GetLeap(t, 1341057600, NULL) == LSC_INSERT &&
         LSC_GetLeap(t, 1293796800, NULL) == LSC_NONE;
}
