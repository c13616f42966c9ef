/* The runtime's exported cancel: no free anywhere on that path. */
#include "asyncabi/ffi.h"

ASYNCABI_DEFINE_FFI(demo)
