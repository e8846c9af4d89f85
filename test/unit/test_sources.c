/*
  Pools in the NTP client: a pool fills up to maxsources from the name's
  addresses, and a pool source that stays unreachable moves to an address
  no source uses when the name is resolved again, while a reachable one
  stays.  No test system name resolves to several loopback addresses
  (and /etc/hosts is not ours to edit), so the resolver is replaced here:
  this program defines the NRS_ functions, and the linker then never takes
  ntp_resolve.o from the library.  The pool's addresses are 127.0.0.1-3;
  only 127.0.0.2 answers, from a small NTP responder in the same loop.
*/
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "logging.h"
#include "ntp_client.h"
#include "ntp_pkt.h"
#include "ntp_resolve.h"
#include "ntp_sample.h"
#include "ntp_sources.h"
#include "sched.h"
#include "sources.h"
#include "test.h"

/* ---- the fake resolver ---- */

static IPAddr fake_ips[NRS_MAX_ADDRESSES];
static int n_fake_ips, n_resolves;
static NRS_Handler pending_handler;
static void *pending_arg;

void NRS_Initialise(void) { }
void NRS_Finalise(void) { pending_handler = NULL; }

static void
answer(void *arg)
{
  NRS_Handler h = pending_handler;

  pending_handler = NULL;
  if (h)
    h(n_fake_ips, fake_ips, pending_arg);
}

int
NRS_Resolve(const char *name, int family, NRS_Handler handler, void *arg)
{
  /* Asynchronous like the real one: the answer comes from the loop */
  n_resolves++;
  pending_handler = handler;
  pending_arg = arg;
  SCH_AddTimeout(0.01, answer, NULL);
  return 1;
}

/* ---- an NTP server on 127.0.0.2 ---- */

static void
respond(int fd, int event, void *arg)
{
  uint8_t pkt[512];
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  struct timespec now;
  NPK_Header req, h;
  ssize_t n;

  n = recvfrom(fd, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &from_len);
  if (n < NPK_HEADER_LEN || !NPK_ReadHeader(pkt, (int)n, &req))
    return;
  clock_gettime(CLOCK_REALTIME, &now);
  memset(&h, 0, sizeof h);
  h.lvm = NPK_LVM(0, 4, 4);
  h.stratum = 1;
  h.poll = req.poll;
  h.precision = -20;
  h.reference_id = htonl(NPK_REFID('T', 'E', 'S', 'T'));
  UTI_TimespecToNtp64(&now, &h.reference_ts, NULL);
  h.originate_ts = req.transmit_ts;
  UTI_TimespecToNtp64(&now, &h.receive_ts, NULL);
  h.transmit_ts = h.receive_ts;
  NPK_WriteHeader(pkt, sizeof pkt, &h);
  sendto(fd, pkt, NPK_HEADER_LEN, 0, (struct sockaddr *)&from, from_len);
}

static int
open_responder(uint16_t *port)
{
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);

  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000002);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
    return -1;
  *port = ntohs(sin.sin_port);
  SCH_AddFileHandler(fd, SCH_FILE_INPUT, respond, NULL);
  return fd;
}

/* ---- watching the sources ---- */

static uint32_t source0[8];
static int n_source0;
static int source1_moved, source1_good, source1_tests;
static double elapsed;

static void
watch(void *arg)
{
  NCL_NtpData d;

  elapsed += 0.02;
  if (NCS_GetNumberOfSources() == 2) {
    /* The addresses source 0 has had, in order */
    if (NCS_GetNtpData(0, &d) &&
        (n_source0 == 0 || source0[n_source0 - 1] != d.remote_addr.addr.in4) && n_source0 < 8)
      source0[n_source0++] = d.remote_addr.addr.in4;
    if (NCS_GetNtpData(1, &d)) {
      if (d.remote_addr.addr.in4 != 0x7f000002)
        source1_moved = 1;
      source1_good = d.good_count;
      source1_tests = d.tests;
    }
  }
  if (n_source0 >= 3 || elapsed > 6.0)
    SCH_QuitProgram();
  else
    SCH_AddTimeout(0.02, watch, NULL);
}

