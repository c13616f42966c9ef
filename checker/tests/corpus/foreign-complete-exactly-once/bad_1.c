/* A C implementation of an async trait method that forgets complete on the error path. */
#include <stdint.h>
#include "asyncabi/abi.h"

void parser_parse(uint64_t handle, int32_t value, UniffiForeignFutureCompleteI32 complete,
                  uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)handle;
    (void)out_dropped;
    UniffiForeignFutureResultI32 r = {0};
    if (value < 0) {
        return; // expect: foreign-complete-exactly-once@9
    }
    r.return_value = value * 2;
    complete(complete_data, r);
}
