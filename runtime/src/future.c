/* future.c: the four ABI entry points of a rust future, over a producer's poll function.
 *
 * Mirrors uniffi_core/src/ffi/rustfuture/future.rs: poll runs the producer's poll function
 * unless the future is done or cancelled and then either invokes the continuation with READY
 * or parks it in the scheduler; complete moves the outcome out once; free cancels the
 * scheduler (so a parked continuation still gets its one invocation) and drops everything.
 *
 * Each entry point validates the handle and marks the call with one CAS on the slot word
 * (handle_table.h); misuse is reported and survived, and every continuation is invoked after
 * the call has left the slot and with no lock held, so the binding may re-enter any entry
 * point on the same handle from inside the callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"
#include "future_core.h"
#include "handle_table.h"
#include "observe_internal.h"

uint64_t aa_future_live_count(void)
{
    /* On demand, from the handle table: no counter is written on the lifecycle's path. A
     * future is live from its handle's alloc to its retirement in free. */
    return aa__handle_count_live(AA__KIND_FUTURE);
}

/* The core lives in its handle slot's payload (handle_table.h): no allocation per future. */
_Static_assert(sizeof(struct aa_future) <= AA__PAYLOAD_SIZE, "a core must fit a slot's payload");

static const char *aa__core_name(const aa_future *core)
{
    return core->vtable ? core->vtable->name : NULL;
}

/* Creates a core and publishes its handle (0 when out of memory); `result` may be NULL. */
static inline __attribute__((always_inline)) uint64_t
aa__core_create(aa_type type, const aa_future_vtable *vtable, void *state, uint8_t flags,
                const aa_value *result)
{
    uint32_t index;
    aa__slot *slot = aa__handle_reserve_slot(&index);
    if (__builtin_expect(slot == NULL, 0)) {
        return 0;
    }
    aa_future *core = aa__slot_payload(slot, index);
    AA__UNPOISON(core, sizeof *core);
    aa__scheduler_init(&core->sched);
    atomic_init(&core->refs, 1);
    core->type = (uint8_t)type;
    core->status = UNIFFI_CALL_SUCCESS;
    core->flags = flags;
    core->vtable = vtable;
    core->state = state;
    if (result != NULL) {
        core->result = *result;
    } else {
        memset(&core->result, 0, sizeof core->result);
    }
    uint64_t handle = aa__handle_publish_at(slot, index, AA__KIND_FUTURE, type, core);
    /* Written before the handle is returned to anyone; never written again. */
    core->handle = handle;
    AA__EMIT(AA_OP_FUTURE_NEW, type, handle, 0, 0, aa__core_name(core));
    return handle;
}

uint64_t aa_future_new(aa_type type, const aa_future_vtable *vtable, void *state)
{
    if ((unsigned)type >= AA_TYPE_COUNT_ || vtable == NULL || vtable->poll == NULL) {
        return 0;
    }
    /* Without a drop function the state is already "dropped" (AA__FUT_DROPPED's meaning):
     * the steps that drop it then skip at the flag test. */
    return aa__core_create(type, vtable, state, vtable->drop == NULL ? AA__FUT_DROPPED : 0,
                           NULL);
}

uint64_t aa_future_new_ready(aa_type type, aa_value value)
{
    if ((unsigned)type >= AA_TYPE_COUNT_) {
        return 0;
    }
    if (type == AA_TYPE_VOID) {
        memset(&value, 0, sizeof value);
    }
    return aa__core_create(type, NULL, NULL, AA__FUT_HAS_RESULT | AA__FUT_DROPPED, &value);
}

/* --- Producer side --- */

/* Frees an outcome that will never be consumed (a replaced or abandoned one). */
static void aa__core_discard_result_slow(aa_future *core)
{
    if (core->status != UNIFFI_CALL_SUCCESS || core->type == AA_TYPE_RUST_BUFFER) {
        aa_buffer_free(core->result.rust_buffer);
    }
    memset(&core->result, 0, sizeof core->result);
    core->flags &= (uint8_t)~AA__FUT_HAS_RESULT;
}

