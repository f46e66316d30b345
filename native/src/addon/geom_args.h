// Reading the convolution and pooling geometry objects of src/backends/kernels.ts at the
// JavaScript boundary, every field checked (see args.h).
#pragma once

#include "args.h"
#include "conv.h"
#include "pool.h"

namespace ck {

/** Argument i (called `name` in errors) as a Conv2dGeometry; also checks that its im2col size is representable. */
ConvGeom readConvGeom(const Args& args, size_t i, const char* name = "geometry");
/** Argument i (called `name` in errors) as a Pool2dGeometry. */
PoolGeom readPoolGeom(const Args& args, size_t i, const char* name = "geometry");

}  // namespace ck
