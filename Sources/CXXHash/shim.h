#ifndef CKPT_CXXHASH_SHIM_H
#define CKPT_CXXHASH_SHIM_H
#include <xxhash.h>
#if defined(__x86_64__)
/* Debian's libxxhash carries the run-time dispatcher: the *_dispatch entry points pick
   AVX2/AVX-512 when the CPU has them (about 4x the SSE2 path of XXH3_64bits). */
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#endif
#endif
