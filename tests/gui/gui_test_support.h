#pragma once
// Helpers shared by the GUI tests (run under QT_QPA_PLATFORM=offscreen, from
// the source root so that scenarios/ resolves).

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <QLineEdit>
#include <QtTest/QtTest>
#include <string>

#include "gui/scenario_form.h"
#include "gui/studio_window.h"

namespace moesim::gui::test {

constexpr const char* kHeadline = "scenarios/deepseek-v3-pretrain-2048xH800.json";

// Measures how long the GUI thread goes without serving its event loop: a
// 10 ms timer records the largest gap between its ticks beyond the interval.
class StallMeter : public QObject {
 public:
  StallMeter() {
    timer_.setInterval(10);
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const qint64 gap = clock_.restart();
      if (gap > max_gap_ms_) max_gap_ms_ = gap;
    });
    clock_.start();
    timer_.start();
  }
  qint64 max_gap_ms() const { return max_gap_ms_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 max_gap_ms_ = 0;
};

// Types `text` into the line edit bound to `pointer` and presses Return.
inline void type_into(StudioWindow& w, const std::string& pointer, const QString& text) {
  auto* e = qobject_cast<QLineEdit*>(w.form()->editor(pointer));
  QVERIFY2(e, pointer.c_str());
  e->setFocus();
  e->selectAll();
  QTest::keyClicks(e, text);
  QTest::keyClick(e, Qt::Key_Return);
}

// The longest the GUI thread may go without serving its event loop in the
// responsiveness tests: 100 ms, three times that under the sanitizers (which
// slow every allocation: tools/setup.sh asan-test).
#if defined(__SANITIZE_ADDRESS__)
constexpr qint64 kMaxStallMs = 300;
#else
constexpr qint64 kMaxStallMs = 100;
#endif

// Test entry points, one per file (gui_test_main.cpp runs them all).
int run_document_tests(int argc, char** argv);
int run_run_tests(int argc, char** argv);
int run_sweep_tests(int argc, char** argv);
int run_compare_tests(int argc, char** argv);
int run_export_tests(int argc, char** argv);
int run_files_tests(int argc, char** argv);
int run_studio_flows_tests(int argc, char** argv);

}  // namespace moesim::gui::test
