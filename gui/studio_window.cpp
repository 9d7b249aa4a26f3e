#include "gui/studio_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QShowEvent>
#include <QSettings>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "gui/compare_view.h"
#include "gui/export.h"
#include "gui/format.h"
#include "gui/results_view.h"
#include "gui/scenario_document.h"
#include "gui/scenario_form.h"
#include "gui/sweep_view.h"
#include "gui/timeline_widget.h"
#include "gui/trace_compare_view.h"

namespace moesim::gui {

namespace {

QString timeline_hint(bool des) {
  const QString kinds =
      "F forward, B input gradient, W weight gradient, BW full backward, F&B a forward and a "
      "backward overlapped (F on top, BW below)";
  return des ? QString("des step: per rank its compute (each task in its instruction's colour: "
                       "%1), then EP/TP communication, pipeline sends and DP collectives, as "
                       "`moesim run --fidelity des --trace` writes them; numbers are "
                       "micro-batches (forward|backward of an F&B pair). Wheel zooms, shift+wheel "
                       "or drag scrolls, hover for a task's times.")
                   .arg(kinds)
             : QString("%1. Wheel zooms around the cursor, shift+wheel or drag scrolls, hover "
                       "for times. DualPipe's second direction (micro-batches from N/2) is drawn "
                       "lighter; numbers are micro-batches. Tick des fidelity for the simulated "
                       "step's communication tracks.")
                   .arg(kinds);
}

}  // namespace

StudioWindow::StudioWindow(const QString& scenario_dir, QWidget* parent)
    : QMainWindow(parent),
      scenario_dir_(scenario_dir),
      doc_(new ScenarioDocument(this)),
      runner_(new RunController(this)) {
  text_debounce_ = new QTimer(this);
  text_debounce_->setSingleShot(true);
  text_debounce_->setInterval(300);
  run_debounce_ = new QTimer(this);
  run_debounce_->setSingleShot(true);
  run_debounce_->setInterval(150);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split_ = split;
  split->addWidget(build_editor());
  auto* right = new QWidget(split);
  auto* right_layout = new QVBoxLayout(right);
  right_layout->setContentsMargins(0, 0, 0, 0);
  right_layout->addWidget(build_point_bar(right));
  tabs_ = new QTabWidget(right);
  right_layout->addWidget(tabs_, 1);
  results_ = new ResultsView(tabs_);
  tabs_->addTab(results_, "Results");
  tabs_->addTab(build_timeline_page(), "Pipeline timeline");
  tabs_->addTab(build_report_page(), "Report");
  sweep_ = new SweepView(doc_, tabs_);
  tabs_->addTab(sweep_, "What-if sweep");
  compare_ = new CompareView(scenario_dir, tabs_);
  tabs_->addTab(compare_, "Compare");
  trace_compare_ = new TraceCompareView(doc_, tabs_);
  tabs_->addTab(trace_compare_, "Measured vs simulated");
  split->addWidget(right);
  // The results' pages would otherwise claim their widest content (about
  // 1,150 px) and squeeze the editor to a third of the window.
  tabs_->setMinimumWidth(480);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  setCentralWidget(split);  // the panes' widths are set when first shown (showEvent)

  status_ = new QLabel(this);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 3);
  progress_->setMaximumWidth(220);
  progress_->setTextVisible(true);
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
  build_toolbar();
  build_menus();
  resize(1480, 940);

