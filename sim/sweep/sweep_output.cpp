#include "sim/sweep/sweep_output.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <queue>
#include <stdexcept>

#include "sim/core/diagnostics.h"

namespace moesim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kTmp = ".moesim-tmp";
constexpr size_t kRunBytes = size_t{32} << 20;  // one sorted run of the final sort

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + kTmp;
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + path.string());
  }
  fs::rename(tmp, path);
}

InputError folder_error(const std::string& dir, const std::string& msg) {
  Diagnostics d;
  d.add(dir, "", msg);
  return InputError(d);
}

// Calls `row` on every complete line of a journal, in file order, until it
// ends or a line does not parse (the damaged tail of a killed run); returns
// the byte length of the lines read. Only a parse error ends it: anything
// else (out of memory, say) propagates, so that no caller mistakes it for
// damage and cuts the journal.
size_t stream_journal(const fs::path& path,
                      const std::function<void(SweepRow&&, std::string&&)>& row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  size_t good = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: cut short by a kill, not a row
    SweepRow r;
    try {
      r.fields = json::parse(line);
      r.index = r.fields.at("index").get<uint64_t>();
    } catch (const json::exception&) {
      break;  // a damaged line ends what we trust
    }
    good += line.size() + 1;
    row(std::move(r), std::move(line));
  }
  return good;
}

// A run file of the final sort: (index, JSON line, CSV line) records.
void put_record(std::ofstream& o, uint64_t index, const std::string& line, const std::string& csv) {
  const auto a = static_cast<uint64_t>(line.size()), b = static_cast<uint64_t>(csv.size());
  o.write(reinterpret_cast<const char*>(&index), sizeof index);
  o.write(reinterpret_cast<const char*>(&a), sizeof a);
  o.write(line.data(), static_cast<std::streamsize>(a));
  o.write(reinterpret_cast<const char*>(&b), sizeof b);
  o.write(csv.data(), static_cast<std::streamsize>(b));
}

struct Record {
  uint64_t index = 0;
  std::string line, csv;
};

bool get_record(std::ifstream& in, Record& r) {
  uint64_t a = 0, b = 0;
  if (!in.read(reinterpret_cast<char*>(&r.index), sizeof r.index)) return false;
  in.read(reinterpret_cast<char*>(&a), sizeof a);
  r.line.resize(a);
  in.read(r.line.data(), static_cast<std::streamsize>(a));
  in.read(reinterpret_cast<char*>(&b), sizeof b);
  r.csv.resize(b);
  in.read(r.csv.data(), static_cast<std::streamsize>(b));
  if (!in) throw std::runtime_error("a truncated sort run");
  return true;
}

// Leftovers of a run killed while it wrote its final files.
void remove_temporaries(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() > std::string(kTmp).size() &&
        name.compare(name.size() - std::string(kTmp).size(), std::string::npos, kTmp) == 0)
      fs::remove(e.path(), ec);
  }
}

}  // namespace

json SweepManifest::to_json() const {
  return json{{"fingerprint", fingerprint},
              {"total_points", total_points},
              {"shard_points", shard_points},
              {"shard", json{{"k", shard_k}, {"n", shard_n}}},
              {"columns", columns},
              {"parameter_columns", parameter_columns},
              {"objective", objective},
              {"top", top},
              {"moesim_version", moesim_version}};
}

SweepManifest SweepManifest::from_json(const json& j, const std::string& file) {
  try {
    SweepManifest m;
    m.fingerprint = j.at("fingerprint");
    m.total_points = j.at("total_points");
    m.shard_points = j.at("shard_points");
    m.shard_k = j.at("shard").at("k");
    m.shard_n = j.at("shard").at("n");
    m.columns = j.at("columns").get<std::vector<std::string>>();
    m.parameter_columns = j.at("parameter_columns").get<std::vector<std::string>>();
    m.objective = j.at("objective");
    m.top = j.at("top");
    m.moesim_version = j.at("moesim_version");
    return m;
  } catch (const json::exception& e) {
    throw folder_error(file, std::string("not a moesim sweep manifest: ") + e.what());
  }
}

