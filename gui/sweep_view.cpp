#include "gui/sweep_view.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>
#include <iterator>

#include "gui/format.h"
#include "gui/parameter_labels.h"
#include "gui/sweep_table_model.h"
#include "sim/sweep/sweep_points.h"

namespace moesim::gui {

namespace {

struct Choice {
  const char* pointer;
  const char* values;
};

// Parameters offered by name (their form labels, gui/parameter_labels.h); any
// other JSON pointer can be typed.
const Choice kChoices[] = {
    {"/cluster/ib_GB_per_s", "25, 40, 50, 100"},
    {"/plan/ep", "8, 16, 32, 64, 128, 256"},
    {"/plan/micro_batch_size", "1, 2, 4"},
    {"/plan/schedule", "1f1b, zb1p, dualpipe, dualpipev"},
    {"/cluster/nodes", "64, 128, 256, 512"},
    {"/cluster/gpu", "H800, H100, H200, B200"},
    {"/cluster/nvlink_GB_per_s", "80, 160, 320"},
    {"/plan/pp", "4, 8, 16, 32"},
    {"/plan/tp", "1, 2, 4, 8"},
    {"/plan/cp", "1, 2, 4, 8"},
    {"/precision/kind", "fp8, bf16"},
    {"/plan/comm_sms", "0, 10, 20, 32"},
    {"/training/phases/0/global_batch", "7680, 15360, 30720"},
    {"/plan/redundant_experts", "0, 32, 64"},
    {"/training/routing/zipf_exponent", "0.1, 0.3, 0.6, 1"},
    {"/training/balancing/gamma", "0.0003, 0.001, 0.003, 0.01"},
};

struct Metric {
  const char* label;
  const char* column;
  double scale;  // plotted value = field / scale
  const char* unit;
};

const Metric kMetrics[] = {
    {"Step time", "step_time_s", 1, "s"},
    {"Cost", "cost_usd", 1e6, "$M"},
    {"GPU-hours", "gpu_hours", 1e6, "M GPU-hours"},
    {"MFU", "mfu", 0.01, "%"},
    {"Tokens/s", "tokens_per_s", 1e6, "M tokens/s"},
    {"Wall time", "wall_time_s", 86400, "days"},
    {"Memory per GPU", "memory_per_gpu_bytes", 1073741824.0, "GiB"},
};

// "25, 40, fp8, true" -> [25, 40, "fp8", true].
std::vector<nlohmann::json> parse_values(const QString& text) {
  std::vector<nlohmann::json> out;
  for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
    const QString t = part.trimmed();
    if (t.isEmpty()) continue;
    bool ok = false;
    const qlonglong i = t.toLongLong(&ok);
    if (ok) {
      out.emplace_back(static_cast<int64_t>(i));
      continue;
    }
    const double d = t.toDouble(&ok);
    if (ok) {
      out.emplace_back(d);
    } else if (t == "true" || t == "false") {
      out.emplace_back(t == "true");
    } else {
      out.emplace_back(t.toStdString());
    }
  }
  return out;
}

QString value_text(const nlohmann::json& v) {
  return v.is_string() ? QString::fromStdString(v.get<std::string>())
                       : QString::fromStdString(v.dump());
}

}  // namespace