static inline void aa__core_discard_result(aa_future *core)
{
    if (core->flags & AA__FUT_HAS_RESULT) {
        aa__core_discard_result_slow(core);
    }
}

static void aa__core_set_result(aa_future *core, int8_t status, aa_value value)
{
    /* The last result wins; an earlier one is released so that it cannot leak. */
    aa__core_discard_result(core);
    core->status = status;
    core->result = value;
    core->flags |= AA__FUT_HAS_RESULT;
}

void aa_future_return_value(aa_future *future, aa_value value)
{
    /* aa__core_set_result, with the value stored straight from the argument. */
    aa__core_discard_result(future);
    if (__builtin_expect(future->type == AA_TYPE_VOID, 0)) {
        memset(&future->result, 0, sizeof future->result);
    } else {
        future->result = value;
    }
    future->status = UNIFFI_CALL_SUCCESS;
    future->flags |= AA__FUT_HAS_RESULT;
}

void aa_future_return_error(aa_future *future, RustBuffer serialized_error)
{
    aa_value value;
    memset(&value, 0, sizeof value);
    value.rust_buffer = serialized_error;
    aa__core_set_result(future, UNIFFI_CALL_ERROR, value);
}

void aa_future_return_unexpected(aa_future *future, const char *message)
{
    aa_value value;
    memset(&value, 0, sizeof value);
    value.rust_buffer = aa_buffer_from_bytes(message, message ? strlen(message) : 0);
    aa__core_set_result(future, UNIFFI_CALL_UNEXPECTED_ERROR, value);
}

aa_waker *aa_future_waker(aa_future *future)
{
    return aa_waker_retain(aa__core_as_waker(future));
}

uint64_t aa_future_handle(const aa_future *future)
{
    return future->handle;
}

/* --- Internal steps shared by the entry points (caller holds BUSY) --- */

/* Drops the producer's state exactly once, outside every lock. */
static void aa__core_drop_state(aa_future *core)
{
    if (core->flags & AA__FUT_DROPPED) {
        return;
    }
    core->flags |= AA__FUT_DROPPED;
    void *state = core->state;
    core->state = NULL;
    if (core->vtable != NULL && core->vtable->drop != NULL) {
        core->vtable->drop(state);
    }
}

/* Alone: the handle's is the only reference (no waker exists, and none can be made: that
 * takes a poll, and the caller holds BUSY or has retired the handle) and the scheduler is idle
 * (no continuation stored, its lock bit free: a pending poll that just left the slot may still
 * hold it). Then nothing can observe the scheduler again, and the core goes without an atomic
 * RMW. The acquire loads pair with the release half of every other holder's decrement and
 * with the scheduler's unlock. */
static inline bool aa__core_alone(aa_future *core)
{
    uint32_t sched = atomic_load_explicit(&core->sched.word, memory_order_acquire);
    return atomic_load_explicit(&core->refs, memory_order_acquire) == 1 &&
           (sched & AA__SCHED_STATE_MASK) != AA__SCHED_SET && !(sched & AA__SCHED_LOCKED);
}

/* The body of free, for a caller that holds BUSY (`retired` false: the handle is retired
 * here) or that retired the handle itself (aa__handle_try_retire_future): cancel the
 * scheduler, drop everything, then invoke the parked continuation and release the handle's
 * ref. */
static inline __attribute__((always_inline)) void
aa__core_free_obs(aa_future *core, aa__slot *slot, bool observing, bool retired)
{
    uint64_t handle = core->handle;
    aa_type type = (aa_type)core->type;
    const char *name = observing ? aa__core_name(core) : NULL;
    bool alone = aa__core_alone(core);
    aa__continuation cont = alone ? aa__none() : aa__scheduler_cancel(&core->sched);
    aa__core_drop_state(core);
    aa__core_discard_result(core);
    if (!retired) {
        aa__handle_retire_keep(slot);
    }
    if (observing) {
        aa__emit_at(AA_OP_RETIRED, AA_PHASE_POINT, type, handle, 0, 0, name);
    }
    /* The handle is retired: a callback that calls back into it gets a stale-handle report,
     * never the core. The core (and the slot it lives in) is still ours until the release
     * below. */
    aa__continuation_invoke_obs(cont, observing, type, handle, name);
    if (alone) {
        aa__core_recycle(core);
    } else {
        aa__core_release(core);
    }
}

