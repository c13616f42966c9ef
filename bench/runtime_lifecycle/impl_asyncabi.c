/* impl_asyncabi.c: the bench_abi of libasyncabi, through the scaffolding a binding calls. */
#include <stdatomic.h>

#include "asyncabi/asyncabi.h"
#include "bench_abi.h"
#include "future_core.h"
#include "handle_table.h"

ASYNCABI_DECLARE_FFI(bench)
ASYNCABI_DEFINE_FFI(bench)

/* The producer: no per-future state (the budget excludes it), just what its "I/O" shares
 * with the waking thread, on one cache line: a ready flag and the one stashed waker. */
static struct {
    _Alignas(64) _Atomic int ready_flag;
    _Atomic(aa_waker *) stashed;
} io;
#define ready_flag io.ready_flag
#define stashed io.stashed

static aa_poll pending_poll(aa_future *f, void *state)
{
    (void)state;
    if (atomic_load_explicit(&ready_flag, memory_order_acquire)) {
        aa_future_return_value(f, (aa_value){.u64 = 1});
        return AA_READY;
    }
    aa_waker_release(atomic_exchange_explicit(&stashed, aa_future_waker(f), memory_order_acq_rel));
    return AA_PENDING;
}

static aa_poll ready_poll(aa_future *f, void *state)
{
    (void)state;
    aa_future_return_value(f, (aa_value){.u64 = 1});
    return AA_READY;
}

static const aa_future_vtable pending_vtable = {pending_poll, NULL, "bench_pending"};
static const aa_future_vtable ready_vtable = {ready_poll, NULL, "bench_ready"};

static uint64_t start_pending(void)
{
    atomic_store_explicit(&ready_flag, 0, memory_order_relaxed);
    return aa_future_new(AA_TYPE_U64, &pending_vtable, NULL);
}

static uint64_t start_ready(void)
{
    return aa_future_new(AA_TYPE_U64, &ready_vtable, NULL);
}

static void trigger(void)
{
    atomic_store_explicit(&ready_flag, 1, memory_order_release);
    aa_waker *w = atomic_exchange_explicit(&stashed, NULL, memory_order_acq_rel);
    if (w != NULL) {
        aa_waker_wake_and_release(w);
    }
}

const bench_abi bench_asyncabi = {
    .name = "asyncabi",
    .start_pending = start_pending,
    .start_ready = start_ready,
    .trigger = trigger,
    .poll = ffi_bench_rust_future_poll_u64,
    .complete = ffi_bench_rust_future_complete_u64,
    .free = ffi_bench_rust_future_free_u64,
    .bytes_per_future = sizeof(struct aa_future) + sizeof(aa__slot),
    .core_size = sizeof(struct aa_future),
};
