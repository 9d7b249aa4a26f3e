#pragma once
// Byte I/O over the pipes between the simulator and its SimGrid child
// processes (simgrid_adapter.cpp, simgrid_session.cpp). No SimGrid here.

#include <cstddef>
#include <initializer_list>
#include <string>

namespace moesim::detail {

// Writes all `n` bytes, retrying on EINTR; returns false when the reader is
// gone.
bool write_all(int fd, const void* data, size_t n);
// Reads until end of file.
std::string read_to_end(int fd);
// Reads exactly `n` bytes; false at end of file or on an error first.
bool read_exact(int fd, void* data, size_t n);

// In a forked child: closes every descriptor but stdin/stdout/stderr and
// `keep`. A child of a multi-threaded simulator inherits the pipes of every
// other thread's SimGrid child; holding their write ends would keep those
// children from ever seeing end of file, and their parents waiting for them
// (a deadlock between concurrent des runs, seen with `moesim run -j 2`).
void close_inherited_fds(std::initializer_list<int> keep);

// A message being built for write_all: plain values appended as bytes.
class Message {
 public:
  template <class T>
  Message& put(const T& v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  Message& put_text(const std::string& s);  // length (u32) then the bytes
  const std::string& bytes() const { return bytes_; }
  void clear() { bytes_.clear(); }

 private:
  std::string bytes_;
};

}  // namespace moesim::detail
