// Export: the report (Markdown, JSON), the Chrome trace and PNGs of the views.
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/results_view.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

namespace {

QByteArray read(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class ExportTest : public QObject {
  Q_OBJECT
 private slots:
  void exportsEachKind() {
    QTemporaryDir tmp;
    StudioWindow w("scenarios");
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // Nothing to export before a run: an error, not a crash or an empty file.
    QVERIFY(!w.export_report(ReportFormat::kMarkdown, tmp.filePath("none.md")).isEmpty());
    QSignalSpy shown(&w, &StudioWindow::results_shown);
    QVERIFY(w.open_scenario(kHeadline));
    QVERIFY(shown.wait(20000));

    QCOMPARE(w.export_report(ReportFormat::kMarkdown, tmp.filePath("r.md")), QString());
    QVERIFY(read(tmp.filePath("r.md")).startsWith("#"));
    QCOMPARE(w.export_report(ReportFormat::kJson, tmp.filePath("r.json")), QString());
    const QJsonDocument report = QJsonDocument::fromJson(read(tmp.filePath("r.json")));
    QVERIFY(report.isObject());
    QCOMPARE(w.export_trace(tmp.filePath("t.json")), QString());
    const QJsonDocument trace = QJsonDocument::fromJson(read(tmp.filePath("t.json")));
    QVERIFY(trace.isObject() && trace.object().contains("traceEvents"));
    for (const char* view : {"results", "breakdown", "memory", "timeline", "sweep", "compare"}) {
      const QString png = tmp.filePath(QString(view) + ".png");
      QCOMPARE(w.export_chart(view, png), QString());
      const QImage img(png);
      QVERIFY2(!img.isNull() && img.width() > 100 && img.height() > 100, view);
    }
    QVERIFY(!w.export_chart("nonsense", tmp.filePath("x.png")).isEmpty());
    QVERIFY(!w.export_trace("/nonexistent-dir/t.json").isEmpty());
  }
};

int run_export_tests(int argc, char** argv) {
  ExportTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "export_test.moc"
