/* A status code outside 0..3, and READY given the value 1. */
#include <stdint.h>
#include "asyncabi/abi.h"

enum { MY_RUST_FUTURE_POLL_READY = 1 }; // expect: abi-code-values@8

void fail(RustCallStatus *status)
{
    status->code = 4; // expect: abi-code-values@20
}
