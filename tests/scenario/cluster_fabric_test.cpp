// The fabric keys of a cluster (docs/scenario-format.md, "cluster"): the
// transport and its defaults, the aggregation layer's oversubscription, their
// errors, and the shipped 16,384-GPU RoCE cluster.
#include <gtest/gtest.h>

#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_json.h"
#include "tests/scenario/test_support.h"

namespace moesim {
namespace {

using test::has_error;
using test::headline_inline;
using test::json;
using test::parse_errors;
using test::source_path;

ClusterSpec parsed_cluster(const json& j) {
  return parse_scenario(j, "test.json", source_path("scenarios")).cluster;
}

TEST(ClusterFabric, RoceTakesItsLatencyAndRadixFromIscaUnlessGiven) {
  json j = headline_inline();
  j["cluster"].erase("ib_latency_us");
  j["cluster"]["fabric"].erase("switch_ports");
  const ClusterSpec ib = parsed_cluster(j);
  EXPECT_EQ(ib.fabric.transport, FabricTransport::kInfiniBand);
  EXPECT_EQ(ib.ib_latency, Microseconds(3.7));
  EXPECT_EQ(ib.fabric.switch_ports, 64);

  j["cluster"]["fabric"]["transport"] = "roce";
  const ClusterSpec roce = parsed_cluster(j);
  EXPECT_EQ(roce.fabric.transport, FabricTransport::kRoce);
  EXPECT_EQ(roce.ib_latency, Microseconds(5.6));  // ISCA Table 5, cross leaf
  EXPECT_EQ(roce.fabric.switch_ports, 128);       // ISCA §5.2.1
  EXPECT_EQ(roce.ib_achievable, ib.ib_achievable);

  j["cluster"]["ib_latency_us"] = 4.0;
  j["cluster"]["fabric"]["switch_ports"] = 64;
  const ClusterSpec given = parsed_cluster(j);
  EXPECT_EQ(given.ib_latency, Microseconds(4.0));
  EXPECT_EQ(given.fabric.switch_ports, 64);
}

TEST(ClusterFabric, AggregationOversubscriptionIsRead) {
  json j = headline_inline();
  EXPECT_EQ(parsed_cluster(j).fabric.aggregation_oversubscription, 1.0);
  j["cluster"]["fabric"]["aggregation_oversubscription"] = 7;
  EXPECT_EQ(parsed_cluster(j).fabric.aggregation_oversubscription, 7.0);
}

TEST(ClusterFabric, BadTransportAndAggregationValuesNameTheKey) {
  json j = headline_inline();
  j["cluster"]["fabric"]["transport"] = "ethernet";
  j["cluster"]["fabric"]["aggregation_oversubscription"] = 0.5;
  const Diagnostics d = parse_errors(j);
  EXPECT_TRUE(
      has_error(d, "/cluster/fabric/transport", {"\"infiniband\"", "\"roce\"", "ethernet"}));
  EXPECT_TRUE(
      has_error(d, "/cluster/fabric/aggregation_oversubscription", {"a number >= 1", "0.5"}));
  j["cluster"]["fabric"]["aggregation_oversubscription"] = "7";
  EXPECT_TRUE(has_error(parse_errors(j), "/cluster/fabric/aggregation_oversubscription",
                        {"a number >= 1"}));
}

TEST(ClusterFabric, MisspeltFabricKeysGetADidYouMean) {
  json j = headline_inline();
  j["cluster"]["fabric"]["transprot"] = "roce";
  j["cluster"]["fabric"]["aggregation_oversubscripton"] = 2;
  const Diagnostics d = parse_errors(j);
  EXPECT_TRUE(has_error(d, "/cluster/fabric/transprot", {"\"transport\""}));
  EXPECT_TRUE(has_error(d, "/cluster/fabric/aggregation_oversubscripton",
                        {"\"aggregation_oversubscription\""}));
}

TEST(ClusterFabric, TheShipped16384GpuRoceClusterLoads) {
  // The 16,384-GPU what-if's plan (PP16 x EP64 x DP1024) on the RoCE cluster.
  json j = test::read_json("scenarios/deepseek-v3-pretrain-16384xH800.json");
  j["cluster"] = "clusters/h100-16384-roce.json";
  const ClusterSpec c = parsed_cluster(j);
  EXPECT_EQ(c.gpu.name, "H100");
  EXPECT_EQ(c.num_gpus(), 16384);
  EXPECT_EQ(c.fabric.transport, FabricTransport::kRoce);
  EXPECT_EQ(c.fabric.kind, FabricKind::kFatTree);
  EXPECT_EQ(c.ib_latency, Microseconds(5.6));
}

}  // namespace
}  // namespace moesim
