#include "sim/core/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace moesim {

namespace fs = std::filesystem;

InputFile read_input_file(const std::string& path, std::size_t max_bytes) {
  InputFile f;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec && ec.value() == ELOOP) {
    f.problem = "too many levels of symbolic links (a link loop)";
    return f;
  }
  if (!fs::exists(st)) {
    // A dangling link or a missing name; a permission problem on the way
    // shows as an error code other than "no such file".
    if (ec && ec != std::errc::no_such_file_or_directory) {
      f.problem = ec.message();
    } else {
      f.problem = "no such file";
      f.missing = true;
    }
    return f;
  }
  if (fs::is_directory(st)) {
    f.problem = "it is a directory, not a file";
    return f;
  }
  if (!fs::is_regular_file(st)) {
    f.problem = "not a regular file (a device, FIFO or socket is not read as input)";
    return f;
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) {
    f.problem = "the file is " + std::to_string(size) + " bytes, over the " +
                std::to_string(max_bytes >> 20) + " MiB an input file may have";
    return f;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    f.problem = std::strerror(errno);
    return f;
  }
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {  // grew while being read
      f.problem = "the file is over the " + std::to_string(max_bytes >> 20) +
                  " MiB an input file may have";
      return f;
    }
  }
  f.text = std::move(text);
  return f;
}

std::string input_excerpt(const std::string& s, std::size_t max_chars) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > max_chars) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace moesim
