/*
  ntsd - address and time utilities

  Everything here is pure: no I/O, no clock reads, no allocation.  The
  string functions return one of several rotating static buffers so that a
  few results can be used in one printf; the buffers are thread-local, so
  a helper thread cannot scribble over the main loop's strings.
*/
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <nettle/md5.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "util.h"

#define NSEC_PER_SEC 1000000000L

/* Seconds between the NTP epoch (1900) and the Unix epoch (1970) */
#define JAN_1970 2208988800ULL

/* With no pivot, put the result in [2000-01-01, 2136-02-07) */
#define DEFAULT_PIVOT (946684800LL + 0x80000000LL)

/* Doubles beyond this (about 31 million years) are clamped before being
   converted to integers, where they would be undefined behaviour */
#define MAX_DOUBLE_SECONDS 1.0e15

#define N_BUFFERS 16
#define BUFFER_LENGTH 128

static _Thread_local char buffers[N_BUFFERS][BUFFER_LENGTH];
static _Thread_local unsigned int next_buffer;

static char *
get_buffer(void)
{
  next_buffer = (next_buffer + 1) % N_BUFFERS;
  return buffers[next_buffer];
}

/* ================================================== */
/* Addresses */

int
UTI_StringToIP(const char *s, IPAddr *ip)
{
  struct in_addr a4;
  struct in6_addr a6;

  memset(ip, 0, sizeof *ip);
  ip->family = AF_UNSPEC;
  if (!s)
    return 0;

  if (inet_pton(AF_INET, s, &a4) == 1) {
    ip->family = AF_INET;
    ip->addr.in4 = ntohl(a4.s_addr);
    return 1;
  }
  if (inet_pton(AF_INET6, s, &a6) == 1) {
    ip->family = AF_INET6;
    memcpy(ip->addr.in6, a6.s6_addr, 16);
    return 1;
  }
  return 0;
}

const char *
UTI_IPToString(const IPAddr *ip)
{
  char *buf = get_buffer();
  struct in_addr a4;
  struct in6_addr a6;

  switch (ip ? ip->family : AF_UNSPEC) {
    case AF_INET:
      a4.s_addr = htonl(ip->addr.in4);
      if (inet_ntop(AF_INET, &a4, buf, BUFFER_LENGTH))
        return buf;
      break;
    case AF_INET6:
      memcpy(a6.s6_addr, ip->addr.in6, 16);
      if (inet_ntop(AF_INET6, &a6, buf, BUFFER_LENGTH))
        return buf;
      break;
    case AF_UNSPEC:
      snprintf(buf, BUFFER_LENGTH, "[UNSPEC]");
      return buf;
  }
  snprintf(buf, BUFFER_LENGTH, "[UNKNOWN]");
  return buf;
}

int
UTI_CompareIPs(const IPAddr *a, const IPAddr *b)
{
  int r;

  if (a->family != b->family)
    return a->family < b->family ? -1 : 1;

  switch (a->family) {
    case AF_INET:
      if (a->addr.in4 == b->addr.in4)
        return 0;
      return a->addr.in4 < b->addr.in4 ? -1 : 1;
    case AF_INET6:
      r = memcmp(a->addr.in6, b->addr.in6, 16);
      return r < 0 ? -1 : r > 0 ? 1 : 0;
    default:
      return 0;
  }
}

/* A decimal number of 1 to max_digits digits, ending at the end of the
   string or at stop; sscanf would also take signs and spaces */
static const char *
parse_decimal(const char *s, int max_digits, int allow_leading_zero, int *value)
{
  int n = 0, v = 0;

  while (s[n] >= '0' && s[n] <= '9') {
    if (n >= max_digits)
      return NULL;
    v = v * 10 + (s[n] - '0');
    n++;
  }
  if (n == 0 || (!allow_leading_zero && n > 1 && s[0] == '0'))
    return NULL;
  *value = v;
  return s + n;
}

/* chronyd's shortened IPv4 network: 1 to 3 octets, e.g. "10" or "192.168" */
static int
parse_short_ipv4(const char *s, IPAddr *ip, int *n_octets)
{
  int n, octet;

  ip->family = AF_INET;
  ip->addr.in4 = 0;

  for (n = 0; n < 3; n++) {
    s = parse_decimal(s, 3, 0, &octet);
    if (!s || octet > 255)
      return 0;
    ip->addr.in4 |= (uint32_t)octet << (24 - 8 * n);
    if (*s == '\0') {
      *n_octets = n + 1;
      return 1;
    }
    if (*s != '.')
      return 0;
    s++;
  }
  return 0;
}

