#include "gui/rank_table_model.h"

#include <QBrush>
#include <QColor>
#include <QStringList>

#include "gui/format.h"

namespace moesim::gui {

void RankTableModel::set_result(RunResultPtr r) {
  beginResetModel();
  result_ = r && r->ok ? std::move(r) : nullptr;
  busy_max_ = bubble_max_ = Seconds();
  if (result_)
    for (const RankRun& x : result_->timeline.run.per_rank) {
      busy_max_ = max(busy_max_, x.busy);
      bubble_max_ = max(bubble_max_, x.bubble);
    }
  endResetModel();
}

int RankTableModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || !result_) return 0;
  return static_cast<int>(result_->estimate.ranks.size());
}

int RankTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant RankTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || o != Qt::Horizontal) return {};
  static const char* const names[kColumnCount] = {
      "Rank",      "Stages",      "Params", "Weights", "Gradients",
      "Optimizer", "Activations", "Memory", "Busy",    "Idle (bubble)"};
  return section >= 0 && section < kColumnCount ? QString(names[section]) : QVariant();
}

QVariant RankTableModel::data(const QModelIndex& index, int role) const {
  if (!result_ || !index.isValid()) return {};
  const RankReport& r = result_->estimate.ranks[static_cast<size_t>(index.row())];
  const auto& runs = result_->timeline.run.per_rank;
  const RankRun* run =
      static_cast<size_t>(r.rank) < runs.size() ? &runs[static_cast<size_t>(r.rank)] : nullptr;
  const bool over = bytes(r.memory.total()) > bytes(result_->estimate.hbm_capacity);
  if (role == Qt::ForegroundRole && index.column() == kTotal && over)
    return QBrush(QColor("#b00020"));
  if (role == Qt::TextAlignmentRole)
    return index.column() == kStages ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                     : int(Qt::AlignRight | Qt::AlignVCenter);
  const bool raw = role == Qt::UserRole;
  if (role != Qt::DisplayRole && !raw) return {};
  auto mem = [&](Bytes b) -> QVariant { return raw ? QVariant(bytes(b)) : format_gib(bytes(b)); };
  // A time column reads in one unit: that of its largest value.
  auto secs = [&](Seconds s, Seconds largest) -> QVariant {
    return raw ? QVariant(seconds(s)) : format_seconds_like(seconds(s), seconds(largest));
  };
  switch (index.column()) {
    case kRank:
      return r.rank;
    case kStages: {
      QStringList s;
      for (int st : r.stages) s << QString::number(st);
      return raw ? QVariant(r.stages.empty() ? -1 : r.stages.front()) : QVariant(s.join(", "));
    }
    case kParams:
      return raw ? QVariant(r.params) : format_count(r.params);
    case kWeights:
      return mem(r.memory.weights);
    case kGradients:
      return mem(r.memory.gradients);
    case kOptimizer:
      return mem(r.memory.optimizer);
    case kActivations:
      return mem(r.memory.activations);
    case kTotal:
      return mem(r.memory.total());
    case kBusy:
      return run ? secs(run->busy, busy_max_) : QVariant();
    case kBubble:
      return run ? secs(run->bubble, bubble_max_) : QVariant();
    default:
      return {};
  }
}

}  // namespace moesim::gui
