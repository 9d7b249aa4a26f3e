#include "gui/compare_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <cmath>

#include "gui/format.h"

namespace moesim::gui {

namespace {

QString plain(double v) { return QString::number(v, 'g', 10); }
QString secs(double v) { return format_seconds(v); }
QString gibs(double v) { return format_gib(v); }

}  // namespace

CompareModel::CompareModel(QObject* parent) : QAbstractTableModel(parent) {
  using R = const RunResult&;
  auto text = [](const std::string& s) { return QVariant(QString::fromStdString(s)); };
  auto num = [](double v) { return QVariant(v); };
  figures_ = {
      {"Model", [=](R r) { return text(r.scenario.model.name); }, {}},
      {"GPU", [=](R r) { return text(r.scenario.cluster.gpu.name); }, {}},
      {"GPUs", [=](R r) { return num(r.estimate.num_gpus); }, plain},
      {"InfiniBand GB/s", [=](R r) { return num(gb_per_s(r.scenario.cluster.ib_achievable)); },
       plain},
      {"NVLink GB/s", [=](R r) { return num(gb_per_s(r.scenario.cluster.nvlink_achievable)); },
       plain},
      {"PP", [=](R r) { return num(r.scenario.plan.pp); }, plain},
      {"EP", [=](R r) { return num(r.scenario.plan.ep); }, plain},
      {"DP", [=](R r) { return num(r.scenario.plan.dp); }, plain},
      {"TP", [=](R r) { return num(r.scenario.plan.tp); }, plain},
      {"ZeRO stage", [=](R r) { return num(r.scenario.plan.zero_stage); }, plain},
      {"Schedule", [=](R r) { return text(to_string(r.scenario.plan.schedule)); }, {}},
      {"Micro-batch size", [=](R r) { return num(r.scenario.plan.micro_batch_size); }, plain},
      {"Micro-batches per step",
       [=](R r) {
         return r.estimate.phases.empty() ? QVariant() : num(r.estimate.phases[0].micro_batches);
       },
       plain},
      {"Comm SMs", [=](R r) { return num(r.scenario.plan.comm_sms); }, plain},
      {"Precision", [=](R r) { return text(to_string(r.scenario.precision.kind)); }, {}},
      {"FP8 dispatch",
       [=](R r) { return text(r.scenario.precision.dispatches_fp8() ? "yes" : "no"); },
       {}},
      {"Step time", [=](R r) { return num(seconds(r.estimate.step_time)); }, secs},
      {"Tokens/s", [=](R r) { return num(r.estimate.tokens_per_s); }, format_count},
      {"MFU", [=](R r) { return num(r.estimate.mfu); }, format_percent},
      {"Memory per GPU", [=](R r) { return num(bytes(r.estimate.memory_per_gpu)); }, gibs},
      {"Fits in HBM", [=](R r) { return text(r.estimate.fits ? "yes" : "no"); }, {}},
      {"Compute", [=](R r) { return num(seconds(r.estimate.breakdown.compute)); }, secs},
      {"Exposed comm", [=](R r) { return num(seconds(r.estimate.breakdown.exposed_comm)); }, secs},
      {"Bubble", [=](R r) { return num(seconds(r.estimate.breakdown.bubble)); }, secs},
      {"DP sync", [=](R r) { return num(seconds(r.estimate.breakdown.dp_sync)); }, secs},
      {"Optimizer", [=](R r) { return num(seconds(r.estimate.breakdown.optimizer)); }, secs},
      {"Wall time", [=](R r) { return num(seconds(r.estimate.wall_time)); },
       [](double v) { return QString("%1 days").arg(v / 86400.0, 0, 'f', 1); }},
      {"GPU-hours", [=](R r) { return num(r.estimate.gpu_hours); }, format_si},
      {"Cost", [=](R r) { return num(r.estimate.cost_usd); }, format_usd},
  };
  update_rows();
}

void CompareModel::set_results(std::vector<RunResultPtr> results) {
  beginResetModel();
  results_ = std::move(results);
  update_rows();
  endResetModel();
}

void CompareModel::set_only_differences(bool on) {
  beginResetModel();
  only_differences_ = on;
  update_rows();
  endResetModel();
}

void CompareModel::update_rows() {
  rows_.clear();
  for (int f = 0; f < static_cast<int>(figures_.size()); ++f) {
    bool any = false;
    for (int c = 1; c < static_cast<int>(results_.size()); ++c) {
      const QVariant a = value(f, 0), b = value(f, c);
      any = any || (a.isValid() && b.isValid() && a != b);
    }
    if (!only_differences_ || any) rows_.push_back(f);
  }
}

QVariant CompareModel::value(int figure, int column) const {
  const RunResultPtr& r = results_[static_cast<size_t>(column)];
  if (!r || !r->ok) return {};
  return figures_[static_cast<size_t>(figure)].value(*r);
}

bool CompareModel::differs(int row, int column) const {
  if (column <= 0 || row < 0 || row >= static_cast<int>(rows_.size())) return false;
  const QVariant a = value(rows_[static_cast<size_t>(row)], 0);
  const QVariant b = value(rows_[static_cast<size_t>(row)], column);
  return a.isValid() && b.isValid() && a != b;
}

QString CompareModel::figure_name(int row) const {
  return figures_[static_cast<size_t>(rows_[static_cast<size_t>(row)])].name;
}

QStringList CompareModel::labels() const {
  QStringList out;
  for (const RunResultPtr& r : results_) out << (r ? r->request.label : QString("(running)"));
  return out;
}

QStringList short_labels(const QStringList& labels) {
  if (labels.size() < 2) return labels;
  // The common prefix, cut back to just after a separator.
  int n = static_cast<int>(labels.front().size());
  for (const QString& l : labels) {
    int k = 0;
    while (k < n && k < l.size() && l[k] == labels.front()[k]) ++k;
    n = k;
  }
  while (n > 0 && QString("-_ ./").indexOf(labels.front()[n - 1]) < 0) --n;
  QStringList out;
  for (const QString& l : labels) out << (l.size() > n ? l.mid(n) : l);
  return out;
}

int CompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int CompareModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(results_.size());
}

