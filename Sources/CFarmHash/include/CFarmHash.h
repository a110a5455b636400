#ifndef CKPT_CFARMHASH_H
#define CKPT_CFARMHASH_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/* FarmHash's Fingerprint64 (util::Fingerprint64 of Debian's libfarmhash, a C++ library) of
   `count` bytes at `bytes`: the hash TensorFlow's fingerprint.pb records of a SavedModel's
   variables/variables.index. Stable across platforms and versions, as a fingerprint must be. */
uint64_t ckpt_farmhash_fingerprint64(const void *bytes, size_t count);
#ifdef __cplusplus
}
#endif
#endif
