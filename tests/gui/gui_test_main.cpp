// One QtTest binary for gui/, running each test class in turn.
#include <QApplication>
#include <QSettings>
#include <QStandardPaths>

#include "tests/gui/gui_test_support.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  // Settings (recent files, pane widths) in a test location, not the user's.
  QStandardPaths::setTestModeEnabled(true);
  QApplication::setOrganizationName("moesim-test");
  QApplication::setApplicationName("gui_test");
  QSettings().clear();
  namespace t = moesim::gui::test;
  int failures = 0;
  failures += t::run_document_tests(argc, argv);
  failures += t::run_run_tests(argc, argv);
  failures += t::run_sweep_tests(argc, argv);
  failures += t::run_compare_tests(argc, argv);
  failures += t::run_export_tests(argc, argv);
  failures += t::run_files_tests(argc, argv);
  failures += t::run_studio_flows_tests(argc, argv);
  return failures == 0 ? 0 : 1;
}
