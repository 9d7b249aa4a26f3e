// Runs under QT_QPA_PLATFORM=offscreen (set by ctest).
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/scenario_window.h"

class ScenarioWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void runsTheHeadlineScenario() {
    moesim::gui::ScenarioWindow w("scenarios");
    QVERIFY(w.run_scenario("scenarios/deepseek-v3-pretrain-2048xH800.json"));
    QVERIFY(w.report_text().contains("step time"));
    QVERIFY(w.status_text().contains("GPU-hours"));
  }
  void showsErrorsInsteadOfCrashing() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("bad.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"name\": 3");
    f.close();
    moesim::gui::ScenarioWindow w("scenarios");
    QVERIFY(!w.run_scenario(path));
    QVERIFY(w.report_text().contains("bad.json"));
    QCOMPARE(w.status_text(), QString("the scenario has errors"));
  }
};

QTEST_MAIN(ScenarioWindowTest)
#include "scenario_window_test.moc"
