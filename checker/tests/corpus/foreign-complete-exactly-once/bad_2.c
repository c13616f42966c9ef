/* complete called twice when the value is zero. */
#include <stdint.h>
#include "asyncabi/abi.h"

void parser_parse(uint64_t handle, int32_t value, UniffiForeignFutureCompleteI32 complete,
                  uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)handle;
    (void)out_dropped;
    UniffiForeignFutureResultI32 r = {0};
    if (value == 0) {
        r.call_status.code = UNIFFI_CALL_UNEXPECTED_ERROR;
        complete(complete_data, r);
    }
    r.return_value = value;
    complete(complete_data, r); // expect: foreign-complete-exactly-once@5
}
