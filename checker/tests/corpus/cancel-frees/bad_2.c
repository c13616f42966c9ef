/* The exported cancel calls the free path. */
#include <stdint.h>
#include "asyncabi/ffi.h"
ASYNCABI_DECLARE_FFI(demo)

void ffi_demo_rust_future_cancel_u32(uint64_t handle)
{
    aa_future_cancel(AA_TYPE_U32, handle);
    aa_future_free(AA_TYPE_U32, handle); // expect: cancel-frees@5
}
