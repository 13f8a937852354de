/*
 * harness hook client: forwards an agent's hook JSON (stdin) to the harness supervisor and
 * prints its answer. It fails closed: any problem (no supervisor, timeout, bad reply, oversize
 * input) prints a reason on stderr and exits 2, which agents treat as "block this tool call".
 *
 * usage: harness-hook HOST PORT PATH TOKEN TIMEOUT_SECONDS
 * The supervisor may set `X-Harness-Exit: N`: the body then goes to stderr (N != 0) and the
 * client exits N (agents whose hooks speak in exit codes).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_INPUT (32 * 1024 * 1024)
#define MAX_REPLY (4 * 1024 * 1024)

static int fail(const char *why) {
  fprintf(stderr, "harness: the tool call was blocked because the harness supervisor could not be consulted (%s). "
                  "Nothing ran. If harness is no longer running, restart the session with `harness run`.\n", why);
  return 2;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc != 6) return fail("bad hook command line");
  const char *host = argv[1], *path = argv[3], *token = argv[4];
  long port = strtol(argv[2], NULL, 10);
  long timeout = strtol(argv[5], NULL, 10);
  if (port <= 0 || port > 65535 || timeout <= 0) return fail("bad hook command line");

  size_t cap = 64 * 1024, len = 0;
  char *input = malloc(cap);
  if (!input) return fail("out of memory");
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_INPUT) return fail("hook input too large");
      cap *= 2;
      char *grown = realloc(input, cap);
      if (!grown) return fail("out of memory");
      input = grown;
    }
    ssize_t n = read(0, input + len, cap - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read hook input");
    }
    if (n == 0) break;
    len += (size_t)n;
  }

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fail("cannot open a socket");
  struct timeval tv = {.tv_sec = timeout, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return fail("bad supervisor address");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("supervisor not reachable");

  char header[1024];
  int hl = snprintf(header, sizeof header,
                    "POST %s HTTP/1.1\r\nHost: %s\r\nX-Harness-Token: %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    path, host, token, len);
  if (hl <= 0 || (size_t)hl >= sizeof header) return fail("bad hook command line");
  if (write_all(fd, header, (size_t)hl) < 0 || write_all(fd, input, len) < 0) return fail("cannot send to supervisor");

  size_t rcap = 64 * 1024, rlen = 0;
  char *reply = malloc(rcap + 1);
  if (!reply) return fail("out of memory");
  for (;;) {
    if (rlen == rcap) {
      if (rcap >= MAX_REPLY) return fail("supervisor reply too large");
      rcap *= 2;
      char *grown = realloc(reply, rcap + 1);
      if (!grown) return fail("out of memory");
      reply = grown;
    }
    ssize_t n = read(fd, reply + rlen, rcap - rlen);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno == EAGAIN || errno == EWOULDBLOCK ? "supervisor did not answer in time" : "cannot read supervisor reply");
    }
    if (n == 0) break;
    rlen += (size_t)n;
  }
  reply[rlen] = 0;
  close(fd);

  if (rlen < 12 || strncmp(reply, "HTTP/1.", 7) != 0) return fail("garbled supervisor reply");
  int status = atoi(reply + 9);
  char *body = strstr(reply, "\r\n\r\n");
  if (!body) return fail("garbled supervisor reply");
  *body = 0;
  body += 4;
  size_t body_len = rlen - (size_t)(body - reply);
  if (status != 200) return fail("supervisor refused the request");

  int exit_code = 0, has_verdict = 0;
  long content_length = -1;
  for (char *line = strstr(reply, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
    const char *h = line + 2;
    if (strncasecmp(h, "X-Harness-Exit:", 15) == 0) exit_code = atoi(h + 15);
    else if (strncasecmp(h, "X-Harness-Verdict:", 18) == 0) has_verdict = 1;
    else if (strncasecmp(h, "Content-Length:", 15) == 0) content_length = strtol(h + 15, NULL, 10);
    else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0) return fail("unexpected reply encoding");
  }
  if (!has_verdict) return fail("reply without a verdict");
  /* The whole answer or nothing: a cut or padded body must not pass for a decision. */
  if (content_length < 0 || (size_t)content_length != body_len) return fail("incomplete supervisor reply");
  if (write_all(exit_code == 0 ? 1 : 2, body, body_len) < 0) return fail("cannot write the answer");
  return exit_code;
}
