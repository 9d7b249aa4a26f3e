#include "real/bootstrap.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/core/atomic_file.h"

namespace moesim::real {

namespace {

std::optional<int> env_int(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || errno != 0 || n < 0 || n > (1L << 30))
    throw std::invalid_argument(std::string("environment variable ") + name +
                                ": expected an integer >= 0, found \"" + v + "\"");
  return static_cast<int>(n);
}

std::string env_str(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v == nullptr ? "" : v;
}

}  // namespace

RankInfo rank_from_env(const EnvLookup& env) {
  struct Source {
    const char* launcher;
    const char* rank;
    const char* size;
    const char* local;
  };
  const Source sources[] = {
      {"openmpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"},
      {"slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"},
      {"pmi", "PMI_RANK", "PMI_SIZE", "PMI_LOCAL_RANK"},
      {"moesim", "MOESIM_RANK", "MOESIM_WORLD_SIZE", "MOESIM_LOCAL_RANK"},
  };
  RankInfo r;
  r.launcher = "single";
  for (const Source& s : sources) {
    const auto rank = env_int(env, s.rank);
    const auto size = env_int(env, s.size);
    if (!rank || !size) continue;
    if (*size < 1 || *rank >= *size)
      throw std::invalid_argument(std::string(s.rank) + "=" + std::to_string(*rank) + " and " +
                                  s.size + "=" + std::to_string(*size) +
                                  ": expected 0 <= rank < size");
    r.rank = *rank;
    r.world = *size;
    r.local_rank = env_int(env, s.local).value_or(0);
    r.launcher = s.launcher;
    break;
  }
  if (r.launcher == "openmpi") {
    r.run_tag = env_str(env, "PMIX_NAMESPACE");
    if (r.run_tag.empty()) r.run_tag = env_str(env, "OMPI_MCA_orte_ess_jobid");
  } else if (r.launcher == "slurm") {
    const std::string job = env_str(env, "SLURM_JOB_ID");
    if (!job.empty()) r.run_tag = job + "." + env_str(env, "SLURM_STEP_ID");
  }
  const std::string tag = env_str(env, "MOESIM_RUN_TAG");
  if (!tag.empty()) r.run_tag = tag;
  return r;
}

std::string encode_hex(const unsigned char* bytes, std::size_t n) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[bytes[i] >> 4]);
    s.push_back(kDigits[bytes[i] & 15]);
  }
  return s;
}

std::vector<unsigned char> decode_hex(const std::string& hex, std::size_t n) {
  if (hex.size() != 2 * n)
    throw std::invalid_argument("expected " + std::to_string(2 * n) + " hex digits, found " +
                                std::to_string(hex.size()));
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument(std::string("not a hex digit: '") + c + "'");
  };
  std::vector<unsigned char> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<unsigned char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  return out;
}

void publish_id_file(const std::string& path, const std::string& tag, const std::string& hex) {
  if (tag.empty() || tag.find_first_of(" \t\n") != std::string::npos)
    throw std::invalid_argument("the run tag must be non-empty and without spaces, found \"" +
                                tag + "\"");
  write_file_atomically(path, std::string(kIdFileFormat) + " " + tag + " " + hex + "\n");
}

std::optional<std::string> read_id_file(const std::string& path, const std::string& tag) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::string format, file_tag, hex;
  f >> format >> file_tag >> hex;
  if (format != kIdFileFormat || hex.empty())
    throw std::invalid_argument(path + ": not a moesim NCCL id file (expected \"" +
                                kIdFileFormat + " TAG HEX\")");
  if (file_tag != tag) return std::nullopt;  // an earlier run's file: keep waiting
  return hex;
}

}  // namespace moesim::real
