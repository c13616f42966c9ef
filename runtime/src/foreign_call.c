/* foreign_call.c: the producer's side of one async call into a foreign implementation.
 *
 * Two parties share a call: the producer (holds the aa_foreign_call *, polls it, drops it
 * exactly once) and the binding (holds only complete_data, a handle, and calls complete
 * exactly once, from any thread, possibly after the drop). The call lives until both have
 * finished: its slot is retired, and its memory freed, by whichever finishes last. Because the
 * binding holds a generation-checked handle, not a pointer, a completion after both are done,
 * or a second one, is reported instead of touching freed memory (UniFFI 0.31 segfaulted there).
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
     * replays its result) while the call is alive must not free what the first one gave away.
     * Once the call is released it cannot know them: a stale completion's buffers are freed. */
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
static void aa__replay_discard(const aa_foreign_call *call, aa_type family, aa_value *value,
                               RustCallStatus *status)
{
    const void *v = family == AA_TYPE_RUST_BUFFER ? value->rust_buffer.data : NULL;
    const void *e = status->code != UNIFFI_CALL_SUCCESS ? status->errorBuf.data : NULL;
    if (v != NULL && (v == call->first_buffers[0] || v == call->first_buffers[1])) {
        memset(&value->rust_buffer, 0, sizeof value->rust_buffer);
    }
    if (e != NULL && (e == call->first_buffers[0] || e == call->first_buffers[1])) {
        memset(&status->errorBuf, 0, sizeof status->errorBuf);
    }
    aa__result_discard(family, value, status);
}

/* The slot's reference: released once the slot is retired. */
static void aa__call_retire(aa_foreign_call *call, aa__slot *slot)
{
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
        /* Absorbed: the binding handed us these buffers and nobody else will free them. */
        aa__result_discard(family, &value, &status);
        return;
    }
    aa_foreign_call *call = aa__slot_object(slot);
    uint32_t state = atomic_load_explicit(&call->state, memory_order_acquire);
    if (state & AA__CALL_COMPLETED) {
        aa__misuse(AA_MISUSE_FOREIGN_COMPLETE_TWICE, AA_OP_FOREIGN_COMPLETE, data,
                   "the foreign call was already completed");
        aa__replay_discard(call, family, &value, &status);
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
