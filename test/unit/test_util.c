/*
  Unit tests of src/core/util.c
*/
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "test.h"
#include "util.h"

#define JAN_1970 2208988800LL
/* 2036-02-07 06:28:16 UTC, the first second of NTP era 1 */
#define ERA1_UNIX (4294967296LL - JAN_1970)

static IPAddr
ip_of(const char *s)
{
  IPAddr ip;

  if (!UTI_StringToIP(s, &ip))
    printf("bad address in test: %s\n", s);
  return ip;
}

static int
subnet_is(const char *s, const char *net, int bits)
{
  IPAddr n, expected;
  int b;

  if (!UTI_ParseSubnet(s, &n, &b))
    return 0;
  expected = ip_of(net);
  return UTI_CompareIPs(&n, &expected) == 0 && b == bits;
}

static int
subnet_bad(const char *s)
{
  IPAddr n;
  int b = 12345;

  return !UTI_ParseSubnet(s, &n, &b) && b == 12345;
}

static int
in_subnet(const char *ip, const char *subnet)
{
  IPAddr a, n;
  int b;

  a = ip_of(ip);
  if (!UTI_ParseSubnet(subnet, &n, &b))
    return -1;
  return UTI_IPInSubnet(&a, &n, b);
}

static void
test_addresses(void)
{
  IPAddr a, b;
  const char *s[16];
  char expected[32];
  int i, ok;

  TEST_CHECK(UTI_StringToIP("1.2.3.4", &a) && a.family == AF_INET && a.addr.in4 == 0x01020304);
  TEST_CHECK(strcmp(UTI_IPToString(&a), "1.2.3.4") == 0);
  TEST_CHECK(UTI_StringToIP("::1", &a) && a.family == AF_INET6 && a.addr.in6[15] == 1);
  TEST_CHECK(strcmp(UTI_IPToString(&a), "::1") == 0);
  TEST_CHECK(UTI_StringToIP("2001:db8::ff00:42:8329", &a));
  TEST_CHECK(strcmp(UTI_IPToString(&a), "2001:db8::ff00:42:8329") == 0);
  TEST_CHECK(a.addr.in6[0] == 0x20 && a.addr.in6[1] == 0x01 && a.addr.in6[15] == 0x29);
  TEST_CHECK(!UTI_StringToIP("1.2.3", &a) && a.family == AF_UNSPEC);
  TEST_CHECK(!UTI_StringToIP("256.1.1.1", &a));
  TEST_CHECK(!UTI_StringToIP("", &a));
  TEST_CHECK(!UTI_StringToIP("1.2.3.4 ", &a));
  TEST_CHECK(!UTI_StringToIP("example.com", &a));
  TEST_CHECK(!UTI_StringToIP(":::", &a));
  TEST_CHECK(!UTI_StringToIP(NULL, &a));
  a.family = AF_UNSPEC;
  TEST_CHECK(strcmp(UTI_IPToString(&a), "[UNSPEC]") == 0);

  /* Rotating buffers: 16 results usable at once */
  for (i = 0; i < 16; i++) {
    a.family = AF_INET;
    a.addr.in4 = 0x0a000000U + i;
    s[i] = UTI_IPToString(&a);
  }
  for (i = 0, ok = 1; i < 16; i++) {
    snprintf(expected, sizeof expected, "10.0.0.%d", i);
    ok = ok && strcmp(s[i], expected) == 0;
  }
  TEST_CHECK(ok);

  a = ip_of("1.2.3.4");
  b = ip_of("1.2.3.5");
  TEST_CHECK(UTI_CompareIPs(&a, &a) == 0);
  TEST_CHECK(UTI_CompareIPs(&a, &b) < 0 && UTI_CompareIPs(&b, &a) > 0);
  b = ip_of("::1");
  TEST_CHECK(UTI_CompareIPs(&a, &b) != 0);
  TEST_CHECK(UTI_CompareIPs(&a, &b) == -UTI_CompareIPs(&b, &a));
  a = ip_of("::2");
  TEST_CHECK(UTI_CompareIPs(&b, &a) < 0);

  TEST_CHECK(UTI_IsLoopbackIP(&b));
  a = ip_of("127.0.0.1");
  TEST_CHECK(UTI_IsLoopbackIP(&a));
  a = ip_of("127.255.1.2");
  TEST_CHECK(UTI_IsLoopbackIP(&a));
  a = ip_of("::ffff:127.0.0.1");
  TEST_CHECK(UTI_IsLoopbackIP(&a));
  a = ip_of("128.0.0.1");
  TEST_CHECK(!UTI_IsLoopbackIP(&a));
  a = ip_of("::2");
  TEST_CHECK(!UTI_IsLoopbackIP(&a));
  a.family = AF_UNSPEC;
  TEST_CHECK(!UTI_IsLoopbackIP(&a));

  /* Reference ids as chronyd's (IPv6: MD5 of the 16 bytes, computed
     independently with Python's hashlib) */
  a = ip_of("192.0.2.1");
  TEST_CHECK(UTI_IPToRefid(&a) == 0xC0000201);
  a = ip_of("::1");
  TEST_CHECK(UTI_IPToRefid(&a) == 0xcf404dc8);
  a = ip_of("2001:db8::1");
  TEST_CHECK(UTI_IPToRefid(&a) == 0x39ab9b37);
  a.family = AF_UNSPEC;
  TEST_CHECK(UTI_IPToRefid(&a) == 0);
}

