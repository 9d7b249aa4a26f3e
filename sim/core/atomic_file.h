#pragma once
// Output files appear whole or not at all: the text goes to a temporary file
// in the same directory (named with the process id, so that concurrent
// processes writing beside each other do not collide), which is renamed over
// `path` (atomic on POSIX file systems). A failed or interrupted run leaves no
// partial report, trace or profile. Used by the moesim CLI and moesim-real.

#include <string>

namespace moesim {

// Throws std::runtime_error naming `path` when the file cannot be written.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace moesim
