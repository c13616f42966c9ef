/* observe_internal.h: how the runtime reports events and misuse (see asyncabi/observe.h). */
#ifndef AA__OBSERVE_INTERNAL_H
#define AA__OBSERVE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/observe.h"

extern _Atomic(aa_event_hook) aa__event_hook;

/* The whole cost of observation when nobody observes: one relaxed load. Relaxed is enough
 * because installing a hook while futures are in flight is outside the contract. */
static inline bool aa__observing(void)
{
    return atomic_load_explicit(&aa__event_hook, memory_order_relaxed) != NULL;
}

/* Delivers one event to the hook, if one is installed and wants it (aa_set_event_hook's hook
 * sees only the classic points: observe.c), with its thread and sequence number filled in. */
void aa__emit_event(aa_event *event);

/* A point event, or the entry to / exit from a call, without pointer arguments. */
void aa__emit_at(aa_op op, aa_phase phase, aa_type type, uint64_t handle, uint64_t data,
                 int32_t code, const char *name);

/* A point event (the runtime's classic form). */
static inline void aa__emit_slow(aa_op op, aa_type type, uint64_t handle, uint64_t data,
                                 int32_t code, const char *name)
{
    aa__emit_at(op, AA_PHASE_POINT, type, handle, data, code, name);
}

/* The entry to a call that carries a callback or a status (poll, complete, rustbuffer_*). */
void aa__emit_enter(aa_op op, aa_type type, uint64_t handle, uint64_t data,
                    UniffiRustFutureContinuationCallback callback, const RustCallStatus *status);

#define AA__EMIT(op, type, handle, data, code, name)                                            \
    do {                                                                                       \
        if (aa__observing()) {                                                                 \
            aa__emit_slow((op), (type), (handle), (data), (code), (name));                     \
        }                                                                                      \
    } while (0)

/* Invokes callback(data, code) as continuation of `handle`, observed: the continuation event,
 * the dispatch hook (which may take it), the call, continuation-returned. Call with no lock
 * held, only while observing. */
void aa__continuation_invoke_observed(UniffiRustFutureContinuationCallback callback,
                                      uint64_t data, int8_t code, aa_type type, uint64_t handle,
                                      const char *name);

/* Reports a misuse through the hook; `fmt` describes it (the handle and op are prefixed). */
void aa__misuse(aa_misuse_code code, aa_op op, uint64_t handle, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats the same text into `out` for a status-2 message; returns `out`. */
const char *aa__misuse_text(char *out, size_t size, aa_misuse_code code, aa_op op,
                            uint64_t handle, const char *detail);

#endif /* AA__OBSERVE_INTERNAL_H */