  connect(doc_, &ScenarioDocument::changed, this, &StudioWindow::on_document_changed);
  connect(doc_, &ScenarioDocument::validated, this, &StudioWindow::show_problems);
  connect(json_, &QPlainTextEdit::textChanged, text_debounce_, qOverload<>(&QTimer::start));
  connect(text_debounce_, &QTimer::timeout, this, [this] { doc_->set_text(json_->toPlainText()); });
  connect(run_debounce_, &QTimer::timeout, this, &StudioWindow::run);
  connect(runner_, &RunController::progress, this,
          [this](quint64 id, int done, int total, const QString& step) {
            if (id != shown_id_) return;
            progress_->setRange(0, total);
            progress_->setValue(done);
            progress_->setFormat(step);
          });
  connect(runner_, &RunController::finished, this, &StudioWindow::on_result);
  connect(runner_, &RunController::cancelled, this, [this](quint64 id) {
    if (id != shown_id_) return;
    run_button_->setEnabled(true);
    cancel_button_->setEnabled(false);
    progress_->setValue(0);
    progress_->setFormat("cancelled");
    status_->setText("Run cancelled; the results shown are from the previous run.");
    emit run_cancelled();
  });
  connect(sweep_, &SweepView::open_point, this, [this](const RunRequest& r) {
    start_run(r);
    tabs_->setCurrentWidget(results_);
  });
  connect(compare_, &CompareView::add_current_requested, this, [this] {
    RunRequest r;
    r.label = QFileInfo(doc_->path()).completeBaseName() + (doc_->modified() ? " (edited)" : "");
    r.text = doc_->text().toStdString();
    r.file = doc_->file();
    r.base_dir = doc_->base_dir();
    compare_->add(r);
  });
  update_title();
}

// Above the results while they are a sweep point's: which point, what it
// changes, and the way back or forward to the scenario.
QWidget* StudioWindow::build_point_bar(QWidget* parent) {
  point_bar_ = new QFrame(parent);
  point_bar_->setObjectName("sweep_point_bar");
  point_bar_->setStyleSheet(
      "#sweep_point_bar { background: #fff4d6; border: 1px solid #e0b84c; border-radius: 3px; }");
  auto* bar_layout = new QHBoxLayout(point_bar_);
  point_text_ = new QLabel(point_bar_);
  point_text_->setWordWrap(true);
  point_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* apply = new QPushButton("Apply to scenario", point_bar_);
  apply->setToolTip("Write this point's values into the scenario being edited (Undo takes them back)");
  auto* back = new QPushButton("Back to scenario", point_bar_);
  back->setToolTip("Show the results of the scenario being edited again");
  bar_layout->addWidget(point_text_, 1);
  bar_layout->addWidget(apply);
  bar_layout->addWidget(back);
  point_bar_->hide();
  connect(apply, &QPushButton::clicked, this, &StudioWindow::apply_sweep_point);
  connect(back, &QPushButton::clicked, this, &StudioWindow::back_to_scenario);
  return point_bar_;
}

QWidget* StudioWindow::build_editor() {
  auto* panel = new QWidget(this);
  auto* v = new QVBoxLayout(panel);
  v->setContentsMargins(0, 0, 0, 0);
  editor_tabs_ = new QTabWidget(panel);
  form_ = new ScenarioForm(doc_);
  form_scroll_ = new QScrollArea(editor_tabs_);
  form_scroll_->setWidget(form_);
  form_scroll_->setWidgetResizable(true);
  editor_tabs_->addTab(form_scroll_, "Scenario");
  json_ = new QPlainTextEdit(editor_tabs_);
  json_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  json_->setLineWrapMode(QPlainTextEdit::NoWrap);
  editor_tabs_->addTab(json_, "JSON");
  v->addWidget(editor_tabs_, 1);
  v->addWidget(new QLabel("Problems (click to go to the field):", panel));
  problems_ = new QListWidget(panel);
  problems_->setMaximumHeight(120);
  problems_->setWordWrap(true);
  v->addWidget(problems_);
  connect(problems_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    std::string p = item->data(Qt::UserRole).toString().toStdString();
    QWidget* w = nullptr;
    while (!w && !p.empty()) {
      w = form_->editor(p);
      if (!w) p = p.substr(0, p.rfind('/'));
    }
    if (!w) {
      editor_tabs_->setCurrentWidget(json_);
      return;
    }
    editor_tabs_->setCurrentWidget(form_scroll_);
    form_scroll_->ensureWidgetVisible(w);
    w->setFocus();
  });
  return panel;
}

