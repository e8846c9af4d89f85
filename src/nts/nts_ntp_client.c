/*
  ntsd - NTS for the NTP client

  The wire format mirrors nts_ntp_server.c: the request is the header,
  Unique Identifier, NTS Cookie, placeholders as long as the cookie, and
  the Authenticator and Encrypted Extension Fields last, whose body is
  nonce length, ciphertext length, the nonce and the ciphertext (here only
  the SIV tag: nothing of ours needs encrypting), each padded to 4 bytes.
  The associated data is the packet up to the authenticator field.
*/
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "logging.h"
#include "memory.h"
#include "nts_ke_client.h"
#include "nts_ntp_client.h"
#include "ntp_resolve.h"
#include "sched.h"
#include "siv.h"

#define NONCE_LEN 16
#define TAG_LEN 16
#define MAX_PLAINTEXT 1280
/* Cookies asked for in one request, as chronyd: keeps the request (and so
   the reply) well under the 1280 bytes every IPv6 path carries */
#define MAX_TOTAL_COOKIE_LEN (8 * 108)
#define DUMP_IDENTIFIER "NNC0"
#define MAX_DUMP_SIZE 8192

struct NNC_Instance_Record {
  unsigned int id;
  char *name;
  char *dump_name;
  IPAddr ke_ip;
  int ke_port;
  int certset;
  uint16_t default_ntp_port;
  NNC_ReadyHandler handler;
  void *arg;

  /* The NTS-KE context */
  int have_keys;
  int aead, key_len;
  uint8_t c2s[NKC_KEY_LEN], s2c[NKC_KEY_LEN];
  SIV_Instance c2s_siv, s2c_siv;
  IPAddr ntp_ip;               /* AF_UNSPEC while a negotiated name resolves */
  uint16_t ntp_port;
  double ke_time;              /* monotonic time of the NTS-KE */
  unsigned int context_id;

  /* Cookie jar: a ring, the oldest (next to use) at cookie_index */
  int n_cookies, cookie_index;
  int cookie_lens[NNC_MAX_COOKIES];
  uint8_t cookies[NNC_MAX_COOKIES][NKR_MAX_COOKIE_LEN];

  uint8_t uid[NNC_UID_LEN];
  int uid_valid;

  NKC_Instance ke;
  int resolving;
  int ke_failures;             /* attempts without an authentic reply since */
  double ke_start;             /* monotonic time of the last attempt */
  /* As chronyd's authdata reports them: NTS-KE attempts since the last
     authentic reply (a KE whose cookies never work keeps counting), and
     whether a NAK came since the last request was prepared */
  int ke_attempts;
  int nak;
};

static NNC_Instance *instances;
static int n_instances;
static unsigned int last_id;

static double
mono_now(void)
{
  struct timespec real, mono;

  SCH_GetLastEventTime(&real, &mono);
  return UTI_TimespecToDouble(&mono);
}

static double
real_now(void)
{
  struct timespec real, mono;

  SCH_GetLastEventTime(&real, &mono);
  return UTI_TimespecToDouble(&real);
}

void
NNC_Initialise(void)
{
  NKC_Initialise();
}

void
NNC_Finalise(void)
{
  NKC_Finalise();
  Free(instances);
  instances = NULL;
  n_instances = 0;
}

static NNC_Instance
find_instance(unsigned int id)
{
  int i;

  for (i = 0; i < n_instances; i++) {
    if (instances[i]->id == id)
      return instances[i];
  }
  return NULL;
}

static void
drop_cookies(NNC_Instance inst)
{
  SIV_Wipe(inst->cookies, sizeof inst->cookies);
  inst->n_cookies = inst->cookie_index = 0;
}

static void
drop_keys(NNC_Instance inst)
{
  inst->have_keys = 0;
  SIV_Wipe(inst->c2s, sizeof inst->c2s);
  SIV_Wipe(inst->s2c, sizeof inst->s2c);
  SIV_Clear(&inst->c2s_siv);
  SIV_Clear(&inst->s2c_siv);
  drop_cookies(inst);
  inst->uid_valid = 0;
}

