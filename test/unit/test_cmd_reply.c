/*
  Unit tests of the command protocol reply encoders and decoders: the
  tracking test vector of the specification, layouts of the variants and
  round trips.
*/
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "cmd_reply.h"
#include "test.h"

static uint8_t msg[CMW_MAX_REPLY_LEN];

static void
set_ip4(IPAddr *ip, uint32_t a)
{
  memset(ip, 0, sizeof *ip);
  ip->family = AF_INET;
  ip->addr.in4 = a;
}

static void
test_tracking(void)
{
  static const uint8_t expected[104] = {
    0x06, 0x02, 0x00, 0x00, 0x00, 0x21, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
    0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00,
    0x07, 0x5b, 0xcd, 0x15, 0xe3, 0x30, 0xe2, 0xa1, 0xdc, 0xa5, 0x9f, 0xeb, 0xe4, 0xc4, 0x4b, 0x1e,
    0x0b, 0x3a, 0x7a, 0xe2, 0xf0, 0x83, 0x12, 0x6f, 0xfa, 0xcc, 0xcc, 0xcd, 0xf6, 0xc9, 0x85, 0xf0,
    0xec, 0xeb, 0xed, 0xfa, 0x10, 0x80, 0x99, 0x99,
  };
  CMW_ReplyHeader h = { 6, 2, 0, 0, 33, CMW_RPY_TRACKING, 0, 0x11223344 };
  CMR_Tracking t, t2;

  memset(&t, 0, sizeof t);
  t.ref_id = 0xC0000201;
  set_ip4(&t.ip, 0xC0000201);
  t.stratum = 3;
  t.leap_status = 0;
  t.ref_time.tv_sec = 1700000000;
  t.ref_time.tv_nsec = 123456789;
  t.current_correction = -0.000012345;
  t.last_offset = 0.000001234;
  t.rms_offset = 0.0000234;
  t.freq_ppm = -12.345;
  t.resid_freq_ppm = 0.001;
  t.skew_ppm = 0.05;
  t.root_delay = 0.0123;
  t.root_dispersion = 0.00045;
  t.last_update_interval = 64.3;

  memset(msg, 0xaa, sizeof msg);
  CMW_EncodeReplyHeader(msg, &h);
  TEST_CHECK(CMR_EncodeTracking(msg, sizeof msg, &t) == 104);
  TEST_CHECK(memcmp(msg, expected, 104) == 0);
  TEST_CHECK(CMR_EncodeTracking(msg, 103, &t) == 0);

  TEST_CHECK(!CMR_DecodeTracking(expected, 103, &t2));
  TEST_CHECK(CMR_DecodeTracking(expected, 104, &t2));
  TEST_CHECK(t2.ref_id == 0xC0000201 && t2.ip.family == AF_INET && t2.ip.addr.in4 == 0xC0000201);
  TEST_CHECK(t2.stratum == 3 && t2.leap_status == 0);
  TEST_CHECK(t2.ref_time.tv_sec == 1700000000 && t2.ref_time.tv_nsec == 123456789);
  TEST_CHECK(t2.freq_ppm == -12.344999313354492);
  TEST_CHECK(t2.last_update_interval == 64.29999542236328);
}

