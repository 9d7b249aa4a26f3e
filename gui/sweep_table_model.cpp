#include "gui/sweep_table_model.h"

#include <QBrush>
#include <QColor>

#include "gui/format.h"
#include "gui/parameter_labels.h"
#include "sim/sweep/sweep_row.h"

namespace moesim::gui {

namespace {

const char* header_of(const std::string& c) {
  static const std::pair<const char*, const char*> names[] = {
      {"index", "#"},
      {"status", "Status"},
      {"step_time_s", "Step time"},
      {"tokens_per_s", "Tokens/s"},
      {"mfu", "MFU"},
      {"memory_per_gpu_bytes", "Memory/GPU"},
      {"fits", "Fits"},
      {"gpu_hours", "GPU-hours"},
      {"cost_usd", "Cost"},
      {"reason", "Reason"}};
  for (const auto& [key, name] : names)
    if (c == key) return name;
  return nullptr;
}

}  // namespace

QString format_sweep_field(const std::string& column, const nlohmann::json& v) {
  if (v.is_null()) return {};
  if (v.is_number()) {
    const double x = v.get<double>();
    if (column == "step_time_s" || column == "wall_time_s") return format_seconds(x);
    if (column == "tokens_per_s") return format_count(x);
    if (column == "mfu") return format_percent(x);
    if (column == "memory_per_gpu_bytes") return format_gib(x);
    if (column == "gpu_hours") return format_si(x);
    if (column == "cost_usd") return format_usd(x);
    if (v.is_number_integer()) return QString::number(v.get<long long>());
    return QString::number(x, 'g', 8);
  }
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  return QString::fromStdString(v.dump());
}

void SweepTableModel::set_outcome(SweepOutcomePtr o) {
  beginResetModel();
  outcome_ = std::move(o);
  columns_.clear();
  headers_.clear();
  if (outcome_) {
    columns_ = {"index", "status"};
    for (const auto& p : outcome_->spec->parameters) columns_.push_back(parameter_column(p.path));
    for (const char* c : {"step_time_s", "tokens_per_s", "mfu", "memory_per_gpu_bytes", "fits",
                          "gpu_hours", "cost_usd", "reason"})
      columns_.push_back(c);
    for (const std::string& c : columns_) {
      const char* name = header_of(c);
      headers_.push_back(name ? QString(name) : QString::fromStdString(c));
    }
    for (size_t i = 0; i < outcome_->spec->parameters.size(); ++i)
      headers_[2 + i] = parameter_label(outcome_->spec->parameters[i].path);
  }
  endResetModel();
}

int SweepTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !outcome_ ? 0 : static_cast<int>(outcome_->rows.size());
}

int SweepTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(columns_.size());
}

QVariant SweepTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || o != Qt::Horizontal || section < 0 ||
      section >= static_cast<int>(columns_.size()))
    return {};
  return headers_[static_cast<size_t>(section)];
}

QVariant SweepTableModel::data(const QModelIndex& index, int role) const {
  if (!outcome_ || !index.isValid()) return {};
  const SweepRow& r = row(index.row());
  const std::string& c = columns_[static_cast<size_t>(index.column())];
  const nlohmann::json v = r.fields.contains(c) ? r.fields.at(c) : nlohmann::json();
  switch (role) {
    case Qt::DisplayRole:
      return format_sweep_field(c, v);
    case Qt::UserRole:
      if (v.is_number()) return v.get<double>();
      return format_sweep_field(c, v);
    case Qt::ForegroundRole:
      if (!r.feasible()) return QBrush(QColor("#888888"));
      if (c == "fits" && v.is_boolean() && !v.get<bool>()) return QBrush(QColor("#b00020"));
      return {};
    default:
      return {};
  }
}

}  // namespace moesim::gui
