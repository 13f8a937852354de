/*
 * harness-sandbox-init: the first process inside harness's sandbox (native; src/sandbox/launcher.ts
 * is the fallback when this could not be compiled).
 *
 * usage: harness-sandbox-init DOORS_DIR -- PROGRAM [ARGS...]
 *
 * The sandbox's network namespace is empty. For each "door" this opens 127.0.0.1:PORT inside and
 * forwards each connection to a Unix socket the supervisor serves outside, after writing the
 * session's key first: the sockets themselves are visible inside, but without the key they give
 * nothing. The key comes from DOORS_DIR/launch (written by the supervisor, deleted by it once the
 * launcher has proved it read it over DOORS_DIR/hello), never from argv or the environment; the
 * launcher makes itself non-dumpable first, so the agent's processes cannot read it from /proc.
 *
 * A door can require its peer to be the agent itself (`agent`: Claude Code's http hooks) or
 * harness's hook client started by the agent (`hook-client`): the peer process is found through
 * /proc/net/tcp and /proc/[pid]/fd, and a connection from anything else (a script the agent ran)
 * is closed at once and reported over DOORS_DIR/notices. "The agent" is the launcher's child, or
 * the real program a wrapper (Codex's and Gemini's node scripts) started as its direct child:
 *   agent        the agent process itself, or a direct child of it that is no shell and runs
 *                the agent's own program (Gemini relaunching itself);
 *   hook-client  the hook client binary, whose parent is the agent or a direct child of it that
 *                is no shell (Codex's real binary), or is a shell run exactly as
 *                `SHELL -c "HOOK-CLIENT ARGS..."` by one of those (Claude Code's command hooks);
 *   tagged       anyone, and the door is told `from agent` or `from other` after the key
 *                (harness's egress proxy: the agent's API is for the agent's own process).
 * The direct-child cases hold only for an agent installed as a script (`agent wrapper` in the
 * launch file), and only while its process still runs the script's interpreter; a native agent
 * (`agent binary`, Claude Code, or a wrapper that exec-ed its real binary, Codex's on Node >= 22.15)
 * is its own process alone, since its direct children are its tools (a tool shell that `exec`s a
 * program is no shell any more).
 * A script the agent ran is a grandchild (the agent's tool shell runs it) or a shell: refused. In
 * `agent` mode a direct child exec-ed by a shell (`sh -c 'exec curl …'`) is refused too; in
 * `hook-client` mode such a child counts as a wrapper's real binary, and so do the hook client
 * itself exec-ed by the agent's tool shell: those two are as far as the process tree can tell.
 *
 * launch file lines:  key <64 hex>
 *                     door <port> <unix socket path> <any|agent|hook-client>
 *                     hook-client <absolute path>
 * Any failure before the agent starts: "harness sandbox: ..." on stderr and exit 125. Otherwise the
 * exit code is the agent's (128+N when a signal N killed it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DOORS 64
#define MAX_LAUNCH (64 * 1024)
#define KEY_LEN 64
/* connections being checked or forwarded at once; beyond that new ones wait in the backlog */
#define MAX_CONNS 256
/* connections kept for the hook door: the other doors (the proxy, local ports) cannot take them */
#define HOOK_RESERVE 64
/* seconds a connection may take from accept to the door's socket (peer check, connect, key) */
#define SETUP_SECONDS 10
#define HELLO_SECONDS 10
#define MAX_OWNERS 16
/* a burst of connections waits here (the kernel caps it at net.core.somaxconn) instead of being dropped */
#define BACKLOG 4096
#define RELAY_BUF (64 * 1024)

enum peer { PEER_ANY, PEER_AGENT, PEER_HOOK_CLIENT, PEER_TAGGED };

struct door {
  int port;
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  enum peer peer;
  int fd;
};