static void
test_subnets(void)
{
  IPAddr a, n;

  TEST_CHECK(subnet_is("1.2.3.4", "1.2.3.4", 32));
  TEST_CHECK(subnet_is("1.2.3.0/24", "1.2.3.0", 24));
  TEST_CHECK(subnet_is("1.2.3.4/24", "1.2.3.0", 24));       /* host bits dropped */
  TEST_CHECK(subnet_is("1.2.3", "1.2.3.0", 24));
  TEST_CHECK(subnet_is("192.168", "192.168.0.0", 16));
  TEST_CHECK(subnet_is("10", "10.0.0.0", 8));
  TEST_CHECK(subnet_is("10/12", "10.0.0.0", 12));
  TEST_CHECK(subnet_is("172.16/12", "172.16.0.0", 12));
  TEST_CHECK(subnet_is("0/0", "0.0.0.0", 0));
  TEST_CHECK(subnet_is("0.0.0.0/0", "0.0.0.0", 0));
  TEST_CHECK(subnet_is("1.2.3.4/32", "1.2.3.4", 32));
  TEST_CHECK(subnet_is("1.2.3.4/024", "1.2.3.0", 24));
  TEST_CHECK(subnet_is("2001:db8::/32", "2001:db8::", 32));
  TEST_CHECK(subnet_is("2001:db8:ffff::1/33", "2001:db8:8000::", 33));
  TEST_CHECK(subnet_is("2001:db8::1/127", "2001:db8::", 127));
  TEST_CHECK(subnet_is("::1", "::1", 128));
  TEST_CHECK(subnet_is("::/0", "::", 0));
  TEST_CHECK(subnet_is("fe80::1/10", "fe80::", 10));

  TEST_CHECK(subnet_bad(""));
  TEST_CHECK(subnet_bad("/24"));
  TEST_CHECK(subnet_bad("1.2.3.4/"));
  TEST_CHECK(subnet_bad("1.2.3.4/33"));
  TEST_CHECK(subnet_bad("1.2.3/33"));
  TEST_CHECK(subnet_bad("::1/129"));
  TEST_CHECK(subnet_bad("1.2.3.4/-1"));
  TEST_CHECK(subnet_bad("1.2.3.4/+8"));
  TEST_CHECK(subnet_bad("1.2.3.4/ 8"));
  TEST_CHECK(subnet_bad("1.2.3.4/8x"));
  TEST_CHECK(subnet_bad("1.2.3.4/1000"));
  TEST_CHECK(subnet_bad("1.2.3.4/8/8"));
  TEST_CHECK(subnet_bad("1.2.3.4.5"));
  TEST_CHECK(subnet_bad("1.2.3."));
  TEST_CHECK(subnet_bad("1..3"));
  TEST_CHECK(subnet_bad(".1"));
  TEST_CHECK(subnet_bad("256"));
  TEST_CHECK(subnet_bad("1.256"));
  TEST_CHECK(subnet_bad("-1"));
  TEST_CHECK(subnet_bad("+1"));
  TEST_CHECK(subnet_bad(" 10"));
  TEST_CHECK(subnet_bad("010"));
  TEST_CHECK(subnet_bad("1234"));
  TEST_CHECK(subnet_bad("4294967306"));                      /* 2^32 + 10 */
  TEST_CHECK(subnet_bad("example.com"));
  TEST_CHECK(subnet_bad("all"));
  TEST_CHECK(subnet_bad("2001:db8::g/32"));
  TEST_CHECK(subnet_bad("1.2.3.4:123"));
  TEST_CHECK(subnet_bad(NULL));
  TEST_CHECK(subnet_bad("0000000000000000000000000000000000000000000000000000000000001"));

  TEST_CHECK(in_subnet("1.2.3.4", "1.2.3") == 1);
  TEST_CHECK(in_subnet("1.2.3.255", "1.2.3.0/24") == 1);
  TEST_CHECK(in_subnet("1.2.4.0", "1.2.3.0/24") == 0);
  TEST_CHECK(in_subnet("10.255.0.1", "10") == 1);
  TEST_CHECK(in_subnet("11.0.0.1", "10") == 0);
  TEST_CHECK(in_subnet("172.31.255.255", "172.16/12") == 1);
  TEST_CHECK(in_subnet("172.32.0.0", "172.16/12") == 0);
  TEST_CHECK(in_subnet("1.2.3.4", "1.2.3.4") == 1);
  TEST_CHECK(in_subnet("1.2.3.5", "1.2.3.4") == 0);
  TEST_CHECK(in_subnet("255.255.255.255", "0/0") == 1);
  TEST_CHECK(in_subnet("::1", "0/0") == 0);               /* families differ */
  TEST_CHECK(in_subnet("1.2.3.4", "::/0") == 0);
  TEST_CHECK(in_subnet("::ffff:1.2.3.4", "1.2.3") == 0);
  TEST_CHECK(in_subnet("2001:db8:1::5", "2001:db8::/32") == 1);
  TEST_CHECK(in_subnet("2001:db9::5", "2001:db8::/32") == 0);
  TEST_CHECK(in_subnet("2001:db8:7fff::", "2001:db8::/33") == 1);
  TEST_CHECK(in_subnet("2001:db8:8000::", "2001:db8::/33") == 0);
  TEST_CHECK(in_subnet("::1", "::1") == 1);
  TEST_CHECK(in_subnet("::2", "::1") == 0);
  TEST_CHECK(in_subnet("::1", "::/0") == 1);

  a = ip_of("1.2.3.4");
  n = ip_of("1.2.3.0");
  TEST_CHECK(!UTI_IPInSubnet(&a, &n, 33));
  TEST_CHECK(!UTI_IPInSubnet(&a, &n, -1));
  n.family = AF_UNSPEC;
  TEST_CHECK(UTI_IPInSubnet(&a, &n, 0));
  TEST_CHECK(!UTI_IPInSubnet(&a, &n, 8));
}