SweepManifest read_manifest(const std::string& dir) {
  const fs::path p = fs::path(dir) / "manifest.json";
  std::ifstream in(p);
  if (!in) throw folder_error(dir, "no manifest.json: not a moesim sweep output folder");
  try {
    return SweepManifest::from_json(json::parse(in), p.string());
  } catch (const json::parse_error& e) {
    throw folder_error(p.string(), std::string("not valid JSON: ") + e.what());
  }
}

std::vector<SweepRow> read_journal(const std::string& dir) {
  std::vector<SweepRow> rows;
  stream_journal(fs::path(dir) / "results.jsonl",
                 [&](SweepRow&& r, std::string&&) { rows.push_back(std::move(r)); });
  std::sort(rows.begin(), rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  return rows;
}

uint64_t count_journal_rows(const std::string& journal) {
  std::ifstream in(journal, std::ios::binary);
  uint64_t n = 0;
  std::string line;
  while (std::getline(in, line))
    if (!in.eof()) ++n;
  return n;
}

SortedResults write_sorted_results(
    const std::string& dir, const std::vector<std::string>& columns,
    const std::vector<std::string>& journals, bool refuse_duplicates,
    const std::function<void(const SweepRow&, const std::string&)>& each) {
  const fs::path d(dir);
  // 1. Runs: the rows in chunks of at most kRunBytes, each sorted by index.
  std::vector<fs::path> runs;
  std::vector<Record> chunk;
  size_t chunk_bytes = 0;
  auto flush_run = [&] {
    if (chunk.empty()) return;
    std::stable_sort(chunk.begin(), chunk.end(),
                     [](const Record& a, const Record& b) { return a.index < b.index; });
    runs.push_back(d / ("sort-run-" + std::to_string(runs.size()) + kTmp));
    std::ofstream o(runs.back(), std::ios::binary | std::ios::trunc);
    for (const Record& r : chunk) put_record(o, r.index, r.line, r.csv);
    if (!o) throw std::runtime_error("cannot write " + runs.back().string());
    chunk.clear();
    chunk_bytes = 0;
  };
  for (const std::string& j : journals)
    stream_journal(j, [&](SweepRow&& r, std::string&& line) {
      if (each) each(r, line);
      Record rec{r.index, std::move(line), row_csv(r, columns)};
      chunk_bytes += rec.line.size() + rec.csv.size() + sizeof(Record);
      chunk.push_back(std::move(rec));
      if (chunk_bytes >= kRunBytes) flush_run();
    });
  flush_run();

  // 2. Merge the runs (the earlier run first at a tie: journal order).
  SortedResults out;
  const fs::path jsonl_tmp = d / (std::string("results.jsonl") + kTmp);
  const fs::path csv_tmp = d / (std::string("results.csv") + kTmp);
  {
    std::vector<std::ifstream> in;
    for (const fs::path& r : runs) in.emplace_back(r, std::ios::binary);
    std::vector<Record> head(runs.size());
    using Key = std::pair<uint64_t, size_t>;  // (index, run)
    std::priority_queue<Key, std::vector<Key>, std::greater<Key>> heap;
    for (size_t i = 0; i < runs.size(); ++i)
      if (get_record(in[i], head[i])) heap.emplace(head[i].index, i);
    std::ofstream jo(jsonl_tmp, std::ios::binary | std::ios::trunc);
    std::ofstream co(csv_tmp, std::ios::binary | std::ios::trunc);
    co << csv_header(columns) << "\n";
    bool any = false;
    uint64_t last = 0;
    while (!heap.empty()) {
      const size_t i = heap.top().second;
      heap.pop();
      Record& r = head[i];
      if (any && r.index == last) {
        ++out.duplicates;
        if (out.duplicate_indices.size() < 20) out.duplicate_indices.push_back(r.index);
      } else {
        jo << r.line << "\n";
        co << r.csv << "\n";
        ++out.rows;
        any = true;
        last = r.index;
      }
      if (get_record(in[i], head[i])) heap.emplace(head[i].index, i);
    }
    jo.flush();
    co.flush();
    if (!jo || !co) throw std::runtime_error("cannot write the results of " + dir);
  }
  for (const fs::path& r : runs) fs::remove(r);
  if (refuse_duplicates && out.duplicates > 0) {
    fs::remove(jsonl_tmp);
    fs::remove(csv_tmp);
    return out;
  }
  fs::rename(jsonl_tmp, d / "results.jsonl");
  fs::rename(csv_tmp, d / "results.csv");
  return out;
}

std::string write_sweep_summary(const std::string& dir, const SweepManifest& m,
                                const SweepTracker& tracker) {
  const std::string summary = render_sweep_summary(tracker.summary(), m.parameter_columns);
  write_atomically(fs::path(dir) / "manifest.json", m.to_json().dump(2) + "\n");
  write_atomically(fs::path(dir) / "summary.md", summary);
  return summary;
}

SweepOutput::SweepOutput(std::string dir, const SweepManifest& m,
                         std::function<int64_t(uint64_t)> position_of)
    : dir_(std::move(dir)),
      manifest_(m),
      position_of_(std::move(position_of)),
      done_(m.shard_points, false),
      tracker_(m.objective, m.top) {
  const fs::path d(dir_);
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) throw folder_error(dir_, "cannot create the folder: " + ec.message());
  const fs::path mp = d / "manifest.json";
  if (fs::exists(mp)) {
    const SweepManifest old = read_manifest(dir_);
    if (old.fingerprint != m.fingerprint || old.shard_k != m.shard_k ||
        old.shard_n != m.shard_n)
      throw folder_error(dir_, "holds results of a different sweep or shard (fingerprint " +
                                   old.fingerprint + ", shard " + std::to_string(old.shard_k) +
                                   "/" + std::to_string(old.shard_n) +
                                   "); use another --out folder or remove this one");
  } else {
    write_atomically(mp, m.to_json().dump(2) + "\n");
  }
  remove_temporaries(d);
  const fs::path jp = d / "results.jsonl";
  const size_t good = stream_journal(jp, [&](SweepRow&& r, std::string&& line) {
    const int64_t p = position_of_(r.index);
    if (p < 0 || static_cast<uint64_t>(p) >= done_.size() || done_[static_cast<size_t>(p)]) return;
    done_[static_cast<size_t>(p)] = true;
    ++done_count_;
    tracker_.add(r, line);
  });
  if (fs::exists(jp) && fs::file_size(jp) != good) fs::resize_file(jp, good);  // drop a cut line
  journal_ = std::fopen(jp.string().c_str(), "ab");
  if (!journal_) throw std::runtime_error("cannot append to " + jp.string());
  buffer_.resize(64 * 1024);
  std::setvbuf(journal_, buffer_.data(), _IOFBF, buffer_.size());
}

