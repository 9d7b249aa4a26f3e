#include "sim/validation/validation_cases.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "sim/core/diagnostics.h"
#include "sim/cost/estimate.h"
#include "sim/hw/gpu_spec.h"
#include "sim/model/accounting.h"
#include "sim/net/deepep_model.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"
#include "sim/step/des_step.h"
#include "sim/sched/executor.h"
#include "sim/sched/generators.h"

namespace moesim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string join(const std::string& root, const std::string& rel) {
  return root.empty() ? rel : (fs::path(root) / rel).string();
}

// A report key ("gpu_hours": an object's "total"), a JSON pointer into the
// report ("/gpu_hours/phases/1/gpu_hours"), or a sum of them joined by " + "
// (a published figure that covers two simulated phases).
double report_value(const json& j, const std::string& q) {
  const size_t plus = q.find(" + ");
  if (plus != std::string::npos)
    return report_value(j, q.substr(0, plus)) + report_value(j, q.substr(plus + 3));
  const json& v = !q.empty() && q[0] == '/' ? j.at(json::json_pointer(q)) : j.at(q);
  return v.is_object() ? v.at("total").get<double>() : v.get<double>();
}

double schedule_value(const json& c, const std::string& q) {
  ScheduleKind kind = ScheduleKind::k1F1B;
  const auto names = schedule_names();
  const auto it = std::find(names.begin(), names.end(), c.at("schedule").get<std::string>());
  if (it == names.end()) throw std::runtime_error("unknown schedule " + c.at("schedule").dump());
  kind = static_cast<ScheduleKind>(it - names.begin());
  const Schedule s = make_schedule(kind, c.at("pp"), c.at("micro_batches"), c.value("virtual_stages", 1));
  ChunkCosts k;
  k.forward = SecondsOf(c.value("f", 1.0));
  k.backward_input = SecondsOf(c.value("b", 1.0));
  k.backward_weight = SecondsOf(c.value("w", 1.0));
  if (c.contains("fb")) k.forward_backward = SecondsOf(c.at("fb").get<double>());
  const ScheduleRun run = simulate(s, k);
  if (!run.ok()) throw std::runtime_error(run.deadlock->message);
  if (q == "max_bubble") return seconds(run.max_bubble());
  int best = 0;
  for (const auto& r : run.per_rank)
    best = std::max(best, q == "peak_activations" ? r.peak_activations : r.parameter_copies);
  if (q == "peak_activations" || q == "parameter_copies") return best;
  throw std::runtime_error("unknown schedule quantity " + q);
}

// A "collective" case: one DeepEP normal-kernel call in DeepEP's test setting
// (sim/net/deepep_model.h) on `ep` GPUs of catalog GPU "gpu" with the default
// links; quantity "bottleneck_GB_per_s" is the bandwidth as DeepEP's tests
// report it. Keys: "collective" (deepep_dispatch | deepep_combine), "gpu",
// "ep", optional "gpus_per_node" (8), "sms" (24), "tokens" (4096), "hidden"
// (7168).
double collective_value(const json& c, const std::string& q) {
  const std::string kind = c.at("collective").get<std::string>();
  EpDirection d = EpDirection::kDispatch;
  if (kind == "deepep_combine")
    d = EpDirection::kCombine;
  else if (kind != "deepep_dispatch")
    throw std::runtime_error("unknown collective \"" + kind +
                             "\" (expected deepep_dispatch or deepep_combine)");
  if (q != "bottleneck_GB_per_s")
    throw std::runtime_error("unknown collective quantity " + q +
                             " (expected bottleneck_GB_per_s)");
  const std::string gpu_name = c.at("gpu").get<std::string>();
  const GpuSpec* gpu = find_gpu(gpu_name);
  if (!gpu) throw std::runtime_error("unknown GPU \"" + gpu_name + "\"");
  const int ep = c.at("ep").get<int>();
  const int gpn = c.value("gpus_per_node", 8);
  const int tokens = c.value("tokens", 4096);
  std::vector<std::string> problems = deepep_test_traffic_problems(ep, gpn, tokens, RoutingSpec{});
  DeepEpKernel k;
  k.num_sms = c.value("sms", 24);
  for (const std::string& p : deepep_kernel_problems(k)) problems.push_back(p);
  if (!problems.empty()) throw std::runtime_error(problems.front());
  ClusterSpec cluster = default_cluster(*gpu, (ep + gpn - 1) / gpn);
  cluster.gpus_per_node = gpn;
  EpCollectiveSpec spec;
  spec.hidden = c.value("hidden", 7168);
  const EpTraffic t = deepep_test_traffic(ep, gpn, tokens, RoutingSpec{});
  return gb_per_s(run_deepep(cluster, t, d, spec, k, deepep_config(d, ep)).bottleneck_bandwidth);
}

}  // namespace

