#ifndef CKPT_CISAL_SHIM_H
#define CKPT_CISAL_SHIM_H
#include <stdint.h>
#include <isa-l/crc.h>

/* crc32_iscsi takes `unsigned char *` and an `int` length; this shim lets Swift pass a
   raw pointer. Callers keep `length` at or below 1 GiB. */
static inline uint32_t ckpt_crc32_iscsi(const void *bytes, int length, uint32_t seed) {
    return crc32_iscsi((unsigned char *)bytes, length, seed);
}
#endif