static struct door doors[MAX_DOORS];
static int ndoors;
static char key[KEY_LEN + 2]; /* the key and its newline */
static char hook_client[PATH_MAX];
static struct stat hook_client_st;
static char doors_dir[PATH_MAX];
static pid_t agent_pid = -1;
/* the agent's program is a script that may start the real binary as its child (else: a native agent, its own process alone) */
static int agent_wrapper = 1;
/* the interpreter its #! line names (`#!/usr/bin/env node`: node on PATH); see still_wrapper() */
static char interpreter_name[NAME_MAX + 1];
static struct stat interpreter_st;
static int have_interpreter_st;
static pid_t conns[MAX_CONNS];
/* whether each connection is on a door other than the hook door's */
static char conn_open_door[MAX_CONNS];
static int nconns, nopen;
static int sigfd = -1;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "harness sandbox: %s\n", msg);
  exit(125);
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* A Unix socket in the doors directory (or at an absolute path), connected; -1 on failure. */
static int unix_connect(const char *path, int timeout_seconds) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (timeout_seconds > 0) {
    struct timeval tv = {.tv_sec = timeout_seconds};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  while (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    if (errno == EINTR) continue;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int is_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
  }
  return 1;
}

static void parse_line(char *line) {
  size_t len = strlen(line);
  if (len == 0) return;
  if (strncmp(line, "key ", 4) == 0) {
    if (len != 4 + KEY_LEN || !is_hex(line + 4, KEY_LEN)) fail("bad key in the launch file");
    memcpy(key, line + 4, KEY_LEN);
    key[KEY_LEN] = '\n';
    key[KEY_LEN + 1] = 0;
  } else if (strncmp(line, "door ", 5) == 0) {
    if (ndoors == MAX_DOORS) fail("too many doors in the launch file");
    struct door *d = &doors[ndoors];
    char *p = line + 5, *end;
    long port = strtol(p, &end, 10);
    if (end == p || *end != ' ' || port <= 0 || port > 65535) fail("bad door port in the launch file");
    char *path = end + 1;
    char *mode = strrchr(path, ' ');
    if (!mode || mode == path) fail("bad door line in the launch file");
    *mode++ = 0;
    if (strcmp(mode, "any") == 0) d->peer = PEER_ANY;
    else if (strcmp(mode, "agent") == 0) d->peer = PEER_AGENT;
    else if (strcmp(mode, "hook-client") == 0) d->peer = PEER_HOOK_CLIENT;
    else if (strcmp(mode, "tagged") == 0) d->peer = PEER_TAGGED;
    else fail("bad door mode \"%s\" in the launch file", mode);
    if (path[0] != '/' || strlen(path) >= sizeof d->path) fail("bad door socket path in the launch file");
    strcpy(d->path, path);
    d->port = (int)port;
    d->fd = -1;
    ndoors++;
  } else if (strcmp(line, "agent wrapper") == 0 || strcmp(line, "agent binary") == 0) {
    agent_wrapper = strcmp(line, "agent wrapper") == 0;
  } else if (strncmp(line, "hook-client ", 12) == 0) {
    const char *path = line + 12;
    if (path[0] != '/' || strlen(path) >= sizeof hook_client) fail("bad hook-client path in the launch file");
    strcpy(hook_client, path);
  } else {
    fail("unknown line in the launch file");
  }
}

static void read_launch(void) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/launch", doors_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail("cannot read the launch file %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size >= MAX_LAUNCH) fail("bad launch file %s", path);
  static char buf[MAX_LAUNCH];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read the launch file: %s", strerror(errno));
    if (n == 0) break;
    len += (size_t)n;
    if (len == sizeof buf - 1) fail("launch file too large");
  }
  close(fd);
  buf[len] = 0;
  for (char *line = buf, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    parse_line(line);
  }
  memset(buf, 0, sizeof buf);
  if (!key[0]) fail("no key in the launch file");
  for (int i = 0; i < ndoors; i++) {
    if (doors[i].peer != PEER_HOOK_CLIENT) continue;
    if (!hook_client[0]) fail("a hook-client door without a hook-client line in the launch file");
    if (stat(hook_client, &hook_client_st) < 0) fail("cannot find the hook client %s: %s", hook_client, strerror(errno));
    break;
  }
}