static void aa__core_free(aa_future *core, aa__slot *slot)
{
    aa__core_free_obs(core, slot, aa__observing(), false);
}

/* free's general body after aa__handle_try_retire_future (not observing). */
__attribute__((noinline)) static void aa__core_free_retired(aa_future *core, aa__slot *slot)
{
    aa__core_free_obs(core, slot, false, true);
}

/* Leaves the slot; runs a free that a concurrent (misusing) call deferred to us. */
static inline __attribute__((always_inline)) void aa__core_exit(aa_future *core, aa__slot *slot,
                                                                uint64_t handle)
{
    if (aa__handle_exit_entered(slot, handle, AA__SLOT_BUSY)) {
        aa__core_free(core, slot);
    }
}

static inline void aa__ready_now(UniffiRustFutureContinuationCallback cb, uint64_t data,
                                 bool observing, aa_type type, uint64_t handle, const char *name)
{
    aa__continuation cont = {cb, data, UNIFFI_RUST_FUTURE_POLL_READY};
    aa__continuation_invoke_obs(cont, observing, type, handle, name);
}

/* Poll after complete: reported, and READY so that the binding moves on. Out of line. */
__attribute__((noinline, cold)) static void
aa__poll_after_complete(aa_future *core, aa__slot *slot, UniffiRustFutureContinuationCallback cb,
                        uint64_t data, bool observing, aa_type type, uint64_t handle,
                        const char *name)
{
    aa__misuse(AA_MISUSE_POLL_AFTER_COMPLETE, AA_OP_POLL, handle,
               "the future's result was already taken by complete");
    aa__core_exit(core, slot, handle);
    aa__ready_now(cb, data, observing, type, handle, name);
}

__attribute__((noinline, cold)) static void aa__ready_without_result(aa_future *core)
{
    aa_future_return_unexpected(core, "poll function returned READY without a result");
}

/* --- The ABI entry points --- */

/* The body of poll, compiled twice (below): with `observing` a constant false, the common
 * case, and once, out of line, with it true. */
static inline __attribute__((always_inline)) void
aa__future_poll_obs(aa_type type, uint64_t handle, UniffiRustFutureContinuationCallback callback,
                    uint64_t callback_data, bool observing)
{
    aa__slot *slot = aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_POLL);
    if (slot == NULL) {
        /* READY, so that the binding moves on to complete (which reports status 2) and never
         * waits forever on a handle that cannot wake it. */
        aa__ready_now(callback, callback_data, observing, type, handle, NULL);
        return;
    }
    aa_future *core = aa__slot_object(slot);
    const char *name = observing ? aa__core_name(core) : NULL;
    if (__builtin_expect(core->flags & AA__FUT_COMPLETED, 0)) {
        aa__poll_after_complete(core, slot, callback, callback_data, observing, type, handle,
                                name);
        return;
    }
    bool ready = (core->flags & AA__FUT_HAS_RESULT) || aa__scheduler_is_cancelled(&core->sched);
    if (!ready) {
        /* No lock is held here: the poll function may wake its own waker (-> Waked), take
         * producer locks, or call other futures' entry points. */
        aa_poll r = core->vtable->poll(core, core->state);
        if (r == AA_READY) {
            if (__builtin_expect(!(core->flags & AA__FUT_HAS_RESULT), 0)) {
                aa__ready_without_result(core);
            }
            aa__core_drop_state(core);
            ready = true;
        }
    }
    if (ready) {
        core->flags |= AA__FUT_READY_DELIVERED;
        aa__core_exit(core, slot, handle);
        aa__ready_now(callback, callback_data, observing, type, handle, name);
        return;
    }
    /* Pending. Leave the slot *before* the continuation is visible: once parked, a wake on
     * another thread may invoke it and the binding may poll again at once, which must not look
     * like a concurrent call. But take the scheduler's lock bit first and publish the parked
     * continuation with the unlock: until then no wake can invoke it, and a free that enters
     * the slot once we left waits for the bit (aa__core_free) instead of freeing the core
     * under us. After the unlock this call touches the core only to run a deferred free,
     * which it holds BUSY for. */
    aa__sched_state state = aa__sched_lock(&core->sched);
    bool must_free = aa__handle_exit_entered(slot, handle, AA__SLOT_BUSY);
    aa__continuation cont =
        aa__scheduler_store_locked(&core->sched, state, callback, callback_data);
    aa__continuation_invoke_obs(cont, observing, type, handle, name);
    if (must_free) {
        aa__core_free(core, slot);
    }
}

