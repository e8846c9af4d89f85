/*
  ntsd - memory helpers

  Allocation failure is not something a time daemon can recover from in a
  meaningful way, so these helpers abort with a message instead of returning
  NULL.  Use them for everything except the per-packet hot path, which must
  not allocate at all.
*/
#ifndef NTSD_MEMORY_H
#define NTSD_MEMORY_H

#include <stddef.h>

void *Malloc(size_t size);
void *Malloc2(size_t nmemb, size_t size);
void *Realloc(void *ptr, size_t size);
void *Realloc2(void *ptr, size_t nmemb, size_t size);
char *Strdup(const char *s);

#define MallocNew(T) ((T *)Malloc(sizeof (T)))
#define MallocArray(T, n) ((T *)Malloc2((n), sizeof (T)))
#define ReallocArray(T, n, p) ((T *)Realloc2((p), (n), sizeof (T)))
#define Free(p) free(p)

#include <stdlib.h>

#endif
