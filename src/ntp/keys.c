/*
  ntsd - symmetric keys

  The keys are kept sorted by id for bsearch; a cipher key is expanded for
  each packet rather than kept expanded, which keeps one representation for
  every key type at the cost of a key schedule per authenticated packet.
*/
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <nettle/cmac.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>

#include "conf.h"
#include "keys.h"
#include "logging.h"
#include "memory.h"
#include "util.h"

/* chrony reads lines into a buffer of this size */
#define MAX_LINE_LEN 2048
/* chronyd warns about keys shorter than 80 bits */
#define MIN_SECURE_KEY_LEN 10

typedef struct {
  uint32_t id;
  KEY_Type type;
  int length;
  uint8_t *value;
  int order;                  /* line order, to keep the first duplicate */
} Key;

static Key *keys;
static int n_keys;
static int initialised;

static const struct {
  const char *name;
  KEY_Type type;
} type_names[] = {
  { "MD5", KEY_TYPE_MD5 },
  { "SHA1", KEY_TYPE_SHA1 },
  { "SHA256", KEY_TYPE_SHA256 },
  { "SHA384", KEY_TYPE_SHA384 },
  { "SHA512", KEY_TYPE_SHA512 },
  { "SHA3-224", KEY_TYPE_SHA3_224 },
  { "SHA3-256", KEY_TYPE_SHA3_256 },
  { "SHA3-384", KEY_TYPE_SHA3_384 },
  { "SHA3-512", KEY_TYPE_SHA3_512 },
  { "AES128", KEY_TYPE_AES128 },
  { "AES256", KEY_TYPE_AES256 },
};

KEY_Type
KEY_NameToType(const char *name)
{
  size_t i;

  /* Case-sensitive, as chronyd */
  for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
    if (strcmp(name, type_names[i].name) == 0)
      return type_names[i].type;
  }
  return KEY_TYPE_NONE;
}

const char *
KEY_TypeToName(KEY_Type type)
{
  size_t i;

  for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
    if (type_names[i].type == type)
      return type_names[i].name;
  }
  return "?";
}

static const struct nettle_hash *
get_hash(KEY_Type type)
{
  switch (type) {
    case KEY_TYPE_MD5: return &nettle_md5;
    case KEY_TYPE_SHA1: return &nettle_sha1;
    case KEY_TYPE_SHA256: return &nettle_sha256;
    case KEY_TYPE_SHA384: return &nettle_sha384;
    case KEY_TYPE_SHA512: return &nettle_sha512;
    case KEY_TYPE_SHA3_224: return &nettle_sha3_224;
    case KEY_TYPE_SHA3_256: return &nettle_sha3_256;
    case KEY_TYPE_SHA3_384: return &nettle_sha3_384;
    case KEY_TYPE_SHA3_512: return &nettle_sha3_512;
    default: return NULL;
  }
}

/* Required key length of a cipher type, 0 for a hash type */
static int
cmac_key_length(KEY_Type type)
{
  switch (type) {
    case KEY_TYPE_AES128: return 16;
    case KEY_TYPE_AES256: return 32;
    default: return 0;
  }
}

/* ---- the keyfile ---- */

static int
is_comment_char(int c)
{
  return c == '!' || c == ';' || c == '#' || c == '%';
}

/* Next whitespace-separated word of *s, copied into word; 0 if none */
static int
next_word(const char **s, char *word, size_t word_size)
{
  const char *p = *s, *start;
  size_t len;

  while (*p && isspace((unsigned char)*p))
    p++;
  if (!*p)
    return 0;
  start = p;
  while (*p && !isspace((unsigned char)*p))
    p++;
  len = (size_t)(p - start);
  if (len >= word_size)
    len = word_size - 1;
  memcpy(word, start, len);
  word[len] = '\0';
  *s = p;
  return 1;
}

static int
parse_id(const char *s, uint32_t *id)
{
  unsigned long long v = 0;

  if (!*s)
    return 0;
  for (; *s; s++) {
    if (!isdigit((unsigned char)*s))
      return 0;
    v = v * 10 + (unsigned int)(*s - '0');
    if (v > UINT32_MAX)
      return 0;
  }
  *id = (uint32_t)v;
  return 1;
}

static int
decode_value(const char *s, uint8_t *value)
{
  int len;

  if (strncmp(s, "HEX:", 4) == 0)
    return UTI_HexToBytes(s + 4, value, KEY_MAX_VALUE_LEN);
  if (strncmp(s, "ASCII:", 6) == 0)
    s += 6;
  len = (int)strlen(s);
  if (len > KEY_MAX_VALUE_LEN)
    return -1;
  memcpy(value, s, len);
  return len;
}