SweepView::SweepView(ScenarioDocument* doc, QWidget* parent)
    : QWidget(parent),
      doc_(doc),
      controller_(new SweepController(this)),
      model_(new SweepTableModel(this)) {
  auto* layout = new QVBoxLayout(this);
  auto* grid = new QGridLayout();
  grid->addWidget(new QLabel("Parameter", this), 0, 1);
  grid->addWidget(new QLabel("Values (comma-separated)", this), 0, 2);
  for (int i = 0; i < 2; ++i) {
    rows_[i] = make_parameter_row(i);
    grid->addWidget(rows_[i].enabled, i + 1, 0);
    grid->addWidget(rows_[i].pointer, i + 1, 1);
    grid->addWidget(rows_[i].values, i + 1, 2);
  }
  grid->setColumnStretch(2, 1);
  layout->addLayout(grid);

  auto* bar = new QHBoxLayout();
  derive_dp_ = new QCheckBox("derive DP = GPUs / (PP x TP x CP)", this);
  derive_dp_->setChecked(true);
  derive_dp_->setToolTip("Keeps the plan consistent when nodes, PP, TP or CP vary (derive.dp)");
  jobs_ = new QSpinBox(this);
  jobs_->setRange(1, 256);
  jobs_->setValue(std::max(1, QThread::idealThreadCount()));
  metric_ = new QComboBox(this);
  for (const Metric& m : kMetrics) metric_->addItem(m.label, QString(m.column));
  run_ = new QPushButton("Run sweep", this);
  cancel_ = new QPushButton("Cancel", this);
  cancel_->setEnabled(false);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  bar->addWidget(derive_dp_);
  bar->addWidget(new QLabel("threads", this));
  bar->addWidget(jobs_);
  bar->addSpacing(12);
  bar->addWidget(new QLabel("plot", this));
  bar->addWidget(metric_);
  bar->addStretch(1);
  bar->addWidget(run_);
  bar->addWidget(cancel_);
  bar->addWidget(progress_);
  layout->addLayout(bar);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  layout->addWidget(message_);

  auto* split = new QSplitter(Qt::Vertical, this);
  chart_ = new QChartView(new QChart(), split);
  chart_->setRenderHint(QPainter::Antialiasing);
  chart_->setMinimumHeight(240);
  table_ = new QTableView(split);
  auto* sorted = new QSortFilterProxyModel(this);
  sorted->setSourceModel(model_);
  sorted->setSortRole(Qt::UserRole);
  table_->setModel(sorted);
  table_->setSortingEnabled(true);
  table_->sortByColumn(0, Qt::AscendingOrder);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  split->addWidget(chart_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);

  connect(run_, &QPushButton::clicked, this, [this] { start(); });
  connect(cancel_, &QPushButton::clicked, this, &SweepView::cancel);
  connect(metric_, &QComboBox::currentIndexChanged, this, &SweepView::plot);
  connect(table_, &QTableView::doubleClicked, this,
          [this, sorted](const QModelIndex& i) { open_row(sorted->mapToSource(i).row()); });
  connect(controller_, &SweepController::progress, this, [this](quint64 done, quint64 total) {
    progress_->setRange(0, static_cast<int>(std::max<quint64>(1, total)));
    progress_->setValue(static_cast<int>(done));
  });
  connect(controller_, &SweepController::finished, this, &SweepView::finished);
  set_parameter(0, "/cluster/ib_GB_per_s", kChoices[0].values);
  set_parameter(1, "/plan/ep", "16, 32, 64, 128");
  plot();
}

SweepView::ParameterRow SweepView::make_parameter_row(int which) {
  ParameterRow r;
  r.enabled = new QCheckBox(which == 0 ? "x" : "lines", this);
  r.enabled->setChecked(true);
  r.enabled->setEnabled(which == 1);
  r.pointer = new QComboBox(this);
  r.pointer->setEditable(true);
  r.pointer->setInsertPolicy(QComboBox::NoInsert);
  r.pointer->setToolTip("A parameter, or any JSON pointer into the scenario (e.g. /plan/dp)");
  for (const Choice& c : kChoices) r.pointer->addItem(parameter_label(c.pointer), QString(c.pointer));
  r.values = new QLineEdit(this);
  connect(r.pointer, &QComboBox::activated, this, [this, which](int i) {
    if (i >= 0 && i < static_cast<int>(std::size(kChoices)))
      rows_[which].values->setText(kChoices[i].values);
  });
  connect(r.enabled, &QCheckBox::toggled, this, [this, which](bool on) {
    rows_[which].pointer->setEnabled(on);
    rows_[which].values->setEnabled(on);
  });
  return r;
}

void SweepView::set_parameter(int which, const QString& pointer, const QString& values) {
  ParameterRow& r = rows_[which];
  const int i = r.pointer->findData(pointer);
  if (i >= 0) {
    r.pointer->setCurrentIndex(i);
  } else {
    r.pointer->setEditText(pointer);
  }
  r.values->setText(values);
}

void SweepView::set_second_enabled(bool on) { rows_[1].enabled->setChecked(on); }

void SweepView::set_metric(const QString& column) {
  metric_->setCurrentIndex(std::max(0, metric_->findData(column)));
}

QString SweepView::message() const { return message_->text(); }

std::string SweepView::pointer_of(const ParameterRow& r) const {
  const int i = r.pointer->findText(r.pointer->currentText());
  const QString p = i >= 0 ? r.pointer->itemData(i).toString() : r.pointer->currentText().trimmed();
  return p.toStdString();
}

