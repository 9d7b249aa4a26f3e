#include "sim/net/detail/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <mutex>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/net/detail/pipe_io.h"

extern char** environ;

namespace moesim::detail {

namespace {

bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

std::string own_directory() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  std::string p(buf.data(), static_cast<size_t>(n));
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

// A pipe whose both ends close on exec (the child gets its ends by dup2).
void cloexec_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("network simulation: pipe: ") + std::strerror(errno));
}

}  // namespace

double ChildProcess::reply_timeout_s() {
  if (const char* e = std::getenv("MOESIM_NETSIM_TIMEOUT_S")) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end != e && *end == '\0' && v > 0) return v;
  }
  return 600.0;
}

std::string ChildProcess::binary(std::string* looked_in) {
  std::vector<std::string> tried;
  if (const char* e = std::getenv("MOESIM_NETSIM")) {
    // Named by the user: that one or none.
    if (executable(e)) return e;
    if (looked_in) *looked_in = std::string(e) + " ($MOESIM_NETSIM)";
    return "";
  }
  const std::string dir = own_directory();
  if (!dir.empty()) {
    if (executable(dir + "/moesim-netsim")) return dir + "/moesim-netsim";
    tried.push_back(dir + "/moesim-netsim");
  }
#ifdef MOESIM_NETSIM_BUILD_PATH
  if (executable(MOESIM_NETSIM_BUILD_PATH)) return MOESIM_NETSIM_BUILD_PATH;
  tried.push_back(MOESIM_NETSIM_BUILD_PATH);
#endif
  if (looked_in) {
    looked_in->clear();
    for (const std::string& t : tried) *looked_in += (looked_in->empty() ? "" : ", ") + t;
  }
  return "";
}

ChildProcess::ChildProcess() {
  // A child that dies leaves its pipe without a reader: writing to it must
  // fail with EPIPE (reported, with how the child ended), not kill the
  // simulator with SIGPIPE. Only the default disposition is changed; a
  // program's own handler stays.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] {
    struct sigaction old {};
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
      std::signal(SIGPIPE, SIG_IGN);
  });
  std::string looked_in;
  const std::string exe = binary(&looked_in);
  if (exe.empty())
    throw std::runtime_error(
        "cannot find the network simulator helper moesim-netsim (looked in " + looked_in +
        "); build it with the project, or set MOESIM_NETSIM to its path");
  int down[2], up[2];
  cloexec_pipe(down);
  try {
    cloexec_pipe(up);
  } catch (...) {
    ::close(down[0]);
    ::close(down[1]);
    throw;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // Through fds above 4 first, so that neither dup2 overwrites the other's
  // source; dup2 clears close-on-exec on 3 and 4.
  const int in_hi = ::fcntl(down[0], F_DUPFD_CLOEXEC, 10);
  const int out_hi = ::fcntl(up[1], F_DUPFD_CLOEXEC, 10);
  posix_spawn_file_actions_adddup2(&fa, in_hi, 3);
  posix_spawn_file_actions_adddup2(&fa, out_hi, 4);
  std::string argv0 = "moesim-netsim";
  char* argv[] = {argv0.data(), nullptr};
  std::fflush(nullptr);
  pid_t pid = -1;
  const int err = (in_hi < 0 || out_hi < 0)
                      ? errno
                      : ::posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  for (int fd : {down[0], up[1], in_hi, out_hi})
    if (fd >= 0) ::close(fd);
  if (err != 0) {
    ::close(down[1]);
    ::close(up[0]);
    throw std::runtime_error("network simulation: cannot start " + exe + ": " +
                             std::strerror(err));
  }
  to_child_ = down[1];
  from_child_ = up[0];
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (to_child_ >= 0) ::close(to_child_);  // the child sees end of file and exits
  if (from_child_ >= 0) ::close(from_child_);
  reap(false);
}

void ChildProcess::reap(bool kill_first) {
  if (pid_ <= 0 || reaped_) return;
  if (kill_first) ::kill(pid_, SIGKILL);
  // A few seconds to exit on its own, then killed.
  for (int i = 0; i < 500; ++i) {
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) {
      reaped_ = true;
      return;
    }
    if (i == 300) ::kill(pid_, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

void ChildProcess::failure(const std::string& why) {
  const bool alive = !reaped_ && ::waitpid(pid_, &status_, WNOHANG) == 0;
  if (alive) {
    reap(true);
  } else {
    reaped_ = true;
  }
  std::string how;
  if (WIFSIGNALED(status_))
    how = "was killed by signal " + std::to_string(WTERMSIG(status_)) +
          (alive ? " (by moesim, after the stall)" : "");
  else if (WIFEXITED(status_))
    how = "exited with status " + std::to_string(WEXITSTATUS(status_));
  throw std::runtime_error("the network simulation child process (moesim-netsim, pid " +
                           std::to_string(pid_) + ") " + why + (how.empty() ? "" : "; it " + how));
}

void ChildProcess::write(const std::string& bytes) {
  if (!write_all(to_child_, bytes.data(), bytes.size())) failure("stopped reading its commands");
}

void ChildProcess::wait_readable() {
  const double timeout = reply_timeout_s();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      failure("sent nothing for " + std::to_string(static_cast<long>(timeout)) +
              " s ($MOESIM_NETSIM_TIMEOUT_S) and was stopped");
    pollfd p{from_child_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) failure(std::string("could not be read: ") + std::strerror(errno));
    if (r > 0) return;  // data, or end of file (POLLHUP): read() tells which
  }
}

void ChildProcess::read(void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    wait_readable();
    const ssize_t r = ::read(from_child_, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) failure("ended before its reply");
    p += r;
    n -= static_cast<size_t>(r);
  }
}

std::string ChildProcess::read_to_end() {
  std::string s;
  char buf[1 << 16];
  for (;;) {
    wait_readable();
    const ssize_t r = ::read(from_child_, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    s.append(buf, static_cast<size_t>(r));
  }
  return s;
}

}  // namespace moesim::detail
