/*
  ntsd - the NTP client's sources

  A source is kept here with the name it came from, if any.  A name is
  resolved once at start; with too few addresses for its directive it is
  resolved again later, less and less often (RESOLVE_RETRY doubling up to
  RESOLVE_RETRY_MAX).  One resolution runs at a time per name, and its
  answer serves everything that was waiting for it: new sources, pool
  sources to replace and (refresh) sources whose address the name no
  longer has.  A source only ever moves to an address no other source
  uses with the same port.
*/
#include "config.h"

#include <math.h>
#include <string.h>

#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "ntp_client.h"
#include "ntp_resolve.h"
#include "ntp_sources.h"
#include "sched.h"

#define RESOLVE_RETRY 64.0
#define RESOLVE_RETRY_MAX 4096.0
/* Between the first requests of the sources, so that many sources do not
   send at once */
#define START_SPREAD 0.01

/* A server or pool directive with a name to resolve */
typedef struct {
  const CNF_Source *conf;
  int n_sources;               /* sources with one of its addresses */
  int first_done;              /* the first resolution is over (-q/-Q) */
  int resolving;
  int refresh;                 /* the running resolution is for refresh */
  int online;                  /* the mode its sources still to come start in */
  double retry_interval;
  SCH_TimeoutID retry_id;
} Name;

typedef struct {
  NCL_Instance inst;
  Name *name;                  /* NULL for a numeric address */
  int replace;                 /* (pool) waiting for a new address */
  int finished;                /* -q/-Q: nothing more to do */
} Source;

static Source **sources;
static int n_sources;
static Name **names;
static int n_names;
/* -q/-Q: names whose first resolution is not over */
static int n_unresolved;

static int once_mode;
static NCL_DoneHandler done_handler;
static void *done_arg;
static int done_called;
static SCH_TimeoutID done_id;

static void start_resolve(Name *nm, int refresh);

/* ---- -q/-Q ---- */

static void
call_done_handler(void *arg)
{
  done_id = 0;
  if (!done_called) {
    done_called = 1;
    done_handler(done_arg);
  }
}

static void
check_once_done(void)
{
  int i;

  if (!once_mode || done_called || done_id || n_unresolved > 0)
    return;
  for (i = 0; i < n_sources; i++) {
    if (!sources[i]->finished)
      return;
  }
  /* From the loop, not from inside a handler of one of our sockets */
  done_id = SCH_AddTimeout(0.0, call_done_handler, NULL);
}

/* ---- the instances' callbacks ---- */

static void
source_finished(void *arg)
{
  Source *s = arg;

  s->finished = 1;
  check_once_done();
}

/* A pool source that stopped answering: resolve the name again for an
   address no source uses (-q/-Q has no time for that) */
static int
source_unreachable(void *arg)
{
  Source *s = arg;
  IPAddr ip;
  uint16_t port;

  if (!s->name || s->name->conf->type != CNF_SRC_POOL || once_mode || s->replace)
    return 0;
  NCL_GetAddress(s->inst, &ip, &port);
  LOG(LOGS_INFO, "Source %s unreachable, looking for a replacement", UTI_IPToString(&ip));
  s->replace = 1;
  start_resolve(s->name, 0);
  return 1;
}

/* ---- adding and moving sources ---- */

static void
add_source(const CNF_Source *conf, Name *nm, const IPAddr *ip)
{
  Source *s = MallocNew(Source);

  memset(s, 0, sizeof *s);
  s->name = nm;
  s->inst = NCL_CreateInstance(conf, ip, nm ? nm->online : !conf->offline,
                               START_SPREAD * n_sources, source_finished,
                               source_unreachable, s);
  sources = ReallocArray(Source *, n_sources + 1, sources);
  sources[n_sources++] = s;
  if (nm)
    nm->n_sources++;
}

static int
family_allowed(int family)
{
  int f = CNF_GetAddressFamily();

  return f == AF_UNSPEC || f == family;
}

static int
in_list(const IPAddr *ip, int n, const IPAddr *ips)
{
  int i;

  for (i = 0; i < n; i++) {
    if (UTI_CompareIPs(ip, &ips[i]) == 0)
      return 1;
  }
  return 0;
}

