#include "sim/report/format_units.h"

#include <cmath>
#include <cstdio>

namespace moesim {

std::string fmt_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_count(double v) {
  const double a = std::fabs(v);
  if (a >= 1e12) return fmt_fixed(v / 1e12, 2) + "T";
  if (a >= 1e9) return fmt_fixed(v / 1e9, 2) + "B";
  if (a >= 1e6) return fmt_fixed(v / 1e6, 2) + "M";
  if (a >= 1e3) return fmt_fixed(v / 1e3, 2) + "K";
  return fmt_fixed(v, 0);
}

std::string fmt_seconds_like(double s, double reference) {
  const double a = std::fabs(reference);
  if (s == 0) return "0 s";  // no time at all, not "0.0 us" of some
  if (a >= 86400 * 2) return fmt_fixed(s / 86400, 1) + " days";
  if (a >= 3600 * 2) return fmt_fixed(s / 3600, 1) + " h";
  if (a >= 1) return fmt_fixed(s, 2) + " s";
  if (a >= 1e-3) return fmt_fixed(s * 1e3, 2) + " ms";
  return fmt_fixed(s * 1e6, 1) + " us";
}

std::string fmt_seconds(double s) { return fmt_seconds_like(s, s); }

std::string fmt_signed_seconds(double s) {
  return (s < 0 ? "-" : "+") + fmt_seconds(std::fabs(s));
}

std::string fmt_gib(double bytes) { return fmt_fixed(bytes / 1073741824.0, 2) + " GiB"; }

std::string fmt_si(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt_fixed(v / 1e9, 2) + "G";
  if (a >= 1e6) return fmt_fixed(v / 1e6, 3) + "M";
  if (a >= 1e3) return fmt_fixed(v / 1e3, 1) + "K";
  return fmt_fixed(v, 1);
}

std::string fmt_usd(double v) { return "$" + fmt_si(v); }

std::string fmt_percent(double fraction) { return fmt_fixed(fraction * 100.0, 1) + "%"; }

}  // namespace moesim
