#include "gui/scenario_window.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::gui {

ScenarioWindow::ScenarioWindow(const QString& scenario_dir, QWidget* parent)
    : QMainWindow(parent) {
  setWindowTitle("moesim");
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  auto* bar = new QHBoxLayout();
  picker_ = new QComboBox(central);
  QDir dir(scenario_dir);
  for (const QString& f : dir.entryList({"*.json"}, QDir::Files, QDir::Name))
    picker_->addItem(f, dir.filePath(f));
  auto* run = new QPushButton("Run", central);
  auto* open = new QPushButton("Open...", central);
  bar->addWidget(new QLabel("Scenario:", central));
  bar->addWidget(picker_, 1);
  bar->addWidget(run);
  bar->addWidget(open);
  layout->addLayout(bar);
  report_ = new QPlainTextEdit(central);
  report_->setReadOnly(true);
  report_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  report_->setLineWrapMode(QPlainTextEdit::NoWrap);
  layout->addWidget(report_, 1);
  status_ = new QLabel(central);
  layout->addWidget(status_);
  setCentralWidget(central);
  resize(1100, 800);
  connect(run, &QPushButton::clicked, this, &ScenarioWindow::run_selected);
  connect(open, &QPushButton::clicked, this, &ScenarioWindow::open_file);
}

bool ScenarioWindow::run_scenario(const QString& path) {
  try {
    const Scenario s = load_scenario(path.toStdString());
    const Estimate e = estimate(s);
    report_->setPlainText(QString::fromStdString(render_estimate(s, e, ReportFormat::kText)));
    status_->setText(QString("step %1 s, %2 GPU-hours, $%3%4")
                         .arg(seconds(e.step_time), 0, 'f', 2)
                         .arg(e.gpu_hours, 0, 'f', 0)
                         .arg(e.cost_usd, 0, 'f', 0)
                         .arg(e.fits ? "" : "  (does not fit in memory)"));
    return true;
  } catch (const InputError& err) {
    report_->setPlainText(QString::fromStdString(err.what()));
    status_->setText("the scenario has errors");
  } catch (const std::exception& err) {
    report_->setPlainText(QString("internal error: ") + err.what());
    status_->setText("internal error");
  }
  return false;
}

QString ScenarioWindow::report_text() const { return report_->toPlainText(); }
QString ScenarioWindow::status_text() const { return status_->text(); }

void ScenarioWindow::run_selected() {
  if (picker_->count() > 0) run_scenario(picker_->currentData().toString());
}

void ScenarioWindow::open_file() {
  const QString path =
      QFileDialog::getOpenFileName(this, "Open scenario", QString(), "Scenarios (*.json)");
  if (!path.isEmpty()) run_scenario(path);
}

}  // namespace moesim::gui
