#pragma once
// Writing a run's results to files: the report as `moesim run --format
// markdown|json` renders it, the step timeline as the Chrome trace `moesim run
// --trace` writes, and any view as a PNG. Each returns "" on success, else
// what went wrong (for the status bar or a dialog).

#include <QString>

#include "gui/run_controller.h"
#include "sim/report/report.h"

class QWidget;

namespace moesim::gui {

QString export_report(const RunResult& r, ReportFormat format, const QString& path);
QString export_trace(const RunResult& r, const QString& path);
QString export_png(QWidget* w, const QString& path);

// The report text, as the Report tab shows it.
QString report_text(const RunResult& r, ReportFormat format);

}  // namespace moesim::gui
