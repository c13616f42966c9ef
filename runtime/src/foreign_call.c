/* foreign_call.c: the producer's side of one async call into a foreign implementation.
 *
 * Two parties share a call: the producer (holds the aa_foreign_call *, polls it, drops it
 * exactly once) and the binding (holds only complete_data, a handle, and calls complete
 * exactly once, from any thread, possibly after the drop). The call lives until both have
 * finished: its slot is retired, and its memory freed, by whichever finishes last. Because the
 * binding holds a generation-checked handle, not a pointer, a completion after both are done,
 * or a second one, is reported instead of touching freed memory (UniFFI 0.31 segfaulted there).
 *
 * A second completion may hand over the first one's buffers again (a binding that replays its
 * result): those belong to the producer or were freed already, so they must never be freed
 * again, while fresh buffers of a second completion are the producer's to free (R47). While
 * the call lives it knows its first buffers; once released, it leaves them in a tombstone
 * (below) for the completions that come after.
 *
 * Synchronisation: `state` carries COMPLETED and DROPPED, each set once with an acq_rel RMW, so
 * the party that sets the second flag sees everything the first did. The binding's completion
 * holds the slot's BUSY bit while it writes the result and wakes the waker; a drop that comes
 * meanwhile defers the retirement to that completion's exit (aa__handle_retire_or_defer), so
 * nothing ever waits.
 */
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"
#include "asyncabi/foreign.h"
#include "foreign_call_internal.h"
#include "handle_table.h"
#include "observe_internal.h"

enum {
    AA__CALL_COMPLETED = 1u << 0, /* the binding's completion stored a result */
    AA__CALL_DROPPED = 1u << 1    /* the producer dropped its side */
};

struct aa_foreign_call {
    _Atomic uint32_t state;   /* AA__CALL_* */
    _Atomic uint32_t refs;    /* 2: the producer's side and the slot's; the last frees */
    uint8_t type;             /* aa_type of the expected result */
    bool taken;               /* producer only: poll moved the result out */
    bool gave_dropped;        /* producer only: aa_foreign_call_dropped() was handed out */
    bool gave_legacy;         /* producer only: aa_foreign_call_legacy_out() was handed out */
    uint64_t id;              /* the handle passed as complete_data */
    aa_waker *waker;          /* released with the memory, so a completion can always wake */
    aa_value value;           /* written by the completion before COMPLETED */
    RustCallStatus status;    /* written by the completion before COMPLETED */
    UniffiForeignFutureDroppedCallbackStruct dropped;
    UniffiForeignFuture legacy;
    /* The buffers of the first completion (value, error; NULL: none), written under BUSY before
     * COMPLETED: a second completion that hands the very same buffers again (a binding that
     * replays its result) must not free what the first one gave away. Copied into the call's
     * tombstone when it is released. */
    const void *first_buffers[2];
};

/* Relaxed everywhere: a statistic, read by leak checks after every thread was joined (the
 * join orders it). */
static _Atomic uint64_t aa__calls_live;

uint64_t aa_foreign_call_live_count(void)
{
    return atomic_load_explicit(&aa__calls_live, memory_order_relaxed);
}

/* What the producer pre-fills: a binding that cannot cancel leaves it in place. */
static void aa__dropped_noop(uint64_t handle)
{
    (void)handle;
}

static void aa__call_release(aa_foreign_call *call)
{
    /* acq_rel, as for future cores (waker.c): all uses happen-before the free. */
    if (atomic_fetch_sub_explicit(&call->refs, 1, memory_order_acq_rel) == 1) {
        aa_waker_release(call->waker);
        free(call);
        atomic_fetch_sub_explicit(&aa__calls_live, 1, memory_order_relaxed);
    }
}

/* Frees the buffers of a result nobody will take. */
static void aa__result_discard(aa_type type, aa_value *value, RustCallStatus *status)
{
    if (type == AA_TYPE_RUST_BUFFER) {
        aa_buffer_free(value->rust_buffer);
    }
    if (status->code != UNIFFI_CALL_SUCCESS) {
        aa_buffer_free(status->errorBuf);
    }
    memset(value, 0, sizeof *value);
    memset(status, 0, sizeof *status);
}

/* --- Tombstones: the first buffers of released calls ---
 * A released call's memory and slot are gone, but its binding may still complete it again.
 * Each call therefore leaves a tombstone as it is released (before its slot is retired, so
 * that a completion that finds the slot retired finds the tombstone too): its id and its first
 * completion's buffers, in a ring of the last AA__FOREIGN_TOMBSTONES released calls. A
 * completion whose call is gone frees only buffers that are provably not the first ones (a
 * fresh buffer that malloc placed at a freed first one's address counts as a first one); one
 * older than the ring frees nothing (it can no longer tell, and a leak is the only safe
 * mistake; the misuse is reported either way).
 *
 * Each entry is a seqlock: a writer claims it by moving `seq` from even to odd, and publishes
 * with the release store of the next even value. A writer that finds it odd (another writer
 * lapped the ring meanwhile) gives up: that tombstone is lost, which is safe. Readers only
 * read. Every field is an atomic (release stores, acquire loads: the C11 seqlock without
 * fences), so nothing is a data race. Only releases write (one RMW on the shared counter, one
 * CAS, four stores); only misuse reads. */
