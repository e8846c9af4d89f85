/*
  ntsctl - commands that change the daemon

  Argument syntax as chronyc 4.3; each command prints the status line of
  the reply ("200 OK" on success), as chronyc does for commands without a
  report.
*/
#include "config.h"

#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ctl.h"

static uint8_t reply[CMW_MAX_REPLY_LEN];
static int reply_len;

char *
CTL_NextWord(char **args)
{
  char *p = *args, *w;

  if (!p)
    return NULL;
  while (*p == ' ' || *p == '\t')
    p++;
  if (!*p) {
    *args = p;
    return NULL;
  }
  w = p;
  while (*p && *p != ' ' && *p != '\t')
    p++;
  if (*p)
    *p++ = '\0';
  *args = p;
  return w;
}

static int
resolve_name(const char *name, IPAddr *ip)
{
  struct addrinfo hints, *res, *ai;
  uint16_t port;
  int ok = 0;

  memset(&hints, 0, sizeof hints);
  hints.ai_family = CTL_options.family ? CTL_options.family : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(name, NULL, &hints, &res) != 0)
    return 0;
  for (ai = res; ai; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) {
      UTI_SockaddrToIPPort(ai->ai_addr, ip, &port);
      ok = 1;
      break;
    }
  }
  freeaddrinfo(res);
  return ok;
}

int
CTL_ParseAddress(const char *s, IPAddr *ip)
{
  if (CMW_ParseSourceId(s, ip) || UTI_StringToIP(s, ip))
    return 1;
  if (resolve_name(s, ip))
    return 1;
  fprintf(stderr, "Could not get address for hostname\n");
  return 0;
}

/* Send a command without report and print its status line */
static int
submit(int command, const uint8_t *body, int body_len)
{
  return CTN_Submit(command, body, body_len, CMW_RPY_NULL, 1, reply, &reply_len);
}

