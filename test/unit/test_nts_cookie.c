/*
  ntsd - unit test of the server cookies and key ring: the cookie layout
  checked against SIV directly, tampering, unknown keys, rotation, and the
  ntskeys file (both chronyd variants, atomic save, malformed files).
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logging.h"
#include "nts_cookie.h"
#include "nts_keyring.h"
#include "test.h"
#include "util.h"

static char dir[64];
static char file_path[128];

static void
fill(uint8_t *p, int len, int seed)
{
  int i;

  for (i = 0; i < len; i++)
    p[i] = seed + 13 * i;
}

static void
test_cookie_format(void)
{
  uint8_t server_key[32], nonce[16], c2s[32], s2c[32], plain[64], cookie[NCK_COOKIE_LEN + 10];
  uint8_t sealed[80], k1[32], k2[32];
  SIV_Instance siv, other;
  uint32_t id;
  int i, len, key_len;

  fill(server_key, 32, 1);
  fill(nonce, 16, 2);
  fill(c2s, 32, 3);
  fill(s2c, 32, 4);
  TEST_CHECK(SIV_SetKey(&siv, server_key, 32));

  TEST_CHECK(NCK_COOKIE_LEN == 100);
  len = NCK_Seal(&siv, 0x12345679, nonce, c2s, s2c, 32, cookie, sizeof cookie);
  TEST_CHECK(len == 100);

  /* id || nonce || SIV(nonce, no associated data, C2S || S2C) */
  TEST_CHECK(memcmp(cookie, "\x12\x34\x56\x79", 4) == 0);
  TEST_CHECK(memcmp(cookie + 4, nonce, 16) == 0);
  memcpy(plain, c2s, 32);
  memcpy(plain + 32, s2c, 32);
  TEST_CHECK(SIV_Encrypt(&siv, nonce, 16, NULL, 0, plain, 64, sealed));
  TEST_CHECK(memcmp(cookie + 20, sealed, 80) == 0);

  TEST_CHECK(NCK_GetKeyId(cookie, len, &id) && id == 0x12345679);
  TEST_CHECK(!NCK_GetKeyId(cookie, 3, &id));
  TEST_CHECK(NCK_Open(&siv, cookie, len, k1, k2, &key_len));
  TEST_CHECK(key_len == 32 && memcmp(k1, c2s, 32) == 0 && memcmp(k2, s2c, 32) == 0);

  /* Any change to what is sealed fails and clears the outputs */
  for (i = 4; i < len; i++) {
    cookie[i] ^= 0x20;
    memset(k1, 0xff, 32);
    TEST_CHECK(!NCK_Open(&siv, cookie, len, k1, k2, &key_len));
    TEST_CHECK(key_len == 0 && k1[0] == 0 && k1[31] == 0);
    cookie[i] ^= 0x20;
  }
  for (i = 0; i < len + 10; i++) {
    if (i != len)
      TEST_CHECK(!NCK_Open(&siv, cookie, i, k1, k2, &key_len));
  }
  server_key[0] ^= 1;
  TEST_CHECK(SIV_SetKey(&other, server_key, 32));
  TEST_CHECK(!NCK_Open(&other, cookie, len, k1, k2, &key_len));

  /* Only 32-byte keys; room for the whole cookie */
  TEST_CHECK(NCK_Seal(&siv, 1, nonce, c2s, s2c, 16, cookie, sizeof cookie) == 0);
  TEST_CHECK(NCK_Seal(&siv, 1, nonce, c2s, s2c, 32, cookie, 99) == 0);
  TEST_CHECK(NCK_Seal(&siv, 1, nonce, c2s, s2c, 32, cookie, 100) == 100);
}

static int
open_ok(const uint8_t *cookie, int len, const uint8_t *c2s, const uint8_t *s2c)
{
  uint8_t k1[32], k2[32];
  int key_len;

  return NKY_OpenCookie(cookie, len, k1, k2, &key_len) && key_len == 32 &&
         memcmp(k1, c2s, 32) == 0 && memcmp(k2, s2c, 32) == 0;
}

