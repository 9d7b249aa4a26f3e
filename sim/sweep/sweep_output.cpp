#include "sim/sweep/sweep_output.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/core/diagnostics.h"
#include "sim/sweep/sweep_summary.h"

namespace moesim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".moesim-tmp";
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

// Reads the journal; returns rows and the byte length of its complete lines.
std::vector<SweepRow> parse_journal(const fs::path& path, size_t* good_bytes) {
  std::vector<SweepRow> rows;
  *good_bytes = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return rows;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;  // cut short by a kill: not a row
    try {
      SweepRow r;
      r.fields = json::parse(text.substr(start, nl - start));
      r.index = r.fields.at("index").get<uint64_t>();
      rows.push_back(std::move(r));
    } catch (const std::exception&) {
      break;  // a damaged line ends what we trust
    }
    start = nl + 1;
    *good_bytes = start;
  }
  return rows;
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
  size_t good = 0;
  auto rows = parse_journal(fs::path(dir) / "results.jsonl", &good);
  std::sort(rows.begin(), rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  return rows;
}

namespace {

SweepOutput::StoredRow stored(const SweepRow& r, const SweepManifest& m) {
  return SweepOutput::StoredRow{r.index, row_jsonl(r), row_csv(r, m.columns),
                                RowRank::of(r, m.objective)};
}

// `rows` sorted by index.
std::string write_stored(const fs::path& d, const SweepManifest& m,
                         const std::vector<SweepOutput::StoredRow>& rows) {
  std::string csv = csv_header(m.columns) + "\n", jsonl;
  std::vector<RowRank> ranks;
  ranks.reserve(rows.size());
  for (const auto& r : rows) {
    csv += r.csv + "\n";
    jsonl += r.line + "\n";
    ranks.push_back(r.rank);
  }
  const SweepSelection sel = select_rows(ranks, m.top);
  SweepSummary sum;
  sum.total = sel.total;
  sum.ok = sel.ok;
  sum.rejected = sel.rejected;
  sum.invalid = sel.invalid;
  sum.objective = m.objective;
  auto row_at = [&](size_t i) {
    SweepRow r;
    r.index = rows[i].index;
    r.fields = json::parse(rows[i].line);
    return r;
  };
  for (size_t i : sel.best) sum.best.push_back(row_at(i));
  for (size_t i : sel.pareto) sum.pareto.push_back(row_at(i));
  const std::string summary = render_sweep_summary(sum, m.parameter_columns);
  write_atomically(d / "manifest.json", m.to_json().dump(2) + "\n");
  write_atomically(d / "results.jsonl", jsonl);
  write_atomically(d / "results.csv", csv);
  write_atomically(d / "summary.md", summary);
  return summary;
}

}  // namespace

std::string write_sweep_results(const std::string& dir, const SweepManifest& m,
                                const std::vector<SweepRow>& rows) {
  std::vector<SweepOutput::StoredRow> st;
  st.reserve(rows.size());
  for (const auto& r : rows) st.push_back(stored(r, m));
  std::sort(st.begin(), st.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return write_stored(dir, m, st);
}

SweepOutput::SweepOutput(std::string dir, const SweepManifest& m)
    : dir_(std::move(dir)), manifest_(m) {
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
  const fs::path jp = d / "results.jsonl";
  size_t good = 0;
  for (const auto& r : parse_journal(jp, &good)) {
    if (done_.insert(r.index).second) rows_.push_back(stored(r, manifest_));
  }
  if (fs::exists(jp) && fs::file_size(jp) != good) fs::resize_file(jp, good);  // drop a cut line
  journal_ = std::fopen(jp.string().c_str(), "ab");
  if (!journal_) throw std::runtime_error("cannot append to " + jp.string());
  buffer_.resize(64 * 1024);
  std::setvbuf(journal_, buffer_.data(), _IOFBF, buffer_.size());
}

SweepOutput::~SweepOutput() {
  if (journal_) std::fclose(journal_);
}

void SweepOutput::append(const SweepRow& r) {
  StoredRow st = stored(r, manifest_);
  std::lock_guard<std::mutex> lock(mu_);
  if (done_.count(r.index)) return;  // never write a row twice
  std::fwrite(st.line.data(), 1, st.line.size(), journal_);
  std::fputc('\n', journal_);
  done_.insert(r.index);
  rows_.push_back(std::move(st));
}

std::string SweepOutput::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  std::fflush(journal_);
  std::sort(rows_.begin(), rows_.end(),
            [](const StoredRow& a, const StoredRow& b) { return a.index < b.index; });
  return write_stored(dir_, manifest_, rows_);
}

}  // namespace moesim
