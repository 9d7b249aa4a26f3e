#include "gui/run_controller.h"

#include <chrono>

#include "sim/scenario/scenario_json.h"

namespace moesim::gui {

void RunWorker::run(quint64 id, const RunRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  auto result = std::make_shared<RunResult>();
  result->id = id;
  result->request = request;
  const auto stopped = [&] {
    if (id > cancelled_through_->load()) return false;
    emit cancelled(id);
    return true;
  };
  if (stopped()) return;
  try {
    emit progress(id, 0, 3, "checking the scenario");
    result->scenario = parse_scenario_text(request.text, request.file, request.base_dir);
    if (stopped()) return;
    emit progress(id, 1, 3, request.des ? "simulating the step (des)" : "estimating");
    result->estimate = estimate(result->scenario);
    if (request.des) {  // as `moesim run --fidelity des --trace`: one simulation for both
      auto step = std::make_shared<DesStep>(simulate_step(result->scenario, result->estimate));
      result->estimate = des_estimate(result->scenario, std::move(result->estimate), *step);
      result->des_step = std::move(step);
    }
    if (stopped()) return;
    emit progress(id, 2, 3, "executing the pipeline schedule");
    result->timeline = step_timeline(result->scenario, result->estimate);
    if (stopped()) return;
    result->ok = true;
  } catch (const InputError& e) {
    result->diagnostics = e.diagnostics();
  } catch (const std::exception& e) {
    result->error = e.what();
  }
  result->elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  emit progress(id, 3, 3, result->ok ? "done" : "failed");
  emit finished(result);
}

RunController::RunController(QObject* parent)
    : QObject(parent), worker_(new RunWorker(&cancelled_through_)) {
  qRegisterMetaType<moesim::gui::RunResultPtr>();
  worker_->moveToThread(&thread_);
  // Worker -> controller crosses threads: queued connections.
  connect(worker_, &RunWorker::progress, this, &RunController::progress);
  connect(worker_, &RunWorker::finished, this, [this](RunResultPtr r) {
    --pending_;
    emit finished(r);
  });
  connect(worker_, &RunWorker::cancelled, this, [this](quint64 id) {
    --pending_;
    emit cancelled(id);
  });
  thread_.setObjectName("moesim-run");
  thread_.start();
}

RunController::~RunController() {
  cancel();
  thread_.quit();
  thread_.wait();
  delete worker_;
}

quint64 RunController::start(const RunRequest& request) {
  const quint64 id = ++next_id_;
  ++pending_;
  QMetaObject::invokeMethod(
      worker_, [w = worker_, id, request] { w->run(id, request); }, Qt::QueuedConnection);
  return id;
}

void RunController::cancel() { cancelled_through_.store(next_id_); }

}  // namespace moesim::gui
