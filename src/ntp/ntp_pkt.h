/*
  ntsd - NTPv4 packet codec

  The 48-byte header, extension fields (RFC 7822) and the legacy MAC.
  Pure and bounded: fields are returned as pointers into the caller's
  buffer, nothing is allocated and nothing is read past the given length.
*/
#ifndef NTSD_NTP_PKT_H
#define NTSD_NTP_PKT_H

#include <stdint.h>

#include "util.h"

#define NTP_VERSION 4
#define NPK_PORT 123                /* RFC 5905, the well-known port */
#define NPK_MIN_VERSION 1           /* oldest version answered, as chronyd */
#define NPK_HEADER_LEN 48

/* The header as on the wire; every multi-byte field in network order.
   Copy it in and out with NPK_ReadHeader/NPK_WriteHeader rather than
   casting a packet buffer, which need not be aligned. */
typedef struct {
  uint8_t lvm;                      /* leap, version, mode */
  uint8_t stratum;
  int8_t poll;
  int8_t precision;
  NTP_int32 root_delay;
  NTP_int32 root_dispersion;
  uint32_t reference_id;
  NTP_int64 reference_ts;
  NTP_int64 originate_ts;
  NTP_int64 receive_ts;
  NTP_int64 transmit_ts;
} NPK_Header;

_Static_assert(sizeof (NPK_Header) == NPK_HEADER_LEN, "NPK_Header must match the wire");

/* Modes */
#define NPK_MODE_UNDEFINED 0
#define NPK_MODE_ACTIVE 1
#define NPK_MODE_PASSIVE 2
#define NPK_MODE_CLIENT 3
#define NPK_MODE_SERVER 4
#define NPK_MODE_BROADCAST 5
#define NPK_MODE_CONTROL 6
#define NPK_MODE_PRIVATE 7

/* Leap indicator */
#define NPK_LEAP_NORMAL 0
#define NPK_LEAP_INSERT 1
#define NPK_LEAP_DELETE 2
#define NPK_LEAP_UNSYNCHRONISED 3

#define NPK_LVM(leap, version, mode) \
  ((uint8_t)((((leap) & 3) << 6) | (((version) & 7) << 3) | ((mode) & 7)))
#define NPK_LVM_LEAP(lvm) (((lvm) >> 6) & 3)
#define NPK_LVM_VERSION(lvm) (((lvm) >> 3) & 7)
#define NPK_LVM_MODE(lvm) ((lvm) & 7)
#define NPK_LVM_SET_LEAP(lvm, leap) NPK_LVM((leap), NPK_LVM_VERSION(lvm), NPK_LVM_MODE(lvm))
#define NPK_LVM_SET_VERSION(lvm, v) NPK_LVM(NPK_LVM_LEAP(lvm), (v), NPK_LVM_MODE(lvm))
#define NPK_LVM_SET_MODE(lvm, mode) NPK_LVM(NPK_LVM_LEAP(lvm), NPK_LVM_VERSION(lvm), (mode))

/* Reference ids and kiss codes, in host order */
#define NPK_REFID(a, b, c, d) \
  ((uint32_t)(uint8_t)(a) << 24 | (uint32_t)(uint8_t)(b) << 16 | \
   (uint32_t)(uint8_t)(c) << 8 | (uint32_t)(uint8_t)(d))
#define NPK_KOD_RATE NPK_REFID('R', 'A', 'T', 'E')
#define NPK_KOD_DENY NPK_REFID('D', 'E', 'N', 'Y')
#define NPK_KOD_RSTR NPK_REFID('R', 'S', 'T', 'R')
#define NPK_KOD_NTSN NPK_REFID('N', 'T', 'S', 'N')   /* RFC 8915: NTS NAK */

/* Extension field types (IANA registry as updated by RFC 9748) */
#define NPK_EF_UNIQUE_ID 0x0104
#define NPK_EF_NTS_COOKIE 0x0204
#define NPK_EF_NTS_COOKIE_PLACEHOLDER 0x0304
#define NPK_EF_NTS_AUTH_AND_EEF 0x0404

#define NPK_EF_HEADER_LEN 4
/* RFC 7822 asks for 16 bytes before a MAC and 28 for the last field
   without one; like chronyd we accept 16 everywhere, and NTS fields are
   longer anyway.  A trailing 20 or 24 bytes is always taken as a MAC. */
#define NPK_EF_MIN_LEN 16
#define NPK_EF_MAX_LEN 0xfffc

/* Legacy MAC in NTPv4: a 4-byte key id and a digest of 16, 20, 32, 48 or
   64 bytes.  A 4-byte zero key id alone is a crypto-NAK and is reported as
   a MAC of length 4.  Before NTPv4 any length is taken. */
#define NPK_MAC_MIN_LEN 20
#define NPK_MAC_MAX_LEN 68
#define NPK_MAC_MAX_V4_SHORT_LEN 24

/* Bits of NPK_Info.ef_flags for the field types seen */
#define NPK_EFF_UNIQUE_ID 0x1
#define NPK_EFF_NTS_COOKIE 0x2
#define NPK_EFF_NTS_COOKIE_PLACEHOLDER 0x4
#define NPK_EFF_NTS_AUTH_AND_EEF 0x8
#define NPK_EFF_UNKNOWN 0x10

typedef struct {
  int length;
  int leap;
  int version;
  int mode;
  int n_efs;                        /* extension fields */
  unsigned int ef_flags;            /* NPK_EFF_* */
  int ef_offset;                    /* NPK_HEADER_LEN, also when n_efs is 0 */
  int ef_length;                    /* all fields together; 0 if none */
  int mac_offset;                   /* 0 if no MAC */
  int mac_length;                   /* 0 if no MAC */
  uint32_t mac_key_id;              /* host order */
} NPK_Info;

/* Validate the layout of a received packet: at least a header, a multiple
   of 4 bytes, version 1 to 4, then (NTPv4 only) extension fields and an
   optional MAC; before v4 anything after the header is a MAC.  Returns 1
   and fills info if the packet is well formed, 0 otherwise. */
int NPK_ParsePacket(const uint8_t *pkt, int len, NPK_Info *info);

/* The extension field at offset: its type, body (a pointer into pkt) and
   the offset of what follows.  Pass info.ef_offset + info.ef_length as len
   to stay inside the extension field area.  Returns 1 ok, 0 bad. */
int NPK_GetField(const uint8_t *pkt, int len, int offset, int *type,
                 const uint8_t **body, int *body_len, int *next_offset);

/* Append a field to a packet of *len bytes (the header included) in a
   buffer of max_len bytes.  The body is zero-padded to a multiple of 4 and
   the field to NPK_EF_MIN_LEN.  Returns 1 ok, 0 if it does not fit. */
int NPK_AddField(uint8_t *pkt, int *len, int max_len, int type,
                 const void *body, int body_len);
/* The same with a zeroed body to be filled in place, e.g. the NTS
   authenticator, whose field starts at *body_out - NPK_EF_HEADER_LEN */
int NPK_AddFieldSpace(uint8_t *pkt, int *len, int max_len, int type,
                      int body_len, uint8_t **body_out);

/* Header copies; return 1 ok, 0 if the buffer is shorter than a header */
int NPK_ReadHeader(const uint8_t *pkt, int len, NPK_Header *header);
int NPK_WriteHeader(uint8_t *pkt, int max_len, const NPK_Header *header);

/* Kiss-o'-Death: stratum 0 with a code in the reference id */
void NPK_MakeKoD(NPK_Header *header, uint32_t code);
int NPK_IsKoD(const NPK_Header *header, uint32_t *code);

#endif
