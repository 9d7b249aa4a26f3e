#pragma once
// A sweep's output folder:
//   manifest.json   which sweep and shard this is (fingerprint, point counts,
//                   columns, objective): a rerun or merge checks it first
//   results.jsonl   the journal: one JSON line per evaluated point, appended as
//                   points finish (in completion order, through a 64 KiB buffer:
//                   a kill -9 loses at most the rows still in the buffer, which a
//                   rerun evaluates again)
//   results.csv     written at the end from the journal, sorted by index
//   summary.md      best points and Pareto front, written at the end
// Resuming: a rerun reads the journal, drops a last line cut short by a kill,
// and evaluates only the points that are missing. The final files are written
// atomically (temporary file + rename).

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/sweep_row.h"
#include "sim/sweep/sweep_summary.h"

namespace moesim {

struct SweepManifest {
  std::string fingerprint;
  uint64_t total_points = 0;  // of the whole sweep (all shards)
  uint64_t shard_points = 0;  // of this shard
  int shard_k = 1, shard_n = 1;
  std::vector<std::string> columns;
  std::vector<std::string> parameter_columns;
  std::string objective;
  int top = 10;
  std::string moesim_version;
  nlohmann::json to_json() const;
  // Throws InputError naming `file` when the manifest is malformed.
  static SweepManifest from_json(const nlohmann::json& j, const std::string& file);
};

class SweepOutput {
 public:
  // Creates `dir` (and its manifest) or reopens it. Throws InputError when the
  // folder holds a different sweep or shard.
  SweepOutput(std::string dir, const SweepManifest& m);
  ~SweepOutput();
  SweepOutput(const SweepOutput&) = delete;
  SweepOutput& operator=(const SweepOutput&) = delete;

  const std::set<uint64_t>& done() const { return done_; }
  // Appends one row (rendered outside the lock). Thread-safe.
  void append(const SweepRow& r);
  // Writes results.jsonl (sorted by index), results.csv and summary.md;
  // returns the summary (Markdown).
  std::string finish();

  // A row as kept between append() and finish(): its two renderings and the
  // figures the summary ranks by (about 1.5 KB a row).
  struct StoredRow {
    uint64_t index = 0;
    std::string line, csv;
    RowRank rank;
  };

 private:
  std::string dir_;
  SweepManifest manifest_;
  std::set<uint64_t> done_;
  std::vector<StoredRow> rows_;
  std::FILE* journal_ = nullptr;
  std::vector<char> buffer_;
  std::mutex mu_;
};

// Reads a folder's manifest and journal (rows sorted by index; a cut-short last
// line is ignored). Throws InputError naming the folder on problems.
SweepManifest read_manifest(const std::string& dir);
std::vector<SweepRow> read_journal(const std::string& dir);

// Writes manifest.json, results.jsonl, results.csv and summary.md for `rows`
// (sorted by index) into `dir` atomically; returns the summary. Used by merge.
std::string write_sweep_results(const std::string& dir, const SweepManifest& m,
                                const std::vector<SweepRow>& rows);

}  // namespace moesim