static void
test_sockaddrs(void)
{
  struct sockaddr_storage ss;
  struct sockaddr_un sun;
  socklen_t sl;
  uint16_t port;
  IPAddr a, b;

  a = ip_of("192.0.2.1");
  sl = UTI_IPPortToSockaddr(&a, 123, &ss);
  TEST_CHECK(sl == sizeof (struct sockaddr_in) && ss.ss_family == AF_INET);
  TEST_CHECK(((struct sockaddr_in *)&ss)->sin_port == htons(123));
  TEST_CHECK(((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(0xc0000201));
  TEST_CHECK(strcmp(UTI_SockaddrToString((struct sockaddr *)&ss), "192.0.2.1:123") == 0);
  UTI_SockaddrToIPPort((struct sockaddr *)&ss, &b, &port);
  TEST_CHECK(UTI_CompareIPs(&a, &b) == 0 && port == 123);

  a = ip_of("2001:db8::1");
  sl = UTI_IPPortToSockaddr(&a, 4460, &ss);
  TEST_CHECK(sl == sizeof (struct sockaddr_in6) && ss.ss_family == AF_INET6);
  TEST_CHECK(strcmp(UTI_SockaddrToString((struct sockaddr *)&ss), "[2001:db8::1]:4460") == 0);
  UTI_SockaddrToIPPort((struct sockaddr *)&ss, &b, &port);
  TEST_CHECK(UTI_CompareIPs(&a, &b) == 0 && port == 4460);

  a = ip_of("::1");
  UTI_IPPortToSockaddr(&a, 65535, &ss);
  TEST_CHECK(strcmp(UTI_SockaddrToString((struct sockaddr *)&ss), "[::1]:65535") == 0);

  a.family = AF_UNSPEC;
  TEST_CHECK(UTI_IPPortToSockaddr(&a, 1, &ss) == 0 && ss.ss_family == AF_UNSPEC);
  TEST_CHECK(strcmp(UTI_SockaddrToString((struct sockaddr *)&ss), "[UNKNOWN]") == 0);
  UTI_SockaddrToIPPort((struct sockaddr *)&ss, &b, &port);
  TEST_CHECK(b.family == AF_UNSPEC && port == 0);
  UTI_SockaddrToIPPort(NULL, &b, &port);
  TEST_CHECK(b.family == AF_UNSPEC && port == 0);

  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  strcpy(sun.sun_path, "/run/ntsd/ntsd.sock");
  TEST_CHECK(strcmp(UTI_SockaddrToString((struct sockaddr *)&sun), "/run/ntsd/ntsd.sock") == 0);
  /* A full, unterminated path */
  memset(sun.sun_path, 'x', sizeof sun.sun_path);
  TEST_CHECK(strlen(UTI_SockaddrToString((struct sockaddr *)&sun)) == sizeof sun.sun_path);
}

static void
test_timespecs(void)
{
  struct timespec a, b, c;

  a.tv_sec = 10;
  a.tv_nsec = 2500000000L;
  UTI_NormaliseTimespec(&a);
  TEST_CHECK(a.tv_sec == 12 && a.tv_nsec == 500000000L);
  a.tv_sec = 10;
  a.tv_nsec = -1;
  UTI_NormaliseTimespec(&a);
  TEST_CHECK(a.tv_sec == 9 && a.tv_nsec == 999999999L);
  a.tv_sec = 10;
  a.tv_nsec = -3000000000L;
  UTI_NormaliseTimespec(&a);
  TEST_CHECK(a.tv_sec == 7 && a.tv_nsec == 0);
  a.tv_sec = 10;
  a.tv_nsec = -2500000000L;
  UTI_NormaliseTimespec(&a);
  TEST_CHECK(a.tv_sec == 7 && a.tv_nsec == 500000000L);

  a.tv_sec = 100;
  a.tv_nsec = 250000000;
  b.tv_sec = 98;
  b.tv_nsec = 750000000;
  TEST_CHECK(UTI_DiffTimespecsToDouble(&a, &b) == 1.5);
  TEST_CHECK(UTI_DiffTimespecsToDouble(&b, &a) == -1.5);
  TEST_CHECK(UTI_CompareTimespecs(&a, &b) > 0 && UTI_CompareTimespecs(&b, &a) < 0);
  TEST_CHECK(UTI_CompareTimespecs(&a, &a) == 0);
  b.tv_sec = 100;
  TEST_CHECK(UTI_CompareTimespecs(&a, &b) < 0);
  TEST_CHECK(UTI_TimespecToDouble(&a) == 100.25);

  UTI_AddDoubleToTimespec(&a, 0.8, &c);
  TEST_CHECK(c.tv_sec == 101 && c.tv_nsec == 50000000);
  UTI_AddDoubleToTimespec(&a, -0.3, &c);
  TEST_CHECK(c.tv_sec == 99 && c.tv_nsec == 950000000);
  UTI_AddDoubleToTimespec(&a, -200.5, &c);
  TEST_CHECK(c.tv_sec == -101 && c.tv_nsec == 750000000);
  UTI_AddDoubleToTimespec(&a, 0.0, &c);
  TEST_CHECK(UTI_CompareTimespecs(&a, &c) == 0);
  UTI_AddDoubleToTimespec(&a, 1e-9, &c);
  TEST_CHECK(c.tv_sec == 100 && c.tv_nsec == 250000001);
  /* Absurd values are clamped rather than undefined */
  UTI_AddDoubleToTimespec(&a, 1e300, &c);
  TEST_CHECK(c.tv_sec > 1000000000000000LL);
  UTI_AddDoubleToTimespec(&a, NAN, &c);
  TEST_CHECK(UTI_CompareTimespecs(&a, &c) == 0);

  UTI_DoubleToTimespec(2.3, &c);
  TEST_CHECK(c.tv_sec == 2 && c.tv_nsec == 300000000);
  UTI_DoubleToTimespec(-0.25, &c);
  TEST_CHECK(c.tv_sec == -1 && c.tv_nsec == 750000000);
  UTI_DoubleToTimespec(1.9999999999, &c);
  TEST_CHECK(c.tv_sec == 2 && c.tv_nsec == 0);
  UTI_DoubleToTimespec(1700000000.125, &c);
  TEST_CHECK(c.tv_sec == 1700000000 && c.tv_nsec == 125000000);
}

static NTP_int64
ntp64(uint32_t hi, uint32_t lo)
{
  NTP_int64 n;

  n.hi = htonl(hi);
  n.lo = htonl(lo);
  return n;
}

static void
test_ntp64(void)
{
  struct timespec ts, back, pivot;
  NTP_int64 n, m, fuzz;
  int i, ok;

  /* Zero is special in both directions */
  ts.tv_sec = 0;
  ts.tv_nsec = 0;
  fuzz = ntp64(0, 0xfff);
  UTI_TimespecToNtp64(&ts, &n, &fuzz);
  TEST_CHECK(UTI_IsZeroNtp64(&n));
  n = ntp64(0, 0);
  back.tv_sec = back.tv_nsec = 5;
  UTI_Ntp64ToTimespec(&n, NULL, &back);
  TEST_CHECK(back.tv_sec == 0 && back.tv_nsec == 0);
  n = ntp64(0, 1);
  TEST_CHECK(!UTI_IsZeroNtp64(&n));

  /* Known values */
  ts.tv_sec = 1;
  ts.tv_nsec = 0;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  TEST_CHECK(ntohl(n.hi) == 0x83aa7e81U && n.lo == 0);
  ts.tv_sec = 1700000000;
  ts.tv_nsec = 500000000;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  TEST_CHECK(ntohl(n.hi) == 3908988800U && ntohl(n.lo) == 0x80000000U);
  ts.tv_nsec = 999999999;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  TEST_CHECK(ntohl(n.hi) == 3908988800U && ntohl(n.lo) == 0xfffffffcU);
  n = ntp64(3908988800U, 0x40000000U);
  UTI_Ntp64ToTimespec(&n, &ts, &back);
  TEST_CHECK(back.tv_sec == 1700000000 && back.tv_nsec == 250000000);
  /* The largest fraction rounds up into the next second */
  n = ntp64(3908988800U, 0xffffffffU);
  UTI_Ntp64ToTimespec(&n, &ts, &back);
  TEST_CHECK(back.tv_sec == 1700000001 && back.tv_nsec == 0);

  /* Round trips timespec -> NTP -> timespec are exact to the nanosecond */
  pivot.tv_sec = 1700000000;
  pivot.tv_nsec = 0;
  for (i = 0, ok = 1; i < 100000; i++) {
    ts.tv_sec = 1700000000 + i * 977;
    ts.tv_nsec = (long)((i * 2654435761UL) % 1000000000UL);
    if (i == 1)
      ts.tv_nsec = 999999999;
    UTI_TimespecToNtp64(&ts, &n, NULL);
    UTI_Ntp64ToTimespec(&n, &pivot, &back);
    ok = ok && UTI_CompareTimespecs(&ts, &back) == 0;
  }
  TEST_CHECK(ok);

  /* The 2036 rollover: 100 s into era 1 has NTP seconds 100 */
  ts.tv_sec = ERA1_UNIX + 100;
  ts.tv_nsec = 123456789;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  TEST_CHECK(ntohl(n.hi) == 100);
  pivot.tv_sec = 2114380800;                 /* 2037-01-01 */
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(UTI_CompareTimespecs(&ts, &back) == 0);
  pivot.tv_sec = 1700000000;                 /* 2023 */
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(UTI_CompareTimespecs(&ts, &back) == 0);
  UTI_Ntp64ToTimespec(&n, NULL, &back);
  TEST_CHECK(UTI_CompareTimespecs(&ts, &back) == 0);
  pivot.tv_sec = -JAN_1970;                  /* 1900: era 0 is nearer */
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(back.tv_sec == 100 - JAN_1970);
  /* The last second of era 0 seen from 2037 is still in 2036 */
  n = ntp64(0xffffffffU, 0);
  pivot.tv_sec = 2114380800;
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(back.tv_sec == ERA1_UNIX - 1);
  /* A timestamp from 1990 seen from 2050 (era 1) stays in 1990 */
  ts.tv_sec = 631152000;
  ts.tv_nsec = 0;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  pivot.tv_sec = 2524608000LL;               /* 2050-01-01 */
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(back.tv_sec == 631152000);
  /* ... but seen from 2110 it is 2126 */
  pivot.tv_sec = 4418064000LL;               /* 2110-01-01 */
  UTI_Ntp64ToTimespec(&n, &pivot, &back);
  TEST_CHECK(back.tv_sec == 631152000 + 4294967296LL);
  /* With no pivot, 2000 to 2136 */
  ts.tv_sec = 946684800;                     /* 2000-01-01 */
  UTI_TimespecToNtp64(&ts, &n, NULL);
  UTI_Ntp64ToTimespec(&n, NULL, &back);
  TEST_CHECK(back.tv_sec == 946684800);
  ts.tv_sec = 946684799;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  UTI_Ntp64ToTimespec(&n, NULL, &back);
  TEST_CHECK(back.tv_sec == 946684799 + 4294967296LL);
  /* Non-normalised input */
  ts.tv_sec = 1700000000;
  ts.tv_nsec = 1500000000;
  UTI_TimespecToNtp64(&ts, &n, NULL);
  TEST_CHECK(ntohl(n.hi) == 3908988801U && ntohl(n.lo) == 0x80000000U);

  /* Fuzz */
  UTI_MakeNtp64Fuzz(~0ULL, -20, &fuzz);
  TEST_CHECK(fuzz.hi == 0 && ntohl(fuzz.lo) == 0xfffU);
  UTI_MakeNtp64Fuzz(0x123456789abcdefULL, -24, &fuzz);
  TEST_CHECK(fuzz.hi == 0 && ntohl(fuzz.lo) == 0xefU);
  UTI_MakeNtp64Fuzz(~0ULL, 0, &fuzz);
  TEST_CHECK(fuzz.hi == 0 && ntohl(fuzz.lo) == 0xffffffffU);
  UTI_MakeNtp64Fuzz(~0ULL, 1, &fuzz);
  TEST_CHECK(ntohl(fuzz.hi) == 1 && ntohl(fuzz.lo) == 0xffffffffU);
  UTI_MakeNtp64Fuzz(~0ULL, -32, &fuzz);
  TEST_CHECK(UTI_IsZeroNtp64(&fuzz));
  UTI_MakeNtp64Fuzz(~0ULL, -40, &fuzz);
  TEST_CHECK(UTI_IsZeroNtp64(&fuzz));
  UTI_MakeNtp64Fuzz(~0ULL, 40, &fuzz);
  TEST_CHECK(fuzz.hi == 0xffffffffU && fuzz.lo == 0xffffffffU);
  ts.tv_sec = 1700000000;
  ts.tv_nsec = 500000000;
  UTI_MakeNtp64Fuzz(0xabcULL, -20, &fuzz);
  UTI_TimespecToNtp64(&ts, &n, &fuzz);
  TEST_CHECK(ntohl(n.hi) == 3908988800U && ntohl(n.lo) == 0x80000abcU);

  /* Comparison, across the era boundary too */
  n = ntp64(5, 1);
  m = ntp64(5, 2);
  TEST_CHECK(UTI_CompareNtp64(&n, &m) < 0 && UTI_CompareNtp64(&m, &n) > 0);
  TEST_CHECK(UTI_CompareNtp64(&n, &n) == 0);
  m = ntp64(6, 0);
  TEST_CHECK(UTI_CompareNtp64(&n, &m) < 0);
  n = ntp64(0xffffffffU, 0xffffffffU);
  m = ntp64(1, 0);
  TEST_CHECK(UTI_CompareNtp64(&n, &m) < 0 && UTI_CompareNtp64(&m, &n) > 0);
}

static void
test_ntp32(void)
{
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(1.5)) == 0x00018000U);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(0.0)) == 0);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(-3.0)) == 0);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(65536.0)) == 0xffffffffU);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(1e100)) == 0xffffffffU);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(INFINITY)) == 0xffffffffU);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(-INFINITY)) == 0);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(NAN)) == 0xffffffffU);
  /* Rounded up, never understated */
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(1e-9)) == 1);
  TEST_CHECK(ntohl(UTI_DoubleToNtp32(65535.99999999)) == 0xffffffffU);
  TEST_CHECK(UTI_DoubleToNtp32(0.001) == htonl(66));
  TEST_CHECK(UTI_Ntp32ToDouble(htonl(0x00018000U)) == 1.5);
  TEST_CHECK(UTI_Ntp32ToDouble(htonl(0xffffffffU)) == 65536.0 - 1.0 / 65536.0);
  TEST_CHECK(UTI_Ntp32ToDouble(0) == 0.0);
  TEST_CHECK(UTI_Ntp32ToDouble(UTI_DoubleToNtp32(0.125)) == 0.125);
}

