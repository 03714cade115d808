/*
 * A stand-in single-user server for spawn storms: one process, poll(2), ~1 MB RSS. It binds the ip:port of
 * JUPYTERHUB_SERVICE_URL and answers every request with 200 and a short body, which is all the hub's readiness
 * check (GET on JUPYTERHUB_SERVICE_PREFIX, any status < 500) and a benchmark's client need. Requests are not
 * parsed beyond the end of their headers; keep-alive is honoured so a load generator can reuse connections.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#define MAXC 1024
#define BUF 4096

static const char REPLY[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: keep-alive\r\n\r\nstandin\n";

struct conn { int fd; size_t len; char buf[BUF]; };
static struct pollfd pfds[MAXC + 1];
static struct conn conns[MAXC + 1];
static int n = 1;

/* "http://127.0.0.1:45678/user/a/" -> ip "127.0.0.1", port 45678 */
static int parse_url(const char *url, char *ip, size_t iplen, int *port) {
  const char *p = strstr(url, "://");
  p = p ? p + 3 : url;
  const char *colon = strchr(p, ':');
  if (!colon || (size_t)(colon - p) >= iplen) return -1;
  memcpy(ip, p, colon - p);
  ip[colon - p] = 0;
  *port = atoi(colon + 1);
  return *port > 0 ? 0 : -1;
}

static int listen_on(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (fd < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 512) < 0) return -1;
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

static void drop(int i) {
  close(pfds[i].fd);
  n--;
  pfds[i] = pfds[n];
  conns[i] = conns[n];
}

/* Answers each complete request head in the buffer; returns -1 when the peer is gone. */
static int serve(int i) {
  struct conn *c = &conns[i];
  ssize_t r = read(pfds[i].fd, c->buf + c->len, BUF - 1 - c->len);
  if (r <= 0) return -1;
  c->len += r;
  c->buf[c->len] = 0;
  char *end;
  while ((end = strstr(c->buf, "\r\n\r\n")) != NULL) {
    if (write(pfds[i].fd, REPLY, sizeof REPLY - 1) < 0) return -1;
    size_t used = end + 4 - c->buf;
    memmove(c->buf, c->buf + used, c->len - used + 1);
    c->len -= used;
  }
  return c->len >= BUF - 1 ? -1 : 0; /* a head larger than the buffer: not a client we serve */
}

int main(void) {
  const char *url = getenv("JUPYTERHUB_SERVICE_URL");
  char ip[64];
  int port;
  if (!url || parse_url(url, ip, sizeof ip, &port) < 0) {
    fprintf(stderr, "standin: JUPYTERHUB_SERVICE_URL (http://ip:port/prefix/) is missing or invalid\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int lfd = listen_on(ip, port);
  if (lfd < 0) { perror("standin: listen"); return 1; }
  fprintf(stderr, "standin: listening on %s:%d\n", ip, port);
  pfds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
  for (;;) {
    if (poll(pfds, n, -1) < 0) continue;
    if (pfds[0].revents & POLLIN) {
      int fd;
      while ((fd = accept(lfd, NULL, NULL)) >= 0) {
        if (n > MAXC) { close(fd); continue; }
        pfds[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
        conns[n].len = 0;
        n++;
      }
    }
    for (int i = n - 1; i >= 1; i--) {
      if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (serve(i) < 0) drop(i);
      }
    }
  }
}
