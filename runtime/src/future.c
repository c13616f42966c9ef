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

/* Relaxed everywhere: a statistic, read by leak checks after every thread was joined (the
 * join orders it). */
static _Atomic uint64_t aa__futures_live;

uint64_t aa_future_live_count(void)
{
    return atomic_load_explicit(&aa__futures_live, memory_order_relaxed);
}

static aa_future *aa__core_new(aa_type type, const aa_future_vtable *vtable, void *state)
{
    aa_future *core = malloc(sizeof *core);
    if (core == NULL) {
        return NULL;
    }
    aa__scheduler_init(&core->sched);
    atomic_init(&core->refs, 1);
    core->type = (uint8_t)type;
    core->status = UNIFFI_CALL_SUCCESS;
    core->flags = 0;
    core->vtable = vtable;
    core->state = state;
    core->handle = 0;
    memset(&core->result, 0, sizeof core->result);
    return core;
}

static const char *aa__core_name(const aa_future *core)
{
    return core->vtable ? core->vtable->name : NULL;
}

static uint64_t aa__core_publish(aa_future *core)
{
    uint64_t handle = aa__handle_alloc(AA__KIND_FUTURE, (aa_type)core->type, core);
    if (handle == 0) {
        free(core);
        return 0;
    }
    /* Written before the handle is returned to anyone; never written again. */
    core->handle = handle;
    atomic_fetch_add_explicit(&aa__futures_live, 1, memory_order_relaxed);
    AA__EMIT(AA_OP_FUTURE_NEW, (aa_type)core->type, handle, 0, 0, aa__core_name(core));
    return handle;
}

uint64_t aa_future_new(aa_type type, const aa_future_vtable *vtable, void *state)
{
    if ((unsigned)type >= AA_TYPE_COUNT_ || vtable == NULL || vtable->poll == NULL) {
        return 0;
    }
    aa_future *core = aa__core_new(type, vtable, state);
    if (core == NULL) {
        return 0;
    }
    return aa__core_publish(core);
}

uint64_t aa_future_new_ready(aa_type type, aa_value value)
{
    if ((unsigned)type >= AA_TYPE_COUNT_) {
        return 0;
    }
    aa_future *core = aa__core_new(type, NULL, NULL);
    if (core == NULL) {
        return 0;
    }
    if (type != AA_TYPE_VOID) {
        core->result = value;
    }
    core->flags = AA__FUT_HAS_RESULT | AA__FUT_DROPPED;
    return aa__core_publish(core);
}

/* --- Producer side --- */

/* Frees an outcome that will never be consumed (a replaced or abandoned one). */
static void aa__core_discard_result(aa_future *core)
{
    if (!(core->flags & AA__FUT_HAS_RESULT)) {
        return;
    }
    if (core->status != UNIFFI_CALL_SUCCESS || core->type == AA_TYPE_RUST_BUFFER) {
        aa_buffer_free(core->result.rust_buffer);
    }
    memset(&core->result, 0, sizeof core->result);
    core->flags &= (uint8_t)~AA__FUT_HAS_RESULT;
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
    if (future->type == AA_TYPE_VOID) {
        memset(&value, 0, sizeof value);
    }
    aa__core_set_result(future, UNIFFI_CALL_SUCCESS, value);
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

/* The body of free, for a caller that holds BUSY: cancel the scheduler, drop everything,
 * retire the handle, then invoke the parked continuation and release the handle's ref. */
static void aa__core_free(aa_future *core, aa__slot *slot)
{
    uint64_t handle = core->handle;
    aa_type type = (aa_type)core->type;
    const char *name = aa__core_name(core);
    aa__continuation cont = aa__scheduler_cancel(&core->sched);
    aa__core_drop_state(core);
    aa__core_discard_result(core);
    aa__handle_retire(slot, handle);
    atomic_fetch_sub_explicit(&aa__futures_live, 1, memory_order_relaxed);
    /* The handle is retired: a callback that calls back into it gets a stale-handle report,
     * never the core. The core itself is still ours until the release below. */
    aa__continuation_invoke(cont, type, handle, name);
    aa__core_release(core);
}

/* Leaves the slot; runs a free that a concurrent (misusing) call deferred to us. */
static void aa__core_exit(aa_future *core, aa__slot *slot)
{
    if (aa__handle_exit(slot, AA__SLOT_BUSY)) {
        aa__core_free(core, slot);
    }
}

static void aa__ready_now(UniffiRustFutureContinuationCallback cb, uint64_t data, aa_type type,
                          uint64_t handle, const char *name)
{
    aa__continuation cont = {cb, data, UNIFFI_RUST_FUTURE_POLL_READY};
    aa__continuation_invoke(cont, type, handle, name);
}

/* --- The ABI entry points --- */

void aa_future_poll(aa_type type, uint64_t handle, UniffiRustFutureContinuationCallback callback,
                    uint64_t callback_data)
{
    AA__EMIT(AA_OP_POLL, type, handle, callback_data, 0, NULL);
    aa__slot *slot = aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_POLL);
    if (slot == NULL) {
        /* READY, so that the binding moves on to complete (which reports status 2) and never
         * waits forever on a handle that cannot wake it. */
        aa__ready_now(callback, callback_data, type, handle, NULL);
        return;
    }
    aa_future *core = aa__slot_object(slot);
    const char *name = aa__core_name(core);
    if (core->flags & AA__FUT_COMPLETED) {
        aa__misuse(AA_MISUSE_POLL_AFTER_COMPLETE, AA_OP_POLL, handle,
                   "the future's result was already taken by complete");
        aa__core_exit(core, slot);
        aa__ready_now(callback, callback_data, type, handle, name);
        return;
    }
    bool ready = (core->flags & AA__FUT_HAS_RESULT) || aa__scheduler_is_cancelled(&core->sched);
    if (!ready) {
        /* No lock is held here: the poll function may wake its own waker (-> Waked), take
         * producer locks, or call other futures' entry points. */
        aa_poll r = core->vtable->poll(core, core->state);
        if (r == AA_READY) {
            if (!(core->flags & AA__FUT_HAS_RESULT)) {
                aa_future_return_unexpected(core, "poll function returned READY without a result");
            }
            aa__core_drop_state(core);
            ready = true;
        }
    }
    if (ready) {
        core->flags |= AA__FUT_READY_DELIVERED;
        aa__core_exit(core, slot);
        aa__ready_now(callback, callback_data, type, handle, name);
        return;
    }
    /* Pending. Leave the slot *before* parking the continuation: once parked, a wake on another
     * thread may invoke it and the binding may poll again at once, which must not look like a
     * concurrent call. Our own reference keeps the core alive until we are done with it
     * (relaxed: taken while BUSY, so the handle's reference already keeps the core alive). */
    atomic_fetch_add_explicit(&core->refs, 1, memory_order_relaxed);
    bool must_free = aa__handle_exit(slot, AA__SLOT_BUSY);
    aa__continuation cont = aa__scheduler_store(&core->sched, callback, callback_data);
    aa__continuation_invoke(cont, type, handle, name);
    if (must_free) {
        aa__core_free(core, slot);
    }
    aa__core_release(core);
}

