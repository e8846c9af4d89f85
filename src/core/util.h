/*
  ntsd - address and time utilities

  Pure helpers shared by every module: IP addresses and subnets, socket
  addresses, timespec arithmetic and NTP timestamp formats.  No I/O.
*/
#ifndef NTSD_UTIL_H
#define NTSD_UTIL_H

#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* An IP address without a port; family is AF_UNSPEC, AF_INET or AF_INET6 */
typedef struct {
  uint16_t family;
  union {
    uint32_t in4;        /* host byte order */
    uint8_t in6[16];
  } addr;
} IPAddr;

/* NTP 64-bit timestamp and 32-bit short format, both in network byte order
   exactly as they appear on the wire */
typedef struct { uint32_t hi, lo; } NTP_int64;
typedef uint32_t NTP_int32;

/* ---- addresses ---- */
int UTI_StringToIP(const char *s, IPAddr *ip);                 /* 1 ok, 0 bad */
/* Returns one of several rotating static buffers */
const char *UTI_IPToString(const IPAddr *ip);
int UTI_CompareIPs(const IPAddr *a, const IPAddr *b);          /* 0 equal */
/* UTI_CompareIPs() == 0 without the ordering, inline for the per-request
   client log lookup */
static inline int
UTI_SameIP(const IPAddr *a, const IPAddr *b)
{
  if (a->family != b->family)
    return 0;
  if (a->family == AF_INET)
    return a->addr.in4 == b->addr.in4;
  if (a->family == AF_INET6)
    return __builtin_memcmp(a->addr.in6, b->addr.in6, 16) == 0;
  return 1;
}
/* "1.2.3.0/24", "2001:db8::/32", "1.2.3.4" (host), "10" (10/8 style as chrony);
   bits = -1 never returned; returns 1 ok, 0 bad.  "1.2.3" is 1.2.3.0/24
   and "192.168/12" works too; host bits are cleared in net, so
   "1.2.3.4/24" gives 1.2.3.0/24; no hostnames. */
int UTI_ParseSubnet(const char *s, IPAddr *net, int *bits);
int UTI_IPInSubnet(const IPAddr *ip, const IPAddr *net, int bits);
int UTI_IsLoopbackIP(const IPAddr *ip);
/* chronyd's reference id of an address, what a server synchronised to it
   puts in its replies (host order): an IPv4 address itself, the first
   word of the MD5 digest of an IPv6 address; 0 for AF_UNSPEC */
uint32_t UTI_IPToRefid(const IPAddr *ip);
void UTI_SockaddrToIPPort(const struct sockaddr *sa, IPAddr *ip, uint16_t *port);
socklen_t UTI_IPPortToSockaddr(const IPAddr *ip, uint16_t port, struct sockaddr_storage *ss);
/* "1.2.3.4:123" or "[::1]:123"; rotating static buffers */
const char *UTI_SockaddrToString(const struct sockaddr *sa);

/* ---- time ---- */
double UTI_DiffTimespecsToDouble(const struct timespec *a, const struct timespec *b); /* a - b */
void UTI_AddDoubleToTimespec(const struct timespec *ts, double d, struct timespec *out);
double UTI_TimespecToDouble(const struct timespec *ts);
void UTI_DoubleToTimespec(double d, struct timespec *ts);
void UTI_NormaliseTimespec(struct timespec *ts);
int UTI_CompareTimespecs(const struct timespec *a, const struct timespec *b);

/* NTP <-> Unix time.  The NTP era is chosen so that the result lies within
   68 years of pivot (usually the current time), which handles the 2036
   rollover.  A zero NTP timestamp converts to the zero timespec and back. */
/* fuzz may be NULL; otherwise it is XORed into the result (as in chronyd),
   so it must hold random bits only below the clock precision: build it
   with UTI_MakeNtp64Fuzz.  The zero timespec is never fuzzed. */
void UTI_TimespecToNtp64(const struct timespec *ts, NTP_int64 *ntp, const NTP_int64 *fuzz);
/* pivot may be NULL, which picks the era that puts the result between
   2000-01-01 and 2136-02-07 */
void UTI_Ntp64ToTimespec(const NTP_int64 *ntp, const struct timespec *pivot, struct timespec *ts);
/* Keep only the bits of random below 2^precision seconds (precision is
   log2 seconds, as in the NTP header) */
void UTI_MakeNtp64Fuzz(uint64_t random, int precision, NTP_int64 *fuzz);
int UTI_IsZeroNtp64(const NTP_int64 *ntp);
int UTI_CompareNtp64(const NTP_int64 *a, const NTP_int64 *b);   /* 0 equal */
/* Short format (16.16 seconds), saturating */
NTP_int32 UTI_DoubleToNtp32(double d);
double UTI_Ntp32ToDouble(NTP_int32 x);

/* Hex encoding for key files; return the number of bytes decoded, or -1 */
int UTI_HexToBytes(const char *hex, uint8_t *buf, int buf_len);
void UTI_BytesToHex(const uint8_t *buf, int len, char *hex, int hex_len);

#endif
