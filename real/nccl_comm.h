#pragma once
// One NCCL communicator over all ranks of the launch, non-blocking (NCCL's
// config.blocking = 0), so that no NCCL call can hang the process: initialisation
// and every wait go through wait_with_deadline (real/comm_watchdog.h) on
// ncclCommGetAsyncError and cudaStreamQuery, and a failure or timeout aborts the
// communicator (ncclCommAbort) and throws NcclError naming what was awaited.
// The ncclUniqueId travels over MPI_Bcast when built with MPI, else through the id file
// of real/bootstrap.h. Needs GPUs and NCCL.

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <stdexcept>
#include <string>

#include "real/bootstrap.h"

namespace moesim::real {

class NcclError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NcclComm {
 public:
  // REQUIRES: the CUDA device already set for this rank. Throws NcclError on failure or
  // timeout, std::invalid_argument when world > 1 and neither MPI nor an id file is given.
  NcclComm(const RankInfo& rank, const std::string& id_file, double timeout_s,
           cudaStream_t stream);
  ~NcclComm();
  NcclComm(const NcclComm&) = delete;
  NcclComm& operator=(const NcclComm&) = delete;

  ncclComm_t get() const { return comm_; }
  const RankInfo& rank() const { return rank_; }
  // Checks an NCCL call's immediate result (ncclInProgress is fine: non-blocking).
  void check(ncclResult_t r, const std::string& what);
  // Waits for the communicator and the stream to finish what was enqueued.
  void wait(const std::string& what);

 private:
  void fail(const std::string& message);
  RankInfo rank_;
  double timeout_s_;
  cudaStream_t stream_;
  ncclComm_t comm_ = nullptr;
  bool aborted_ = false;
};

}  // namespace moesim::real
