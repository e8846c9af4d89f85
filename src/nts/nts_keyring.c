/*
  ntsd - NTS server keys

  Slot arithmetic follows chronyd: with current slot c, the future key is
  in slot c+1 and the oldest in c+2 (mod 4).  Rotating moves current to
  c+1 and regenerates slot c+2, which held the oldest key.
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>

#include "logging.h"
#include "nts_keyring.h"
#include "util.h"

#define FUTURE_KEYS 1
#define SLOT_MASK (NKY_N_KEYS - 1)
#define TMP_SUFFIX ".tmp"
#define MAX_FILE_SIZE 4096
#define MAX_WORDS 4

typedef struct {
  uint32_t id;
  uint8_t key[NKY_KEY_LEN];
  int valid;
  SIV_Instance siv;
} Key;

static Key keys[NKY_N_KEYS];
static int current;
/* Monotonic time of the last rotation, from which the file's age counts */
static double key_ts;

/* Nonces are AES-128 of a counter under a random key known only to this
   process.  AES is a permutation, so no two nonces under one key are
   equal, and without the key they are unpredictable and unrelated to each
   other: a cookie's nonce (sent in the clear) does not link the cookies
   of one client, which RFC 8915 section 6 asks.  Nettle's CTR mode makes
   NONCE_BATCH of them in one go, about 20 instructions a nonce with
   AES-NI, where a gnutls_rnd() call per nonce cost about 800 (a ChaCha
   block and the generator's bookkeeping), twice per NTS request.  The key
   is drawn on first use, so a process that forks before serving cannot
   share a stream with its child, and replaced after NONCE_REKEY nonces. */
#define NONCE_BATCH 64
#define NONCE_REKEY ((uint64_t)1 << 32)

static struct {
  struct aes128_ctx aes;
  uint8_t ctr[AES_BLOCK_SIZE];
  uint8_t pool[NONCE_BATCH * AES_BLOCK_SIZE];
  int next;                   /* the next unused nonce in pool */
  int keyed;
  uint64_t made;              /* nonces made under the current key */
} nonces;

/* ================================================== */

static double
now_mono(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
clear_key(Key *k)
{
  SIV_Clear(&k->siv);
  SIV_Wipe(k->key, sizeof (k->key));
  k->valid = 0;
}

static int
generate_key(int slot)
{
  Key *k = &keys[slot];
  uint32_t id;

  /* Keys from the kernel-seeded key generator; the id need not be secret,
     only unlikely to repeat the id this slot had */
  do {
    if (gnutls_rnd(GNUTLS_RND_NONCE, &id, sizeof (id)) < 0)
      goto error;
    id = (id & ~(uint32_t)SLOT_MASK) | slot;
  } while (k->valid && id == k->id);

  if (gnutls_rnd(GNUTLS_RND_KEY, k->key, sizeof (k->key)) < 0 ||
      !SIV_SetKey(&k->siv, k->key, sizeof (k->key)))
    goto error;

  k->id = id;
  k->valid = 1;
  key_ts = now_mono();
  DEBUG_LOG("Generated NTS server key %08X", (unsigned int)id);
  return 1;

error:
  LOG(LOGS_ERR, "Could not generate NTS server key");
  clear_key(k);
  return 0;
}

/* ================================================== */

void
NKY_Initialise(void)
{
  int i;

  for (i = 0; i < NKY_N_KEYS; i++) {
    keys[i].valid = 0;
    generate_key(i);
  }
  current = NKY_N_KEYS - 1;
}

void
NKY_Finalise(void)
{
  int i;

  for (i = 0; i < NKY_N_KEYS; i++)
    clear_key(&keys[i]);
  SIV_Wipe(&nonces, sizeof (nonces));
}

int
NKY_Rotate(void)
{
  current = (current + 1) % NKY_N_KEYS;
  return generate_key((current + FUTURE_KEYS) % NKY_N_KEYS);
}

double
NKY_GetKeyAge(void)
{
  double age = now_mono() - key_ts;

  return age > 0.0 ? age : 0.0;
}

double
NKY_GetRotationDelay(int rotate_interval)
{
  double delay;

  if (rotate_interval <= 0)
    return -1.0;
  delay = rotate_interval - NKY_GetKeyAge();
  return delay > 0.0 ? delay : 0.0;
}

uint32_t
NKY_GetCurrentKeyId(void)
{
  return keys[current].id;
}

/* ================================================== */

static int
refill_nonces(void)
{
  uint8_t key[AES128_KEY_SIZE];

  if (!nonces.keyed || nonces.made >= NONCE_REKEY) {
    if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof (key)) < 0) {
      SIV_Wipe(&nonces, sizeof (nonces));
      return 0;
    }
    aes128_set_encrypt_key(&nonces.aes, key);
    SIV_Wipe(key, sizeof (key));
    memset(nonces.ctr, 0, sizeof (nonces.ctr));
    nonces.made = 0;
    nonces.keyed = 1;
  }

  /* The key stream over zeros is the encrypted counters themselves */
  memset(nonces.pool, 0, sizeof (nonces.pool));
  ctr_crypt(&nonces.aes, (nettle_cipher_func *)aes128_encrypt, AES_BLOCK_SIZE, nonces.ctr,
            sizeof (nonces.pool), nonces.pool, nonces.pool);
  nonces.made += NONCE_BATCH;
  nonces.next = 0;
  return 1;
}

