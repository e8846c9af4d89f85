/*
  ntsd - fuzzing the NTS-KE client's response parser (NKR_ParseResponse)

  The input is what a server sent over TLS.  A response taken as usable
  must hold what the client relies on (cookies inside the message, a
  printable server name, a port), and building it again must give a
  response that parses to the same.  Any other has a reason for the log,
  and a usable one none.  More cookies than the client keeps are fine.
*/
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "nts_ke_rec.h"

void
FUZ_Setup(void)
{
}

void
FUZ_WriteSeeds(void)
{
  static uint8_t cookies[NKR_MAX_COOKIES][100], buf[4096];
  NKR_Response resp;
  int i, len;

  memset(&resp, 0, sizeof resp);
  resp.error = -1;
  resp.ntpv4 = 1;
  resp.aead = NKR_AEAD_AES_SIV_CMAC_256;
  resp.n_cookies = NKR_MAX_COOKIES;
  for (i = 0; i < NKR_MAX_COOKIES; i++) {
    memset(cookies[i], 0x40 + i, sizeof cookies[i]);
    resp.cookies[i] = cookies[i];
    resp.cookie_lens[i] = sizeof cookies[i];
  }
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_ASSERT(len > 0);
  FUZ_WriteSeed("eight-cookies", buf, len);

  /* Twelve cookies (the builder makes at most eight): the last record
     before the End of Message is repeated */
  FUZ_ASSERT(len + 4 * (4 + (int)sizeof cookies[0]) <= (int)sizeof buf);
  for (i = 0; i < 4; i++)
    memcpy(buf + len - 4 + i * (4 + sizeof cookies[0]), buf + len - 4 - (4 + sizeof cookies[0]),
           4 + sizeof cookies[0]);
  memcpy(buf + len - 4 + 4 * (4 + sizeof cookies[0]), "\x80\0\0\0", 4);
  len += 4 * (4 + sizeof cookies[0]);
  FUZ_ASSERT(NKR_ParseResponse(buf, len, &resp) == NKR_OK &&
             resp.n_cookies == NKR_MAX_COOKIES && resp.n_skipped_cookies == 4);
  FUZ_WriteSeed("twelve-cookies", buf, len);

  memset(&resp, 0, sizeof resp);
  resp.error = -1;
  resp.ntpv4 = 1;
  resp.aead = NKR_AEAD_AES_SIV_CMAC_256;
  for (i = 0; i < NKR_MAX_COOKIES; i++) {
    resp.cookies[i] = cookies[i];
    resp.cookie_lens[i] = sizeof cookies[i];
  }

  resp.port = 12345;
  resp.server = "ntp.example.org";
  resp.n_cookies = 2;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_ASSERT(len > 0);
  FUZ_WriteSeed("server-port", buf, len);

  resp.server = NULL;
  resp.aead = -1;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_WriteSeed("no-aead", buf, len);

  memset(&resp, 0, sizeof resp);
  resp.error = NKR_ERROR_BAD_REQUEST;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_WriteSeed("error", buf, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  FUZ_Initialise();
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static uint8_t buf[NKR_MAX_MESSAGE];
  NKR_Response resp, again;
  NKR_Status status;
  int i, len;

  if (size > NKR_MAX_MESSAGE)
    return 0;

  status = NKR_ParseResponse(data, size, &resp);
  FUZ_ASSERT(resp.server == NULL);
  FUZ_ASSERT(memchr(resp.server_name, '\0', sizeof resp.server_name));
  FUZ_ASSERT(memchr(resp.reason, '\0', sizeof resp.reason));
  FUZ_ASSERT((status == NKR_OK) == (resp.reason[0] == '\0'));
  FUZ_ASSERT(resp.n_cookies >= 0 && resp.n_cookies <= NKR_MAX_COOKIES);
  FUZ_ASSERT(resp.n_skipped_cookies >= 0 && resp.n_skipped_cookies <= (int)size / 4);
  if (status != NKR_OK)
    return 0;

  FUZ_ASSERT(NKR_CheckMessage(data, size) == NKR_OK);
  FUZ_ASSERT(resp.error < 0 && resp.ntpv4 && resp.aead == NKR_AEAD_AES_SIV_CMAC_256);
  FUZ_ASSERT(resp.n_cookies >= 1 && resp.n_cookies <= NKR_MAX_COOKIES);
  for (i = 0; i < resp.n_cookies; i++) {
    FUZ_ASSERT(resp.cookie_lens[i] >= 1 && resp.cookie_lens[i] <= NKR_MAX_COOKIE_LEN);
    FUZ_ASSERT(resp.cookies[i] >= data &&
               resp.cookies[i] + resp.cookie_lens[i] <= data + size);
  }
  FUZ_ASSERT(resp.port >= 0 && resp.port <= 65535);

  /* Round trip */
  if (resp.server_name[0])
    resp.server = resp.server_name;
  len = NKR_BuildResponse(&resp, buf, sizeof buf);
  FUZ_ASSERT(len > 0 && len <= (int)size);
  FUZ_ASSERT(NKR_ParseResponse(buf, len, &again) == NKR_OK);
  FUZ_ASSERT(again.port == resp.port && again.n_cookies == resp.n_cookies);
  FUZ_ASSERT(again.n_skipped_cookies == 0 && again.reason[0] == '\0');
  FUZ_ASSERT(strcmp(again.server_name, resp.server_name) == 0);
  for (i = 0; i < resp.n_cookies; i++) {
    FUZ_ASSERT(again.cookie_lens[i] == resp.cookie_lens[i]);
    FUZ_ASSERT(memcmp(again.cookies[i], resp.cookies[i], resp.cookie_lens[i]) == 0);
  }
  return 0;
}