QVariant CompareModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (o == Qt::Vertical)
    return section < static_cast<int>(rows_.size()) ? figure_name(section) : QVariant();
  if (section >= static_cast<int>(results_.size())) return {};
  return short_labels(labels())[section];
}

QVariant CompareModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const int fig = rows_[static_cast<size_t>(index.row())];
  const Figure& f = figures_[static_cast<size_t>(fig)];
  const QVariant v = value(fig, index.column());
  const bool diff = differs(index.row(), index.column());
  switch (role) {
    case Qt::UserRole:
      return v;
    case Qt::BackgroundRole:
      return diff ? QBrush(QColor("#ffe9a8")) : QVariant();
    case Qt::FontRole: {
      if (!diff) return {};
      QFont bold;
      bold.setBold(true);
      return bold;
    }
    case Qt::TextAlignmentRole:
      return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::DisplayRole: {
      const RunResultPtr& r = results_[static_cast<size_t>(index.column())];
      if (!r) return QString("running...");
      if (!r->ok) return QString("invalid scenario");
      if (!v.isValid()) return QString();
      if (v.typeId() != QMetaType::Double) return v.toString();
      QString s = f.format(v.toDouble());
      const QVariant base = value(fig, 0);
      if (diff && base.typeId() == QMetaType::Double && base.toDouble() != 0)
        s += QString(" (%1%2%)")
                 .arg(v.toDouble() >= base.toDouble() ? "+" : "")
                 .arg(100.0 * (v.toDouble() / base.toDouble() - 1), 0, 'f', 1);
      return s;
    }
    default:
      return {};
  }
}

}  // namespace moesim::gui
