#pragma once
// Human-readable numbers for the text and Markdown reports. Fixed precision so
// that reports are byte-identical across runs and machines.
#include <string>

namespace moesim {

std::string fmt_fixed(double v, int decimals);
// 671.03B, 37.55B, 44.04M
std::string fmt_count(double v);
// 19.93 s, 850.2 ms, 12.3 us; 0 s
std::string fmt_seconds(double s);
// `s` in the unit fmt_seconds picks for `reference` (a column's or a chart's
// largest value), so that values read side by side share one unit: with
// reference 2.08 s, 0.95961 -> "0.96 s", not "959.61 ms". 0 is "0 s".
std::string fmt_seconds_like(double s, double reference);
// "+2.27 s", "-571.85 ms": a difference of times, its sign always shown.
std::string fmt_signed_seconds(double s);
// 72.45 GiB
std::string fmt_gib(double bytes);
// 2.66M, 119.0K (for GPU-hours)
std::string fmt_si(double v);
// $5.33M
std::string fmt_usd(double v);
std::string fmt_percent(double fraction);

}  // namespace moesim