bool SweepView::start() {
  if (controller_->busy()) return false;
  if (!doc_->scenario()) {
    message_->setText("The scenario has errors: fix them before sweeping it.");
    return false;
  }
  std::vector<SweepParameter> params;
  for (const ParameterRow& r : rows_) {
    if (!r.enabled->isChecked()) continue;
    SweepParameter p{pointer_of(r), parse_values(r.values->text())};
    if (p.path.empty() || p.path[0] != '/' || p.values.empty()) {
      message_->setText(QString("Parameter \"%1\" needs a JSON pointer and at least one value.")
                            .arg(r.pointer->currentText()));
      return false;
    }
    params.push_back(std::move(p));
  }
  const SweepSpecPtr spec = make_sweep_spec(doc_->inlined(), doc_->file(), doc_->base_dir(),
                                            std::move(params), derive_dp_->isChecked());
  message_->setText(QString("Sweeping %1 points...").arg(sweep_indices(*spec).size()));
  run_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  controller_->start(spec, jobs_->value());
  return true;
}

void SweepView::cancel() { controller_->cancel(); }

void SweepView::finished(SweepOutcomePtr o) {
  run_->setEnabled(true);
  cancel_->setEnabled(false);
  model_->set_outcome(o);
  table_->resizeColumnsToContents();
  int ok = 0, fit = 0;
  for (const SweepRow& r : o->rows) {
    ok += r.feasible();
    fit += r.feasible() && r.fields.value("fits", false);
  }
  message_->setText(QString("%1 of %2 points%3 in %4: %5 valid plans, %6 fit in memory "
                            "(ringed points do not). Click a point or double-click a row to "
                            "open its results.")
                        .arg(o->rows.size())
                        .arg(sweep_indices(*o->spec).size())
                        .arg(o->interrupted ? " (cancelled)" : "")
                        .arg(format_seconds(o->elapsed_s))
                        .arg(ok)
                        .arg(fit));
  plot();
}

void SweepView::open_row(int row) {
  const SweepOutcomePtr o = model_->outcome();
  if (!o || row < 0 || row >= static_cast<int>(o->rows.size())) return;
  const SweepRow& r = o->rows[static_cast<size_t>(row)];
  QStringList what;
  const std::vector<nlohmann::json> values = point_values(*o->spec, r.index);
  for (size_t i = 0; i < values.size(); ++i)
    what << QString("%1 = %2").arg(parameter_label(o->spec->parameters[i].path),
                                   value_text(values[i]));
  RunRequest req;
  req.label = QString("sweep point %1 (%2)").arg(r.index).arg(what.join(", "));
  req.text = point_text(*o->spec, r.index);
  req.file = o->spec->base_path;
  req.base_dir = o->spec->base_dir;
  req.sweep_point = SweepPointSource{r.index, o->spec->base_path, point_changes(*o->spec, r.index)};
  emit open_point(req);
}

