#pragma once
// MOESIM_CHECK(cond, msg): an internal invariant (a bug if it fails), never a
// user-input check. Throws std::logic_error so that the CLI reports it and exits
// non-zero instead of aborting mid-write.

#include <stdexcept>
#include <string>

#define MOESIM_CHECK(cond, msg)                                                          \
  do {                                                                                   \
    if (!(cond))                                                                         \
      throw std::logic_error(std::string("internal error at ") + __FILE__ + ":" +        \
                             std::to_string(__LINE__) + ": " #cond ": " + (msg));        \
  } while (0)
