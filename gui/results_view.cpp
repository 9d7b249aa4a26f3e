#include "gui/results_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFrame>
#include <QGridLayout>
#include <QHeaderView>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/export.h"
#include "gui/format.h"
#include "gui/rank_table_model.h"

namespace moesim::gui {

namespace {

// Replaces the view's chart; QChartView releases, but does not delete, the old one.
void replace_chart(QChartView* view, QChart* chart) {
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;
}

QChart* new_chart(const QString& title) {
  auto* c = new QChart();
  c->setTitle(title);
  c->setAnimationOptions(QChart::NoAnimation);
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setMargins(QMargins(4, 4, 4, 4));
  return c;
}

QBarSet* new_set(const QString& name, const QColor& color) {
  auto* s = new QBarSet(name);
  s->setColor(color);
  s->setBorderColor(color.darker(115));
  return s;
}

}  // namespace

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(this);
  title_->setStyleSheet("font-size: 15px; font-weight: bold;");
  title_->setWordWrap(true);
  title_->setTextFormat(Qt::PlainText);
  layout->addWidget(title_);

  figure_box_ = new QWidget(this);
  auto* grid = new QGridLayout(figure_box_);
  grid->setContentsMargins(0, 0, 0, 0);
  add_figure("Step time", 0, 0);
  add_figure("Tokens/s", 0, 1);
  add_figure("MFU", 0, 2);
  add_figure("Memory per GPU", 0, 3);
  add_figure("GPU-hours", 1, 0);
  add_figure("Cost", 1, 1);
  add_figure("Wall time", 1, 2);
  add_figure("GPUs", 1, 3);
  layout->addWidget(figure_box_);

  stale_ = new QLabel(
      "These results are from the last valid version of the scenario: fix the problems on the "
      "left to update them.",
      this);
  stale_->setStyleSheet("background: #fff4c2; padding: 4px;");
  stale_->setWordWrap(true);
  stale_->hide();
  layout->addWidget(stale_);
  notes_ = new QLabel(this);
  notes_->setWordWrap(true);
  notes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(notes_);

  auto* split = new QSplitter(Qt::Vertical, this);
  auto* charts = new QSplitter(Qt::Horizontal, split);
  breakdown_ = new QChartView(new_chart("Where a step's time goes"), charts);
  memory_ = new QChartView(new_chart("Memory per GPU by pipeline rank"), charts);
  breakdown_->setRenderHint(QPainter::Antialiasing);
  memory_->setRenderHint(QPainter::Antialiasing);
  breakdown_->setMinimumHeight(260);
  charts->addWidget(breakdown_);
  charts->addWidget(memory_);
  charts->setStretchFactor(0, 1);
  charts->setStretchFactor(1, 1);
  charts->setSizes({560, 560});

  ranks_ = new RankTableModel(this);
  auto* sorted = new QSortFilterProxyModel(this);
  sorted->setSourceModel(ranks_);
  sorted->setSortRole(Qt::UserRole);
  table_ = new QTableView(split);
  table_->setModel(sorted);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RankTableModel::kRank, Qt::AscendingOrder);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setAlternatingRowColors(true);
  split->addWidget(charts);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  set_result(nullptr);
}

void ResultsView::add_figure(const QString& name, int row, int col) {
  auto* card = new QFrame(figure_box_);
  card->setFrameShape(QFrame::StyledPanel);
  auto* v = new QVBoxLayout(card);
  v->setContentsMargins(8, 4, 8, 4);
  v->setSpacing(0);
  auto* caption = new QLabel(name, card);
  caption->setStyleSheet("color: #666;");
  auto* value = new QLabel("—", card);
  value->setStyleSheet("font-size: 18px; font-weight: bold;");
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  v->addWidget(caption);
  v->addWidget(value);
  static_cast<QGridLayout*>(figure_box_->layout())->addWidget(card, row, col);
  figures_[name] = value;
}

void ResultsView::set_stale(bool stale) { stale_->setVisible(stale && result_ && result_->ok); }

QString ResultsView::figure(const QString& name) const {
  auto it = figures_.find(name);
  return it == figures_.end() ? QString() : it->second->text();
}

