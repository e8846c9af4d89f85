/*
  ntsd - libFuzzer harness support

  Every harness in this folder runs the daemon's real parsing code on the
  fuzzer's input, built with clang -fsanitize=fuzzer,address,undefined
  (make fuzz).  Each one defines FUZ_Setup(), run once before the first
  input, and FUZ_WriteSeeds(), which makes small valid inputs with the
  daemon's own builders: with NTSD_FUZZ_SEEDS=DIR in the environment a
  harness writes its seeds to DIR and exits instead of fuzzing, so that
  the seed corpora never go stale when a format changes.
*/
#ifndef NTSD_FUZZ_H
#define NTSD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Provided by each harness */
void FUZ_Setup(void);
void FUZ_WriteSeeds(void);

/* libFuzzer's entry points, which the harnesses define */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Common set-up (quiet logging, no clock control), the harness's own
   set-up, and the seed mode; call from LLVMFuzzerInitialize */
void FUZ_Initialise(void);

/* A private directory for files the code under test reads; removed at
   exit.  FUZ_Path() returns DIR/name in a static buffer. */
const char *FUZ_TempDir(void);
const char *FUZ_Path(const char *name);
void FUZ_WriteFile(const char *path, const void *data, size_t len);

/* In seed mode: write one seed file named name */
void FUZ_WriteSeed(const char *name, const void *data, size_t len);

/* The NTS server keys are fixed, loaded from an ntskeys file, so that the
   cookies in the seeds open in every run and the fuzzer can get past the
   cookie check.  Returns the directory holding the file. */
const char *FUZ_LoadFixedNtsKeys(void);

/* A broken invariant is a bug: report it as a crash */
#define FUZ_ASSERT(cond) \
  do { if (!(cond)) FUZ_Fail(#cond, __FILE__, __LINE__); } while (0)
void FUZ_Fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#endif
