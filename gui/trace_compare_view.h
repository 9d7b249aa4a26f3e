#pragma once
// The measured-vs-simulated tab: a PyTorch profiler trace of one DualPipe
// F&B chunk pair (as DeepSeek published for V3, or one from the user's own
// cluster) imported beside the scenario's simulated pair, as `moesim
// compare-trace` sets them: both timelines on one time axis (measured kernels
// per CUDA stream above the simulated tasks per engine stream, coloured by
// the stage that ran them), and per stage the measured and simulated time
// per layer with the error. The comparison runs on a worker thread (a des
// step: about a second for the headline).
//
// Ownership: the view owns its worker thread and joins it when destroyed (a
// comparison cannot be interrupted: closing during one waits for it, a des
// step's time, as RunController waits for a des run).

#include <QString>
#include <QWidget>
#include <memory>
#include <string>
#include <thread>

#include "sim/trace/trace_compare.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace moesim::gui {

class ScenarioDocument;

using TraceComparisonPtr = std::shared_ptr<const TraceComparisonRun>;

// Draws a ComparisonTimeline fitted to its width, hover for a block.
class ComparisonTracks : public QWidget {
  Q_OBJECT
 public:
  explicit ComparisonTracks(QWidget* parent = nullptr);
  void set_timeline(const ComparisonTimeline* t);  // nullptr: none; not owned
  QSize sizeHint() const override;
  // The colour of a stage ("attn(F)", ...), grey for none.
  static QColor stage_color(const std::string& stage);

 protected:
  void paintEvent(QPaintEvent* e) override;
  bool event(QEvent* e) override;

 private:
  struct Row {
    const TimelineTrack* track;
    int y;
  };
  double end_us() const;
  QString tooltip_at(const QPoint& p) const;
  const ComparisonTimeline* timeline_ = nullptr;
  std::vector<Row> rows_;
};

class TraceCompareView : public QWidget {
  Q_OBJECT
 public:
  explicit TraceCompareView(ScenarioDocument* doc, QWidget* parent = nullptr);
  ~TraceCompareView() override;

  // Imports `path` and compares it with the scenario being edited, in the
  // background; comparison_shown() follows. False when a comparison runs or
  // the scenario has errors (message() says which).
  bool compare(const QString& path);
  // Asks for a trace file and compares it (the Import button).
  void import_dialog();
  // A kernel map whose rules go before the shipped ones (`moesim
  // compare-trace --map`): a framework's own kernel names; "" for none.
  // Used from the next comparison on.
  void set_kernel_map(const QString& path);
  QString kernel_map() const { return map_path_; }
  QString trace_path() const { return trace_path_; }
  TraceComparisonPtr comparison() const { return comparison_; }
  QString message() const;
  QTableWidget* table() const { return table_; }
  ComparisonTracks* tracks() const { return tracks_; }

 signals:
  void comparison_shown(bool ok);

 private:
  void show_comparison(TraceComparisonPtr c, const QString& error);

  ScenarioDocument* doc_;
  QString trace_path_;
  QString map_path_;
  TraceComparisonPtr comparison_;
  QLabel* file_;
  QLabel* message_;
  QPushButton* import_;
  QPushButton* again_;
  QPushButton* map_;
  ComparisonTracks* tracks_;
  QTableWidget* table_;
  std::thread worker_;
  bool busy_ = false;
};

}  // namespace moesim::gui

Q_DECLARE_METATYPE(moesim::gui::TraceComparisonPtr)
