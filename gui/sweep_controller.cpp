#include "gui/sweep_controller.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "sim/sweep/sweep_points.h"
#include "sim/sweep/sweep_runner.h"

namespace moesim::gui {

SweepSpecPtr make_sweep_spec(const OrderedJson& base, const std::string& file,
                             const std::string& base_dir, std::vector<SweepParameter> parameters,
                             bool derive_dp) {
  auto spec = std::make_shared<SweepSpec>();
  spec->file = "<what-if sweep>";
  spec->base_path = file;
  spec->base_dir = base_dir;
  spec->base = nlohmann::json::parse(base.dump());
  spec->parameters = std::move(parameters);
  spec->derive_dp = derive_dp;
  return spec;
}

std::string point_text(const SweepSpec& spec, uint64_t index) {
  return point_scenario(spec, point_values(spec, index)).dump(2) + "\n";
}

namespace {

// The path a change is reported at: the diff's, except that an item added
// to or removed from an array ("/a/-", "/a/3") is reported as the whole
// array before and after, which is what a person reads and what applies
// (a replaced item keeps its own path: "/training/phases/0/global_batch").
std::string change_path(const nlohmann::json& base, const nlohmann::json& point,
                        const nlohmann::json& op) {
  const std::string path = op.at("path").get<std::string>();
  if (op.at("op") == "replace") return path;
  const std::string parent = path.substr(0, path.rfind('/'));
  const nlohmann::json::json_pointer at(parent);
  const bool array = (base.contains(at) && base.at(at).is_array()) ||
                     (point.contains(at) && point.at(at).is_array());
  return array ? parent : path;
}

}  // namespace

std::vector<ChangedValue> point_changes(const SweepSpec& spec, uint64_t index) {
  const nlohmann::json point = point_scenario(spec, point_values(spec, index));
  std::vector<ChangedValue> out;
  for (const nlohmann::json& op : nlohmann::json::diff(spec.base, point)) {
    const std::string path = change_path(spec.base, point, op);
    const auto covers = [&](const std::string& outer) {  // outer is path or holds it
      return outer == path || path.rfind(outer + "/", 0) == 0;
    };
    if (std::any_of(out.begin(), out.end(), [&](const ChangedValue& c) { return covers(c.pointer); }))
      continue;  // one row per array
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const ChangedValue& c) { return c.pointer.rfind(path + "/", 0) == 0; }),
              out.end());
    const nlohmann::json::json_pointer at(path);
    ChangedValue c{path, nlohmann::json(), nlohmann::json()};
    if (spec.base.contains(at)) c.before = spec.base.at(at);
    if (point.contains(at)) c.after = point.at(at);
    out.push_back(std::move(c));
  }
  return out;
}

void SweepWorker::run(SweepSpecPtr spec, int jobs) {
  const auto t0 = std::chrono::steady_clock::now();
  auto outcome = std::make_shared<SweepOutcome>();
  outcome->spec = spec;
  std::mutex mu;
  SweepRunOptions options;
  options.jobs = jobs;
  options.stop = stop_;
  // Called on one of the runner's threads: the signal is queued to the GUI.
  options.progress = [this](const SweepProgress& p) { emit progress(p.done, p.total); };
  const std::vector<uint64_t> indices = sweep_indices(*spec);
  emit progress(0, indices.size());
  const SweepRunResult r = run_sweep_points(*spec, indices, options, [&](const SweepRow& row) {
    std::lock_guard<std::mutex> lock(mu);
    outcome->rows.push_back(row);
  });
  std::sort(outcome->rows.begin(), outcome->rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  outcome->interrupted = r.interrupted;
  outcome->elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  emit finished(outcome);
}

SweepController::SweepController(QObject* parent)
    : QObject(parent), worker_(new SweepWorker(&stop_)) {
  qRegisterMetaType<moesim::gui::SweepOutcomePtr>();
  worker_->moveToThread(&thread_);
  connect(worker_, &SweepWorker::progress, this, &SweepController::progress);
  connect(worker_, &SweepWorker::finished, this, [this](SweepOutcomePtr o) {
    busy_ = false;
    emit finished(o);
  });
  thread_.setObjectName("moesim-sweep");
  thread_.start();
}

SweepController::~SweepController() {
  stop_.store(true);
  thread_.quit();
  thread_.wait();
  delete worker_;
}

void SweepController::start(SweepSpecPtr spec, int jobs) {
  busy_ = true;
  stop_.store(false);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, spec, jobs] { w->run(spec, jobs); }, Qt::QueuedConnection);
}

}  // namespace moesim::gui