typedef struct aa__tombstone {
    _Atomic uint64_t seq;          /* odd while a writer fills the entry */
    _Atomic uint64_t id;           /* the released call's complete_data */
    _Atomic uintptr_t buffers[2];  /* its first_buffers */
} aa__tombstone;

static aa__tombstone aa__tombstones[AA__FOREIGN_TOMBSTONES];
static _Atomic uint64_t aa__tombstone_next; /* relaxed: only picks an entry */

_Static_assert((AA__FOREIGN_TOMBSTONES & (AA__FOREIGN_TOMBSTONES - 1)) == 0,
               "AA__FOREIGN_TOMBSTONES must be a power of two");

/* Leaves the tombstone of `call`, which is completed and about to be released. */
static void aa__tombstone_leave(const aa_foreign_call *call)
{
    uint64_t n = atomic_fetch_add_explicit(&aa__tombstone_next, 1, memory_order_relaxed);
    aa__tombstone *t = &aa__tombstones[n & (AA__FOREIGN_TOMBSTONES - 1)];
    uint64_t seq = atomic_load_explicit(&t->seq, memory_order_relaxed);
    if ((seq & 1) || !atomic_compare_exchange_strong_explicit(&t->seq, &seq, seq + 1,
                                                              memory_order_relaxed,
                                                              memory_order_relaxed)) {
        return;
    }
    /* Release stores (no fences: TSan does not model them): a reader whose acquire load sees
     * any of them also sees the odd seq, or later. */
    atomic_store_explicit(&t->id, call->id, memory_order_release);
    atomic_store_explicit(&t->buffers[0], (uintptr_t)call->first_buffers[0], memory_order_release);
    atomic_store_explicit(&t->buffers[1], (uintptr_t)call->first_buffers[1], memory_order_release);
    /* Release: a reader that sees this seq sees the fields above. */
    atomic_store_explicit(&t->seq, seq + 2, memory_order_release);
}

/* The first buffers of released call `id` into first[2]; false when no tombstone has them. */
static bool aa__tombstone_find(uint64_t id, const void *first[2])
{
    if (id == 0) {
        return false; /* never issued: and an entry never written holds id 0 */
    }
    for (size_t i = 0; i < AA__FOREIGN_TOMBSTONES; i++) {
        aa__tombstone *t = &aa__tombstones[i];
        uint64_t seq = atomic_load_explicit(&t->seq, memory_order_acquire);
        if ((seq & 1) || atomic_load_explicit(&t->id, memory_order_acquire) != id) {
            continue;
        }
        uintptr_t b0 = atomic_load_explicit(&t->buffers[0], memory_order_acquire);
        uintptr_t b1 = atomic_load_explicit(&t->buffers[1], memory_order_acquire);
        /* After those acquire loads: if a writer overwrote any field meanwhile, seq shows it. */
        if (atomic_load_explicit(&t->seq, memory_order_relaxed) != seq) {
            continue;
        }
        first[0] = (const void *)b0;
        first[1] = (const void *)b1;
        return true;
    }
    return false;
}

aa_foreign_call *aa_foreign_call_new(aa_type type, aa_waker *waker)
{
    /* On failure the waker reference we were given is released, as aa_timer_at does. */
    if ((unsigned)type >= AA_TYPE_COUNT_) {
        aa_waker_release(waker);
        return NULL;
    }
    aa_foreign_call *call = calloc(1, sizeof *call);
    if (call == NULL) {
        aa_waker_release(waker);
        return NULL;
    }
    atomic_init(&call->state, 0);
    atomic_init(&call->refs, 2);
    call->type = (uint8_t)type;
    call->waker = waker;
    call->dropped = (UniffiForeignFutureDroppedCallbackStruct){0, aa__dropped_noop};
    call->legacy = (UniffiForeignFuture){0, aa__dropped_noop};
    call->id = aa__handle_alloc(AA__KIND_FOREIGN_CALL, type, call);
    if (call->id == 0) {
        free(call);
        aa_waker_release(waker);
        return NULL;
    }
    atomic_fetch_add_explicit(&aa__calls_live, 1, memory_order_relaxed);
    AA__EMIT(AA_OP_FOREIGN_CALL, type, call->id, call->id, 0, NULL);
    return call;
}

