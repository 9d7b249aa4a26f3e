#pragma once
// Who this process is in a multi-GPU run, and how the ranks agree on one
// ncclUniqueId, without MPI: the launcher's environment gives rank, world size
// and local rank (Open MPI's mpirun, Slurm's srun, PMI, or MOESIM_* set by hand);
// rank 0 writes the id into a file on a shared file system that the other ranks
// poll for (NCCL's examples pass it over MPI_Bcast; real/ does that instead when
// built with MPI). The file carries a run tag so that a stale file from an earlier
// run is never read as this run's. Pure apart from the file I/O; no GPU needed.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace moesim::real {

struct RankInfo {
  int rank = 0;
  int world = 1;
  int local_rank = 0;
  std::string launcher;  // "openmpi", "slurm", "pmi", "moesim" or "single"
  std::string run_tag;   // identifies this launch ("" when the launcher gives none)
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads, in this order: OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK} (+ PMIX_NAMESPACE or
// OMPI_MCA_orte_ess_jobid as tag); SLURM_{PROCID,NTASKS,LOCALID} (+ SLURM_JOB_ID.
// SLURM_STEP_ID); PMI_{RANK,SIZE} (+ PMI_LOCAL_RANK); MOESIM_{RANK,WORLD_SIZE,LOCAL_RANK,
// RUN_TAG}. Nothing set: a single process. Throws std::invalid_argument naming the
// variable when a value is not an integer or rank >= world.
RankInfo rank_from_env(const EnvLookup& env);

// The unique id as lower-case hex and back. decode throws std::invalid_argument when
// the text is not 2 * bytes hex digits.
std::string encode_hex(const unsigned char* bytes, std::size_t n);
std::vector<unsigned char> decode_hex(const std::string& hex, std::size_t n);

constexpr const char* kIdFileFormat = "moesim-nccl-id-1";

// Rank 0: writes "moesim-nccl-id-1 TAG HEX\n" atomically. REQUIRES: tag without spaces.
void publish_id_file(const std::string& path, const std::string& tag, const std::string& hex);
// Other ranks: the id's hex when the file exists and carries `tag`; nullopt when it is
// absent or from another run (a stale file); std::invalid_argument when it is malformed.
std::optional<std::string> read_id_file(const std::string& path, const std::string& tag);

}  // namespace moesim::real