static void
test_ring(void)
{
  uint8_t c2s[32], s2c[32], cookie[NKY_MAX_COOKIE_LEN], copy[NKY_MAX_COOKIE_LEN];
  uint8_t cookie2[NKY_MAX_COOKIE_LEN], k1[32], k2[32];
  uint32_t id, id2;
  int i, len, key_len;

  fill(c2s, 32, 5);
  fill(s2c, 32, 6);
  NKY_Initialise();

  len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
  TEST_CHECK(len == NKY_MAX_COOKIE_LEN);
  TEST_CHECK(NCK_GetKeyId(cookie, len, &id) && id == NKY_GetCurrentKeyId());
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));

  /* Fresh nonces: the same keys never give the same cookie */
  TEST_CHECK(NKY_MakeCookie(c2s, s2c, 32, cookie2, sizeof cookie2) == len);
  TEST_CHECK(memcmp(cookie, cookie2, len) != 0);

  TEST_CHECK(NKY_MakeCookie(c2s, s2c, 16, cookie2, sizeof cookie2) == 0);
  TEST_CHECK(NKY_MakeCookie(c2s, s2c, 32, cookie2, len - 1) == 0);

  /* Every byte matters, the key id included */
  memcpy(copy, cookie, len);
  for (i = 0; i < len; i++) {
    copy[i] ^= 0x04;
    TEST_CHECK(!NKY_OpenCookie(copy, len, k1, k2, &key_len));
    copy[i] ^= 0x04;
  }
  /* Same slot, other id: unknown key */
  copy[0] ^= 0x80;
  TEST_CHECK(!NKY_OpenCookie(copy, len, k1, k2, &key_len) && key_len == 0);
  copy[0] ^= 0x80;
  for (i = 0; i <= len + 1; i++) {
    if (i != len)
      TEST_CHECK(!NKY_OpenCookie(copy, i, k1, k2, &key_len));
  }
  TEST_CHECK(!NKY_OpenCookie(NULL, len, k1, k2, &key_len));

  /* Valid for two rotations, then gone */
  TEST_CHECK(NKY_Rotate());
  id2 = NKY_GetCurrentKeyId();
  TEST_CHECK(id2 != id && (id2 & 3) == ((id + 1) & 3));
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));
  TEST_CHECK(NKY_Rotate());
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));
  TEST_CHECK(NKY_Rotate());
  TEST_CHECK(!open_ok(cookie, len, c2s, s2c));

  TEST_CHECK(NKY_GetKeyAge() >= 0.0 && NKY_GetKeyAge() < 10.0);
  TEST_CHECK(NKY_GetRotationDelay(0) < 0.0);
  TEST_CHECK(NKY_GetRotationDelay(-5) < 0.0);
  TEST_CHECK(NKY_GetRotationDelay(3600) > 3590.0 && NKY_GetRotationDelay(3600) <= 3600.0);
}

static int
write_file(const char *text, int len)
{
  int fd, r;

  unlink(file_path);
  fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return 0;
  r = write(fd, text, len);
  close(fd);
  return r == len;
}

static int
load_text(const char *text)
{
  if (!write_file(text, strlen(text)))
    return -1;
  return NKY_Load(dir);
}

static void
test_save_load(void)
{
  uint8_t c2s[32], s2c[32], cookie[NKY_MAX_COOKIE_LEN], old_cookie[NKY_MAX_COOKIE_LEN];
  char text[1024], tmp_path[160], *line;
  uint32_t id, ids[4];
  struct stat st;
  int i, fd, len, old_len, text_len;
  FILE *f;

  fill(c2s, 32, 7);
  fill(s2c, 32, 8);
  NKY_Initialise();
  old_len = NKY_MakeCookie(c2s, s2c, 32, old_cookie, sizeof old_cookie);
  TEST_CHECK(NKY_Rotate());
  len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
  id = NKY_GetCurrentKeyId();

  TEST_CHECK(NKY_Save(dir));
  TEST_CHECK(lstat(file_path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
  snprintf(tmp_path, sizeof tmp_path, "%s.tmp", file_path);
  TEST_CHECK(access(tmp_path, F_OK) < 0);

  /* NKS0, "15 <age>", then oldest, previous, current, future */
  f = fopen(file_path, "r");
  TEST_CHECK(f != NULL);
  text_len = f ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f)
    fclose(f);
  text[text_len] = '\0';
  TEST_CHECK(strncmp(text, "NKS0\n15 0.", 10) == 0 || strncmp(text, "NKS0\n15 -0.", 11) == 0);
  TEST_CHECK(text_len == 5 + 7 + 4 * 74);
  line = strchr(strchr(text, '\n') + 1, '\n') + 1;
  for (i = 0; i < 4; i++) {
    TEST_CHECK(strspn(line, "0123456789ABCDEF") == 8 && line[8] == ' ');
    TEST_CHECK(strspn(line + 9, "0123456789ABCDEF") == 64 && line[73] == '\n');
    ids[i] = strtoul(line, NULL, 16);
    line += 74;
  }
  TEST_CHECK(ids[2] == id);
  TEST_CHECK(((ids[1] + 1) & 3) == (ids[2] & 3) && ((ids[3] - 1) & 3) == (ids[2] & 3));

  /* Loading into a fresh ring brings the keys back */
  NKY_Finalise();
  NKY_Initialise();
  TEST_CHECK(NKY_GetCurrentKeyId() != id);
  TEST_CHECK(!open_ok(cookie, len, c2s, s2c));
  TEST_CHECK(NKY_Load(dir));
  TEST_CHECK(NKY_GetCurrentKeyId() == id);
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));
  TEST_CHECK(open_ok(old_cookie, old_len, c2s, s2c));
  /* ... including which one comes next */
  TEST_CHECK(NKY_Rotate());
  TEST_CHECK(NKY_GetCurrentKeyId() == ids[3]);

  /* A stale temporary file, even a symlink, does not stop a save and its
     target is not touched */
  fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  TEST_CHECK(fd >= 0);
  if (fd >= 0)
    close(fd);
  TEST_CHECK(NKY_Save(dir));
  snprintf(text, sizeof text, "%s/target", dir);
  TEST_CHECK(symlink("target", tmp_path) == 0);
  TEST_CHECK(NKY_Save(dir));
  TEST_CHECK(access(text, F_OK) < 0 && errno == ENOENT);
  TEST_CHECK(lstat(file_path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);

  TEST_CHECK(!NKY_Save("/nonexistent/dir"));
  TEST_CHECK(!NKY_Load("/nonexistent/dir"));
  TEST_CHECK(!NKY_Save(NULL) && !NKY_Load(NULL));
}

