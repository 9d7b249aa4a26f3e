#include "sim/step/des_step.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "sim/core/check.h"
#include "sim/cost/comm_model.h"
#include "sim/cost/expert_load.h"
#include "sim/cost/schedule_model.h"
#include "sim/cost/stage_cost.h"
#include "sim/cost/step_boundary.h"
#include "sim/net/deepep_model.h"
#include "sim/sched/generators.h"
#include "sim/cost/chunk_chains.h"

namespace moesim {

namespace {

constexpr int kSendStream = 3;  // pipeline sends: their own stream (NCCL p2p)
constexpr int kDpStream = 4;    // ZeRO reduce-scatter / all-gather (NCCL, DP group)

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

// The chains of one instruction: forward (chain 0) and backward (chain 1),
// either may be empty, with the stages their sends go from.
struct InstructionChains {
  std::vector<Segment> chain[2];
  int stage[2] = {0, 0};
  std::vector<std::pair<int, size_t>> order;  // start order over both chains
};

InstructionChains chains_of(const ChainContext& c, const Instruction& i) {
  InstructionChains ic;
  ChainContext paired = c;
  paired.weight_grad_off_chain = true;
  switch (i.op) {
    case InstructionKind::kForward:
      ic.chain[0] = stage_chain(c, i.chunk.stage, ChainPass::kForward);
      ic.stage[0] = i.chunk.stage;
      break;
    case InstructionKind::kBackwardInput:
      ic.chain[1] = stage_chain(c, i.chunk.stage, ChainPass::kBackwardInput);
      ic.stage[1] = i.chunk.stage;
      break;
    case InstructionKind::kBackwardFull:
      ic.chain[1] = stage_chain(c, i.chunk.stage, ChainPass::kBackwardFull);
      ic.stage[1] = i.chunk.stage;
      break;
    case InstructionKind::kBackwardWeight:
      ic.chain[1] = stage_chain(c, i.chunk.stage, ChainPass::kBackwardWeight);
      ic.stage[1] = i.chunk.stage;
      break;
    case InstructionKind::kForwardBackward:
      ic.chain[0] = stage_chain(c, i.chunk.stage, ChainPass::kForward);
      ic.stage[0] = i.chunk.stage;
      ic.chain[1] = stage_chain(paired, i.backward.stage, ChainPass::kBackwardFull);
      ic.stage[1] = i.backward.stage;
      break;
    case InstructionKind::kOptimizerStep:
      break;
  }
  if (i.op == InstructionKind::kForwardBackward) {
    ic.order = interleave(ic.chain[0], ic.chain[1]).order;
  } else {
    for (int k : {0, 1})
      for (size_t j = 0; j < ic.chain[k].size(); ++j) ic.order.emplace_back(k, j);
  }
  return ic;
}

}  // namespace

DeepEpSetup deepep_setup(const Scenario& s) {
  DeepEpSetup d;
  const int tokens = s.plan.moe_tokens_per_gpu(s.training.phases.front().seq_len);
  d.traffic = scenario_traffic(s, tokens);
  if (s.plan.comm_sms > 0) d.kernel.num_sms = s.plan.comm_sms;
  d.spec.hidden = s.model.hidden;
  d.spec.dispatch_bytes_per_element = s.precision.dispatches_fp8() ? 1.0 + 4.0 / 128.0 : 2.0;
  return d;
}

namespace {

// The step's shape: the first phase's schedule over the pipeline ranks.
struct StepShape {
  const TrainingPhase& phase;
  StageCosts costs;
  Schedule sched;
  int ranks = 0;
  int gpus_per_rank = 0;
  bool ep = false;  // MoE layers with EP calls
  int group = 1;    // GPUs per EP group
};

StepShape step_shape(const Scenario& s, const Estimate& e) {
  const TrainingPhase& ph = s.training.phases.front();
  StepShape x{ph,
              price_stages(s, model_stage_count(s.plan), ph.seq_len, /*overlap=*/false),
              make_schedule(s.plan, e.phases.front().micro_batches)};
  x.ranks = x.sched.ranks;
  x.gpus_per_rank = s.cluster.num_gpus() / x.ranks;
  MOESIM_CHECK(x.gpus_per_rank >= 1, "fewer GPUs than pipeline ranks");
  x.ep = s.model.moe.enabled() && s.plan.ep > 1;
  x.group = x.ep ? s.plan.ep : 1;
  MOESIM_CHECK(x.group <= x.gpus_per_rank, "an EP group spans more than a pipeline rank's GPUs");
  return x;
}

// EP calls of every rank's first EP group (all groups with all_ep_groups):
// DeepEP's kernels on the tokens of one micro-batch, routed once, slowed to
// the calibration's in-training figures; the network they need.
struct EpCalls {
  std::vector<TransferList> dispatch, combine;  // per rank
  ClusterSpec network;
  KernelEngines engines;
};

EpCalls ep_calls(const Scenario& s, const StepShape& x, const DesOptions& o) {
  EpCalls out{std::vector<TransferList>(static_cast<size_t>(x.ranks)),
              std::vector<TransferList>(static_cast<size_t>(x.ranks)), s.cluster, {}};
  if (!x.ep) return out;
  const DeepEpSetup setup = deepep_setup(s);
  const int groups_simulated = o.all_ep_groups ? x.gpus_per_rank / x.group : 1;
  const EpCallSlowdown slow = ep_call_slowdown(s.cluster);
  for (int r = 0; r < x.ranks; ++r) {
    std::vector<NetworkTransfer> dt, ct;
    for (int k = 0; k < groups_simulated; ++k) {
      const int first = r * x.gpus_per_rank + k * x.group;
      DeepEpCall d = deepep_call(s.cluster, setup.traffic, EpDirection::kDispatch, setup.spec,
                                 setup.kernel, deepep_config(EpDirection::kDispatch, s.plan.ep),
                                 first);
      DeepEpCall c = deepep_call(s.cluster, setup.traffic, EpDirection::kCombine, setup.spec,
                                 setup.kernel, deepep_config(EpDirection::kCombine, s.plan.ep),
                                 first);
      dt.insert(dt.end(), d.transfers.begin(), d.transfers.end());
      ct.insert(ct.end(), c.transfers.begin(), c.transfers.end());
      out.network = d.network;
      out.engines = d.engines;
    }
    // In-training slowdown (a trace's ep_call figures): the calls move their
    // bytes that much slower.
    for (NetworkTransfer& t : dt) t.bytes = t.bytes * slow.dispatch;
    for (NetworkTransfer& t : ct) t.bytes = t.bytes * slow.combine;
    out.dispatch[static_cast<size_t>(r)] = std::move(dt);
    out.combine[static_cast<size_t>(r)] = std::move(ct);
  }
  return out;
}

// Pipeline sends between ranks: which rank runs each chunk, and the BF16
// hidden states of one micro-batch from every simulated GPU of a rank to its
// peer on the next, made once per rank pair.
class PipelineSends {
 public:
  PipelineSends(const Scenario& s, const StepShape& x, const DesOptions& o)
      : boundary_(stage_boundary_bytes(s, x.phase.seq_len)),
        senders_(o.all_ep_groups ? x.gpus_per_rank / x.group * x.group : x.group),
        gpus_per_rank_(x.gpus_per_rank) {
    for (int r = 0; r < x.ranks; ++r)
      for (const Instruction& i : x.sched.per_rank[static_cast<size_t>(r)]) {
        if (i.op == InstructionKind::kForward || i.op == InstructionKind::kForwardBackward)
          owner_[{0, i.chunk.micro_batch, i.chunk.stage}] = r;
        if (i.op == InstructionKind::kBackwardInput || i.op == InstructionKind::kBackwardFull)
          owner_[{1, i.chunk.micro_batch, i.chunk.stage}] = r;
        if (i.op == InstructionKind::kForwardBackward)
          owner_[{1, i.backward.micro_batch, i.backward.stage}] = r;
      }
  }
  // The rank that runs the forward (backward = 0) or backward of a chunk.
  int owner(int backward, const Chunk& c, int stage) const {
    return owner_.at({backward, c.micro_batch, stage});
  }
  const TransferList& between(int from_rank, int to_rank) {
    TransferList& l = sends_[{from_rank, to_rank}];
    if (l.empty()) {
      std::vector<NetworkTransfer> t;
      for (int g = 0; g < senders_; ++g)
        t.emplace_back(from_rank * gpus_per_rank_ + g, to_rank * gpus_per_rank_ + g, boundary_);
      l = std::move(t);
    }
    return l;
  }
  const std::map<std::pair<int, int>, TransferList>& all() const { return sends_; }

