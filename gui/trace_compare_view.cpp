#include "gui/trace_compare_view.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "gui/format.h"
#include "gui/hover_tip.h"
#include "gui/scenario_document.h"
#include "sim/scenario/scenario_json.h"
#include "sim/trace/kineto_trace.h"

namespace moesim::gui {

namespace {

constexpr int kLeft = 150;   // track names
constexpr int kTop = 24;     // time axis
constexpr int kTrackH = 16;
constexpr int kTitleH = 20;  // "measured: ..." above each group
constexpr int kRight = 12;

// The comparison `moesim compare-trace [--map]` makes, from the editor's text.
TraceComparisonPtr run_comparison(const std::string& text, const std::string& file,
                                  const std::string& base_dir, const std::string& trace_path,
                                  const std::string& map_path) {
  const Scenario s = parse_scenario_text(text, file, base_dir);
  const KernelMap map = map_path.empty()
                            ? default_kernel_map()
                            : merge_kernel_maps(load_kernel_map(map_path), default_kernel_map());
  return std::make_shared<TraceComparisonRun>(
      compare_trace(s, load_kineto_trace(trace_path), map));
}

QString us_text(double us) { return format_seconds(us * 1e-6); }

}  // namespace

ComparisonTracks::ComparisonTracks(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::Base);
}

QSize ComparisonTracks::sizeHint() const {
  const int tracks = timeline_ ? static_cast<int>(timeline_->measured.size() +
                                                  timeline_->simulated.size())
                               : 4;
  return {900, kTop + 2 * kTitleH + tracks * (kTrackH + 2) + 8};
}

QColor ComparisonTracks::stage_color(const std::string& stage) {
  static const std::pair<const char*, const char*> kColors[] = {
      {"attn(F)", "#f2b134"},     {"dispatch(F)", "#e8743b"}, {"mlp(F)", "#d9a21b"},
      {"combine(F)", "#c0504d"},  {"combine(B)", "#8e44ad"},  {"mlp(B)", "#2c5f9e"},
      {"dispatch(B)", "#b565a7"}, {"mlp(W)", "#6cc36c"},      {"attn(B)", "#4a90d9"},
      {"attn(W)", "#3f9f6f"}};
  for (const auto& [name, c] : kColors)
    if (stage == name) return QColor(c);
  return QColor("#b8b8b8");
}

void ComparisonTracks::set_timeline(const ComparisonTimeline* t) {
  timeline_ = t;
  rows_.clear();
  if (t) {
    int y = kTop + kTitleH;
    for (const TimelineTrack& tr : t->measured) {
      rows_.push_back({&tr, y});
      y += kTrackH + 2;
    }
    y += kTitleH;
    for (const TimelineTrack& tr : t->simulated) {
      rows_.push_back({&tr, y});
      y += kTrackH + 2;
    }
  }
  updateGeometry();
  update();
}

double ComparisonTracks::end_us() const {
  double end = 1;
  if (!timeline_) return end;
  for (const auto* group : {&timeline_->measured, &timeline_->simulated})
    for (const TimelineTrack& tr : *group)
      for (const TimelineSpan& sp : tr.spans) end = std::max(end, sp.start_us + sp.dur_us);
  return end;
}

void ComparisonTracks::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (!timeline_) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter,
               "Import a profiler trace of a DualPipe chunk pair to set it beside the "
               "scenario's simulated pair");
    return;
  }
  QFont small = font();
  small.setPixelSize(10);
  p.setFont(small);
  const double scale = (width() - kLeft - kRight) / end_us();  // px per us
  // Grid and axis: 1, 2, 5 x 10^k us, at least 80 px apart.
  const double min_step = 80 / scale;
  const double mag = std::pow(10.0, std::floor(std::log10(min_step)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= min_step) {
      step = m * mag;
      break;
    }
  for (double t = 0; t <= end_us(); t += step) {
    const double x = kLeft + t * scale;
    p.setPen(QColor("#e4e4e4"));
    p.drawLine(QPointF(x, kTop), QPointF(x, height()));
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRectF(x - 50, 2, 100, kTop - 6), Qt::AlignCenter,
               t == 0 ? QString("0") : us_text(t));
  }
  QFont bold = small;
  bold.setBold(true);
  p.setFont(bold);
  p.setPen(palette().color(QPalette::Text));
  const int sim_title_y = rows_.empty() ? kTop : rows_[timeline_->measured.size()].y - kTitleH;
  p.drawText(QRectF(4, kTop + 2, width() - 8, kTitleH - 4), Qt::AlignLeft | Qt::AlignVCenter,
             QString::fromStdString(timeline_->measured_title));
  p.drawText(QRectF(4, sim_title_y + 2, width() - 8, kTitleH - 4),
             Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(timeline_->simulated_title));
  p.setFont(small);
  for (const Row& r : rows_) {
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRectF(4, r.y, kLeft - 10, kTrackH), Qt::AlignRight | Qt::AlignVCenter,
               QString::fromStdString(r.track->name));
    p.fillRect(QRectF(kLeft, r.y, width() - kLeft - kRight, kTrackH), QColor("#f6f6f6"));
    for (const TimelineSpan& sp : r.track->spans)
      p.fillRect(QRectF(kLeft + sp.start_us * scale, r.y, std::max(1.0, sp.dur_us * scale), kTrackH),
                 stage_color(sp.stage));
  }
}

