#include "real/nccl_comm.h"

#include <chrono>
#include <thread>

#include "real/comm_watchdog.h"
#ifdef MOESIM_HAVE_MPI
#include <mpi.h>
#endif

namespace moesim::real {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void pause_briefly() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }

std::string where(const RankInfo& r) {
  return " (rank " + std::to_string(r.rank) + " of " + std::to_string(r.world) + ")";
}

ncclUniqueId exchange_id(const RankInfo& r, const std::string& id_file, double timeout_s) {
  ncclUniqueId id{};
  if (r.rank == 0) {
    const ncclResult_t res = ncclGetUniqueId(&id);
    if (res != ncclSuccess)
      throw NcclError(std::string("ncclGetUniqueId: ") + ncclGetErrorString(res));
  }
  if (r.world == 1) return id;
#ifdef MOESIM_HAVE_MPI
  if (id_file.empty()) {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) MPI_Init(nullptr, nullptr);
    MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
    return id;
  }
#endif
  if (id_file.empty())
    throw std::invalid_argument("step" + where(r) +
                                ": built without MPI, so the ranks need --id-file PATH on a "
                                "file system they all see to exchange the NCCL id");
  if (r.run_tag.empty())
    throw std::invalid_argument("step" + where(r) + ": " + r.launcher +
                                " gives no run tag to tell this run's id file from a stale "
                                "one: pass --run-tag TAG (the same on every rank)");
  const auto* bytes = reinterpret_cast<const unsigned char*>(&id);
  if (r.rank == 0) {
    publish_id_file(id_file, r.run_tag, encode_hex(bytes, sizeof id));
    return id;
  }
  std::string hex;
  const WaitResult w = wait_with_deadline(
      WaitHooks{[&] {
                  PollResult p;
                  try {
                    if (auto h = read_id_file(id_file, r.run_tag)) {
                      hex = *h;
                      p.done = true;
                    }
                  } catch (const std::exception& e) {
                    p.error = e.what();
                  }
                  return p;
                },
                now_s, [] { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }},
      timeout_s);
  if (w.outcome != WaitOutcome::kDone)
    throw NcclError(describe(w, "reading the NCCL id from " + id_file + where(r), timeout_s));
  const std::vector<unsigned char> v = decode_hex(hex, sizeof id);
  std::copy(v.begin(), v.end(), reinterpret_cast<unsigned char*>(&id));
  return id;
}

}  // namespace

NcclComm::NcclComm(const RankInfo& rank, const std::string& id_file, double timeout_s,
                   cudaStream_t stream)
    : rank_(rank), timeout_s_(timeout_s), stream_(stream) {
  const ncclUniqueId id = exchange_id(rank, id_file, timeout_s);
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  check(ncclCommInitRankConfig(&comm_, rank.world, id, rank.rank, &config),
        "ncclCommInitRankConfig");
  wait("communicator init");
}

NcclComm::~NcclComm() {
  if (comm_ == nullptr || aborted_) return;
  // Non-blocking finalize reports ncclInProgress; give it the deadline, then abort.
  ncclResult_t s = ncclCommFinalize(comm_);
  const double start = now_s();
  while (s == ncclInProgress && now_s() - start < timeout_s_) {
    pause_briefly();
    if (ncclCommGetAsyncError(comm_, &s) != ncclSuccess) break;
  }
  if (s == ncclSuccess)
    ncclCommDestroy(comm_);
  else
    ncclCommAbort(comm_);
}

void NcclComm::fail(const std::string& message) {
  if (comm_ != nullptr && !aborted_) {
    ncclCommAbort(comm_);
    aborted_ = true;
  }
  throw NcclError(message + where(rank_) + "; communicator aborted");
}

void NcclComm::check(ncclResult_t r, const std::string& what) {
  if (r == ncclSuccess || r == ncclInProgress) return;
  std::string detail = ncclGetErrorString(r);
  if (comm_ != nullptr) {
    const char* last = ncclGetLastError(comm_);
    if (last != nullptr && *last != '\0') detail += ": " + std::string(last);
  }
  fail(what + ": " + detail);
}

void NcclComm::wait(const std::string& what) {
  const WaitResult w = wait_with_deadline(
      WaitHooks{[&] {
                  PollResult p;
                  ncclResult_t s = ncclSuccess;
                  const ncclResult_t q = ncclCommGetAsyncError(comm_, &s);
                  if (q != ncclSuccess) {
                    p.error = std::string("ncclCommGetAsyncError: ") + ncclGetErrorString(q);
                  } else if (s != ncclSuccess && s != ncclInProgress) {
                    p.error = ncclGetErrorString(s);
                  } else if (s == ncclSuccess) {
                    const cudaError_t c = cudaStreamQuery(stream_);
                    if (c == cudaSuccess) p.done = true;
                    else if (c != cudaErrorNotReady) p.error = cudaGetErrorString(c);
                  }
                  return p;
                },
                now_s, pause_briefly},
      timeout_s_);
  if (w.outcome != WaitOutcome::kDone) fail(describe(w, what, timeout_s_));
}

}  // namespace moesim::real
