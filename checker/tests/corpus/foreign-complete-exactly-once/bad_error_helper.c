/* An error helper calls the complete callback: a call of the helper counts as a call. */
#include <stdint.h>
#include <string.h>
#include "asyncabi/abi.h"
static void fail_with(UniffiForeignFutureCompleteU32 complete, uint64_t data, int8_t code)
{
    UniffiForeignFutureResultU32 r;
    memset(&r, 0, sizeof r);
    r.call_status.code = code;
    complete(data, r);
}
static void noop(uint64_t h) { (void)h; }
void svc_get(uint64_t self, uint32_t key, UniffiForeignFutureCompleteU32 complete, uint64_t data,
             UniffiForeignFutureDroppedCallbackStruct *out)
{
    (void)self;
    out->handle = 0;
    out->free = noop;
    if (key == 0) {
        fail_with(complete, data, UNIFFI_CALL_ERROR);
        return;
    }
    if (key > 100) {
        fail_with(complete, data, UNIFFI_CALL_ERROR);
    }
    UniffiForeignFutureResultU32 r = {0};
    r.return_value = key * 2;
    complete(data, r); // expect: foreign-complete-exactly-once@5
}
void svc_put(uint64_t self, uint32_t key, UniffiForeignFutureCompleteU32 complete, uint64_t data,
             UniffiForeignFutureDroppedCallbackStruct *out)
{
    (void)self; (void)out;
    if (key == 0) {
        return; // expect: foreign-complete-exactly-once@9
    }
    fail_with(complete, data, UNIFFI_CALL_SUCCESS);
}
