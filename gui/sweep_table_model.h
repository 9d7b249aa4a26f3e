#pragma once
// The rows of a sweep as a Qt item model: the point's index, status, parameter
// values, its headline figures and, for points the plan checks reject, the
// reason. Qt::DisplayRole gives formatted text, Qt::UserRole the raw value
// (for sorting), and row_index() the sweep point a table row shows.

#include <QAbstractTableModel>
#include <string>
#include <vector>

#include "gui/sweep_controller.h"

namespace moesim::gui {

class SweepTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;

  void set_outcome(SweepOutcomePtr o);
  SweepOutcomePtr outcome() const { return outcome_; }
  // The sweep row at table row `row` (rows are in point order).
  const SweepRow& row(int row) const { return outcome_->rows[static_cast<size_t>(row)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  SweepOutcomePtr outcome_;
  std::vector<std::string> columns_;  // keys of SweepRow::fields
  std::vector<QString> headers_;      // as the table heads them (parameters by their labels)
};

// A sweep row field formatted for people ("step_time_s" 12.3 -> "12.30 s").
QString format_sweep_field(const std::string& column, const nlohmann::json& v);

}  // namespace moesim::gui