void SweepView::plot() {
  const Metric& m = kMetrics[std::max(0, metric_->currentIndex())];
  auto* chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignRight);
  QChart* old = chart_->chart();
  chart_->setChart(chart);
  delete old;
  points_.clear();
  const SweepOutcomePtr o = model_->outcome();
  if (!o || o->spec->parameters.empty()) {
    chart->setTitle("Run a sweep to plot it");
    return;
  }
  const SweepSpec& spec = *o->spec;
  const SweepParameter& px = spec.parameters[0];
  const SweepParameter* pl = spec.parameters.size() > 1 ? &spec.parameters[1] : nullptr;
  chart->setTitle(QString("%1 against %2").arg(m.label, parameter_label(px.path)));
  bool numeric_x = true;
  for (const auto& v : px.values) numeric_x = numeric_x && v.is_number();
  const size_t lines = pl ? pl->values.size() : 1;
  std::vector<QLineSeries*> line(lines);
  std::vector<QScatterSeries*> dots(lines);
  auto* misfit = new QScatterSeries();
  misfit->setName("does not fit in memory");
  misfit->setMarkerSize(16);
  misfit->setColor(Qt::transparent);
  misfit->setBorderColor(QColor("#222222"));
  double ymin = 1e300, ymax = -1e300;
  for (size_t l = 0; l < lines; ++l) {
    line[l] = new QLineSeries();
    line[l]->setName(pl ? QString("%1 = %2").arg(parameter_label(pl->path), value_text(pl->values[l]))
                        : QString(m.label));
    dots[l] = new QScatterSeries();
    dots[l]->setMarkerSize(9);
  }
  for (int row = 0; row < static_cast<int>(o->rows.size()); ++row) {
    const SweepRow& r = o->rows[static_cast<size_t>(row)];
    if (!r.feasible() || !r.fields.contains(m.column)) continue;
    const std::vector<nlohmann::json> v = point_values(spec, r.index);
    size_t xi = 0, li = 0;
    while (xi < px.values.size() && px.values[xi] != v[0]) ++xi;
    while (pl && li < pl->values.size() && pl->values[li] != v[1]) ++li;
    const double x = numeric_x ? v[0].get<double>() : static_cast<double>(xi);
    const double y = r.fields.at(m.column).get<double>() / m.scale;
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
    line[li]->append(x, y);
    dots[li]->append(x, y);
    points_[dots[li]].push_back({QPointF(x, y), row});
    if (!r.fields.value("fits", true)) {
      misfit->append(x, y);
      points_[misfit].push_back({QPointF(x, y), row});
    }
  }
  QAbstractAxis* ax;
  if (numeric_x) {
    auto* a = new QValueAxis();
    a->setLabelFormat("%g");
    ax = a;
  } else {
    auto* a = new QCategoryAxis();
    a->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    for (size_t i = 0; i < px.values.size(); ++i)
      a->append(value_text(px.values[i]), static_cast<double>(i));
    a->setRange(-0.5, static_cast<double>(px.values.size()) - 0.5);
    ax = a;
  }
  ax->setTitleText(parameter_label(px.path));
  auto* ay = new QValueAxis();
  ay->setTitleText(QString("%1 (%2)").arg(m.label, m.unit));
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  std::vector<QScatterSeries*> clickable(dots.begin(), dots.end());
  clickable.push_back(misfit);
  for (size_t l = 0; l < lines; ++l) {
    chart->addSeries(line[l]);
    chart->addSeries(dots[l]);
    dots[l]->setColor(line[l]->color());
    dots[l]->setBorderColor(line[l]->color().darker(130));
    chart->legend()->markers(dots[l]).front()->setVisible(false);
  }
  chart->addSeries(misfit);
  if (misfit->count() == 0) chart->legend()->markers(misfit).front()->setVisible(false);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(ax);
    s->attachAxis(ay);
  }
  if (numeric_x && !px.values.empty()) {
    double lo = px.values.front().get<double>(), hi = lo;
    for (const auto& v : px.values) {
      lo = std::min(lo, v.get<double>());
      hi = std::max(hi, v.get<double>());
    }
    const double pad = hi > lo ? (hi - lo) * 0.05 : 1;
    static_cast<QValueAxis*>(ax)->setRange(lo - pad, hi + pad);
    static_cast<QValueAxis*>(ax)->applyNiceNumbers();
  }
  if (ymax >= ymin) {
    const double pad = ymax > ymin ? (ymax - ymin) * 0.08 : std::max(1e-9, std::abs(ymax) * 0.1);
    ay->setRange(std::max(0.0, ymin - pad), ymax + pad);
    ay->applyNiceNumbers();
  }
  for (QScatterSeries* s : clickable) {
    connect(s, &QScatterSeries::clicked, this, [this, s](const QPointF& p) {
      const auto& pts = points_[s];
      int best = -1;
      double best_d = 1e300;
      for (const auto& [q, row] : pts) {
        const double d = std::abs(q.x() - p.x()) + std::abs(q.y() - p.y());
        if (d < best_d) {
          best_d = d;
          best = row;
        }
      }
      if (best >= 0) open_row(best);
    });
    connect(s, &QScatterSeries::hovered, this, [this, s](const QPointF& p, bool state) {
      if (!state) return;
      for (const auto& [q, row] : points_[s])
        if (q == p) {
          const SweepRow& r = model_->row(row);
          QToolTip::showText(
              QCursor::pos(),
              QString("point %1: step %2, %3, %4 GPU-hours, MFU %5")
                  .arg(r.index)
                  .arg(format_sweep_field("step_time_s",
                                          r.fields.value("step_time_s", nlohmann::json())),
                       format_sweep_field("cost_usd", r.fields.value("cost_usd", nlohmann::json())),
                       format_sweep_field("gpu_hours",
                                          r.fields.value("gpu_hours", nlohmann::json())),
                       format_sweep_field("mfu", r.fields.value("mfu", nlohmann::json()))));
        }
    });
  }
}

}  // namespace moesim::gui
