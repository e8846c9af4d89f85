/*
  ntsctl - MD5 through Nettle

  Only for chronyc's reference id of an IPv6 address, which is the first
  word of the MD5 digest of the address; not used for anything secret.
*/
#include "config.h"

#include <nettle/md5.h>

#include "ctl.h"

void
CTL_MD5(const uint8_t *data, int len, uint8_t digest[16])
{
  struct md5_ctx ctx;

  md5_init(&ctx);
  md5_update(&ctx, len, data);
  md5_digest(&ctx, MD5_DIGEST_SIZE, digest);
}
