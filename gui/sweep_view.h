#pragma once
// The what-if sweep tab: one or two parameters of the scenario being edited
// (IB bandwidth, EP, micro-batch size, schedule, nodes... or any JSON pointer)
// with their values, run in the background on all cores with progress and
// cancel, then plotted (step time, cost, GPU-hours, MFU, ... against the first
// parameter, one line per value of the second) and listed. Clicking a point or
// double-clicking a row asks the window to open that point's results.

#include <QPointF>
#include <QWidget>
#include <map>
#include <vector>

#include "gui/run_controller.h"
#include "gui/scenario_document.h"
#include "gui/sweep_controller.h"

class QCheckBox;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QSpinBox;
class QTableView;

namespace moesim::gui {

class SweepTableModel;

class SweepView : public QWidget {
  Q_OBJECT
 public:
  explicit SweepView(ScenarioDocument* doc, QWidget* parent = nullptr);

  // `which` 0 or 1; `pointer` a JSON pointer ("/plan/ep"); `values` comma-separated.
  void set_parameter(int which, const QString& pointer, const QString& values);
  void set_second_enabled(bool on);
  // A sweep row column: "step_time_s", "cost_usd", "gpu_hours", "mfu", ...
  void set_metric(const QString& column);
  // Starts the sweep; false (with message()) when the inputs cannot make one.
  bool start();
  void cancel();
  // Asks the window to open the point shown in table row `row`.
  void open_row(int row);

  SweepController* controller() const { return controller_; }
  SweepTableModel* model() const { return model_; }
  QChartView* chart() const { return chart_; }
  QString message() const;

 signals:
  void open_point(const moesim::gui::RunRequest& request);

 private:
  struct ParameterRow {
    QCheckBox* enabled = nullptr;
    QComboBox* pointer = nullptr;
    QLineEdit* values = nullptr;
  };
  ParameterRow make_parameter_row(int which);
  std::string pointer_of(const ParameterRow& r) const;
  void finished(SweepOutcomePtr o);
  void plot();

  ScenarioDocument* doc_;
  SweepController* controller_;
  SweepTableModel* model_;
  ParameterRow rows_[2];
  QCheckBox* derive_dp_;
  QSpinBox* jobs_;
  QComboBox* metric_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* message_;
  QChartView* chart_;
  QTableView* table_;
  // Plotted points of each clickable series -> sweep row.
  std::map<QScatterSeries*, std::vector<std::pair<QPointF, int>>> points_;
};

}  // namespace moesim::gui
