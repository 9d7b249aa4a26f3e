#pragma once
// Scenarios side by side as a Qt item model: one row per figure (inputs such as
// GPU, plan and precision, then results such as step time, memory, GPU-hours
// and cost), one column per scenario. A cell that differs from the first
// scenario's is highlighted, with the relative change for numbers.
// Qt::UserRole gives the raw value; differs(row, column) says whether it differs.

#include <QAbstractTableModel>
#include <functional>
#include <vector>

#include "gui/run_controller.h"

namespace moesim::gui {

class CompareModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  explicit CompareModel(QObject* parent = nullptr);

  // Null entries are scenarios still running.
  void set_results(std::vector<RunResultPtr> results);
  void set_only_differences(bool on);

  bool differs(int row, int column) const;
  // The scenarios' labels in column order.
  QStringList labels() const;
  QString figure_name(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  struct Figure {
    QString name;
    std::function<QVariant(const RunResult&)> value;  // a double or a QString
    std::function<QString(double)> format;            // for doubles
  };

 private:
  QVariant value(int figure, int column) const;
  void update_rows();

  std::vector<Figure> figures_;
  std::vector<RunResultPtr> results_;
  std::vector<int> rows_;  // shown figures
  bool only_differences_ = false;
};

// Labels without the prefix they all share ("deepseek-v3-pretrain-2048xH800",
// "deepseek-v3-pretrain-2048xH800-1f1b" -> "2048xH800", "2048xH800-1f1b").
QStringList short_labels(const QStringList& labels);

}  // namespace moesim::gui
