#include "sim/report/fidelity_difference.h"

#include <cmath>

#include "sim/report/format_units.h"

namespace moesim {
std::vector<std::string> fidelity_differences(const Estimate& e, const ParallelPlan& plan) {
  const bool pairs = plan.pairs_forward_backward();
  std::vector<std::string> out;
  if (!e.analytic_step_time) return out;
  const Seconds a = *e.analytic_step_time;
  const Seconds d = e.step_time - a;
  out.push_back("des " + fmt_signed_seconds(seconds(d)) + " (" + (d < Seconds() ? "-" : "+") +
                fmt_percent(std::fabs(d / a)) + ") against analytic " +
                fmt_seconds(seconds(a)) + "; same op costs, same DP sync and optimizer");
  const TimeBreakdown& x = e.breakdown;
  const TimeBreakdown& y = e.analytic_breakdown;
  auto part = [&](Seconds des, Seconds analytic, const std::string& why) {
    const Seconds diff = des - analytic;
    if (std::fabs(diff / a) >= 0.01) out.push_back(fmt_signed_seconds(seconds(diff)) + " " + why);
  };
  part(x.exposed_comm, y.exposed_comm,
       "exposed communication: EP calls and pipeline sends simulated on the network with the "
       "compute of the moment; what no compute covered is exposed (for paired schedules: the calls of "
       "lone warm-up and cool-down chunks, and those of a pair that the other chunk's compute "
       "does not cover). " +
           std::string(pairs ? "The analytic model list-schedules each F&B pair's two chains with "
                               "closed-form call times (no link shared with another call) and "
                               "runs lone chunks' calls exposed"
                             : "The analytic model serialises each chunk's calls with its "
                               "compute at closed-form times"));
  part(x.compute, y.compute,
       "compute: the slowest rank's compute-stream busy time, its kernels slowed only while "
       "communication holds SMs. The analytic model prices every overlapped chunk at the SMs "
       "communication leaves, for the whole chunk");
  part(x.bubble, y.bubble,
       "pipeline bubble: the slowest rank's idle time as the schedule ran with simulated "
       "times, uneven stages included. " +
           std::string(pairs ? "The analytic model runs the same instruction lists with "
                               "closed-form chunk times"
                             : "The analytic model uses the schedule's bubble formula on the "
                               "slowest stage"));
  return out;
}

}  // namespace moesim