QWidget* StudioWindow::build_timeline_page() {
  auto* page = new QWidget(this);
  auto* v = new QVBoxLayout(page);
  auto* bar = new QHBoxLayout();
  timeline_ = new TimelineWidget(page);
  auto* in = new QPushButton("Zoom in", page);
  auto* out = new QPushButton("Zoom out", page);
  auto* fit = new QPushButton("Fit", page);
  bar->addWidget(in);
  bar->addWidget(out);
  bar->addWidget(fit);
  bar->addSpacing(16);
  struct Key {
    const char* name;
    QColor color;
  };
  // Short names (the pane may be narrow); the hint below says the rest.
  const Key keys[] = {{"F", TimelineWidget::color(InstructionKind::kForward)},
                      {"B", TimelineWidget::color(InstructionKind::kBackwardInput)},
                      {"W", TimelineWidget::color(InstructionKind::kBackwardWeight)},
                      {"BW", TimelineWidget::color(InstructionKind::kBackwardFull)},
                      {"F&B", TimelineWidget::color(InstructionKind::kForwardBackward)},
                      {"DP sync", QColor("#b0b0b0")},
                      {"optimizer", QColor("#555555")}};
  for (const Key& k : keys) {
    auto* swatch = new QLabel(page);
    swatch->setFixedSize(14, 14);
    swatch->setStyleSheet(QString("background: %1; border: 1px solid #888;").arg(k.color.name()));
    if (k.color == TimelineWidget::color(InstructionKind::kForwardBackward))  // drawn as F over BW
      swatch->setStyleSheet(
          QString("border: 1px solid #888; background: qlineargradient(x1:0, y1:0, x2:0, y2:1, "
                  "stop:0 %1, stop:0.5 %1, stop:0.51 %2, stop:1 %2);")
              .arg(TimelineWidget::color(InstructionKind::kForward).name(),
                   TimelineWidget::color(InstructionKind::kBackwardFull).name()));
    bar->addWidget(swatch);
    bar->addWidget(new QLabel(k.name, page));
    bar->addSpacing(6);
  }
  bar->addStretch(1);
  v->addLayout(bar);
  timeline_hint_ = new QLabel(timeline_hint(false), page);
  timeline_hint_->setStyleSheet("color: #666;");
  timeline_hint_->setWordWrap(true);
  v->addWidget(timeline_hint_);
  v->addWidget(timeline_, 1);
  connect(in, &QPushButton::clicked, timeline_, &TimelineWidget::zoom_in);
  connect(out, &QPushButton::clicked, timeline_, &TimelineWidget::zoom_out);
  connect(fit, &QPushButton::clicked, timeline_, &TimelineWidget::fit);
  return page;
}

QWidget* StudioWindow::build_report_page() {
  auto* page = new QWidget(this);
  auto* v = new QVBoxLayout(page);
  auto* bar = new QHBoxLayout();
  report_format_ = new QComboBox(page);
  report_format_->addItem("Text", static_cast<int>(ReportFormat::kText));
  report_format_->addItem("Markdown", static_cast<int>(ReportFormat::kMarkdown));
  report_format_->addItem("JSON", static_cast<int>(ReportFormat::kJson));
  bar->addWidget(new QLabel("Format (as moesim run --format):", page));
  bar->addWidget(report_format_);
  bar->addStretch(1);
  v->addLayout(bar);
  report_ = new QPlainTextEdit(page);
  report_->setReadOnly(true);
  report_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  report_->setLineWrapMode(QPlainTextEdit::NoWrap);
  v->addWidget(report_, 1);
  connect(report_format_, &QComboBox::currentIndexChanged, this, [this] {
    const RunResultPtr r = results_->result();
    report_->setPlainText(
        r ? report_text(*r, static_cast<ReportFormat>(report_format_->currentData().toInt()))
          : QString());
  });
  return page;
}

