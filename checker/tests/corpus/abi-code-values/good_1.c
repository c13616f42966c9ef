/* The runtime's constants, used as they are meant to be. */
#include <stdint.h>
#include "asyncabi/abi.h"

void finish(UniffiRustFutureContinuationCallback cb, uint64_t data, RustCallStatus *status)
{
    status->code = UNIFFI_CALL_CANCELLED;
    cb(data, UNIFFI_RUST_FUTURE_POLL_READY);
}
