#pragma once
// The results of one run: headline figures (step time, tokens/s, MFU, memory
// per GPU and whether it fits, GPU-hours, cost), where a step's time goes
// (compute, exposed communication, pipeline bubble, DP sync, optimizer), memory
// per pipeline rank stacked by kind against the GPU's HBM, and the per-rank
// table. Everything shown is a field of the library's Estimate or StepTimeline.

#include <QWidget>
#include <map>

#include "gui/run_controller.h"

class QChartView;
class QLabel;
class QTableView;

namespace moesim::gui {

class RankTableModel;

class ResultsView : public QWidget {
  Q_OBJECT
 public:
  explicit ResultsView(QWidget* parent = nullptr);

  void set_result(RunResultPtr r);
  // Marks the results as older than the (now invalid) scenario being edited.
  void set_stale(bool stale);
  RunResultPtr result() const { return result_; }

  // For tests and exports.
  QString figure(const QString& name) const;  // "Step time", "MFU", ...
  QChartView* breakdown_chart() const { return breakdown_; }
  QChartView* memory_chart() const { return memory_; }
  RankTableModel* rank_model() const { return ranks_; }

 private:
  void add_figure(const QString& name, int row, int col);
  void show_breakdown(const Estimate& e);
  void show_memory(const Estimate& e);

  RunResultPtr result_;
  QLabel* title_;
  QLabel* notes_;
  QLabel* stale_;
  std::map<QString, QLabel*> figures_;
  QWidget* figure_box_;
  QChartView* breakdown_;
  QChartView* memory_;
  RankTableModel* ranks_;
  QTableView* table_;
};

}  // namespace moesim::gui