uint64_t aa_foreign_call_data(const aa_foreign_call *call)
{
    return call->id;
}

UniffiForeignFutureDroppedCallbackStruct *aa_foreign_call_dropped(aa_foreign_call *call)
{
    call->gave_dropped = true;
    return &call->dropped;
}

UniffiForeignFuture *aa_foreign_call_legacy_out(aa_foreign_call *call)
{
    call->gave_legacy = true;
    return &call->legacy;
}

aa_poll aa_foreign_call_poll(aa_foreign_call *call, aa_value *out_value,
                             RustCallStatus *out_status)
{
    /* Acquire pairs with the completion's acq_rel RMW: the result fields are visible. */
    if (!(atomic_load_explicit(&call->state, memory_order_acquire) & AA__CALL_COMPLETED)) {
        return AA_PENDING;
    }
    if (call->taken) {
        /* Already moved out: answer again, with nothing to own. */
        if (out_value != NULL) {
            memset(out_value, 0, sizeof *out_value);
        }
        if (out_status != NULL) {
            *out_status = (RustCallStatus){UNIFFI_CALL_UNEXPECTED_ERROR, {0, 0, NULL}};
        }
        return AA_READY;
    }
    call->taken = true;
    if (out_value != NULL) {
        *out_value = call->value;
    } else if (call->type == AA_TYPE_RUST_BUFFER) {
        aa_buffer_free(call->value.rust_buffer);
    }
    if (out_status != NULL) {
        *out_status = call->status;
    } else if (call->status.code != UNIFFI_CALL_SUCCESS) {
        aa_buffer_free(call->status.errorBuf);
    }
    memset(&call->value, 0, sizeof call->value);
    memset(&call->status, 0, sizeof call->status);
    return AA_READY;
}

/* A second completion's buffers are absorbed like any unwanted result, except those that are
 * the first completion's own: already handed over, so freeing them again would be a double
 * free (or pull them from under the producer). */
static void aa__replay_discard(const void *const first[2], aa_type family, aa_value *value,
                               RustCallStatus *status)
{
    const void *v = family == AA_TYPE_RUST_BUFFER ? value->rust_buffer.data : NULL;
    const void *e = status->code != UNIFFI_CALL_SUCCESS ? status->errorBuf.data : NULL;
    if (v != NULL && (v == first[0] || v == first[1])) {
        memset(&value->rust_buffer, 0, sizeof value->rust_buffer);
    }
    if (e != NULL && (e == first[0] || e == first[1])) {
        memset(&status->errorBuf, 0, sizeof status->errorBuf);
    }
    aa__result_discard(family, value, status);
}

/* The slot's reference: released once the slot is retired, the tombstone left first. */
static void aa__call_retire(aa_foreign_call *call, aa__slot *slot)
{
    aa__tombstone_leave(call);
    aa__handle_retire(slot, call->id);
    aa__call_release(call);
}

void aa_foreign_call_drop(aa_foreign_call *call)
{
    if (call == NULL) {
        return;
    }
    uint64_t id = call->id;
    aa_type type = (aa_type)call->type;
    /* Tell the binding first (outside every lock: it may cancel a task, take its runtime
     * lock, even complete the call synchronously from inside). Exactly once: drop is the
     * producer's last use of `call`. */
    if (aa__observing()) {
        /* code 1: the binding replaced the producer's no-op (it claims it can cancel). */
        bool installed = (call->gave_dropped && call->dropped.free != aa__dropped_noop) ||
                         (call->gave_legacy && call->legacy.free != aa__dropped_noop);
        aa__emit_slow(AA_OP_FOREIGN_DROPPED, type, id, id, installed, NULL);
    }
    if (call->gave_dropped) {
        call->dropped.free(call->dropped.handle);
    }
    if (call->gave_legacy) {
        call->legacy.free(call->legacy.handle);
    }
    uint32_t old = atomic_fetch_or_explicit(&call->state, AA__CALL_DROPPED, memory_order_acq_rel);
    if (old & AA__CALL_COMPLETED) {
        /* The completion came first; we finish: drop a result that was never taken. */
        if (!call->taken) {
            aa__result_discard(type, &call->value, &call->status);
            call->taken = true;
        }
        /* Left before the retirement; when it is deferred to a completion inside, that one
         * retires through aa__call_retire and leaves a second, identical tombstone. */
        aa__tombstone_leave(call);
        if (aa__handle_retire_or_defer(aa__handle_slot(id), id)) {
            aa__call_release(call);
        }
    }
    aa__call_release(call);
}

