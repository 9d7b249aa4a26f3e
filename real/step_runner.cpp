#include "real/step_runner.h"

#include <cmath>
#include <cstdlib>
#include <functional>

#include <nlohmann/json.hpp>

#include "kernels/cuda_error.h"
#include "kernels/device_buffer.h"
#include "kernels/moe_gate.h"
#include "sim/core/atomic_file.h"
#include "real/device_fill.h"
#include "real/nccl_comm.h"
#include "real/profile_runner.h"
#include "real/real_options.h"
#include "real/routing_counts.h"
#include "real/timing_stats.h"

namespace moesim::real {

namespace {

namespace k = moesim::kernels;
using k::check_cuda;
using k::DeviceBuffer;

// DeepSeek-V3's config (published-figures.md §1; V3TR §2.1, §4.2).
constexpr std::int64_t kV3Hidden = 7168;
constexpr std::int64_t kV3QLora = 1536, kV3KvLora = 512, kV3Rope = 64, kV3Heads = 128;
constexpr std::int64_t kV3QkHead = 192, kV3VHead = 128;

std::int64_t scaled(std::int64_t v, double scale, std::int64_t multiple) {
  const std::int64_t s = static_cast<std::int64_t>(std::llround(v * scale / multiple)) * multiple;
  return s < multiple ? multiple : s;
}

struct Timed {
  std::string name;
  TimingStats stats;
  double bytes_sent = 0;  // per rank, per repeat
};

// Times `enqueue` (which enqueues NCCL work on the stream) under the watchdog.
Timed time_comm(const std::string& name, NcclComm& comm, cudaStream_t st,
                const TimingOptions& t, const std::function<void()>& enqueue) {
  cudaEvent_t a = nullptr, b = nullptr;
  check_cuda(cudaEventCreate(&a), "cudaEventCreate");
  check_cuda(cudaEventCreate(&b), "cudaEventCreate");
  std::vector<double> samples;
  for (int i = 0; i < t.warmup + t.repeats; ++i) {
    check_cuda(cudaEventRecord(a, st), "cudaEventRecord");
    enqueue();
    check_cuda(cudaEventRecord(b, st), "cudaEventRecord");
    comm.wait(name);
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, a, b), "cudaEventElapsedTime");
    if (i >= t.warmup) samples.push_back(ms * 1e-3);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return Timed{name, summarize_timings(samples), 0};
}

}  // namespace