SweepOutput::~SweepOutput() {
  if (journal_) std::fclose(journal_);
}

uint64_t SweepOutput::done_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_count_;
}

bool SweepOutput::done(uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  return position < done_.size() && done_[static_cast<size_t>(position)];
}

void SweepOutput::append(const SweepRow& r) {
  const std::string line = row_jsonl(r);
  const int64_t p = position_of_(r.index);
  std::lock_guard<std::mutex> lock(mu_);
  if (p < 0 || static_cast<uint64_t>(p) >= done_.size() || done_[static_cast<size_t>(p)])
    return;  // never write a row twice
  std::fwrite(line.data(), 1, line.size(), journal_);
  std::fputc('\n', journal_);
  done_[static_cast<size_t>(p)] = true;
  ++done_count_;
  tracker_.add(r, line);
}

std::string SweepOutput::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  std::fflush(journal_);
  const std::string journal = (fs::path(dir_) / "results.jsonl").string();
  write_sorted_results(dir_, manifest_.columns, {journal}, false, nullptr);
  // The journal was replaced by its sorted copy: appends go to the new file.
  std::fclose(journal_);
  journal_ = std::fopen(journal.c_str(), "ab");
  if (journal_) std::setvbuf(journal_, buffer_.data(), _IOFBF, buffer_.size());
  return write_sweep_summary(dir_, manifest_, tracker_);
}

}  // namespace moesim
