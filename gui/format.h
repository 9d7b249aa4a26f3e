#pragma once
// The report's number formats (sim/report/format_units.h) as QStrings, so that
// the window and the text report print the same figures the same way.

#include <QString>

#include "sim/report/format_units.h"

namespace moesim::gui {

inline QString format_count(double v) { return QString::fromStdString(fmt_count(v)); }
inline QString format_seconds(double s) { return QString::fromStdString(fmt_seconds(s)); }
// In the unit of `reference` (a column's or chart's largest value).
inline QString format_seconds_like(double s, double reference) {
  return QString::fromStdString(fmt_seconds_like(s, reference));
}
inline QString format_gib(double bytes) { return QString::fromStdString(fmt_gib(bytes)); }
inline QString format_si(double v) { return QString::fromStdString(fmt_si(v)); }
inline QString format_usd(double v) { return QString::fromStdString(fmt_usd(v)); }
inline QString format_percent(double f) { return QString::fromStdString(fmt_percent(f)); }

}  // namespace moesim::gui
