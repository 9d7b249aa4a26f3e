#pragma once
// The network child process (`moesim-netsim`), from the parent's side. It is
// spawned (posix_spawn: fork and exec at once), not forked: a fork of a
// multi-threaded simulator (sweeps and `moesim run -j` run scenarios on
// threads) could inherit a lock another thread held, such as the allocator's
// under AddressSanitizer, and deadlock in the child (issue 19). A fresh
// program inherits nothing but its two pipes, on fds 3 (from the parent) and
// 4 (to the parent); every other pipe is close-on-exec.
//
// Every read waits at most reply_timeout(): a child that dies is reported at
// once (end of file) with how it ended, one that stalls after the timeout,
// and is then killed. The binary is found as $MOESIM_NETSIM, else
// moesim-netsim beside the running program, else where the build put it.

#include <string>
#include <sys/types.h>

namespace moesim::detail {

class ChildProcess {
 public:
  // Spawns the child. Throws std::runtime_error when it cannot be started.
  ChildProcess();
  // Closes the pipes (the child sees end of file and exits) and reaps it;
  // a child that does not exit within a few seconds is killed.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Both throw std::runtime_error (failure()) when the child is gone or,
  // reading, sends nothing for reply_timeout().
  void write(const std::string& bytes);
  void read(void* data, size_t n);
  // Everything until the child closes its end.
  std::string read_to_end();

  pid_t pid() const { return pid_; }
  // Kills the child if it still runs, reaps it and throws: "the network
  // simulation child process (pid N) <why>; it <exited with status s |
  // was killed by signal s>".
  [[noreturn]] void failure(const std::string& why);

  // $MOESIM_NETSIM_TIMEOUT_S, else 600 s: a reply the child takes longer
  // over is a stall. (SimGrid answers a des step's calls in milliseconds.)
  static double reply_timeout_s();
  // The binary the next ChildProcess runs, and where it was looked for.
  static std::string binary(std::string* looked_in = nullptr);

 private:
  void wait_readable();
  void reap(bool kill_first);
  int to_child_ = -1;
  int from_child_ = -1;
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

}  // namespace moesim::detail
