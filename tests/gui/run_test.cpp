// Running: the headline runs on the worker thread, the window stays responsive,
// and the results (figures, charts, per-rank table, timeline) come from it.
#include <QChart>
#include <QChartView>
#include <QImage>
#include <QLineEdit>
#include <QtTest/QtTest>

#include "gui/rank_table_model.h"
#include "gui/results_view.h"
#include "gui/scenario_document.h"
#include "gui/scenario_form.h"
#include "gui/timeline_widget.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

namespace {

// True when the image has more than a handful of distinct colours (not blank).
bool looks_drawn(const QImage& img) {
  QSet<QRgb> colors;
  for (int y = 0; y < img.height(); y += 7)
    for (int x = 0; x < img.width(); x += 7) colors.insert(img.pixel(x, y));
  return colors.size() > 8;
}

}  // namespace

class RunTest : public QObject {
  Q_OBJECT
 private slots:
  void runsTheHeadlineWithoutStallingTheWindow() {
    StudioWindow w("scenarios");
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    StallMeter meter;
    QVERIFY(w.open_scenario(kHeadline));  // auto-run
    QVERIFY(shown.wait(20000));
    QTest::qWait(50);  // let the views paint the results
    const qint64 stall = meter.max_gap_ms();
    qInfo("longest GUI-thread gap during the headline run: %lld ms (timer interval 10 ms)",
          static_cast<long long>(stall));
    QVERIFY2(stall < kMaxStallMs, qPrintable(QString("GUI thread stalled %1 ms").arg(stall)));

    const RunResultPtr r = shown.takeFirst().at(0).value<RunResultPtr>();
    QVERIFY(r && r->ok);
    QVERIFY(w.results()->figure("Step time").endsWith(" s"));
    QVERIFY(w.results()->figure("MFU").endsWith("%"));
    QVERIFY(w.results()->figure("Cost").startsWith("$"));
    QVERIFY(w.results()->figure("Memory per GPU").contains("fits"));
    QVERIFY(!w.results()->figure("GPU-hours").isEmpty());
    QCOMPARE(w.results()->rank_model()->rowCount(), 16);
    QCOMPARE(w.results()->breakdown_chart()->chart()->series().size(), 1);
    QCOMPARE(w.results()->memory_chart()->chart()->series().size(), 2);  // bars + HBM line
    QVERIFY(looks_drawn(w.results()->memory_chart()->grab().toImage()));
    // The timeline draws the same step timeline the trace exports.
    w.tabs()->setCurrentIndex(1);
    QVERIFY(looks_drawn(w.timeline()->grab().toImage()));
    const double fit = w.timeline()->zoom();
    w.timeline()->zoom_in();
    QVERIFY(w.timeline()->zoom() > fit);
    w.timeline()->fit();
    QCOMPARE(w.timeline()->zoom(), fit);
  }

  void theDesFidelityRunsOnTheWorkerToo() {
    StudioWindow w("scenarios");
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    // A small cluster: the headline's des step takes about a minute.
    QVERIFY(w.open_scenario("scenarios/mixtral-8x7b-pretrain-64xH100.json"));
    QVERIFY(shown.wait(20000));
    shown.clear();
    w.set_des(true);  // re-runs in des fidelity
    QVERIFY(shown.wait(60000));
    const RunResultPtr r = shown.takeFirst().at(0).value<RunResultPtr>();
    QVERIFY(r && r->ok);
    QCOMPARE(QString::fromStdString(r->estimate.fidelity), QString("des"));
    QVERIFY(r->request.des);
  }

  void anEditReRunsAndAnInvalidScenarioIsReportedNotRun() {
    StudioWindow w("scenarios");
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    QVERIFY(w.open_scenario(kHeadline));
    QVERIFY(shown.wait(20000));
    const QString before = w.results()->figure("Step time");
    auto* ib = qobject_cast<QLineEdit*>(w.form()->editor("/cluster/ib_GB_per_s"));
    ib->setText("10");
    QMetaObject::invokeMethod(ib, "editingFinished");
    QVERIFY(shown.wait(20000));
    QVERIFY(shown.last().at(0).value<RunResultPtr>()->ok);
    QVERIFY(w.results()->figure("Step time") != before);
    // A run of an invalid scenario fails with the library's diagnostics.
    w.set_auto_run(false);
    w.document()->set_value("/plan/ep", OrderedJson(48));
    w.run();
    QVERIFY(shown.wait(20000));
    const RunResultPtr r = shown.last().at(0).value<RunResultPtr>();
    QVERIFY(!r->ok);
    QVERIFY(r->diagnostics.to_string().find("/plan/ep") != std::string::npos);
    QVERIFY(w.status_text().contains("errors"));
  }

  void cancelledRunsDoNotReplaceTheResults() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    QSignalSpy cancelled(&w, &StudioWindow::run_cancelled);
    // Each run supersedes the one before; the last, queued behind the others on
    // the worker, is cancelled before the worker reaches it.
    for (int i = 0; i < 10; ++i) w.run();
    w.cancel();
    QVERIFY(cancelled.wait(20000));
    QCOMPARE(shown.size(), 0);
    QVERIFY(!w.results()->result());
    QVERIFY(!w.runner()->busy());
  }
};

int run_run_tests(int argc, char** argv) {
  RunTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "run_test.moc"
