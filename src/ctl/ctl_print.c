/*
  ntsctl - output formatting

  A reimplementation of chronyc 4.3's report formatter, so that every
  report prints byte for byte what chronyc prints for the same data, and a
  small JSON writer for -j.
*/
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"

CTL_Options CTL_options;

static void
print_seconds(unsigned long s)
{
  unsigned long d;

  if (s == (uint32_t)-1) {
    printf("   -");
  } else if (s < 1200) {
    printf("%4lu", s);
  } else if (s < 36000) {
    printf("%3lum", s / 60);
  } else if (s < 345600) {
    printf("%3luh", s / 3600);
  } else {
    d = s / 86400;
    if (d > 999)
      printf("%3luy", d / 365);
    else
      printf("%3lud", d);
  }
}

/* chronyc's %S, its print_nanoseconds() and print_signed_nanoseconds()
   in one: the first unit whose limit is above the magnitude, one column
   wider with a sign.  Small units multiply and large ones divide, as in
   chronyc, so that the rounding and the digits stay the same. */
static void
print_nanoseconds(double s, int sign)
{
  static const struct {
    double limit, mul, div;
    int width, prec;
    const char *unit;
  } units[] = {
    { 9999.5e-9, 1e9, 1, 4, 0, "ns" },
    { 9999.5e-6, 1e6, 1, 4, 0, "us" },
    { 9999.5e-3, 1e3, 1, 4, 0, "ms" },
    { 999.5, 1, 1, 5, 1, "s" },
    { 99999.5, 1, 1, 5, 0, "s" },
    { 99999.5 * 60, 1, 60, 5, 0, "m" },
    { 99999.5 * 3600, 1, 3600, 5, 0, "h" },
    { 99999.5 * 3600 * 24, 1, 3600 * 24, 5, 0, "d" },
    { 0, 1, 3600 * 24 * 365, 5, 0, "y" },   /* the rest, NaN included */
  };
  unsigned int i, last = sizeof units / sizeof units[0] - 1;
  double x = fabs(s);

  for (i = 0; i < last && !(x < units[i].limit); i++)
    ;
  printf(sign ? "%+*.*f%s" : "%*.*f%s", units[i].width + (sign ? 1 : 0), units[i].prec,
         (sign ? s : x) * units[i].mul / units[i].div, units[i].unit);
}

static void
print_freq_ppm(double f, int sign)
{
  if (fabs(f) < 99999.5)
    printf(sign ? "%+10.3f" : "%10.3f", f);
  else
    printf(sign ? "%+10.0f" : "%10.0f", f);
}

static void
print_clientlog_interval(int rate)
{
  if (rate >= 127)
    printf(" -");
  else
    printf("%2d", rate);
}

static const char *
leap_string(int leap, int width)
{
  switch (leap) {
    case 0: return width != 1 ? "Normal" : "N";
    case 1: return width != 1 ? "Insert second" : "+";
    case 2: return width != 1 ? "Delete second" : "-";
    case 3: return width != 1 ? "Not synchronised" : "?";
    default: return width != 1 ? "Invalid" : "?";
  }
}

