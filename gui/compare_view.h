#pragma once
// The compare tab: two or more scenarios (the one being edited, shipped ones,
// files) run in the background and shown side by side, figures that differ from
// the first scenario highlighted, with their step-time breakdowns as bars.

#include <QWidget>
#include <vector>

#include "gui/run_controller.h"

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QTableView;

namespace moesim::gui {

class CompareModel;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  // `scenario_dir`: the shipped scenarios offered for adding.
  explicit CompareView(const QString& scenario_dir, QWidget* parent = nullptr);

  // Adds a scenario and runs it; its column fills in when the run finishes.
  void add(const RunRequest& request);
  bool add_file(const QString& path);
  void remove(int i);
  void clear();
  int count() const { return static_cast<int>(entries_.size()); }
  bool busy() const;

  CompareModel* model() const { return model_; }
  QChartView* chart() const { return chart_; }

 signals:
  // The user asked to add the scenario being edited (the window supplies it).
  void add_current_requested();
  void updated();

 private:
  struct Entry {
    quint64 id = 0;
    RunRequest request;
    RunResultPtr result;
  };
  void arrived(RunResultPtr r);
  void refresh();

  RunController* runner_;
  CompareModel* model_;
  std::vector<Entry> entries_;
  QListWidget* list_;
  QComboBox* shipped_;
  QCheckBox* only_diff_;
  QTableView* table_;
  QChartView* chart_;
  QLabel* message_;
};

}  // namespace moesim::gui