void aa_future_cancel(aa_type type, uint64_t handle)
{
    AA__EMIT(AA_OP_CANCEL, type, handle, 0, 0, NULL);
    aa__slot *slot =
        aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_CANCELLING, AA_OP_CANCEL);
    if (slot == NULL) {
        return;
    }
    aa_future *core = aa__slot_object(slot);
    const char *name = aa__core_name(core);
    /* cancel may overlap a poll (Swift cancels from another task), so it touches only the
     * scheduler; the state is dropped by complete or free, never here. */
    aa__continuation cont = aa__scheduler_cancel(&core->sched);
    if (aa__handle_exit(slot, AA__SLOT_CANCELLING)) {
        aa__core_free(core, slot);
    }
    aa__continuation_invoke(cont, type, handle, name);
}

/* Fills *out_status with code 2 and the misuse text (what complete returns on misuse). */
static void aa__status_misuse(RustCallStatus *out_status, aa_misuse_code code, uint64_t handle,
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

aa_value aa_future_complete(aa_type type, uint64_t handle, RustCallStatus *out_status)
{
    aa_value value;
    memset(&value, 0, sizeof value);
    aa__slot *slot =
        aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_COMPLETE);
    if (slot == NULL) {
        if (out_status != NULL) {
            char text[160];
            snprintf(text, sizeof text,
                     "complete(0x%016llx): rejected: not a live %s future (misuse reported)",
                     (unsigned long long)handle, aa_type_name(type));
            out_status->code = UNIFFI_CALL_UNEXPECTED_ERROR;
            out_status->errorBuf = aa_buffer_from_bytes(text, strlen(text));
        }
        AA__EMIT(AA_OP_COMPLETE, type, handle, 0, UNIFFI_CALL_UNEXPECTED_ERROR, NULL);
        return value;
    }
    aa_future *core = aa__slot_object(slot);
    const char *name = aa__core_name(core);
    int8_t code;
    bool cancelled = aa__scheduler_is_cancelled(&core->sched);
    if (core->flags & AA__FUT_COMPLETED) {
        aa__misuse(AA_MISUSE_COMPLETE_TWICE, AA_OP_COMPLETE, handle,
                   "the result was already taken");
        aa__status_misuse(out_status, AA_MISUSE_COMPLETE_TWICE, handle,
                          "the result was already taken");
        code = UNIFFI_CALL_UNEXPECTED_ERROR;
        goto out;
    }
    if (!(core->flags & AA__FUT_READY_DELIVERED) && !cancelled) {
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
    aa__core_exit(core, slot);
    AA__EMIT(AA_OP_COMPLETE, type, handle, 0, code, name);
    return value;
}

void aa_future_free(aa_type type, uint64_t handle)
{
    AA__EMIT(AA_OP_FREE, type, handle, 0, 0, NULL);
    aa__slot *slot = aa__handle_enter(handle, AA__KIND_FUTURE, type, AA__SLOT_BUSY, AA_OP_FREE);
    if (slot == NULL) {
        return;
    }
    aa__core_free(aa__slot_object(slot), slot);
}