/* Proves to the supervisor that this process read the launch file; it deletes the file, then answers. */
static void hello(void) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/hello", doors_dir);
  int fd = unix_connect(path, HELLO_SECONDS);
  if (fd < 0) fail("cannot reach the supervisor at %s: %s", path, strerror(errno));
  if (write_all(fd, key, KEY_LEN + 1) < 0) fail("cannot talk to the supervisor: %s", strerror(errno));
  char reply[4];
  size_t got = 0;
  while (got < 3) {
    ssize_t n = read(fd, reply + got, 3 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("the supervisor did not answer: %s", errno == EAGAIN ? "timed out" : strerror(errno));
    if (n == 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (got != 3 || memcmp(reply, "ok\n", 3) != 0) fail("the supervisor refused the launcher");
}

/*
 * The supervisor's line to the launcher: "stop" stops every other process in the sandbox at once
 * (kill(-1) in its PID namespace: no process forks out of it, none can wake another, since all are
 * stopped together), "cont" resumes them. Used while a rollback restores the tree.
 */
static int control_fd = -1;

static void open_control(void) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/control", doors_dir);
  control_fd = unix_connect(path, HELLO_SECONDS);
  if (control_fd < 0 || write_all(control_fd, key, KEY_LEN + 1) < 0) fail("cannot open the supervisor's control line: %s", strerror(errno));
  struct timeval none = {0};
  setsockopt(control_fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
}

/* Every process but the launcher, its pid-1 parent and zombies is stopped ('T'); a few looks, bounded. */
static int all_stopped(void) {
  for (int attempt = 0; attempt < 200; attempt++) {
    int running = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return 0;
    struct dirent *e;
    while ((e = readdir(proc))) {
      long pid = strtol(e->d_name, NULL, 10);
      if (pid <= 1 || pid == getpid()) continue;
      char path[64], stat[512];
      snprintf(path, sizeof path, "/proc/%ld/stat", pid);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n = read(fd, stat, sizeof stat - 1);
      close(fd);
      if (n <= 0) continue;
      stat[n] = 0;
      char *close_paren = strrchr(stat, ')');
      if (close_paren && close_paren[1] == ' ' && close_paren[2] != 'T' && close_paren[2] != 't' && close_paren[2] != 'Z' && close_paren[2] != 'X') running++;
    }
    closedir(proc);
    if (running == 0) return 1;
    kill(-1, SIGSTOP);
    usleep(5000);
  }
  return 0;
}

static void on_control(void) {
  char line[16];
  ssize_t n = read(control_fd, line, sizeof line - 1);
  if (n <= 0) {
    /* the supervisor went away: nothing more to take orders from */
    close(control_fd);
    control_fd = -1;
    return;
  }
  line[n] = 0;
  if (strncmp(line, "stop", 4) == 0) {
    kill(-1, SIGSTOP);
    if (all_stopped()) write_all(control_fd, "stopped\n", 8);
    else write_all(control_fd, "partly\n", 7);
  } else if (strncmp(line, "cont", 4) == 0) {
    kill(-1, SIGCONT);
    write_all(control_fd, "continued\n", 10);
  }
}

static void open_doors(void) {
  for (int i = 0; i < ndoors; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("cannot open the sandbox's network: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)doors[i].port), .sin_addr = {htonl(INADDR_LOOPBACK)}};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, BACKLOG) < 0) {
      fail("cannot open the sandbox's network: 127.0.0.1:%d: %s", doors[i].port, strerror(errno));
    }
    doors[i].fd = fd;
  }
}

/* ---- who is on the other end ----------------------------------------------------------------- */

static pid_t parent_of(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  /* the command name may hold spaces and parentheses: the fields follow its last ')' */
  char *p = strrchr(buf, ')');
  int ppid;
  if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1) return -1;
  return ppid;
}

static int exe_of(pid_t pid, char *out, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  ssize_t n = readlink(path, out, size - 1);
  if (n < 0) {
    snprintf(out, size, "?");
    return -1;
  }
  out[n] = 0;
  return 0;
}

static int exe_stat(pid_t pid, struct stat *st) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
  return stat(path, st);
}