#define K0 "1111111111111111111111111111111111111111111111111111111111111111"
#define K1 "2222222222222222222222222222222222222222222222222222222222222222"
#define K2 "3333333333333333333333333333333333333333333333333333333333333333"
#define K3 "0123456789ABCDEFFEDCBA98765432100123456789abcdeffedcba9876543210"

/* Ids in consecutive slots 2, 3, 0, 1 (current: 01020304, slot 0) */
#define NKS1_SAMPLE \
  "NKS1\n1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n"
#define NKS0_SAMPLE \
  "NKS0\n15 1000.0\n1A2B3C46 " K0 "\n9F8E7D67 " K1 "\n01020304 " K3 "\nAABBCCD1 " K2 "\n"

static void
test_chronyd_files(void)
{
  uint8_t c2s[32], s2c[32], key[32], nonce[16], cookie[NKY_MAX_COOKIE_LEN], k1[32], k2[32];
  uint8_t cookie2[NKY_MAX_COOKIE_LEN];
  SIV_Instance siv, other;
  int len, key_len;
  double age;

  fill(c2s, 32, 9);
  fill(s2c, 32, 10);
  fill(nonce, 16, 11);
  UTI_HexToBytes(K3, key, sizeof key);
  TEST_CHECK(SIV_SetKey(&siv, key, 32));

  NKY_Initialise();
  TEST_CHECK(load_text(NKS1_SAMPLE) == 1);
  TEST_CHECK(NKY_GetCurrentKeyId() == 0x01020304);
  age = NKY_GetKeyAge();
  TEST_CHECK(age >= 1000.0 && age < 1005.0);
  TEST_CHECK(NKY_GetRotationDelay(3600) > 2595.0 && NKY_GetRotationDelay(3600) <= 2600.0);
  TEST_CHECK(NKY_GetRotationDelay(500) == 0.0);

  /* A cookie as chronyd would seal it with its current key opens here,
     and ours open with the key from the file */
  TEST_CHECK(NCK_Seal(&siv, 0x01020304, nonce, c2s, s2c, 32, cookie, sizeof cookie) == 100);
  TEST_CHECK(open_ok(cookie, 100, c2s, s2c));
  len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
  TEST_CHECK(len == 100 && memcmp(cookie, "\x01\x02\x03\x04", 4) == 0);
  TEST_CHECK(NCK_Open(&siv, cookie, len, k1, k2, &key_len) && memcmp(k1, c2s, 32) == 0);

  /* Another server sharing the keys that already rotated seals with what
     is still the future key here; the oldest key also still works */
  UTI_HexToBytes(K2, key, sizeof key);
  TEST_CHECK(SIV_SetKey(&other, key, 32));
  TEST_CHECK(NCK_Seal(&other, 0xAABBCCD1, nonce, c2s, s2c, 32, cookie2, sizeof cookie2) == 100);
  TEST_CHECK(open_ok(cookie2, 100, c2s, s2c));
  UTI_HexToBytes(K0, key, sizeof key);
  TEST_CHECK(SIV_SetKey(&other, key, 32));
  TEST_CHECK(NCK_Seal(&other, 0x1A2B3C46, nonce, c2s, s2c, 32, cookie2, sizeof cookie2) == 100);
  TEST_CHECK(open_ok(cookie2, 100, c2s, s2c));
  /* ... but not under the wrong id */
  TEST_CHECK(NCK_Seal(&other, 0x1A2B3C42, nonce, c2s, s2c, 32, cookie2, sizeof cookie2) == 100);
  TEST_CHECK(!open_ok(cookie2, 100, c2s, s2c));

  /* Saved back as NKS0 with the same keys and order, and the age kept */
  TEST_CHECK(NKY_Save(dir));
  NKY_Initialise();
  TEST_CHECK(NKY_Load(dir) && NKY_GetCurrentKeyId() == 0x01020304);
  TEST_CHECK(NKY_GetKeyAge() >= 1000.0 && NKY_GetKeyAge() < 1005.0);
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));

  NKY_Initialise();
  TEST_CHECK(load_text(NKS0_SAMPLE) == 1 && NKY_GetCurrentKeyId() == 0x01020304);
  TEST_CHECK(open_ok(cookie, len, c2s, s2c));
  /* Lower-case hex, tabs, several spaces, no final newline, negative age */
  TEST_CHECK(load_text("NKS1\n-5\n1a2b3c46\t" K0 "  15\n9f8e7d67 " K1 " 15\n01020304 " K3
                       " 15\naabbccd1 " K2 " 15") == 1);
  TEST_CHECK(NKY_GetKeyAge() < 5.0);
  TEST_CHECK(load_text(NKS1_SAMPLE "\n\n") == 1);
}