 private:
  Bytes boundary_;
  int senders_, gpus_per_rank_;
  std::map<std::tuple<int, int, int>, int> owner_;  // (backward?, mb, stage) -> rank
  std::map<std::pair<int, int>, TransferList> sends_;
};

// Every instruction of the schedule as its chains of compute, EP, TP and
// send tasks (sim/cost/chunk_chains.h), then a "done" task.
ScheduleGraph instruction_graph(const Scenario& s, const StepShape& x, const EpCalls& calls,
                                PipelineSends& sends) {
  const ChainContext cc = chain_context(s, x.costs);
  // The chains are built once, while counting (the walk visits instructions in
  // the same order when it emits them).
  std::vector<InstructionChains> built;
  size_t next_built = 0;
  return schedule_task_graph(
      x.sched,
      [&](const Instruction& i, int) {
        built.push_back(chains_of(cc, i));
        return static_cast<int>(built.back().chain[0].size() + built.back().chain[1].size()) + 1;
      },
      [&](const Instruction& i, int r, std::vector<TaskId> deps, TaskGraph& graph) {
        const InstructionChains ic = std::move(built[next_built++]);
        const std::string prefix = to_string(i) + " ";
        std::optional<TaskId> last[2], last_compute[2];
        std::vector<TaskId> sides;
        for (const auto& [k, j] : ic.order) {
          const Segment& g = ic.chain[k][j];
          const std::optional<TaskId>& after = g.side ? last_compute[k] : last[k];
          std::vector<TaskId> d = after ? std::vector<TaskId>{*after} : deps;
          const std::string name = prefix + (k == 0 ? "F " : "B ") + g.name;
          Task t;
          switch (g.kind) {
            case SegmentKind::kCompute:
              t = Task::compute(name, r, g.work, std::move(d));
              t.sm_bound = g.sm_bound;
              break;
            case SegmentKind::kTpComm:
            case SegmentKind::kEpNotify:
              t = Task::communication(name, r, g.work, {}, std::move(d));
              break;
            case SegmentKind::kDispatch:
              t = Task::communication(name, r, Seconds(), calls.dispatch[r], std::move(d));
              break;
            case SegmentKind::kCombine:
              t = Task::communication(name, r, Seconds(), calls.combine[r], std::move(d));
              break;
            case SegmentKind::kSend: {
              const Chunk& ch = k == 0 ? i.chunk
                                : i.op == InstructionKind::kForwardBackward ? i.backward
                                                                            : i.chunk;
              const int to = sends.owner(k, ch, ch.stage + (k == 0 ? 1 : -1));
              t = Task::communication(name, r, Seconds(), sends.between(r, to), std::move(d));
              t.stream = kSendStream;
              t.sms = 0;  // NCCL p2p: its SMs are counted in comm_sms (V3TR §3.2.2)
              break;
            }
          }
          const TaskId id = graph.add(std::move(t));
          if (g.side) {
            sides.push_back(id);
            continue;
          }
          last[k] = id;
          if (g.kind == SegmentKind::kCompute) last_compute[k] = id;
        }
        std::vector<TaskId> ends = sides;
        for (int k : {0, 1})
          if (last[k]) ends.push_back(*last[k]);
        if (ends.empty()) ends = deps;
        graph.add(Task::copy(to_string(i) + " done", r, Seconds(), {}, std::move(ends)));
      });
}

// The step boundary on each rank, overlapped as a real system overlaps it:
// a stage's gradient reduce-scatter starts when the rank has finished that
// stage's last backward chunk (while its other stage may still compute, and
// other ranks are still in their cool-down); the optimizer runs once both
// are reduced and the rank's pipeline work is done; the BF16 parameter
// all-gather follows it. DP peers are on other nodes, outside the simulated
// EP groups: the collectives take their analytic ring time
// (sim/cost/step_boundary.h) and hold the communication SMs meanwhile.
void add_step_boundary(const Scenario& s, const Estimate& e, const StepShape& x, DesStep& out) {
  out.dp_tasks.assign(static_cast<size_t>(x.ranks), {});
  for (int r = 0; r < x.ranks; ++r) {
    const auto& list = x.sched.per_rank[static_cast<size_t>(r)];
    const auto& ids = out.graph.instruction_tasks[static_cast<size_t>(r)];
    std::map<int, size_t> last_backward;  // stage -> instruction index
    for (size_t k = 0; k < list.size(); ++k) {
      const Instruction& i = list[k];
      if (i.op == InstructionKind::kBackwardFull || i.op == InstructionKind::kBackwardWeight)
        last_backward[i.chunk.stage] = k;
      if (i.op == InstructionKind::kForwardBackward) last_backward[i.backward.stage] = k;
    }
    // On the DP stream in the order the stages finish (the stream runs its
    // tasks in the order they are added).
    std::vector<std::pair<size_t, int>> finished;  // (instruction index, stage)
    for (const auto& [stage, k] : last_backward) finished.emplace_back(k, stage);
    std::sort(finished.begin(), finished.end());
    std::vector<TaskId> reduced{ids.back()};
    for (const auto& [k, stage] : finished) {
      const DpSync sync = dp_sync_time(s, {stage}, x.costs);
      Task t = Task::communication("DP reduce-scatter stage " + std::to_string(stage), r,
                                   sync.reduce_scatter, {}, {ids[k]});
      t.stream = kDpStream;
      reduced.push_back(out.graph.graph.add(std::move(t)));
      out.dp_tasks[static_cast<size_t>(r)].push_back(reduced.back());
    }
    const RankReport& rr = e.ranks[static_cast<size_t>(r)];
    const TaskId opt = out.graph.graph.add(
        Task::compute("optimizer step", r, optimizer_time(s, rr.memory.optimizer), reduced));
    out.optimizer_tasks.push_back(opt);
    Task ag = Task::communication("DP all-gather", r,
                                  dp_sync_time(s, rr.stages, x.costs).all_gather, {}, {opt});
    ag.stream = kDpStream;
    out.dp_tasks[static_cast<size_t>(r)].push_back(out.graph.graph.add(std::move(ag)));
  }
}

// Runs the graph on the GPUs and one network of every pair the EP calls and
// sends use; counts the network activities and those SimGrid ran.
void run_on_network(const Scenario& s, const StepShape& x, const EpCalls& calls,
                    const PipelineSends& sends, const DesOptions& o, DesStep& out) {
  const TaskGraph& graph = out.graph.graph;
  std::vector<GpuConfig> gpus(static_cast<size_t>(x.ranks));
  const double interference =
      o.interference.value_or(efficiency_table(s.cluster).interference.value_or(0.0));
  out.interference = interference;
  for (auto& gc : gpus) {
    gc.sm_count = s.cluster.gpu.sm_count;
    gc.comm_sms = s.plan.comm_sms;
    gc.interference = interference;
  }
  for (const Task& t : graph.tasks())
    if (!t.transfers.empty()) ++out.network_activities;
  std::vector<const TransferList*> lists;
  for (const TransferList& l : calls.dispatch) lists.push_back(&l);
  for (const TransferList& l : calls.combine) lists.push_back(&l);
  for (const auto& [key, l] : sends.all()) lists.push_back(&l);
  std::vector<std::pair<int, int>> pairs;
  for (const TransferList* l : lists)
    for (const NetworkTransfer& t : *l) pairs.emplace_back(t.src, t.dst);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  auto net = make_network_backend(calls.network, calls.engines, std::move(pairs), o.granularity,
                                  o.lone_closed_form);
  out.run = execute(gpus, graph, *net);
  out.network_in_simgrid = activities_in_simgrid(*net, out.network_activities);
}

// The breakdown on the rank that finishes last (the step's critical rank;
// the busiest compute stream at a tie): its compute busy time; its EP and
// pipeline communication while its compute idles; its DP collectives while
// both idle; its optimizer; the rest is bubble.
void critical_rank_breakdown(int ranks, DesStep& out) {
  const TaskGraph& graph = out.graph.graph;
  const auto n = static_cast<size_t>(ranks);
  std::vector<Seconds> end(n), opt(n);
  std::vector<std::vector<std::pair<Seconds, Seconds>>> comp(n), comm(n), dp(n);
  std::vector<bool> is_dp(graph.size(), false), is_opt(graph.size(), false);
  for (const auto& v : out.dp_tasks)
    for (TaskId t : v) is_dp[t.value] = true;
  for (TaskId t : out.optimizer_tasks) is_opt[t.value] = true;
  for (size_t t = 0; t < graph.size(); ++t) {
    const Task& task = graph.tasks()[t];
    const TaskRecord& rec = out.run.tasks[t];
    const auto r = static_cast<size_t>(task.gpu);
    end[r] = max(end[r], rec.end);
    if (rec.end <= rec.start || task.kind == TaskKind::kCopy) continue;
    if (is_opt[t]) {
      opt[r] += rec.end - rec.start;
      continue;
    }
    (is_dp[t] ? dp : task.kind == TaskKind::kCompute ? comp : comm)[r].push_back(
        {rec.start, rec.end});
  }
  std::vector<Seconds> busy(n);
  for (size_t r = 0; r < n; ++r) busy[r] = covered(comp[r]);
  size_t slow = 0;
  for (size_t r = 1; r < n; ++r)
    if (end[r] > end[slow] || (end[r] == end[slow] && busy[r] > busy[slow])) slow = r;
  out.slowest_rank = static_cast<int>(slow);
  out.compute_busy = busy[slow];
  auto both = comp[slow];
  both.insert(both.end(), comm[slow].begin(), comm[slow].end());
  const Seconds with_comm = covered(both);
  out.exposed_comm = with_comm - busy[slow];
  both.insert(both.end(), dp[slow].begin(), dp[slow].end());
  out.dp_sync = covered(both) - with_comm;
  out.optimizer = opt[slow];
}

}  // namespace

// The des step as a pipeline of named phases: the step's shape, its EP calls
// and pipeline sends, the instruction graph, the step boundary, the run on
// the network, and the critical rank's breakdown. The step is the first
// phase's, on that phase's plan.
DesStep simulate_step(const Scenario& scenario, const Estimate& e, const DesOptions& o) {
  const PhaseScenario first(scenario, 0);
  const Scenario& s = first.get();
  DesStep out;
  out.granularity = o.granularity;
  const StepShape shape = step_shape(s, e);
  const EpCalls calls = ep_calls(s, shape, o);
  PipelineSends sends(s, shape, o);
  out.graph = instruction_graph(s, shape, calls, sends);
  add_step_boundary(s, e, shape, out);
  run_on_network(s, shape, calls, sends, o, out);
  critical_rank_breakdown(shape.ranks, out);
  return out;
}

Estimate des_estimate(const Scenario& s, const DesOptions& o) {
  Estimate e = estimate(s);
  const DesStep d = simulate_step(s, e, o);
  return des_estimate(s, std::move(e), d);
}

Estimate des_estimate(const Scenario&, Estimate e, const DesStep& d) {
  auto percent = [](double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", 100 * x);
    return std::string(b);
  };
  const double ratio = d.step_time() / e.step_time;
  const Seconds step = d.step_time();
  e.fidelity = "des";
  e.analytic_step_time = e.step_time;
  e.analytic_breakdown = e.breakdown;
  e.step_time = step;
  e.breakdown.compute = d.compute_busy;
  e.breakdown.exposed_comm = d.exposed_comm;
  e.breakdown.dp_sync = d.dp_sync;
  e.breakdown.optimizer = d.optimizer;
  e.breakdown.bubble = d.run.makespan - d.compute_busy - d.exposed_comm - d.dp_sync - d.optimizer;
  e.tokens_per_s /= ratio;
  e.mfu /= ratio;
  e.wall_time = Seconds();
  e.gpu_hours = e.cost_usd = 0;
  double tokens = 0;
  bool generation = false;
  for (PhaseEstimate& p : e.phases) {
    if (p.kind == PhaseKind::kGeneration) {  // analytic in both fidelities
      generation = true;
      e.wall_time += p.wall_time;
      e.gpu_hours += p.gpu_hours;
      e.cost_usd += p.cost_usd;
      continue;
    }
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
  if (e.load) e.load->transient_gpu_hours *= ratio;
  e.phases.front().step_time = step;
  e.phases.front().breakdown = e.breakdown;
  e.gpu_hours_per_trillion_tokens = tokens > 0 ? e.gpu_hours / (tokens / 1e12) : 0;
  e.caveats.erase(e.caveats.begin());  // the analytic fidelity's own caveat
  // ... and its ZeRO one: the des step overlaps DP sync (its caveat says how).
  e.caveats.erase(std::remove_if(e.caveats.begin(), e.caveats.end(),
                                 [](const std::string& c) { return c.rfind("ZeRO ", 0) == 0; }),
                  e.caveats.end());
  e.caveats.insert(
      e.caveats.begin(),
      "des fidelity: the step executed op by op on the discrete-event engine (attention, "
      "dispatch, experts, combine per MoE layer; DualPipe's F&B pairs interleaved), " +
          std::to_string(d.network_activities) +
          " EP calls and pipeline sends simulated together on one SimGrid network (" +
          to_string(d.granularity) + " granularity" +
          (d.network_in_simgrid < d.network_activities
               ? "; " + std::to_string(d.network_in_simgrid) +
                     " met another on a link and ran in SimGrid, the rest alone in closed form"
               : std::string()) +
          ") for one EP group per pipeline rank; SM-bound kernel time (GEMMs, attention) "
          "slowed while communication holds its SMs" +
          (d.interference > 0
               ? " and " + percent(d.interference) +
                     " slower beyond that (HBM interference, calibration profile)"
               : std::string(", no HBM interference beyond that (no overlap figure in the "
                             "calibration profile)")) +
          "; each stage's ZeRO "
          "gradient reduce-scatter as soon as the rank finished its backward, then optimizer "
          "and parameter all-gather, at analytic ring times; later phases and the "
          "batch ramp scaled by the first phase's des/analytic ratio" +
          (generation ? std::string(" (generation phases: analytic)") : std::string()));
  return e;
}

}  // namespace moesim