static void
mask_from_bits(int family, int bits, IPAddr *mask)
{
  int i;

  memset(mask, 0, sizeof *mask);
  if (family != AF_INET && family != AF_INET6)
    return;
  mask->family = family;
  if (family == AF_INET) {
    bits = bits > 32 ? 32 : bits;
    mask->addr.in4 = bits <= 0 ? 0 : (uint32_t)(0xffffffffULL << (32 - bits));
  } else {
    for (i = 0; i < 16; i++) {
      int b = bits - 8 * i;

      mask->addr.in6[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (uint8_t)(0xff << (8 - b));
    }
  }
}

/* [mask/]address or address/bits, or nothing for all sources */
static int
parse_mask_address(char *s, IPAddr *mask, IPAddr *address)
{
  char *slash, *end;
  long bits;

  memset(mask, 0, sizeof *mask);
  memset(address, 0, sizeof *address);
  if (!s || !*s)
    return 1;

  slash = strchr(s, '/');
  if (slash) {
    *slash = '\0';
    bits = strtol(slash + 1, &end, 10);
    if (*end == '\0' && slash[1] != '\0') {
      if (!UTI_StringToIP(s, address) ||
          bits < 0 || bits > (address->family == AF_INET ? 32 : 128))
        goto bad;
      mask_from_bits(address->family, bits, mask);
      return 1;
    }
    if (!UTI_StringToIP(s, mask) || !UTI_StringToIP(slash + 1, address) ||
        mask->family != address->family)
      goto bad;
    return 1;
  }

  if (CMW_ParseSourceId(s, address))
    return 1;
  if (!CTL_ParseAddress(s, address))
    return 0;
  mask_from_bits(address->family, address->family == AF_INET ? 32 : 128, mask);
  return 1;

bad:
  fprintf(stderr, "Invalid syntax for mask/address\n");
  return 0;
}

static int
cmd_connectivity(int command, char *args)
{
  uint8_t body[40];
  IPAddr mask, address;

  if (!parse_mask_address(CTL_NextWord(&args), &mask, &address))
    return 0;
  CMW_PutIPAddr(body, &mask);
  CMW_PutIPAddr(body + 20, &address);
  return submit(command, body, sizeof body);
}

static int
cmd_burst(char *args)
{
  uint8_t body[48];
  IPAddr mask, address;
  int good, total;
  char *w = CTL_NextWord(&args);

  if (!w || sscanf(w, "%d/%d", &good, &total) != 2) {
    fprintf(stderr, "Invalid syntax for burst command\n");
    return 0;
  }
  if (!parse_mask_address(CTL_NextWord(&args), &mask, &address))
    return 0;
  CMW_PutIPAddr(body, &mask);
  CMW_PutIPAddr(body + 20, &address);
  CMW_PutU32(body + 40, (uint32_t)good);
  CMW_PutU32(body + 44, (uint32_t)total);
  return submit(CMW_REQ_BURST, body, sizeof body);
}

static int
cmd_makestep(char *args)
{
  char *th = CTL_NextWord(&args), *lim = CTL_NextWord(&args);
  uint8_t body[8];

  if (!th)
    return submit(CMW_REQ_MAKESTEP, NULL, 0);
  if (!lim) {
    fprintf(stderr, "Invalid syntax for makestep command\n");
    return 0;
  }
  CMW_PutU32(body, (uint32_t)atoi(lim));
  CMW_PutFloat(body + 4, atof(th));
  return submit(CMW_REQ_MODIFY_MAKESTEP, body, sizeof body);
}

static int
cmd_local(char *args)
{
  int stratum = 10, orphan = 0, on = 1;
  double distance = 1.0;
  uint8_t body[16];
  char *w;

  while ((w = CTL_NextWord(&args))) {
    if (strcmp(w, "off") == 0) {
      on = 0;
    } else if (strcmp(w, "stratum") == 0 && (w = CTL_NextWord(&args))) {
      stratum = atoi(w);
    } else if (strcmp(w, "distance") == 0 && (w = CTL_NextWord(&args))) {
      distance = atof(w);
    } else if (strcmp(w, "orphan") == 0) {
      orphan = 1;
    } else {
      fprintf(stderr, "Invalid syntax for local command\n");
      return 0;
    }
  }
  memset(body, 0, sizeof body);
  if (on) {
    CMW_PutU32(body, 1);
    CMW_PutU32(body + 4, stratum);
    CMW_PutFloat(body + 8, distance);
    CMW_PutU32(body + 12, orphan);
  }
  return submit(CMW_REQ_LOCAL2, body, sizeof body);
}

static int
cmd_allow_deny(int command, int all_command, char *args)
{
  uint8_t body[24];
  IPAddr ip;
  int bits = 0;
  char *w = CTL_NextWord(&args);

  if (w && strcmp(w, "all") == 0) {
    command = all_command;
    w = CTL_NextWord(&args);
  }
  memset(&ip, 0, sizeof ip);
  if (w && strchr(w, '/')) {
    /* The prefix length goes to the daemon unchecked; it judges it */
    char *slash = strchr(w, '/'), *end;
    int default_bits;

    *slash = '\0';
    bits = strtol(slash + 1, &end, 10);
    if (*end != '\0' || slash[1] == '\0' || !UTI_ParseSubnet(w, &ip, &default_bits)) {
      fprintf(stderr, "Could not read address\n");
      return 0;
    }
  } else if (w && !UTI_ParseSubnet(w, &ip, &bits)) {
    if (!resolve_name(w, &ip)) {
      fprintf(stderr, "Could not read address\n");
      return 0;
    }
    bits = ip.family == AF_INET ? 32 : 128;
  }
  CMW_PutIPAddr(body, &ip);
  CMW_PutU32(body + 20, (uint32_t)bits);
  return submit(command, body, sizeof body);
}

static int
cmd_address(int command, char *args)
{
  uint8_t body[CMW_IPADDR_LEN];
  IPAddr ip;
  char *w = CTL_NextWord(&args);

  if (!w) {
    fprintf(stderr, "Invalid syntax for address\n");
    return 0;
  }
  if (!CTL_ParseAddress(w, &ip))
    return 0;
  CMW_PutIPAddr(body, &ip);
  return submit(command, body, sizeof body);
}

static int
cmd_modify(int command, int is_float, char *args)
{
  char *a = CTL_NextWord(&args), *v = CTL_NextWord(&args);
  uint8_t body[24];
  IPAddr ip;

  if (!a || !v) {
    fprintf(stderr, "Invalid syntax for address value\n");
    return 0;
  }
  if (!CTL_ParseAddress(a, &ip))
    return 0;
  CMW_PutIPAddr(body, &ip);
  if (is_float)
    CMW_PutFloat(body + 20, atof(v));
  else
    CMW_PutU32(body + 20, (uint32_t)atoi(v));
  return submit(command, body, sizeof body);
}

static int
cmd_float(int command, char *args)
{
  char *w = CTL_NextWord(&args);
  uint8_t body[4];

  if (!w) {
    fprintf(stderr, "Invalid syntax for value\n");
    return 0;
  }
  CMW_PutFloat(body, atof(w));
  return submit(command, body, sizeof body);
}

static int
cmd_option(int command, int option)
{
  uint8_t body[4];

  CMW_PutU32(body, (uint32_t)option);
  return submit(command, body, sizeof body);
}

static int
cmd_manual(char *args)
{
  char *w = CTL_NextWord(&args);

  if (!w)
    goto bad;
  if (strcmp(w, "off") == 0)
    return cmd_option(CMW_REQ_MANUAL, 0);
  if (strcmp(w, "on") == 0)
    return cmd_option(CMW_REQ_MANUAL, 1);
  if (strcmp(w, "reset") == 0)
    return cmd_option(CMW_REQ_MANUAL, 2);
  if (strcmp(w, "list") == 0)
    return CTR_ManualList(args);
  if (strcmp(w, "delete") == 0 && (w = CTL_NextWord(&args)))
    return cmd_option(CMW_REQ_MANUAL_DELETE, atoi(w));
bad:
  fprintf(stderr, "Invalid syntax for manual command\n");
  return 0;
}

static int
cmd_smoothtime(char *args)
{
  char *w = CTL_NextWord(&args);

  if (w && strcmp(w, "reset") == 0)
    return cmd_option(CMW_REQ_SMOOTHTIME, 0);
  if (w && strcmp(w, "activate") == 0)
    return cmd_option(CMW_REQ_SMOOTHTIME, 1);
  fprintf(stderr, "Invalid syntax for smoothtime command\n");
  return 0;
}

/* The date forms accepted by settime: a time of day (today, UTC... as
   chronyc, local time) or a full date and time */
static int
parse_date(const char *s, time_t *t)
{
  static const char *const formats[] = {
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%b %d, %Y %H:%M:%S", "%b %d %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S", "%H:%M:%S", "%H:%M",
  };
  struct tm tm, now_tm;
  unsigned int i;
  const char *end;
  time_t now = time(NULL);

  for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    localtime_r(&now, &now_tm);
    memset(&tm, 0, sizeof tm);
    end = strptime(s, formats[i], &tm);
    if (!end || *end != '\0')
      continue;
    if (formats[i][0] == '%' && formats[i][1] == 'H') {
      tm.tm_year = now_tm.tm_year;
      tm.tm_mon = now_tm.tm_mon;
      tm.tm_mday = now_tm.tm_mday;
    }
    tm.tm_isdst = -1;
    *t = mktime(&tm);
    return *t != (time_t)-1;
  }
  return 0;
}

