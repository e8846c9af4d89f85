/*
  ntsd - the NTS client when built without NTS (configure --disable-nts)

  The NTP client calls these unconditionally, but without NTS it never
  creates an NTS source (NCL_Initialise skips them), so none of them is
  reached with an instance.  With NTS this file is empty: the real ones
  are in src/nts/nts_ntp_client.c.
*/
#include "config.h"

#ifndef FEAT_NTS

#include <string.h>

#include "nts_ntp_client.h"

void NNC_Initialise(void) { }
void NNC_Finalise(void) { }

NNC_Instance
NNC_CreateInstance(const char *name, const char *dump_name, const IPAddr *ke_ip, int ke_port,
                   int certset, uint16_t ntp_port, NNC_ReadyHandler handler, void *arg)
{
  return NULL;
}

void NNC_DestroyInstance(NNC_Instance inst) { }
int NNC_PrepareForAuth(NNC_Instance inst) { return 0; }
void NNC_ForceKe(NNC_Instance inst) { }

void
NNC_GetNtpAddress(NNC_Instance inst, IPAddr *ip, uint16_t *port)
{
  memset(ip, 0, sizeof *ip);
  *port = 0;
}

int
NNC_GenerateRequestAuth(NNC_Instance inst, uint8_t *pkt, int *len, int max_len)
{
  return 0;
}

NNC_AuthResult
NNC_CheckResponseAuth(NNC_Instance inst, const uint8_t *pkt, int len, const NPK_Info *info,
                      int is_ntsn)
{
  return NNC_AUTH_BAD;
}

void NNC_GetReport(NNC_Instance inst, NNC_Report *report) { memset(report, 0, sizeof *report); }
int NNC_DumpData(NNC_Instance inst) { return 0; }

#else

/* ISO C wants something in every translation unit */
typedef int NNC_StubUnused;

#endif