static void
test_bad_files(void)
{
  static const char *const bad[] = {
    "",
    "\n",
    "NKS2\n1.0\n",
    "NKS0",
    "NKS0\n",
    "NKS1\n1000.0\n",
    /* three keys */
    "NKS1\n1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\n",
    /* five keys */
    NKS1_SAMPLE "1A2B3C42 " K0 " 15\n",
    NKS1_SAMPLE "x\n",
    /* wrong variant lines */
    "NKS1\n15 1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS0\n1000.0\n1A2B3C46 " K0 "\n9F8E7D67 " K1 "\n01020304 " K3 "\nAABBCCD1 " K2 "\n",
    "NKS0\n15 1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1000.0\n1A2B3C46 " K0 "\n9F8E7D67 " K1 "\n01020304 " K3 "\nAABBCCD1 " K2 "\n",
    /* other AEADs (chronyd with AES-128-GCM-SIV) */
    "NKS0\n30 1000.0\n1A2B3C46 " K0 "\n9F8E7D67 " K1 "\n01020304 " K3 "\nAABBCCD1 " K2 "\n",
    "NKS1\n1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 30\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1000.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 015\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    /* bad ages */
    "NKS1\nabc\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\nnan\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\ninf\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1e999\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n10s\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    /* bad ids: short, long, not hex, not consecutive slots */
    "NKS1\n1.0\n1A2B3C6 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n01A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C4G " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\nAABBCCD1 " K3 " 15\n01020304 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C46 " K0 " 15\n1A2B3C46 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    /* bad keys: short, long, not hex */
    "NKS1\n1.0\n1A2B3C46 " K0 " 15\n9F8E7D67 1" K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C46 " K0 "00 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 "1 15\nAABBCCD1 " K2 " 15\n",
    "NKS1\n1.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 x" K2 " 15\n",
    "NKS1\r\n1.0\n1A2B3C46 " K0 " 15\n9F8E7D67 " K1 " 15\n01020304 " K3 " 15\nAABBCCD1 " K2 " 15\n",
  };
  uint8_t c2s[32], s2c[32], cookie[NKY_MAX_COOKIE_LEN];
  char big[5000], sub[160];
  uint32_t id;
  int i, len;

  fill(c2s, 32, 12);
  fill(s2c, 32, 13);
  NKY_Initialise();
  len = NKY_MakeCookie(c2s, s2c, 32, cookie, sizeof cookie);
  id = NKY_GetCurrentKeyId();

  /* Nothing changes on a failed load */
  for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
    TEST_CHECK(load_text(bad[i]) == 0);
    if (NKY_GetCurrentKeyId() != id || !open_ok(cookie, len, c2s, s2c))
      printf("bad file %d changed the keys\n", i);
  }
  TEST_CHECK(NKY_GetCurrentKeyId() == id && open_ok(cookie, len, c2s, s2c));

  /* NUL byte inside an otherwise good file */
  memcpy(big, NKS1_SAMPLE, sizeof NKS1_SAMPLE);
  big[20] = '\0';
  TEST_CHECK(write_file(big, sizeof NKS1_SAMPLE - 1) && !NKY_Load(dir));

  /* Too long: a good file followed by many blank lines */
  memset(big, '\n', sizeof big);
  memcpy(big, NKS1_SAMPLE, sizeof NKS1_SAMPLE - 1);
  TEST_CHECK(write_file(big, sizeof big) && !NKY_Load(dir));
  TEST_CHECK(write_file(big, 4096) && NKY_Load(dir));

  /* Not a regular file, or a symlink */
  NKY_Initialise();
  id = NKY_GetCurrentKeyId();
  unlink(file_path);
  TEST_CHECK(mkdir(file_path, 0700) == 0);
  TEST_CHECK(!NKY_Load(dir));
  TEST_CHECK(!NKY_Save(dir));
  rmdir(file_path);
  snprintf(sub, sizeof sub, "%s/real", dir);
  TEST_CHECK(write_file(NKS1_SAMPLE, sizeof NKS1_SAMPLE - 1));
  TEST_CHECK(rename(file_path, sub) == 0);
  TEST_CHECK(symlink("real", file_path) == 0);
  TEST_CHECK(!NKY_Load(dir));
  TEST_CHECK(NKY_GetCurrentKeyId() == id);
  unlink(sub);
  unlink(file_path);
  TEST_CHECK(!NKY_Load(dir));
}