void StudioWindow::build_toolbar() {
  QToolBar* tb = addToolBar("Scenario");
  tb->setMovable(false);
  tb->addWidget(new QLabel(" Scenario: ", tb));
  picker_ = new QComboBox(tb);
  picker_->setMinimumWidth(320);
  const QDir dir(scenario_dir_);
  for (const QString& f : dir.entryList({"*.json"}, QDir::Files, QDir::Name))
    picker_->addItem(f, dir.filePath(f));
  tb->addWidget(picker_);
  connect(picker_, &QComboBox::activated, this, [this] {
    const QString path = picker_->currentData().toString();
    if (path != doc_->path() && maybe_discard()) open_scenario(path);
  });
  auto* open = new QPushButton("Open...", tb);
  auto* save = new QPushButton("Save", tb);
  auto* save_as = new QPushButton("Save as...", tb);
  run_button_ = new QPushButton("Run", tb);
  cancel_button_ = new QPushButton("Cancel", tb);
  cancel_button_->setEnabled(false);
  auto_run_ = new QCheckBox("Auto-run on edit", tb);
  auto_run_->setChecked(true);
  des_ = new QCheckBox("des fidelity", tb);
  des_->setToolTip(
      "Run the step on the discrete-event engine with EP collectives simulated on the "
      "network (about half a second) instead of the closed form");
  for (QWidget* w : std::initializer_list<QWidget*>{open, save, save_as}) tb->addWidget(w);
  tb->addSeparator();
  for (QWidget* w : std::initializer_list<QWidget*>{run_button_, cancel_button_, auto_run_, des_})
    tb->addWidget(w);
  connect(des_, &QCheckBox::toggled, this, [this] {
    if (doc_->scenario()) run();
  });
  connect(open, &QPushButton::clicked, this, &StudioWindow::open_dialog);
  connect(save, &QPushButton::clicked, this, [this] { save_scenario(doc_->path()); });
  connect(save_as, &QPushButton::clicked, this, &StudioWindow::save_as_dialog);
  connect(run_button_, &QPushButton::clicked, this, &StudioWindow::run);
  connect(cancel_button_, &QPushButton::clicked, this, &StudioWindow::cancel);
}

void StudioWindow::open_dialog() {
  if (!maybe_discard()) return;
  const QString p =
      QFileDialog::getOpenFileName(this, "Open scenario", scenario_dir_, "Scenarios (*.json)");
  if (!p.isEmpty()) open_scenario(p);
}

void StudioWindow::save_as_dialog() {
  const QString p =
      QFileDialog::getSaveFileName(this, "Save scenario as", doc_->path(), "Scenarios (*.json)");
  if (!p.isEmpty()) save_scenario(p);
}

void StudioWindow::build_menus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("&Open...", QKeySequence::Open, this, &StudioWindow::open_dialog);
  recent_menu_ = file->addMenu("Open &recent");
  rebuild_recent_menu();
  file->addAction("&Save", QKeySequence::Save, this, [this] { save_scenario(doc_->path()); });
  file->addAction("Save &as...", QKeySequence::SaveAs, this, &StudioWindow::save_as_dialog);
  file->addAction("Import measured trace...", this, [this] {
    tabs_->setCurrentWidget(trace_compare_);
    trace_compare_->import_dialog();
  });
  file->addSeparator();
  file->addAction("Export report (Markdown)...", this, [this] { export_dialog("md"); });
  file->addAction("Export report (JSON)...", this, [this] { export_dialog("json"); });
  file->addAction("Export trace (Chrome JSON)...", this, [this] { export_dialog("trace"); });
  file->addAction("Export current view (PNG)...", this, [this] { export_dialog("png"); });
  file->addSeparator();
  file->addAction("Quit", QKeySequence::Quit, this, &QWidget::close);
  QMenu* edit = menuBar()->addMenu("&Edit");
  undo_ = edit->addAction("&Undo", QKeySequence::Undo, doc_, &ScenarioDocument::undo);
  redo_ = edit->addAction("&Redo", QKeySequence::Redo, doc_, &ScenarioDocument::redo);
  // The JSON view keeps its own typing undo while it has the focus.
  undo_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  redo_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  form_scroll_->addAction(undo_);
  form_scroll_->addAction(redo_);
  auto sync = [this] {
    undo_->setEnabled(doc_->can_undo());
    redo_->setEnabled(doc_->can_redo());
  };
  connect(doc_, &ScenarioDocument::history_changed, this, sync);
  sync();
  QMenu* run = menuBar()->addMenu("&Run");
  run->addAction("Run", QKeySequence("Ctrl+R"), this, &StudioWindow::run);
  run->addAction("Cancel", QKeySequence("Esc"), this, &StudioWindow::cancel);
  QMenu* help = menuBar()->addMenu("&Help");
  help->addAction("About moesim studio", this, [this] {
    QMessageBox::about(this, "About moesim studio",
                       QString("moesim %1: a simulator of Mixture-of-Experts training "
                               "clusters.\n\nThe scenario format, reports and validation are "
                               "documented in the README and docs/ of the source tree.")
                           .arg(kMoesimVersion));
  });
}