static void
mask_ip(IPAddr *ip, int bits)
{
  int i;

  if (ip->family == AF_INET) {
    ip->addr.in4 &= bits <= 0 ? 0 : bits >= 32 ? 0xffffffffU : ~(0xffffffffU >> bits);
  } else if (ip->family == AF_INET6) {
    for (i = 0; i < 16; i++) {
      if (bits >= 8 * (i + 1))
        continue;
      ip->addr.in6[i] &= bits <= 8 * i ? 0 : (uint8_t)(0xff00 >> (bits - 8 * i));
    }
  }
}

int
UTI_ParseSubnet(const char *s, IPAddr *net, int *bits)
{
  char addr[INET6_ADDRSTRLEN + 1];
  const char *slash, *end;
  size_t addr_len;
  int b = -1, max, n_octets;
  IPAddr ip;

  if (!s)
    return 0;

  slash = strchr(s, '/');
  addr_len = slash ? (size_t)(slash - s) : strlen(s);
  if (addr_len == 0 || addr_len >= sizeof addr)
    return 0;
  memcpy(addr, s, addr_len);
  addr[addr_len] = '\0';

  if (slash) {
    end = parse_decimal(slash + 1, 3, 1, &b);
    if (!end || *end != '\0')
      return 0;
  }

  if (UTI_StringToIP(addr, &ip)) {
    max = ip.family == AF_INET ? 32 : 128;
    if (b < 0)
      b = max;
  } else if (parse_short_ipv4(addr, &ip, &n_octets)) {
    /* As in chronyd, the prefix length defaults to the octets given */
    max = 32;
    if (b < 0)
      b = 8 * n_octets;
  } else {
    return 0;
  }

  if (b > max)
    return 0;

  /* Store the network itself, so that printing the rule shows what it
     matches */
  mask_ip(&ip, b);
  *net = ip;
  *bits = b;
  return 1;
}

int
UTI_IPInSubnet(const IPAddr *ip, const IPAddr *net, int bits)
{
  IPAddr a, b;

  /* An unspecified network with no bits is chronyd's "allow" with no
     address: everything */
  if (net->family == AF_UNSPEC)
    return bits == 0;
  if (ip->family != net->family || bits < 0 ||
      bits > (net->family == AF_INET ? 32 : 128))
    return 0;

  a = *ip;
  b = *net;
  mask_ip(&a, bits);
  mask_ip(&b, bits);
  return UTI_CompareIPs(&a, &b) == 0;
}

int
UTI_IsLoopbackIP(const IPAddr *ip)
{
  static const uint8_t loopback6[16] = { [15] = 1 };
  static const uint8_t mapped4[12] = { [10] = 0xff, [11] = 0xff };

  switch (ip->family) {
    case AF_INET:
      return (ip->addr.in4 >> 24) == 127;
    case AF_INET6:
      if (memcmp(ip->addr.in6, loopback6, 16) == 0)
        return 1;
      /* ::ffff:127.0.0.0/104 */
      return memcmp(ip->addr.in6, mapped4, 12) == 0 && ip->addr.in6[12] == 127;
    default:
      return 0;
  }
}