int
KEY_ParseLine(const char *line, uint32_t *id, KEY_Type *type,
              uint8_t *value, int *value_len)
{
  char w[3][MAX_LINE_LEN], extra[2];
  const char *p = line, *type_name, *key;
  int n, len, result = -1;

  while (*p && isspace((unsigned char)*p))
    p++;
  if (!*p || is_comment_char(*p))
    return 0;
  if (strlen(line) >= MAX_LINE_LEN)
    return -1;

  for (n = 0; n < 3 && next_word(&p, w[n], sizeof w[n]); n++)
    ;
  /* Two words (an MD5 key) or three */
  if (n < 2 || next_word(&p, extra, sizeof extra) || !parse_id(w[0], id))
    goto out;

  type_name = n == 3 ? w[1] : "MD5";
  key = n == 3 ? w[2] : w[1];

  *type = KEY_NameToType(type_name);
  if (*type == KEY_TYPE_NONE)
    goto out;
  len = decode_value(key, value);
  if (len <= 0)
    goto out;
  if (cmac_key_length(*type) && len != cmac_key_length(*type))
    goto out;
  *value_len = len;
  result = 1;

out:
  /* The words held the key */
  explicit_bzero(w, sizeof w);
  return result;
}

static int
compare_keys(const void *a, const void *b)
{
  const Key *x = a, *y = b;

  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void
free_key(Key *k)
{
  if (k->value) {
    explicit_bzero(k->value, k->length);
    Free(k->value);
    k->value = NULL;
  }
}

void
KEY_Clear(void)
{
  int i;

  for (i = 0; i < n_keys; i++)
    free_key(&keys[i]);
  Free(keys);
  keys = NULL;
  n_keys = 0;
}

int
KEY_LoadFile(const char *path)
{
  uint8_t value[KEY_MAX_VALUE_LEN];
  char *line = NULL;
  size_t line_size = 0;
  int line_number = 0, value_len, r, i, j;
  KEY_Type type;
  uint32_t id;
  FILE *f;

  KEY_Clear();
  initialised = 1;

  f = fopen(path, "re");
  if (!f) {
    LOG(LOGS_WARN, "Could not open keyfile %s : %s", path, strerror(errno));
    return -1;
  }

  while (getline(&line, &line_size, f) >= 0) {
    line_number++;
    r = KEY_ParseLine(line, &id, &type, value, &value_len);
    if (r == 0)
      continue;
    if (r < 0) {
      LOG(LOGS_WARN, "Could not parse key at line %d in file %s", line_number, path);
      continue;
    }
    if (value_len < MIN_SECURE_KEY_LEN)
      LOG(LOGS_WARN, "Key %"PRIu32" is too short", id);
    keys = ReallocArray(Key, n_keys + 1, keys);
    keys[n_keys].id = id;
    keys[n_keys].type = type;
    keys[n_keys].length = value_len;
    keys[n_keys].value = Malloc(value_len);
    memcpy(keys[n_keys].value, value, value_len);
    keys[n_keys].order = n_keys;
    n_keys++;
  }

  if (line) {
    explicit_bzero(line, line_size);
    free(line);
  }
  explicit_bzero(value, sizeof value);
  fclose(f);

  if (n_keys > 0)
    qsort(keys, n_keys, sizeof (Key), compare_keys);
  /* chronyd uses one of the duplicates arbitrarily; keep the first */
  for (i = j = 0; i < n_keys; i++) {
    if (j > 0 && keys[j - 1].id == keys[i].id) {
      LOG(LOGS_WARN, "Detected duplicate key %"PRIu32, keys[i].id);
      free_key(&keys[i]);
      continue;
    }
    keys[j++] = keys[i];
  }
  n_keys = j;

  LOG(LOGS_INFO, "Loaded %d symmetric keys", n_keys);
  return n_keys;
}

void
KEY_Initialise(void)
{
  const char *path = CNF_Get()->keyfile;

  /* Both the server and the client need the keys; the first loads them */
  if (initialised)
    return;
  initialised = 1;
  if (path)
    KEY_LoadFile(path);
}

void
KEY_Finalise(void)
{
  KEY_Clear();
  initialised = 0;
}

/* ---- MACs ---- */

static const Key *
find_key(uint32_t id)
{
  int lo, hi, mid;

  /* Until main() calls KEY_Initialise() before dropping privileges, load
     the file on first use */
  if (!initialised)
    KEY_Initialise();

  lo = 0;
  hi = n_keys - 1;

  while (lo <= hi) {
    mid = lo + (hi - lo) / 2;
    if (keys[mid].id == id)
      return &keys[mid];
    if (keys[mid].id < id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return NULL;
}

int
KEY_GetNumberOfKeys(void)
{
  return n_keys;
}

int
KEY_KeyKnown(uint32_t id)
{
  return find_key(id) != NULL;
}

int
KEY_GetKeyInfo(uint32_t id, KEY_Type *type, int *bits)
{
  const Key *k = find_key(id);

  if (!k)
    return 0;
  *type = k->type;
  *bits = 8 * k->length;
  return 1;
}

static int
full_auth_length(const Key *k)
{
  const struct nettle_hash *h = get_hash(k->type);

  return h ? (int)h->digest_size : 16;
}

int
KEY_GetAuthLength(uint32_t id)
{
  const Key *k = find_key(id);

  return k ? full_auth_length(k) : 0;
}

/* The full digest into buf, which holds KEY_MAX_AUTH_LEN bytes */
static int
compute(const Key *k, const void *data, int data_len, uint8_t *buf)
{
  const struct nettle_hash *h;
  union {
    struct cmac_aes128_ctx aes128;
    struct cmac_aes256_ctx aes256;
    uint64_t hash[64];
  } ctx;
  int len;

  if (data_len < 0)
    return 0;

  switch (k->type) {
    case KEY_TYPE_AES128:
      cmac_aes128_set_key(&ctx.aes128, k->value);
      cmac_aes128_update(&ctx.aes128, data_len, data);
      cmac_aes128_digest(&ctx.aes128, 16, buf);
      len = 16;
      break;
    case KEY_TYPE_AES256:
      cmac_aes256_set_key(&ctx.aes256, k->value);
      cmac_aes256_update(&ctx.aes256, data_len, data);
      cmac_aes256_digest(&ctx.aes256, 16, buf);
      len = 16;
      break;
    default:
      h = get_hash(k->type);
      if (!h || h->context_size > sizeof ctx.hash || h->digest_size > KEY_MAX_AUTH_LEN)
        return 0;
      h->init(&ctx);
      h->update(&ctx, k->length, k->value);
      h->update(&ctx, data_len, data);
      h->digest(&ctx, h->digest_size, buf);
      len = (int)h->digest_size;
      break;
  }
  /* The context holds the expanded key */
  explicit_bzero(&ctx, sizeof ctx);
  return len;
}

int
KEY_GenerateAuth(uint32_t id, const void *data, int data_len,
                 uint8_t *auth, int auth_max)
{
  uint8_t buf[KEY_MAX_AUTH_LEN];
  const Key *k = find_key(id);
  int len;

  if (!k || auth_max <= 0)
    return 0;
  len = compute(k, data, data_len, buf);
  if (len > auth_max)
    len = auth_max;
  memcpy(auth, buf, len);
  return len;
}

int
KEY_CheckAuth(uint32_t id, const void *data, int data_len,
              const uint8_t *auth, int auth_len, int trunc_len)
{
  uint8_t buf[KEY_MAX_AUTH_LEN];
  const Key *k = find_key(id);
  int len;

  if (!k || auth_len <= 0)
    return 0;
  len = compute(k, data, data_len, buf);
  if (len > trunc_len)
    len = trunc_len;
  return len == auth_len && memeql_sec(buf, auth, auth_len);
}

/* ---- NTP packets ---- */

static uint32_t
read_u32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
KEY_CheckPacketMac(const uint8_t *pkt, const NPK_Info *info)
{
  int trunc_len;

  if (info->mac_length < NPK_MAC_MIN_LEN || info->mac_length > NPK_MAC_MAX_LEN ||
      info->mac_offset < NPK_HEADER_LEN ||
      info->mac_offset + info->mac_length != info->length)
    return 0;

  if (info->version == NTP_VERSION && info->mac_length <= NPK_MAC_MAX_V4_SHORT_LEN) {
    trunc_len = KEY_MAX_V4_AUTH_LEN;
  } else {
    /* A long NTPv4 MAC (from older chrony clients) only straight after the
       header, where it cannot be mistaken for extension fields */
    if (info->version == NTP_VERSION && info->mac_offset != NPK_HEADER_LEN)
      return 0;
    trunc_len = KEY_MAX_AUTH_LEN;
  }

  return KEY_CheckAuth(read_u32(pkt + info->mac_offset), pkt, info->mac_offset,
                       pkt + info->mac_offset + 4, info->mac_length - 4, trunc_len);
}

int
KEY_AddPacketMac(uint32_t id, int version, uint8_t *pkt, int len, int max_len)
{
  int auth_max, auth_len;

  if (!KEY_KeyKnown(id) || len < NPK_HEADER_LEN || max_len - len < NPK_MAC_MIN_LEN)
    return 0;

  auth_max = version == NTP_VERSION ? KEY_MAX_V4_AUTH_LEN : KEY_MAX_AUTH_LEN;
  if (auth_max > max_len - len - 4)
    auth_max = max_len - len - 4;

  auth_len = KEY_GenerateAuth(id, pkt, len, pkt + len + 4, auth_max);
  if (auth_len < NPK_MAC_MIN_LEN - 4)
    return 0;

  pkt[len] = (uint8_t)(id >> 24);
  pkt[len + 1] = (uint8_t)(id >> 16);
  pkt[len + 2] = (uint8_t)(id >> 8);
  pkt[len + 3] = (uint8_t)id;
  return len + 4 + auth_len;
}

int
KEY_SuggestedVersion(uint32_t id)
{
  return KEY_GetAuthLength(id) > KEY_MAX_V4_AUTH_LEN ? 3 : NTP_VERSION;
}
