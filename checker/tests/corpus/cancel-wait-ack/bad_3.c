/* The exported cancel spins until the flag flips. */
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include "asyncabi/ffi.h"
ASYNCABI_DECLARE_FFI(demo)

static atomic_int acked;
static atomic_int requested;

void ffi_demo_rust_future_cancel_void(uint64_t handle)
{
    (void)handle;
    atomic_store(&requested, 1);
    while (!atomic_load(&acked)) // expect: cancel-wait-ack@5
        ;
}

void ffi_demo_rust_future_cancel_u8(uint64_t handle)
{
    (void)handle;
    atomic_store(&requested, 1);
    while (!atomic_load(&acked)) { // expect: cancel-wait-ack@5
        sched_yield();
    }
}
