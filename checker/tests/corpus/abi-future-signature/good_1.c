/* The runtime's definitions have the exact signatures. */
#include "asyncabi/ffi.h"

ASYNCABI_DEFINE_FFI(demo)
