/*
  ntsd - NTS-KE server (RFC 8915 section 4)

  Listens on ntsport when at least one ntsservercert/ntsserverkey pair is
  configured, hands each client eight cookies sealed with the current
  server key and the keys exported from the client's TLS session, and
  rotates the server keys every ntsrotate seconds.
*/
#ifndef NTSD_NTS_KE_SERVER_H
#define NTSD_NTS_KE_SERVER_H

/* Does nothing unless an NTS server certificate is configured; exits on
   configuration or start-up errors (unusable certificates, no socket) */
void NKS_Initialise(void);
void NKS_Finalise(void);

/* Write the server keys to ntsdumpdir; returns 1 on success */
int NKS_DumpKeys(void);

/* Read the server keys from ntsdumpdir again, for keys rotated by another
   process (ntsrotate 0); returns 1 on success */
int NKS_ReloadKeys(void);

#endif
