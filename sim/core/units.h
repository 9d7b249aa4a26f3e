#pragma once
// Physical quantities as types. A quantity stores one double in its base unit
// (bytes, FLOPs, seconds, bytes/s, FLOPs/s) and is built by named factories
// (GiB(80), TFlopsPerSecond(989)). Only meaningful arithmetic is defined:
// Flops / FlopsPerSecond -> Seconds, Bytes / BytesPerSecond -> Seconds, etc.
// Where a raw number must leave the type (JSON, printing) the unit is in the
// accessor's name: bytes(), seconds(), flops(), ...

#include <cmath>

namespace moesim {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  static constexpr Quantity from_base(double v) { return Quantity(v); }
  constexpr double base() const { return value_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(value_ + o.value_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value_ - o.value_); }
  constexpr Quantity operator*(double k) const { return Quantity(value_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(value_ / k); }
  constexpr double operator/(Quantity o) const { return value_ / o.value_; }
  Quantity& operator+=(Quantity o) {
    value_ += o.value_;
    return *this;
  }
  Quantity& operator-=(Quantity o) {
    value_ -= o.value_;
    return *this;
  }
  Quantity& operator*=(double k) {
    value_ *= k;
    return *this;
  }
  constexpr bool operator<(Quantity o) const { return value_ < o.value_; }
  constexpr bool operator>(Quantity o) const { return value_ > o.value_; }
  constexpr bool operator<=(Quantity o) const { return value_ <= o.value_; }
  constexpr bool operator>=(Quantity o) const { return value_ >= o.value_; }
  constexpr bool operator==(Quantity o) const { return value_ == o.value_; }
  constexpr bool operator!=(Quantity o) const { return value_ != o.value_; }

 private:
  constexpr explicit Quantity(double v) : value_(v) {}
  double value_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double k, Quantity<Tag> q) {
  return q * k;
}
template <class Tag>
constexpr Quantity<Tag> max(Quantity<Tag> a, Quantity<Tag> b) {
  return a < b ? b : a;
}
template <class Tag>
constexpr Quantity<Tag> min(Quantity<Tag> a, Quantity<Tag> b) {
  return b < a ? b : a;
}

struct BytesTag {};
struct FlopsTag {};
struct SecondsTag {};
struct BytesPerSecondTag {};
struct FlopsPerSecondTag {};

using Bytes = Quantity<BytesTag>;
using Flops = Quantity<FlopsTag>;
using Seconds = Quantity<SecondsTag>;
using BytesPerSecond = Quantity<BytesPerSecondTag>;
using FlopsPerSecond = Quantity<FlopsPerSecondTag>;

// Cross-unit arithmetic.
constexpr Seconds operator/(Flops f, FlopsPerSecond r) { return Seconds::from_base(f.base() / r.base()); }
constexpr Seconds operator/(Bytes b, BytesPerSecond r) { return Seconds::from_base(b.base() / r.base()); }
constexpr FlopsPerSecond operator/(Flops f, Seconds s) {
  return FlopsPerSecond::from_base(f.base() / s.base());
}
constexpr BytesPerSecond operator/(Bytes b, Seconds s) {
  return BytesPerSecond::from_base(b.base() / s.base());
}
constexpr Flops operator*(FlopsPerSecond r, Seconds s) { return Flops::from_base(r.base() * s.base()); }
constexpr Bytes operator*(BytesPerSecond r, Seconds s) { return Bytes::from_base(r.base() * s.base()); }

// Factories. Decimal prefixes for rates and FLOPs (datasheets use them), binary
// prefixes where a datasheet gives binary sizes (GiB). KB/MB/GB are decimal.
constexpr Bytes ByteCount(double b) { return Bytes::from_base(b); }
constexpr Bytes KB(double v) { return Bytes::from_base(v * 1e3); }
constexpr Bytes MB(double v) { return Bytes::from_base(v * 1e6); }
constexpr Bytes GB(double v) { return Bytes::from_base(v * 1e9); }
constexpr Bytes GiB(double v) { return Bytes::from_base(v * 1073741824.0); }
constexpr Bytes MiB(double v) { return Bytes::from_base(v * 1048576.0); }

constexpr Flops FlopCount(double f) { return Flops::from_base(f); }
constexpr Flops GFlops(double v) { return Flops::from_base(v * 1e9); }

constexpr Seconds SecondsOf(double s) { return Seconds::from_base(s); }
constexpr Seconds Milliseconds(double v) { return Seconds::from_base(v * 1e-3); }
constexpr Seconds Microseconds(double v) { return Seconds::from_base(v * 1e-6); }
constexpr Seconds Hours(double v) { return Seconds::from_base(v * 3600.0); }

constexpr BytesPerSecond GBPerSecond(double v) { return BytesPerSecond::from_base(v * 1e9); }
constexpr BytesPerSecond TBPerSecond(double v) { return BytesPerSecond::from_base(v * 1e12); }
constexpr BytesPerSecond GbitPerSecond(double v) { return BytesPerSecond::from_base(v * 1e9 / 8.0); }

constexpr FlopsPerSecond TFlopsPerSecond(double v) { return FlopsPerSecond::from_base(v * 1e12); }

// Accessors with the unit in the name.
constexpr double bytes(Bytes b) { return b.base(); }
constexpr double gib(Bytes b) { return b.base() / 1073741824.0; }
constexpr double flops(Flops f) { return f.base(); }
constexpr double seconds(Seconds s) { return s.base(); }
constexpr double hours(Seconds s) { return s.base() / 3600.0; }
constexpr double bytes_per_s(BytesPerSecond r) { return r.base(); }
constexpr double gb_per_s(BytesPerSecond r) { return r.base() / 1e9; }
constexpr double flops_per_s(FlopsPerSecond r) { return r.base(); }
constexpr double tflops_per_s(FlopsPerSecond r) { return r.base() / 1e12; }

}  // namespace moesim