uint32_t
UTI_IPToRefid(const IPAddr *ip)
{
  uint8_t d[MD5_DIGEST_SIZE];
  struct md5_ctx ctx;

  if (ip->family == AF_INET)
    return ip->addr.in4;
  if (ip->family != AF_INET6)
    return 0;
  md5_init(&ctx);
  md5_update(&ctx, sizeof ip->addr.in6, ip->addr.in6);
  md5_digest(&ctx, sizeof d, d);
  return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

void
UTI_SockaddrToIPPort(const struct sockaddr *sa, IPAddr *ip, uint16_t *port)
{
  struct sockaddr_in sin;
  struct sockaddr_in6 sin6;

  memset(ip, 0, sizeof *ip);
  ip->family = AF_UNSPEC;
  if (port)
    *port = 0;
  if (!sa)
    return;

  /* Copied out, as the caller's buffer need not be suitably aligned */
  switch (sa->sa_family) {
    case AF_INET:
      memcpy(&sin, sa, sizeof sin);
      ip->family = AF_INET;
      ip->addr.in4 = ntohl(sin.sin_addr.s_addr);
      if (port)
        *port = ntohs(sin.sin_port);
      break;
    case AF_INET6:
      memcpy(&sin6, sa, sizeof sin6);
      ip->family = AF_INET6;
      memcpy(ip->addr.in6, sin6.sin6_addr.s6_addr, 16);
      if (port)
        *port = ntohs(sin6.sin6_port);
      break;
  }
}

socklen_t
UTI_IPPortToSockaddr(const IPAddr *ip, uint16_t port, struct sockaddr_storage *ss)
{
  struct sockaddr_in *sin = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

  memset(ss, 0, sizeof *ss);

  switch (ip->family) {
    case AF_INET:
      sin->sin_family = AF_INET;
      sin->sin_port = htons(port);
      sin->sin_addr.s_addr = htonl(ip->addr.in4);
      return sizeof *sin;
    case AF_INET6:
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(port);
      memcpy(sin6->sin6_addr.s6_addr, ip->addr.in6, 16);
      return sizeof *sin6;
    default:
      ss->ss_family = AF_UNSPEC;
      return 0;
  }
}

const char *
UTI_SockaddrToString(const struct sockaddr *sa)
{
  const struct sockaddr_un *sun;
  char *buf;
  uint16_t port;
  IPAddr ip;

  if (sa && sa->sa_family == AF_UNIX) {
    /* sun_path need not be terminated when it is full */
    buf = get_buffer();
    sun = (const struct sockaddr_un *)sa;
    snprintf(buf, BUFFER_LENGTH, "%.*s", (int)sizeof sun->sun_path, sun->sun_path);
    return buf;
  }

  UTI_SockaddrToIPPort(sa, &ip, &port);
  buf = get_buffer();
  switch (ip.family) {
    case AF_INET:
      snprintf(buf, BUFFER_LENGTH, "%s:%u", UTI_IPToString(&ip), (unsigned int)port);
      break;
    case AF_INET6:
      snprintf(buf, BUFFER_LENGTH, "[%s]:%u", UTI_IPToString(&ip), (unsigned int)port);
      break;
    default:
      snprintf(buf, BUFFER_LENGTH, "[UNKNOWN]");
      break;
  }
  return buf;
}

/* ================================================== */
/* Time */

static double
clamp_seconds(double d)
{
  if (d != d)
    return 0.0;
  if (d > MAX_DOUBLE_SECONDS)
    return MAX_DOUBLE_SECONDS;
  if (d < -MAX_DOUBLE_SECONDS)
    return -MAX_DOUBLE_SECONDS;
  return d;
}

double
UTI_DiffTimespecsToDouble(const struct timespec *a, const struct timespec *b)
{
  /* Converting before subtracting cannot overflow, and is exact for any
     realistic number of seconds */
  return ((double)a->tv_sec - (double)b->tv_sec) +
         1.0e-9 * ((double)a->tv_nsec - (double)b->tv_nsec);
}

void
UTI_AddDoubleToTimespec(const struct timespec *ts, double d, struct timespec *out)
{
  struct timespec inc;

  UTI_DoubleToTimespec(d, &inc);
  out->tv_sec = ts->tv_sec + inc.tv_sec;
  out->tv_nsec = ts->tv_nsec + inc.tv_nsec;
  UTI_NormaliseTimespec(out);
}

double
UTI_TimespecToDouble(const struct timespec *ts)
{
  return (double)ts->tv_sec + 1.0e-9 * ts->tv_nsec;
}

void
UTI_DoubleToTimespec(double d, struct timespec *ts)
{
  double sec;

  d = clamp_seconds(d);
  sec = floor(d);
  ts->tv_sec = (time_t)sec;
  /* Rounded, so that e.g. 2.3 gives 300000000 ns rather than 299999999 */
  ts->tv_nsec = (long)((d - sec) * 1.0e9 + 0.5);
  UTI_NormaliseTimespec(ts);
}

void
UTI_NormaliseTimespec(struct timespec *ts)
{
  long sec;

  if (ts->tv_nsec >= NSEC_PER_SEC || ts->tv_nsec < 0) {
    sec = ts->tv_nsec / NSEC_PER_SEC;
    ts->tv_sec += sec;
    ts->tv_nsec -= sec * NSEC_PER_SEC;
    if (ts->tv_nsec < 0) {
      ts->tv_sec--;
      ts->tv_nsec += NSEC_PER_SEC;
    }
  }
}

int
UTI_CompareTimespecs(const struct timespec *a, const struct timespec *b)
{
  if (a->tv_sec != b->tv_sec)
    return a->tv_sec < b->tv_sec ? -1 : 1;
  if (a->tv_nsec != b->tv_nsec)
    return a->tv_nsec < b->tv_nsec ? -1 : 1;
  return 0;
}

void
UTI_TimespecToNtp64(const struct timespec *ts, NTP_int64 *ntp, const NTP_int64 *fuzz)
{
  struct timespec t = *ts;
  uint64_t frac;
  uint32_t sec;

  UTI_NormaliseTimespec(&t);

  /* Zero means "no time" on the wire (e.g. an unset origin timestamp) */
  if (t.tv_sec == 0 && t.tv_nsec == 0) {
    ntp->hi = ntp->lo = 0;
    return;
  }

  /* Modulo 2^32: the era is dropped, as on the wire */
  sec = (uint32_t)((uint64_t)t.tv_sec + JAN_1970);
  /* Rounded to nearest, which keeps timespec -> NTP -> timespec exact;
     999999999 ns gives 0xfffffffc, so this cannot carry into sec */
  frac = (((uint64_t)t.tv_nsec << 32) + NSEC_PER_SEC / 2) / NSEC_PER_SEC;

  ntp->hi = htonl(sec);
  ntp->lo = htonl((uint32_t)frac);

  if (fuzz) {
    ntp->hi ^= fuzz->hi;
    ntp->lo ^= fuzz->lo;
  }
}

void
UTI_Ntp64ToTimespec(const NTP_int64 *ntp, const struct timespec *pivot, struct timespec *ts)
{
  uint32_t sec, frac, pivot_ntp;
  int64_t p, diff;
  uint64_t nsec;

  if (UTI_IsZeroNtp64(ntp)) {
    ts->tv_sec = 0;
    ts->tv_nsec = 0;
    return;
  }

  sec = ntohl(ntp->hi);
  frac = ntohl(ntp->lo);
  p = pivot ? (int64_t)pivot->tv_sec : DEFAULT_PIVOT;

  /* The offset from the pivot modulo 2^32, taken in [-2^31, 2^31), picks
     the era closest to the pivot */
  pivot_ntp = (uint32_t)((uint64_t)p + JAN_1970);
  diff = (int64_t)(uint32_t)(sec - pivot_ntp);
  if (diff >= 0x80000000LL)
    diff -= 0x100000000LL;

  nsec = ((uint64_t)frac * NSEC_PER_SEC + 0x80000000ULL) >> 32;
  ts->tv_sec = p + diff;
  ts->tv_nsec = (long)nsec;
  UTI_NormaliseTimespec(ts);
}

void
UTI_MakeNtp64Fuzz(uint64_t random, int precision, NTP_int64 *fuzz)
{
  int bits = 32 + precision;
  uint64_t mask;

  /* Bit 32 of the 32.32 fixed point value is one second */
  if (bits <= 0)
    mask = 0;
  else if (bits >= 64)
    mask = ~0ULL;
  else
    mask = (1ULL << bits) - 1;

  random &= mask;
  fuzz->hi = htonl((uint32_t)(random >> 32));
  fuzz->lo = htonl((uint32_t)random);
}

int
UTI_IsZeroNtp64(const NTP_int64 *ntp)
{
  return ntp->hi == 0 && ntp->lo == 0;
}

int
UTI_CompareNtp64(const NTP_int64 *a, const NTP_int64 *b)
{
  uint32_t diff;

  if (a->hi == b->hi && a->lo == b->lo)
    return 0;

  /* Seconds are compared modulo 2^32 as chronyd does, so that timestamps
     on both sides of an era boundary still order correctly */
  diff = ntohl(a->hi) - ntohl(b->hi);
  if (diff != 0)
    return diff < 0x80000000U ? 1 : -1;

  return ntohl(a->lo) < ntohl(b->lo) ? -1 : 1;
}

NTP_int32
UTI_DoubleToNtp32(double d)
{
  uint32_t r;
  double x;

  /* Rounded up: these carry delays and dispersions, which must not be
     understated.  NaN is treated as the largest value for the same reason. */
  if (d != d || d >= 65536.0) {
    r = 0xffffffffU;
  } else if (d <= 0.0) {
    r = 0;
  } else {
    x = d * 65536.0;
    r = (uint32_t)x;
    if (r < x && r < 0xffffffffU)
      r++;
  }
  return htonl(r);
}

double
UTI_Ntp32ToDouble(NTP_int32 x)
{
  return ntohl(x) / 65536.0;
}

/* ================================================== */
/* Hex */

static int
hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
UTI_HexToBytes(const char *hex, uint8_t *buf, int buf_len)
{
  size_t len, i;
  int hi, lo;

  if (!hex || buf_len < 0)
    return -1;
  len = strlen(hex);
  if (len % 2 != 0 || len / 2 > (size_t)buf_len)
    return -1;

  for (i = 0; i < len / 2; i++) {
    hi = hex_value(hex[2 * i]);
    lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    buf[i] = (uint8_t)(hi << 4 | lo);
  }
  return (int)(len / 2);
}

void
UTI_BytesToHex(const uint8_t *buf, int len, char *hex, int hex_len)
{
  static const char digits[] = "0123456789ABCDEF";
  int i;

  if (hex_len <= 0)
    return;

  /* Only whole bytes, and always terminated */
  for (i = 0; i < len && 2 * i + 2 < hex_len; i++) {
    hex[2 * i] = digits[buf[i] >> 4];
    hex[2 * i + 1] = digits[buf[i] & 0xf];
  }
  hex[2 * i] = '\0';
}