QString StudioWindow::picker_path() const { return picker_->currentData().toString(); }

QList<int> StudioWindow::pane_sizes() const { return split_->sizes(); }

QStringList StudioWindow::recent_files() const {
  return QSettings().value("studio/recent_files").toStringList();
}

void StudioWindow::remember_recent(const QString& path) {
  const QString p = QFileInfo(path).absoluteFilePath();
  QStringList r = recent_files();
  r.removeAll(p);
  r.prepend(p);
  while (r.size() > 8) r.removeLast();
  QSettings().setValue("studio/recent_files", r);
  rebuild_recent_menu();
}

void StudioWindow::rebuild_recent_menu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  for (const QString& p : recent_files())
    recent_menu_->addAction(p, this, [this, p] {
      if (p != doc_->path() && maybe_discard()) open_scenario(p);
    });
  recent_menu_->setEnabled(!recent_menu_->isEmpty());
}

// The picker shows the loaded file: its entry when it is one of the shipped
// scenarios (same file, however the path is written), else an entry added
// for it.
void StudioWindow::select_in_picker(const QString& path) {
  const QString want = QFileInfo(path).canonicalFilePath();
  const QSignalBlocker block(picker_);
  for (int i = 0; i < picker_->count(); ++i)
    if (QFileInfo(picker_->itemData(i).toString()).canonicalFilePath() == want) {
      picker_->setCurrentIndex(i);
      return;
    }
  picker_->insertItem(0, QFileInfo(path).fileName(), path);
  picker_->setCurrentIndex(0);
}

void StudioWindow::showEvent(QShowEvent* e) {
  QMainWindow::showEvent(e);
  if (panes_sized_) return;
  panes_sized_ = true;
  // Wide enough for the form's labels, values and errors; then as the user
  // left it last time.
  // Once the splitter has laid itself out for its first show (it would
  // otherwise redistribute by its widgets' size hints).
  QTimer::singleShot(0, this, [this] {
    QList<int> sizes{620, std::max(400, split_->width() - 620)};
    const QList<QVariant> saved = QSettings().value("studio/pane_sizes").toList();
    if (saved.size() == 2 && saved[0].toInt() > 100 && saved[1].toInt() > 100)
      sizes = {saved[0].toInt(), saved[1].toInt()};
    split_->setSizes(sizes);
  });
}

void StudioWindow::closeEvent(QCloseEvent* e) {
  if (!maybe_discard()) {
    e->ignore();
    return;
  }
  const QList<int> sizes = split_->sizes();
  QSettings().setValue("studio/pane_sizes", QVariantList{sizes.value(0), sizes.value(1)});
  e->accept();
}

bool StudioWindow::open_scenario(const QString& path) {
  if (!doc_->load(path)) {
    status_->setText(QString("Cannot open %1").arg(path));
    return false;
  }
  select_in_picker(path);
  remember_recent(path);
  return true;
}

bool StudioWindow::save_scenario(const QString& path) {
  QString error;
  if (!doc_->save(path, &error)) {
    status_->setText("Not saved: " + error);
    if (isVisible()) QMessageBox::warning(this, "Save", "Not saved: " + error);
    return false;
  }
  status_->setText(QString("Saved %1").arg(path));
  select_in_picker(path);
  remember_recent(path);
  update_title();
  return true;
}

bool StudioWindow::maybe_discard() {
  if (!doc_->modified() || !confirm_discard_) return true;
  const QMessageBox::StandardButton b =
      unsaved_answer_ ? *unsaved_answer_
                      : QMessageBox::question(
                            this, "Unsaved changes",
                            QString("%1 has changes that are not saved.")
                                .arg(QFileInfo(doc_->path()).fileName()),
                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                            QMessageBox::Save);
  if (b == QMessageBox::Save) return save_scenario(doc_->path());
  return b == QMessageBox::Discard;
}

void StudioWindow::set_auto_run(bool on) { auto_run_->setChecked(on); }
void StudioWindow::set_des(bool on) { des_->setChecked(on); }

QString StudioWindow::status_text() const { return status_->text(); }