void
CTP_Report(const char *format, ...)
{
  const struct timespec *ts;
  int i, field, sign, width, prec, spec;
  unsigned int uinteger;
  const char *string;
  char buf[256];
  struct tm tm;
  va_list ap;
  double dbl;

  va_start(ap, format);

  for (field = 0; ; field++) {
    /* The literal text up to the next conversion, only for humans */
    for (i = 0; format[i] != '%' && format[i] != '\0'; i++)
      ;
    if (!CTL_options.csv)
      printf("%.*s", i, format);
    if (format[i] == '\0' || format[i + 1] == '\0')
      break;
    format += i + 1;

    sign = 0;
    width = 0;
    prec = 5;
    if (*format == '+' || *format == '-') {
      sign = 1;
      format++;
    }
    if (isdigit((unsigned char)*format)) {
      width = atoi(format);
      while (isdigit((unsigned char)*format))
        format++;
    }
    if (*format == '.') {
      format++;
      prec = atoi(format);
      while (isdigit((unsigned char)*format))
        format++;
    }
    spec = *format++;

    if (CTL_options.csv) {
      sign = width = 0;
      if (field > 0)
        printf(",");
      switch (spec) {
        case 'C': spec = 'd'; break;
        case 'F': case 'P': prec = 3; spec = 'f'; break;
        case 'O': case 'S': prec = 9; spec = 'f'; break;
        case 'I': spec = 'U'; break;
        case 'T': spec = 'V'; break;
      }
    }

    switch (spec) {
      case 'B':
        printf("%s", va_arg(ap, int) ? "Yes" : "No");
        break;
      case 'C':
        print_clientlog_interval(va_arg(ap, int));
        break;
      case 'F':
      case 'O':
        dbl = va_arg(ap, double);
        printf("%*.*f %s %s", width, prec, fabs(dbl), spec == 'O' ? "seconds" : "ppm",
               (dbl > 0.0) ^ (spec != 'O') ? "slow" : "fast");
        break;
      case 'I':
        print_seconds(va_arg(ap, unsigned long));
        break;
      case 'L':
        printf("%s", leap_string(va_arg(ap, int), width));
        break;
      case 'M':
        switch (va_arg(ap, int)) {
          case 1: string = "Symmetric active"; break;
          case 2: string = "Symmetric passive"; break;
          case 4: string = "Server"; break;
          default: string = "Invalid"; break;
        }
        printf("%s", string);
        break;
      case 'N':
        switch (va_arg(ap, int)) {
          case 'D': string = "Daemon"; break;
          case 'K': string = "Kernel"; break;
          case 'H': string = "Hardware"; break;
          default: string = "Invalid"; break;
        }
        printf("%s", string);
        break;
      case 'P':
        print_freq_ppm(va_arg(ap, double), sign);
        break;
      case 'R':
        printf("%08lX", va_arg(ap, unsigned long));
        break;
      case 'S':
        print_nanoseconds(va_arg(ap, double), sign);
        break;
      case 'T':
        ts = va_arg(ap, const struct timespec *);
        if (!gmtime_r(&ts->tv_sec, &tm))
          break;
        strftime(buf, sizeof buf, "%a %b %d %T %Y", &tm);
        printf("%s", buf);
        break;
      case 'U':
        printf("%*lu", width, va_arg(ap, unsigned long));
        break;
      case 'V':
        ts = va_arg(ap, const struct timespec *);
        printf("%lld.%09ld", (long long)ts->tv_sec, (long)ts->tv_nsec);
        break;
      case 'b':
        uinteger = va_arg(ap, unsigned int);
        for (i = prec - 1; i >= 0; i--)
          printf("%c", uinteger & 1U << i ? '1' : '0');
        break;
      case 'c':
        printf("%c", va_arg(ap, int));
        break;
      case 'd':
        printf("%*d", width, va_arg(ap, int));
        break;
      case 'f':
        printf(sign ? "%+*.*f" : "%*.*f", width, prec, va_arg(ap, double));
        break;
      case 'o':
        printf("%*o", width, va_arg(ap, unsigned int));
        break;
      case 's':
        printf(sign ? "%-*s" : "%*s", width, va_arg(ap, const char *));
        break;
      case 'u':
        printf("%*u", width, va_arg(ap, unsigned int));
        break;
    }
  }

  va_end(ap);

  if (CTL_options.csv)
    printf("\n");
}

void
CTP_Header(const char *header)
{
  size_t i;

  if (CTL_options.csv || CTL_options.json)
    return;
  printf("%s\n", header);
  for (i = 0; i < strlen(header); i++)
    printf("=");
  printf("\n");
}

void
CTP_Info(const char *format, ...)
{
  va_list ap;

  if (CTL_options.csv || CTL_options.json)
    return;
  va_start(ap, format);
  vprintf(format, ap);
  va_end(ap);
}

static int
reverse_dns(const IPAddr *ip, char *buf, int size)
{
  struct sockaddr_storage ss;
  socklen_t len;

  if (ip->family != AF_INET && ip->family != AF_INET6)
    return 0;
  len = UTI_IPPortToSockaddr(ip, 0, &ss);
  return getnameinfo((struct sockaddr *)&ss, len, buf, size, NULL, 0, 0) == 0;
}

void
CTP_FormatName(char *buf, int size, int trunc, int ref, uint32_t ref_id, int source,
               const IPAddr *ip)
{
  if (ref) {
    CMW_RefidToString(ref_id, buf, size);
  } else if (source && CTL_options.source_names) {
    uint8_t body[CMW_IPADDR_LEN], reply[CMW_MAX_REPLY_LEN];
    CMR_SourceName name;
    int len;

    CMW_PutIPAddr(body, ip);
    if (CTN_Submit(CMW_REQ_NTP_SOURCE_NAME, body, sizeof body, CMW_RPY_NTP_SOURCE_NAME, 0,
                   reply, &len) && CMR_DecodeSourceName(reply, len, &name))
      snprintf(buf, size, "%s", name.name);
    else
      snprintf(buf, size, "?");
  } else if (CTL_options.no_dns || CTL_options.csv || CTL_options.json) {
    CMW_IPToString(ip, buf, size);
  } else {
    if (!reverse_dns(ip, buf, size))
      CMW_IPToString(ip, buf, size);
    if (trunc > 0 && (int)strlen(buf) > trunc && trunc < size) {
      buf[trunc - 1] = '>';
      buf[trunc] = '\0';
    }
  }
}

