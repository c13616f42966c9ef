/* Annotated async export that takes a RustCallStatus *: async errors go through complete. */
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

AA_ASYNC_EXPORT uint64_t uniffi_demo_fn_func_fetch(uint32_t id, RustCallStatus *status); // expect: abi-export-shape@26

uint64_t uniffi_demo_fn_func_fetch(uint32_t id, RustCallStatus *status)
{
    (void)status;
    return id;
}
