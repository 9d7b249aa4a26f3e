#include "sim/net/deepep_model.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "sim/core/check.h"
#include "sim/net/max_min_fluid.h"
#include "sim/net/network.h"

namespace moesim {
namespace {

struct ConfigRow {
  int max_ep;
  DeepEpConfig dispatch;
  DeepEpConfig combine;
};

// deepseek-ai/DeepEP deep_ep/buffer.py@ebfe47e: Config(num_sms, nvl_chunk,
// nvl_buffer, rdma_chunk, rdma_buffer) by number of ranks; <= 8 is intranode.
constexpr ConfigRow kConfigs[] = {
    {8, {6, 256, 6, 128}, {6, 256, 6, 128}},     {16, {16, 288, 20, 128}, {2, 288, 28, 128}},
    {24, {8, 288, 32, 128}, {1, 288, 20, 128}},  {32, {8, 288, 32, 128}, {1, 288, 20, 128}},
    {64, {20, 288, 28, 128}, {1, 288, 20, 128}}, {128, {20, 560, 32, 128}, {1, 560, 12, 128}},
    {144, {32, 720, 12, 128}, {2, 720, 8, 128}}, {160, {28, 720, 12, 128}, {2, 720, 8, 128}},
};

void append(std::vector<Flow>& to, const std::vector<Flow>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

Flow reversed(const Flow& f, bool to_relay) {
  Flow r = f;
  std::swap(r.src, r.dst);
  r.tag = (f.tag & ~kRelayHopTagBit) | (to_relay ? kRelayHopTagBit : 0);
  return r;
}

// One chunk per channel through a link of `rate`: how long a relay waits for
// a whole chunk before it can forward (fill), or forwards after its input
// ended (drain). Every channel streams one at the same time.
Seconds chunk_time(int channels, int chunk_tokens, double bytes_per_token, BytesPerSecond rate) {
  return ByteCount(channels * chunk_tokens * bytes_per_token) / rate;
}

}  // namespace

bool DeepEpKernel::operator==(const DeepEpKernel& o) const {
  return num_sms == o.num_sms && nvlink_efficiency == o.nvlink_efficiency &&
         sm_copy_rate == o.sm_copy_rate && launch_gap == o.launch_gap &&
         kernels_per_call == o.kernels_per_call && barriers_per_call == o.barriers_per_call;
}

DeepEpConfig deepep_config(EpDirection d, int ep) {
  MOESIM_CHECK(ep >= 1 && ep <= kConfigs[std::size(kConfigs) - 1].max_ep,
               "DeepEP has configs for 1 to 160 ranks");
  for (const ConfigRow& row : kConfigs)
    if (ep <= row.max_ep) return d == EpDirection::kDispatch ? row.dispatch : row.combine;
  return {};
}

std::vector<std::string> deepep_kernel_problems(const DeepEpKernel& k) {
  std::vector<std::string> e;
  if (k.num_sms < 2 || k.num_sms % 2 != 0)
    e.push_back("num_sms: must be an even number >= 2 (two SMs per channel), found " +
                std::to_string(k.num_sms));
  if (!(k.nvlink_efficiency > 0 && k.nvlink_efficiency <= 1))
    e.push_back("nvlink_efficiency: must be in (0, 1]");
  if (!(k.sm_copy_rate > BytesPerSecond())) e.push_back("sm_copy_rate: must be > 0");
  if (k.launch_gap < Seconds() || k.kernels_per_call < 0 || k.barriers_per_call < 0)
    e.push_back("launch_gap, kernels_per_call, barriers_per_call: must be >= 0");
  return e;
}

namespace {

MoeSpec deepep_test_moe(int ep, int gpus_per_node) {
  const int nodes = (ep + gpus_per_node - 1) / gpus_per_node;
  MoeSpec moe;
  moe.num_routed_experts = ep > 0 ? 256 / ep * ep : 0;
  moe.top_k = 8;
  moe.num_expert_groups = nodes;
  moe.topk_groups = std::min(nodes, 4);
  return moe;
}

}  // namespace

std::vector<std::string> deepep_test_traffic_problems(int ep, int gpus_per_node, int tokens,
                                                      const RoutingSpec& r) {
  if (ep < 1 || ep > 256 || gpus_per_node < 1)
    return {"ep: DeepEP's test setting has 256 experts: 1 to 256 ranks"};
  return routing_problems(deepep_test_moe(ep, gpus_per_node), ep, gpus_per_node, tokens, r);
}

EpTraffic deepep_test_traffic(int ep, int gpus_per_node, int tokens, const RoutingSpec& r) {
  return route_tokens(deepep_test_moe(ep, gpus_per_node), ep, gpus_per_node, tokens, r);
}

namespace {

// The flows of one call in one pipelined phase, stage 1 first (`second`: the
// index of the first stage-2 flow, those a relay sends once it has whole
// chunks), with the drain of the relays' last chunk and the fixed cost.
struct CallFlows {
  ClusterSpec network;  // the cluster as the kernels see it
  KernelEngines engines;
  std::vector<Flow> flows;
  size_t second = 0;
  Seconds drain, fixed;
};

CallFlows call_flows(const ClusterSpec& c, const EpTraffic& t, EpDirection d,
                     const EpCollectiveSpec& s, const DeepEpKernel& k, const DeepEpConfig& config) {
  MOESIM_CHECK(deepep_kernel_problems(k).empty(), "invalid DeepEP kernel");
  const int channels = k.num_sms / 2;
  CallFlows out;
  out.network = c;
  out.network.nvlink_achievable = c.nvlink_achievable * k.nvlink_efficiency;
  const BytesPerSecond engine = k.sm_copy_rate * channels;
  out.engines = KernelEngines{engine, engine};
  const BytesPerSecond nvl = out.network.nvlink_achievable, ib = c.ib_achievable;

  const bool dispatch = d == EpDirection::kDispatch;
  const double tb =
      s.hidden * (dispatch ? s.dispatch_bytes_per_element : s.combine_bytes_per_element);
  const EpLegs legs = ep_legs(t, tb);
  std::vector<Flow>& flows = out.flows;
  std::vector<double> relay_in(t.ep, 0.0), relay_out(t.ep, 0.0);  // combine fan-in
  if (dispatch) {
    append(flows, legs.ib);
    append(flows, legs.nvl_own);
    out.second = flows.size();
    const Seconds fill = chunk_time(channels, config.rdma_chunk_tokens, tb, ib) + c.ib_latency;
    for (Flow f : legs.nvl_relay) {
      f.delay = fill;
      flows.push_back(f);
    }
  } else {
    for (const Flow& f : legs.nvl_own) flows.push_back(reversed(f, false));
    for (const Flow& f : legs.nvl_relay) {
      flows.push_back(reversed(f, true));
      relay_in[f.src] += bytes(f.bytes);
    }
    for (const Flow& f : legs.ib) relay_out[f.dst] += bytes(f.bytes);
    out.second = flows.size();
    for (const Flow& f : legs.ib) {
      Flow r = reversed(f, false);
      // The relay reduces an RDMA chunk of tokens from their partials, which
      // arrive over NVLink: fan_in partial bytes per byte it sends.
      const double fan_in = relay_in[f.dst] / relay_out[f.dst];
      r.delay = chunk_time(channels, config.rdma_chunk_tokens, tb * fan_in, nvl) + c.nvlink_latency;
      flows.push_back(r);
    }
  }
  // Drain: a relay's last chunk leaves after its last input arrived.
  out.drain = dispatch ? chunk_time(channels, config.nvl_chunk_tokens, tb, nvl) + c.nvlink_latency
                       : chunk_time(channels, config.rdma_chunk_tokens, tb, ib) + c.ib_latency;
  const Seconds barrier = t.nodes > 1 ? c.nvlink_latency + c.ib_latency : c.nvlink_latency;
  out.fixed = k.launch_gap * k.kernels_per_call + barrier * k.barriers_per_call;
  return out;
}

}  // namespace

DeepEpCall deepep_call(const ClusterSpec& c, const EpTraffic& t, EpDirection d,
                       const EpCollectiveSpec& s, const DeepEpKernel& k,
                       const DeepEpConfig& config, int first_gpu) {
  const CallFlows cf = call_flows(c, t, d, s, k, config);
  DeepEpCall out{cf.network, cf.engines, {}, cf.fixed};
  out.transfers.reserve(cf.flows.size());
  for (size_t i = 0; i < cf.flows.size(); ++i) {
    const Flow& f = cf.flows[i];
    const bool relayed = i >= cf.second;
    out.transfers.emplace_back(first_gpu + f.src, first_gpu + f.dst, f.bytes, cf.fixed + f.delay,
                               relayed ? cf.drain : Seconds(), relayed ? first_gpu + f.src : -1);
  }
  return out;
}

DeepEpResult run_deepep(const ClusterSpec& c, const EpTraffic& t, EpDirection d,
                        const EpCollectiveSpec& s, const DeepEpKernel& k,
                        const DeepEpConfig& config, NetworkModel model, int groups) {
  MOESIM_CHECK(groups >= 1 && static_cast<long>(t.ep) * groups <= c.num_gpus() &&
                   t.gpus_per_node == c.gpus_per_node,
               "the EP groups must fit the cluster's first GPUs");
  const CallFlows cf = call_flows(c, t, d, s, k, config);
  const auto net = model == NetworkModel::kFast ? make_fast_network(cf.network, cf.engines)
                                                : make_network(cf.network, cf.engines);
  const size_t per_group = cf.flows.size();
  const std::vector<Flow> flows = replicate_groups({cf.flows}, t.ep, groups).front();
  const int ranks = t.ep * groups;
  const bool dispatch = d == EpDirection::kDispatch;
  const NetworkRun run = net->run_phases({flows});
  std::vector<Seconds> finish(flows.size());
  for (size_t i = 0; i < flows.size(); ++i) finish[i] = run.flows[i].finish;
  // Drain: a relay's last chunk leaves after its last input arrived.
  std::vector<Seconds> input_done(static_cast<size_t>(ranks));
  for (size_t i = 0; i < flows.size(); ++i)
    if (i % per_group < cf.second && (flows[i].tag & kRelayHopTagBit))
      input_done[flows[i].dst] = max(input_done[flows[i].dst], finish[i]);
  for (size_t i = 0; i < flows.size(); ++i)
    if (i % per_group >= cf.second)
      finish[i] = max(finish[i], input_done[flows[i].src] + cf.drain);

  DeepEpResult r;
  r.flows = collective_times(flows, finish, ranks);
  r.fixed = cf.fixed;
  r.kernel_time.resize(ranks);
  for (int i = 0; i < ranks; ++i) {
    r.kernel_time[i] = r.fixed + r.flows.finished[i];
    r.time = max(r.time, r.kernel_time[i]);
  }
  const double scale = (dispatch ? s.dispatch_bytes_per_element : s.combine_bytes_per_element) / 2;
  const std::vector<Bytes> one = deepep_counted_bytes(t, s.hidden);
  double sum = 0;
  for (int g = 0; g < groups; ++g)
    for (Bytes b : one) {
      r.counted.push_back(b * scale);
      sum += bytes(b * scale);
    }
  r.bottleneck_bandwidth = ByteCount(sum / ranks) / r.time;
  return r;
}

}  // namespace moesim