/* An address of the list that no source uses with this port, or NULL */
static const IPAddr *
unused_address(int port, int n, const IPAddr *ips)
{
  IPAddr ip;
  uint16_t p;
  int i, j;

  for (i = 0; i < n; i++) {
    if (!family_allowed(ips[i].family))
      continue;
    for (j = 0; j < n_sources; j++) {
      NCL_GetAddress(sources[j]->inst, &ip, &p);
      if (p == port && UTI_CompareIPs(&ip, &ips[i]) == 0)
        break;
    }
    if (j == n_sources)
      return &ips[i];
  }
  return NULL;
}

static void
retry_resolve(void *arg)
{
  Name *nm = arg;

  nm->retry_id = 0;
  start_resolve(nm, 0);
}

static void
resolved(int n, const IPAddr *ips, void *arg)
{
  Name *nm = arg;
  const IPAddr *ip;
  int i, max = nm->conf->type == CNF_SRC_POOL ? nm->conf->maxsources : 1;
  IPAddr addr;
  uint16_t port;
  Source *s;

  nm->resolving = 0;
  if (n == 0)
    LOG(LOGS_WARN, "Could not resolve %s", nm->conf->name);

  /* Unreachable pool sources, and (refresh) sources whose address the
     name no longer has, move to an unused address if there is one */
  for (i = 0; i < n_sources; i++) {
    s = sources[i];
    if (s->name != nm)
      continue;
    NCL_GetAddress(s->inst, &addr, &port);
    if (!(s->replace || (nm->refresh && n > 0 && !in_list(&addr, n, ips))))
      continue;
    s->replace = 0;
    ip = unused_address(port, n, ips);
    if (ip)
      NCL_ChangeAddress(s->inst, ip);
  }
  nm->refresh = 0;

  while (nm->n_sources < max && (ip = unused_address(nm->conf->port, n, ips)))
    add_source(nm->conf, nm, ip);

  if (!nm->first_done) {
    nm->first_done = 1;
    n_unresolved--;
  }
  /* Too few addresses: the rest later, less and less often */
  if (nm->n_sources < max && !once_mode) {
    nm->retry_interval = nm->retry_interval > 0.0 ?
                         fmin(2.0 * nm->retry_interval, RESOLVE_RETRY_MAX) : RESOLVE_RETRY;
    if (!nm->retry_id)
      nm->retry_id = SCH_AddTimeout(nm->retry_interval, retry_resolve, nm);
  } else {
    nm->retry_interval = 0.0;
  }
  check_once_done();
}

/* One resolution at a time per name; refresh marks the running one */
static void
start_resolve(Name *nm, int refresh)
{
  if (refresh)
    nm->refresh = 1;
  if (nm->resolving)
    return;
  SCH_RemoveTimeout(nm->retry_id);
  nm->retry_id = 0;
  nm->resolving = 1;
  if (!NRS_Resolve(nm->conf->name, CNF_GetAddressFamily(), resolved, nm))
    resolved(0, NULL, nm);
}

/* ---- the set ---- */

void
NCS_SetOnceMode(NCL_DoneHandler handler, void *arg)
{
  once_mode = 1;
  done_handler = handler;
  done_arg = arg;
  done_called = 0;
}

void
NCS_Initialise(void)
{
  const CNF_Config *c = CNF_Get();
  const CNF_Source *conf;
  Name *nm;
  IPAddr ip;
  int i;

  for (i = 0; i < c->n_sources; i++) {
    conf = &c->sources[i];
#ifndef FEAT_NTS
    /* Never as an unauthenticated source */
    if (conf->nts) {
      LOG(LOGS_WARN, "Built without NTS, ignoring source %s", conf->name);
      continue;
    }
#endif
    if (UTI_StringToIP(conf->name, &ip)) {
      if (!family_allowed(ip.family)) {
        LOG(LOGS_WARN, "Ignoring source %s of a disabled address family", conf->name);
        continue;
      }
      add_source(conf, NULL, &ip);
    } else {
      nm = MallocNew(Name);
      memset(nm, 0, sizeof *nm);
      nm->conf = conf;
      nm->online = !conf->offline;
      names = ReallocArray(Name *, n_names + 1, names);
      names[n_names++] = nm;
      n_unresolved++;
      start_resolve(nm, 0);
    }
  }
  check_once_done();
}

void
NCS_Finalise(void)
{
  int i;

  for (i = 0; i < n_sources; i++) {
    NCL_DestroyInstance(sources[i]->inst);
    Free(sources[i]);
  }
  Free(sources);
  sources = NULL;
  n_sources = 0;
  for (i = 0; i < n_names; i++) {
    SCH_RemoveTimeout(names[i]->retry_id);
    Free(names[i]);
  }
  Free(names);
  names = NULL;
  n_names = 0;
  n_unresolved = 0;
  SCH_RemoveTimeout(done_id);
  done_id = 0;
}

