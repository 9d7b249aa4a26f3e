#pragma once
// Runs scenarios off the GUI thread. A request is the scenario's JSON text (as
// the editor holds it), parsed and estimated by the sim library exactly as
// `moesim run` does, then executed as a step timeline (`moesim run --trace`).
// Results arrive as a queued signal carrying an immutable RunResult; the GUI
// thread never waits for a run.
//
// Ownership: RunController owns its thread and worker; destroying it cancels
// pending runs and joins the thread. Cancel abandons every run started so far:
// a run that is between steps stops there and reports `cancelled`.

#include <QObject>
#include <QThread>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/step_timeline.h"
#include "sim/scenario/scenario.h"
#include "sim/step/des_step.h"

namespace moesim::gui {

// A value a sweep point changes from the scenario swept.
struct ChangedValue {
  std::string pointer;  // from the scenario's root
  nlohmann::json before, after;  // null: absent (the library's default)
};

// Where a run of a sweep point came from: the results then describe that
// point, not the scenario in the editor, and say so.
struct SweepPointSource {
  uint64_t index = 0;
  std::string base_file;              // the scenario swept
  std::vector<ChangedValue> changes;  // every value that differs from it
};

struct RunRequest {
  QString label;         // shown with the results: a file name, "sweep point 12", ...
  std::string text;      // the scenario JSON
  std::string file;      // names it in diagnostics
  std::string base_dir;  // resolves its part references
  bool des = false;      // des fidelity (sim/step/des_step.h) instead of analytic
  std::optional<SweepPointSource> sweep_point;  // a sweep point's run
};

struct RunResult {
  quint64 id = 0;
  RunRequest request;
  bool ok = false;
  Diagnostics diagnostics;  // when the scenario is invalid
  std::string error;        // when something else failed (a bug or I/O)
  Scenario scenario;
  Estimate estimate;
  StepTimeline timeline;
  // des runs: the simulated step, its compute, communication, pipeline-send
  // and DP tracks (what `moesim run --fidelity des --trace` writes).
  std::shared_ptr<const DesStep> des_step;
  double elapsed_s = 0;
};
using RunResultPtr = std::shared_ptr<const RunResult>;

// Lives on the controller's thread; use through RunController.
class RunWorker : public QObject {
  Q_OBJECT
 public:
  explicit RunWorker(const std::atomic<quint64>* cancelled_through)
      : cancelled_through_(cancelled_through) {}
  void run(quint64 id, const RunRequest& request);

 signals:
  void progress(quint64 id, int done, int total, const QString& step);
  void finished(moesim::gui::RunResultPtr result);
  void cancelled(quint64 id);

 private:
  const std::atomic<quint64>* cancelled_through_;
};

class RunController : public QObject {
  Q_OBJECT
 public:
  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;

  // Queues a run and returns its id (increasing from 1).
  quint64 start(const RunRequest& request);
  void cancel();
  bool busy() const { return pending_ > 0; }

 signals:
  void progress(quint64 id, int done, int total, const QString& step);
  void finished(moesim::gui::RunResultPtr result);
  void cancelled(quint64 id);

 private:
  QThread thread_;
  RunWorker* worker_;
  std::atomic<quint64> cancelled_through_{0};
  quint64 next_id_ = 0;
  int pending_ = 0;
};

}  // namespace moesim::gui

Q_DECLARE_METATYPE(moesim::gui::RunResultPtr)