static int same_exe(pid_t a, pid_t b) {
  struct stat sa, sb;
  return exe_stat(a, &sa) == 0 && exe_stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int is_hook_client(pid_t pid) {
  struct stat st;
  return hook_client[0] && exe_stat(pid, &st) == 0 && st.st_dev == hook_client_st.st_dev && st.st_ino == hook_client_st.st_ino;
}

static int is_shell(pid_t pid) {
  static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", NULL};
  char exe[PATH_MAX];
  /* an exe that cannot be read is treated as a shell: never trusted */
  if (exe_of(pid, exe, sizeof exe) < 0) return 1;
  const char *base = strrchr(exe, '/');
  base = base ? base + 1 : exe;
  for (int i = 0; shells[i]; i++) {
    size_t n = strlen(shells[i]);
    /* "bash" and "bash (deleted)" */
    if (strncmp(base, shells[i], n) == 0 && (base[n] == 0 || base[n] == ' ')) return 1;
  }
  return 0;
}

/* A shell whose command line is exactly `SHELL -c STRING`, STRING running the hook client. */
static int shell_runs_hook_client(pid_t pid) {
  if (!is_shell(pid)) return 0;
  char path[64], buf[8192];
  snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    if (len == sizeof buf - 1) break;
  }
  close(fd);
  if (len == 0 || buf[len - 1] != 0) return 0;
  const char *args[4];
  int argc = 0;
  for (size_t i = 0; i < len && argc < 4; i += strlen(buf + i) + 1) args[argc++] = buf + i;
  if (argc != 3 || strcmp(args[1], "-c") != 0) return 0;
  /* the command starts with the hook client (harness's hook command line, perhaps quoted): an
     agent's tool shell (Claude Code's `bash -c "source …; eval '…'"`) does not */
  const char *cmd = args[2];
  while (*cmd == ' ' || *cmd == '\t') cmd++;
  char quote = *cmd == '\'' || *cmd == '"' ? *cmd++ : 0;
  size_t n = strlen(hook_client);
  if (strncmp(cmd, hook_client, n) != 0) return 0;
  char next = cmd[n];
  return quote ? next == quote : next == 0 || next == ' ' || next == '\t';
}

/* `name` as execvp and env(1) find it: as is when it holds a slash, else the first executable on PATH. */
static int find_program(const char *name, char *out, size_t size) {
  if (strchr(name, '/')) return snprintf(out, size, "%s", name) < (int)size ? 0 : -1;
  const char *dirs = getenv("PATH");
  if (!dirs) dirs = "/usr/local/bin:/usr/bin:/bin";
  for (const char *dir = dirs;; dir++) {
    const char *end = strchr(dir, ':');
    int len = end ? (int)(end - dir) : (int)strlen(dir);
    if (snprintf(out, size, "%.*s/%s", len, len ? dir : ".", name) < (int)size && access(out, X_OK) == 0) return 0;
    if (!end) return -1;
    dir = end;
  }
}

/* The interpreter of the agent's script, read from its #! line before it starts. */
static void find_interpreter(const char *program) {
  char file[PATH_MAX], line[512], found[PATH_MAX];
  if (find_program(program, file, sizeof file) < 0) return;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, line, sizeof line - 1);
  close(fd);
  if (n < 3 || line[0] != '#' || line[1] != '!') return;
  line[n] = 0;
  line[strcspn(line, "\r\n")] = 0;
  const char *words[16];
  int count = 0;
  for (char *w = strtok(line + 2, " \t"); w && count < 16; w = strtok(NULL, " \t")) words[count++] = w;
  if (count == 0) return;
  const char *name = words[0];
  const char *base = strrchr(name, '/');
  if (strcmp(base ? base + 1 : name, "env") == 0) {
    /* `#!/usr/bin/env node`, `#!/usr/bin/env -S node --flag`: the first word that is no option or assignment */
    name = NULL;
    for (int i = 1; i < count && !name; i++)
      if (words[i][0] != '-' && !strchr(words[i], '=')) name = words[i];
    if (!name) return;
  }
  base = strrchr(name, '/');
  snprintf(interpreter_name, sizeof interpreter_name, "%s", base ? base + 1 : name);
  if (find_program(name, found, sizeof found) == 0 && stat(found, &interpreter_st) == 0) have_interpreter_st = 1;
}

/*
 * Whether the agent's process still runs the interpreter of its script. Only then may a direct
 * child be the real binary the wrapper started: a wrapper that replaced itself with the real
 * binary (Codex's npm wrapper execs it on Node >= 22.15) is a native agent from then on, whose
 * direct children are its tools. Its interpreter is the file the #! line leads to, or a program
 * of that name (a version manager's shim on PATH starts the real node).
 */
static int still_wrapper(void) {
  if (!agent_wrapper) return 0;
  struct stat st;
  if (have_interpreter_st && exe_stat(agent_pid, &st) == 0 && st.st_dev == interpreter_st.st_dev && st.st_ino == interpreter_st.st_ino) return 1;
  char exe[PATH_MAX];
  if (!interpreter_name[0] || exe_of(agent_pid, exe, sizeof exe) < 0) return 0;
  const char *base = strrchr(exe, '/');
  base = base ? base + 1 : exe;
  /* "node", "nodejs" (Debian), "python3.11" for python3 */
  return strncmp(base, interpreter_name, strlen(interpreter_name)) == 0;
}

