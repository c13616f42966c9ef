/* A switch with a case that completes nothing, and a loop that may complete many times. */
#include <stdint.h>
#include "asyncabi/abi.h"

void op_run(uint64_t handle, int32_t kind, UniffiForeignFutureCompleteVoid complete, // expect: foreign-complete-exactly-once@6
            uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)handle;
    (void)out_dropped;
    UniffiForeignFutureResultVoid r = {{0, {0, 0, 0}}};
    switch (kind) {
    case 0:
        complete(complete_data, r);
        break;
    case 1:
        break;
    default:
        complete(complete_data, r);
        break;
    }
}

void op_retry(uint64_t handle, int32_t n, UniffiForeignFutureCompleteVoid complete,
              uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)handle;
    (void)out_dropped;
    UniffiForeignFutureResultVoid r = {{0, {0, 0, 0}}};
    complete(complete_data, r);
    for (int i = 0; i < n; i++) {
        complete(complete_data, r); // expect: foreign-complete-exactly-once@9
    }
}
