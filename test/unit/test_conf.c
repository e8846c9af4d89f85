/*
  Unit tests of the configuration: access rules (allow/deny matching as
  chronyd) and parsing of values into the config structure
*/
#include "config.h"

#include <string.h>

#include "conf.h"
#include "test.h"

static int
allowed(const char *addr)
{
  const CNF_Config *c = CNF_Get();
  IPAddr ip;

  if (!UTI_StringToIP(addr, &ip))
    return -1;
  return CNF_AccessAllowed(c->access, c->n_access, &ip, 0);
}

static void
test_access(void)
{
  CNF_Initialise(0);
  /* Nobody by default */
  TEST_CHECK(allowed("127.0.0.1") == 0);
  TEST_CHECK(allowed("::1") == 0);

  CNF_ParseLine("t", 1, "allow 10");
  CNF_ParseLine("t", 2, "deny 10.1.2.0/24");
  CNF_ParseLine("t", 3, "allow 10.1.2.3");
  CNF_ParseLine("t", 4, "allow 2001:db8::/32");
  TEST_CHECK(allowed("10.9.9.9") == 1);
  TEST_CHECK(allowed("11.0.0.1") == 0);
  /* The most specific rule wins, whatever the order */
  TEST_CHECK(allowed("10.1.2.4") == 0);
  TEST_CHECK(allowed("10.1.2.3") == 1);
  TEST_CHECK(allowed("2001:db8:1::5") == 1);
  TEST_CHECK(allowed("2001:db9::5") == 0);
  /* No cross-family matches */
  TEST_CHECK(allowed("::ffff:10.1.1.1") == 0);

  /* "deny all" overrides earlier, more specific rules inside its subnet */
  CNF_ParseLine("t", 5, "deny all 10.1.0.0/16");
  TEST_CHECK(allowed("10.1.2.3") == 0);
  TEST_CHECK(allowed("10.1.9.9") == 0);
  TEST_CHECK(allowed("10.2.0.1") == 1);
  /* ... but a later, more specific rule applies again */
  CNF_ParseLine("t", 6, "allow 10.1.5.0/24");
  TEST_CHECK(allowed("10.1.5.1") == 1);

  /* "allow" alone: every address */
  CNF_ParseLine("t", 7, "allow");
  TEST_CHECK(allowed("192.0.2.1") == 1);
  TEST_CHECK(allowed("::1") == 1);
  TEST_CHECK(allowed("10.1.9.9") == 0);
  CNF_Finalise();
}

static void
test_values(void)
{
  const CNF_Config *c;

  CNF_Initialise(0);
  c = CNF_Get();
  TEST_CHECK(c->port == 123 && c->ntsport == 4460 && c->cmdport == 323);
  TEST_CHECK(c->max_nts_connections == 100 && c->nts_rotate == 604800);
  TEST_CHECK(c->nts_dump_dir && strcmp(c->nts_dump_dir, DEFAULT_STATE_DIR) == 0);

  CNF_ParseLine("t", 1, "   # comment");
  CNF_ParseLine("t", 2, "");
  CNF_ParseLine("t", 3, "PORT 11123");
  CNF_ParseLine("t", 4, "server 192.0.2.1 iburst nts ntsport 14460 maxsamples 1");
  CNF_ParseLine("t", 5, "pool pool.example.org maxsources 2");
  CNF_ParseLine("t", 6, "ratelimit interval 1 burst 4");
  CNF_ParseLine("t", 7, "ntsserverkey /k1");
  CNF_ParseLine("t", 8, "ntsservercert /c1");
  CNF_ParseLine("t", 9, "bindcmdaddress /run/x.sock");
  TEST_CHECK(c->port == 11123);
  TEST_CHECK(c->n_sources == 2);
  TEST_CHECK(c->sources[0].type == CNF_SRC_SERVER && c->sources[0].iburst && c->sources[0].nts);
  TEST_CHECK(c->sources[0].ntsport == 14460 && c->sources[0].maxsamples == 1);
  TEST_CHECK(c->sources[0].port == 123 && c->sources[0].minpoll == 6 && c->sources[0].maxpoll == 10);
  TEST_CHECK(c->sources[1].type == CNF_SRC_POOL && c->sources[1].maxsources == 2);
  TEST_CHECK(c->ratelimit && c->ratelimit_interval == 1 && c->ratelimit_burst == 4 &&
             c->ratelimit_leak == 2);
  TEST_CHECK(c->n_nts_keys == 1 && c->n_nts_certs == 1);
  TEST_CHECK(strcmp(c->bind_cmd_path, "/run/x.sock") == 0);
  CNF_Finalise();
}

static void
test_clock_values(void)
{
  const CNF_Config *c;

  CNF_Initialise(0);
  c = CNF_Get();
  /* chronyd's defaults: no limit, no table, the kernel applies leaps */
  TEST_CHECK(!c->maxchange && !c->leapsectz && !c->leapseclist && !c->rtcsync);
  TEST_CHECK(c->leapsecmode == CNF_LEAPSECMODE_SYSTEM);

  CNF_ParseLine("t", 1, "maxchange 1000 1 -1");
  CNF_ParseLine("t", 2, "leapsectz right/UTC");
  CNF_ParseLine("t", 3, "leapseclist /l.list");
  CNF_ParseLine("t", 4, "leapsecmode STEP");
  CNF_ParseLine("t", 5, "rtcsync");
  CNF_ParseLine("t", 6, "driftfile /d 60");
  TEST_CHECK(c->maxchange && c->maxchange_offset == 1000.0 && c->maxchange_start == 1 &&
             c->maxchange_ignore == -1);
  TEST_CHECK(c->leapsectz && strcmp(c->leapsectz, "right/UTC") == 0);
  TEST_CHECK(c->leapseclist && strcmp(c->leapseclist, "/l.list") == 0);
  TEST_CHECK(c->leapsecmode == CNF_LEAPSECMODE_STEP && c->rtcsync);
  TEST_CHECK(strcmp(c->driftfile, "/d") == 0 && c->driftfile_interval == 60);
  CNF_ParseLine("t", 7, "leapsecmode ignore");
  TEST_CHECK(c->leapsecmode == CNF_LEAPSECMODE_IGNORE);
  CNF_ParseLine("t", 8, "leapsecmode slew");
  TEST_CHECK(c->leapsecmode == CNF_LEAPSECMODE_SLEW);
  CNF_Finalise();
}

int
main(void)
{
  test_access();
  test_values();
  test_clock_values();
  TEST_END();
}
