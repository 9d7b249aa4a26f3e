#pragma once
// First window of the what-if studio: pick a shipped scenario (or open one),
// run the analytic estimate, read the report. Errors in the scenario file are
// shown in the window, never as a crash.

#include <QMainWindow>
#include <QString>

class QComboBox;
class QPlainTextEdit;
class QLabel;

namespace moesim::gui {

class ScenarioWindow : public QMainWindow {
  Q_OBJECT
 public:
  // `scenario_dir` holds the shipped scenarios offered in the picker.
  explicit ScenarioWindow(const QString& scenario_dir, QWidget* parent = nullptr);

  // Loads and estimates the scenario at `path`; returns false (and shows the
  // diagnostics) when the file is not a valid scenario.
  bool run_scenario(const QString& path);
  QString report_text() const;
  QString status_text() const;

 private slots:
  void run_selected();
  void open_file();

 private:
  QComboBox* picker_;
  QPlainTextEdit* report_;
  QLabel* status_;
};

}  // namespace moesim::gui
