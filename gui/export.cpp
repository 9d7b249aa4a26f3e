#include "gui/export.h"

#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

#include "gui/parameter_labels.h"
#include "sim/report/chrome_trace.h"
#include "sim/step/des_trace.h"

namespace moesim::gui {

namespace {

QString write_file(const QString& path, const std::string& bytes) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) ||
      f.write(bytes.data(), static_cast<qint64>(bytes.size())) < 0 || !f.commit())
    return QString("cannot write %1: %2").arg(path, f.errorString());
  return {};
}

std::string value_text(const nlohmann::json& v) { return v.is_null() ? "(default)" : v.dump(); }

std::string render(const RunResult& r, ReportFormat format) {
  if (!r.request.sweep_point) return render_estimate(r.scenario, r.estimate, format);
  const SweepPointSource& p = *r.request.sweep_point;
  if (format == ReportFormat::kJson) {  // "scenario" stays the name; the object says which point
    nlohmann::ordered_json j =
        nlohmann::ordered_json::parse(render_estimate(r.scenario, r.estimate, format));
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const ChangedValue& c : p.changes)
      changes.push_back({{"path", c.pointer},
                         {"label", parameter_label(c.pointer).toStdString()},
                         {"from", c.before},
                         {"to", c.after}});
    j["sweep_point"] = {{"index", p.index}, {"base", p.base_file}, {"changes", changes}};
    return j.dump(2) + "\n";
  }
  Estimate e = r.estimate;  // its title names the scenario, and now the point
  e.scenario = result_title(r);
  std::string block;
  if (format == ReportFormat::kMarkdown) {
    block = "Sweep point " + std::to_string(p.index) + " of `" + p.base_file +
            "`, which it changes as follows:\n\n| value | path | in the scenario | at this point "
            "|\n|---|---|---|---|\n";
    for (const ChangedValue& c : p.changes)
      block += "| " + parameter_label(c.pointer).toStdString() + " | `" + c.pointer + "` | " +
               value_text(c.before) + " | " + value_text(c.after) + " |\n";
    block += "\n";
  } else {
    block = "sweep point " + std::to_string(p.index) + " of " + p.base_file + ", which it changes:\n";
    for (const ChangedValue& c : p.changes)
      block += "  " + parameter_label(c.pointer).toStdString() + " (" + c.pointer + ")  " +
               value_text(c.before) + " -> " + value_text(c.after) + "\n";
  }
  return render_estimate(r.scenario, e, format, block);
}

}  // namespace

std::string result_title(const RunResult& r) {
  return r.estimate.scenario +
         (r.request.sweep_point
              ? " (sweep point " + std::to_string(r.request.sweep_point->index) + ")"
              : std::string());
}

QString changes_text(const SweepPointSource& p) {
  QStringList parts;
  for (const ChangedValue& c : p.changes)
    parts << QString("%1 %2 \u2192 %3")
                 .arg(parameter_label(c.pointer), QString::fromStdString(value_text(c.before)),
                      QString::fromStdString(value_text(c.after)));
  return parts.isEmpty() ? QString("nothing") : parts.join(", ");
}

QString report_text(const RunResult& r, ReportFormat format) {
  if (!r.ok) return {};
  return QString::fromStdString(render(r, format));
}

QString export_report(const RunResult& r, ReportFormat format, const QString& path) {
  if (!r.ok) return "there are no results to export";
  return write_file(path, render(r, format));
}

// des runs: the engine's tracks, as `moesim run --fidelity des --trace`.
QString export_trace(const RunResult& r, const QString& path) {
  if (!r.ok) return "there is no timeline to export";
  return write_file(path, r.des_step ? des_chrome_trace_json(*r.des_step, r.scenario.name)
                                     : chrome_trace_json(r.timeline, r.scenario.name));
}

QString export_png(QWidget* w, const QString& path) {
  if (!w) return "nothing to export";
  if (!w->grab().save(path, "PNG")) return QString("cannot write %1").arg(path);
  return {};
}

}  // namespace moesim::gui
