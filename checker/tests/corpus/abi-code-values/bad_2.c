/* A continuation woken with a made-up code. */
#include <stdint.h>
#include "asyncabi/abi.h"

void wake_later(UniffiRustFutureContinuationCallback cb, uint64_t data)
{
    cb(data, 2); // expect: abi-code-values@14
}
