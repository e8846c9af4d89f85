/*
  ntsd - the drift file

  chronyd's format: one line with the frequency error of the clock and its
  estimated error bound, both in ppm (positive: the clock runs fast when
  uncorrected).  Only a frequency is kept: reading the file never changes
  the time of the clock.
*/
#ifndef NTSD_DRIFTFILE_H
#define NTSD_DRIFTFILE_H

/* Returns 0 (after logging, unless the file does not exist) when there is
   no usable value */
int DRF_Load(const char *path, double max_freq_ppm, double *freq_ppm, double *skew_ppm);

/* Replace the file atomically: a temporary file next to it, synced, then
   renamed over it.  Returns 0 after logging on failure. */
int DRF_Save(const char *path, double freq_ppm, double skew_ppm);

#endif