static int
set_keys(NNC_Instance inst, int aead, const uint8_t *c2s, const uint8_t *s2c, int key_len)
{
  drop_keys(inst);
  if (aead != NKR_AEAD_AES_SIV_CMAC_256 || key_len != NKC_KEY_LEN ||
      !SIV_SetKey(&inst->c2s_siv, c2s, key_len) || !SIV_SetKey(&inst->s2c_siv, s2c, key_len))
    return 0;
  memcpy(inst->c2s, c2s, key_len);
  memcpy(inst->s2c, s2c, key_len);
  inst->aead = aead;
  inst->key_len = key_len;
  inst->have_keys = 1;
  inst->context_id++;
  return 1;
}

static void
add_cookie(NNC_Instance inst, const uint8_t *cookie, int len)
{
  int i;

  if (len < 1 || len > NKR_MAX_COOKIE_LEN || inst->n_cookies >= NNC_MAX_COOKIES)
    return;
  i = (inst->cookie_index + inst->n_cookies) % NNC_MAX_COOKIES;
  memcpy(inst->cookies[i], cookie, len);
  inst->cookie_lens[i] = len;
  inst->n_cookies++;
}

/* ---- dump files ---- */

static int
dump_path(NNC_Instance inst, const char *suffix, char *buf, int len)
{
  const char *dir = CNF_Get()->nts_dump_dir;
  int r;

  if (!dir || !*dir || !inst->dump_name)
    return 0;
  r = snprintf(buf, len, "%s/%s%s", dir, inst->dump_name, suffix);
  return r > 0 && r < len;
}

/* After a rename the directory entry must reach the disk too, or a power
   cut could bring back the old dump, whose cookies were already used */
static void
sync_parent_dir(const char *path)
{
  char dir[PATH_MAX], *slash;
  int fd;

  snprintf(dir, sizeof dir, "%s", path);
  slash = strrchr(dir, '/');
  if (!slash)
    return;
  *(slash == dir ? slash + 1 : slash) = '\0';
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (fsync(fd) < 0)
    DEBUG_LOG("Could not fsync %s : %s", dir, strerror(errno));
  close(fd);
}

int
NNC_DumpData(NNC_Instance inst)
{
  char path[PATH_MAX], tmp[PATH_MAX], hex[2 * NKR_MAX_COOKIE_LEN + 1], hex2[2 * NKC_KEY_LEN + 1];
  char *buf;
  int i, j, fd, len = 0, ok;
  FILE *f;

  if (!inst->have_keys || inst->n_cookies < 1 || inst->ntp_ip.family == AF_UNSPEC ||
      !dump_path(inst, ".nts", path, sizeof path) || !dump_path(inst, ".tmp", tmp, sizeof tmp))
    return 0;

  buf = Malloc(MAX_DUMP_SIZE);
  UTI_BytesToHex(inst->s2c, inst->key_len, hex, sizeof hex);
  UTI_BytesToHex(inst->c2s, inst->key_len, hex2, sizeof hex2);
  len = snprintf(buf, MAX_DUMP_SIZE, "%s\n%s\n%.1f\n%s %d\n%u %d %s %s\n", DUMP_IDENTIFIER,
                 inst->dump_name, real_now() - (mono_now() - inst->ke_time),
                 UTI_IPToString(&inst->ntp_ip), inst->ntp_port, inst->context_id, inst->aead,
                 hex, hex2);
  for (i = 0; i < inst->n_cookies && len > 0 && len < MAX_DUMP_SIZE; i++) {
    j = (inst->cookie_index + i) % NNC_MAX_COOKIES;
    UTI_BytesToHex(inst->cookies[j], inst->cookie_lens[j], hex, sizeof hex);
    len += snprintf(buf + len, MAX_DUMP_SIZE - len, "%s\n", hex);
  }
  SIV_Wipe(hex, sizeof hex);
  SIV_Wipe(hex2, sizeof hex2);

  ok = 0;
  if (len > 0 && len < MAX_DUMP_SIZE && (unlink(tmp) == 0 || errno == ENOENT)) {
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      f = fdopen(fd, "w");
      if (!f) {
        close(fd);
      } else {
        ok = fchmod(fd, 0600) == 0 && fwrite(buf, 1, len, f) == (size_t)len &&
             fflush(f) == 0 && fsync(fd) == 0;
        if (fclose(f) != 0)
          ok = 0;
        if (ok && rename(tmp, path) < 0)
          ok = 0;
      }
      if (!ok)
        unlink(tmp);
    }
  }
  SIV_Wipe(buf, MAX_DUMP_SIZE);
  Free(buf);
  if (ok)
    sync_parent_dir(path);

  if (!ok)
    LOG(LOGS_WARN, "Could not save NTS cookies to %s : %s", path, strerror(errno));
  else
    DEBUG_LOG("Saved %d NTS cookies to %s", inst->n_cookies, path);
  return ok;
}

