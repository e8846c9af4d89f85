/*
  Unit tests of src/clock/select.c
*/
#include <math.h>
#include <string.h>

#include "select.h"
#include "test.h"

static SEL_Source
src(double offset, double distance, int stratum)
{
  SEL_Source s;

  memset(&s, 0, sizeof s);
  s.usable = 1;
  s.offset = offset;
  s.offset_sd = distance / 10.0;
  s.root_distance = distance;
  s.root_delay = distance;
  s.root_dispersion = distance / 2.0;
  s.stratum = stratum;
  s.skew = 1e-7;
  s.std_dev = 1e-5;
  return s;
}

static void
test_falseticker(void)
{
  SEL_Params p;
  SEL_Source s[4];
  SEL_Result r;
  char st[4];

  SEL_DefaultParams(&p);
  s[0] = src(0.001, 0.002, 1);
  s[1] = src(0.0015, 0.001, 1);
  s[2] = src(0.0005, 0.003, 2);
  s[3] = src(0.05, 0.002, 1);
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[1] == SEL_SELECTED);
  TEST_CHECK(st[3] == SEL_FALSETICKER);
  TEST_CHECK(st[0] == SEL_COMBINED);
  TEST_CHECK(st[2] == SEL_COMBINED);
  TEST_CHECK(r.n_combined == 3);
  TEST_CHECK(r.offset > 0.0005 && r.offset < 0.0015);

  /* Hysteresis: the previous choice stays unless clearly worse */
  s[0] = src(0.001, 0.00105, 1);
  SEL_SelectSource(&p, s, 4, 0, st, &r);
  TEST_CHECK(r.selected == 0);
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  p.reselect_dist = 0.0;
  SEL_SelectSource(&p, s, 4, 0, st, &r);
  TEST_CHECK(r.selected == 1);
}

static void
test_majority(void)
{
  SEL_Params p;
  SEL_Source s[4];
  SEL_Result r;
  char st[4];

  SEL_DefaultParams(&p);
  /* Two against two: no majority */
  s[0] = src(0.0, 0.001, 1);
  s[1] = src(0.0005, 0.001, 1);
  s[2] = src(0.1, 0.001, 1);
  s[3] = src(0.1005, 0.001, 1);
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(r.reason != NULL);

  /* A trusted source decides */
  s[2].options = SEL_OPT_TRUST;
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(r.selected == 2 || r.selected == 3);
  TEST_CHECK(st[0] == SEL_FALSETICKER && st[1] == SEL_FALSETICKER);
  s[2].options = 0;

  /* noselect, maxdistance, maxjitter */
  s[2].options = SEL_OPT_NOSELECT;
  s[3].root_distance = 5.0;
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(st[2] == SEL_UNUSABLE && st[3] == SEL_UNUSABLE);
  TEST_CHECK(r.selected == 0 || r.selected == 1);
  s[1].std_dev = 2.0;
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(st[1] == SEL_JITTERY);
  TEST_CHECK(r.selected == 0);

  /* minsources */
  p.min_sources = 2;
  SEL_SelectSource(&p, s, 4, -1, st, &r);
  TEST_CHECK(r.selected == -1);
}

static void
test_prefer_require_leap(void)
{
  SEL_Params p;
  SEL_Source s[3];
  SEL_Result r;
  char st[3];

  SEL_DefaultParams(&p);
  s[0] = src(0.0, 0.001, 1);
  s[1] = src(0.0, 0.002, 2);
  s[2] = src(0.0, 0.003, 2);
  s[1].options = SEL_OPT_PREFER;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[0] == SEL_NOT_COMBINED);

  s[1].options = 0;
  s[2].options = SEL_OPT_REQUIRE;
  s[2].usable = 0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == -1);
  s[2].usable = 1;
  s[2].options = 0;

  s[0].leap = 1;
  s[1].leap = 1;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.leap == 1);
  s[1].leap = 0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.leap == 0);

  p.combine_limit = 0.0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.n_combined == 1);
}

static void
test_orphan(void)
{
  SEL_Params p;
  SEL_Source s[3];
  SEL_Result r;
  char st[3];
  int i;

  /* Three servers of an isolated subnet under `local stratum 5 orphan`,
     as seen by one whose own address id is 0x0a000002 */
  SEL_DefaultParams(&p);
  p.orphan_stratum = 5;
  s[0] = src(0.001, 0.001, 5);
  s[1] = src(0.002, 0.0005, 5);
  s[2] = src(0.0015, 0.001, 6);
  s[0].ref_id = 0x0a000003;
  s[1].ref_id = 0x0a000001;
  s[2].ref_id = 0x0a000000;
  for (i = 0; i < 3; i++)
    s[i].local_ref_id = 0x0a000002;

  /* Without orphan mode, plain selection */
  p.orphan_stratum = 0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  p.orphan_stratum = 5;

  /* The orphan root: the smallest id at the orphan stratum, smaller than
     ours; the one above the orphan stratum is never the root, even with
     a smaller id (it may be synchronised to us) */
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[1] == SEL_SELECTED);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[2] == SEL_ORPHAN);
  TEST_CHECK(r.n_combined == 1);
  TEST_CHECK(fabs(r.offset - 0.002) < 1e-12);

  /* We are the root: the local reference stays */
  s[1].ref_id = 0x0a000004;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[1] == SEL_ORPHAN && st[2] == SEL_ORPHAN);
  s[1].ref_id = 0x0a000001;

  /* An unreachable orphan cannot be the root */
  s[1].usable = 0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(st[1] == SEL_UNUSABLE && st[0] == SEL_ORPHAN);
  s[1].usable = 1;

  /* A source below the orphan stratum serves real time: orphans are
     ignored even though they are better */
  s[2] = src(0.0, 0.01, 4);
  s[2].ref_id = 0x0a000009;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == 2);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[1] == SEL_ORPHAN);
  TEST_CHECK(r.n_combined == 1);

  /* ... unless it is not selectable itself */
  s[2].root_distance = 5.0;
  SEL_SelectSource(&p, s, 3, -1, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[2] == SEL_UNUSABLE);
}

int
main(void)
{
  test_falseticker();
  test_majority();
  test_prefer_require_leap();
  test_orphan();
  TEST_END();
}
