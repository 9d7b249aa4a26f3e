#pragma once
// Peak resident memory for the benchmarks' counters (Linux getrusage).
#include <sys/resource.h>

namespace moesim {

// Of this process (RUSAGE_SELF) or the largest of its waited-for children so far
// (RUSAGE_CHILDREN: the SimGrid child processes), in MB.
inline double peak_mb(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_maxrss / 1024.0;  // Linux: kilobytes
}

}  // namespace moesim