/* Split buf into lines in place; returns the number of lines */
static int
split_lines(char *buf, char **lines, int max)
{
  int n = 0;
  char *p = buf, *nl;

  while (*p && n < max) {
    nl = strchr(p, '\n');
    if (!nl)
      return -1;
    *nl = '\0';
    lines[n++] = p;
    p = nl + 1;
  }
  return *p ? -1 : n;
}

static int
parse_dump(NNC_Instance inst, char *buf)
{
  char *lines[5 + NNC_MAX_COOKIES], addr[64], s2c_hex[2 * NKC_KEY_LEN + 2],
       c2s_hex[2 * NKC_KEY_LEN + 2], extra;
  uint8_t c2s[NKC_KEY_LEN], s2c[NKC_KEY_LEN], cookie[NKR_MAX_COOKIE_LEN];
  double ke_real, age;
  unsigned int context_id;
  int n, i, port, aead, len, refresh = CNF_Get()->nts_refresh;
  IPAddr ip;

  n = split_lines(buf, lines, 5 + NNC_MAX_COOKIES);
  if (n < 6 || strcmp(lines[0], DUMP_IDENTIFIER) != 0 || strcmp(lines[1], inst->dump_name) != 0 ||
      sscanf(lines[2], "%lf%c", &ke_real, &extra) != 1 ||
      sscanf(lines[3], "%63s %d%c", addr, &port, &extra) != 2 ||
      !UTI_StringToIP(addr, &ip) || port < 1 || port > 65535 ||
      sscanf(lines[4], "%u %d %65s %65s%c", &context_id, &aead, s2c_hex, c2s_hex, &extra) != 4 ||
      UTI_HexToBytes(s2c_hex, s2c, sizeof s2c) != NKC_KEY_LEN ||
      UTI_HexToBytes(c2s_hex, c2s, sizeof c2s) != NKC_KEY_LEN)
    return 0;

  /* A context from the future (a clock stepped back) is as suspect as one
     past its refresh time */
  age = real_now() - ke_real;
  if (age < -60.0 || (refresh > 0 && age > refresh)) {
    LOG(LOGS_INFO, "Saved NTS context for %s is too old", inst->dump_name);
    return 0;
  }
  if (!set_keys(inst, aead, c2s, s2c, NKC_KEY_LEN))
    return 0;
  SIV_Wipe(c2s, sizeof c2s);
  SIV_Wipe(s2c, sizeof s2c);

  for (i = 5; i < n; i++) {
    len = UTI_HexToBytes(lines[i], cookie, sizeof cookie);
    if (len < 1) {
      drop_keys(inst);
      return 0;
    }
    add_cookie(inst, cookie, len);
  }
  inst->ntp_ip = ip;
  inst->ntp_port = (uint16_t)port;
  inst->ke_time = mono_now() - (age > 0.0 ? age : 0.0);
  inst->context_id = context_id;
  return 1;
}

static void
load_dump(NNC_Instance inst)
{
  char path[PATH_MAX], *buf;
  ssize_t n;
  int fd;

  /* A save killed half-way leaves its temporary file, keys included:
     nothing reads it, so it goes */
  if (dump_path(inst, ".tmp", path, sizeof path))
    unlink(path);

  if (!dump_path(inst, ".nts", path, sizeof path))
    return;
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;
  buf = Malloc(MAX_DUMP_SIZE + 1);
  n = read(fd, buf, MAX_DUMP_SIZE + 1);
  close(fd);
  /* Never used twice, whatever is in it */
  unlink(path);

  if (n > 0 && n <= MAX_DUMP_SIZE) {
    buf[n] = '\0';
    if (parse_dump(inst, buf))
      LOG(LOGS_INFO, "Loaded %d NTS cookies for %s", inst->n_cookies, inst->dump_name);
    else
      LOG(LOGS_WARN, "Ignoring unusable NTS dump file %s", path);
  }
  SIV_Wipe(buf, MAX_DUMP_SIZE + 1);
  Free(buf);
}