/* The agent itself, or the real binary a wrapper started (a direct child that is no shell). */
static int agent_side(pid_t pid) {
  if (pid <= 0) return 0;
  if (pid == agent_pid) return 1;
  /* a native agent's direct children are its tools: a tool shell that `exec`s a program is no shell any more */
  if (!still_wrapper()) return 0;
  return parent_of(pid) == agent_pid && !is_shell(pid) && !is_hook_client(pid);
}

static int owner_allowed(pid_t owner, enum peer peer) {
  if (peer == PEER_AGENT) {
    if (owner == agent_pid) return 1;
    if (!still_wrapper()) return 0;
    /* a wrapper's real process: the agent's direct child, no shell, the agent's own program */
    return parent_of(owner) == agent_pid && !is_shell(owner) && same_exe(owner, agent_pid);
  }
  if (peer == PEER_TAGGED) return agent_side(owner);
  if (peer == PEER_HOOK_CLIENT) {
    if (!is_hook_client(owner)) return 0;
    pid_t parent = parent_of(owner);
    if (agent_side(parent)) return 1;
    return shell_runs_hook_client(parent) && agent_side(parent_of(parent));
  }
  return 1;
}

/*
 * The inode of the peer's socket, asked of the kernel by its exact address pair (sock_diag): a
 * lookup, where reading /proc/net/tcp walks the whole connection table (milliseconds). 0 if the
 * kernel does not answer.
 */
static unsigned long diag_inode(const struct sockaddr_in *peer, const struct sockaddr_in *self) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return 0;
  struct timeval tv = {.tv_sec = 2};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST;
  msg.req.sdiag_family = AF_INET;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = ~0U;
  /* the socket's own end first: the peer's socket, connected to the door */
  msg.req.id.idiag_sport = peer->sin_port;
  msg.req.id.idiag_dport = self->sin_port;
  msg.req.id.idiag_src[0] = peer->sin_addr.s_addr;
  msg.req.id.idiag_dst[0] = self->sin_addr.s_addr;
  msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  unsigned long inode = 0;
  if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel) == (ssize_t)sizeof msg) {
    long buf[1024];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (n > 0 && NLMSG_OK(h, (size_t)n) && h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
      struct inet_diag_msg *m = NLMSG_DATA(h);
      if (m->id.idiag_sport == peer->sin_port && m->id.idiag_dport == self->sin_port && m->id.idiag_src[0] == peer->sin_addr.s_addr && m->id.idiag_dst[0] == self->sin_addr.s_addr) inode = m->idiag_inode;
    }
  }
  close(fd);
  return inode;
}

/* The inode of the peer's socket: the /proc/net/tcp entry from the peer's address to ours. */
static unsigned long peer_inode(const struct sockaddr_in *peer, const struct sockaddr_in *self) {
  unsigned long inode = diag_inode(peer, self);
  if (inode) return inode;
  FILE *f = fopen("/proc/net/tcp", "re");
  if (!f) return 0;
  char line[512];
  unsigned long found = 0;
  if (!fgets(line, sizeof line, f)) {
    fclose(f);
    return 0;
  }
  while (fgets(line, sizeof line, f)) {
    unsigned int la, lp, ra, rp, st;
    unsigned long inode;
    if (sscanf(line, " %*d: %X:%X %X:%X %X %*X:%*X %*X:%*X %*X %*u %*d %lu", &la, &lp, &ra, &rp, &st, &inode) != 6) continue;
    /* addresses are printed as the raw 32-bit value, ports in host order */
    if (la == peer->sin_addr.s_addr && lp == ntohs(peer->sin_port) && ra == self->sin_addr.s_addr && rp == ntohs(self->sin_port) && inode != 0) {
      found = inode;
      break;
    }
  }
  fclose(f);
  return found;
}