static void
test_sources(void)
{
  CMR_NSources n = { 5 }, n2;
  CMR_SourceData s, s2;
  CMR_SourceStats st, st2;
  CMR_SelectData sel, sel2;

  TEST_CHECK(CMR_EncodeNSources(msg, sizeof msg, &n) == 32);
  TEST_CHECK(msg[31] == 5);
  TEST_CHECK(CMR_DecodeNSources(msg, 32, &n2) && n2.n_sources == 5);
  TEST_CHECK(!CMR_DecodeNSources(msg, 31, &n2));

  memset(&s, 0, sizeof s);
  set_ip4(&s.ip, 0xC0000202);
  s.poll = -2;
  s.stratum = 3;
  s.state = CMW_SD_ST_SELECTABLE;
  s.mode = CMW_SD_MODE_PEER;
  s.reachability = 017;
  s.since_sample = 1300;
  s.orig_latest_meas = 0.5;
  s.latest_meas = -0.25;
  s.latest_meas_err = 0.125;
  TEST_CHECK(CMR_EncodeSourceData(msg, sizeof msg, &s) == 76);
  TEST_CHECK(msg[48] == 0xff && msg[49] == 0xfe);
  TEST_CHECK(CMW_GetU32(msg + 60) == 1300);
  TEST_CHECK(CMR_DecodeSourceData(msg, 76, &s2));
  TEST_CHECK(s2.poll == -2 && s2.stratum == 3 && s2.state == 5 && s2.mode == 1);
  TEST_CHECK(s2.reachability == 017 && s2.since_sample == 1300);
  TEST_CHECK(s2.orig_latest_meas == 0.5 && s2.latest_meas == -0.25 && s2.latest_meas_err == 0.125);
  TEST_CHECK(!CMR_DecodeSourceData(msg, 75, &s2));

  memset(&st, 0, sizeof st);
  st.ref_id = 0x50505330;
  st.n_samples = 10;
  st.n_runs = 6;
  st.span_seconds = 1234;
  st.sd = 0.5;
  st.resid_freq_ppm = -0.125;
  st.skew_ppm = 2.5;
  st.est_offset = -1.0;
  st.est_offset_err = 2.0;
  TEST_CHECK(CMR_EncodeSourceStats(msg, sizeof msg, &st) == 84);
  TEST_CHECK(CMW_GetU16(msg + 48) == CMW_FAMILY_UNSPEC);
  TEST_CHECK(CMW_GetFloat(msg + 64) == 0.5 && CMW_GetFloat(msg + 68) == -0.125);
  TEST_CHECK(CMR_DecodeSourceStats(msg, 84, &st2));
  TEST_CHECK(st2.ref_id == 0x50505330 && st2.ip.family == AF_UNSPEC && st2.n_samples == 10);
  TEST_CHECK(st2.n_runs == 6 && st2.span_seconds == 1234 && st2.sd == 0.5);
  TEST_CHECK(st2.resid_freq_ppm == -0.125 && st2.skew_ppm == 2.5 && st2.est_offset == -1.0);
  TEST_CHECK(st2.est_offset_err == 2.0);

  memset(&sel, 0, sizeof sel);
  set_ip4(&sel.ip, 0xC0000201);
  sel.state_char = '*';
  sel.authentication = 1;
  sel.leap = 3;
  sel.conf_options = CMW_SD_OPTION_PREFER;
  sel.eff_options = CMW_SD_OPTION_PREFER | CMW_SD_OPTION_NOSELECT;
  sel.last_sample_ago = 12;
  sel.score = 1.0;
  sel.lo_limit = -0.5;
  sel.hi_limit = 0.25;
  TEST_CHECK(CMR_EncodeSelectData(msg, sizeof msg, &sel) == 76);
  TEST_CHECK(msg[52] == '*' && msg[53] == 1 && msg[54] == 3 && msg[55] == 0);
  TEST_CHECK(CMR_DecodeSelectData(msg, 76, &sel2));
  TEST_CHECK(sel2.state_char == '*' && sel2.eff_options == 3 && sel2.last_sample_ago == 12);
  TEST_CHECK(sel2.score == 1.0 && sel2.lo_limit == -0.5 && sel2.hi_limit == 0.25);
}

static void
test_server_stats(void)
{
  CMR_ServerStats s, s2;
  uint64_t *f = &s.ntp_hits;
  int i;

  for (i = 0; i < 17; i++)
    f[i] = 0x100000000ULL * (i & 1) + 1000 + i;

  TEST_CHECK(CMR_EncodeServerStats(msg, sizeof msg, CMW_RPY_SERVER_STATS3, &s) == 72);
  TEST_CHECK(CMW_GetU32(msg + 28) == 1000 && CMW_GetU32(msg + 32) == 1001);
  TEST_CHECK(CMW_GetU32(msg + 68) == 1010);
  TEST_CHECK(CMR_DecodeServerStats(msg, 72, CMW_RPY_SERVER_STATS3, &s2));
  TEST_CHECK(s2.ntp_hits == 1000 && s2.nke_hits == 1001 && s2.ntp_span_seconds == 1010);
  TEST_CHECK(s2.ntp_daemon_rx_timestamps == 0);
  TEST_CHECK(!CMR_DecodeServerStats(msg, 71, CMW_RPY_SERVER_STATS3, &s2));

  TEST_CHECK(CMR_EncodeServerStats(msg, sizeof msg, CMW_RPY_SERVER_STATS4, &s) == 196);
  TEST_CHECK(CMW_GetU64(msg + 36) == 0x100000000ULL + 1001);
  TEST_CHECK(msg[164] == 0xff && msg[195] == 0xff);
  TEST_CHECK(CMR_DecodeServerStats(msg, 196, CMW_RPY_SERVER_STATS4, &s2));
  TEST_CHECK(memcmp(&s, &s2, sizeof s) == 0);

  TEST_CHECK(CMR_EncodeServerStats(msg, sizeof msg, CMW_RPY_SERVER_STATS2, &s) == 60);
  TEST_CHECK(CMW_GetU32(msg + 56) == 1007);
  TEST_CHECK(CMR_EncodeServerStats(msg, sizeof msg, CMW_RPY_SERVER_STATS, &s) == 48);
  TEST_CHECK(CMW_GetU32(msg + 28) == 1000 && CMW_GetU32(msg + 32) == 1002);
  TEST_CHECK(CMW_GetU32(msg + 36) == 1003 && CMW_GetU32(msg + 40) == 1005);
  TEST_CHECK(CMW_GetU32(msg + 44) == 1006);
  TEST_CHECK(CMR_DecodeServerStats(msg, 48, CMW_RPY_SERVER_STATS, &s2));
  TEST_CHECK(s2.cmd_hits == 1002 && s2.nke_hits == 0 && s2.log_drops == 1006);

  TEST_CHECK(CMR_EncodeServerStats(msg, 195, CMW_RPY_SERVER_STATS4, &s) == 0);
  TEST_CHECK(CMR_EncodeServerStats(msg, sizeof msg, CMW_RPY_TRACKING, &s) == 0);
}

