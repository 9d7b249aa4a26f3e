#pragma once
// The simulated steady-state DualPipe chunk pair beside a measured one (a
// profiler trace of one F&B pair, as DeepSeek published for V3): per stage
// as the trace's annotations name them (attn(F), dispatch(F), mlp(B), ...),
// per op class, and the pair's span, each per layer (the trace's chunk and
// the simulated one may hold different numbers of layers); and one Chrome
// trace with both timelines, measured kernels per stream above the simulated
// tasks per stream.
//
// The simulated pair is taken from the des step (sim/step/des_step.h): on the
// rank whose two stages hold MoE layers only and come closest to the trace's
// layers per chunk, the middle F&B instruction of its list (steady state).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/step/des_step.h"
#include "sim/trace/kineto_trace.h"
#include "sim/trace/trace_summary.h"

namespace moesim {

struct StageComparison {
  std::string stage;        // "attn(F)"
  double measured_us = 0;   // per layer (the stage's busy time)
  double simulated_us = 0;  // per layer (its segments' durations on the engine)
  bool measured_present = false, simulated_present = false;
  double error() const { return measured_us > 0 ? simulated_us / measured_us - 1 : 0; }
};

struct ClassComparison {
  std::string cls;  // kernel class
  double measured_us = 0;   // per layer pair
  double simulated_us = 0;  // per layer pair: the op graph's priced time (compute
                            // classes at the SMs communication leaves), or the
                            // des pair's calls (communication classes)
};

struct PairComparison {
  int rank = 0;
  std::string instruction;          // as the des trace names it
  int forward_layers = 0, backward_layers = 0;  // simulated
  int trace_layers = 0;             // instances of the trace's forward attention
  double measured_span_us = 0;      // per layer pair
  double simulated_span_us = 0;
  std::vector<StageComparison> stages;
  std::vector<ClassComparison> classes;
  double span_error() const { return measured_span_us > 0 ? simulated_span_us / measured_span_us - 1 : 0; }
};

// REQUIRES: d = simulate_step(s, e) with e = estimate(s); s uses DualPipe or
// DualPipeV with EP (an F&B pair of MoE layers exists). Throws InputError
// (naming the scenario) when the schedule has no such pair.
PairComparison compare_chunk_pair(const TraceSummary& t, const Scenario& s, const Estimate& e,
                                  const DesStep& d);

// One block of a timeline, in microseconds from the pair's start.
struct TimelineSpan {
  double start_us = 0, dur_us = 0;
  std::string name;
  std::string category;  // the kernel's class (measured), the task's stage (simulated)
  std::string stage;     // measured: the annotation that held the kernel; "" when none
};
struct TimelineTrack {
  int id = 0;        // the CUDA stream (measured), the engine stream (simulated)
  std::string name;  // "stream 7", "compute", "communication (EP)", ...
  std::vector<TimelineSpan> spans;
};
// The two timelines of a comparison, both from 0 at the pair's first kernel
// or task: what comparison_trace writes and the studio draws.
struct ComparisonTimeline {
  std::string measured_title, simulated_title;
  std::vector<TimelineTrack> measured;   // by stream id
  std::vector<TimelineTrack> simulated;  // compute, communication (EP), pipeline send
};
ComparisonTimeline comparison_timeline(const KernelTrace& measured, const KernelMap& map,
                                       const Scenario& s, const DesStep& d,
                                       const PairComparison& c);

// Everything `moesim compare-trace` computes for a scenario and a trace (the
// CLI and the studio's measured-vs-simulated tab): the trace summarized with
// `map`, the scenario's des step, the pair compared and the two timelines.
// REQUIRES: s validated. Throws InputError as compare_chunk_pair does.
struct TraceComparisonRun {
  TraceSummary summary;
  PairComparison pair;
  ComparisonTimeline timeline;
};
TraceComparisonRun compare_trace(const Scenario& s, const KernelTrace& trace,
                                 const KernelMap& map);

// The timelines as a Chrome trace (below).
nlohmann::json comparison_trace_json(const ComparisonTimeline& t);

// Both timelines as one Chrome trace (Perfetto / chrome://tracing): process 1
// the measured kernels by stream, process 2 the simulated pair's tasks by
// stream, both from 0 at the pair's first kernel or task.
nlohmann::json comparison_trace(const KernelTrace& measured, const KernelMap& map,
                                const Scenario& s, const DesStep& d, const PairComparison& c);

}  // namespace moesim
