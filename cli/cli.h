#pragma once
// The `moesim` command line as a function, so that tests drive it without a
// process. Exit codes: 0 success, 1 internal error (a bug or an I/O failure),
// 2 bad input or usage (the message names the file, JSON path and expectation).

#include <ostream>
#include <string>
#include <vector>

#include "sim/core/atomic_file.h"  // write_file_atomically, for the commands

namespace moesim::cli {

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Subcommands, each taking the arguments after its name.
int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int model_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int schedule_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int validate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int calibrate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int collective_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int compare_trace_command(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err);
int shapes_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

}  // namespace moesim::cli