int
main(void)
{
  NCS_Activity a;
  IPAddr all;
  char line[128];
  uint16_t port = 0;
  int i, fd;

  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_ERR);
  CNF_Initialise(0);
  SCH_Initialise();
  fd = open_responder(&port);
  TEST_CHECK(fd >= 0);

  for (i = 0; i < 3; i++) {
    fake_ips[i].family = AF_INET;
    fake_ips[i].addr.in4 = 0x7f000001 + i;
  }
  n_fake_ips = 3;

  /* Polls every 1/16 s: eight unanswered in half a second */
  snprintf(line, sizeof line, "pool pool.test port %u maxsources 2 minpoll -4 maxpoll -4", port);
  CNF_ParseLine("test", 1, line);
  NCL_Initialise();

  NCS_GetActivity(&a);
  TEST_CHECK(a.unresolved == 2 && a.online == 0);

  SCH_AddTimeout(0.02, watch, NULL);
  SCH_MainLoop();

  /* Filled from the first two addresses; the dead one moved to the
     third, then (dead again) back to the first, which was free again */
  TEST_CHECK(n_source0 == 3);
  TEST_CHECK(source0[0] == 0x7f000001);
  TEST_CHECK(source0[1] == 0x7f000003);
  TEST_CHECK(source0[2] == 0x7f000001);
  TEST_CHECK(n_resolves >= 3);
  /* The live one stayed and kept its samples */
  TEST_CHECK(!source1_moved);
  TEST_CHECK(source1_good > 0);
  /* ... having passed every test of chronyd's (a stratum 1 server) */
  TEST_CHECK(source1_tests == NSP_TESTS_ALL);
  TEST_CHECK(SRC_GetNumberOfSources() == 2);

  NCS_GetActivity(&a);
  TEST_CHECK(a.online == 2 && a.offline == 0 && a.unresolved == 0);

  /* offline for all sources, then a burst of one */
  memset(&all, 0, sizeof all);
  all.family = AF_UNSPEC;
  TEST_CHECK(NCS_SetConnectivity(&all, &all, NCL_OFFLINE));
  NCS_GetActivity(&a);
  TEST_CHECK(a.online == 0 && a.offline == 2);
  TEST_CHECK(NCS_InitiateBurst(&all, &fake_ips[1], 1, 2));
  NCS_GetActivity(&a);
  TEST_CHECK(a.offline == 1 && a.burst_offline == 1);
  /* No source is at the third address now */
  TEST_CHECK(!NCS_InitiateBurst(&all, &fake_ips[2], 1, 2));

  SRC_ResetSources();
  TEST_CHECK(SRC_GetNumberOfSamples(SRC_GetSourceByIndex(1)) == 0);

  /* refresh: the name lost 127.0.0.1, so the source there moves to the
     free 127.0.0.3; the one at 127.0.0.2 stays */
  fake_ips[0].addr.in4 = 0x7f000003;
  n_fake_ips = 2;
  i = n_resolves;
  NCS_Refresh();
  /* The loop has quit for good: the answer is given here */
  answer(NULL);
  TEST_CHECK(n_resolves == i + 1);
  {
    NCL_NtpData d;
    IPAddr old_ip;

    memset(&old_ip, 0, sizeof old_ip);
    TEST_CHECK(NCS_GetNtpData(0, &d) && d.remote_addr.addr.in4 == 0x7f000003);
    TEST_CHECK(NCS_GetNtpData(1, &d) && d.remote_addr.addr.in4 == 0x7f000002);
    TEST_CHECK(NCS_GetNtpDataByAddress(&fake_ips[0], &d) &&
               d.remote_addr.addr.in4 == 0x7f000003);
    old_ip.family = AF_INET;
    old_ip.addr.in4 = 0x7f000001;
    TEST_CHECK(!NCS_GetNtpDataByAddress(&old_ip, &d));
    TEST_CHECK(!NCS_GetNtpData(2, &d));
  }
  /* Not NTS sources: no authdata */
  {
    NNC_Report r;

    TEST_CHECK(!NCS_GetNtsReport(0, &r) && !NCS_GetNtsReport(5, &r));
  }

  NCL_Finalise();
  SRC_Finalise();
  SCH_RemoveFileHandler(fd);
  close(fd);
  SCH_Finalise();
  CNF_Finalise();
  LOG_Finalise();
  TEST_END();
}
