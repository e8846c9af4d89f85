/*
  Unit tests of the command protocol wire layer: known values from the
  protocol specification and round trips.
*/
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_wire.h"
#include "test.h"

static const struct {
  double in;
  uint32_t wire;
  double out;
} float_vectors[] = {
  { 0.0, 0x00000000, 0.0 },
  { -0.0, 0x00000000, 0.0 },
  { 1.0, 0x04800000, 1.0 },
  { 0.5, 0x02800000, 0.5 },
  { 3.0, 0x06c00000, 3.0 },
  { -1.0, 0x03000000, -1.0 },
  { 0.25, 0x00800000, 0.25 },
  { 0.75, 0x02c00000, 0.75 },
  { -0.75, 0x03400000, -0.75 },
  { 0.3, 0x0099999a, 0.30000001192092896 },
  { -0.3, 0x01666666, -0.30000001192092896 },
  { 1e-6, 0xdc8637bd, 9.9999999747524271e-07 },
  { -1e-6, 0xdd79c843, -9.9999999747524271e-07 },
  { 0.001, 0xf083126f, 0.0010000000474974513 },
  { 0.05, 0xfacccccd, 0.05000000074505806 },
  { 64.3, 0x10809999, 64.29999542236328 },
  { 123.456, 0x10f6e979, 123.45600128173828 },
  { -12.345, 0x0b3a7ae2, -12.344999313354492 },
  { 1e-19, 0x84ec1e4a, 9.9999996826552254e-20 },
  { -1e-19, 0x8513e1b6, -9.9999996826552254e-20 },
  { 1e-40, 0x00000000, 0.0 },
  { 1e101, 0x7effffff, 4.611685743549481e+18 },
  { -1e101, 0x7f000000, -4.6116860184273879e+18 },
  /* From the verified request examples */
  { 1.5, 0x04c00000, 1.5 },
  { 100.0, 0x10c80000, 100.0 },
};

static void
test_float(void)
{
  unsigned int i;
  uint8_t buf[4];
  double x, y;

  for (i = 0; i < sizeof float_vectors / sizeof float_vectors[0]; i++) {
    TEST_CHECK(CMW_DoubleToFloat(float_vectors[i].in) == float_vectors[i].wire);
    TEST_CHECK(CMW_FloatToDouble(float_vectors[i].wire) == float_vectors[i].out);
  }
  TEST_CHECK(CMW_DoubleToFloat(NAN) == 0);

  CMW_PutFloat(buf, 0.3);
  TEST_CHECK(buf[0] == 0x00 && buf[1] == 0x99 && buf[2] == 0x99 && buf[3] == 0x9a);
  TEST_CHECK(CMW_GetFloat(buf) == 0.30000001192092896);

  /* Round trips keep 24 significant bits */
  for (x = 1e-18; x < 1e18; x *= 3.7) {
    y = CMW_FloatToDouble(CMW_DoubleToFloat(x));
    TEST_CHECK(fabs(y - x) <= x * 1.2e-7);
    y = CMW_FloatToDouble(CMW_DoubleToFloat(-x));
    TEST_CHECK(fabs(y + x) <= x * 1.2e-7);
  }
  /* Decoding any coefficient is exact, encoding it again is stable */
  TEST_CHECK(CMW_DoubleToFloat(CMW_FloatToDouble(0x0b3a7ae2)) == 0x0b3a7ae2);
}

static void
test_integers(void)
{
  uint8_t buf[8];

  CMW_PutU16(buf, 0xabcd);
  TEST_CHECK(buf[0] == 0xab && buf[1] == 0xcd && CMW_GetU16(buf) == 0xabcd);
  CMW_PutU32(buf, 0x01020304);
  TEST_CHECK(buf[0] == 1 && buf[3] == 4 && CMW_GetU32(buf) == 0x01020304);
  CMW_PutU64(buf, 0x0102030405060708ULL);
  TEST_CHECK(buf[0] == 1 && buf[7] == 8 && CMW_GetU64(buf) == 0x0102030405060708ULL);
}