static void
test_ntp_data(void)
{
  CMR_NTPData d, d2;

  memset(&d, 0, sizeof d);
  set_ip4(&d.remote_addr, 0xC0000201);
  set_ip4(&d.local_addr, 0xC0000264);
  d.remote_port = 123;
  d.version = 4;
  d.mode = 4;
  d.stratum = 2;
  d.poll = 6;
  d.precision = -20;
  d.root_delay = 0.5;
  d.ref_id = 0xC0000263;
  d.ref_time.tv_sec = 1700000000;
  d.ref_time.tv_nsec = 5;
  d.jitter_asymmetry = 0.25;
  d.flags = 0x83FF;
  d.tx_tss_char = 'K';
  d.rx_tss_char = 'H';
  d.total_tx_count = 100;
  d.total_good_count = 97;
  d.total_hw_rx_ts = 9;

  TEST_CHECK(CMR_EncodeNTPData(msg, sizeof msg, CMW_RPY_NTP_DATA, &d) == 152);
  TEST_CHECK(msg[74] == 6 && msg[75] == 0xec && msg[122] == 'K' && msg[123] == 'H');
  TEST_CHECK(msg[140] == 0xff && msg[151] == 0xff);
  TEST_CHECK(CMR_DecodeNTPData(msg, 152, CMW_RPY_NTP_DATA, &d2));
  TEST_CHECK(d2.precision == -20 && d2.poll == 6 && d2.flags == 0x83FF);
  TEST_CHECK(d2.total_good_count == 97 && d2.total_hw_rx_ts == 0);
  TEST_CHECK(d2.ref_time.tv_nsec == 5 && d2.jitter_asymmetry == 0.25);

  TEST_CHECK(CMR_EncodeNTPData(msg, sizeof msg, CMW_RPY_NTP_DATA2, &d) == 172);
  TEST_CHECK(CMW_GetU32(msg + 152) == 9 && msg[156] == 0xff && msg[171] == 0xff);
  TEST_CHECK(CMR_DecodeNTPData(msg, 172, CMW_RPY_NTP_DATA2, &d2));
  TEST_CHECK(memcmp(&d, &d2, sizeof d) == 0);
  TEST_CHECK(!CMR_DecodeNTPData(msg, 171, CMW_RPY_NTP_DATA2, &d2));
  TEST_CHECK(!CMR_DecodeNTPData(msg, 172, CMW_RPY_TRACKING, &d2));
}

static void
test_names_and_auth(void)
{
  CMR_SourceName n;
  CMR_AuthData a, a2;
  char longname[300];

  TEST_CHECK(CMR_EncodeSourceName(msg, sizeof msg, "ntp.example.org") == 284);
  TEST_CHECK(CMR_DecodeSourceName(msg, 284, &n) && strcmp(n.name, "ntp.example.org") == 0);
  TEST_CHECK(!CMR_DecodeSourceName(msg, 283, &n));
  CMR_EncodeSourceName(msg, sizeof msg, "bad name");
  TEST_CHECK(!CMR_DecodeSourceName(msg, 284, &n));
  memset(longname, 'x', sizeof longname);
  longname[sizeof longname - 1] = '\0';
  TEST_CHECK(CMR_EncodeSourceName(msg, sizeof msg, longname) == 284);
  TEST_CHECK(msg[283] == 'x');
  TEST_CHECK(!CMR_DecodeSourceName(msg, 284, &n));

  memset(&a, 0, sizeof a);
  a.mode = CMW_AD_MODE_NTS;
  a.key_type = 15;
  a.key_id = 3;
  a.key_length = 256;
  a.ke_attempts = 1;
  a.last_ke_ago = 1234;
  a.cookies = 8;
  a.cookie_length = 100;
  TEST_CHECK(CMR_EncodeAuthData(msg, sizeof msg, &a) == 52);
  TEST_CHECK(CMW_GetU16(msg + 36) == 256 && CMW_GetU32(msg + 40) == 1234);
  memset(&a2, 0, sizeof a2);
  TEST_CHECK(CMR_DecodeAuthData(msg, 52, &a2) && memcmp(&a, &a2, sizeof a) == 0);
}

