// moesim-gui [SCENARIO]: the what-if studio, starting with SCENARIO, or the
// headline scenario, loaded and run.
#include <QApplication>
#include <QDir>
#include <QFileInfo>

#include "gui/studio_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("moesim");
  QApplication::setApplicationName("moesim studio");
  // Shipped scenarios: next to the working directory when run from a checkout,
  // else the source tree the binary was built from.
  QString dir = QDir::current().filePath("scenarios");
  if (!QFileInfo(dir).isDir()) dir = MOESIM_SCENARIO_DIR;
  moesim::gui::StudioWindow w(dir);
  const QStringList args = app.arguments();
  w.open_scenario(args.size() > 1 ? args[1]
                                  : QDir(dir).filePath("deepseek-v3-pretrain-2048xH800.json"));
  w.show();
  return app.exec();
}