static void
test_timespec(void)
{
  static const uint8_t expected[12] = { 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00, 0x07, 0x5b, 0xcd, 0x15 };
  struct timespec ts = { 1700000000, 123456789 }, ts2;
  uint8_t buf[12];

  CMW_PutTimespec(buf, &ts);
  TEST_CHECK(memcmp(buf, expected, 12) == 0);
  CMW_GetTimespec(buf, &ts2);
  TEST_CHECK(ts2.tv_sec == ts.tv_sec && ts2.tv_nsec == ts.tv_nsec);

  /* 32-bit senders mark the high word; nanoseconds are clamped */
  CMW_PutU32(buf, CMW_TV_NOHIGHSEC);
  CMW_PutU32(buf + 8, 1500000000);
  CMW_GetTimespec(buf, &ts2);
  TEST_CHECK(ts2.tv_sec == 1700000000 && ts2.tv_nsec == 999999999);

  /* Beyond 2038 */
  ts.tv_sec = 0x123456789LL;
  ts.tv_nsec = 0;
  CMW_PutTimespec(buf, &ts);
  TEST_CHECK(CMW_GetU32(buf) == 1 && CMW_GetU32(buf + 4) == 0x23456789);
  CMW_GetTimespec(buf, &ts2);
  TEST_CHECK(ts2.tv_sec == ts.tv_sec);
}

static void
test_ipaddr(void)
{
  static const uint8_t v4[20] = { 0xc0, 0, 2, 1, [17] = 1 };
  static const uint8_t v6[20] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, [17] = 2 };
  static const uint8_t id[20] = { 0, 0, 0, 7, [17] = 3 };
  uint8_t buf[20];
  IPAddr ip, ip2;
  char s[64];

  memset(&ip, 0, sizeof ip);
  ip.family = AF_INET;
  ip.addr.in4 = 0xc0000201;
  CMW_PutIPAddr(buf, &ip);
  TEST_CHECK(memcmp(buf, v4, 20) == 0);
  CMW_GetIPAddr(buf, &ip2);
  TEST_CHECK(ip2.family == AF_INET && ip2.addr.in4 == 0xc0000201);
  TEST_CHECK(strcmp(CMW_IPToString(&ip2, s, sizeof s), "192.0.2.1") == 0);

  CMW_GetIPAddr(v6, &ip2);
  TEST_CHECK(ip2.family == AF_INET6 && ip2.addr.in6[0] == 0x20 && ip2.addr.in6[15] == 1);
  CMW_PutIPAddr(buf, &ip2);
  TEST_CHECK(memcmp(buf, v6, 20) == 0);
  TEST_CHECK(strcmp(CMW_IPToString(&ip2, s, sizeof s), "2001:db8::1") == 0);

  TEST_CHECK(CMW_ParseSourceId("ID#0000000007", &ip));
  CMW_PutIPAddr(buf, &ip);
  TEST_CHECK(memcmp(buf, id, 20) == 0);
  CMW_GetIPAddr(id, &ip2);
  TEST_CHECK(ip2.family == CMW_AF_ID && ip2.addr.in4 == 7);
  TEST_CHECK(strcmp(CMW_IPToString(&ip2, s, sizeof s), "ID#0000000007") == 0);
  TEST_CHECK(!CMW_ParseSourceId("ID#", &ip));
  TEST_CHECK(!CMW_ParseSourceId("ID#12x", &ip));
  TEST_CHECK(!CMW_ParseSourceId("192.0.2.1", &ip));

  /* Unknown families decode as UNSPEC */
  memcpy(buf, v4, 20);
  buf[17] = 9;
  CMW_GetIPAddr(buf, &ip2);
  TEST_CHECK(ip2.family == AF_UNSPEC);
  TEST_CHECK(strcmp(CMW_IPToString(&ip2, s, sizeof s), "[UNSPEC]") == 0);
  CMW_PutIPAddr(buf, &ip2);
  TEST_CHECK(buf[0] == 0 && buf[17] == 0);
}

