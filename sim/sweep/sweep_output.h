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
// Resuming: a rerun streams the journal, drops a last line cut short by a
// kill (and only a line that does not parse: running out of memory is an
// error, never a cut), and evaluates only the points that are missing. The
// final files are written atomically (temporary file + rename): a kill while
// they are written leaves the journal whole, and the rerun writes them again.
// Memory is flat in the number of rows: one bit per point of the shard, the
// best rows and the Pareto front, and 32 MiB runs of the final sort.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
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
  // Creates `dir` (and its manifest) or reopens it, streaming its journal:
  // `position_of` maps a row's index to its position in this shard
  // (ShardPoints::position_of; -1: not of this shard, dropped). Throws
  // InputError when the folder holds a different sweep or shard.
  SweepOutput(std::string dir, const SweepManifest& m,
              std::function<int64_t(uint64_t index)> position_of);
  ~SweepOutput();
  SweepOutput(const SweepOutput&) = delete;
  SweepOutput& operator=(const SweepOutput&) = delete;

  uint64_t done_count() const;
  bool done(uint64_t position) const;
  // Appends one row (rendered outside the lock). Thread-safe.
  void append(const SweepRow& r);
  // Writes results.jsonl (sorted by index), results.csv and summary.md;
  // returns the summary (Markdown).
  std::string finish();

 private:
  std::string dir_;
  SweepManifest manifest_;
  std::function<int64_t(uint64_t)> position_of_;
  std::vector<bool> done_;  // per position of the shard: one bit a point
  uint64_t done_count_ = 0;
  SweepTracker tracker_;
  std::FILE* journal_ = nullptr;
  std::vector<char> buffer_;
  mutable std::mutex mu_;
};

// What write_sorted_results wrote: rows (distinct indices) and the indices
// that appeared more than once (the first kept; at most 20 listed).
struct SortedResults {
  uint64_t rows = 0;
  uint64_t duplicates = 0;
  std::vector<uint64_t> duplicate_indices;
};

// Streams the rows of `journals` (each a results.jsonl, a cut-short last line
// ignored) through `each`, then writes dir/results.jsonl and dir/results.csv
// sorted by index by an external merge sort: memory stays flat in the number
// of rows (runs of at most 32 MiB in temporary files beside them). Both files
// are replaced atomically; with `refuse_duplicates`, duplicated indices leave
// them untouched (the result lists them).
SortedResults write_sorted_results(const std::string& dir, const std::vector<std::string>& columns,
                                   const std::vector<std::string>& journals, bool refuse_duplicates,
                                   const std::function<void(const SweepRow&, const std::string&)>& each);

// Writes dir/manifest.json and dir/summary.md (atomically); returns the summary.
std::string write_sweep_summary(const std::string& dir, const SweepManifest& m,
                                const SweepTracker& tracker);

// Complete rows of a journal, without parsing them (a cut-short last line is
// not one).
uint64_t count_journal_rows(const std::string& journal);

// Reads a folder's manifest. Throws InputError naming the folder on problems.
SweepManifest read_manifest(const std::string& dir);
// Every complete row of a folder's journal, sorted by index (in memory: for
// tests and small folders).
std::vector<SweepRow> read_journal(const std::string& dir);

}  // namespace moesim