/* The processes holding socket:[inode] (at most MAX_OWNERS). */
static int socket_owners(unsigned long inode, pid_t *owners) {
  char want[64];
  int wlen = snprintf(want, sizeof want, "socket:[%lu]", inode);
  int n = 0;
  DIR *proc = opendir("/proc");
  if (!proc) return 0;
  struct dirent *e;
  while (n < MAX_OWNERS && (e = readdir(proc))) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 0) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    DIR *fds = opendir(path);
    if (!fds) continue;
    struct dirent *f;
    while ((f = readdir(fds))) {
      if (f->d_name[0] == '.') continue;
      char link[64];
      ssize_t len = readlinkat(dirfd(fds), f->d_name, link, sizeof link - 1);
      if (len == wlen && memcmp(link, want, (size_t)wlen) == 0) {
        owners[n++] = (pid_t)pid;
        break;
      }
    }
    closedir(fds);
  }
  closedir(proc);
  return n;
}

/* Whether the peer of `conn` may use the door; if not, who it was (pid 0 when unknown). */
static int peer_allowed(int conn, const struct door *d, pid_t *who, char *exe, size_t exe_size) {
  *who = 0;
  snprintf(exe, exe_size, "?");
  struct sockaddr_in peer, self;
  socklen_t pl = sizeof peer, sl = sizeof self;
  if (getpeername(conn, (struct sockaddr *)&peer, &pl) < 0 || getsockname(conn, (struct sockaddr *)&self, &sl) < 0) return 0;
  if (peer.sin_family != AF_INET || self.sin_family != AF_INET) return 0;
  unsigned long inode = peer_inode(&peer, &self);
  if (!inode) return 0;
  pid_t owners[MAX_OWNERS];
  int n = socket_owners(inode, owners);
  for (int i = 0; i < n; i++) {
    if (owner_allowed(owners[i], d->peer)) return 1;
  }
  if (n > 0) {
    *who = owners[0];
    exe_of(owners[0], exe, exe_size);
  }
  return 0;
}

static void report_refusal(const struct door *d, pid_t who, char *exe) {
  for (char *p = exe; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/notices", doors_dir);
  int fd = unix_connect(path, 5);
  if (fd < 0) return;
  char line[PATH_MAX + 128];
  int len = snprintf(line, sizeof line, "%srefused %d %d %s\n", key, d->port, (int)who, exe);
  if (len > 0 && (size_t)len < sizeof line) write_all(fd, line, (size_t)len);
  close(fd);
}

/* ---- forwarding ------------------------------------------------------------------------------ */

/* Copies both ways until both directions are done (half-close passed on), or either side fails. */
static void relay(int a, int b) {
  static char ab[RELAY_BUF], ba[RELAY_BUF];
  size_t abn = 0, abo = 0, ban = 0, bao = 0;
  int a_eof = 0, b_eof = 0, a_shut = 0, b_shut = 0;
  fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK);
  fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK);
  for (;;) {
    if (a_eof && abn == 0 && !b_shut) {
      shutdown(b, SHUT_WR);
      b_shut = 1;
    }
    if (b_eof && ban == 0 && !a_shut) {
      shutdown(a, SHUT_WR);
      a_shut = 1;
    }
    if (a_shut && b_shut) return;
    struct pollfd p[2] = {{.fd = a}, {.fd = b}};
    if (!a_eof && abn == 0) p[0].events |= POLLIN;
    if (ban > 0) p[0].events |= POLLOUT;
    if (!b_eof && ban == 0) p[1].events |= POLLIN;
    if (abn > 0) p[1].events |= POLLOUT;
    /* a side with nothing to do is left out: its hang-up would wake poll for ever */
    for (int i = 0; i < 2; i++)
      if (!p[i].events) p[i].fd = -1;
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((p[0].revents | p[1].revents) & POLLNVAL) return;
    struct {
      int fd;
      char *buf;
      size_t *n, *o;
      int *eof;
    } side[2] = {{a, ab, &abn, &abo, &a_eof}, {b, ba, &ban, &bao, &b_eof}};
    /* side i reads into its own buffer and is written what the other side read */
    for (int i = 0; i < 2; i++) {
      if (!(p[i].events & POLLIN) || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(side[i].fd, side[i].buf, RELAY_BUF);
      if (r > 0) {
        *side[i].n = (size_t)r;
        *side[i].o = 0;
      } else if (r == 0) {
        *side[i].eof = 1;
      } else if (errno != EINTR && errno != EAGAIN) {
        return;
      }
    }
    for (int i = 0; i < 2; i++) {
      int other = 1 - i;
      if (!(p[i].events & POLLOUT) || !(p[i].revents & (POLLOUT | POLLHUP | POLLERR)) || *side[other].n == 0) continue;
      ssize_t w = send(side[i].fd, side[other].buf + *side[other].o, *side[other].n, MSG_NOSIGNAL);
      if (w > 0) {
        *side[other].o += (size_t)w;
        *side[other].n -= (size_t)w;
      } else if (w < 0 && errno != EINTR && errno != EAGAIN) {
        return;
      }
    }
  }
}