static void
test_refid(void)
{
  char s[16];

  TEST_CHECK(strcmp(CMW_RefidToString(0x50505330, s, sizeof s), "PPS0") == 0);
  TEST_CHECK(strcmp(CMW_RefidToString(0x474E5300, s, sizeof s), "GNS") == 0);
  TEST_CHECK(strcmp(CMW_RefidToString(0xC0000201, s, sizeof s), "") == 0);
  TEST_CHECK(strcmp(CMW_RefidToString(0x7F7F0101, s, sizeof s), "") == 0);
  TEST_CHECK(strcmp(CMW_RefidToString(0x50505330, s, 3), "PP") == 0);
}

static void
test_strings(void)
{
  uint8_t field[256];
  char out[300], small[4];

  TEST_CHECK(CMW_PutString(field, sizeof field, "pool.example.org"));
  TEST_CHECK(field[16] == 0 && field[255] == 0);
  TEST_CHECK(CMW_GetString(field, sizeof field, out, 256));
  TEST_CHECK(strcmp(out, "pool.example.org") == 0);
  TEST_CHECK(!CMW_GetString(field, sizeof field, small, sizeof small));
  memset(field, 'a', sizeof field);
  TEST_CHECK(!CMW_GetString(field, sizeof field, out, 256));
  memset(out, 'b', 256);
  out[256] = '\0';
  TEST_CHECK(!CMW_PutString(field, sizeof field, out));
  TEST_CHECK(field[255] == 0);
}

static void
test_headers(void)
{
  uint8_t msg[28];
  CMW_RequestHeader rq = { 6, 1, 0, 0, 33, 2, 0x11223344 }, rq2;
  CMW_ReplyHeader rp = { 6, 2, 0, 0, 33, 1, 18, 0x11223344 }, rp2;
  static const uint8_t expected[28] = { 6, 2, 0, 0, 0, 0x21, 0, 1, 0, 0x12, [16] = 0x11, 0x22, 0x33, 0x44 };

  memset(msg, 0xff, sizeof msg);
  CMW_EncodeRequestHeader(msg, &rq);
  TEST_CHECK(msg[0] == 6 && msg[1] == 1 && msg[5] == 33 && msg[7] == 2 && msg[8] == 0x11);
  TEST_CHECK(msg[12] == 0 && msg[19] == 0);
  TEST_CHECK(!CMW_DecodeRequestHeader(msg, 19, &rq2));
  TEST_CHECK(CMW_DecodeRequestHeader(msg, 20, &rq2));
  TEST_CHECK(rq2.command == 33 && rq2.attempt == 2 && rq2.sequence == 0x11223344);

  memset(msg, 0xff, sizeof msg);
  CMW_EncodeReplyHeader(msg, &rp);
  TEST_CHECK(memcmp(msg, expected, 28) == 0);
  TEST_CHECK(!CMW_DecodeReplyHeader(msg, 27, &rp2));
  TEST_CHECK(CMW_DecodeReplyHeader(msg, 28, &rp2));
  TEST_CHECK(rp2.status == 18 && rp2.reply == 1 && rp2.sequence == 0x11223344);

  /* Both headers share their first six bytes: each field comes back */
  rq.res1 = rp.res1 = 0xa5;
  rq.res2 = rp.res2 = 0x5a;
  CMW_EncodeRequestHeader(msg, &rq);
  TEST_CHECK(CMW_DecodeRequestHeader(msg, 20, &rq2));
  TEST_CHECK(rq2.version == 6 && rq2.pkt_type == 1 && rq2.res1 == 0xa5 && rq2.res2 == 0x5a &&
             rq2.command == 33 && rq2.attempt == 2 && rq2.sequence == 0x11223344);
  CMW_EncodeReplyHeader(msg, &rp);
  TEST_CHECK(CMW_DecodeReplyHeader(msg, 28, &rp2));
  TEST_CHECK(rp2.version == 6 && rp2.pkt_type == 2 && rp2.res1 == 0xa5 && rp2.res2 == 0x5a &&
             rp2.command == 33 && rp2.reply == 1 && rp2.status == 18 &&
             rp2.sequence == 0x11223344);
}

