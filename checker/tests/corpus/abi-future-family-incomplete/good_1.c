/* The runtime's macro declares all twelve families, four functions each. */
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)