void StudioWindow::on_document_changed() {
  // The text view shows the document unless the change came from it.
  if (json_->toPlainText() != doc_->text()) {
    const QSignalBlocker block(json_);
    const int pos = json_->textCursor().position();
    json_->setPlainText(doc_->text());
    QTextCursor c = json_->textCursor();
    c.setPosition(std::min(pos, static_cast<int>(doc_->text().size())));
    json_->setTextCursor(c);
  }
  update_title();
  if (auto_run_->isChecked() && doc_->scenario()) run_debounce_->start();
}

void StudioWindow::show_problems() {
  problems_->clear();
  for (const Diagnostic& d : doc_->diagnostics().items()) {
    auto* item = new QListWidgetItem(QString::fromStdString(d.to_string()), problems_);
    item->setData(Qt::UserRole, QString::fromStdString(doc_->cause_pointer(d)));
    item->setForeground(QColor("#b00020"));
  }
  const size_t n = doc_->diagnostics().size();
  results_->set_stale(n > 0);
  if (n == 0 && status_->text().startsWith("The scenario has"))
    status_->setText("The scenario is valid.");
  if (n > 0)
    status_->setText(QString("The scenario has %1 problem%2; results shown are from the last "
                             "valid run.")
                         .arg(n)
                         .arg(n == 1 ? "" : "s"));
}

void StudioWindow::update_title() {
  setWindowTitle(QString("moesim studio — %1%2")
                     .arg(QFileInfo(doc_->path()).fileName(), doc_->modified() ? " *" : ""));
}

void StudioWindow::run() {
  run_debounce_->stop();
  if (text_debounce_->isActive()) {  // typing not yet read: read it now
    text_debounce_->stop();
    doc_->set_text(json_->toPlainText());
  }
  RunRequest r;
  r.label = QFileInfo(doc_->path()).fileName() + (doc_->modified() ? " (edited)" : "");
  r.text = doc_->text().toStdString();
  r.file = doc_->file();
  r.base_dir = doc_->base_dir();
  r.des = des_->isChecked();
  start_run(r);
}

void StudioWindow::start_run(const RunRequest& request) {
  runner_->cancel();  // older runs are no longer wanted
  shown_id_ = runner_->start(request);
  run_button_->setEnabled(false);
  cancel_button_->setEnabled(true);
  progress_->setValue(0);
  progress_->setFormat("queued");
  status_->setText(QString("Running %1...").arg(request.label));
}

void StudioWindow::cancel() { runner_->cancel(); }

void StudioWindow::on_result(RunResultPtr r) {
  if (r->id != shown_id_) return;  // superseded by a newer run
  run_button_->setEnabled(true);
  cancel_button_->setEnabled(false);
  show_result(r);
  emit results_shown(r);
}

bool StudioWindow::viewing_sweep_point() const { return !point_bar_->isHidden(); }

QString StudioWindow::point_header() const { return point_text_->text(); }

void StudioWindow::apply_sweep_point() {
  const RunResultPtr r = results_->result();
  if (!r || !r->request.sweep_point) return;
  std::vector<std::pair<std::string, OrderedJson>> values;
  for (const ChangedValue& c : r->request.sweep_point->changes)
    values.emplace_back(c.pointer, OrderedJson::parse(c.after.dump()));
  doc_->set_values(values);
  status_->setText(QString("Applied sweep point %1 to the scenario: %2 (Undo takes it back)")
                       .arg(r->request.sweep_point->index)
                       .arg(changes_text(*r->request.sweep_point)));
  run();  // the results are the scenario's again
}

void StudioWindow::back_to_scenario() {
  // The scenario's latest results, unless the editor or the fidelity moved on.
  if (scenario_result_ && scenario_result_->request.text == doc_->text().toStdString() &&
      scenario_result_->request.des == des_->isChecked()) {
    runner_->cancel();  // a point still running is no longer wanted
    run_button_->setEnabled(true);
    cancel_button_->setEnabled(false);
    shown_id_ = scenario_result_->id;
    show_result(scenario_result_);
    emit results_shown(scenario_result_);
  } else {
    run();
  }
}

