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

/* Every source's score as a new source's, for a selection that has no
   history */
static double *
fresh_scores(int n)
{
  static double sc[8];
  int i;

  for (i = 0; i < n && i < 8; i++)
    sc[i] = 1.0;
  return sc;
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
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[1] == SEL_SELECTED);
  TEST_CHECK(st[3] == SEL_FALSETICKER);
  TEST_CHECK(st[0] == SEL_COMBINED);
  TEST_CHECK(st[2] == SEL_COMBINED);
  TEST_CHECK(r.n_combined == 3);
  TEST_CHECK(r.offset > 0.0005 && r.offset < 0.0015);

  /* Hysteresis: the previous choice stays while nothing is new */
  s[0] = src(0.001, 0.00105, 1);
  SEL_SelectSource(&p, s, 4, 0, -1, fresh_scores(4), st, &r);
  TEST_CHECK(r.selected == 0);
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(r.selected == 1);
}

/* chronyd's scores: a better source replaces the selected one only once
   its score, multiplied at each new sample by the selected distance over
   its own plus reselectdist, passes 10 */
static void
test_scores(void)
{
  SEL_Params p;
  SEL_Source s[4];
  SEL_Result r;
  double sc[4] = { 1.0, 1.0, 1.0, 1.0 };
  char st[4];

  SEL_DefaultParams(&p);
  s[0] = src(0.001, 0.00105, 1);
  s[1] = src(0.0015, 0.0002, 1);
  s[2] = src(0.0005, 0.003, 2);
  s[3] = src(0.05, 0.002, 1);
  /* Nothing selected: the shortest distance wins, and all start at 1 */
  SEL_SelectSource(&p, s, 4, -1, -1, sc, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(sc[0] == 1.0 && sc[1] == 1.0 && sc[2] == 1.0 && sc[3] == 1.0);

  /* Source 0 selected before: source 1 gains 0.00105 / 0.0003 = 3.5 */
  SEL_SelectSource(&p, s, 4, 0, 1, sc, st, &r);
  TEST_CHECK(r.selected == 0);
  TEST_CHECK(fabs(sc[1] - 3.5) < 1e-9);
  /* the selected one and a worse one stay at 1, a falseticker is 1 */
  TEST_CHECK(sc[0] == 1.0 && sc[2] == 1.0 && sc[3] == 1.0);
  /* No new sample: nothing changes */
  SEL_SelectSource(&p, s, 4, 0, -1, sc, st, &r);
  TEST_CHECK(r.selected == 0 && fabs(sc[1] - 3.5) < 1e-9);
  /* A new sample of a source that is neither: nothing changes either */
  SEL_SelectSource(&p, s, 4, 0, 2, sc, st, &r);
  TEST_CHECK(r.selected == 0 && fabs(sc[1] - 3.5) < 1e-9);
  /* 3.5 * 3.5 = 12.25 passes 10: reselected, scores back to 1 */
  SEL_SelectSource(&p, s, 4, 0, 0, sc, st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(sc[0] == 1.0 && sc[1] == 1.0 && sc[2] == 1.0);

  /* Not better by reselectdist: the score stays at 1, the choice too */
  sc[1] = 1.0;
  s[1] = src(0.0015, 0.001, 1);
  SEL_SelectSource(&p, s, 4, 0, 1, sc, st, &r);
  TEST_CHECK(r.selected == 0 && sc[1] == 1.0);
  /* Without reselectdist, 1.05 a sample: the 48th passes 10 */
  p.reselect_dist = 0.0;
  s[0] = src(0.001, 0.00105, 1);
  sc[0] = sc[1] = 1.0;
  {
    int k;

    for (k = 1; k <= 47; k++) {
      SEL_SelectSource(&p, s, 4, 0, 1, sc, st, &r);
      TEST_CHECK(r.selected == 0);
    }
    SEL_SelectSource(&p, s, 4, 0, 1, sc, st, &r);
    TEST_CHECK(r.selected == 1);
  }

  /* The stratum weight counts from the lowest stratum of the candidates
     (here 2): (0.003 + 0.001) / (0.0005 + 0.0001), not, as from stratum
     0, (0.003 + 0.003) / (0.0005 + 0.002 + 0.0001) */
  p.reselect_dist = 100e-6;
  s[0] = src(0.001, 0.003, 3);
  s[1] = src(0.0015, 0.0005, 2);
  sc[0] = sc[1] = sc[2] = 1.0;
  SEL_SelectSource(&p, s, 4, 0, 1, sc, st, &r);
  TEST_CHECK(r.selected == 0);
  TEST_CHECK(fabs(sc[1] - 0.004 / 0.0006) < 1e-9);

  /* A selected source that became a falseticker: replaced at once by the
     best by distance */
  s[0] = src(0.001, 0.001, 1);
  s[1] = src(0.0015, 0.0005, 1);
  sc[0] = sc[1] = sc[2] = sc[3] = 1.0;
  SEL_SelectSource(&p, s, 4, 3, -1, sc, st, &r);
  TEST_CHECK(st[3] == SEL_FALSETICKER);
  TEST_CHECK(r.selected == 1 && sc[1] == 1.0);
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
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(r.reason != NULL);

  /* A trusted source decides */
  s[2].options = SEL_OPT_TRUST;
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(r.selected == 2 || r.selected == 3);
  TEST_CHECK(st[0] == SEL_FALSETICKER && st[1] == SEL_FALSETICKER);
  s[2].options = 0;

  /* noselect, maxdistance, maxjitter */
  s[2].options = SEL_OPT_NOSELECT;
  s[3].root_distance = 5.0;
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(st[2] == SEL_UNUSABLE && st[3] == SEL_UNUSABLE);
  TEST_CHECK(r.selected == 0 || r.selected == 1);
  s[1].std_dev = 2.0;
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
  TEST_CHECK(st[1] == SEL_JITTERY);
  TEST_CHECK(r.selected == 0);

  /* minsources */
  p.min_sources = 2;
  SEL_SelectSource(&p, s, 4, -1, -1, fresh_scores(4), st, &r);
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
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[0] == SEL_NOT_COMBINED);

  s[1].options = 0;
  s[2].options = SEL_OPT_REQUIRE;
  s[2].usable = 0;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == -1);
  s[2].usable = 1;
  s[2].options = 0;

  s[0].leap = 1;
  s[1].leap = 1;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.leap == 1);
  s[1].leap = 0;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.leap == 0);

  p.combine_limit = 0.0;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
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
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == 1);
  p.orphan_stratum = 5;

  /* The orphan root: the smallest id at the orphan stratum, smaller than
     ours; the one above the orphan stratum is never the root, even with
     a smaller id (it may be synchronised to us) */
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[1] == SEL_SELECTED);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[2] == SEL_ORPHAN);
  TEST_CHECK(r.n_combined == 1);
  TEST_CHECK(fabs(r.offset - 0.002) < 1e-12);

  /* We are the root: the local reference stays */
  s[1].ref_id = 0x0a000004;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[1] == SEL_ORPHAN && st[2] == SEL_ORPHAN);
  s[1].ref_id = 0x0a000001;

  /* An unreachable orphan cannot be the root */
  s[1].usable = 0;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == -1);
  TEST_CHECK(st[1] == SEL_UNUSABLE && st[0] == SEL_ORPHAN);
  s[1].usable = 1;

  /* A source below the orphan stratum serves real time: orphans are
     ignored even though they are better */
  s[2] = src(0.0, 0.01, 4);
  s[2].ref_id = 0x0a000009;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == 2);
  TEST_CHECK(st[0] == SEL_ORPHAN && st[1] == SEL_ORPHAN);
  TEST_CHECK(r.n_combined == 1);

  /* ... unless it is not selectable itself */
  s[2].root_distance = 5.0;
  SEL_SelectSource(&p, s, 3, -1, -1, fresh_scores(3), st, &r);
  TEST_CHECK(r.selected == 1);
  TEST_CHECK(st[2] == SEL_UNUSABLE);
}

int
main(void)
{
  test_falseticker();
  test_scores();
  test_majority();
  test_prefer_require_leap();
  test_orphan();
  TEST_END();
}