int
NKY_MakeNonce(uint8_t *nonce)
{
  if ((!nonces.keyed || nonces.next >= NONCE_BATCH) && !refill_nonces())
    return 0;

  memcpy(nonce, nonces.pool + nonces.next * AES_BLOCK_SIZE, NKY_NONCE_LEN);
  nonces.next++;
  return 1;
}

int
NKY_MakeCookie(const uint8_t *c2s, const uint8_t *s2c, int key_len, uint8_t *out, int out_max)
{
  uint8_t nonce[NCK_NONCE_LEN];
  Key *k = &keys[current];

  if (!k->valid || !NKY_MakeNonce(nonce))
    return 0;

  return NCK_Seal(&k->siv, k->id, nonce, c2s, s2c, key_len, out, out_max);
}

int
NKY_OpenCookie(const uint8_t *cookie, int len, uint8_t *c2s, uint8_t *s2c, int *key_len)
{
  uint32_t id;
  Key *k;

  if (!NCK_GetKeyId(cookie, len, &id))
    goto fail;

  k = &keys[id & SLOT_MASK];
  if (!k->valid || k->id != id)
    goto fail;

  return NCK_Open(&k->siv, cookie, len, c2s, s2c, key_len);

fail:
  memset(c2s, 0, NKY_KEY_LEN);
  memset(s2c, 0, NKY_KEY_LEN);
  *key_len = 0;
  return 0;
}

/* ================================================== */

static int
make_path(char *buf, size_t size, const char *dir, const char *suffix)
{
  int r = snprintf(buf, size, "%s/%s%s", dir, NKY_FILE_NAME, suffix);

  return r > 0 && (size_t)r < size;
}

static int
write_all(int fd, const char *buf, int len)
{
  ssize_t r;
  int done = 0;

  while (done < len) {
    r = write(fd, buf + done, len - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return 0;
    done += r;
  }
  return 1;
}

/* The whole file in one buffer; returns its length or 0 */
static int
format_keys(char *buf, int size)
{
  char hex[2 * NKY_KEY_LEN + 1];
  int i, slot, len, r;

  r = snprintf(buf, size, "NKS0\n%d %.1f\n", SIV_AEAD_AES_SIV_CMAC_256, NKY_GetKeyAge());
  if (r < 0 || r >= size)
    return 0;
  len = r;

  /* Oldest first, future last: slots c+2, c+3, c, c+1 */
  for (i = 0; i < NKY_N_KEYS; i++) {
    slot = (current + i + 1 + FUTURE_KEYS) % NKY_N_KEYS;
    if (!keys[slot].valid)
      return 0;
    UTI_BytesToHex(keys[slot].key, NKY_KEY_LEN, hex, sizeof (hex));
    r = snprintf(buf + len, size - len, "%08X %s\n", (unsigned int)keys[slot].id, hex);
    if (r < 0 || r >= size - len)
      return 0;
    len += r;
  }
  SIV_Wipe(hex, sizeof (hex));
  return len;
}

int
NKY_Save(const char *dir)
{
  char path[PATH_MAX], tmp[PATH_MAX], buf[MAX_FILE_SIZE];
  int fd, len, ok;

  if (!dir || !make_path(path, sizeof (path), dir, "") ||
      !make_path(tmp, sizeof (tmp), dir, TMP_SUFFIX))
    return 0;

  len = format_keys(buf, sizeof (buf));
  if (len <= 0)
    return 0;

  /* A leftover from a crash would make O_EXCL fail forever; unlink()
     removes a symlink itself, never its target */
  if (unlink(tmp) < 0 && errno != ENOENT)
    goto io_error;

  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    goto io_error;

  /* The umask may only have taken permissions away, but be exact */
  ok = fchmod(fd, 0600) == 0 && write_all(fd, buf, len) && fsync(fd) == 0;
  if (close(fd) < 0)
    ok = 0;
  if (!ok || rename(tmp, path) < 0) {
    unlink(tmp);
    goto io_error;
  }
  SIV_Wipe(buf, sizeof (buf));

  /* Make the rename itself durable */
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    if (fsync(fd) < 0)
      DEBUG_LOG("Could not fsync %s : %s", dir, strerror(errno));
    close(fd);
  }

  DEBUG_LOG("Saved NTS server keys to %s", path);
  return 1;

io_error:
  LOG(LOGS_ERR, "Could not save %s : %s", path, strerror(errno));
  SIV_Wipe(buf, sizeof (buf));
  return 0;
}

/* ================================================== */

/* Split a line (no newline) at spaces and tabs; returns the number of
   words, or -1 if there are more than max */
static int
split_words(char *line, char **words, int max)
{
  int n = 0;

  for (;;) {
    while (*line == ' ' || *line == '\t')
      line++;
    if (*line == '\0')
      return n;
    if (n >= max)
      return -1;
    words[n++] = line;
    while (*line != '\0' && *line != ' ' && *line != '\t')
      line++;
    if (*line != '\0')
      *line++ = '\0';
  }
}