int
NCS_GetNumberOfSources(void)
{
  return n_sources;
}

int
NCS_GetNtpData(int index, NCL_NtpData *data)
{
  if (index < 0 || index >= n_sources)
    return 0;
  NCL_GetNtpData(sources[index]->inst, data);
  return 1;
}

int
NCS_GetNtpDataByAddress(const IPAddr *ip, NCL_NtpData *data)
{
  IPAddr addr;
  uint16_t port;
  int i;

  for (i = 0; i < n_sources; i++) {
    NCL_GetAddress(sources[i]->inst, &addr, &port);
    if (UTI_CompareIPs(&addr, ip) == 0)
      return NCS_GetNtpData(i, data);
  }
  return 0;
}

int
NCS_GetNtsReport(int index, NNC_Report *report)
{
  if (index < 0 || index >= n_sources)
    return 0;
  return NCL_GetNtsReport(sources[index]->inst, report);
}

/* ---- source control (the command protocol) ---- */

/* chronyd's matching: address AF_UNSPEC selects every source, a mask of
   another family than the address means the address exactly */
static int
address_matches(const Source *s, const IPAddr *mask, const IPAddr *address)
{
  IPAddr ip;
  uint16_t port;
  int i;

  if (address->family == AF_UNSPEC)
    return 1;
  NCL_GetAddress(s->inst, &ip, &port);
  if (ip.family != address->family)
    return 0;
  if (mask->family != address->family)
    return UTI_CompareIPs(&ip, address) == 0;
  if (ip.family == AF_INET)
    return ((ip.addr.in4 ^ address->addr.in4) & mask->addr.in4) == 0;
  for (i = 0; i < 16; i++) {
    if ((ip.addr.in6[i] ^ address->addr.in6[i]) & mask->addr.in6[i])
      return 0;
  }
  return 1;
}

int
NCS_SetConnectivity(const IPAddr *mask, const IPAddr *address, NCL_Connectivity c)
{
  int i, any = 0;

  for (i = 0; i < n_sources; i++) {
    if (address_matches(sources[i], mask, address) && NCL_SetConnectivity(sources[i]->inst, c))
      any = 1;
  }

  /* Sources still to come from names start in the new mode (onoffline
     cannot know yet where they will be) */
  if (address->family == AF_UNSPEC && c != NCL_MAYBE_ONLINE) {
    for (i = 0; i < n_names; i++) {
      names[i]->online = c == NCL_ONLINE;
      if (names[i]->n_sources < (names[i]->conf->type == CNF_SRC_POOL ?
                                 names[i]->conf->maxsources : 1))
        any = 1;
    }
  }
  return any;
}

int
NCS_InitiateBurst(const IPAddr *mask, const IPAddr *address, int n_good, int n_total)
{
  int i, any = 0;

  for (i = 0; i < n_sources; i++) {
    if (address_matches(sources[i], mask, address) &&
        NCL_InitiateBurst(sources[i]->inst, n_good, n_total))
      any = 1;
  }
  return any;
}

void
NCS_Refresh(void)
{
  int i;

  for (i = 0; i < n_names; i++)
    start_resolve(names[i], 1);
  for (i = 0; i < n_sources; i++)
    NCL_ForceNtsKe(sources[i]->inst);
}

void
NCS_GetActivity(NCS_Activity *a)
{
  int i, max;

  memset(a, 0, sizeof *a);
  for (i = 0; i < n_sources; i++) {
    switch (NCL_GetMode(sources[i]->inst)) {
      case NCL_MODE_ONLINE: a->online++; break;
      case NCL_MODE_OFFLINE: a->offline++; break;
      case NCL_MODE_BURST_WAS_ONLINE: a->burst_online++; break;
      case NCL_MODE_BURST_WAS_OFFLINE: a->burst_offline++; break;
    }
  }
  /* As chronyd, every source a name may still give counts unresolved */
  for (i = 0; i < n_names; i++) {
    max = names[i]->conf->type == CNF_SRC_POOL ? names[i]->conf->maxsources : 1;
    if (names[i]->n_sources < max)
      a->unresolved += max - names[i]->n_sources;
  }
}