void StudioWindow::show_result(RunResultPtr r) {
  const std::optional<SweepPointSource>& point = r->request.sweep_point;
  point_bar_->setVisible(point.has_value());
  if (point) {
    point_text_->setText(
        QString("<b>Viewing sweep point %1</b> of %2, not the scenario in the editor. "
                "Changed: %3.")
            .arg(point->index)
            .arg(QFileInfo(QString::fromStdString(point->base_file)).fileName().toHtmlEscaped(),
                 changes_text(*point).toHtmlEscaped()));
  } else {
    scenario_result_ = r;
  }
  timeline_hint_->setText(timeline_hint(r->des_step != nullptr));
  if (r->ok) {
    results_->set_result(r);
    timeline_->set_result(r);
    report_->setPlainText(
        report_text(*r, static_cast<ReportFormat>(report_format_->currentData().toInt())));
    const Estimate& e = r->estimate;
    status_->setText(QString("%1: step %2, MFU %3, %4 GPU-hours, %5%6 (ran in %7)")
                         .arg(r->request.label, format_seconds(seconds(e.step_time)),
                              format_percent(e.mfu), format_si(e.gpu_hours), format_usd(e.cost_usd),
                              e.fits ? QString() : QString(", does not fit in memory"),
                              format_seconds(r->elapsed_s)));
  } else {
    results_->set_result(r);
    timeline_->set_result(nullptr);
    report_->setPlainText(QString::fromStdString(r->error.empty() ? r->diagnostics.to_string()
                                                                  : "internal error: " + r->error));
    status_->setText(QString("%1 was not run: %2")
                         .arg(r->request.label, r->error.empty()
                                                    ? QString("the scenario has errors")
                                                    : QString::fromStdString(r->error)));
  }
}

QString StudioWindow::export_report(ReportFormat format, const QString& path) {
  const RunResultPtr r = results_->result();
  return r ? gui::export_report(*r, format, path) : QString("there are no results to export");
}

QString StudioWindow::export_trace(const QString& path) {
  const RunResultPtr r = results_->result();
  return r ? gui::export_trace(*r, path) : QString("there is no timeline to export");
}

QString StudioWindow::export_chart(const QString& view, const QString& path) {
  QWidget* w = nullptr;
  QWidget* tab = nullptr;
  if (view == "results") w = tab = results_;
  if (view == "breakdown") tab = results_, w = results_->breakdown_chart();
  if (view == "memory") tab = results_, w = results_->memory_chart();
  if (view == "timeline") {
    tabs_->setCurrentWidget(timeline_->parentWidget());
    QCoreApplication::sendPostedEvents();
    const QImage img = timeline_->render(std::max(1200, timeline_->viewport()->width()));
    if (!img.save(path, "PNG")) return QString("cannot write %1").arg(path);
    return {};
  }
  if (view == "sweep") w = tab = sweep_;
  if (view == "compare") w = tab = compare_;
  if (view == "measured") w = tab = trace_compare_;
  if (!w) return QString("unknown view \"%1\"").arg(view);
  tabs_->setCurrentWidget(tab);
  QCoreApplication::sendPostedEvents();
  return export_png(w, path);
}

void StudioWindow::export_dialog(const QString& kind) {
  const QString base = QFileInfo(doc_->path()).completeBaseName();
  QString path, error;
  if (kind == "md" || kind == "json") {
    path = QFileDialog::getSaveFileName(this, "Export report", base + "." + kind,
                                        kind == "md" ? "Markdown (*.md)" : "JSON (*.json)");
    if (path.isEmpty()) return;
    error = export_report(kind == "md" ? ReportFormat::kMarkdown : ReportFormat::kJson, path);
  } else if (kind == "trace") {
    path = QFileDialog::getSaveFileName(this, "Export trace", base + ".trace.json",
                                        "Chrome trace (*.json)");
    if (path.isEmpty()) return;
    error = export_trace(path);
  } else {
    path = QFileDialog::getSaveFileName(this, "Export view", base + ".png", "PNG (*.png)");
    if (path.isEmpty()) return;
    error = tabs_->currentWidget() == timeline_->parentWidget() ? export_chart("timeline", path)
                                       : export_png(tabs_->currentWidget(), path);
  }
  if (!error.isEmpty()) {
    QMessageBox::warning(this, "Export", error);
  } else {
    status_->setText("Exported " + path);
  }
}

}  // namespace moesim::gui
