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

// The report text, as the Report tab shows it. A sweep point's report says so
// in its title and lists every value the point changes from the scenario
// swept (before -> after), so that it can be reproduced from that file.
QString report_text(const RunResult& r, ReportFormat format);

// The scenario's name as a result's title: "... (sweep point k)" for a point.
std::string result_title(const RunResult& r);

// "EP (experts) 64 -> 32, DP (data) 128 -> 64": what a sweep point changes.
QString changes_text(const SweepPointSource& p);

}  // namespace moesim::gui