static int
compare_nonces(const void *a, const void *b)
{
  return memcmp(a, b, NKY_NONCE_LEN);
}

/* Nonces over several refills of the generator's batch and a restart of
   the generator: all different, none zero, and the cookies carry them */
static void
test_nonces(void)
{
  static uint8_t n[1000][NKY_NONCE_LEN];
  uint8_t zero[NKY_NONCE_LEN] = { 0 }, c2s[32], s2c[32], c1[NKY_MAX_COOKIE_LEN],
          c2[NKY_MAX_COOKIE_LEN];
  int i, ok = 1;

  for (i = 0; i < 1000; i++) {
    if (i == 500)
      NKY_Finalise();       /* wipes the generator: a new key on next use */
    if (!NKY_MakeNonce(n[i]) || memcmp(n[i], zero, NKY_NONCE_LEN) == 0)
      ok = 0;
  }
  TEST_CHECK(ok);
  qsort(n, 1000, NKY_NONCE_LEN, compare_nonces);
  for (i = 1; i < 1000; i++) {
    if (memcmp(n[i - 1], n[i], NKY_NONCE_LEN) == 0)
      ok = 0;
  }
  TEST_CHECK(ok);

  NKY_Initialise();
  fill(c2s, 32, 5);
  fill(s2c, 32, 6);
  TEST_CHECK(NKY_MakeCookie(c2s, s2c, 32, c1, sizeof c1) == NKY_MAX_COOKIE_LEN);
  TEST_CHECK(NKY_MakeCookie(c2s, s2c, 32, c2, sizeof c2) == NKY_MAX_COOKIE_LEN);
  TEST_CHECK(memcmp(c1, c2, 4) == 0 && memcmp(c1 + 4, c2 + 4, NCK_NONCE_LEN) != 0);
}

static void
cleanup(void)
{
  char path[160];

  unlink(file_path);
  snprintf(path, sizeof path, "%s.tmp", file_path);
  unlink(path);
  snprintf(path, sizeof path, "%s/target", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/real", dir);
  unlink(path);
  rmdir(dir);
}

int
main(void)
{
  LOG_Initialise();
  LOG_SetMinSeverity(LOGS_FATAL);

  snprintf(dir, sizeof dir, "%s", "/tmp/ntsd-test-cookie.XXXXXX");
  if (!mkdtemp(dir)) {
    printf("mkdtemp failed\n");
    return 1;
  }
  snprintf(file_path, sizeof file_path, "%s/ntskeys", dir);

  test_cookie_format();
  test_ring();
  test_save_load();
  test_chronyd_files();
  test_bad_files();
  test_nonces();

  cleanup();
  NKY_Finalise();
  LOG_Finalise();
  TEST_END();
}