static void
test_clients(void)
{
  CMR_ClientAccesses c, c2;

  memset(&c, 0, sizeof c);
  c.n_indices = 3;
  c.next_index = 3;
  c.n_clients = 2;
  set_ip4(&c.clients[1].ip, 0xC6336402);
  c.clients[1].ntp_hits = 2000;
  c.clients[1].cmd_interval = -1;
  c.clients[1].nke_interval = 127;
  c.clients[1].last_nke_hit_ago = 0xFFFFFFFF;
  c.clients[1].last_cmd_hit_ago = 5000;
  TEST_CHECK(CMR_EncodeClientAccesses(msg, sizeof msg, &c) == 520);
  TEST_CHECK(CMW_GetU32(msg + 36) == 2);
  TEST_CHECK(CMW_GetU32(msg + 100) == 0xC6336402);
  TEST_CHECK(CMW_GetU32(msg + 120) == 2000 && msg[146] == 0xff && msg[145] == 127);
  TEST_CHECK(CMR_DecodeClientAccesses(msg, 520, &c2));
  TEST_CHECK(memcmp(&c, &c2, sizeof c) == 0);
  CMW_PutU32(msg + 36, 9);
  TEST_CHECK(!CMR_DecodeClientAccesses(msg, 520, &c2));
  c.n_clients = 9;
  TEST_CHECK(CMR_EncodeClientAccesses(msg, sizeof msg, &c) == 0);
}

static void
test_misc(void)
{
  CMR_Activity a = { 3, 1, 0, 0, 2 }, a2;
  CMR_Rtc r, r2;
  CMR_Smoothing s, s2;
  CMR_ManualList m, m2;
  CMR_ManualTimestamp t = { 1.5, -0.25, 12.5 }, t2;

  TEST_CHECK(CMR_EncodeActivity(msg, sizeof msg, &a) == 48);
  memset(&a2, 0, sizeof a2);
  TEST_CHECK(CMR_DecodeActivity(msg, 48, &a2) && memcmp(&a, &a2, sizeof a) == 0);

  memset(&r, 0, sizeof r);
  r.ref_time.tv_sec = 1000;
  r.n_samples = 5;
  r.n_runs = 2;
  r.span_seconds = 600;
  r.rtc_seconds_fast = 0.5;
  r.rtc_gain_rate_ppm = -2.0;
  TEST_CHECK(CMR_EncodeRtc(msg, sizeof msg, &r) == 56);
  memset(&r2, 0, sizeof r2);
  TEST_CHECK(CMR_DecodeRtc(msg, 56, &r2) && memcmp(&r, &r2, sizeof r) == 0);

  memset(&s, 0, sizeof s);
  s.flags = CMW_SMT_FLAG_ACTIVE;
  s.offset = 0.125;
  s.remaining_time = 100.0;
  TEST_CHECK(CMR_EncodeSmoothing(msg, sizeof msg, &s) == 52);
  memset(&s2, 0, sizeof s2);
  TEST_CHECK(CMR_DecodeSmoothing(msg, 52, &s2) && memcmp(&s, &s2, sizeof s) == 0);

  memset(&m, 0, sizeof m);
  m.n_samples = 2;
  m.samples[1].when.tv_sec = 1700000000;
  m.samples[1].residual = 0.5;
  TEST_CHECK(CMR_EncodeManualList(msg, sizeof msg, &m) == 416);
  TEST_CHECK(CMW_GetU32(msg + 60) == 1700000000);
  TEST_CHECK(CMR_DecodeManualList(msg, 416, &m2) && memcmp(&m, &m2, sizeof m) == 0);
  CMW_PutU32(msg + 28, 17);
  TEST_CHECK(!CMR_DecodeManualList(msg, 416, &m2));

  TEST_CHECK(CMR_EncodeManualTimestamp(msg, sizeof msg, &t) == 40);
  memset(&t2, 0, sizeof t2);
  TEST_CHECK(CMR_DecodeManualTimestamp(msg, 40, &t2) && memcmp(&t, &t2, sizeof t) == 0);
}

int
main(void)
{
  test_tracking();
  test_sources();
  test_server_stats();
  test_ntp_data();
  test_names_and_auth();
  test_clients();
  test_misc();
  TEST_END();
}
