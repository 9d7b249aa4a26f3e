// Every published figure in validation/published/*.json against the simulator.
// Each case prints reference, simulated and error, so that the test log is the
// validation table until `moesim validate` exists.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/cost/estimate.h"
#include "sim/model/accounting.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_json.h"

namespace moesim {
namespace {

using nlohmann::json;

json read(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return json::parse(in);
}

void check_case(const json& c, double simulated) {
  const double ref = c["reference"].get<double>();
  const double tol = c["tolerance"].get<double>();
  const double err = (simulated - ref) / ref;
  std::printf("  %-45s reference %14.6g  simulated %14.6g  error %+7.2f%%  tolerance %5.1f%%\n",
              c["case"].get<std::string>().c_str(), ref, simulated, 100 * err, 100 * tol);
  EXPECT_LE(std::fabs(err), tol + 1e-12)
      << c["case"] << ": " << simulated << " vs " << ref << " (" << c["source"] << ")";
}

TEST(PublishedCases, ModelFigures) {
  const json cases = read("validation/published/model_figures.json")["cases"];
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    const ModelSpec m = load_model(c["model"].get<std::string>());
    const ModelSummary s = summarize(m, c.value("seq_len", 4096));
    const json j = model_json(m, s);
    const std::string q = c["quantity"];
    ASSERT_TRUE(j.contains(q)) << q;
    check_case(c, j[q].get<double>());
  }
}

TEST(PublishedCases, RunFigures) {
  const json cases = read("validation/published/run_figures.json")["cases"];
  for (const auto& c : cases) {
    const Scenario s = load_scenario(c["scenario"].get<std::string>());
    const json j = estimate_json(s, estimate(s));
    const std::string q = c["quantity"];
    const json& v = j[q];
    check_case(c, v.is_object() ? v["total"].get<double>() : v.get<double>());
  }
}

}  // namespace
}  // namespace moesim