QString ComparisonTracks::tooltip_at(const QPoint& pos) const {
  if (!timeline_ || pos.x() < kLeft) return {};
  const double scale = (width() - kLeft - kRight) / end_us();
  const double t = (pos.x() - kLeft) / scale;
  const double slack = 2 / scale;
  for (const Row& r : rows_) {
    if (pos.y() < r.y || pos.y() >= r.y + kTrackH) continue;
    for (const TimelineSpan& sp : r.track->spans)
      if (t >= sp.start_us - slack && t < sp.start_us + sp.dur_us + slack)
        return QString("%1\nstage %2, %3\n%4 to %5 (%6)")
            .arg(QString::fromStdString(sp.name),
                 sp.stage.empty() ? QString("(none)") : QString::fromStdString(sp.stage),
                 QString::fromStdString(sp.category), us_text(sp.start_us),
                 us_text(sp.start_us + sp.dur_us), us_text(sp.dur_us));
  }
  return {};
}

bool ComparisonTracks::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    show_hover_tip(he, tooltip_at(he->pos()), this);
    return true;
  }
  return QWidget::event(e);
}

TraceCompareView::TraceCompareView(ScenarioDocument* doc, QWidget* parent)
    : QWidget(parent), doc_(doc) {
  qRegisterMetaType<moesim::gui::TraceComparisonPtr>();
  auto* v = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout();
  import_ = new QPushButton("Import measured trace...", this);
  import_->setToolTip("A PyTorch profiler trace (.json or .json.gz) of one DualPipe F&B chunk "
                      "pair, annotated per stage as attn(F), dispatch(F), mlp(B), ...");
  again_ = new QPushButton("Compare again", this);
  again_->setToolTip("Compare the same trace with the scenario as it is now");
  again_->setEnabled(false);
  map_ = new QPushButton("Kernel map...", this);
  map_->setToolTip("Rules for your framework's kernel names, tried before the shipped ones "
                   "(as moesim compare-trace --map; see moesim calibrate --help)");
  file_ = new QLabel("No trace imported.", this);
  bar->addWidget(import_);
  bar->addWidget(again_);
  bar->addWidget(map_);
  bar->addWidget(file_, 1);
  v->addLayout(bar);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  v->addWidget(message_);
  auto* legend = new QHBoxLayout();
  for (const char* stage : {"attn(F)", "dispatch(F)", "mlp(F)", "combine(F)", "combine(B)",
                            "mlp(B)", "dispatch(B)", "mlp(W)", "attn(B)", "attn(W)"}) {
    auto* swatch = new QLabel(this);
    swatch->setFixedSize(12, 12);
    swatch->setStyleSheet(QString("background: %1; border: 1px solid #888;")
                              .arg(ComparisonTracks::stage_color(stage).name()));
    legend->addWidget(swatch);
    legend->addWidget(new QLabel(stage, this));
    legend->addSpacing(4);
  }
  legend->addStretch(1);
  v->addLayout(legend);
  auto* split = new QSplitter(Qt::Vertical, this);
  tracks_ = new ComparisonTracks(split);
  table_ = new QTableWidget(0, 4, split);
  table_->setHorizontalHeaderLabels({"Per layer", "Measured", "Simulated", "Error"});
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  split->addWidget(tracks_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  v->addWidget(split, 1);
  connect(import_, &QPushButton::clicked, this, &TraceCompareView::import_dialog);
  connect(again_, &QPushButton::clicked, this, [this] { compare(trace_path_); });
  connect(map_, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, "Kernel map", QString(),
                                                   "Kernel maps (*.json)");
    if (!p.isEmpty()) set_kernel_map(p);
  });
}

TraceCompareView::~TraceCompareView() {
  if (worker_.joinable()) worker_.join();
}

QString TraceCompareView::message() const { return message_->text(); }

