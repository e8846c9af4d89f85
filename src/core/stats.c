#include "stats.h"

/* The one instance of the server counters (see stats.h) */
STA_Counters STA_counters;
