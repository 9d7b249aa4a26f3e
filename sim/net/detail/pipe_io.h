#pragma once
// Byte I/O over the pipes between the simulator and its network child
// process (child_process.h, netsim_wire.h). No SimGrid here.

#include <cstddef>
#include <string>

namespace moesim::detail {

// Writes all `n` bytes, retrying on EINTR; returns false when the reader is
// gone.
bool write_all(int fd, const void* data, size_t n);
// Reads until end of file.
std::string read_to_end(int fd);
// Reads exactly `n` bytes; false at end of file or on an error first.
bool read_exact(int fd, void* data, size_t n);

// A message being built for write_all: plain values appended as bytes.
class Message {
 public:
  template <class T>
  Message& put(const T& v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  Message& put_text(const std::string& s);  // length (u32) then the bytes
  Message& put_raw(const std::string& s) {   // the bytes alone
    bytes_.append(s);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }
  void clear() { bytes_.clear(); }

 private:
  std::string bytes_;
};

}  // namespace moesim::detail
