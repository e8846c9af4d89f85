/*
  ntsd - configuration: the clock discipline

  The directives of conf.c's table that take more than one value and are
  about the clock: drift file, local reference, steps and limits of
  corrections, and how leap seconds are learnt and applied.  Leap second
  files are only named here; the discipline reads them at start-up, so
  that -p never depends on the files.
*/
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_int.h"

static const char *const leap_modes[] = {
  [CNF_LEAPSECMODE_SYSTEM] = "system",
  [CNF_LEAPSECMODE_SLEW] = "slew",
  [CNF_LEAPSECMODE_STEP] = "step",
  [CNF_LEAPSECMODE_IGNORE] = "ignore",
};

void
CNC_ParseDriftfile(const CNI_Where *w, int argc, char **argv)
{
  if (argc < 2 || argc > 3)
    CNI_Error(w, "driftfile takes a file name and an optional interval");
  CNI_SetString(&CNI_cfg.driftfile, argv[1]);
  CNI_cfg.driftfile_interval = argc == 3 ? CNI_ParseInt(w, argv[2], 1, INT_MAX, "interval") : 0;
}

void
CNC_PrintDriftfile(FILE *out, const char *name)
{
  if (!CNI_cfg.driftfile)
    return;
  fprintf(out, "%s %s", name, CNI_cfg.driftfile);
  if (CNI_cfg.driftfile_interval)
    fprintf(out, " %d", CNI_cfg.driftfile_interval);
  fprintf(out, "\n");
}

void
CNC_ParseLocal(const CNI_Where *w, int argc, char **argv)
{
  int i;

  CNI_cfg.local_stratum = 10;
  CNI_cfg.local_orphan = 0;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "stratum") == 0 && i + 1 < argc)
      CNI_cfg.local_stratum = CNI_ParseInt(w, argv[++i], 1, 15, "stratum");
    else if (strcmp(argv[i], "orphan") == 0)
      CNI_cfg.local_orphan = 1;
    else
      CNI_Error(w, "invalid local option \"%s\"", argv[i]);
  }
}

void
CNC_PrintLocal(FILE *out, const char *name)
{
  if (CNI_cfg.local_stratum)
    fprintf(out, "%s stratum %d%s\n", name, CNI_cfg.local_stratum,
            CNI_cfg.local_orphan ? " orphan" : "");
}

void
CNC_ParseMakestep(const CNI_Where *w, int argc, char **argv)
{
  if (argc != 3)
    CNI_Error(w, "makestep takes a threshold and a limit");
  CNI_cfg.makestep_threshold = CNI_ParseDouble(w, argv[1], 0.0, 1e9, "threshold");
  CNI_cfg.makestep_limit = CNI_ParseInt(w, argv[2], -1, INT_MAX, "limit");
}

void
CNC_PrintMakestep(FILE *out, const char *name)
{
  /* Without the directive chronyd never steps: nothing to print */
  if (CNI_cfg.makestep_limit)
    fprintf(out, "%s %.9g %d\n", name, CNI_cfg.makestep_threshold, CNI_cfg.makestep_limit);
}

/* maxchange OFFSET START IGNORE, as chronyd: all three are required */
void
CNC_ParseMaxchange(const CNI_Where *w, int argc, char **argv)
{
  if (argc != 4)
    CNI_Error(w, "maxchange takes an offset, a start and an ignore count");
  CNI_cfg.maxchange_offset = CNI_ParseDouble(w, argv[1], 0.0, 1e9, "offset");
  CNI_cfg.maxchange_start = CNI_ParseInt(w, argv[2], 0, INT_MAX, "start");
  CNI_cfg.maxchange_ignore = CNI_ParseInt(w, argv[3], -1, INT_MAX, "ignore count");
  /* An offset of 0 would refuse every update: treat it as a limit, not
     as "off", so that -p prints what was asked */
  CNI_cfg.maxchange = 1;
}

void
CNC_PrintMaxchange(FILE *out, const char *name)
{
  if (CNI_cfg.maxchange)
    fprintf(out, "%s %.9g %d %d\n", name, CNI_cfg.maxchange_offset,
            CNI_cfg.maxchange_start, CNI_cfg.maxchange_ignore);
}

void
CNC_ParseLeapsecmode(const CNI_Where *w, int argc, char **argv)
{
  int i;

  if (argc != 2)
    CNI_Error(w, "leapsecmode takes one of system, slew, step, ignore");
  for (i = 0; i < (int)(sizeof leap_modes / sizeof leap_modes[0]); i++) {
    if (strcasecmp(argv[1], leap_modes[i]) == 0) {
      CNI_cfg.leapsecmode = i;
      return;
    }
  }
  CNI_Error(w, "invalid leapsecmode \"%s\" (expected system, slew, step or ignore)", argv[1]);
}

void
CNC_PrintLeapsecmode(FILE *out, const char *name)
{
  /* The default (system) is left out, so that configurations without the
     directive print as before it existed */
  if (CNI_cfg.leapsecmode != CNF_LEAPSECMODE_SYSTEM)
    fprintf(out, "%s %s\n", name, leap_modes[CNI_cfg.leapsecmode]);
}
