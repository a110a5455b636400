#ifndef CKPT_CZSTD_SHIM_H
#define CKPT_CZSTD_SHIM_H
#include <zstd.h>
#endif
