/*
  ntsd - unit test of the NTS client's NTP side against the server side:
  a dump file in chronyd's format gives the instance its keys and cookies,
  its requests pass NNS_CheckRequest, the server's replies refill the jar
  to eight cookies, and tampered replies, replayed replies, foreign
  identifiers and NAKs are told apart.  The dump is removed when read and
  written back atomically with mode 0600.
*/
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "logging.h"
#include "nts_keyring.h"
#include "nts_ntp_client.h"
#include "nts_ntp_server.h"
#include "ntp_pkt.h"
#include "sched.h"
#include "test.h"
#include "util.h"

static char dir[64], path[128], line[256];
static uint8_t c2s[32], s2c[32];

static void
write_dump(int n_cookies)
{
  char hex[2 * NKY_MAX_COOKIE_LEN + 1], khex[2][65];
  uint8_t cookie[NKY_MAX_COOKIE_LEN];
  struct timespec now;
  FILE *f = fopen(path, "w");
  int i, len;

  clock_gettime(CLOCK_REALTIME, &now);
  UTI_BytesToHex(s2c, 32, khex[0], sizeof khex[0]);
  UTI_BytesToHex(c2s, 32, khex[1], sizeof khex[1]);
  fprintf(f, "NNC0\ntest.example\n%.1f\n127.0.0.1 12345\n1 15 %s %s\n",
          (double)now.tv_sec - 10.0, khex[0], khex[1]);
  for (i = 0; i < n_cookies; i++) {
    len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
    UTI_BytesToHex(cookie, len, hex, sizeof hex);
    fprintf(f, "%s\n", hex);
  }
  fclose(f);
}

/* One request through the server; returns the reply length (0: none) */
static int
exchange(NNC_Instance inst, uint8_t *reply, NNS_Result *result)
{
  uint8_t req[NPK_HEADER_LEN + 1232];
  NPK_Header h;
  NPK_Info info;
  NNS_Context ctx;
  int len = NPK_HEADER_LEN, rlen;

  memset(&h, 0, sizeof h);
  h.lvm = NPK_LVM(0, 4, NPK_MODE_CLIENT);
  NPK_WriteHeader(req, sizeof req, &h);
  if (!NNC_GenerateRequestAuth(inst, req, &len, sizeof req) || !NPK_ParsePacket(req, len, &info))
    return 0;
  *result = NNS_CheckRequest(req, len, &info, &ctx);
  if (*result != NNS_OK && *result != NNS_NAK)
    return 0;
  h.lvm = NPK_LVM(0, 4, NPK_MODE_SERVER);
  h.stratum = 2;
  if (*result == NNS_NAK)
    NPK_MakeKoD(&h, NPK_KOD_NTSN);
  NPK_WriteHeader(reply, len, &h);
  rlen = NNS_FinishReply(&ctx, *result, reply, len);
  TEST_CHECK(rlen > 0 && rlen <= len);
  return rlen;
}

static NNC_AuthResult
check(NNC_Instance inst, const uint8_t *reply, int len, int ntsn)
{
  NPK_Info info;

  if (!NPK_ParsePacket(reply, len, &info))
    return NNC_AUTH_BAD;
  return NNC_CheckResponseAuth(inst, reply, len, &info, ntsn);
}

