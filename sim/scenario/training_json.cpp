// The training part (docs/scenario-format.md, "training"): a price and the
// phases, each a token (or step) budget at one sequence length and global
// batch, optionally ramping the batch up (V3TR §4.2: 3072 -> 15360 over 469B).
#include <cmath>

#include "sim/scenario/detail/parts.h"

namespace moesim::detail {

namespace {

// Bounded so wall times stay finite: 1e18 tokens is 68,000x V3's 14.8T.
constexpr NumberRule kStepCount{0.0, false, true, "a positive whole number", 1e12,
                                "at most 1e12 steps"};
constexpr NumberRule kTokenCount{0.0, false, false, "a positive number", 1e18,
                                 "at most 1e18 tokens (68,000x V3's 14.8T)"};
constexpr IntRule kGlobalBatch{
    1, INT_MAX,
    "a positive integer (sequences per step; may be omitted when the plan gives micro_batches)"};

void read_budget(ObjectReader& r, TrainingPhase& ph) {
  const bool tokens = r.has("tokens"), steps = r.has("steps");
  if (tokens && steps) {
    r.log().bad_value(r.where(), "give either \"tokens\" or \"steps\", not both");
  } else if (!tokens && !steps) {
    r.log().bad_value(r.where(),
                      "missing the phase length: give \"tokens\" (a positive number) or \"steps\"");
  }
  r.read("tokens", ph.tokens, kTokenCount);
  r.read("steps", ph.steps, kStepCount);
}

void read_ramp(const json& j, const JsonLocation& at, ParseLog& log, BatchSchedule& b) {
  ObjectReader r(j, at, log, "a batch ramp");
  if (!r.valid()) return;
  r.read("from", b.ramp_from, kPositiveInt, kRequired);
  r.read("over_tokens", b.ramp_tokens, kPositiveNumber, kRequired);
  r.finish();
}

// A later phase's own "plan": its keys taken over the scenario's plan object
// (a key given replaces the scenario's, objects such as recompute as a
// whole; null removes the scenario's key, as in a JSON merge patch), then
// read as a plan at the phase's location, so a mistake in a key the phase
// gives is named there. Sets `base` to what the phase's batch needs of it.
// The first phase runs on the scenario's plan (the headline step, the
// report's plan and every tool that draws the step read that one).
void read_phase_plan(const json& own, const JsonLocation& at, size_t index, ParseLog& log,
                     BasePlan& base, TrainingPhase& ph) {
  if (index == 0) {
    log.bad_value(at, "the first phase runs on the scenario's plan: give these keys in the "
                      "scenario's \"plan\" (later phases may change it)");
    return;
  }
  if (!own.is_object()) {
    log.bad_value(at, "expected an object of plan keys to change for this phase (e.g. "
                      "{\"cp\": 4, \"dp\": 32}), found " + describe(own));
    return;
  }
  if (!base.doc) return;  // the scenario's plan is bad: reported there
  json merged = *base.doc;
  for (const auto& [key, value] : own.items()) {
    if (value.is_null())
      merged.erase(key);
    else
      merged[key] = value;
  }
  const size_t before = log.size();
  ph.plan = parse_plan(merged, at, log);
  base.gives_micro_batches = merged.contains("micro_batches");
  base.global_batch = log.size() == before ? plan_global_batch(*ph.plan, at, log) : std::nullopt;
}

TrainingPhase read_phase(const json& j, const JsonLocation& at, size_t index, ParseLog& log,
                         BasePlan base) {
  TrainingPhase ph;
  ph.name = "phase " + std::to_string(index + 1);
  ObjectReader r(j, at, log, "a training phase");
  if (!r.valid()) return ph;
  r.read("name", ph.name);
  r.read_enum("kind", ph.kind,
              {{"training", PhaseKind::kTraining}, {"generation", PhaseKind::kGeneration}});
  const bool generation = ph.kind == PhaseKind::kGeneration;
  if (generation && index == 0)
    log.bad_value(at / "kind",
                  "the first phase is the headline training step (what des simulates and the "
                  "report's step describes); put a generation phase after a training one");
  if (const json* own = r.get("plan", kOptional, "an object"))
    read_phase_plan(*own, at / "plan", index, log, base, ph);
  read_budget(r, ph);
  constexpr IntRule kSeqLen{1, 1 << 24, "a positive integer",
                            "at most 2^24 = 16,777,216 tokens (Llama 4 Scout's context is 10M)"};
  r.read("seq_len", ph.seq_len, kSeqLen, kRequired);
  if (generation) {
    r.read("prompt_len", ph.prompt_len, kPositiveInt, kRequired);
    if (ph.seq_len > 0 && ph.prompt_len >= ph.seq_len)
      log.bad_value(at / "prompt_len",
                    "expected fewer tokens than seq_len = " + std::to_string(ph.seq_len) +
                        " (the prompt's; the rest of seq_len is generated), found " +
                        std::to_string(ph.prompt_len));
    r.reject("batch_ramp", "a generation phase runs one batch size (\"global_batch\")");
  } else {
    r.reject("prompt_len", "it applies to \"kind\": \"generation\" phases only");
  }
  if (r.has("global_batch") || !base.gives_micro_batches) {
    r.read("global_batch", ph.batch.sequences, kGlobalBatch, kRequired);
  } else {
    r.ignore("global_batch");
    ph.batch.sequences = base.global_batch.value_or(0);
  }
  if (!generation)
    if (const json* ramp = r.get("batch_ramp", kOptional, "an object"))
      read_ramp(*ramp, at / "batch_ramp", log, ph.batch);
  r.finish();
  return ph;
}

// "routing": the experts' popularity the step routes tokens by
// (sim/model/routing.h); its fit with the model and plan is checked with them.
RoutingSpec read_routing(const json& j, const JsonLocation& at, ParseLog& log) {
  RoutingSpec rs;
  ObjectReader r(j, at, log, "a routing model");
  if (!r.valid()) return rs;
  r.read_enum("popularity", rs.popularity,
              {{"uniform", ExpertPopularity::kUniform},
               {"zipf", ExpertPopularity::kZipf},
               {"histogram", ExpertPopularity::kHistogram},
               {"measured", ExpertPopularity::kMeasured}},
              kRequired);
  if (rs.popularity == ExpertPopularity::kZipf)
    r.read("zipf_exponent", rs.zipf_exponent, kNonNegativeNumber, kRequired);
  else
    r.reject("zipf_exponent", "it applies to \"popularity\": \"zipf\" only");
  if (rs.popularity == ExpertPopularity::kHistogram) {
    if (const json* w = r.get("expert_weights", kRequired,
                              "an array of one non-negative number per routed expert")) {
      if (!w->is_array()) {
        log.bad_value(at / "expert_weights",
                      "expected an array of one non-negative number per routed expert, found " +
                          describe(*w));
      } else {
        for (size_t i = 0; i < w->size(); ++i) {
          const json& x = (*w)[i];
          if (!x.is_number() || !(x.get<double>() >= 0) || !std::isfinite(x.get<double>())) {
            log.bad_value(at / "expert_weights" / i,
                          "expected a non-negative number (the expert's share of tokens, e.g. "
                          "its logged count), found " + describe(x));
            continue;
          }
          rs.expert_weights.push_back(x.get<double>());
        }
      }
    }
  } else {
    r.reject("expert_weights", "it applies to \"popularity\": \"histogram\" only");
  }
  if (rs.popularity == ExpertPopularity::kMeasured) {
    const char* expected =
        "an array with one array per MoE layer (or one for all) of tokens per routed expert";
    if (const json* layers = r.get("layer_loads", kRequired, expected)) {
      if (!layers->is_array() || layers->empty()) {
        log.bad_value(at / "layer_loads", std::string("expected ") + expected + ", found " +
                                              describe(*layers));
      } else {
        for (size_t i = 0; i < layers->size(); ++i) {
          const json& l = (*layers)[i];
          if (!l.is_array()) {
            log.bad_value(at / "layer_loads" / i,
                          "expected an array of tokens per routed expert, found " + describe(l));
            continue;
          }
          std::vector<double> counts;
          for (size_t e = 0; e < l.size(); ++e) {
            const json& x = l[e];
            if (!x.is_number() || !(x.get<double>() >= 0) || !std::isfinite(x.get<double>())) {
              log.bad_value(at / "layer_loads" / i / e,
                            "expected a non-negative number (the expert's logged tokens), found " +
                                describe(x));
              continue;
            }
            counts.push_back(x.get<double>());
          }
          rs.layer_loads.push_back(std::move(counts));
        }
      }
    }
  } else {
    r.reject("layer_loads", "it applies to \"popularity\": \"measured\" only");
  }
  int seed = 1;
  if (r.read("seed", seed, kNonNegativeInt)) rs.seed = static_cast<uint64_t>(seed);
  r.finish();
  return rs;
}

// "balancing": how the load is kept even over the run (sim/model/routing.h,
// BalancingSpec); each method takes its own parameter only.
BalancingSpec read_balancing(const json& j, const JsonLocation& at, ParseLog& log) {
  constexpr NumberRule kGamma{0.0, true, false, "a non-negative number (bias step per training step)"};
  BalancingSpec b;
  ObjectReader r(j, at, log, "a balancing method");
  if (!r.valid()) return b;
  r.read_enum("method", b.method,
              name_table({BalancingMethod::kNone, BalancingMethod::kAuxFree,
                          BalancingMethod::kCapacity}),
              kRequired);
  if (b.method == BalancingMethod::kAuxFree) {
    if (r.read("gamma", b.gamma, kGamma) && b.gamma > 1)
      log.bad_value(at / "gamma", "expected at most 1 (V3TR §4.2 used 0.001), found " +
                                      describe(j.at("gamma")));
  } else {
    r.reject("gamma", "it applies to \"method\": \"aux_free\" only");
  }
  if (b.method == BalancingMethod::kCapacity)
    r.read("capacity_factor", b.capacity_factor, kPositiveNumber, kRequired);
  else
    r.reject("capacity_factor", "it applies to \"method\": \"capacity\" only");
  r.finish();
  return b;
}

}  // namespace

TrainingSpec parse_training(const json& j, const JsonLocation& at, ParseLog& log,
                            const BasePlan& plan) {
  TrainingSpec t;
  ObjectReader r(j, at, log, "the training run");
  if (!r.valid()) return t;
  // At most $1M per GPU-hour (H800s rent for about $2): keeps costs finite.
  constexpr NumberRule kPrice{0.0, true, false, "a non-negative number", 1e6,
                              "at most 1e6 USD per GPU-hour"};
  r.read("price_per_gpu_hour_usd", t.price_per_gpu_hour_usd, kPrice, kRequired);
  if (const json* routing = r.get("routing", kOptional, "an object"))
    t.routing = read_routing(*routing, at / "routing", log);
  if (const json* balancing = r.get("balancing", kOptional, "an object"))
    t.balancing = read_balancing(*balancing, at / "balancing", log);
  if (const json* phases = r.get("phases", kRequired, "an array of phases")) {
    if (!phases->is_array() || phases->empty()) {
      log.bad_value(at / "phases", "expected a non-empty array of training phases, found " +
                                       (phases->is_array() ? "an empty array" : describe(*phases)));
    } else {
      for (size_t i = 0; i < phases->size(); ++i)
        t.phases.push_back(read_phase((*phases)[i], at / "phases" / i, i, log, plan));
    }
  }
  r.finish();
  return t;
}

}  // namespace moesim::detail
