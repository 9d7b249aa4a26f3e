#pragma once
// MOESIM_HD marks small functions that both the CPU references and the CUDA kernels call,
// so that the two compute the same formula (and, where the steps are exact or correctly
// rounded IEEE operations, the same bits).

#if defined(__CUDACC__)
#define MOESIM_HD __host__ __device__
#else
#define MOESIM_HD
#endif