/* ---- NTS-KE ---- */

static void
notify_ready(NNC_Instance inst)
{
  if (inst->handler)
    inst->handler(inst->arg);
}

static double
ke_backoff(int failures)
{
  double interval = NNC_MIN_KE_INTERVAL;

  while (--failures > 0 && interval < NNC_MAX_KE_INTERVAL)
    interval *= 2.0;
  return interval < NNC_MAX_KE_INTERVAL ? interval : NNC_MAX_KE_INTERVAL;
}

static void
negotiated_name_resolved(int n, const IPAddr *ips, void *arg)
{
  NNC_Instance inst = find_instance((unsigned int)(uintptr_t)arg);

  if (!inst || !inst->resolving)
    return;
  inst->resolving = 0;
  if (n < 1) {
    LOG_RATE(LOGS_WARN, "Could not resolve the NTP server negotiated with %s", inst->name);
    drop_keys(inst);
    return;
  }
  inst->ntp_ip = ips[0];
  notify_ready(inst);
}

static void
ke_done(NKC_Instance ke, const NKC_Result *result, void *arg)
{
  NNC_Instance inst = arg;
  IPAddr ip;
  int i;

  NKC_Destroy(ke);
  inst->ke = NULL;
  if (!result) {
    LOG_RATE(LOGS_WARN, "NTS-KE with %s failed, next attempt in %.0f seconds or later",
             inst->name, ke_backoff(inst->ke_failures));
    return;
  }

  if (!set_keys(inst, result->aead, result->c2s, result->s2c, result->key_len))
    return;
  for (i = 0; i < result->n_cookies; i++)
    add_cookie(inst, result->cookies[i], result->cookie_lens[i]);
  inst->ke_time = mono_now();
  inst->ntp_port = result->port > 0 ? (uint16_t)result->port : inst->default_ntp_port;

  if (!result->server[0]) {
    inst->ntp_ip = inst->ke_ip;
  } else if (UTI_StringToIP(result->server, &ip)) {
    inst->ntp_ip = ip;
  } else {
    inst->ntp_ip.family = AF_UNSPEC;
    inst->resolving = 1;
    if (!NRS_Resolve(result->server, CNF_GetAddressFamily(), negotiated_name_resolved,
                     (void *)(uintptr_t)inst->id)) {
      inst->resolving = 0;
      drop_keys(inst);
    }
    return;
  }

  LOG(LOGS_INFO, "NTS-KE with %s: %d cookies, NTP server %s port %d", inst->name,
      inst->n_cookies, UTI_IPToString(&inst->ntp_ip), inst->ntp_port);
  notify_ready(inst);
}

static void
start_ke(NNC_Instance inst)
{
  double now = mono_now();

  if (inst->ke || inst->resolving)
    return;
  if (inst->ke_failures > 0 && now - inst->ke_start < ke_backoff(inst->ke_failures)) {
    DEBUG_LOG("NTS-KE with %s postponed", inst->name);
    return;
  }

  inst->ke_start = now;
  inst->ke_failures++;
  inst->ke_attempts++;
  inst->ke = NKC_Start(&inst->ke_ip, inst->ke_port, inst->name, inst->certset, ke_done, inst);
}

/* ---- the instance ---- */

NNC_Instance
NNC_CreateInstance(const char *name, const char *dump_name, const IPAddr *ke_ip, int ke_port,
                   int certset, uint16_t ntp_port, NNC_ReadyHandler handler, void *arg)
{
  NNC_Instance inst = MallocNew(struct NNC_Instance_Record);

  memset(inst, 0, sizeof *inst);
  inst->id = ++last_id;
  inst->name = Strdup(name);
  /* The name becomes a file name: nothing that could leave the directory */
  if (dump_name && *dump_name && *dump_name != '.' && !strchr(dump_name, '/'))
    inst->dump_name = Strdup(dump_name);
  inst->ke_ip = *ke_ip;
  inst->ke_port = ke_port;
  inst->certset = certset;
  inst->default_ntp_port = ntp_port;
  inst->handler = handler;
  inst->arg = arg;

  instances = ReallocArray(NNC_Instance, n_instances + 1, instances);
  instances[n_instances++] = inst;

  load_dump(inst);
  return inst;
}

