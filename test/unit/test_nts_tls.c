/*
  ntsd - unit test of the TLS layer's server side: the key exchange group
  it picks for clients with different preferences (X25519 only in place
  of a P-256 the client ranks first, never a HelloRetryRequest, never
  against a client that prefers something else), and the TCP segments a
  whole NTS-KE exchange costs it.  The server is ours, the clients are
  plain GnuTLS sessions on loopback TCP, with a throwaway certificate.
*/
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "logging.h"
#include "tls.h"
#include "test.h"

#define CLIENT_BASE "NORMAL:-VERS-ALL:+VERS-TLS1.3"

static char cert_file[64], key_file[64];
static TLS_Credentials server_creds;
static gnutls_certificate_credentials_t client_creds;

/* A self-signed ECDSA P-256 certificate, as test/system/lib/mkcerts.sh
   makes; the clients here do not verify it */
static int
make_certificate(const char *dir)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t out;
  unsigned char serial[1] = { 1 };
  FILE *f;
  int ok = 0;

  snprintf(cert_file, sizeof cert_file, "%s/cert.pem", dir);
  snprintf(key_file, sizeof key_file, "%s/key.pem", dir);

  if (gnutls_x509_privkey_init(&key) < 0 ||
      gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                   GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
      gnutls_x509_crt_init(&crt) < 0 ||
      gnutls_x509_crt_set_version(crt, 3) < 0 ||
      gnutls_x509_crt_set_serial(crt, serial, sizeof serial) < 0 ||
      gnutls_x509_crt_set_dn(crt, "CN=localhost", NULL) < 0 ||
      gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                           GNUTLS_FSAN_SET) < 0 ||
      gnutls_x509_crt_set_activation_time(crt, time(NULL) - 3600) < 0 ||
      gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 86400) < 0 ||
      gnutls_x509_crt_set_key(crt, key) < 0 ||
      gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
    goto out;

  if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out) < 0)
    goto out;
  f = fopen(cert_file, "w");
  ok = f && fwrite(out.data, 1, out.size, f) == out.size;
  if (f && fclose(f) != 0)
    ok = 0;
  gnutls_free(out.data);

  if (!ok || gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &out) < 0) {
    ok = 0;
    goto out;
  }
  f = fopen(key_file, "w");
  ok = f && fwrite(out.data, 1, out.size, f) == out.size;
  if (f && fclose(f) != 0)
    ok = 0;
  gnutls_free(out.data);

out:
  if (crt)
    gnutls_x509_crt_deinit(crt);
  if (key)
    gnutls_x509_privkey_deinit(key);
  return ok;
}

/* A connected pair of non-blocking loopback TCP sockets */
static int
tcp_pair(int *server_fd, int *client_fd)
{
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  int l, on = 1;

  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  l = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(l, 1) < 0 ||
      getsockname(l, (struct sockaddr *)&sin, &len) < 0)
    return 0;
  *client_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (*client_fd < 0 || connect(*client_fd, (struct sockaddr *)&sin, sizeof sin) < 0)
    return 0;
  *server_fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);
  close(l);
  if (*server_fd < 0)
    return 0;
  /* As ntsload does: each write of the client is sent at once */
  setsockopt(*client_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  /* Both ends run in this thread */
  return fcntl(*client_fd, F_SETFL, O_NONBLOCK) == 0;
}

static unsigned int
data_segments_out(int fd)
{
  struct tcp_info info;
  socklen_t len = sizeof info;

  memset(&info, 0, sizeof info);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 ||
      len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof info.tcpi_data_segs_out)
    return 0;
  return info.tcpi_data_segs_out;
}

typedef struct {
  int server_fd, client_fd;
  TLS_Session server;
  gnutls_session_t client;
} Pair;

static int
open_pair(Pair *p, const char *client_priority)
{
  gnutls_datum_t alpn = { (unsigned char *)TLS_ALPN_NTSKE, sizeof (TLS_ALPN_NTSKE) - 1 };

  memset(p, 0, sizeof *p);
  p->server_fd = p->client_fd = -1;
  if (!tcp_pair(&p->server_fd, &p->client_fd))
    return 0;
  p->server = TLS_CreateSession(p->server_fd, server_creds, NULL, "test client");
  if (!p->server || gnutls_init(&p->client, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
                                   GNUTLS_NO_TICKETS) < 0)
    return 0;
  if (gnutls_priority_set_direct(p->client, client_priority, NULL) < 0 ||
      gnutls_credentials_set(p->client, GNUTLS_CRD_CERTIFICATE, client_creds) < 0 ||
      gnutls_alpn_set_protocols(p->client, &alpn, 1, 0) < 0)
    return 0;
  gnutls_transport_set_int(p->client, p->client_fd);
  return 1;
}

static void
close_pair(Pair *p)
{
  TLS_DestroySession(p->server);
  if (p->client)
    gnutls_deinit(p->client);
  if (p->server_fd >= 0)
    close(p->server_fd);
  if (p->client_fd >= 0)
    close(p->client_fd);
}

/* Each side goes as far as it can in its turn */
static int
handshake(Pair *p)
{
  TLS_Status st = TLS_WANT_READ;
  int i, r = GNUTLS_E_AGAIN;

  for (i = 0; i < 1000 && (st != TLS_OK || r != 0); i++) {
    if (st != TLS_OK) {
      st = TLS_Handshake(p->server);
      if (st == TLS_ERROR)
        return 0;
    }
    if (r != 0) {
      r = gnutls_handshake(p->client);
      if (r < 0 && gnutls_error_is_fatal(r))
        return 0;
    }
  }
  return st == TLS_OK && r == 0;
}