void ResultsView::set_result(RunResultPtr r) {
  result_ = r;
  ranks_->set_result(r);
  for (auto& [name, label] : figures_) {
    label->setText("—");
    label->setStyleSheet("font-size: 18px; font-weight: bold;");
  }
  if (!r) {
    title_->setText("No results yet: run a scenario.");
    notes_->clear();
    show_breakdown(Estimate());
    show_memory(Estimate());
    return;
  }
  if (!r->ok) {
    title_->setText(r->request.label + ": not run");
    notes_->setText(QString::fromStdString(r->error.empty() ? r->diagnostics.to_string()
                                                            : "internal error: " + r->error));
    notes_->setStyleSheet("color: #b00020;");
    show_breakdown(Estimate());
    show_memory(Estimate());
    return;
  }
  const Estimate& e = r->estimate;
  const QString name = QString::fromStdString(result_title(*r));
  // The cluster is in the GPUs figure (scenario names often say it too).
  title_->setText(QString("%1 — %2 fidelity").arg(name, QString::fromStdString(e.fidelity)));
  figures_["Step time"]->setText(format_seconds(seconds(e.step_time)));
  figures_["Tokens/s"]->setText(format_count(e.tokens_per_s));
  figures_["MFU"]->setText(format_percent(e.mfu));
  figures_["Memory per GPU"]->setText(QString("%1 / %2 %3")
                                          .arg(format_gib(bytes(e.memory_per_gpu)),
                                               format_gib(bytes(e.hbm_capacity)),
                                               e.fits ? "fits" : "DOES NOT FIT"));
  figures_["Memory per GPU"]->setStyleSheet(
      QString("font-size: 18px; font-weight: bold; color: %1;")
          .arg(e.fits ? "#1b7f3b" : "#b00020"));
  figures_["GPU-hours"]->setText(format_si(e.gpu_hours));
  figures_["Cost"]->setText(format_usd(e.cost_usd));
  figures_["Wall time"]->setText(format_seconds(seconds(e.wall_time)));
  figures_["GPUs"]->setText(
      QString("%1 x %2").arg(e.num_gpus).arg(QString::fromStdString(e.gpu)));
  QStringList notes;
  for (const auto& w : e.warnings) notes << "warning: " + QString::fromStdString(w);
  if (r->des_step)
    notes << QString("Step %1 (des); the pipeline timeline shows the simulated step's tracks "
                     "per rank: compute, EP/TP communication, pipeline sends, DP sync. Ran in %2.")
                 .arg(format_seconds(seconds(e.step_time)), format_seconds(r->elapsed_s));
  else
    notes << QString("Step %1 (%2); the pipeline timeline executes the schedule with analytic "
                     "chunk costs: %3. Ran in %4.")
                 .arg(format_seconds(seconds(e.step_time)), QString::fromStdString(e.fidelity),
                      format_seconds(seconds(r->timeline.step_time())),
                      format_seconds(r->elapsed_s));
  notes_->setText(notes.join("\n"));
  notes_->setStyleSheet(e.warnings.empty() ? "" : "color: #8a5a00;");
  show_breakdown(e);
  show_memory(e);
}