void
NNC_DestroyInstance(NNC_Instance inst)
{
  int i;

  if (!inst)
    return;
  NNC_DumpData(inst);
  NKC_Destroy(inst->ke);
  drop_keys(inst);
  for (i = 0; i < n_instances; i++) {
    if (instances[i] == inst) {
      instances[i] = instances[--n_instances];
      break;
    }
  }
  Free(inst->name);
  Free(inst->dump_name);
  Free(inst);
}

int
NNC_PrepareForAuth(NNC_Instance inst)
{
  int refresh = CNF_Get()->nts_refresh;

  if (inst->ke || inst->resolving)
    return 0;

  if (inst->have_keys && refresh > 0 && mono_now() - inst->ke_time > refresh) {
    DEBUG_LOG("NTS keys for %s are due for refresh", inst->name);
    drop_keys(inst);
  }

  if (inst->have_keys && inst->n_cookies > 0 && inst->ntp_ip.family != AF_UNSPEC) {
    /* A NAK is about the request it answered: the next one starts clean */
    inst->nak = 0;
    return 1;
  }

  start_ke(inst);
  return 0;
}

void
NNC_ForceKe(NNC_Instance inst)
{
  DEBUG_LOG("NTS-KE with %s forced", inst->name);
  drop_keys(inst);
  /* Asked for by the administrator, not a retry of a failure */
  inst->ke_failures = 0;
}

void
NNC_GetNtpAddress(NNC_Instance inst, IPAddr *ip, uint16_t *port)
{
  *ip = inst->ntp_ip;
  *port = inst->ntp_port;
}

int
NNC_GenerateRequestAuth(NNC_Instance inst, uint8_t *pkt, int *len, int max_len)
{
  uint8_t nonce[NONCE_LEN], *auth, *placeholder;
  int i, cookie_len, n_wanted, auth_start;
  const uint8_t *cookie;

  if (!inst->have_keys || inst->n_cookies < 1)
    return 0;

  if (gnutls_rnd(GNUTLS_RND_NONCE, inst->uid, sizeof inst->uid) < 0 ||
      gnutls_rnd(GNUTLS_RND_NONCE, nonce, sizeof nonce) < 0)
    return 0;

  cookie = inst->cookies[inst->cookie_index];
  cookie_len = inst->cookie_lens[inst->cookie_index];

  /* One new cookie comes back for the one we send and one per
     placeholder: enough to fill the jar again */
  n_wanted = NNC_MAX_COOKIES - inst->n_cookies + 1;
  if (n_wanted > MAX_TOTAL_COOKIE_LEN / (cookie_len + NPK_EF_HEADER_LEN))
    n_wanted = MAX_TOTAL_COOKIE_LEN / (cookie_len + NPK_EF_HEADER_LEN);
  if (n_wanted < 1)
    n_wanted = 1;

  if (!NPK_AddField(pkt, len, max_len, NPK_EF_UNIQUE_ID, inst->uid, sizeof inst->uid) ||
      !NPK_AddField(pkt, len, max_len, NPK_EF_NTS_COOKIE, cookie, cookie_len))
    return 0;
  for (i = 1; i < n_wanted; i++) {
    if (!NPK_AddFieldSpace(pkt, len, max_len, NPK_EF_NTS_COOKIE_PLACEHOLDER, cookie_len,
                           &placeholder))
      return 0;
  }

  auth_start = *len;
  if (!NPK_AddFieldSpace(pkt, len, max_len, NPK_EF_NTS_AUTH_AND_EEF,
                         4 + NONCE_LEN + TAG_LEN, &auth))
    return 0;
  auth[0] = 0;
  auth[1] = NONCE_LEN;
  auth[2] = 0;
  auth[3] = TAG_LEN;
  memcpy(auth + 4, nonce, NONCE_LEN);
  if (!SIV_Encrypt(&inst->c2s_siv, nonce, NONCE_LEN, pkt, auth_start, nonce, 0,
                   auth + 4 + NONCE_LEN))
    return 0;

  /* Used once, so forgotten now */
  memset(inst->cookies[inst->cookie_index], 0, NKR_MAX_COOKIE_LEN);
  inst->cookie_index = (inst->cookie_index + 1) % NNC_MAX_COOKIES;
  inst->n_cookies--;
  inst->uid_valid = 1;
  return 1;
}

