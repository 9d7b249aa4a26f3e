#pragma once
// The per-rank table of a run as a Qt item model: one row per pipeline rank
// with the stages it holds, its parameters, memory by kind (the estimate's
// RankMemory) and its busy and idle time in the executed step timeline.
// Qt::DisplayRole gives formatted text, Qt::UserRole the raw number for sorting.

#include <QAbstractTableModel>

#include "gui/run_controller.h"

namespace moesim::gui {

class RankTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kRank,
    kStages,
    kParams,
    kWeights,
    kGradients,
    kOptimizer,
    kActivations,
    kTotal,
    kBusy,
    kBubble,
    kColumnCount
  };
  using QAbstractTableModel::QAbstractTableModel;

  void set_result(RunResultPtr r);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  RunResultPtr result_;
  // The largest busy and idle time over the ranks: each column reads in its unit.
  Seconds busy_max_, bubble_max_;
};

}  // namespace moesim::gui
