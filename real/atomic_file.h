#pragma once
// Output files of moesim-real appear whole or not at all: the text goes to a
// temporary file in the same directory, which is renamed over `path` (atomic on
// POSIX file systems). A failed or interrupted run leaves no partial profile.

#include <string>

namespace moesim::real {

// Throws std::runtime_error naming `path` when the file cannot be written.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace moesim::real
