#include "gui/export.h"

#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

#include "sim/report/chrome_trace.h"

namespace moesim::gui {

namespace {

QString write_file(const QString& path, const std::string& bytes) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) ||
      f.write(bytes.data(), static_cast<qint64>(bytes.size())) < 0 || !f.commit())
    return QString("cannot write %1: %2").arg(path, f.errorString());
  return {};
}

}  // namespace

QString report_text(const RunResult& r, ReportFormat format) {
  if (!r.ok) return {};
  return QString::fromStdString(render_estimate(r.scenario, r.estimate, format));
}

QString export_report(const RunResult& r, ReportFormat format, const QString& path) {
  if (!r.ok) return "there are no results to export";
  return write_file(path, render_estimate(r.scenario, r.estimate, format));
}

QString export_trace(const RunResult& r, const QString& path) {
  if (!r.ok) return "there is no timeline to export";
  return write_file(path, chrome_trace_json(r.timeline, r.scenario.name));
}

QString export_png(QWidget* w, const QString& path) {
  if (!w) return "nothing to export";
  if (!w->grab().save(path, "PNG")) return QString("cannot write %1").arg(path);
  return {};
}

}  // namespace moesim::gui
