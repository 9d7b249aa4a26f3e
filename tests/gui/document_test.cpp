// Editing: the form and the JSON view edit one document, and the library's
// diagnostics appear next to the field they name.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/scenario_document.h"
#include "gui/scenario_form.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

class DocumentTest : public QObject {
  Q_OBJECT
 private slots:
  void loadsTheHeadlineIntoTheForm() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    QVERIFY(w.document()->diagnostics().empty());
    QVERIFY(w.document()->scenario().has_value());
    QCOMPARE(qobject_cast<QLineEdit*>(w.form()->editor("/plan/pp"))->text(), QString("16"));
    QCOMPARE(qobject_cast<QLineEdit*>(w.form()->editor("/plan/ep"))->text(), QString("64"));
    QCOMPARE(qobject_cast<QComboBox*>(w.form()->editor("/plan/schedule"))->currentText(),
             QString("dualpipe"));
    // The cluster lives in its own file; the form reads through the reference.
    QCOMPARE(qobject_cast<QComboBox*>(w.form()->editor("/cluster/gpu"))->currentText(),
             QString("H800"));
    QVERIFY(qobject_cast<QCheckBox*>(w.form()->editor("/precision/fp8_dispatch"))->isChecked());
    QVERIFY(w.json_view()->toPlainText().contains("\"dualpipe\""));
  }

  void invalidFieldShowsTheLibrarysErrorNextToIt() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    type_into(w, "/plan/ep", "48");
    QVERIFY(!w.document()->diagnostics().empty());
    QVERIFY(!w.document()->scenario().has_value());
    QVERIFY2(w.form()->error_text("/plan/ep").contains("48"),
             qPrintable(w.form()->error_text("/plan/ep")));
    // Nothing else carries that error, and the JSON view shows the value as typed.
    QVERIFY(w.form()->error_text("/plan/pp").isEmpty());
    QVERIFY(w.json_view()->toPlainText().contains("\"ep\": 48"));
    // Not a number: written as typed, and the library says what it expected.
    type_into(w, "/plan/pp", "sixteen");
    QVERIFY2(w.form()->error_text("/plan/pp").contains("integer"),
             qPrintable(w.form()->error_text("/plan/pp")));
    // Fixing both clears the errors.
    type_into(w, "/plan/ep", "64");
    type_into(w, "/plan/pp", "16");
    QVERIFY(w.document()->diagnostics().empty());
    QVERIFY(w.form()->error_text("/plan/ep").isEmpty());
  }

  void errorsInPartsAndPhasesReachTheirFields() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    type_into(w, "/training/phases/0/global_batch", "15000");
    QVERIFY2(!w.form()->error_text("/training/phases/0/global_batch").isEmpty(),
             w.document()->diagnostics().to_string().c_str());
    type_into(w, "/training/phases/0/global_batch", "15360");
    // A cluster field: the referenced part is copied inline, its file untouched.
    QFile cluster("scenarios/clusters/h800-2048.json");
    QVERIFY(cluster.open(QIODevice::ReadOnly));
    const QByteArray before = cluster.readAll();
    type_into(w, "/cluster/nodes", "0");
    QVERIFY2(!w.form()->error_text("/cluster/nodes").isEmpty(),
             w.document()->diagnostics().to_string().c_str());
    QVERIFY(w.json_view()->toPlainText().contains("\"nodes\": 0"));
    QVERIFY(w.document()->part_reference("cluster").empty());
    cluster.seek(0);
    QCOMPARE(cluster.readAll(), before);
    // The inlined cluster's own reference (its calibration profile) still
    // names the same file from the scenario's folder: a valid edit is valid.
    type_into(w, "/cluster/nodes", "256");
    QVERIFY2(w.document()->diagnostics().empty(), w.document()->diagnostics().to_string().c_str());
    QVERIFY(w.json_view()->toPlainText().contains(
        "\"calibration_profile\": \"../validation/calibration/h800-deepseek-v3-trace.json\""));
  }

  void jsonViewAndFormStayInSync() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    QString text = w.json_view()->toPlainText();
    text.replace("\"pp\": 16", "\"pp\": 8");
    w.json_view()->setPlainText(text);
    QTRY_COMPARE(qobject_cast<QLineEdit*>(w.form()->editor("/plan/pp"))->text(), QString("8"));
    // pp 8 breaks pp x dp x tp = GPUs: reported at the plan, shown on its group.
    QTRY_VERIFY(!w.document()->diagnostics().empty());
    QVERIFY2(
        !w.form()->error_text("/plan").isEmpty() || !w.form()->error_text("/plan/pp").isEmpty(),
        w.document()->diagnostics().to_string().c_str());
    // Broken JSON: a diagnostic with line and column, the form disabled, no crash.
    w.json_view()->setPlainText("{ \"name\": ");
    QTRY_VERIFY(!w.document()->text_is_json());
    QVERIFY(!w.form()->editor("/plan/pp")->isEnabled());
    QVERIFY(!w.form()->error_text("").isEmpty());
    QVERIFY(w.form()->error_text("").contains("line"));
  }

  // The expert-load fields write training.routing and training.balancing,
  // objects the headline lacks, and the scenario the library reads has them.
  void expertLoadFieldsSetRoutingAndBalancing() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    auto pick = [&](const std::string& pointer, const QString& item) {
      auto* c = qobject_cast<QComboBox*>(w.form()->editor(pointer));
      QVERIFY2(c, pointer.c_str());
      QCOMPARE(c->currentText(), pointer == "/training/routing/popularity" ? QString("uniform")
                                                                           : QString("none"));
      c->setCurrentIndex(c->findText(item));
      emit c->activated(c->currentIndex());
    };
    pick("/training/routing/popularity", "zipf");
    // Zipf needs its exponent: said on the training group until it is given.
    QVERIFY(!w.document()->diagnostics().empty());
    QVERIFY2(w.form()->error_text("/training").contains("zipf_exponent"),
             qPrintable(w.form()->error_text("/training")));
    type_into(w, "/training/routing/zipf_exponent", "0.3");
    pick("/training/balancing/method", "aux_free");
    QVERIFY2(w.document()->diagnostics().empty(), w.document()->diagnostics().to_string().c_str());
    const Scenario& s = *w.document()->scenario();
    QCOMPARE(s.training.routing.popularity, ExpertPopularity::kZipf);
    QCOMPARE(s.training.routing.zipf_exponent, 0.3);
    QCOMPARE(s.training.balancing.method, BalancingMethod::kAuxFree);
    QCOMPARE(qobject_cast<QLineEdit*>(w.form()->editor("/training/balancing/gamma"))->placeholderText(),
             QString("default: 0.001"));
    // A bad gamma is named on its own field.
    type_into(w, "/training/balancing/gamma", "-1");
    QVERIFY2(w.form()->error_text("/training/balancing/gamma").contains("non-negative"),
             qPrintable(w.form()->error_text("/training/balancing/gamma")));
  }

  void savesWhatTheJsonViewShows() {
    QTemporaryDir tmp;
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    type_into(w, "/plan/micro_batch_size", "2");
    const QString path = tmp.filePath("edited.json");
    QVERIFY(w.save_scenario(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), w.json_view()->toPlainText());
    QVERIFY(!w.document()->modified());
  }
};

int run_document_tests(int argc, char** argv) {
  DocumentTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "document_test.moc"