std::vector<ValidationResult> run_validation(const std::string& dir, const std::string& root,
                                             const std::string& filter) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  if (ec) {
    Diagnostics d;
    d.add(dir, "", "cannot read the validation folder: " + ec.message());
    throw InputError(d);
  }
  std::sort(files.begin(), files.end());
  std::vector<ValidationResult> out;
  // Reports by scenario and fidelity: cases on the same run price it once.
  std::map<std::pair<std::string, bool>, json> reports;
  for (const auto& f : files) {
    json doc;
    try {
      std::ifstream in(f);
      doc = json::parse(in);
    } catch (const json::exception& e) {
      Diagnostics d;
      d.add(f.string(), "", std::string("not valid JSON: ") + e.what());
      throw InputError(d);
    }
    const json& cases = doc.contains("cases") ? doc["cases"] : json::array();
    for (size_t i = 0; i < cases.size(); ++i) {
      const json& c = cases[i];
      ValidationResult r;
      try {
        r.c.file = f.string();
        r.c.name = c.at("case");
        r.c.quantity = c.at("quantity");
        r.c.source = c.at("source");
        r.c.basis = c.at("basis");
        r.c.reference = c.at("reference");
        r.c.tolerance = c.at("tolerance");
        r.c.kind = c.contains("model")        ? "model"
                   : c.contains("scenario")   ? "scenario"
                   : c.contains("collective") ? "collective"
                                              : "schedule";
      } catch (const json::exception& e) {
        Diagnostics d;
        d.add(f.string(), "/cases/" + std::to_string(i), std::string("malformed case: ") + e.what());
        throw InputError(d);
      }
      if (r.c.basis != "fitted" && r.c.basis != "predicted") {
        Diagnostics d;
        d.add(f.string(), "/cases/" + std::to_string(i) + "/basis",
              "expected \"fitted\" (the reference was an input of a fit) or \"predicted\", got \"" +
                  r.c.basis + "\"");
        throw InputError(d);
      }
      if (!filter.empty() && r.c.name.find(filter) == std::string::npos) continue;
      try {
        if (r.c.kind == "model") {
          const ModelSpec m = load_model(join(root, c.at("model")));
          r.simulated = report_value(model_json(m, summarize(m, c.value("seq_len", 4096))),
                                     r.c.quantity);
        } else if (r.c.kind == "scenario") {
          const bool des = c.value("fidelity", "analytic") == "des";
          auto value_of = [&](const std::string& scenario) {
            const std::string path = join(root, scenario);
            auto it = reports.find({path, des});
            if (it == reports.end()) {
              const Scenario s = load_scenario(path);
              it = reports.emplace(std::make_pair(path, des),
                                   estimate_json(s, des ? des_estimate(s) : estimate(s)))
                       .first;
            }
            return report_value(it->second, r.c.quantity);
          };
          r.simulated = value_of(c.at("scenario"));
          // A difference between two runs (what changes with the plan alone).
          if (c.contains("minus_scenario")) r.simulated -= value_of(c.at("minus_scenario"));
        } else if (r.c.kind == "collective") {
          r.simulated = collective_value(c, r.c.quantity);
        } else {
          r.simulated = schedule_value(c, r.c.quantity);
        }
        r.error = r.c.reference != 0 ? (r.simulated - r.c.reference) / r.c.reference
                                     : r.simulated - r.c.reference;
        r.pass = std::fabs(r.error) <= r.c.tolerance + 1e-12;
      } catch (const InputError& e) {
        r.problem = e.what();
      } catch (const std::exception& e) {
        r.problem = e.what();
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace moesim
