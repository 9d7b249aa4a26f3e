#pragma once
// The what-if studio's main window. Left: the scenario being edited, as forms
// and as JSON text (kept in sync both ways), with the library's diagnostics
// next to the fields they name and listed below. Right: the results of the
// latest run (figures and charts, pipeline timeline, report), the what-if sweep
// and the comparison of scenarios. Runs and sweeps happen on worker threads;
// the window only displays what arrives.
//
// With auto-run on (the default), every edit that leaves the scenario valid is
// run again at once, so a change shows its effect without a click.

#include <QMainWindow>
#include <QMessageBox>
#include <optional>
#include <QString>

#include "gui/run_controller.h"
#include "sim/report/report.h"

class QCheckBox;
class QComboBox;
class QMenu;
class QSplitter;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QTabWidget;
class QTimer;

namespace moesim::gui {

class CompareView;
class ResultsView;
class ScenarioDocument;
class ScenarioForm;
class SweepView;
class TimelineWidget;
class TraceCompareView;

class StudioWindow : public QMainWindow {
  Q_OBJECT
 public:
  // `scenario_dir` holds the shipped scenarios offered in the picker.
  explicit StudioWindow(const QString& scenario_dir, QWidget* parent = nullptr);

  // Loads a scenario file into the editor and, with auto-run, runs it. Returns
  // false when the file cannot be read (a file that is not a valid scenario
  // loads, with its diagnostics shown).
  bool open_scenario(const QString& path);
  bool save_scenario(const QString& path);
  // Runs the scenario being edited; results arrive through results_shown().
  void run();
  void cancel();
  void set_auto_run(bool on);
  // Runs use the des fidelity instead of the analytic one (re-runs at once).
  void set_des(bool on);
  // Asks before discarding unsaved edits (off in tests).
  void set_confirm_discard(bool on) { confirm_discard_ = on; }
  // Tests: answer the unsaved-changes question (Save, Discard or Cancel)
  // without a dialog.
  void set_unsaved_answer(QMessageBox::StandardButton b) { unsaved_answer_ = b; }
  // Unsaved edits: asks Save / Discard / Cancel. True when the document may
  // be replaced or the window closed (saved, discarded or unmodified).
  bool maybe_discard();
  // The picker's current file (it follows what is loaded or saved).
  QString picker_path() const;
  // Recently opened or saved scenario files, newest first.
  QStringList recent_files() const;
  // The editor pane and the results' widths.
  QList<int> pane_sizes() const;

  // Exports of the result on display; "" on success, else the error.
  QString export_report(ReportFormat format, const QString& path);
  QString export_trace(const QString& path);
  // PNG of a view: "results", "breakdown", "memory", "timeline", "sweep",
  // "compare", "measured" (measured vs simulated).
  // The timeline is the whole step, without its buttons and scroll bars.
  QString export_chart(const QString& view, const QString& path);

  // A sweep point's results on display (opened from the sweep): the header
  // above the results says which point and every value it changes, with
  // Apply to scenario (writes those values into the editor, one undo step)
  // and Back (the scenario's own latest results).
  bool viewing_sweep_point() const;
  QString point_header() const;
  void apply_sweep_point();
  void back_to_scenario();

  ScenarioDocument* document() const { return doc_; }
  ScenarioForm* form() const { return form_; }
  QPlainTextEdit* json_view() const { return json_; }
  ResultsView* results() const { return results_; }
  TimelineWidget* timeline() const { return timeline_; }
  SweepView* sweep() const { return sweep_; }
  CompareView* compare() const { return compare_; }
  TraceCompareView* trace_compare() const { return trace_compare_; }
  RunController* runner() const { return runner_; }
  QTabWidget* tabs() const { return tabs_; }
  QTabWidget* editor_tabs() const { return editor_tabs_; }
  QString status_text() const;

 protected:
  void closeEvent(QCloseEvent* e) override;
  void showEvent(QShowEvent* e) override;

 signals:
  // After the views show a finished run (ok or not).
  void results_shown(moesim::gui::RunResultPtr result);
  void run_cancelled();

 private:
  void build_toolbar();
  void build_menus();
  QWidget* build_editor();
  QWidget* build_point_bar(QWidget* parent);
  QWidget* build_timeline_page();
  QWidget* build_report_page();
  void on_document_changed();
  void on_result(RunResultPtr r);
  void show_result(RunResultPtr r);
  void show_problems();
  void update_title();
  void start_run(const RunRequest& request);
  void open_dialog();
  void save_as_dialog();
  void select_in_picker(const QString& path);
  void remember_recent(const QString& path);
  void rebuild_recent_menu();
  void export_dialog(const QString& kind);

  QString scenario_dir_;
  ScenarioDocument* doc_;
  RunController* runner_;
  ScenarioForm* form_;
  QScrollArea* form_scroll_;
  QPlainTextEdit* json_;
  QListWidget* problems_;
  QTabWidget* editor_tabs_;
  QTabWidget* tabs_;
  ResultsView* results_;
  TimelineWidget* timeline_;
  QPlainTextEdit* report_;
  QWidget* point_bar_;
  QLabel* point_text_;
  RunResultPtr scenario_result_;  // the latest results of the scenario in the editor
  QLabel* timeline_hint_;
  QComboBox* report_format_;
  SweepView* sweep_;
  CompareView* compare_;
  TraceCompareView* trace_compare_;
  QComboBox* picker_;
  QPushButton* run_button_;
  QPushButton* cancel_button_;
  QCheckBox* auto_run_;
  QCheckBox* des_;  // run in des fidelity
  QProgressBar* progress_;
  QLabel* status_;
  QTimer* text_debounce_;
  QTimer* run_debounce_;
  quint64 shown_id_ = 0;  // the run whose results are wanted
  bool confirm_discard_ = true;
  std::optional<QMessageBox::StandardButton> unsaved_answer_;
  QSplitter* split_ = nullptr;
  bool panes_sized_ = false;
  QMenu* recent_menu_ = nullptr;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
};

}  // namespace moesim::gui
