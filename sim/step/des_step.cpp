#include "sim/step/des_step.h"

#include <algorithm>

#include "sim/cost/schedule_model.h"
#include "sim/cost/stage_cost.h"
#include "sim/net/deepep_model.h"
#include "sim/sched/generators.h"

namespace moesim {

namespace {

struct StageTimes {
  Seconds fwd, bwd_input, bwd_weight;  // compute at full SMs
  Seconds comm;                        // per pass (forward or backward)
};

// Total length of the union of intervals.
Seconds covered(std::vector<std::pair<Seconds, Seconds>> v) {
  std::sort(v.begin(), v.end());
  Seconds total, end;
  bool open = false;
  Seconds start;
  for (const auto& [a, b] : v) {
    if (!open || a > end) {
      if (open) total += end - start;
      start = a;
      end = b;
      open = true;
    } else {
      end = max(end, b);
    }
  }
  if (open) total += end - start;
  return total;
}

}  // namespace

DesStep simulate_step(const Scenario& s, const Estimate& e) {
  DesStep out;
  const TrainingPhase& ph = s.training.phases.front();
  const int stages = model_stage_count(s.plan);
  const StageCosts costs = price_stages(s, stages, ph.seq_len, /*overlap=*/false);

  // EP collectives of one MoE layer for one micro-batch, on the network.
  const bool moe = s.model.moe.enabled() && s.plan.ep > 1;
  if (moe) {
    const int tokens = s.plan.micro_batch_size * ph.seq_len;
    const EpTraffic traffic =
        route_tokens(s.model.moe, s.plan.ep, s.cluster.gpus_per_node, tokens, RoutingSpec{});
    DeepEpKernel kernel;
    if (s.plan.comm_sms > 0) kernel.num_sms = s.plan.comm_sms;
    EpCollectiveSpec spec;
    spec.hidden = s.model.hidden;
    spec.dispatch_bytes_per_element = s.precision.fp8_dispatch ? 1.0 + 4.0 / 128.0 : 2.0;
    out.dispatch = run_deepep(s.cluster, traffic, EpDirection::kDispatch, spec, kernel,
                              deepep_config(EpDirection::kDispatch, s.plan.ep))
                       .time;
    out.combine = run_deepep(s.cluster, traffic, EpDirection::kCombine, spec, kernel,
                             deepep_config(EpDirection::kCombine, s.plan.ep))
                      .time;
  }
  std::vector<StageTimes> st;
  for (const StageCost& c : costs.stages) {
    const int blocks = c.moe_layers + (c.has_mtp && s.model.moe.enabled() ? s.model.mtp_depth : 0);
    // Without EP (or for TP traffic) keep the analytic communication time.
    const Seconds ep = (out.dispatch + out.combine) * blocks;
    const Seconds comm = (moe ? ep : c.total.comm_fwd) + c.p2p;
    st.push_back({c.total.fwd, c.total.bwd_input, c.total.bwd_weight, comm});
  }

  const Schedule sched = make_schedule(s.plan.schedule, s.plan.pp, e.phases.front().micro_batches,
                                       s.plan.virtual_stages);
  // Each instruction: compute on the compute stream and its communication on
  // the communication stream; a zero-work join completes the instruction.
  out.graph = schedule_task_graph(
      sched, 3, [&](const Instruction& i, int r, std::vector<TaskId> deps, TaskGraph& graph) {
        const StageTimes& a = st[static_cast<size_t>(i.chunk.stage)];
        Seconds compute, comm;
        bool concurrent = false;
        switch (i.op) {
          case InstructionKind::kForward:
            compute = a.fwd;
            comm = a.comm;
            break;
          case InstructionKind::kBackwardInput:
            compute = a.bwd_input;
            comm = a.comm;
            break;
          case InstructionKind::kBackwardFull:
            compute = a.bwd_input + a.bwd_weight;
            comm = a.comm;
            break;
          case InstructionKind::kBackwardWeight:
            compute = a.bwd_weight;
            break;
          case InstructionKind::kForwardBackward: {
            const StageTimes& b = st[static_cast<size_t>(i.backward.stage)];
            compute = a.fwd + b.bwd_input + b.bwd_weight;
            comm = a.comm + b.comm;
            concurrent = true;
            break;
          }
          case InstructionKind::kOptimizerStep:
            break;
        }
        const std::vector<TaskId> comm_deps = deps;
        const TaskId compute_id =
            graph.add(Task::compute(to_string(i), r, compute, std::move(deps)));
        const TaskId comm_id = graph.add(
            Task::communication(to_string(i) + " comm", r, comm, {},
                                concurrent ? comm_deps : std::vector<TaskId>{compute_id}));
        graph.add(Task::copy(to_string(i) + " done", r, Seconds(), {}, {compute_id, comm_id}));
      });
  const ScheduleGraph& g = out.graph;
  std::vector<GpuConfig> gpus(static_cast<size_t>(sched.ranks));
  for (auto& gc : gpus) {
    gc.sm_count = s.cluster.gpu.sm_count;
    gc.comm_sms = s.plan.comm_sms;
  }
  NoNetwork net;
  out.run = execute(gpus, g.graph, net);
  out.dp_sync = e.breakdown.dp_sync;
  out.optimizer = e.breakdown.optimizer;

  // Breakdown on the rank whose compute stream is busiest.
  std::vector<std::vector<std::pair<Seconds, Seconds>>> comp(gpus.size()), comm(gpus.size());
  for (size_t t = 0; t < g.graph.size(); ++t) {
    const Task& task = g.graph.tasks()[t];
    const TaskRecord& rec = out.run.tasks[t];
    if (rec.end <= rec.start) continue;
    (task.kind == TaskKind::kCompute ? comp : comm)[static_cast<size_t>(task.gpu)].push_back(
        {rec.start, rec.end});
  }
  for (size_t r = 0; r < gpus.size(); ++r) {
    const Seconds busy = covered(comp[r]);
    if (r == 0 || busy > out.compute_busy) {
      out.compute_busy = busy;
      out.slowest_rank = static_cast<int>(r);
      auto both = comp[r];
      both.insert(both.end(), comm[r].begin(), comm[r].end());
      out.exposed_comm = covered(both) - busy;
    }
  }
  return out;
}

Estimate des_estimate(const Scenario& s) {
  Estimate e = estimate(s);
  const DesStep d = simulate_step(s, e);
  const double ratio = d.step_time() / e.step_time;
  const Seconds step = d.step_time();
  e.fidelity = "des";
  e.step_time = step;
  e.breakdown.compute = d.compute_busy;
  e.breakdown.exposed_comm = d.exposed_comm;
  e.breakdown.bubble = d.run.makespan - d.compute_busy - d.exposed_comm;
  e.tokens_per_s /= ratio;
  e.mfu /= ratio;
  e.wall_time = Seconds();
  e.gpu_hours = e.cost_usd = 0;
  double tokens = 0;
  for (PhaseEstimate& p : e.phases) {
    p.step_time = p.step_time * ratio;
    p.tokens_per_s /= ratio;
    p.mfu /= ratio;
    p.wall_time = p.wall_time * ratio;
    p.gpu_hours *= ratio;
    p.cost_usd *= ratio;
    e.wall_time += p.wall_time;
    e.gpu_hours += p.gpu_hours;
    e.cost_usd += p.cost_usd;
    tokens += p.tokens;
  }
  e.phases.front().step_time = step;
  e.phases.front().breakdown = e.breakdown;
  e.gpu_hours_per_trillion_tokens = tokens > 0 ? e.gpu_hours / (tokens / 1e12) : 0;
  e.caveats.erase(e.caveats.begin());  // the analytic fidelity's own caveat
  e.caveats.insert(
      e.caveats.begin(),
      "des fidelity (first form): the step executed on the discrete-event engine from the "
      "schedule's instruction lists; EP dispatch/combine simulated on the SimGrid network "
      "for one EP group in isolation (" +
          std::to_string(seconds(d.dispatch) * 1e3).substr(0, 5) + " ms / " +
          std::to_string(seconds(d.combine) * 1e3).substr(0, 5) +
          " ms per MoE layer and micro-batch); no contention between concurrent collectives, "
          "no op-level interleaving inside a chunk pair, no HBM interference; later phases and "
          "the batch ramp scaled by the first phase's des/analytic ratio");
  return e;
}

}  // namespace moesim
