/*
  ntsd - memory helpers that fail loudly
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"

static void
out_of_memory(void)
{
  fprintf(stderr, "ntsd: could not allocate memory\n");
  abort();
}

void *
Malloc(size_t size)
{
  void *r = malloc(size ? size : 1);

  if (!r)
    out_of_memory();
  return r;
}

void *
Malloc2(size_t nmemb, size_t size)
{
  if (size && nmemb > SIZE_MAX / size)
    out_of_memory();
  return Malloc(nmemb * size);
}

void *
Realloc(void *ptr, size_t size)
{
  void *r = realloc(ptr, size ? size : 1);

  if (!r)
    out_of_memory();
  return r;
}

void *
Realloc2(void *ptr, size_t nmemb, size_t size)
{
  if (size && nmemb > SIZE_MAX / size)
    out_of_memory();
  return Realloc(ptr, nmemb * size);
}

char *
Strdup(const char *s)
{
  size_t len = strlen(s) + 1;
  char *r = Malloc(len);

  memcpy(r, s, len);
  return r;
}
