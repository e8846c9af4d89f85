/*
  ntsd - configuration, the part shared by its modules only

  conf.c reads the lines and owns the table of directives; conf_net.c and
  conf_clock.c parse and print the directives that need more than one
  value.  They all write the one structure that CNF_Get() hands out, so it
  is shared here rather than passed around.  Nothing outside src/core/conf*
  includes this header.
*/
#ifndef NTSD_CONF_INT_H
#define NTSD_CONF_INT_H

#include <stdio.h>

#include "conf.h"

#define MAX_LINE 2048

/* Where a directive came from, for the FILE:LINE: of errors */
typedef struct {
  const char *file;
  int line;
} CNI_Where;

extern CNF_Config CNI_cfg;

/* Print FILE:LINE: message and exit(1) */
void CNI_Error(const CNI_Where *w, const char *format, ...)
  __attribute__((format(printf, 2, 3), noreturn));
int CNI_ParseInt(const CNI_Where *w, const char *s, int min, int max, const char *what);
double CNI_ParseDouble(const CNI_Where *w, const char *s, double min, double max,
                       const char *what);
void CNI_AddString(int *n, char ***list, const char *s);
void CNI_SetString(char **field, const char *s);
void CNI_FreeList(int n, char **list);

/* conf_net.c: sockets, access rules, sources, NTS */
void CNN_ParseAllow(const CNI_Where *w, int argc, char **argv);
void CNN_PrintAllow(FILE *out, const char *name);
void CNN_ParseDeny(const CNI_Where *w, int argc, char **argv);
void CNN_ParseBindaddr(const CNI_Where *w, int argc, char **argv);
void CNN_PrintBindaddr(FILE *out, const char *name);
void CNN_ParseRatelimit(const CNI_Where *w, int argc, char **argv);
void CNN_PrintRatelimit(FILE *out, const char *name);
void CNN_ParseSource(const CNI_Where *w, int argc, char **argv);
void CNN_PrintSources(FILE *out, const char *name);
void CNN_ParseBindcmdaddr(const CNI_Where *w, int argc, char **argv);
void CNN_PrintBindcmdaddr(FILE *out, const char *name);
void CNN_ParseCmdallow(const CNI_Where *w, int argc, char **argv);
void CNN_PrintCmdallow(FILE *out, const char *name);
void CNN_ParseCmddeny(const CNI_Where *w, int argc, char **argv);
void CNN_ParseNtsserverkey(const CNI_Where *w, int argc, char **argv);
void CNN_PrintNtsserverkey(FILE *out, const char *name);
void CNN_ParseNtsservercert(const CNI_Where *w, int argc, char **argv);
void CNN_PrintNtsservercert(FILE *out, const char *name);
void CNN_ParseNtsratelimit(const CNI_Where *w, int argc, char **argv);
void CNN_PrintNtsratelimit(FILE *out, const char *name);
void CNN_ParseNtstrustedcerts(const CNI_Where *w, int argc, char **argv);
void CNN_PrintNtstrustedcerts(FILE *out, const char *name);

/* conf_clock.c: the clock discipline */
void CNC_ParseDriftfile(const CNI_Where *w, int argc, char **argv);
void CNC_PrintDriftfile(FILE *out, const char *name);
void CNC_ParseLocal(const CNI_Where *w, int argc, char **argv);
void CNC_PrintLocal(FILE *out, const char *name);
void CNC_ParseMakestep(const CNI_Where *w, int argc, char **argv);
void CNC_PrintMakestep(FILE *out, const char *name);
void CNC_ParseMaxchange(const CNI_Where *w, int argc, char **argv);
void CNC_PrintMaxchange(FILE *out, const char *name);
void CNC_ParseLeapsecmode(const CNI_Where *w, int argc, char **argv);
void CNC_PrintLeapsecmode(FILE *out, const char *name);

#endif