__attribute__((noinline)) static void aa__future_poll_observed(
    aa_type type, uint64_t handle, UniffiRustFutureContinuationCallback callback,
    uint64_t callback_data)
{
    aa__emit_enter(AA_OP_POLL, type, handle, callback_data, callback, NULL);
    aa__future_poll_obs(type, handle, callback, callback_data, true);
    aa__emit_at(AA_OP_POLL, AA_PHASE_LEAVE, type, handle, callback_data, 0, NULL);
}

void aa_future_poll(aa_type type, uint64_t handle, UniffiRustFutureContinuationCallback callback,
                    uint64_t callback_data)
{
    /* Read once: installing a hook while futures are in flight is outside the contract. */
    if (__builtin_expect(aa__observing(), 0)) {
        aa__future_poll_observed(type, handle, callback, callback_data);
        return;
    }
    aa__future_poll_obs(type, handle, callback, callback_data, false);
}

void aa_future_cancel(aa_type type, uint64_t handle)
{
    bool observing = aa__observing();
    if (observing) {
        aa__emit_at(AA_OP_CANCEL, AA_PHASE_ENTER, type, handle, 0, 0, NULL);
    }
    aa__slot *slot =
        aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_CANCELLING, AA_OP_CANCEL);
    if (slot != NULL) {
        aa_future *core = aa__slot_object(slot);
        const char *name = observing ? aa__core_name(core) : NULL;
        /* cancel may overlap a poll (Swift cancels from another task), so it touches only the
         * scheduler; the state is dropped by complete or free, never here. */
        aa__continuation cont = aa__scheduler_cancel(&core->sched);
        if (aa__handle_exit_entered(slot, handle, AA__SLOT_CANCELLING)) {
            aa__core_free(core, slot);
        }
        aa__continuation_invoke_obs(cont, observing, type, handle, name);
    }
    if (observing) {
        aa__emit_at(AA_OP_CANCEL, AA_PHASE_LEAVE, type, handle, 0, 0, NULL);
    }
}

/* Fills *out_status with code 2 and the misuse text (what complete returns on misuse). */
__attribute__((noinline, cold)) static void aa__status_misuse(RustCallStatus *out_status, aa_misuse_code code, uint64_t handle,
                              const char *detail)
{
    if (out_status == NULL) {
        return;
    }
    char text[256];
    aa__misuse_text(text, sizeof text, code, AA_OP_COMPLETE, handle, detail);
    out_status->code = UNIFFI_CALL_UNEXPECTED_ERROR;
    out_status->errorBuf = aa_buffer_from_bytes(text, strlen(text));
}

/* complete's leave event: the status it returned (the classic hook's "complete"). */
#define AA__EMIT_LEAVE_COMPLETE_(type, handle, code, name)                                     \
    do {                                                                                       \
        if (aa__observing()) {                                                                 \
            aa__emit_at(AA_OP_COMPLETE, AA_PHASE_LEAVE, (type), (handle), 0, (code), (name));  \
        }                                                                                      \
    } while (0)