/* ---- JSON ---- */

/* Whether the current container already has a member, per nesting level */
static int json_has_member[32];
static int json_depth;

/* A command's JSON is collected here and printed only if the command
   succeeds, so that a failure half-way never leaves broken JSON */
static FILE *json_out;
static char *json_buf;
static size_t json_size;

void
CTJ_StartCommand(void)
{
  json_depth = 0;
  json_has_member[0] = 0;
  if (CTL_options.json && !json_out)
    json_out = open_memstream(&json_buf, &json_size);
}

void
CTJ_FinishCommand(int ok)
{
  if (!json_out)
    return;
  fclose(json_out);
  json_out = NULL;
  if (ok)
    fwrite(json_buf, 1, json_size, stdout);
  free(json_buf);
  json_buf = NULL;
  json_size = 0;
}

void
CTP_Status(const char *line, int error)
{
  if (!CTL_options.json) {
    printf("%s\n", line);
    return;
  }
  printf("{");
  json_depth = 0;
  json_has_member[0] = 0;
  /* Straight to stdout: an error line must not be discarded with the
     command's output */
  printf("\"%s\":\"%s\"}\n", error ? "error" : "status", line);
}

#define JOUT (json_out ? json_out : stdout)

static void
json_string(const char *s)
{
  const unsigned char *p;

  fputc('"', JOUT);
  for (p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(JOUT, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(JOUT, "\\u%04x", *p);
    else
      fputc(*p, JOUT);
  }
  fputc('"', JOUT);
}

static void
json_member(const char *key)
{
  if (json_depth > 0 && json_has_member[json_depth])
    fputc(',', JOUT);
  json_has_member[json_depth] = 1;
  if (key) {
    json_string(key);
    fputc(':', JOUT);
  }
}

static void
json_open(const char *key, int c)
{
  json_member(key);
  fputc(c, JOUT);
  if (json_depth < (int)(sizeof json_has_member / sizeof json_has_member[0]) - 1)
    json_depth++;
  json_has_member[json_depth] = 0;
}

static void
json_close(int c)
{
  fputc(c, JOUT);
  if (json_depth > 0)
    json_depth--;
}

void CTJ_BeginObject(const char *key) { json_open(key, '{'); }
void CTJ_EndObject(void) { json_close('}'); }
void CTJ_BeginArray(const char *key) { json_open(key, '['); }
void CTJ_EndArray(void) { json_close(']'); }

void
CTJ_String(const char *key, const char *value)
{
  json_member(key);
  json_string(value);
}

void
CTJ_Int(const char *key, long long value)
{
  json_member(key);
  fprintf(JOUT, "%lld", value);
}

void
CTJ_UInt(const char *key, unsigned long long value)
{
  json_member(key);
  fprintf(JOUT, "%llu", value);
}

void
CTJ_Double(const char *key, double value)
{
  json_member(key);
  /* JSON has no NaN or infinity */
  if (!isfinite(value))
    fputs("null", JOUT);
  else if (value == 0.0)
    fputs("0", JOUT);   /* not "-0" */
  else
    fprintf(JOUT, "%.9g", value);
}

void
CTJ_Bool(const char *key, int value)
{
  json_member(key);
  fputs(value ? "true" : "false", JOUT);
}

void
CTJ_Null(const char *key)
{
  json_member(key);
  fputs("null", JOUT);
}

void
CTJ_Address(const char *key, const IPAddr *ip)
{
  char buf[64];

  if (ip->family == AF_UNSPEC)
    CTJ_Null(key);
  else
    CTJ_String(key, CMW_IPToString(ip, buf, sizeof buf));
}

void
CTJ_Time(const char *key, const struct timespec *ts)
{
  json_member(key);
  fprintf(JOUT, "%lld.%09ld", (long long)ts->tv_sec, (long)ts->tv_nsec);
}

void
CTJ_BeginList(const char *key)
{
  if (!CTL_options.json)
    return;
  CTJ_BeginObject(NULL);
  CTJ_BeginArray(key);
}

void
CTJ_EndList(void)
{
  if (!CTL_options.json)
    return;
  CTJ_EndArray();
  CTJ_EndObject();
  CTJ_End();
}

void
CTJ_End(void)
{
  fputc('\n', JOUT);
  json_depth = 0;
  json_has_member[0] = 0;
}
