/* The runtime's typedef is the ABI's. */
#include "asyncabi/abi.h"

static UniffiRustFutureContinuationCallback stored;
void remember(UniffiRustFutureContinuationCallback cb) { stored = cb; }
