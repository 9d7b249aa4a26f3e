#include "sim/trace/trace_calibration.h"

#include <cstdio>
#include <map>
#include <tuple>

#include "sim/cost/stage_cost.h"
#include "sim/hw/efficiency_table.h"
#include "sim/model/layer_graph.h"
#include "sim/step/des_step.h"

namespace moesim {

using nlohmann::json;

namespace {

bool compute_class(KernelClass c) {
  return c == KernelClass::kGemm || c == KernelClass::kGemmBf16 || c == KernelClass::kAttention;
}

}  // namespace

KernelClass kernel_class_of(const Op& op, bool fp8_recipe) {
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kGroupedGemm:
      return op.fp8_eligible && fp8_recipe ? KernelClass::kGemm : KernelClass::kGemmBf16;
    case OpKind::kAttention: return KernelClass::kAttention;
    case OpKind::kFp8Cast: return KernelClass::kFp8Cast;
    case OpKind::kMemoryBound:
    case OpKind::kEmbedding: return KernelClass::kMemory;
  }
  return KernelClass::kUnknown;
}

namespace {

double work_of(const Work& w, KernelClass c) {
  return compute_class(c) ? flops(w.flops) : bytes(w.bytes);
}

using Key = std::tuple<std::string, StagePass, KernelClass>;  // block, pass, class

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

TraceCalibration calibrate_from_trace(const TraceSummary& t, const Scenario& s,
                                      const std::string& trace_label) {
  TraceCalibration out;
  const GpuSpec& gpu = s.cluster.gpu;
  const bool fp8 = s.precision.kind == PrecisionKind::kFp8;
  const TrainingPhase& ph = s.training.phases.front();
  const ExpandContext ctx = expand_context(s, ph.seq_len);
  if (!t.device.empty() && t.device.find(gpu.name) == std::string::npos)
    out.warnings.push_back("the trace ran on \"" + t.device + "\", the scenario's GPU is " +
                           gpu.name + ": figures are fractions of the " + gpu.name + " peaks");
  if (t.world_size > 0 && s.plan.ep > 1 && t.world_size != s.plan.ep)
    out.warnings.push_back("the trace's process group has " + std::to_string(t.world_size) +
                           " ranks, the scenario's EP is " + std::to_string(s.plan.ep));

  // The op graph's work per (block, pass, class) for one layer, and the
  // recomputed forwards that run in backward-for-input.
  const LayerKind kind = s.model.moe.enabled() ? LayerKind::kMoe : LayerKind::kDense;
  const LayerOps layer = expand_layer(s.model, kind, ctx);
  std::map<Key, double> own;
  std::map<std::pair<std::string, KernelClass>, double> recomputed;
  for (const Op& op : layer.ops) {
    const KernelClass c = kernel_class_of(op, fp8);
    const std::string block = in_mlp_block(op) ? "mlp" : "attn";
    own[{block, StagePass::kForward, c}] += work_of(op.fwd, c);
    own[{block, StagePass::kInputGrad, c}] += work_of(op.bwd_input, c);
    own[{block, StagePass::kWeightGrad, c}] += work_of(op.bwd_weight, c);
    if (is_recomputed(s.plan.recompute, op)) recomputed[{block, c}] += work_of(op.fwd, c);
  }

  // Measured time per layer per (block, pass, class).
  struct Measured {
    double us = 0, kernel_us = 0, overlap_us = 0;
    int kernels = 0, instances = 0;
  };
  std::map<Key, Measured> measured;
  double notify_dispatch_us = 0, notify_cached_us = 0;
  int dispatch_calls = 0, cached_calls = 0;
  double call_us[2] = {0, 0};  // DeepEP dispatch, combine kernels
  int calls[2] = {0, 0};
  for (const StageSummary& st : t.stages) {
    const std::string block = st.block == "comm" ? "mlp" : st.block;
    for (const auto& [c, time] : st.classes) {
      if (c == KernelClass::kEpNotifyDispatch) {
        notify_dispatch_us += time.busy_us;
        dispatch_calls += st.instances;
        continue;
      }
      if (c == KernelClass::kEpNotifyCached) {
        notify_cached_us += time.busy_us;
        cached_calls += st.instances;
        continue;
      }
      if (c == KernelClass::kEpDispatch || c == KernelClass::kEpCombine) {
        const int k = c == KernelClass::kEpDispatch ? 0 : 1;
        call_us[k] += time.busy_us;
        calls[k] += st.instances;
        continue;
      }
      if (is_communication(c) || c == KernelClass::kIgnore || c == KernelClass::kUnknown) continue;
      Measured& m = measured[{block, st.pass, c}];
      m.us += time.busy_us / st.instances;
      m.kernel_us += time.kernel_us / st.instances;
      m.overlap_us += time.comm_overlap_us / st.instances;
      m.kernels += time.kernels;
    }
  }
  const double comm_fraction = static_cast<double>(s.plan.comm_sms) / gpu.sm_count;
  auto rate = [&](KernelClass c) {
    return c == KernelClass::kGemm ? flops_per_s(gpu.peak_fp8)
           : compute_class(c)      ? flops_per_s(gpu.peak_bf16)
                                   : bytes_per_s(gpu.hbm_bandwidth);
  };

  json entries = json::array();
  if (gpu.name == "H800") {
    // The shape fit stays for what no in-training figure covers (BF16 GEMMs
    // of the head, other shapes' memory terms).
    const json base = json::parse(published_h800_profile_json());
    for (const json& e : base["entries"]) entries.push_back(e);
  } else {
    out.warnings.push_back("no published shape table for " + gpu.name +
                           ": what the trace does not cover runs at the roofline");
  }
  // Where a framework runs one backward pass's kernels of a class in the other
  // pass's stage (DeepSeek makes the weight gradients' transposed FP8 copies
  // partly in mlp(B), the router's weight gradient in attn(B)), the two passes
  // are calibrated together: FP8 casts always, other classes when the
  // weight-gradient stage shows none of them.
  auto pooled = [&](const std::string& block, KernelClass c) {
    const bool w_seen = measured.count({block, StagePass::kWeightGrad, c}) > 0;
    const bool b_seen = measured.count({block, StagePass::kInputGrad, c}) > 0;
    if (c == KernelClass::kFp8Cast) return b_seen || w_seen;
    return b_seen && own[{block, StagePass::kWeightGrad, c}] > 0 && !w_seen;
  };
  std::map<std::pair<std::string, KernelClass>, double> forward_eff;
  for (StagePass pass : {StagePass::kForward, StagePass::kInputGrad, StagePass::kWeightGrad}) {
    for (const std::string block : {"attn", "mlp"}) {
      for (KernelClass c : {KernelClass::kGemm, KernelClass::kGemmBf16, KernelClass::kAttention,
                            KernelClass::kFp8Cast, KernelClass::kMemory}) {
        const bool pool = pass != StagePass::kForward && pooled(block, c);
        if (pool && pass == StagePass::kWeightGrad) continue;  // written with input_grad
        CalibrationRow r;
        r.block = block;
        r.pass = pass;
        r.cls = c;
        const std::vector<StagePass> passes =
            pool ? std::vector<StagePass>{pass, StagePass::kWeightGrad} : std::vector<StagePass>{pass};
        Measured m;
        for (StagePass p : passes) {
          const Key key{block, p, c};
          r.work += own[key];
          const auto mit = measured.find(key);
          if (mit == measured.end()) continue;
          m.us += mit->second.us;
          m.kernel_us += mit->second.kernel_us;
          m.overlap_us += mit->second.overlap_us;
          m.kernels += mit->second.kernels;
        }
        if (m.kernels == 0 && r.work <= 0) continue;
        r.kernels = m.kernels;
        r.measured_us = m.us;
        if (compute_class(c) && m.kernel_us > 0)
          r.sm_share = 1.0 - comm_fraction * (m.overlap_us / m.kernel_us);
        double own_us = r.measured_us;
        if (pass == StagePass::kInputGrad) {
          const double rw = recomputed[{block, c}];
          const auto f = forward_eff.find({block, c});
          if (rw > 0 && f != forward_eff.end()) {
            r.recompute_us = rw / (rate(c) * f->second * (compute_class(c) ? r.sm_share : 1.0)) * 1e6;
            own_us -= r.recompute_us;
          } else if (rw > 0) {
            r.note = "recomputation without a forward figure: counted with the pass";
            r.work += rw;
          }
        }
        if (r.measured_us <= 0) {
          r.note = "the op graph has work the trace does not show";
        } else if (r.work <= 0) {
          r.note = "measured time with no work in the op graph (not priced)";
        } else if (own_us <= 0) {
          r.note = "the recomputation alone takes the measured time";
        } else {
          r.achieved = r.work / (own_us * 1e-6 * (compute_class(c) ? r.sm_share : 1.0));
          r.efficiency = r.achieved / rate(c);
          if (r.efficiency > 1.0) {
            r.note = "above the datasheet (" + fmt("%.0f%%", 100 * r.efficiency) +
                     "): the op graph counts more work than ran; clamped to 100%";
            r.efficiency = 1.0;
            r.achieved = rate(c);
          }
          if (pool) r.note += std::string(r.note.empty() ? "" : "; ") + "input_grad and weight_grad together";
          if (pass == StagePass::kForward) forward_eff[{block, c}] = r.efficiency;
          for (StagePass p : passes) {
            json e;
            e["op"] = c == KernelClass::kGemm || c == KernelClass::kGemmBf16 ? "gemm"
                      : c == KernelClass::kAttention                         ? "attention"
                      : c == KernelClass::kFp8Cast                           ? "fp8_cast"
                                                                             : "memory";
            e["dtype"] = c == KernelClass::kGemm ? "fp8" : "bf16";
            e["pass"] = to_string(p);
            e["block"] = block;
            if (compute_class(c))
              e["tflops"] = std::round(r.achieved / 1e12 * 10) / 10;
            else
              e["gb_per_s"] = std::round(r.achieved / 1e9);
            e["kernels"] = r.kernels;
            e["measured_s"] = r.measured_us * 1e-6;
            e["source"] = trace_label + ": " + block + " " +
                          (pool ? std::string("input_grad + weight_grad") : std::string(to_string(pass))) +
                          ", " + std::to_string(r.kernels) + " " + to_string(c) + " kernels, " +
                          fmt("%.1f us", r.measured_us) + " per layer" +
                          (r.recompute_us > 0 ? fmt(" (%.1f us of it recomputation)", r.recompute_us)
                                              : std::string()) +
                          (compute_class(c) ? fmt(", SM share %.3f", r.sm_share) : std::string());
            entries.push_back(e);
          }
          r.written = true;
        }
        out.rows.push_back(r);
      }
    }
  }
  const int nodes = std::max(1, s.plan.ep / s.cluster.gpus_per_node);
  if (dispatch_calls > 0 && notify_dispatch_us > 0) {
    out.notify_dispatch_s = notify_dispatch_us / dispatch_calls * 1e-6;
    entries.push_back({{"op", "ep_notify"}, {"direction", "dispatch"},
                       {"time_s", out.notify_dispatch_s}, {"ep", s.plan.ep}, {"nodes", nodes},
                       {"source", trace_label + ": notify_dispatch and layout, " +
                                      std::to_string(dispatch_calls) + " calls"}});
  }
  if (cached_calls > 0 && notify_cached_us > 0) {
    out.notify_cached_s = notify_cached_us / cached_calls * 1e-6;
    entries.push_back({{"op", "ep_notify"}, {"direction", "cached"},
                       {"time_s", out.notify_cached_s}, {"ep", s.plan.ep}, {"nodes", nodes},
                       {"source", trace_label + ": cached_notify, " +
                                      std::to_string(cached_calls) + " calls"}});
  }
  // The calls themselves against the network model's lone call for this plan
  // (the des step's routing: uniform, seed 1; DeepEP on comm_sms SMs).
  if (s.model.moe.enabled() && s.plan.ep > 1 && calls[0] > 0 && calls[1] > 0) {
    const DeepEpSetup setup = deepep_setup(s);
    const DeepEpKernel& kernel = setup.kernel;
    for (int k : {0, 1}) {
      const EpDirection dir = k == 0 ? EpDirection::kDispatch : EpDirection::kCombine;
      const DeepEpResult lone = run_deepep(s.cluster, setup.traffic, dir, setup.spec, kernel,
                                           deepep_config(dir, s.plan.ep));
      out.call_s[k] = call_us[k] / calls[k] * 1e-6;
      out.call_model_s[k] = seconds(lone.time);
      entries.push_back({{"op", "ep_call"}, {"direction", k == 0 ? "dispatch" : "combine"},
                         {"time_s", out.call_s[k]}, {"model_s", out.call_model_s[k]},
                         {"ep", s.plan.ep}, {"nodes", nodes},
                         {"source", trace_label + ": DeepEP " + (k == 0 ? "dispatch" : "combine") +
                                        " kernels, " + std::to_string(calls[k]) +
                                        " calls; model_s: moesim's lone call for this plan "
                                        "(run_deepep, uniform routing, " +
                                        std::to_string(kernel.num_sms) + " SMs)"}});
    }
  }
  if (s.plan.ep > 1 && dispatch_calls == 0)
    out.warnings.push_back("no DeepEP notify kernels in annotated stages: EP calls get no notify time");

  json device = {{"name", t.device.empty() ? std::string("not recorded in the trace") : t.device},
                 {"driver", "not recorded in the trace"},
                 {"date", t.date.empty() ? std::string("not recorded in the trace") : t.date},
                 {"trace", trace_label}};
  if (t.rank >= 0) device["rank"] = t.rank;
  if (t.world_size > 0) device["world_size"] = t.world_size;
  out.profile = {
      {"format", "moesim-calibration-1"},
      {"gpu", gpu.name},
      {"measured", true},
      {"device", device},
      {"source",
       "moesim calibrate --trace " + trace_label + " on scenario '" + s.name +
           "': in-training rates per op class, pass and block (kernel time from the trace, work "
           "from moesim's op graph of that scenario)" +
           (gpu.name == "H800" ? "; the published H800 shape entries kept for what the trace "
                                 "does not cover"
                               : "")},
      {"about", "Written by moesim calibrate --trace (sim/trace/trace_calibration.h). Kernel "
                "times are fit inputs; step times are predictions."},
      {"entries", entries}};
  return out;
}

}  // namespace moesim