/* One accepted connection, in a child of its own: check the peer, open the door, forward. */
static void serve(int conn, const struct door *d) __attribute__((noreturn));
static void serve(int conn, const struct door *d) {
  alarm(SETUP_SECONDS);
  /* a tagged door admits anyone and says whether it was the agent's side (the agent, or the real
     binary its wrapper started) or another process (a tool, a script): harness decides with that */
  int from_agent = 0;
  if (d->peer == PEER_TAGGED) {
    pid_t who;
    char exe[PATH_MAX];
    from_agent = peer_allowed(conn, d, &who, exe, sizeof exe);
  } else if (d->peer != PEER_ANY) {
    pid_t who;
    char exe[PATH_MAX];
    if (!peer_allowed(conn, d, &who, exe, sizeof exe)) {
      close(conn);
      report_refusal(d, who, exe);
      _exit(0);
    }
  }
  int up = unix_connect(d->path, SETUP_SECONDS);
  if (up < 0 || write_all(up, key, KEY_LEN + 1) < 0) _exit(1);
  if (d->peer == PEER_TAGGED) {
    const char *tag = from_agent ? "from agent\n" : "from other\n";
    if (write_all(up, tag, strlen(tag)) < 0) _exit(1);
  }
  struct timeval none = {0};
  setsockopt(up, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  setsockopt(up, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  alarm(0);
  relay(conn, up);
  _exit(0);
}

/* ---- processes and signals ------------------------------------------------------------------- */

static const int forwarded[] = {SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* In a fresh child: every signal at its default, none blocked. */
static void default_signals(void) {
  struct sigaction sa = {.sa_handler = SIG_DFL};
  sigemptyset(&sa.sa_mask);
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    sigaction(s, &sa, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The agent's processes may create internet and netlink sockets only: a Unix-domain one (a connect
 * needs no write access: every socket they could see would be a door out of the sandbox), vsock (to
 * the hypervisor) or packet socket is refused, and so is a datagram socketpair (it can send to any
 * socket path); nor may they read or steer other processes
 * (ptrace, process_vm_readv/writev, pidfd_getfd), nor set up io_uring (which would do both without
 * a system call this filter sees). System calls of another ABI (i386, x32) are refused whole.
 * Stream socketpairs stay: they make pipes between a process and its children, not a way out.
 */
static void confine(void) {
#if defined(__x86_64__) || defined(__aarch64__)
#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#else
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif
#define DENY_IF(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
  struct sock_filter filter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
    /* x32 system calls carry this bit */
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
    DENY_IF(SYS_ptrace),
    DENY_IF(SYS_process_vm_readv),
    DENY_IF(SYS_process_vm_writev),
#ifdef SYS_pidfd_getfd
    DENY_IF(SYS_pidfd_getfd),
#endif
#ifdef SYS_io_uring_setup
    DENY_IF(SYS_io_uring_setup),
#endif
    /* socket(): the internet (through the doors) and netlink (interface lists) only; no Unix, vsock, packet … */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 6),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    /* socketpair(): connected stream or seqpacket pairs only; a datagram one could send to any socket path */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socketpair, 0, 5),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_SEQPACKET, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
#undef DENY_IF
  struct sock_fprog prog = {.len = (unsigned short)(sizeof filter / sizeof filter[0]), .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
    fprintf(stderr, "harness sandbox: cannot install the system call filter: %s\n", strerror(errno));
    _exit(125);
  }
#endif
}

static void close_listeners(void) {
  for (int i = 0; i < ndoors; i++) close(doors[i].fd);
  if (sigfd >= 0) close(sigfd);
  if (control_fd >= 0) close(control_fd);
}

/* the hook door (a checked peer) may use every slot; the other doors leave HOOK_RESERVE free */
static int is_hook_door(const struct door *d) { return d->peer == PEER_AGENT || d->peer == PEER_HOOK_CLIENT; }
static int may_accept(const struct door *d) { return nconns < MAX_CONNS && (is_hook_door(d) || nopen < MAX_CONNS - HOOK_RESERVE); }

static void accept_on(struct door *d) {
  while (may_accept(d)) {
    int conn = accept4(d->fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) return; /* EAGAIN: nothing more; a connection gone before accept: skip it */
    int one = 1;
    setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pid_t pid = fork();
    if (pid == 0) {
      close_listeners();
      default_signals();
      signal(SIGPIPE, SIG_IGN);
      serve(conn, d);
    }
    close(conn);
    if (pid > 0) {
      conn_open_door[nconns] = !is_hook_door(d);
      nopen += !is_hook_door(d);
      conns[nconns++] = pid;
    }
  }
}

static void forget_conn(pid_t pid) {
  for (int i = 0; i < nconns; i++) {
    if (conns[i] == pid) {
      nopen -= conn_open_door[i];
      conns[i] = conns[--nconns];
      conn_open_door[i] = conn_open_door[nconns];
      return;
    }
  }
}

static void finish(int status) __attribute__((noreturn));
static void finish(int status) {
  for (int i = 0; i < nconns; i++) kill(conns[i], SIGKILL);
  if (WIFEXITED(status)) exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) exit(128 + WTERMSIG(status));
  exit(1);
}

static void on_signals(void) {
  struct signalfd_siginfo si;
  while (read(sigfd, &si, sizeof si) == sizeof si) {
    if ((int)si.ssi_signo == SIGCHLD) continue;
    if (agent_pid > 0) kill(agent_pid, (int)si.ssi_signo);
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == agent_pid) finish(status);
    forget_conn(pid);
  }
}

