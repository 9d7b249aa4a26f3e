#pragma once
// Bad user input is reported as a list of diagnostics, each naming the file, the
// JSON path (RFC 6901 pointer, e.g. /parallel/ep) and what was expected. Parsers
// collect every problem they can find before giving up; InputError carries the
// whole list to the CLI or GUI, which prints it and exits non-zero.

#include <stdexcept>
#include <string>
#include <vector>

namespace moesim {

// A value in a file: the file as the user named it and a JSON pointer in it.
struct DiagnosticPlace {
  std::string file;
  std::string path;
  bool operator==(const DiagnosticPlace& o) const { return file == o.file && path == o.path; }
};

struct Diagnostic {
  std::string file;      // as the user named it; "<inline>" when not from a file
  std::string path;      // JSON pointer into that file; "" for the whole document
  std::string message;   // what was expected and what was found
  // The other values a cross-value rule reads (the dp, tp and cp that ep must
  // divide, the schedule that wants an even pp): changing any of them can
  // clear it, so an editor may show it at the one the user just changed.
  // Not printed: `path` is where the CLI reports it.
  std::vector<DiagnosticPlace> related = {};

  // "error: plan.json: /parallel/ep: 48 does not divide 256 routed experts"
  std::string to_string() const;
  bool operator==(const Diagnostic& o) const {
    return file == o.file && path == o.path && message == o.message && related == o.related;
  }
};

class Diagnostics {
 public:
  void add(std::string file, std::string path, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  // One diagnostic per line.
  std::string to_string() const;
  // Throws InputError when any diagnostic was collected.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> items_;
};

// Thrown when user input is invalid. what() is the full multi-line report.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostics d);
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

// The closest candidate by edit distance, or "" when none is close enough to be a
// plausible typo (distance at most max(2, |word|/3)). Ties go to the first.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace moesim
