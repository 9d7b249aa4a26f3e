#include "real/bootstrap.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

namespace moesim::real {
namespace {

EnvLookup env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(Bootstrap, RanksFromTheLaunchersEnvironment) {
  const RankInfo single = rank_from_env(env_of({}));
  EXPECT_EQ(single.world, 1);
  EXPECT_EQ(single.launcher, "single");
  const RankInfo slurm = rank_from_env(env_of({{"SLURM_PROCID", "9"}, {"SLURM_NTASKS", "16"},
                                               {"SLURM_LOCALID", "1"}, {"SLURM_JOB_ID", "42"},
                                               {"SLURM_STEP_ID", "0"}}));
  EXPECT_EQ(slurm.rank, 9);
  EXPECT_EQ(slurm.world, 16);
  EXPECT_EQ(slurm.local_rank, 1);
  EXPECT_EQ(slurm.run_tag, "42.0");
  const RankInfo ompi = rank_from_env(env_of({{"OMPI_COMM_WORLD_RANK", "3"},
                                              {"OMPI_COMM_WORLD_SIZE", "8"},
                                              {"OMPI_COMM_WORLD_LOCAL_RANK", "3"},
                                              {"PMIX_NAMESPACE", "prterun-x-1@1"},
                                              {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}));
  EXPECT_EQ(ompi.launcher, "openmpi");  // mpirun inside an allocation: mpirun's ranks
  EXPECT_EQ(ompi.rank, 3);
  EXPECT_EQ(ompi.run_tag, "prterun-x-1@1");
  EXPECT_EQ(rank_from_env(env_of({{"MOESIM_RANK", "1"}, {"MOESIM_WORLD_SIZE", "2"},
                                  {"MOESIM_RUN_TAG", "mine"}}))
                .run_tag,
            "mine");
}

TEST(Bootstrap, BadEnvironmentNamesTheVariable) {
  try {
    rank_from_env(env_of({{"SLURM_PROCID", "x"}, {"SLURM_NTASKS", "2"}}));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("SLURM_PROCID"), std::string::npos);
  }
  EXPECT_THROW(rank_from_env(env_of({{"PMI_RANK", "4"}, {"PMI_SIZE", "4"}})),
               std::invalid_argument);
}

TEST(Bootstrap, HexRoundTrip) {
  const unsigned char id[4] = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(encode_hex(id, 4), "007f80ff");
  EXPECT_EQ(decode_hex("007F80ff", 4), (std::vector<unsigned char>{0x00, 0x7f, 0x80, 0xff}));
  EXPECT_THROW(decode_hex("007f80", 4), std::invalid_argument);
  EXPECT_THROW(decode_hex("007f80fg", 4), std::invalid_argument);
}

TEST(Bootstrap, IdFileCarriesTheRunTag) {
  const std::string path = ::testing::TempDir() + "moesim_id_" + std::to_string(::getpid());
  EXPECT_FALSE(read_id_file(path, "run1").has_value());  // not there yet: keep waiting
  publish_id_file(path, "run1", "abcd");
  EXPECT_EQ(read_id_file(path, "run1").value_or(""), "abcd");
  EXPECT_FALSE(read_id_file(path, "run2").has_value());  // stale: an earlier run's file
  EXPECT_THROW(publish_id_file(path, "has space", "abcd"), std::invalid_argument);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("garbage\n", f);
    std::fclose(f);
  }
  EXPECT_THROW(read_id_file(path, "run1"), std::invalid_argument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace moesim::real
