/*
  ntsctl - the add command

  `add server|peer|pool NAME [options]` with the options of the server
  directive and chronyc 4.3's defaults, sent as one ADD_SOURCE request.
*/
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"
#include "ntp_pkt.h"
#include "nts_ke_rec.h"

static uint8_t reply[CMW_MAX_REPLY_LEN];
static int reply_len;

/* Options without a value and the flag each sets */
static const struct { const char *name; uint32_t flag; } flag_options[] = {
  { "auto_offline", CMW_ADDSRC_AUTOOFFLINE }, { "iburst", CMW_ADDSRC_IBURST },
  { "prefer", CMW_ADDSRC_PREFER }, { "noselect", CMW_ADDSRC_NOSELECT },
  { "trust", CMW_ADDSRC_TRUST }, { "require", CMW_ADDSRC_REQUIRE },
  { "xleave", CMW_ADDSRC_INTERLEAVED }, { "burst", CMW_ADDSRC_BURST },
  { "nts", CMW_ADDSRC_NTS }, { "copy", CMW_ADDSRC_COPY },
};

/* Options with a value: the body offset of the field and its type */
enum { T_INT, T_UINT, T_FLOAT };
static const struct { const char *name; int offset, type; } value_options[] = {
  { "port", 260, T_UINT }, { "minpoll", 264, T_INT }, { "maxpoll", 268, T_INT },
  { "presend", 272, T_INT }, { "minstratum", 276, T_UINT }, { "polltarget", 280, T_UINT },
  { "version", 284, T_UINT }, { "maxsources", 288, T_UINT }, { "minsamples", 292, T_INT },
  { "maxsamples", 296, T_INT }, { "key", 300, T_UINT }, { "ntsport", 304, T_UINT },
  { "maxdelay", 308, T_FLOAT }, { "maxdelayratio", 312, T_FLOAT },
  { "maxdelaydevratio", 316, T_FLOAT }, { "mindelay", 320, T_FLOAT },
  { "asymmetry", 324, T_FLOAT }, { "offset", 328, T_FLOAT }, { "filter", 336, T_INT },
  { "certset", 340, T_UINT }, { "maxdelayquant", 344, T_FLOAT },
};

static int
parse_option(uint8_t *b, uint32_t *flags, const char *opt, char **args)
{
  unsigned int i;
  char *v, *end;
  double d;
  long l;

  if (strcmp(opt, "offline") == 0) {
    *flags &= ~CMW_ADDSRC_ONLINE;
    return 1;
  }
  for (i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++) {
    if (strcmp(opt, flag_options[i].name) == 0) {
      *flags |= flag_options[i].flag;
      return 1;
    }
  }
  if (strcmp(opt, "extfield") == 0) {
    v = CTL_NextWord(args);
    if (!v || strcmp(v, "F323") != 0)
      return 0;
    *flags |= CMW_ADDSRC_EF_EXP_MONO_ROOT;
    return 1;
  }
  for (i = 0; i < sizeof value_options / sizeof value_options[0]; i++) {
    if (strcmp(opt, value_options[i].name) != 0)
      continue;
    v = CTL_NextWord(args);
    if (!v)
      return 0;
    if (value_options[i].type == T_FLOAT) {
      d = strtod(v, &end);
      if (*end != '\0')
        return 0;
      CMW_PutFloat(b + value_options[i].offset, d);
    } else {
      l = strtol(v, &end, 10);
      if (*end != '\0' || (value_options[i].type == T_UINT && l < 0))
        return 0;
      CMW_PutU32(b + value_options[i].offset, (uint32_t)l);
    }
    return 1;
  }
  return 0;
}

int
CTA_AddSource(char *args)
{
  struct addrinfo hints, *res;
  uint8_t b[352];
  uint32_t type, flags = CMW_ADDSRC_ONLINE;
  char *w, *name, *opt;

  w = CTL_NextWord(&args);
  name = CTL_NextWord(&args);
  if (!w || !name)
    goto bad;
  if (strcmp(w, "server") == 0)
    type = CMW_ADDSRC_SERVER;
  else if (strcmp(w, "peer") == 0)
    type = CMW_ADDSRC_PEER;
  else if (strcmp(w, "pool") == 0)
    type = CMW_ADDSRC_POOL;
  else
    goto bad;

  /* chronyc's defaults */
  memset(b, 0, sizeof b);
  CMW_PutU32(b, type);
  if (!CMW_PutString(b + 4, CMW_NAME_LEN, name))
    goto bad;
  CMW_PutU32(b + 260, NPK_PORT);
  CMW_PutU32(b + 264, 6);
  CMW_PutU32(b + 268, 10);
  CMW_PutU32(b + 272, 100);
  CMW_PutU32(b + 280, 8);
  CMW_PutU32(b + 288, 4);
  CMW_PutU32(b + 292, (uint32_t)-1);
  CMW_PutU32(b + 296, (uint32_t)-1);
  CMW_PutU32(b + 304, NKR_PORT);
  CMW_PutFloat(b + 308, 3.0);
  CMW_PutFloat(b + 316, 10.0);
  CMW_PutFloat(b + 324, 1.0);

  while ((opt = CTL_NextWord(&args))) {
    if (!parse_option(b, &flags, opt, &args))
      goto bad;
  }
  CMW_PutU32(b + 332, flags);

  /* As chronyc: refuse a name that does not resolve here */
  memset(&hints, 0, sizeof hints);
  hints.ai_family = CTL_options.family ? CTL_options.family : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(name, NULL, &hints, &res) != 0) {
    fprintf(stderr, "Invalid host/IP address\n");
    return 0;
  }
  freeaddrinfo(res);

  return CTN_Submit(CMW_REQ_ADD_SOURCE, b, sizeof b, CMW_RPY_NULL, 1, reply, &reply_len);

bad:
  fprintf(stderr, "Invalid syntax for add command\n");
  return 0;
}
