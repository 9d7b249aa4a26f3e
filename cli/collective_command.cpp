// `moesim collective`: one collective on a cluster, per-rank completion times
// and the bandwidth as DeepEP's tests or nccl-tests report it, so that a user
// can hold the simulator against those tools on their own cluster.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/args.h"
#include "cli/cli.h"
#include "sim/core/diagnostics.h"
#include "sim/hw/gpu_spec.h"
#include "sim/net/deepep_model.h"
#include "sim/net/max_min_fluid.h"
#include "sim/net/nccl_collectives.h"
#include "sim/scenario/scenario_json.h"
// A standalone cluster file (scenarios/clusters/*.json) has no public loader
// yet; the scenario library's own part parser reads it with the same
// diagnostics as inside a scenario.
#include "sim/scenario/detail/json_file.h"
#include "sim/scenario/detail/parts.h"

namespace moesim::cli {

namespace {

const char* const kCollectiveUsage =
    "usage: moesim collective KIND [--ep N] [--gpus N] [--size BYTES] [--tokens T]\n"
    "                         [--hidden H] [--routing uniform|zipf:S] [--seed N] [--sms N]\n"
    "                         [--cluster FILE | --scenario FILE | --gpu NAME] [--per-flow]\n"
    "                         [--format text|json]\n"
    "\n"
    "Times one collective on the cluster's network and prints each rank's completion time\n"
    "and the bandwidth the way the reference tools report it.\n"
    "\n"
    "KIND, expert parallel with DeepEP's normal kernels (sim/net/deepep_model.h):\n"
    "  deepep_dispatch, deepep_combine   over EP groups of --ep GPUs (default 16; --gpus N,\n"
    "                 a multiple of --ep, runs every group of the first N GPUs at once, each\n"
    "                 routing the same tokens), DeepEP's test setting: --tokens per rank\n"
    "                 (4096), --hidden (7168), top-8 of 256 experts, one group per node, top\n"
    "                 min(nodes, 4) groups, FP8 dispatch, BF16 combine, --sms SMs (24;\n"
    "                 DeepSeek-V3 training uses 20). Prints the 'bottleneck bandwidth' as\n"
    "                 DeepEP's tests/test_{intra,inter}node.py compute it.\n"
    "KIND, NCCL-style over the first --gpus GPUs (default 16), --size as nccl-tests' size\n"
    "(default 1GB; B, KB, MB, GB, KiB, MiB, GiB):\n"
    "  all_reduce_ring, all_reduce_tree, reduce_scatter, all_gather, all_to_all, send_recv\n"
    "                 Prints algbw and busbw with nccl-tests' definitions.\n"
    "\n"
    "  --routing      expert popularity: uniform (default) or zipf:S (expert e has weight\n"
    "                 1/(e+1)^S, the hottest on rank 0); --seed picks the draw (default 1)\n"
    "  --cluster FILE a cluster file (scenarios/clusters/), --scenario FILE a scenario's cluster,\n"
    "                 or --gpu NAME a catalog GPU with its default links (default H800); only\n"
    "                 the nodes the collective needs are simulated.\n"
    "  --per-flow     the per-flow reference (SimGrid, max-min per flow) instead of the fast\n"
    "                 model (max-min fluid solved in process, sim/net/max_min_fluid.h); the two\n"
    "                 agree within 2% up to 128 GPUs (docs/network.md), the reference's cost\n"
    "                 grows with the square of the flows: minutes from 256 GPUs of all-to-all.\n"
    "\n"
    "Text lists every rank up to 64 of them, else the fastest, median and slowest;\n"
    "--format json lists every rank.\n";

[[noreturn]] void bad_option(const std::string& name, const std::string& message) {
  Diagnostics d;
  d.add("<command line>", name, message);
  throw InputError(d);
}

int int_option(const ParsedArgs& a, const char* name, int dflt, int lo, int hi) {
  const auto v = a.get(name);
  if (!v) return dflt;
  try {
    size_t used = 0;
    const long x = std::stol(*v, &used);
    if (used == v->size() && x >= lo && x <= hi) return static_cast<int>(x);
  } catch (const std::exception&) {
  }
  bad_option(name, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                       ", found \"" + *v + "\"");
}

Bytes size_option(const ParsedArgs& a) {
  const std::string v = a.get("--size").value_or("1GB");
  static const std::pair<const char*, double> kUnits[] = {
      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"KB", 1e3}, {"MB", 1e6},
      {"GB", 1e9},     {"B", 1.0}};
  double scale = 1.0;
  std::string number = v;
  for (const auto& [suffix, s] : kUnits) {
    const std::string u = suffix;
    if (v.size() > u.size() && v.compare(v.size() - u.size(), u.size(), u) == 0) {
      number = v.substr(0, v.size() - u.size());
      scale = s;
      break;
    }
  }
  try {
    size_t used = 0;
    const double x = std::stod(number, &used);
    if (used == number.size() && std::isfinite(x) && x > 0) return ByteCount(x * scale);
  } catch (const std::exception&) {
  }
  bad_option("--size", "expected a positive size such as 64MB or 1GiB, found \"" + v + "\"");
}

RoutingSpec routing_option(const ParsedArgs& a) {
  RoutingSpec r;
  r.seed = static_cast<uint64_t>(int_option(a, "--seed", 1, 0, 2147483647));
  const std::string v = a.get("--routing").value_or("uniform");
  if (v == "uniform") return r;
  if (v.rfind("zipf:", 0) == 0) {
    try {
      size_t used = 0;
      const std::string s = v.substr(5);
      const double x = std::stod(s, &used);
      if (used == s.size() && std::isfinite(x) && x >= 0) {
        r.popularity = ExpertPopularity::kZipf;
        r.zipf_exponent = x;
        return r;
      }
    } catch (const std::exception&) {
    }
  }
  bad_option("--routing", "expected uniform or zipf:S with S >= 0, found \"" + v + "\"");
}

ClusterSpec load_cluster_file(const std::string& path) {
  detail::ParseLog log;
  const std::optional<nlohmann::json> j = detail::read_json_file(path, log);
  ClusterSpec c;
  if (j)
    c = detail::parse_cluster(*j, JsonLocation{path, ""}, log,
                              std::filesystem::path(path).parent_path().string());
  if (log.size() > 0) throw InputError(log.diagnostics());
  return c;
}

// The cluster the options name, cut to the nodes that `gpus` GPUs need.
ClusterSpec cluster_option(const ParsedArgs& a, int gpus) {
  const int given =
      a.get("--cluster").has_value() + a.get("--scenario").has_value() + a.get("--gpu").has_value();
  if (given > 1) bad_option("--cluster", "give at most one of --cluster, --scenario and --gpu");
  ClusterSpec c;
  if (auto f = a.get("--cluster")) {
    c = load_cluster_file(*f);
  } else if (auto s = a.get("--scenario")) {
    c = load_scenario(*s).cluster;
  } else {
    const std::string name = a.get("--gpu").value_or("H800");
    const GpuSpec* gpu = find_gpu(name);
    if (!gpu) {
      const std::string near = closest_match(name, gpu_names());
      bad_option("--gpu", "unknown GPU \"" + name + "\"" +
                              (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
    }
    c = default_cluster(*gpu, 1);
    c.num_nodes = (gpus + c.gpus_per_node - 1) / c.gpus_per_node;
    return c;
  }
  const int needed = (gpus + c.gpus_per_node - 1) / c.gpus_per_node;
  if (needed > c.num_nodes)
    bad_option("--gpus", std::to_string(gpus) + " GPUs do not fit the cluster's " +
                             std::to_string(c.num_gpus()));
  // The first nodes keep their leaves and planes: the rest carries nothing.
  c.num_nodes = needed;
  return c;
}

std::string fabric_words(const ClusterSpec& c) {
  std::ostringstream s;
  s << c.num_nodes << " node" << (c.num_nodes > 1 ? "s" : "") << " x " << c.gpus_per_node << " "
    << c.gpu.name << ", NVLink " << gb_per_s(c.nvlink_achievable) << " GB/s, IB "
    << gb_per_s(c.ib_achievable) << " GB/s per GPU, " << to_string(c.fabric.kind);
  return s.str();
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Right-aligned in `width` columns.
std::string col(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

NetworkModel model_option(const ParsedArgs& a) {
  return a.flags.count("--per-flow") ? NetworkModel::kPerFlow : NetworkModel::kFast;
}

std::string model_words(NetworkModel m) {
  return m == NetworkModel::kFast ? "fast model (max-min fluid, in process)"
                                  : "per-flow reference (SimGrid max-min)";
}

// Per-rank rows up to this many ranks; beyond, the fastest, median and slowest.
constexpr size_t kRanksListed = 64;

// The ranks by `time_us`, as text: every one, or three of them.
void print_ranks(std::ostream& out, const std::vector<double>& time_us, const std::string& what,
                 const std::function<void(size_t)>& row) {
  if (time_us.size() <= kRanksListed) {
    for (size_t i = 0; i < time_us.size(); ++i) row(i);
    return;
  }
  std::vector<size_t> order(time_us.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return time_us[x] < time_us[y]; });
  out << "  " << order.size() << " ranks by " << what << ": fastest, median, slowest"
      << " (--format json lists every rank)\n";
  for (size_t k : {size_t{0}, order.size() / 2, order.size() - 1}) row(order[k]);
}

int run_deepep_kind(const ParsedArgs& a, EpDirection d, bool json_out, std::ostream& out) {
  const int ep = int_option(a, "--ep", 16, 1, 256);
  const int gpus = int_option(a, "--gpus", ep, 1, 1 << 20);
  if (gpus % ep != 0)
    bad_option("--gpus", "expected a multiple of --ep " + std::to_string(ep) + ", found " +
                             std::to_string(gpus));
  const int groups = gpus / ep;
  const int tokens = int_option(a, "--tokens", 4096, 1, 1 << 20);
  EpCollectiveSpec spec;
  spec.hidden = int_option(a, "--hidden", 7168, 1, 1 << 20);
  DeepEpKernel k;
  k.num_sms = int_option(a, "--sms", 24, 2, 1024);
  const RoutingSpec routing = routing_option(a);
  const NetworkModel model = model_option(a);
  const ClusterSpec c = cluster_option(a, gpus);
  Diagnostics d_problems;
  for (const std::string& m : deepep_test_traffic_problems(ep, c.gpus_per_node, tokens, routing))
    d_problems.add("<command line>", "--ep", m);
  for (const std::string& m : deepep_kernel_problems(k))
    d_problems.add("<command line>", "--sms", m);
  d_problems.throw_if_any();
  const EpTraffic t = deepep_test_traffic(ep, c.gpus_per_node, tokens, routing);
  const DeepEpConfig config = deepep_config(d, ep);
  const DeepEpResult r = run_deepep(c, t, d, spec, k, config, model, groups);
  const char* kind = d == EpDirection::kDispatch ? "deepep_dispatch" : "deepep_combine";
  const double bw = gb_per_s(r.bottleneck_bandwidth);
  if (json_out) {
    nlohmann::json j;
    j["collective"] = kind;
    j["network_model"] = to_string(model);
    j["ep"] = ep;
    j["groups"] = groups;
    j["sms"] = k.num_sms;
    j["tokens_per_rank"] = tokens;
    j["hidden"] = spec.hidden;
    j["cluster"] = fabric_words(c);
    j["time_us"] = seconds(r.time) * 1e6;
    j["fixed_us"] = seconds(r.fixed) * 1e6;
    j["bottleneck_GB_per_s"] = bw;
    j["slowest_rank"] = r.flows.slowest_rank;
    for (int i = 0; i < gpus; ++i)
      j["ranks"].push_back({{"rank", i},
                            {"kernel_us", seconds(r.kernel_time[i]) * 1e6},
                            {"received_us", seconds(r.fixed + r.flows.received[i]) * 1e6},
                            {"counted_MB", bytes(r.counted[i]) / 1e6},
                            {"GB_per_s", bytes(r.counted[i]) / seconds(r.time) / 1e9}});
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << kind << ": EP" << ep;
  if (groups > 1) out << " x " << groups << " groups at once";
  out << " on " << fabric_words(c) << "\n"
      << "  " << model_words(model) << "; DeepEP normal kernel, " << k.num_sms << " SMs ("
      << k.num_sms / 2 << " channels), NVL chunk " << config.nvl_chunk_tokens << ", RDMA chunk "
      << config.rdma_chunk_tokens << " tokens; " << tokens << " tokens per rank, hidden "
      << spec.hidden << "\n\n";
  out << "  " << col("rank", 5) << col("kernel_us", 12) << col("received_us", 13)
      << col("counted_MB", 12) << col("GB/s", 8) << "\n";
  std::vector<double> received_us;
  for (int i = 0; i < gpus; ++i) received_us.push_back(seconds(r.fixed + r.flows.received[i]) * 1e6);
  print_ranks(out, received_us, "received_us", [&](size_t i) {
    out << "  " << col(std::to_string(i), 5) << col(fixed(seconds(r.kernel_time[i]) * 1e6, 1), 12)
        << col(fixed(received_us[i], 1), 13) << col(fixed(bytes(r.counted[i]) / 1e6, 2), 12)
        << col(fixed(bytes(r.counted[i]) / seconds(r.time) / 1e9, 1), 8) << "\n";
  });
  out << "\n  time " << fixed(seconds(r.time) * 1e6, 1) << " us (slowest rank "
      << r.flows.slowest_rank << "; every rank's call waits for it, as in DeepEP's tests), of "
      << "which " << fixed(seconds(r.fixed) * 1e6, 1) << " us launch and barriers\n"
      << "  bottleneck bandwidth " << fixed(bw, 1) << " GB/s (" << (t.nodes > 1 ? "RDMA" : "NVLink")
      << ", counted as DeepEP's tests count it)\n";
  return kExitOk;
}

int run_nccl_kind(const ParsedArgs& a, NcclCollective k, bool json_out, std::ostream& out) {
  const int n = int_option(a, "--gpus", 16, 2, 1 << 20);
  const Bytes size = size_option(a);
  const NetworkModel model = model_option(a);
  const ClusterSpec c = cluster_option(a, n);
  std::vector<int> gpus(n);
  for (int i = 0; i < n; ++i) gpus[i] = i;
  NcclResult r;
  if (model == NetworkModel::kFast) {
    network_problems(c).throw_if_any();
    const Topology topo(c);
    // Without a symmetry an all-to-all is n(n-1) classes of flows in memory.
    constexpr int kMostWithoutSymmetry = 1024;
    if (k == NcclCollective::kAllToAll && n > kMostWithoutSymmetry &&
        topo.shift_symmetry(n).block == 0)
      bad_option("--gpus", std::to_string(n) +
                               " GPUs end in a partial leaf or node, so the all-to-all has no "
                               "symmetry and would hold " +
                               std::to_string(static_cast<long long>(n) * (n - 1)) +
                               " flows; give a GPU count of whole leaves (e.g. 2048, 4096, "
                               "16384 on the default fabric) or at most " +
                               std::to_string(kMostWithoutSymmetry));
    r = run_nccl_fast(topo, k, gpus, size);
  } else {
    r = run_nccl(*make_network(c), k, gpus, size);
  }
  if (json_out) {
    nlohmann::json j;
    j["collective"] = to_string(k);
    j["network_model"] = to_string(model);
    j["gpus"] = n;
    j["size_bytes"] = bytes(size);
    j["cluster"] = fabric_words(c);
    j["time_us"] = seconds(r.time) * 1e6;
    j["algbw_GB_per_s"] = gb_per_s(r.algbw);
    j["busbw_GB_per_s"] = gb_per_s(r.busbw);
    j["steps"] = r.steps;
    j["flows_per_step"] = r.flows_per_step;
    j["symmetry_copies"] = r.symmetry_copies;
    for (int i = 0; i < n; ++i)
      j["ranks"].push_back({{"rank", i}, {"time_us", seconds(r.rank_time[i]) * 1e6}});
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << to_string(k) << ": " << n << " GPUs on " << fabric_words(c) << "\n"
      << "  " << model_words(model) << "; size " << fixed(bytes(size) / 1e6, 3)
      << " MB (nccl-tests' size), " << r.steps << " step" << (r.steps > 1 ? "s" : "") << " of "
      << r.flows_per_step << " flows"
      << (r.symmetry_copies > 1
              ? "; by symmetry, the flows of one block of " + std::to_string(n / r.symmetry_copies) +
                    " GPUs timed for all " + std::to_string(r.symmetry_copies)
              : std::string())
      << "\n\n"
      << "  " << col("rank", 5) << col("time_us", 12) << "\n";
  std::vector<double> time_us;
  for (int i = 0; i < n; ++i) time_us.push_back(seconds(r.rank_time[i]) * 1e6);
  print_ranks(out, time_us, "time_us", [&](size_t i) {
    out << "  " << col(std::to_string(i), 5) << col(fixed(time_us[i], 2), 12) << "\n";
  });
  out << "\n  time " << fixed(seconds(r.time) * 1e6, 2) << " us   algbw "
      << fixed(gb_per_s(r.algbw), 2) << " GB/s   busbw " << fixed(gb_per_s(r.busbw), 2)
      << " GB/s (x " << fixed(nccl_bus_factor(k, n), 4) << ", nccl-tests' definitions)\n";
  return kExitOk;
}

}  // namespace

int collective_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ParsedArgs a =
      parse_args(args,
                 {"--ep", "--gpus", "--size", "--tokens", "--hidden", "--routing", "--seed",
                  "--sms", "--cluster", "--scenario", "--gpu", "--format"},
                 {"--help", "--per-flow"});
  if (a.flags.count("--help")) {
    out << kCollectiveUsage;
    return kExitOk;
  }
  if (a.positional.size() != 1) {
    err << "error: moesim collective takes one KIND\n\n" << kCollectiveUsage;
    return kExitBadInput;
  }
  const std::string fmt = a.get("--format").value_or("text");
  if (fmt != "text" && fmt != "json") bad_option("--format", "expected text or json");
  const bool json_out = fmt == "json";
  const std::string& kind = a.positional[0];
  if (kind == "deepep_dispatch") return run_deepep_kind(a, EpDirection::kDispatch, json_out, out);
  if (kind == "deepep_combine") return run_deepep_kind(a, EpDirection::kCombine, json_out, out);
  NcclCollective k{};
  if (nccl_collective_from_string(kind, &k)) return run_nccl_kind(a, k, json_out, out);
  std::vector<std::string> kinds = {"deepep_dispatch", "deepep_combine"};
  for (const std::string& name : nccl_collective_names()) kinds.push_back(name);
  const std::string near = closest_match(kind, kinds);
  err << "error: unknown collective \"" << kind << "\""
      << (near.empty() ? "" : "; did you mean \"" + near + "\"?") << "\n\n"
      << kCollectiveUsage;
  return kExitBadInput;
}

}  // namespace moesim::cli