static void
test_hex(void)
{
  uint8_t buf[4];
  char hex[9];

  memset(buf, 0, sizeof buf);
  TEST_CHECK(UTI_HexToBytes("00fF1a", buf, sizeof buf) == 3);
  TEST_CHECK(buf[0] == 0 && buf[1] == 0xff && buf[2] == 0x1a);
  TEST_CHECK(UTI_HexToBytes("", buf, sizeof buf) == 0);
  TEST_CHECK(UTI_HexToBytes("abc", buf, sizeof buf) == -1);
  TEST_CHECK(UTI_HexToBytes("0g", buf, sizeof buf) == -1);
  TEST_CHECK(UTI_HexToBytes("0 ", buf, sizeof buf) == -1);
  TEST_CHECK(UTI_HexToBytes("0011223344", buf, sizeof buf) == -1);
  TEST_CHECK(UTI_HexToBytes("00112233", buf, sizeof buf) == 4);
  TEST_CHECK(UTI_HexToBytes(NULL, buf, sizeof buf) == -1);
  TEST_CHECK(UTI_HexToBytes("00", buf, -1) == -1);

  buf[0] = 0x01;
  buf[1] = 0xab;
  buf[2] = 0xf0;
  buf[3] = 0x00;
  UTI_BytesToHex(buf, 4, hex, sizeof hex);
  TEST_CHECK(strcmp(hex, "01ABF000") == 0);
  UTI_BytesToHex(buf, 4, hex, 8);                /* whole bytes only */
  TEST_CHECK(strcmp(hex, "01ABF0") == 0);
  UTI_BytesToHex(buf, 4, hex, 1);
  TEST_CHECK(hex[0] == '\0');
  UTI_BytesToHex(buf, 0, hex, sizeof hex);
  TEST_CHECK(hex[0] == '\0');
  hex[0] = 'x';
  UTI_BytesToHex(buf, 4, hex, 0);
  TEST_CHECK(hex[0] == 'x');
}

int
main(void)
{
  test_addresses();
  test_subnets();
  test_sockaddrs();
  test_timespecs();
  test_ntp64();
  test_ntp32();
  test_hex();
  TEST_END();
}