static int
parse_id(const char *s, uint32_t *id)
{
  uint8_t b[4];

  if (strlen(s) != 8 || UTI_HexToBytes(s, b, sizeof (b)) != 4)
    return 0;
  *id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
  return 1;
}

static int
parse_age(const char *s, double *age)
{
  char *end;

  errno = 0;
  *age = strtod(s, &end);
  if (end == s || *end != '\0' || errno != 0 || !isfinite(*age))
    return 0;
  if (*age < 0.0)
    *age = 0.0;
  return 1;
}

static int
is_aead_15(const char *s)
{
  return strcmp(s, "15") == 0;
}

/* Take the next line out of the buffer; returns NULL at the end */
static char *
next_line(char **pos, char *end)
{
  char *line = *pos, *nl;

  if (line >= end)
    return NULL;
  nl = memchr(line, '\n', end - line);
  if (nl) {
    *nl = '\0';
    *pos = nl + 1;
  } else {
    *pos = end;       /* the last line may lack its newline */
  }
  return line;
}

/* Parse the file's contents into new_keys in file order; buf is modified */
static int
parse_keys(char *buf, int len, Key *new_keys, double *age)
{
  char *pos = buf, *end = buf + len, *line, *words[MAX_WORDS];
  int i, nks1, n;

  if (memchr(buf, '\0', len))
    return 0;

  line = next_line(&pos, end);
  if (!line || (strcmp(line, "NKS0") != 0 && strcmp(line, "NKS1") != 0))
    return 0;
  nks1 = line[3] == '1';

  /* NKS0 has the AEAD of all keys here, NKS1 on each key's line */
  line = next_line(&pos, end);
  if (!line)
    return 0;
  n = split_words(line, words, MAX_WORDS);
  if (nks1 ? (n != 1 || !parse_age(words[0], age))
           : (n != 2 || !is_aead_15(words[0]) || !parse_age(words[1], age)))
    return 0;

  for (i = 0; i < NKY_N_KEYS; i++) {
    line = next_line(&pos, end);
    if (!line)
      return 0;
    n = split_words(line, words, MAX_WORDS);
    if (n != (nks1 ? 3 : 2) || (nks1 && !is_aead_15(words[2])) ||
        !parse_id(words[0], &new_keys[i].id) || strlen(words[1]) != 2 * NKY_KEY_LEN ||
        UTI_HexToBytes(words[1], new_keys[i].key, NKY_KEY_LEN) != NKY_KEY_LEN)
      return 0;
    /* Consecutive slots, as chronyd checks */
    if (i > 0 && ((new_keys[i].id - new_keys[i - 1].id) & SLOT_MASK) != 1)
      return 0;
  }

  /* Nothing but blank lines may follow */
  while ((line = next_line(&pos, end))) {
    if (split_words(line, words, MAX_WORDS) != 0)
      return 0;
  }
  return 1;
}

int
NKY_Load(const char *dir)
{
  char path[PATH_MAX], buf[MAX_FILE_SIZE + 1];
  Key new_keys[NKY_N_KEYS];
  int i, fd, len = 0, ok = 0, slot = 0;
  struct stat st;
  double age = 0.0;
  ssize_t r = 0;

  memset(new_keys, 0, sizeof (new_keys));

  if (!dir || !make_path(path, sizeof (path), dir, ""))
    return 0;

  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      DEBUG_LOG("No %s", path);
    else
      LOG(LOGS_ERR, "Could not open %s : %s", path, strerror(errno));
    return 0;
  }

  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    LOG(LOGS_ERR, "%s is not a regular file", path);
    return 0;
  }

  /* Read one byte past the limit to tell a long file from a full one */
  while (len <= MAX_FILE_SIZE) {
    r = read(fd, buf + len, MAX_FILE_SIZE + 1 - len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    len += r;
  }
  close(fd);

  if (r < 0 || len > MAX_FILE_SIZE || !parse_keys(buf, len, new_keys, &age)) {
    LOG(LOGS_ERR, "Invalid %s", path);
    goto out;
  }

  for (i = 0; i < NKY_N_KEYS; i++) {
    if (!SIV_SetKey(&new_keys[i].siv, new_keys[i].key, NKY_KEY_LEN))
      goto out;
    new_keys[i].valid = 1;
  }

  for (i = 0; i < NKY_N_KEYS; i++) {
    slot = new_keys[i].id & SLOT_MASK;
    clear_key(&keys[slot]);
    keys[slot] = new_keys[i];
    DEBUG_LOG("Loaded NTS server key %08X", (unsigned int)keys[slot].id);
  }
  /* The last key is the future one */
  current = (slot + NKY_N_KEYS - FUTURE_KEYS) % NKY_N_KEYS;
  key_ts = now_mono() - age;
  ok = 1;

out:
  for (i = 0; i < NKY_N_KEYS; i++)
    clear_key(&new_keys[i]);
  SIV_Wipe(buf, sizeof (buf));
  return ok;
}
