/* impl_uniffi.c: the bench_abi of UniFFI 0.32.2's RustFuture (uniffi_baseline/, a Rust static
 * library with two async exports), through the scaffolding symbols UniFFI generates. */
#include "bench_abi.h"

/* What uniffi::setup_scaffolding! exports for the crate `uniffi_baseline` (u64 family). */
uint64_t uniffi_uniffi_baseline_fn_func_bench_pending(void);
uint64_t uniffi_uniffi_baseline_fn_func_bench_ready(void);
void ffi_uniffi_baseline_rust_future_poll_u64(uint64_t handle,
                                              UniffiRustFutureContinuationCallback callback,
                                              uint64_t callback_data);
uint64_t ffi_uniffi_baseline_rust_future_complete_u64(uint64_t handle, RustCallStatus *status);
void ffi_uniffi_baseline_rust_future_free_u64(uint64_t handle);
/* The crate's producer-side hooks (src/lib.rs). */
void uniffi_baseline_reset(void);
void uniffi_baseline_trigger(void);

static uint64_t start_pending(void)
{
    uniffi_baseline_reset();
    return uniffi_uniffi_baseline_fn_func_bench_pending();
}

const bench_abi bench_uniffi = {
    .name = "uniffi",
    .start_pending = start_pending,
    .start_ready = uniffi_uniffi_baseline_fn_func_bench_ready,
    .trigger = uniffi_baseline_trigger,
    .poll = ffi_uniffi_baseline_rust_future_poll_u64,
    .complete = ffi_uniffi_baseline_rust_future_complete_u64,
    .free = ffi_uniffi_baseline_rust_future_free_u64,
    .bytes_per_future = 0, /* not visible from C: the heap row measures it */
    .core_size = 0,
};
