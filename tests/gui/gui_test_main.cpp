// One QtTest binary for gui/, running each test class in turn.
#include <QApplication>

#include "tests/gui/gui_test_support.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  namespace t = moesim::gui::test;
  int failures = 0;
  failures += t::run_document_tests(argc, argv);
  failures += t::run_run_tests(argc, argv);
  failures += t::run_sweep_tests(argc, argv);
  failures += t::run_compare_tests(argc, argv);
  failures += t::run_export_tests(argc, argv);
  return failures == 0 ? 0 : 1;
}
