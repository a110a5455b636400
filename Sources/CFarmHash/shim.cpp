#include "CFarmHash.h"
#include <farmhash.h>

extern "C" uint64_t ckpt_farmhash_fingerprint64(const void *bytes, size_t count) {
    return util::Fingerprint64(static_cast<const char *>(bytes), count);
}
