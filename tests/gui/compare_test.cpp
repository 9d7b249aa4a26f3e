// Compare: shipped scenarios side by side, differences highlighted.
#include <QtTest/QtTest>

#include "gui/compare_model.h"
#include "gui/compare_view.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

class CompareTest : public QObject {
  Q_OBJECT
 private slots:
  void highlightsWhatDiffers() {
    CompareView v("scenarios");
    QSignalSpy updated(&v, &CompareView::updated);
    QVERIFY(v.add_file(kHeadline));
    QVERIFY(v.add_file("scenarios/deepseek-v3-pretrain-2048xH800-1f1b.json"));
    QTRY_VERIFY_WITH_TIMEOUT(!v.busy(), 20000);
    CompareModel* m = v.model();
    QCOMPARE(m->columnCount(), 2);
    int schedule = -1, gpu = -1, step = -1;
    for (int r = 0; r < m->rowCount(); ++r) {
      if (m->figure_name(r) == "Schedule") schedule = r;
      if (m->figure_name(r) == "GPU") gpu = r;
      if (m->figure_name(r) == "Step time") step = r;
    }
    QVERIFY(schedule >= 0 && gpu >= 0 && step >= 0);
    QVERIFY(m->differs(schedule, 1));
    QVERIFY(!m->differs(gpu, 1));
    QVERIFY(m->differs(step, 1));
    QVERIFY(m->data(m->index(step, 1), Qt::DisplayRole).toString().contains("%)"));
    QVERIFY(m->data(m->index(schedule, 1), Qt::BackgroundRole).isValid());
    m->set_only_differences(true);
    for (int r = 0; r < m->rowCount(); ++r) QVERIFY(m->differs(r, 1));
    QVERIFY(m->rowCount() < 29);
  }

  void anInvalidScenarioIsMarkedNotDropped() {
    QTemporaryDir tmp;
    const QString bad = tmp.filePath("bad.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"name\": 3");
    f.close();
    CompareView v("scenarios");
    QVERIFY(v.add_file(kHeadline));
    QVERIFY(v.add_file(bad));
    QTRY_VERIFY_WITH_TIMEOUT(!v.busy(), 20000);
    QCOMPARE(v.model()->columnCount(), 2);
    QCOMPARE(v.model()->data(v.model()->index(0, 1), Qt::DisplayRole).toString(),
             QString("invalid scenario"));
  }
};

int run_compare_tests(int argc, char** argv) {
  CompareTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "compare_test.moc"