/* Counts the client's ClientHellos: a second one answers a
   HelloRetryRequest */
static int
count_hellos(gnutls_session_t session, unsigned int htype, unsigned int when,
             unsigned int incoming, const gnutls_datum_t *msg)
{
  int *n = gnutls_session_get_ptr(session);

  if (htype == GNUTLS_HANDSHAKE_CLIENT_HELLO && !incoming)
    (*n)++;
  return 0;
}

/* The group the server picks for a client with these priorities, or -1 */
static int
negotiated_group(const char *client_priority, int *hello_retry)
{
  int group = -1, hellos = 0;
  Pair p;

  if (open_pair(&p, client_priority)) {
    gnutls_session_set_ptr(p.client, &hellos);
    gnutls_handshake_set_hook_function(p.client, GNUTLS_HANDSHAKE_CLIENT_HELLO,
                                       GNUTLS_HOOK_POST, count_hellos);
    if (handshake(&p))
      group = gnutls_group_get(p.client);
  }
  *hello_retry = hellos != 1;
  close_pair(&p);
  return group;
}

static void
test_groups(void)
{
  int hrr = -1;

  /* What chronyd's client (and ours) sends: P-256 first, shares for P-256
     and X25519 */
  TEST_CHECK(negotiated_group(CLIENT_BASE, &hrr) == GNUTLS_GROUP_X25519);
  TEST_CHECK(hrr == 0);
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-SECP256R1:+GROUP-X25519", &hrr) ==
             GNUTLS_GROUP_X25519);
  TEST_CHECK(hrr == 0);
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1", &hrr) ==
             GNUTLS_GROUP_X25519);
  TEST_CHECK(hrr == 0);

  /* No X25519 share, or a client that prefers another group: its choice */
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-SECP256R1", &hrr) ==
             GNUTLS_GROUP_SECP256R1);
  TEST_CHECK(hrr == 0);
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-SECP256R1:+GROUP-FFDHE2048", &hrr) ==
             GNUTLS_GROUP_SECP256R1);
  TEST_CHECK(hrr == 0);
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-SECP384R1:+GROUP-SECP256R1:"
                              "+GROUP-X25519", &hrr) == GNUTLS_GROUP_SECP384R1);
  TEST_CHECK(hrr == 0);
  TEST_CHECK(negotiated_group(CLIENT_BASE ":-GROUP-ALL:+GROUP-X448:+GROUP-X25519", &hrr) ==
             GNUTLS_GROUP_X448);
  TEST_CHECK(hrr == 0);
}

/* A whole exchange: request, response, close_notify both ways.  The
   server's records go out in two TCP segments: its flight (ServerHello
   included) and the response with its close_notify. */
static void
test_exchange(void)
{
  static const char request[] = "request";
  char response[900], buf[1000];
  TLS_Status st;
  Pair p;
  int n, r, len, i;

  memset(response, 'r', sizeof response);
  TEST_CHECK(open_pair(&p, CLIENT_BASE));
  TEST_CHECK(handshake(&p));
  TEST_CHECK(gnutls_record_send(p.client, request, sizeof request) == sizeof request);

  for (i = 0, len = 0, st = TLS_OK; i < 1000 && len < (int)sizeof request; i++) {
    st = TLS_Receive(p.server, buf + len, sizeof buf - len, &n);
    if (st == TLS_OK)
      len += n;
    else if (st != TLS_WANT_READ)
      break;
  }
  TEST_CHECK(len == sizeof request && memcmp(buf, request, len) == 0);

  TEST_CHECK(TLS_Send(p.server, response, sizeof response, &n) == TLS_OK);
  TEST_CHECK(n == sizeof response);
  /* Held back until the close_notify, which waits for the client's */
  TEST_CHECK(TLS_Shutdown(p.server) == TLS_WANT_READ);

  for (i = 0, len = 0; i < 1000 && len < (int)sizeof response; i++) {
    r = gnutls_record_recv(p.client, buf + len, sizeof buf - len);
    if (r > 0)
      len += r;
    else if (r != GNUTLS_E_AGAIN)
      break;
  }
  TEST_CHECK(len == sizeof response && memcmp(buf, response, len) == 0);
  TEST_CHECK(gnutls_record_recv(p.client, buf, sizeof buf) == 0);
  TEST_CHECK(gnutls_bye(p.client, GNUTLS_SHUT_WR) == 0);

  for (i = 0, st = TLS_WANT_READ; i < 1000 && st == TLS_WANT_READ; i++)
    st = TLS_Shutdown(p.server);
  TEST_CHECK(st == TLS_OK);

  n = data_segments_out(p.server_fd);
  if (n > 0)
    TEST_CHECK(n == 2);
  else
    printf("tcpi_data_segs_out not available, segments not counted\n");

  close_pair(&p);
}

int
main(void)
{
  char dir[] = "/tmp/ntsd-test-tls.XXXXXX";
  const char *cert, *key;

  LOG_Initialise();
  TEST_CHECK(mkdtemp(dir) != NULL);
  TEST_CHECK(TLS_Initialise());
  TEST_CHECK(make_certificate(dir));

  cert = cert_file;
  key = key_file;
  server_creds = TLS_CreateServerCredentials(&cert, &key, 1);
  TEST_CHECK(server_creds != NULL);
  TEST_CHECK(gnutls_certificate_allocate_credentials(&client_creds) >= 0);

  if (server_creds) {
    test_groups();
    test_exchange();
  }

  gnutls_certificate_free_credentials(client_creds);
  TLS_DestroyCredentials(server_creds);
  TLS_Finalise();
  unlink(cert_file);
  unlink(key_file);
  rmdir(dir);
  LOG_Finalise();

  TEST_END();
}