/* complete on a handle that failed validation (already reported): status 2 with a text. */
__attribute__((noinline, cold)) static void aa__complete_rejected(aa_type type, uint64_t handle,
                                                                  RustCallStatus *out_status)
{
    if (out_status != NULL) {
        char text[160];
        snprintf(text, sizeof text,
                 "complete(0x%016llx): rejected: not a live %s future (misuse reported)",
                 (unsigned long long)handle, aa_type_name(type));
        out_status->code = UNIFFI_CALL_UNEXPECTED_ERROR;
        out_status->errorBuf = aa_buffer_from_bytes(text, strlen(text));
    }
    AA__EMIT_LEAVE_COMPLETE_(type, handle, UNIFFI_CALL_UNEXPECTED_ERROR, NULL);
}

/* The body of complete once the caller holds BUSY on `slot`, compiled twice (observing a
 * constant false or true). */
static inline __attribute__((always_inline)) aa_value
aa__complete_body(aa_future *core, aa__slot *slot, aa_type type, uint64_t handle,
                  RustCallStatus *out_status, bool observing)
{
    aa_value value;
    memset(&value, 0, sizeof value);
    const char *name = observing ? aa__core_name(core) : NULL;
    int8_t code;
    bool cancelled = aa__scheduler_is_cancelled(&core->sched);
    if (__builtin_expect(core->flags & AA__FUT_COMPLETED, 0)) {
        aa__misuse(AA_MISUSE_COMPLETE_TWICE, AA_OP_COMPLETE, handle,
                   "the result was already taken");
        aa__status_misuse(out_status, AA_MISUSE_COMPLETE_TWICE, handle,
                          "the result was already taken");
        code = UNIFFI_CALL_UNEXPECTED_ERROR;
        goto out;
    }
    if (__builtin_expect(!(core->flags & AA__FUT_READY_DELIVERED), 0) && !cancelled) {
        aa__misuse(AA_MISUSE_COMPLETE_BEFORE_READY, AA_OP_COMPLETE, handle,
                   "no poll has delivered READY yet");
        if (!(core->flags & AA__FUT_HAS_RESULT)) {
            /* Nothing to move out; the future stays usable for a correct poll loop. */
            aa__status_misuse(out_status, AA_MISUSE_COMPLETE_BEFORE_READY, handle,
                              "no poll has delivered READY yet");
            code = UNIFFI_CALL_UNEXPECTED_ERROR;
            goto out;
        }
    }
    if (core->flags & AA__FUT_HAS_RESULT) {
        code = core->status;
        if (code == UNIFFI_CALL_SUCCESS) {
            value = core->result;
        }
        if (out_status != NULL) {
            /* On success *out_status is left untouched, as uniffi-rs does: the binding
             * initialises it before every call (docs/abi.md), and the monitor checks that. */
            if (code != UNIFFI_CALL_SUCCESS) {
                out_status->code = code;
                out_status->errorBuf = core->result.rust_buffer;
            }
        } else if (code != UNIFFI_CALL_SUCCESS) {
            aa_buffer_free(core->result.rust_buffer);
        }
        core->flags &= (uint8_t)~AA__FUT_HAS_RESULT;
        memset(&core->result, 0, sizeof core->result);
    } else {
        /* Cancelled before any result: UniFFI's RustCallStatus::cancelled(). */
        code = UNIFFI_CALL_CANCELLED;
        if (out_status != NULL) {
            out_status->code = code;
            memset(&out_status->errorBuf, 0, sizeof out_status->errorBuf);
        }
    }
    core->flags |= AA__FUT_COMPLETED;
    /* UniFFI frees the inner future in complete: held resources go as early as possible. */
    aa__core_drop_state(core);
out:
    aa__core_exit(core, slot, handle);
    if (observing) {
        AA__EMIT_LEAVE_COMPLETE_(type, handle, code, name);
    }
    return value;
}

/* complete through the full path: validation that classifies a bad handle, then the body. */
__attribute__((noinline)) static aa_value
aa__future_complete_full(aa_type type, uint64_t handle, RustCallStatus *out_status, bool observing)
{
    aa__slot *slot =
        aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_COMPLETE);
    if (__builtin_expect(slot == NULL, 0)) {
        aa_value value;
        memset(&value, 0, sizeof value);
        aa__complete_rejected(type, handle, out_status);
        return value;
    }
    if (observing) {
        return aa__complete_body(aa__slot_object(slot), slot, type, handle, out_status, true);
    }
    return aa__complete_body(aa__slot_object(slot), slot, type, handle, out_status, false);
}

