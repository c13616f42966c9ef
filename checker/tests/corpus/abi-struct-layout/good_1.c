/* The runtime's ABI header: every struct has the ABI layout. */
#include "asyncabi/abi.h"

RustBuffer empty_buffer(void) { RustBuffer b = {0, 0, 0}; return b; }