static int
pad4(int x)
{
  return (x + 3) & ~3;
}

NNC_AuthResult
NNC_CheckResponseAuth(NNC_Instance inst, const uint8_t *pkt, int len, const NPK_Info *info,
                      int is_ntsn)
{
  const uint8_t *body, *nonce = NULL, *ct = NULL;
  int type, body_len, offset, next, end, auth_offset = -1, n_uid = 0, uid_ok = 0;
  int nonce_len = 0, ct_len = 0, pt_len;
  /* Room for a dummy header: NPK_GetField works on packet offsets */
  uint8_t plaintext[NPK_HEADER_LEN + MAX_PLAINTEXT];

  if (!inst->uid_valid || !inst->have_keys || info->mac_length > 0 || info->n_efs == 0)
    return NNC_AUTH_BAD;

  end = info->ef_offset + info->ef_length;
  for (offset = info->ef_offset; offset < end; offset = next) {
    if (!NPK_GetField(pkt, end, offset, &type, &body, &body_len, &next))
      return NNC_AUTH_BAD;
    /* Nothing may follow the authenticator: it would not be covered */
    if (auth_offset >= 0)
      return NNC_AUTH_BAD;
    if (type == NPK_EF_UNIQUE_ID) {
      n_uid++;
      uid_ok = body_len == NNC_UID_LEN && memcmp(body, inst->uid, NNC_UID_LEN) == 0;
    } else if (type == NPK_EF_NTS_AUTH_AND_EEF) {
      auth_offset = offset;
      if (body_len < 4)
        return NNC_AUTH_BAD;
      nonce_len = body[0] << 8 | body[1];
      ct_len = body[2] << 8 | body[3];
      if (nonce_len < SIV_MIN_NONCE_LEN || ct_len < TAG_LEN ||
          4 + pad4(nonce_len) + pad4(ct_len) > body_len)
        return NNC_AUTH_BAD;
      nonce = body + 4;
      ct = body + 4 + pad4(nonce_len);
    }
  }
  if (n_uid != 1 || !uid_ok)
    return NNC_AUTH_BAD;

  /* An NTS NAK is not authenticated (the server could not open our
     cookie); echoing our fresh identifier is all that ties it to us */
  if (is_ntsn && auth_offset < 0) {
    inst->nak = 1;
    inst->uid_valid = 0;
    drop_cookies(inst);
    return NNC_AUTH_NAK;
  }

  pt_len = ct_len - TAG_LEN;
  if (auth_offset < 0 || pt_len > MAX_PLAINTEXT ||
      !SIV_Decrypt(&inst->s2c_siv, nonce, nonce_len, pkt, auth_offset, ct, ct_len,
                   plaintext + NPK_HEADER_LEN))
    return NNC_AUTH_BAD;

  /* The encrypted fields: new cookies (anything else is ignored) */
  end = NPK_HEADER_LEN + pt_len;
  for (offset = NPK_HEADER_LEN; offset < end; offset = next) {
    if (!NPK_GetField(plaintext, end, offset, &type, &body, &body_len, &next))
      break;
    if (type == NPK_EF_NTS_COOKIE)
      add_cookie(inst, body, body_len);
  }
  SIV_Wipe(plaintext, sizeof plaintext);

  inst->uid_valid = 0;
  inst->ke_failures = 0;
  inst->ke_attempts = 0;
  return NNC_AUTH_OK;
}

void
NNC_GetReport(NNC_Instance inst, NNC_Report *report)
{
  memset(report, 0, sizeof *report);
  report->aead = inst->have_keys ? inst->aead : 0;
  report->key_length = inst->have_keys ? 8 * inst->key_len : 0;
  report->last_ke_ago = inst->have_keys ? mono_now() - inst->ke_time : -1.0;
  report->context_id = inst->context_id;
  report->ke_attempts = inst->ke_attempts;
  report->nak = inst->nak;
  report->n_cookies = inst->n_cookies;
  report->cookie_length = inst->n_cookies > 0 ? inst->cookie_lens[inst->cookie_index] : 0;
  report->ke_running = inst->ke != NULL || inst->resolving;
}