void TraceCompareView::set_kernel_map(const QString& path) {
  map_path_ = path;
  map_->setText(path.isEmpty() ? QString("Kernel map...")
                               : QString("Kernel map: %1").arg(QFileInfo(path).fileName()));
  if (!trace_path_.isEmpty() && !busy_) compare(trace_path_);
}

void TraceCompareView::import_dialog() {
  const QString p = QFileDialog::getOpenFileName(this, "Import measured trace", QString(),
                                                 "Profiler traces (*.json *.json.gz)");
  if (!p.isEmpty()) compare(p);
}

bool TraceCompareView::compare(const QString& path) {
  if (busy_) {
    message_->setText("A comparison is running; import again when it has finished.");
    return false;
  }
  if (!doc_->scenario()) {
    message_->setStyleSheet("color: #b00020;");
    message_->setText("The scenario has errors: fix them before comparing it with a trace.");
    return false;
  }
  if (worker_.joinable()) worker_.join();
  busy_ = true;
  trace_path_ = path;
  file_->setText(path);
  import_->setEnabled(false);
  again_->setEnabled(false);
  message_->setStyleSheet("");
  message_->setText("Simulating the step (des) and reading the trace...");
  worker_ = std::thread([this, text = doc_->text().toStdString(), file = doc_->file(),
                         base = doc_->base_dir(), trace = path.toStdString(),
                         map = map_path_.toStdString()] {
    TraceComparisonPtr c;
    QString error;
    try {
      c = run_comparison(text, file, base, trace, map);
    } catch (const InputError& e) {
      error = QString::fromStdString(e.diagnostics().to_string()).trimmed();
    } catch (const std::exception& e) {
      error = QString("internal error: %1").arg(e.what());
    }
    QMetaObject::invokeMethod(
        this, [this, c, error] { show_comparison(c, error); }, Qt::QueuedConnection);
  });
  return true;
}

void TraceCompareView::show_comparison(TraceComparisonPtr c, const QString& error) {
  busy_ = false;
  import_->setEnabled(true);
  again_->setEnabled(!trace_path_.isEmpty());
  if (!c) {
    message_->setStyleSheet("color: #b00020;");
    message_->setText(error);
    emit comparison_shown(false);
    return;
  }
  comparison_ = c;
  tracks_->set_timeline(&c->timeline);
  const PairComparison& pc = c->pair;
  message_->setStyleSheet("");
  message_->setText(
      QString("Simulated rank %1's %2 (%3 + %4 MoE layers) against the measured pair (%5 + %5 "
              "layers). Span per layer pair: measured %6, simulated %7 (%8%9%). Stage times "
              "are the busy time of the stage's kernels against its segments on the engine, "
              "per layer.")
          .arg(pc.rank)
          .arg(QString::fromStdString(pc.instruction))
          .arg(pc.forward_layers)
          .arg(pc.backward_layers)
          .arg(pc.trace_layers)
          .arg(us_text(pc.measured_span_us), us_text(pc.simulated_span_us),
               pc.span_error() >= 0 ? "+" : "")
          .arg(100 * pc.span_error(), 0, 'f', 1) +
      (c->summary.unknown.empty()
           ? QString()
           : QString(" %1 kernel name%2 matched no rule of the kernel map (counted as "
                     "unknown, first: %3): give them classes with Kernel map...")
                 .arg(c->summary.unknown.size())
                 .arg(c->summary.unknown.size() == 1 ? "" : "s")
                 .arg(QString::fromStdString(c->summary.unknown.front().name.substr(0, 80)))));
  table_->setRowCount(0);
  auto add = [this](const QString& name, const QString& m, const QString& s, const QString& err) {
    const int row = table_->rowCount();
    table_->insertRow(row);
    int col = 0;
    for (const QString& text : {name, m, s, err}) {
      auto* item = new QTableWidgetItem(text);
      if (col > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(row, col++, item);
    }
  };
  for (const StageComparison& x : pc.stages) {
    const bool both = x.measured_present && x.simulated_present;
    add(QString::fromStdString(x.stage), x.measured_present ? us_text(x.measured_us) : "-",
        x.simulated_present ? us_text(x.simulated_us) : "-",
        both ? QString("%1%2%").arg(x.error() >= 0 ? "+" : "").arg(100 * x.error(), 0, 'f', 1)
             : QString("-"));
  }
  add("span (pair)", us_text(pc.measured_span_us), us_text(pc.simulated_span_us),
      QString("%1%2%").arg(pc.span_error() >= 0 ? "+" : "").arg(100 * pc.span_error(), 0, 'f', 1));
  table_->resizeColumnsToContents();
  emit comparison_shown(true);
}

}  // namespace moesim::gui
