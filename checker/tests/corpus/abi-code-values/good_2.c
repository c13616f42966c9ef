/* Literal codes inside the ABI's range. */
#include <stdint.h>
#include "asyncabi/abi.h"

void wake(UniffiRustFutureContinuationCallback cb, uint64_t data, RustCallStatus *status)
{
    status->code = 2;
    cb(data, 1);
    cb(data, 0);
}