int
main(void)
{
  uint8_t reply[1280], copy[1280];
  NNC_Instance inst;
  NNC_Report report;
  NNS_Result result;
  struct stat st;
  IPAddr ip, ntp_ip;
  uint16_t port;
  int i, len;

  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);
  snprintf(dir, sizeof dir, "/tmp/ntsd-test-nnc.XXXXXX");
  TEST_CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/test.example.nts", dir);
  snprintf(line, sizeof line, "ntsdumpdir %s", dir);
  CNF_Initialise(0);
  CNF_ParseLine("test", 1, line);
  SCH_Initialise();
  NKY_Initialise();
  NNC_Initialise();
  for (i = 0; i < 32; i++) {
    c2s[i] = i;
    s2c[i] = 100 + i;
  }
  UTI_StringToIP("127.0.0.1", &ip);

  /* Three cookies from the dump; the file is gone once read */
  write_dump(3);
  inst = NNC_CreateInstance("test.example", "test.example", &ip, 4460, 0, 123, NULL, NULL);
  TEST_CHECK(access(path, F_OK) != 0);
  TEST_CHECK(NNC_PrepareForAuth(inst));
  NNC_GetNtpAddress(inst, &ntp_ip, &port);
  TEST_CHECK(UTI_CompareIPs(&ip, &ntp_ip) == 0 && port == 12345);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 3 && report.aead == 15 && report.key_length == 256);
  /* authdata's KeyID is the context id of the dump; no NTS-KE, no NAK */
  TEST_CHECK(report.context_id == 1 && report.ke_attempts == 0 && report.nak == 0);
  TEST_CHECK(report.last_ke_ago >= 9.0 && report.last_ke_ago < 60.0);

  /* Placeholders make the server send enough cookies to fill the jar */
  len = exchange(inst, reply, &result);
  TEST_CHECK(len > 0 && result == NNS_OK);
  memcpy(copy, reply, len);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 2);
  TEST_CHECK(check(inst, reply, len, 0) == NNC_AUTH_OK);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 8);
  /* The same reply again (a replay) is not accepted */
  TEST_CHECK(check(inst, copy, len, 0) == NNC_AUTH_BAD);

  /* Tampering anywhere: header, identifier, ciphertext */
  for (i = 0; i < 3; i++) {
    int at = i == 0 ? 1 : i == 1 ? NPK_HEADER_LEN + 8 : len - 5;

    len = exchange(inst, reply, &result);
    reply[at] ^= 1;
    TEST_CHECK(check(inst, reply, len, 0) == NNC_AUTH_BAD);
    reply[at] ^= 1;
    TEST_CHECK(check(inst, reply, len, 0) == NNC_AUTH_OK);
  }

  /* A reply to an earlier request (another identifier) is dropped */
  len = exchange(inst, copy, &result);
  exchange(inst, reply, &result);
  TEST_CHECK(check(inst, copy, len, 0) == NNC_AUTH_BAD);

  /* A NAK echoing our identifier empties the jar; one with another
     identifier, or without the KoD, does nothing */
  NKY_Finalise();
  NKY_Initialise();
  len = exchange(inst, reply, &result);
  TEST_CHECK(result == NNS_NAK);
  TEST_CHECK(check(inst, reply, len, 0) == NNC_AUTH_BAD);
  reply[NPK_HEADER_LEN + 4] ^= 1;
  TEST_CHECK(check(inst, reply, len, 1) == NNC_AUTH_BAD);
  reply[NPK_HEADER_LEN + 4] ^= 1;
  TEST_CHECK(check(inst, reply, len, 1) == NNC_AUTH_NAK);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.nak == 1 && report.n_cookies == 0);
  /* It stays until a request is made again; NTS-KE now counts as an
     attempt (the connection to 127.0.0.1 is never served here) until an
     authentic reply, and the context id is still that of the dump */
  TEST_CHECK(!NNC_PrepareForAuth(inst));
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.nak == 1 && report.ke_attempts == 1 && report.context_id == 1);

  /* Saved at the end, atomically and private (a fresh jar first) */
  NNC_DestroyInstance(inst);
  TEST_CHECK(access(path, F_OK) != 0);           /* no cookies: nothing saved */
  write_dump(5);
  inst = NNC_CreateInstance("test.example", "test.example", &ip, 4460, 0, 123, NULL, NULL);
  NNC_DestroyInstance(inst);
  TEST_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  inst = NNC_CreateInstance("test.example", "test.example", &ip, 4460, 0, 123, NULL, NULL);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 5);

  /* Files for another name, or too old for ntsrefresh, are not used */
  NNC_DestroyInstance(inst);
  inst = NNC_CreateInstance("other", "other", &ip, 4460, 0, 123, NULL, NULL);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 0);
  NNC_DestroyInstance(inst);
  CNF_ParseLine("test", 2, "ntsrefresh 5");
  inst = NNC_CreateInstance("test.example", "test.example", &ip, 4460, 0, 123, NULL, NULL);
  NNC_GetReport(inst, &report);
  TEST_CHECK(report.n_cookies == 0);
  NNC_DestroyInstance(inst);

  NNC_Finalise();
  NKY_Finalise();
  SCH_Finalise();
  CNF_Finalise();
  rmdir(dir);
  TEST_END();
}
