/*
  ntsd - asynchronous name resolution

  A request that is still running when it is forgotten (NRS_Finalise) is
  cancelled if possible; otherwise its memory is left to the helper
  thread, which may still write into it, rather than freed under it.
*/
#include "config.h"

#include <netdb.h>
#include <string.h>

#include "logging.h"
#include "memory.h"
#include "ntp_resolve.h"
#include "sched.h"

/* How often pending requests are checked */
#define CHECK_INTERVAL 0.05

typedef struct {
  struct gaicb cb;
  struct addrinfo hints;
  char *name;
  NRS_Handler handler;
  void *arg;
} Request;

static Request **requests;
static int n_requests;
static SCH_TimeoutID check_id;

static void check_requests(void *arg);

static void
schedule_check(void)
{
  if (!check_id && n_requests > 0)
    check_id = SCH_AddTimeout(CHECK_INTERVAL, check_requests, NULL);
}

static void
free_request(Request *r)
{
  if (r->cb.ar_result)
    freeaddrinfo(r->cb.ar_result);
  Free(r->name);
  Free(r);
}

static int
collect(const struct addrinfo *res, IPAddr *ips)
{
  const struct addrinfo *ai;
  uint16_t port;
  int i, n = 0;

  for (ai = res; ai && n < NRS_MAX_ADDRESSES; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || !ai->ai_addr)
      continue;
    UTI_SockaddrToIPPort(ai->ai_addr, &ips[n], &port);
    for (i = 0; i < n && UTI_CompareIPs(&ips[i], &ips[n]) != 0; i++)
      ;
    if (i == n)
      n++;
  }
  return n;
}

static void
check_requests(void *arg)
{
  IPAddr ips[NRS_MAX_ADDRESSES];
  Request *r;
  int i, n, err;

  check_id = 0;
  for (i = 0; i < n_requests; ) {
    r = requests[i];
    err = gai_error(&r->cb);
    if (err == EAI_INPROGRESS) {
      i++;
      continue;
    }
    requests[i] = requests[--n_requests];
    n = err == 0 ? collect(r->cb.ar_result, ips) : 0;
    if (err != 0)
      DEBUG_LOG("Could not resolve %s : %s", r->name, gai_strerror(err));
    /* The handler may start new requests */
    r->handler(n, ips, r->arg);
    free_request(r);
  }
  schedule_check();
}

void
NRS_Initialise(void)
{
}

void
NRS_Finalise(void)
{
  int i;

  SCH_RemoveTimeout(check_id);
  check_id = 0;
  for (i = 0; i < n_requests; i++) {
    if (gai_error(&requests[i]->cb) == EAI_INPROGRESS &&
        gai_cancel(&requests[i]->cb) != EAI_CANCELED)
      continue;
    free_request(requests[i]);
  }
  Free(requests);
  requests = NULL;
  n_requests = 0;
}

int
NRS_Resolve(const char *name, int family, NRS_Handler handler, void *arg)
{
  struct gaicb *list[1];
  Request *r = MallocNew(Request);

  memset(r, 0, sizeof *r);
  r->name = Strdup(name);
  r->hints.ai_family = family;
  r->hints.ai_socktype = SOCK_DGRAM;
  r->cb.ar_name = r->name;
  r->cb.ar_request = &r->hints;
  r->handler = handler;
  r->arg = arg;

  list[0] = &r->cb;
  if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
    LOG(LOGS_ERR, "Could not start resolving %s", name);
    Free(r->name);
    Free(r);
    return 0;
  }

  requests = ReallocArray(Request *, n_requests + 1, requests);
  requests[n_requests++] = r;
  schedule_check();
  return 1;
}
