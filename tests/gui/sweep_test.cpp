// What-if sweep: a small grid over the headline runs in the background, is
// plotted and listed, and a point opens as a run.
#include <QChart>
#include <QChartView>
#include <QtTest/QtTest>

#include "gui/sweep_table_model.h"
#include "gui/sweep_view.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

class SweepTest : public QObject {
  Q_OBJECT
 private slots:
  void runsASmallSweepAndOpensAPoint() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    SweepView* s = w.sweep();
    s->set_parameter(0, "/cluster/ib_GB_per_s", "25, 50, 100");
    s->set_parameter(1, "/plan/ep", "32, 48, 64");  // 48 does not divide 256 experts
    QSignalSpy done(s->controller(), &SweepController::finished);
    StallMeter meter;
    QVERIFY(s->start());
    QVERIFY(done.wait(60000));
    QTest::qWait(50);  // the gap that holds the plotting ends at the next tick
    qInfo("longest GUI-thread gap during the 9-point sweep: %lld ms",
          static_cast<long long>(meter.max_gap_ms()));
    QVERIFY(meter.max_gap_ms() < kMaxStallMs);
    const SweepOutcomePtr o = s->model()->outcome();
    QVERIFY(o && !o->interrupted);
    QCOMPARE(s->model()->rowCount(), 9);
    int invalid = 0;
    for (const SweepRow& r : o->rows) invalid += r.fields.value("status", "") == "invalid";
    QCOMPARE(invalid, 3);
    // Lower IB bandwidth never makes a step faster (same EP).
    QVERIFY(o->rows[0].fields["step_time_s"].get<double>() >=
            o->rows[6].fields["step_time_s"].get<double>());
    // One line and one clickable scatter per EP value, plus the does-not-fit markers.
    QCOMPARE(s->chart()->chart()->series().size(), 7);
    s->set_metric("cost_usd");
    QCOMPARE(s->chart()->chart()->series().size(), 7);

    QSignalSpy shown(&w, &StudioWindow::results_shown);
    s->open_row(2);  // ib 25, ep 64
    QVERIFY(shown.wait(20000));
    const RunResultPtr r = shown.takeFirst().at(0).value<RunResultPtr>();
    QVERIFY(r->ok);
    QVERIFY(r->request.label.startsWith("sweep point 2"));
    QCOMPARE(r->scenario.plan.ep, 64);
    QCOMPARE(gb_per_s(r->scenario.cluster.ib_achievable), 25.0);
    QCOMPARE(r->estimate.step_time.base(), o->rows[2].fields["step_time_s"].get<double>());
  }

  void aSweepCanBeCancelled() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    SweepView* s = w.sweep();
    QString many;
    for (int i = 0; i < 400; ++i) many += QString::number(20 + i * 0.25) + ",";
    s->set_parameter(0, "/cluster/ib_GB_per_s", many);
    s->set_parameter(1, "/plan/ep", "16, 32, 64, 128");
    QSignalSpy done(s->controller(), &SweepController::finished);
    QVERIFY(s->start());
    s->cancel();
    QVERIFY(done.wait(60000));
    const SweepOutcomePtr o = s->model()->outcome();
    QVERIFY(o->interrupted);
    QVERIFY(o->rows.size() < 1600);
  }

  void badInputIsReportedNotRun() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    w.sweep()->set_parameter(0, "/plan/ep", "");
    QVERIFY(!w.sweep()->start());
    QVERIFY(w.sweep()->message().contains("at least one value"));
  }
};

int run_sweep_tests(int argc, char** argv) {
  SweepTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "sweep_test.moc"