static int
cmd_settime(char *args)
{
  CMR_ManualTimestamp m;
  struct timespec ts;
  uint8_t body[12];

  while (*args == ' ')
    args++;
  if (!parse_date(args, &ts.tv_sec)) {
    CTP_Status("510 - Could not parse date string", 1);
    return 0;
  }
  ts.tv_nsec = 0;
  CMW_PutTimespec(body, &ts);
  if (!CTN_Submit(CMW_REQ_SETTIME, body, sizeof body, CMW_RPY_MANUAL_TIMESTAMP2,
                  !CTL_options.json, reply, &reply_len) ||
      !CMR_DecodeManualTimestamp(reply, reply_len, &m))
    return 0;
  if (CTL_options.json) {
    CTJ_BeginObject(NULL);
    CTJ_Double("offset", m.offset);
    CTJ_Double("frequency_change_ppm", m.dfreq_ppm);
    CTJ_Double("new_frequency_ppm", m.new_afreq_ppm);
    CTJ_EndObject();
    CTJ_End();
    return 1;
  }
  printf("Clock was %.2f seconds fast.  Frequency change = %.2fppm, new frequency = %.2fppm\n",
         m.offset, m.dfreq_ppm, m.new_afreq_ppm);
  return 1;
}

/* reset sources, reload sources: "sources" is the only word they take */
static int
cmd_sources(const char *name, int command, char *args)
{
  char *w = CTL_NextWord(&args);

  if (w && strcmp(w, "sources") == 0)
    return submit(command, NULL, 0);
  fprintf(stderr, "Invalid syntax for %s command\n", name);
  return 0;
}

