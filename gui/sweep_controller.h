#pragma once
// What-if sweeps off the GUI thread: the sim library's sweep runner
// (run_sweep_points, the engine of `moesim sweep`) over a SweepSpec built in
// memory from the scenario being edited. Progress and the finished rows arrive
// as queued signals; cancel() lets the runner's threads finish the point each
// holds and returns the rows done so far (marked interrupted).
//
// Ownership: SweepController owns its thread and worker; destroying it stops
// a running sweep and joins the thread.

#include <QObject>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

#include "gui/run_controller.h"
#include "gui/scenario_document.h"
#include "sim/sweep/sweep_row.h"
#include "sim/sweep/sweep_spec.h"

namespace moesim::gui {

using SweepSpecPtr = std::shared_ptr<const SweepSpec>;

// A sweep over `base` (a scenario with every part inlined, as
// ScenarioDocument::inlined() gives it) read as if from `file` in `base_dir`.
// Grid of the parameters, first varying slowest; no constraints, so points that
// do not fit are kept with their figures (fits = false).
SweepSpecPtr make_sweep_spec(const OrderedJson& base, const std::string& file,
                             const std::string& base_dir, std::vector<SweepParameter> parameters,
                             bool derive_dp);

// The scenario JSON of one point of the sweep (for opening it as a run).
std::string point_text(const SweepSpec& spec, uint64_t index);
// Every value point `index` changes from the sweep's base: its parameters and
// what they derive (dp under derive_dp), in the order of an RFC 6902 diff.
std::vector<ChangedValue> point_changes(const SweepSpec& spec, uint64_t index);

struct SweepOutcome {
  SweepSpecPtr spec;
  std::vector<SweepRow> rows;  // sorted by index
  bool interrupted = false;
  double elapsed_s = 0;
};
using SweepOutcomePtr = std::shared_ptr<const SweepOutcome>;

class SweepWorker : public QObject {
  Q_OBJECT
 public:
  explicit SweepWorker(const std::atomic<bool>* stop) : stop_(stop) {}
  void run(SweepSpecPtr spec, int jobs);

 signals:
  void progress(quint64 done, quint64 total);
  void finished(moesim::gui::SweepOutcomePtr outcome);

 private:
  const std::atomic<bool>* stop_;
};

class SweepController : public QObject {
  Q_OBJECT
 public:
  explicit SweepController(QObject* parent = nullptr);
  ~SweepController() override;

  // REQUIRES: !busy().
  void start(SweepSpecPtr spec, int jobs);
  void cancel() { stop_.store(true); }
  bool busy() const { return busy_; }

 signals:
  void progress(quint64 done, quint64 total);
  void finished(moesim::gui::SweepOutcomePtr outcome);

 private:
  QThread thread_;
  SweepWorker* worker_;
  std::atomic<bool> stop_{false};
  bool busy_ = false;
};

}  // namespace moesim::gui

Q_DECLARE_METATYPE(moesim::gui::SweepOutcomePtr)