static void start_agent(char **argv) {
  if (agent_wrapper) find_interpreter(argv[0]);
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) < 0) fail("cannot start %s: %s", argv[0], strerror(errno));
  pid_t pid = fork();
  if (pid < 0) fail("cannot start %s: %s", argv[0], strerror(errno));
  if (pid == 0) {
    close(errpipe[0]);
    close_listeners();
    default_signals();
    /* only stdin, stdout and stderr reach the agent: any other descriptor harness's parent left open closes at exec */
    for (int fd = 3; fd < 1024; fd++)
      if (fd != errpipe[1]) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
      }
    confine();
    execvp(argv[0], argv);
    int e = errno;
    ssize_t ignored = write(errpipe[1], &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  close(errpipe[1]);
  int e;
  ssize_t n;
  do n = read(errpipe[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(errpipe[0]);
  if (n == (ssize_t)sizeof e) {
    waitpid(pid, NULL, 0);
    fail("cannot start %s: %s", argv[0], strerror(e));
  }
  agent_pid = pid;
}

int main(int argc, char **argv) {
  /* first: nothing of this process (the key above all) is readable through /proc or ptrace */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("cannot make the launcher private: %s", strerror(errno));
  /* a session keyring of its own (KEYCTL_JOIN_SESSION_KEYRING, anonymous): the person's session keys stay out of reach */
  if (syscall(SYS_keyctl, 1, (char *)0) < 0 && errno != ENOSYS) fail("cannot leave the session keyring: %s", strerror(errno));
  if (argc < 4 || strcmp(argv[2], "--") != 0) fail("usage: harness-sandbox-init DOORS_DIR -- PROGRAM [ARGS...]");
  if (strlen(argv[1]) >= sizeof doors_dir - 16) fail("doors directory path too long");
  strcpy(doors_dir, argv[1]);
  signal(SIGPIPE, SIG_IGN);
  read_launch();
  hello();
  open_control();
  open_doors();

  /* Ctrl-C reaches the whole foreground group: it is the agent's to handle */
  signal(SIGINT, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) sigaddset(&set, forwarded[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) fail("cannot watch signals: %s", strerror(errno));

  start_agent(argv + 3);

  struct pollfd p[2 + MAX_DOORS];
  for (;;) {
    int n = 0;
    p[n++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = control_fd, .events = POLLIN};
    /* at the limit, new connections wait in the backlog until a forwarder ends */
    for (int i = 0; i < ndoors; i++) p[n++] = (struct pollfd){.fd = may_accept(&doors[i]) ? doors[i].fd : -1, .events = POLLIN};
    if (poll(p, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
    }
    if (p[0].revents) on_signals();
    if (p[1].revents) on_control();
    for (int i = 0; i < ndoors; i++)
      if (p[2 + i].revents & POLLIN) accept_on(&doors[i]);
  }
}