/* The body of a completion (aa__call_complete). */
static void aa__call_complete_body(aa_type family, uint64_t data, aa_value value,
                                   RustCallStatus status)
{
    aa__slot *slot = aa__handle_enter(data, AA__KIND_FOREIGN_CALL, family, AA__SLOT_BUSY,
                                      AA_OP_FOREIGN_COMPLETE);
    if (slot == NULL) {
        /* Reported: a second completion of a released call (or one overlapping the first), or
         * data never handed out. Free only what is provably not the first completion's
         * buffers; when the call's tombstone is gone, or there never was a call, whose they
         * are is unknown: leave them (a leak at worst, never a double free). */
        const void *first[2];
        if (aa__tombstone_find(data, first)) {
            aa__replay_discard(first, family, &value, &status);
        }
        return;
    }
    aa_foreign_call *call = aa__slot_object(slot);
    uint32_t state = atomic_load_explicit(&call->state, memory_order_acquire);
    if (state & AA__CALL_COMPLETED) {
        aa__misuse(AA_MISUSE_FOREIGN_COMPLETE_TWICE, AA_OP_FOREIGN_COMPLETE, data,
                   "the foreign call was already completed");
        aa__replay_discard(call->first_buffers, family, &value, &status);
        if (aa__handle_exit(slot, AA__SLOT_BUSY)) {
            aa__call_retire(call, slot);
        }
        return;
    }
    call->first_buffers[0] = family == AA_TYPE_RUST_BUFFER ? value.rust_buffer.data : NULL;
    call->first_buffers[1] = status.code != UNIFFI_CALL_SUCCESS ? status.errorBuf.data : NULL;
    if (family != (aa_type)call->type) {
        aa__misuse(AA_MISUSE_WRONG_FAMILY, AA_OP_FOREIGN_COMPLETE, data,
                   "completed with the %s callback, the call expects %s", aa_type_name(family),
                   aa_type_name((aa_type)call->type));
        aa__result_discard(family, &value, &status);
        /* Complete it anyway, as an unexpected error, so the producer does not wait forever. */
        static const char msg[] = "foreign call completed with the wrong family";
        status.code = UNIFFI_CALL_UNEXPECTED_ERROR;
        status.errorBuf = aa_buffer_from_bytes(msg, sizeof msg - 1);
    }
    if (state & AA__CALL_DROPPED) {
        /* Late: the producer is gone. Absorb the result; we are the last party. */
        aa__result_discard(family, &value, &status);
        atomic_fetch_or_explicit(&call->state, AA__CALL_COMPLETED, memory_order_acq_rel);
        aa__call_retire(call, slot);
        return;
    }
    call->value = value;
    call->status = status;
    uint32_t old = atomic_fetch_or_explicit(&call->state, AA__CALL_COMPLETED, memory_order_acq_rel);
    if (old & AA__CALL_DROPPED) {
        /* The drop raced in between our two reads: it saw no COMPLETED and left to us. */
        aa__result_discard(family, &call->value, &call->status);
        aa__call_retire(call, slot);
        return;
    }
    /* Wake while still holding BUSY: the memory cannot go away under us (a drop that comes
     * now defers to our exit), and BUSY is no lock, so a continuation that re-polls and drops
     * synchronously does not deadlock. */
    aa_waker_wake(call->waker);
    if (aa__handle_exit(slot, AA__SLOT_BUSY)) {
        aa__call_retire(call, slot);
    }
}

/* The one body behind the twelve completion callbacks. `value` is zero for void. */
static void aa__call_complete(aa_type family, uint64_t data, aa_value value, RustCallStatus status)
{
    if (__builtin_expect(aa__observing(), 0)) {
        int32_t code = status.code;
        aa__emit_at(AA_OP_FOREIGN_COMPLETE, AA_PHASE_ENTER, family, data, data, code, NULL);
        aa__call_complete_body(family, data, value, status);
        aa__emit_at(AA_OP_FOREIGN_COMPLETE, AA_PHASE_LEAVE, family, data, data, code, NULL);
        return;
    }
    aa__call_complete_body(family, data, value, status);
}

#define AA__DEFINE_COMPLETE(ctx, tag, Suffix, ENUM, CType, member)                             \
    void aa_foreign_call_complete_##tag(uint64_t data, UniffiForeignFutureResult##Suffix result) \
    {                                                                                          \
        aa_value value;                                                                        \
        memset(&value, 0, sizeof value);                                                       \
        value.member = result.return_value;                                                    \
        aa__call_complete(AA_TYPE_##ENUM, data, value, result.call_status);                    \
    }

ASYNCABI_VALUE_FAMILIES(AA__DEFINE_COMPLETE, _)

void aa_foreign_call_complete_void(uint64_t data, UniffiForeignFutureResultVoid result)
{
    aa_value value;
    memset(&value, 0, sizeof value);
    aa__call_complete(AA_TYPE_VOID, data, value, result.call_status);
}