static void
test_lengths(void)
{
  static const int unsupported[] = { 12, 27, 28, 32, 38, 39, 40, 55, 58, 59, 60, 61, 75, -1, 1000 };
  unsigned int i;

  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_TRACKING) == 104);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_N_SOURCES) == 32);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_SOURCE_DATA) == 76);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_BURST) == 68);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_LOCAL2) == 36);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_LOCAL3) == 48);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_ADD_SOURCE) == 372);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_CLIENT_ACCESSES_BY_INDEX3) == 520);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_SERVER_STATS) == 48);
  TEST_CHECK(CMW_MinRequestLength(CMW_REQ_NTP_DATA) == 152);
  TEST_CHECK(CMW_RequestLength(CMW_REQ_SERVER_STATS) == 196);
  TEST_CHECK(CMW_RequestLength(CMW_REQ_NTP_DATA) == 172);
  TEST_CHECK(CMW_RequestLength(CMW_REQ_TRACKING) == 104);
  for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
    TEST_CHECK(CMW_MinRequestLength(unsupported[i]) == 0);

  /* No request may be longer than the maximum, every one at least 28 */
  for (i = 0; i < CMW_N_REQUEST_TYPES; i++) {
    if (!CMW_RequestLength(i))
      continue;
    TEST_CHECK(CMW_RequestLength(i) >= CMW_MIN_REQUEST_LEN);
    TEST_CHECK(CMW_RequestLength(i) <= CMW_MAX_REQUEST_LEN);
    TEST_CHECK(CMW_MinRequestLength(i) <= CMW_RequestLength(i));
  }

  TEST_CHECK(CMW_ReplyLength(CMW_RPY_NULL) == 28);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_TRACKING) == 104);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_SERVER_STATS3) == 72);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_SERVER_STATS4) == 196);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_NTP_DATA2) == 172);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_CLIENT_ACCESSES_BY_INDEX3) == 520);
  TEST_CHECK(CMW_ReplyLength(CMW_RPY_MANUAL_TIMESTAMP) == 0);
  TEST_CHECK(CMW_ReplyLength(27) == 0);
  TEST_CHECK(CMW_ReplyLength(-1) == 0);
  for (i = 0; i < CMW_N_REPLY_TYPES; i++)
    TEST_CHECK(CMW_ReplyLength(i) <= CMW_MAX_REPLY_LEN);

  TEST_CHECK(CMW_IsOpenCommand(CMW_REQ_TRACKING));
  TEST_CHECK(CMW_IsOpenCommand(CMW_REQ_NTP_SOURCE_NAME));
  TEST_CHECK(!CMW_IsOpenCommand(CMW_REQ_SERVER_STATS));
  TEST_CHECK(!CMW_IsOpenCommand(CMW_REQ_MAKESTEP));
  TEST_CHECK(!CMW_IsOpenCommand(CMW_REQ_NTP_DATA));
}

static void
test_status(void)
{
  TEST_CHECK(strcmp(CMW_StatusToString(0), "200 OK") == 0);
  TEST_CHECK(strcmp(CMW_StatusToString(2), "501 Not authorised") == 0);
  TEST_CHECK(strcmp(CMW_StatusToString(17), "515 Invalid address family") == 0);
  TEST_CHECK(strcmp(CMW_StatusToString(20), "520 Got unexpected error from daemon") == 0);
  TEST_CHECK(strcmp(CMW_StatusToString(21), "521 Invalid name") == 0);
  TEST_CHECK(CMW_IsSuccessStatus(0) && CMW_IsSuccessStatus(8) && CMW_IsSuccessStatus(9));
  TEST_CHECK(!CMW_IsSuccessStatus(1) && !CMW_IsSuccessStatus(19));
}

int
main(void)
{
  test_float();
  test_integers();
  test_timespec();
  test_ipaddr();
  test_refid();
  test_strings();
  test_headers();
  test_lengths();
  test_status();
  TEST_END();
}
