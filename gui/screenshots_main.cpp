// moesim-gui-screenshots OUTDIR: renders the studio's main views to PNGs (for
// docs/screenshots/). Run from the source root, headless:
//   QT_QPA_PLATFORM=offscreen build/gui/moesim-gui-screenshots docs/screenshots
#include <QApplication>
#include <QStandardPaths>
#include <QDir>
#include <QEventLoop>
#include <QLineEdit>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "gui/compare_view.h"
#include "gui/scenario_form.h"
#include "gui/studio_window.h"
#include "gui/sweep_controller.h"
#include "gui/sweep_view.h"
#include "gui/timeline_widget.h"
#include "gui/trace_compare_view.h"

namespace {

// Runs the event loop until `signal` of `sender` fires (or 60 s pass).
template <typename Sender, typename Signal>
bool wait_for(Sender* sender, Signal signal) {
  QEventLoop loop;
  bool fired = false;
  QObject::connect(sender, signal, &loop, [&] {
    fired = true;
    loop.quit();
  });
  QTimer::singleShot(60000, &loop, &QEventLoop::quit);
  loop.exec();
  return fired;
}

void settle(int ms = 200) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

// A value typed into the form field bound to `pointer`, committed as Return would.
void type_into(moesim::gui::StudioWindow& w, const char* pointer, const char* text) {
  auto* e = qobject_cast<QLineEdit*>(w.form()->editor(pointer));
  e->setText(text);
  QMetaObject::invokeMethod(e, "editingFinished");
}

bool save(QWidget* w, const QDir& out, const char* name) {
  settle();
  const QString path = out.filePath(name);
  const bool ok = w->grab().save(path, "PNG");
  std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QStandardPaths::setTestModeEnabled(true);  // the default pane widths, no recent files
  if (argc < 2) {
    std::fprintf(stderr, "usage: moesim-gui-screenshots OUTDIR (run from the source root)\n");
    return 2;
  }
  const QDir out(argv[1]);
  if (!out.exists() && !QDir().mkpath(argv[1])) return 1;
  using moesim::gui::StudioWindow;
  StudioWindow w("scenarios");
  w.set_confirm_discard(false);
  w.resize(1600, 1000);
  w.show();
  if (!w.open_scenario("scenarios/deepseek-v3-pretrain-2048xH800.json") ||
      !wait_for(&w, &StudioWindow::results_shown))
    return 1;
  bool ok = save(&w, out, "studio-results.png");

  w.tabs()->setCurrentIndex(1);
  ok &= save(&w, out, "studio-timeline.png");
  // Zoomed into the start of the step: warm-up and the first F&B pairs.
  w.timeline()->set_zoom(w.timeline()->zoom() * 4, 0);
  ok &= save(w.tabs()->currentWidget(), out, "studio-timeline-zoomed.png");

  // An invalid value: the library's message next to the field.
  w.tabs()->setCurrentIndex(0);
  w.set_auto_run(false);
  type_into(w, "/plan/ep", "48");
  ok &= save(&w, out, "studio-form-error.png");
  type_into(w, "/plan/ep", "64");
  // DP typed: the rule EP breaks with it shows at DP, the value just changed.
  type_into(w, "/plan/dp", "30");
  ok &= save(&w, out, "studio-form-error-dp.png");
  type_into(w, "/plan/dp", "128");
  w.set_auto_run(true);

  // What-if sweep: IB bandwidth x EP, cost per run.
  w.tabs()->setCurrentWidget(w.sweep());
  w.sweep()->set_parameter(0, "/cluster/ib_GB_per_s", "25, 40, 50, 75, 100");
  w.sweep()->set_parameter(1, "/plan/ep", "16, 32, 64, 128");
  w.sweep()->set_metric("step_time_s");
  if (!w.sweep()->start() ||
      !wait_for(w.sweep()->controller(), &moesim::gui::SweepController::finished))
    return 1;
  ok &= save(&w, out, "studio-sweep.png");
  // One point opened: the header says which and what it changes.
  w.sweep()->open_row(5);  // IB 40 GB/s, EP 32
  if (!wait_for(&w, &StudioWindow::results_shown)) return 1;
  ok &= save(&w, out, "studio-sweep-point.png");
  w.back_to_scenario();

  // Compare: the headline against other schedules, BF16 and H100.
  w.tabs()->setCurrentWidget(w.compare());
  for (const char* f :
       {"deepseek-v3-pretrain-2048xH800.json", "deepseek-v3-pretrain-2048xH800-1f1b.json",
        "deepseek-v3-pretrain-2048xH800-bf16.json", "deepseek-v3-pretrain-2048xH100.json"})
    w.compare()->add_file(QString("scenarios/") + f);
  while (w.compare()->busy()) settle(50);
  ok &= save(&w, out, "studio-compare.png");

  // des: the simulated step's compute, communication, send and DP tracks.
  w.set_des(true);
  if (!wait_for(&w, &StudioWindow::results_shown)) return 1;
  w.tabs()->setCurrentIndex(1);
  ok &= save(&w, out, "studio-timeline-des.png");
  w.timeline()->set_zoom(w.timeline()->zoom() * 12, 0);
  ok &= save(w.tabs()->currentWidget(), out, "studio-timeline-des-zoomed.png");
  w.set_des(false);
  if (!wait_for(&w, &StudioWindow::results_shown)) return 1;

  // DeepSeek's measured chunk pair beside the simulated one.
  w.tabs()->setCurrentWidget(w.trace_compare());
  if (!w.trace_compare()->compare("validation/traces/deepseek-v3-train-chunkpair-h800.json.gz") ||
      !wait_for(w.trace_compare(), &moesim::gui::TraceCompareView::comparison_shown))
    return 1;
  ok &= save(&w, out, "studio-measured-vs-simulated.png");
  return ok ? 0 : 1;
}