int
CTA_Run(const char *name, char *args)
{
  static const struct { const char *name; int command; } simple[] = {
    { "cyclelogs", CMW_REQ_CYCLELOGS }, { "dump", CMW_REQ_DUMP },
    { "onoffline", CMW_REQ_ONOFFLINE }, { "refresh", CMW_REQ_REFRESH },
    { "rekey", CMW_REQ_REKEY }, { "reselect", CMW_REQ_RESELECT },
    { "shutdown", CMW_REQ_SHUTDOWN }, { "trimrtc", CMW_REQ_TRIMRTC },
    { "writertc", CMW_REQ_WRITERTC },
  };
  static const struct { const char *name; int command, is_float; } modify[] = {
    { "minpoll", CMW_REQ_MODIFY_MINPOLL, 0 }, { "maxpoll", CMW_REQ_MODIFY_MAXPOLL, 0 },
    { "maxdelay", CMW_REQ_MODIFY_MAXDELAY, 1 },
    { "maxdelayratio", CMW_REQ_MODIFY_MAXDELAYRATIO, 1 },
    { "maxdelaydevratio", CMW_REQ_MODIFY_MAXDELAYDEVRATIO, 1 },
    { "minstratum", CMW_REQ_MODIFY_MINSTRATUM, 0 },
    { "polltarget", CMW_REQ_MODIFY_POLLTARGET, 0 },
  };
  unsigned int i;

  for (i = 0; i < sizeof simple / sizeof simple[0]; i++) {
    if (strcmp(name, simple[i].name) == 0)
      return submit(simple[i].command, NULL, 0);
  }
  for (i = 0; i < sizeof modify / sizeof modify[0]; i++) {
    if (strcmp(name, modify[i].name) == 0)
      return cmd_modify(modify[i].command, modify[i].is_float, args);
  }

  if (strcmp(name, "online") == 0)
    return cmd_connectivity(CMW_REQ_ONLINE, args);
  if (strcmp(name, "offline") == 0)
    return cmd_connectivity(CMW_REQ_OFFLINE, args);
  if (strcmp(name, "burst") == 0)
    return cmd_burst(args);
  if (strcmp(name, "makestep") == 0)
    return cmd_makestep(args);
  if (strcmp(name, "local") == 0)
    return cmd_local(args);
  if (strcmp(name, "allow") == 0)
    return cmd_allow_deny(CMW_REQ_ALLOW, CMW_REQ_ALLOWALL, args);
  if (strcmp(name, "deny") == 0)
    return cmd_allow_deny(CMW_REQ_DENY, CMW_REQ_DENYALL, args);
  if (strcmp(name, "cmdallow") == 0)
    return cmd_allow_deny(CMW_REQ_CMDALLOW, CMW_REQ_CMDALLOWALL, args);
  if (strcmp(name, "cmddeny") == 0)
    return cmd_allow_deny(CMW_REQ_CMDDENY, CMW_REQ_CMDDENYALL, args);
  if (strcmp(name, "accheck") == 0)
    return cmd_address(CMW_REQ_ACCHECK, args);
  if (strcmp(name, "cmdaccheck") == 0)
    return cmd_address(CMW_REQ_CMDACCHECK, args);
  if (strcmp(name, "delete") == 0)
    return cmd_address(CMW_REQ_DEL_SOURCE, args);
  if (strcmp(name, "add") == 0)
    return CTA_AddSource(args);
  if (strcmp(name, "maxupdateskew") == 0)
    return cmd_float(CMW_REQ_MODIFY_MAXUPDATESKEW, args);
  if (strcmp(name, "dfreq") == 0)
    return cmd_float(CMW_REQ_DFREQ, args);
  if (strcmp(name, "doffset") == 0)
    return cmd_float(CMW_REQ_DOFFSET2, args);
  if (strcmp(name, "reselectdist") == 0)
    return cmd_float(CMW_REQ_RESELECTDISTANCE, args);
  if (strcmp(name, "manual") == 0)
    return cmd_manual(args);
  if (strcmp(name, "smoothtime") == 0)
    return cmd_smoothtime(args);
  if (strcmp(name, "settime") == 0)
    return cmd_settime(args);
  if (strcmp(name, "reset") == 0)
    return cmd_sources(name, CMW_REQ_RESET_SOURCES, args);
  if (strcmp(name, "reload") == 0)
    return cmd_sources(name, CMW_REQ_RELOAD_SOURCES, args);
  return -1;
}
