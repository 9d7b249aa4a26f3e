// Never lose work, standard file handling (issue 18): quitting with unsaved
// edits asks Save / Discard / Cancel; the picker follows the loaded and saved
// file; undo and redo over form edits; the modified mark follows the content;
// recent files; the editor pane opens wide enough and keeps its width.
#include <QCloseEvent>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSplitter>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "gui/scenario_document.h"
#include "gui/scenario_form.h"
#include "tests/gui/gui_test_support.h"

namespace moesim::gui::test {

class FilesTest : public QObject {
  Q_OBJECT
 private:
  static QString field(StudioWindow& w, const std::string& pointer) {
    return qobject_cast<QLineEdit*>(w.form()->editor(pointer))->text();
  }

 private slots:
  void quitWithUnsavedEditsAsksSaveDiscardOrCancel() {
    QTemporaryDir tmp;
    const QString path = tmp.filePath("mine.json");
    {
      StudioWindow w("scenarios");
      w.set_auto_run(false);
      QVERIFY(w.open_scenario(kHeadline));
      QVERIFY(w.save_scenario(path));
    }
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(path));
    w.show();
    type_into(w, "/plan/micro_batch_size", "2");
    QVERIFY(w.document()->modified());
    QVERIFY(w.windowTitle().endsWith("*"));
    // Cancel: the window stays, the edit too.
    w.set_unsaved_answer(QMessageBox::Cancel);
    QVERIFY(!w.close());
    QVERIFY(w.isVisible());
    QCOMPARE(field(w, "/plan/micro_batch_size"), QString("2"));
    // Save: written, then closed.
    w.set_unsaved_answer(QMessageBox::Save);
    QVERIFY(w.close());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(f.readAll()).contains("\"micro_batch_size\": 2"));
    // Discard: closed, the file as it was.
    StudioWindow d("scenarios");
    d.set_auto_run(false);
    QVERIFY(d.open_scenario(path));
    d.show();
    type_into(d, "/plan/micro_batch_size", "4");
    d.set_unsaved_answer(QMessageBox::Discard);
    QVERIFY(d.close());
    QFile g(path);
    QVERIFY(g.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(g.readAll()).contains("\"micro_batch_size\": 2"));
  }

  void openingAnotherFileWithUnsavedEditsCanBeCancelled() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    type_into(w, "/plan/micro_batch_size", "2");
    w.set_unsaved_answer(QMessageBox::Cancel);
    QVERIFY(!w.maybe_discard());
    QCOMPARE(field(w, "/plan/micro_batch_size"), QString("2"));
  }

  void thePickerFollowsTheLoadedAndSavedFile() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    // Launched on the headline: the picker shows the headline, not its neighbour.
    QVERIFY(w.open_scenario(kHeadline));
    QCOMPARE(QFileInfo(w.picker_path()).canonicalFilePath(), QFileInfo(kHeadline).canonicalFilePath());
    // The same file named another way.
    QVERIFY(w.open_scenario("scenarios/../scenarios/deepseek-v3-pretrain-1024xH800.json"));
    QCOMPARE(QFileInfo(w.picker_path()).fileName(), QString("deepseek-v3-pretrain-1024xH800.json"));
    // Save as: the picker names the new file.
    QTemporaryDir tmp;
    const QString path = tmp.filePath("copy.json");
    QVERIFY(w.save_scenario(path));
    QCOMPARE(w.picker_path(), path);
    QCOMPARE(w.recent_files().value(0), QFileInfo(path).absoluteFilePath());
    QVERIFY(w.recent_files().contains(QFileInfo("scenarios/deepseek-v3-pretrain-1024xH800.json").absoluteFilePath()));
  }

  void undoAndRedoOverFormEditsAndTheModifiedMarkFollowsTheContent() {
    StudioWindow w("scenarios");
    w.set_auto_run(false);
    QVERIFY(w.open_scenario(kHeadline));
    QVERIFY(!w.document()->can_undo());
    type_into(w, "/plan/ep", "32");
    type_into(w, "/plan/micro_batch_size", "2");
    QVERIFY(w.document()->modified());
    w.document()->undo();
    QCOMPARE(field(w, "/plan/micro_batch_size"), QString("1"));
    QCOMPARE(field(w, "/plan/ep"), QString("32"));
    w.document()->undo();
    QCOMPARE(field(w, "/plan/ep"), QString("64"));
    // Back to what was loaded: not modified, no star.
    QVERIFY(!w.document()->modified());
    QVERIFY(!w.windowTitle().endsWith("*"));
    QVERIFY(w.document()->can_redo());
    w.document()->redo();
    QCOMPARE(field(w, "/plan/ep"), QString("32"));
    QVERIFY(w.json_view()->toPlainText().contains("\"ep\": 32"));
    // Putting a value back by hand also clears the mark.
    type_into(w, "/plan/ep", "64");
    QVERIFY(!w.document()->modified());
    // A new edit after an undo drops the redo history.
    w.document()->undo();
    type_into(w, "/plan/pp", "8");
    QVERIFY(!w.document()->can_redo());
  }

  void theEditorPaneOpensWideAndKeepsItsWidth() {
    QSettings().remove("studio/pane_sizes");
    {
      StudioWindow w("scenarios");
      w.set_auto_run(false);
      QVERIFY(w.open_scenario(kHeadline));
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QTest::qWait(20);
      QVERIFY2(w.pane_sizes().value(0) >= 600, qPrintable(QString::number(w.pane_sizes().value(0))));
      w.findChild<QSplitter*>()->setSizes({700, 780});
      QVERIFY(w.close());
    }
    StudioWindow again("scenarios");
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QTest::qWait(20);
    QCOMPARE(again.pane_sizes().value(0), 700);
  }
};

int run_files_tests(int argc, char** argv) {
  FilesTest t;
  return QTest::qExec(&t, argc, argv);
}

}  // namespace moesim::gui::test

#include "files_test.moc"
