#pragma once
// Reading an input file (a scenario, a part, a sweep spec, a profile) with
// bounds: a regular file only (not a device such as /dev/zero, a FIFO or a
// socket, which could be read for ever), at most kMaxInputFileBytes, and a
// reason a user can act on when it cannot be read (no such file, a directory,
// a symbolic-link loop, permission denied, too large).
//
// Error messages that quote the input use input_excerpt(), so that neither a
// 300 MB token nor a private file's bytes end up on the screen.

#include <cstddef>
#include <optional>
#include <string>

namespace moesim {

// Scenarios, parts, sweep specs, profiles and HF configs are kilobytes; the
// largest measured-routing histograms, megabytes. (Profiler traces are read
// apart, gzipped: sim/trace.)
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{64} << 20;  // 64 MiB

struct InputFile {
  std::optional<std::string> text;  // set when read
  std::string problem;              // why not, e.g. "no such file"
  bool missing = false;             // the path names nothing (a typo is likely)
};

InputFile read_input_file(const std::string& path, std::size_t max_bytes = kMaxInputFileBytes);

// At most `max_chars` of `s`, control bytes and non-ASCII shown as '?', and
// "... (N bytes)" when shortened.
std::string input_excerpt(const std::string& s, std::size_t max_chars = 40);

}  // namespace moesim
