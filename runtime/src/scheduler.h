/* scheduler.h: where a future's continuation waits for a wake (UniFFI's Scheduler).
 *
 * States, as in uniffi_core/src/ffi/rustfuture/scheduler.rs:
 *   Empty      no continuation stored, no wake pending
 *   Set        a continuation (callback, data) is stored
 *   Waked      a wake arrived while nothing was stored: the next store invokes WAKE at once
 *   Cancelled  sticky: every stored or future continuation is invoked with READY
 *
 * Guarantees: each continuation is invoked exactly once, with its data; a wake is never lost;
 * and no continuation is ever invoked inside the scheduler's lock. That last rule is why every
 * operation *returns* the continuation to invoke instead of invoking it: the callback crosses
 * into a foreign runtime that may take its own lock (Python's GIL, Ruby's GVL, a JNI monitor)
 * while another thread holding that lock calls cancel or free, which need ours: invoking under
 * our lock would be an ABBA deadlock.
 *
 * The state and a lock bit share one 32-bit word. Transitions that do not touch the stored
 * continuation (Empty -> Waked, reading Cancelled) are a single CAS or load; the others hold
 * the lock bit for a few instructions.
 */
#ifndef AA__SCHEDULER_H
#define AA__SCHEDULER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/abi.h"

typedef enum aa__sched_state {
    AA__SCHED_EMPTY = 0,
    AA__SCHED_SET = 1,
    AA__SCHED_WAKED = 2,
    AA__SCHED_CANCELLED = 3
} aa__sched_state;

typedef struct aa__scheduler {
    _Atomic uint32_t word; /* aa__sched_state | AA__SCHED_LOCKED */
    UniffiRustFutureContinuationCallback callback; /* valid in Set; guarded by the lock bit */
    uint64_t data;                                 /* valid in Set; guarded by the lock bit */
} aa__scheduler;

/* A continuation to invoke once every lock is released; callback NULL means none. */
typedef struct aa__continuation {
    UniffiRustFutureContinuationCallback callback;
    uint64_t data;
    int8_t code;
} aa__continuation;

static inline void aa__scheduler_init(aa__scheduler *s)
{
    atomic_init(&s->word, AA__SCHED_EMPTY);
    s->callback = 0;
    s->data = 0;
}

/* Empty -> Set; Set -> Set(new), returns old with WAKE; Waked -> Empty, returns new with WAKE;
 * Cancelled -> returns new with READY. */
aa__continuation aa__scheduler_store(aa__scheduler *s, UniffiRustFutureContinuationCallback cb,
                                     uint64_t data);
/* Set -> Empty, returns the stored one with WAKE; Empty -> Waked; otherwise nothing. */
aa__continuation aa__scheduler_wake(aa__scheduler *s);
/* Any -> Cancelled; returns the stored one (if any) with READY. */
aa__continuation aa__scheduler_cancel(aa__scheduler *s);
/* True once cancel() ran (Cancelled is sticky, so the answer never goes stale). */
bool aa__scheduler_is_cancelled(aa__scheduler *s);

#endif /* AA__SCHEDULER_H */
