#include "gui/compare_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "gui/compare_model.h"

namespace moesim::gui {

CompareView::CompareView(const QString& scenario_dir, QWidget* parent)
    : QWidget(parent), runner_(new RunController(this)), model_(new CompareModel(this)) {
  auto* layout = new QHBoxLayout(this);
  auto* side = new QWidget(this);
  auto* sv = new QVBoxLayout(side);
  sv->setContentsMargins(0, 0, 0, 0);
  sv->addWidget(new QLabel("Scenarios (the first is the baseline):", side));
  list_ = new QListWidget(side);
  sv->addWidget(list_, 1);
  auto* add_current = new QPushButton("Add the scenario being edited", side);
  sv->addWidget(add_current);
  shipped_ = new QComboBox(side);
  const QDir dir(scenario_dir);
  for (const QString& f : dir.entryList({"*.json"}, QDir::Files, QDir::Name))
    shipped_->addItem(f, dir.filePath(f));
  auto* add_shipped = new QPushButton("Add", side);
  auto* row = new QHBoxLayout();
  row->addWidget(shipped_, 1);
  row->addWidget(add_shipped);
  sv->addLayout(row);
  auto* add_file_button = new QPushButton("Add a file...", side);
  auto* remove_button = new QPushButton("Remove", side);
  auto* clear_button = new QPushButton("Clear", side);
  sv->addWidget(add_file_button);
  auto* row2 = new QHBoxLayout();
  row2->addWidget(remove_button);
  row2->addWidget(clear_button);
  sv->addLayout(row2);
  only_diff_ = new QCheckBox("Only rows that differ", side);
  sv->addWidget(only_diff_);
  side->setMaximumWidth(300);
  layout->addWidget(side);

  auto* split = new QSplitter(Qt::Vertical, this);
  auto* top = new QWidget(split);
  auto* tv = new QVBoxLayout(top);
  tv->setContentsMargins(0, 0, 0, 0);
  message_ = new QLabel("Add two or more scenarios to compare them.", top);
  tv->addWidget(message_);
  table_ = new QTableView(top);
  table_->setModel(model_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setDefaultSectionSize(22);
  tv->addWidget(table_, 1);
  chart_ = new QChartView(new QChart(), split);
  chart_->setRenderHint(QPainter::Antialiasing);
  split->addWidget(top);
  split->addWidget(chart_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);

  connect(add_current, &QPushButton::clicked, this, &CompareView::add_current_requested);
  connect(add_shipped, &QPushButton::clicked, this,
          [this] { add_file(shipped_->currentData().toString()); });
  connect(add_file_button, &QPushButton::clicked, this, [this] {
    const QString p =
        QFileDialog::getOpenFileName(this, "Add scenario", QString(), "Scenarios (*.json)");
    if (!p.isEmpty()) this->add_file(p);
  });
  connect(remove_button, &QPushButton::clicked, this,
          [this] { this->remove(list_->currentRow()); });
  connect(clear_button, &QPushButton::clicked, this, &CompareView::clear);
  connect(only_diff_, &QCheckBox::toggled, model_, &CompareModel::set_only_differences);
  connect(runner_, &RunController::finished, this, &CompareView::arrived);
  refresh();
}

bool CompareView::busy() const { return runner_->busy(); }

void CompareView::add(const RunRequest& request) {
  Entry e;
  e.request = request;
  e.id = runner_->start(request);
  entries_.push_back(e);
  list_->addItem(request.label);
  refresh();
}

bool CompareView::add_file(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    message_->setText(QString("cannot open %1: %2").arg(path, f.errorString()));
    return false;
  }
  RunRequest r;
  r.label = QFileInfo(path).completeBaseName();
  r.text = f.readAll().toStdString();
  r.file = path.toStdString();
  r.base_dir = QFileInfo(path).path().toStdString();
  add(r);
  return true;
}

void CompareView::remove(int i) {
  if (i < 0 || i >= count()) return;
  entries_.erase(entries_.begin() + i);
  delete list_->takeItem(i);
  refresh();
}

void CompareView::clear() {
  entries_.clear();
  list_->clear();
  refresh();
}

void CompareView::arrived(RunResultPtr r) {
  for (Entry& e : entries_)
    if (e.id == r->id) e.result = r;
  refresh();
}

void CompareView::refresh() {
  std::vector<RunResultPtr> results;
  for (const Entry& e : entries_) results.push_back(e.result);
  model_->set_results(results);
  int bad = 0;
  for (int i = 0; i < count(); ++i) {
    const RunResultPtr& r = entries_[static_cast<size_t>(i)].result;
    const bool invalid = r && !r->ok;
    bad += invalid;
    list_->item(i)->setForeground(invalid ? QColor("#b00020") : palette().color(QPalette::Text));
    list_->item(i)->setToolTip(
        invalid ? QString::fromStdString(r->diagnostics.to_string() + r->error) : QString());
  }
  message_->setText(count() < 2 ? "Add two or more scenarios to compare them."
                                : QString("Cells that differ from %1 are highlighted.%2")
                                      .arg(entries_.front().request.label)
                                      .arg(bad ? QString(" %1 scenario(s) are invalid: see their "
                                                         "tooltips.")
                                                     .arg(bad)
                                               : QString()));

  // Step-time breakdown of each scenario, stacked.
  auto* chart = new QChart();
  chart->setTitle("Step time by scenario");
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignRight);
  QChart* old = chart_->chart();
  chart_->setChart(chart);
  delete old;
  struct Part {
    const char* name;
    const char* color;
    Seconds TimeBreakdown::*field;
  };
  const Part parts[] = {{"Compute", "#4a90d9", &TimeBreakdown::compute},
                        {"Exposed comm", "#e8743b", &TimeBreakdown::exposed_comm},
                        {"Bubble", "#c9c9c9", &TimeBreakdown::bubble},
                        {"DP sync", "#9b59b6", &TimeBreakdown::dp_sync},
                        {"Optimizer", "#555555", &TimeBreakdown::optimizer}};
  auto* series = new QStackedBarSeries();
  QStringList names;
  for (const Part& p : parts) {
    auto* set = new QBarSet(p.name);
    set->setColor(QColor(p.color));
    for (const Entry& e : entries_)
      *set << (e.result && e.result->ok ? seconds(e.result->estimate.breakdown.*p.field) : 0.0);
    series->append(set);
  }
  // Numbered: a category axis merges equal labels.
  const QStringList labels = short_labels(model_->labels());
  for (int i = 0; i < labels.size(); ++i) names << QString("%1. %2").arg(i + 1).arg(labels[i]);
  if (entries_.empty()) {
    delete series;
    emit updated();
    return;
  }
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis();
  x->append(names);
  auto* y = new QValueAxis();
  y->setTitleText("s / step");
  y->setLabelFormat("%.1f");
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  double top = 0;
  for (const Entry& e : entries_)
    if (e.result && e.result->ok)
      top = std::max(top, seconds(e.result->estimate.breakdown.total()));
  y->setRange(0, top > 0 ? top * 1.05 : 1.0);
  if (top > 0) y->applyNiceNumbers();
  emit updated();
}

}  // namespace moesim::gui
