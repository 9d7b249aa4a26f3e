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
  const int tokens = s.plan.micro_batch_size * s.training.phases.front().seq_len;
  d.traffic = scenario_traffic(s, tokens);
  if (s.plan.comm_sms > 0) d.kernel.num_sms = s.plan.comm_sms;
  d.spec.hidden = s.model.hidden;
  d.spec.dispatch_bytes_per_element = s.precision.fp8_dispatch ? 1.0 + 4.0 / 128.0 : 2.0;
  return d;
}

DesStep simulate_step(const Scenario& s, const Estimate& e, const DesOptions& o) {
  DesStep out;
  out.granularity = o.granularity;
  const TrainingPhase& ph = s.training.phases.front();
  const int stages = model_stage_count(s.plan);
  const StageCosts costs = price_stages(s, stages, ph.seq_len, /*overlap=*/false);
  const Schedule sched = make_schedule(s.plan.schedule, s.plan.pp, e.phases.front().micro_batches,
                                       s.plan.virtual_stages);
  const int ranks = sched.ranks;
  const int gpus_per_rank = s.cluster.num_gpus() / ranks;
  MOESIM_CHECK(gpus_per_rank >= 1, "fewer GPUs than pipeline ranks");

  // EP calls of every rank's first EP group: DeepEP's kernels on the tokens
  // of one micro-batch, routed once.
  const bool ep = s.model.moe.enabled() && s.plan.ep > 1;
  const int group = ep ? s.plan.ep : 1;
  MOESIM_CHECK(group <= gpus_per_rank, "an EP group spans more than a pipeline rank's GPUs");
  const int tokens = s.plan.micro_batch_size * ph.seq_len;
  std::vector<TransferList> dispatch(ranks), combine(ranks);
  ClusterSpec net_cluster = s.cluster;
  KernelEngines engines;
  if (ep) {
    const DeepEpSetup setup = deepep_setup(s);
    const EpTraffic& traffic = setup.traffic;
    const DeepEpKernel& kernel = setup.kernel;
    const EpCollectiveSpec& spec = setup.spec;
    const int groups_simulated = o.all_ep_groups ? gpus_per_rank / group : 1;
    for (int r = 0; r < ranks; ++r) {
      std::vector<NetworkTransfer> dt, ct;
      for (int k = 0; k < groups_simulated; ++k) {
        const int first = r * gpus_per_rank + k * group;
        DeepEpCall d = deepep_call(s.cluster, traffic, EpDirection::kDispatch, spec, kernel,
                                   deepep_config(EpDirection::kDispatch, s.plan.ep), first);
        DeepEpCall c = deepep_call(s.cluster, traffic, EpDirection::kCombine, spec, kernel,
                                   deepep_config(EpDirection::kCombine, s.plan.ep), first);
        dt.insert(dt.end(), d.transfers.begin(), d.transfers.end());
        ct.insert(ct.end(), c.transfers.begin(), c.transfers.end());
        net_cluster = d.network;
        engines = d.engines;
      }
      // In-training slowdown (a trace's ep_call figures): the calls move
      // their bytes that much slower.
      const EpCallSlowdown slow = ep_call_slowdown(s.cluster);
      for (NetworkTransfer& x : dt) x.bytes = x.bytes * slow.dispatch;
      for (NetworkTransfer& x : ct) x.bytes = x.bytes * slow.combine;
      dispatch[r] = std::move(dt);
      combine[r] = std::move(ct);
    }
  }
  // Which rank runs the forward / backward of each (micro-batch, stage).
  std::map<std::tuple<int, int, int>, int> owner;  // (backward?, mb, stage) -> rank
  for (int r = 0; r < ranks; ++r)
    for (const Instruction& i : sched.per_rank[static_cast<size_t>(r)]) {
      if (i.op == InstructionKind::kForward || i.op == InstructionKind::kForwardBackward)
        owner[{0, i.chunk.micro_batch, i.chunk.stage}] = r;
      if (i.op == InstructionKind::kBackwardInput || i.op == InstructionKind::kBackwardFull)
        owner[{1, i.chunk.micro_batch, i.chunk.stage}] = r;
      if (i.op == InstructionKind::kForwardBackward)
        owner[{1, i.backward.micro_batch, i.backward.stage}] = r;
    }
  const Bytes boundary = ByteCount(tokens * s.model.hidden * 2.0);  // BF16 hidden states
  std::map<std::pair<int, int>, TransferList> sends;
  auto send_transfers = [&](int from_rank, int to_rank) {
    TransferList& l = sends[{from_rank, to_rank}];
    if (l.empty()) {
      std::vector<NetworkTransfer> t;
      const int senders = o.all_ep_groups ? gpus_per_rank / group * group : group;
      for (int g = 0; g < senders; ++g)
        t.emplace_back(from_rank * gpus_per_rank + g, to_rank * gpus_per_rank + g, boundary);
      l = std::move(t);
    }
    return l;
  };

  const ChainContext cc = chain_context(s, costs);

  // The chains are built once, while counting (the walk visits instructions in
  // the same order when it emits them).
  std::vector<InstructionChains> built;
  size_t next_built = 0;
  out.graph = schedule_task_graph(
      sched,
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
              t = Task::communication(name, r, Seconds(), dispatch[r], std::move(d));
              break;
            case SegmentKind::kCombine:
              t = Task::communication(name, r, Seconds(), combine[r], std::move(d));
              break;
            case SegmentKind::kSend: {
              const Chunk& ch = k == 0 ? i.chunk
                                : i.op == InstructionKind::kForwardBackward ? i.backward
                                                                            : i.chunk;
              const int to = owner.at({k, ch.micro_batch, ch.stage + (k == 0 ? 1 : -1)});
              t = Task::communication(name, r, Seconds(), send_transfers(r, to), std::move(d));
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
  // The step boundary on each rank, overlapped as a real system overlaps it:
  // a stage's gradient reduce-scatter starts when the rank has finished that
  // stage's last backward chunk (while its other stage may still compute, and
  // other ranks are still in their cool-down); the optimizer runs once both
  // are reduced and the rank's pipeline work is done; the BF16 parameter
  // all-gather follows it. DP peers are on other nodes, outside the simulated
  // EP groups: the collectives take their analytic ring time
  // (sim/cost/step_boundary.h) and hold the communication SMs meanwhile.
  out.dp_tasks.assign(static_cast<size_t>(ranks), {});
  for (int r = 0; r < ranks; ++r) {
    const auto& list = sched.per_rank[static_cast<size_t>(r)];
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
      const DpSync sync = dp_sync_time(s, {stage}, costs);
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
    Task ag = Task::communication("DP all-gather", r, dp_sync_time(s, rr.stages, costs).all_gather,
                                  {}, {opt});
    ag.stream = kDpStream;
    out.dp_tasks[static_cast<size_t>(r)].push_back(out.graph.graph.add(std::move(ag)));
  }
  const ScheduleGraph& g = out.graph;

  std::vector<GpuConfig> gpus(static_cast<size_t>(ranks));
  const double interference =
      o.interference.value_or(efficiency_table(s.cluster).interference.value_or(0.0));
  out.interference = interference;
  for (auto& gc : gpus) {
    gc.sm_count = s.cluster.gpu.sm_count;
    gc.comm_sms = s.plan.comm_sms;
    gc.interference = interference;
  }
  std::vector<std::pair<int, int>> pairs;
  for (const Task& t : g.graph.tasks())
    if (!t.transfers.empty()) ++out.network_activities;
  std::vector<const TransferList*> lists;
  for (const TransferList& l : dispatch) lists.push_back(&l);
  for (const TransferList& l : combine) lists.push_back(&l);
  for (const auto& [key, l] : sends) lists.push_back(&l);
  for (const TransferList* l : lists)
    for (const NetworkTransfer& x : *l) pairs.emplace_back(x.src, x.dst);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  auto net = make_network_backend(net_cluster, engines, std::move(pairs), o.granularity,
                                  o.lone_closed_form);
  out.run = execute(gpus, g.graph, *net);
  out.network_in_simgrid = activities_in_simgrid(*net, out.network_activities);

  // The breakdown on the rank that finishes last (the step's critical rank;
  // the busiest compute stream at a tie): its compute busy time; its EP and
  // pipeline communication while its compute idles; its DP collectives while
  // both idle; its optimizer; the rest is bubble.
  std::vector<Seconds> end(gpus.size());
  std::vector<std::vector<std::pair<Seconds, Seconds>>> comp(gpus.size()), comm(gpus.size()),
      dp(gpus.size());
  std::vector<Seconds> opt(gpus.size());
  std::vector<bool> is_dp(g.graph.size(), false), is_opt(g.graph.size(), false);
  for (const auto& v : out.dp_tasks)
    for (TaskId t : v) is_dp[t.value] = true;
  for (TaskId t : out.optimizer_tasks) is_opt[t.value] = true;
  for (size_t t = 0; t < g.graph.size(); ++t) {
    const Task& task = g.graph.tasks()[t];
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
  std::vector<Seconds> busy(gpus.size());
  for (size_t r = 0; r < gpus.size(); ++r) busy[r] = covered(comp[r]);
  size_t slow = 0;
  for (size_t r = 1; r < gpus.size(); ++r)
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
          "batch ramp scaled by the first phase's des/analytic ratio");
  return e;
}

}  // namespace moesim