void ResultsView::show_breakdown(const Estimate& e) {
  QChart* chart =
      new_chart(e.phases.empty() ? QString("Where a step's time goes")
                                 : QString("Where a %1 step goes (slowest rank, full batch)")
                                       .arg(format_seconds(seconds(e.step_time))));
  replace_chart(breakdown_, chart);
  chart->legend()->hide();
  if (e.phases.empty()) return;
  struct Part {
    const char* name;
    QColor color;
    Seconds TimeBreakdown::*field;
  };
  const Part parts[] = {{"Compute", QColor("#4a90d9"), &TimeBreakdown::compute},
                        {"Exposed comm", QColor("#e8743b"), &TimeBreakdown::exposed_comm},
                        {"Bubble", QColor("#a0a0a0"), &TimeBreakdown::bubble},
                        {"DP sync", QColor("#9b59b6"), &TimeBreakdown::dp_sync},
                        {"Optimizer", QColor("#555555"), &TimeBreakdown::optimizer}};
  constexpr int n = 5;
  // One bar per part, each its own colour: a stacked series whose sets are zero
  // outside their own category. Categories run bottom-up, so Compute is listed last.
  auto* series = new QHorizontalStackedBarSeries();
  QStringList categories;
  const double total = seconds(e.breakdown.total());
  double largest = 0;  // the bars' labels read in its unit, as the axis does
  for (const Part& part : parts) largest = std::max(largest, seconds(e.breakdown.*part.field));
  for (int i = n - 1; i >= 0; --i) {
    const double v = seconds(e.breakdown.*parts[i].field);
    categories << QString("%1<br>%2 (%3)")  // two lines: the names stay whole
                      .arg(parts[i].name, format_seconds_like(v, largest),
                           format_percent(total > 0 ? v / total : 0));
  }
  for (int i = 0; i < n; ++i) {
    auto* set = new_set(parts[i].name, parts[i].color);
    for (int c = 0; c < n; ++c)
      *set << (c == n - 1 - i ? seconds(e.breakdown.*parts[i].field) : 0.0);
    series->append(set);
  }
  series->setBarWidth(0.7);
  chart->addSeries(series);
  auto* y = new QBarCategoryAxis();
  y->append(categories);
  auto* x = new QValueAxis();
  x->setTitleText("seconds per step");
  x->setLabelFormat("%.1f");
  chart->addAxis(y, Qt::AlignLeft);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  series->attachAxis(y);
  x->setRange(0, largest > 0 ? largest * 1.05 : 1.0);
  x->applyNiceNumbers();
}

void ResultsView::show_memory(const Estimate& e) {
  QChart* chart = new_chart(
      e.ranks.empty() ? QString("Memory per GPU by pipeline rank")
                      : QString("Memory per GPU by pipeline rank (HBM %1)")
                            .arg(format_gib(bytes(e.hbm_capacity))));
  replace_chart(memory_, chart);
  if (e.ranks.empty()) return;
  auto* series = new QStackedBarSeries();
  QBarSet* sets[] = {new_set("Weights", QColor("#4a90d9")), new_set("Gradients", QColor("#6cc36c")),
                     new_set("Optimizer", QColor("#f2b134")),
                     new_set("Activations", QColor("#e8743b"))};
  QStringList ranks;
  double top = gib(e.hbm_capacity);
  for (const RankReport& r : e.ranks) {
    ranks << QString::number(r.rank);
    *sets[0] << gib(r.memory.weights);
    *sets[1] << gib(r.memory.gradients);
    *sets[2] << gib(r.memory.optimizer);
    *sets[3] << gib(r.memory.activations);
    top = std::max(top, gib(r.memory.total()));
  }
  for (QBarSet* s : sets) series->append(s);
  chart->addSeries(series);
  auto* hbm = new QLineSeries();
  hbm->setName("HBM");  // its capacity is in the title (a legend entry would elide)
  hbm->setPen(QPen(QColor("#b00020"), 2, Qt::DashLine));
  hbm->append(-0.5, gib(e.hbm_capacity));
  hbm->append(static_cast<double>(e.ranks.size()) - 0.5, gib(e.hbm_capacity));
  chart->addSeries(hbm);
  auto* x = new QBarCategoryAxis();
  x->append(ranks);
  x->setTitleText("pipeline rank");
  if (ranks.size() > 10) {  // two-digit ranks in narrow bars: smaller, not elided
    QFont f = x->labelsFont();
    f.setPixelSize(9);
    x->setLabelsFont(f);
  }
  auto* y = new QValueAxis();
  y->setTitleText("GiB");
  y->setRange(0, top * 1.08);
  y->setLabelFormat("%.0f");
  // Ticks every 1, 2 or 5 x 10^k GiB, about five of them.
  double tick = std::pow(10.0, std::floor(std::log10(top / 5)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * tick * 6 >= top) {
      tick *= m;
      break;
    }
  y->setTickType(QValueAxis::TicksDynamic);
  y->setTickAnchor(0);
  y->setTickInterval(tick);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  hbm->attachAxis(x);
  hbm->attachAxis(y);
}

}  // namespace moesim::gui
