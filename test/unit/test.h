/*
  ntsd - minimal unit test support

  Each test program includes this header once, calls TEST_CHECK for every
  assertion and ends main() with TEST_END().  The last line a program prints
  is "RESULT <passed> <failed>", which test/unit/run sums into the single
  closing line of `make check`.
*/
#ifndef NTSD_TEST_H
#define NTSD_TEST_H

#include <stdio.h>

static int test_passed, test_failed;

static void
test_check(int ok, const char *expr, const char *file, int line)
{
  if (ok) {
    test_passed++;
  } else {
    test_failed++;
    printf("FAIL %s:%d: %s\n", file, line, expr);
  }
}

#define TEST_CHECK(cond) test_check(!!(cond), #cond, __FILE__, __LINE__)

#define TEST_END() \
  do { \
    printf("RESULT %d %d\n", test_passed, test_failed); \
    return test_failed ? 1 : 0; \
  } while (0)

#endif