int step_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const StepOptions o = parse_step_options(args);
  if (o.help) {
    out << "see `moesim-real --help` and docs/real.md\n";
    return 0;
  }
  RankInfo rank = rank_from_env([](const char* n) { return std::getenv(n); });
  if (!o.run_tag.empty()) rank.run_tag = o.run_tag;
  const DeviceRecord device = record_device();
  int devices = 0;
  check_cuda(cudaGetDeviceCount(&devices), "cudaGetDeviceCount");
  if (rank.local_rank >= devices)
    throw std::runtime_error("local rank " + std::to_string(rank.local_rank) + " but only " +
                             std::to_string(devices) + " GPUs on this node");
  check_cuda(cudaSetDevice(rank.local_rank), "cudaSetDevice");
  cudaStream_t st = nullptr;
  check_cuda(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "cudaStreamCreate");
  NcclComm comm(rank, o.id_file, o.timeout_s, st);
  const int P = rank.world;

  // The gate on this rank's tokens: V3's 256 experts, top-8 of 4 of 8 groups.
  const k::MoeGateConfig gate_config;
  if (gate_config.num_experts % P != 0)
    throw std::invalid_argument(std::to_string(P) + " ranks do not divide V3's " +
                                std::to_string(gate_config.num_experts) + " experts");
  const std::int64_t T = o.tokens, H = scaled(kV3Hidden, o.scale, 128);
  DeviceBuffer<float> logits(T * gate_config.num_experts), bias(gate_config.num_experts),
      weights(T * gate_config.topk);
  DeviceBuffer<std::int32_t> indices(T * gate_config.topk);
  fill_f32(logits.get(), T * gate_config.num_experts, -4.0f, 4.0f, 100 + rank.rank, st);
  fill_f32(bias.get(), gate_config.num_experts, 0.0f, 0.0f, 0, st);
  k::run(k::MoeGateParams{logits.get(), bias.get(), T, gate_config, indices.get(), weights.get()},
         st);
  check_cuda(cudaStreamSynchronize(st), "gate");
  const DispatchPlan plan =
      plan_dispatch(indices.download(), gate_config.topk, gate_config.num_experts, P);

  // Every rank learns what every peer sends it: an all-gather of the send counts.
  DeviceBuffer<std::int64_t> my_counts(P), all_counts(static_cast<size_t>(P) * P);
  my_counts.upload(plan.tokens_to);
  comm.check(ncclAllGather(my_counts.get(), all_counts.get(), P, ncclInt64, comm.get(), st),
             "ncclAllGather of dispatch counts");
  comm.wait("exchanging dispatch counts");
  const std::vector<std::int64_t> counts = all_counts.download();
  std::vector<std::int64_t> recv_from(P);
  for (int p = 0; p < P; ++p) recv_from[p] = counts[static_cast<size_t>(p) * P + rank.rank];

  // Dispatch: FP8 rows plus one FP32 scale per 128 (V3TR §3.3.2); combine: BF16 rows.
  const std::int64_t fp8_row = H + H / 128 * 4, bf16_row = 2 * H;
  std::int64_t send_rows = 0, recv_rows = 0;
  for (int p = 0; p < P; ++p) send_rows += plan.tokens_to[p], recv_rows += recv_from[p];
  DeviceBuffer<std::uint8_t> send_buf(std::max<std::int64_t>(1, send_rows * bf16_row)),
      recv_buf(std::max<std::int64_t>(1, recv_rows * bf16_row));
  auto exchange = [&](std::int64_t row_bytes, bool reverse) {
    comm.check(ncclGroupStart(), "ncclGroupStart");
    std::int64_t s_off = 0, r_off = 0;
    for (int p = 0; p < P; ++p) {
      const std::int64_t out_rows = reverse ? recv_from[p] : plan.tokens_to[p];
      const std::int64_t in_rows = reverse ? plan.tokens_to[p] : recv_from[p];
      const std::uint8_t* src = (reverse ? recv_buf.get() : send_buf.get()) + s_off * row_bytes;
      std::uint8_t* dst = (reverse ? send_buf.get() : recv_buf.get()) + r_off * row_bytes;
      if (out_rows > 0)
        comm.check(ncclSend(src, out_rows * row_bytes, ncclUint8, p, comm.get(), st), "ncclSend");
      if (in_rows > 0)
        comm.check(ncclRecv(dst, in_rows * row_bytes, ncclUint8, p, comm.get(), st), "ncclRecv");
      s_off += out_rows;
      r_off += in_rows;
    }
    comm.check(ncclGroupEnd(), "ncclGroupEnd");
  };
  std::vector<Timed> results;
  results.push_back(time_comm("ep_dispatch", comm, st, o.timing, [&] { exchange(fp8_row, false); }));
  results.back().bytes_sent = static_cast<double>(send_rows * fp8_row);
  results.push_back(time_comm("ep_combine", comm, st, o.timing, [&] { exchange(bf16_row, true); }));
  results.back().bytes_sent = static_cast<double>(recv_rows * bf16_row);

  // Pipeline: one micro-batch of BF16 activations [T][H] from stage s to stage s + 1.
  if (o.pp_peer_stride > 0 && P > o.pp_peer_stride) {
    DeviceBuffer<std::uint8_t> act(T * bf16_row);
    const bool sender = (rank.rank / o.pp_peer_stride) % 2 == 0;
    const int peer = sender ? rank.rank + o.pp_peer_stride : rank.rank - o.pp_peer_stride;
    results.push_back(time_comm("pp_send_recv", comm, st, o.timing, [&] {
      if (peer < 0 || peer >= P) return;
      if (sender)
        comm.check(ncclSend(act.get(), T * bf16_row, ncclUint8, peer, comm.get(), st), "ncclSend");
      else
        comm.check(ncclRecv(act.get(), T * bf16_row, ncclUint8, peer, comm.get(), st), "ncclRecv");
    }));
    results.back().bytes_sent = sender ? static_cast<double>(T * bf16_row) : 0;
  }

  // ZeRO-1 over all ranks: the gradients of one V3 attention block (q_a, q_b, kv_a, kv_b,
  // o_proj at V3's dims, scaled) reduce-scattered in FP32, the parameters all-gathered in
  // BF16 (V3TR §3.3.3: FP32 gradient accumulation, BF16 weights).
  const std::int64_t params =
      H * kV3QLora + kV3QLora * kV3Heads * kV3QkHead + H * (kV3KvLora + kV3Rope) +
      kV3KvLora * kV3Heads * (kV3QkHead - kV3Rope + kV3VHead) + kV3Heads * kV3VHead * H;
  const std::int64_t shard = (params + P - 1) / P;
  DeviceBuffer<float> grads(shard * P), grad_shard(shard);
  DeviceBuffer<std::uint16_t> param_shard(shard), full(shard * P);
  results.push_back(time_comm("zero_reduce_scatter", comm, st, o.timing, [&] {
    comm.check(ncclReduceScatter(grads.get(), grad_shard.get(), shard, ncclFloat32, ncclSum,
                                 comm.get(), st),
               "ncclReduceScatter");
  }));
  results.back().bytes_sent = static_cast<double>(shard * P * 4);
  results.push_back(time_comm("zero_all_gather", comm, st, o.timing, [&] {
    comm.check(ncclAllGather(param_shard.get(), full.get(), shard, ncclBfloat16, comm.get(), st),
               "ncclAllGather");
  }));
  results.back().bytes_sent = static_cast<double>(shard * P * 2);

  // The slowest rank decides: max over ranks of each median.
  std::vector<double> medians;
  for (const auto& r : results) medians.push_back(r.stats.median_s);
  DeviceBuffer<double> med(medians);
  DeviceBuffer<double> worst(medians.size());
  comm.check(ncclAllReduce(med.get(), worst.get(), medians.size(), ncclFloat64, ncclMax,
                           comm.get(), st),
             "ncclAllReduce of medians");
  comm.wait("gathering the slowest rank's medians");
  const std::vector<double> max_median = worst.download();
  cudaStreamDestroy(st);
  if (rank.rank != 0) return 0;
  nlohmann::json j = {{"format", "moesim-real-step-1"},
                      {"ranks", P},
                      {"launcher", rank.launcher},
                      {"tokens", T},
                      {"hidden", H},
                      {"device", {{"name", device.name}, {"driver", device.driver_version},
                                  {"cuda", device.runtime_version}, {"nccl", device.nccl_version},
                                  {"date", device.date}, {"host", device.host}}},
                      {"warmup", o.timing.warmup},
                      {"repeats", o.timing.repeats},
                      {"rank0_tokens_to", plan.tokens_to}};
  for (size_t i = 0; i < results.size(); ++i)
    j["collectives"][results[i].name] = {
        {"max_over_ranks_median_s", max_median[i]}, {"rank0_median_s", results[i].stats.median_s},
        {"rank0_min_s", results[i].stats.min_s},    {"rank0_max_s", results[i].stats.max_s},
        {"rank0_bytes_sent", results[i].bytes_sent}};
  const std::string text = j.dump(2) + "\n";
  if (o.out.empty()) out << text;
  else write_file_atomically(o.out, text);
  err << "step: " << P << " ranks, done\n";
  return 0;
}

}  // namespace moesim::real