/* complete while observed: the enter event, then the full path (its body emits the leave).
 * Out of line, so that the fast path below keeps its short prologue. */
__attribute__((noinline)) static aa_value
aa__future_complete_observed(aa_type type, uint64_t handle, RustCallStatus *out_status)
{
    aa__emit_enter(AA_OP_COMPLETE, type, handle, 0, NULL, out_status);
    return aa__future_complete_full(type, handle, out_status, true);
}

/* complete's body for the fast path's uncommon cases (BUSY held, not observing). */
__attribute__((noinline)) static aa_value aa__complete_entered(aa_future *core, aa__slot *slot,
                                                               aa_type type, uint64_t handle,
                                                               RustCallStatus *out_status)
{
    return aa__complete_body(core, slot, type, handle, out_status, false);
}

aa_value aa_future_complete(aa_type type, uint64_t handle, RustCallStatus *out_status)
{
    if (__builtin_expect(aa__observing(), 0)) {
        return aa__future_complete_observed(type, handle, out_status);
    }
    aa__slot *slot =
        aa__handle_try_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_COMPLETE);
    if (__builtin_expect(slot != NULL, 1)) {
        aa_future *core = aa__slot_object(slot);
        uint8_t flags = core->flags;
        /* The common case: READY was delivered, a successful result waits, the state is
         * dropped. Everything else (and every misuse) takes the full body, which re-reads the
         * flags; it is the same checks in the same order, this only skips those that pass. */
        if (__builtin_expect((flags & (AA__FUT_COMPLETED | AA__FUT_READY_DELIVERED |
                                       AA__FUT_HAS_RESULT | AA__FUT_DROPPED)) ==
                                     (AA__FUT_READY_DELIVERED | AA__FUT_HAS_RESULT |
                                      AA__FUT_DROPPED) &&
                                 core->status == UNIFFI_CALL_SUCCESS,
                             1)) {
            /* On success *out_status is left untouched, as uniffi-rs does. */
            aa_value value = core->result;
            core->flags = (uint8_t)((flags & ~AA__FUT_HAS_RESULT) | AA__FUT_COMPLETED);
            aa__core_exit(core, slot, handle);
            return value;
        }
        return aa__complete_entered(core, slot, type, handle, out_status);
    }
    return aa__future_complete_full(type, handle, out_status, false);
}

/* free through the full path: validation that classifies a bad handle, BUSY, a deferred free
 * when another call is inside, and events when observing. */
__attribute__((noinline)) static void aa__future_free_full(aa_type type, uint64_t handle,
                                                           bool observing)
{
    if (observing) {
        aa__emit_at(AA_OP_FREE, AA_PHASE_ENTER, type, handle, 0, 0, NULL);
    }
    aa__slot *slot = aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_FREE);
    if (slot != NULL) {
        aa__core_free_obs(aa__slot_object(slot), slot, observing, false);
    }
    if (observing) {
        aa__emit_at(AA_OP_FREE, AA_PHASE_LEAVE, type, handle, 0, 0, NULL);
    }
}

void aa_future_free(aa_type type, uint64_t handle)
{
    bool observing = aa__observing();
    aa__slot *slot;
    if (__builtin_expect(!observing, 1) &&
        __builtin_expect((slot = aa__handle_try_retire_future(handle, type)) != NULL, 1)) {
        /* The handle is retired and no call was inside: the core is ours. The common case
         * (completed, no waker, idle scheduler) is a flag test and the slot's recycling. */
        aa_future *core = aa__slot_object(slot);
        if (__builtin_expect((core->flags & (AA__FUT_DROPPED | AA__FUT_HAS_RESULT)) ==
                                     AA__FUT_DROPPED &&
                                 aa__core_alone(core),
                             1)) {
            AA__POISON(core, sizeof *core);
            aa__handle_recycle_slot(aa__handle_index_of(handle), slot);
            return;
        }
        aa__core_free_retired(core, slot);
        return;
    }
    aa__future_free_full(type, handle, observing);
}
