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
#include "spin.h"

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

/* The transitions (all inline: they are the hot path of every lifecycle).
 *   store:  Empty -> Set; Set -> Set(new), returns old with WAKE; Waked -> Empty, returns new
 *           with WAKE; Cancelled -> returns new with READY.
 *   wake:   Set -> Empty, returns the stored one with WAKE; Empty -> Waked; otherwise nothing.
 *   cancel: Any -> Cancelled; returns the stored one (if any) with READY.
 *   is_cancelled: true once cancel() ran (Cancelled is sticky, so the answer never goes stale).
 * aa__sched_lock / aa__scheduler_store_locked split store in two, for a caller that must do
 * something between taking the lock and publishing the new state (future.c's pending poll). */
#define AA__SCHED_STATE_MASK 3u
#define AA__SCHED_LOCKED 4u

/* Takes the lock bit and returns the state it guarded. Acquire pairs with the release in
 * aa__sched_unlock: we see the callback and data the previous holder wrote. */
static inline aa__sched_state aa__sched_lock(aa__scheduler *s)
{
    unsigned spins = 0;
    uint32_t word = atomic_load_explicit(&s->word, memory_order_relaxed);
    for (;;) {
        if (!(word & AA__SCHED_LOCKED) &&
            atomic_compare_exchange_weak_explicit(&s->word, &word, word | AA__SCHED_LOCKED,
                                                  memory_order_acquire, memory_order_relaxed)) {
            return (aa__sched_state)(word & AA__SCHED_STATE_MASK);
        }
        if (word & AA__SCHED_LOCKED) {
            aa__cpu_relax(&spins);
            word = atomic_load_explicit(&s->word, memory_order_relaxed);
        }
    }
}

/* Publishes `state` and drops the lock bit in one release store. */
static inline void aa__sched_unlock(aa__scheduler *s, aa__sched_state state)
{
    atomic_store_explicit(&s->word, (uint32_t)state, memory_order_release);
}

static inline aa__continuation aa__none(void)
{
    return (aa__continuation){0, 0, 0};
}

/* The body of aa__scheduler_store for a caller that already holds the lock bit (taken with
 * aa__sched_lock, which returned `state`); releases it. */
static inline aa__continuation aa__scheduler_store_locked(aa__scheduler *s, aa__sched_state state,
                                                          UniffiRustFutureContinuationCallback cb,
                                                          uint64_t data)
{
    aa__continuation out = aa__none();
    switch (state) {
    case AA__SCHED_EMPTY:
        s->callback = cb;
        s->data = data;
        aa__sched_unlock(s, AA__SCHED_SET);
        break;
    case AA__SCHED_SET:
        /* Two polls without a wake between them: UniFFI wakes the old continuation so that
         * each poll still gets exactly one invocation. */
        out = (aa__continuation){s->callback, s->data, UNIFFI_RUST_FUTURE_POLL_WAKE};
        s->callback = cb;
        s->data = data;
        aa__sched_unlock(s, AA__SCHED_SET);
        break;
    case AA__SCHED_WAKED:
        out = (aa__continuation){cb, data, UNIFFI_RUST_FUTURE_POLL_WAKE};
        aa__sched_unlock(s, AA__SCHED_EMPTY);
        break;
    case AA__SCHED_CANCELLED:
        out = (aa__continuation){cb, data, UNIFFI_RUST_FUTURE_POLL_READY};
        aa__sched_unlock(s, AA__SCHED_CANCELLED);
        break;
    }
    return out;
}

static inline aa__continuation aa__scheduler_store(aa__scheduler *s,
                                                   UniffiRustFutureContinuationCallback cb,
                                                   uint64_t data)
{
    return aa__scheduler_store_locked(s, aa__sched_lock(s), cb, data);
}

static inline aa__continuation aa__scheduler_wake(aa__scheduler *s)
{
    unsigned spins = 0;
    uint32_t word = atomic_load_explicit(&s->word, memory_order_relaxed);
    for (;;) {
        if (word & AA__SCHED_LOCKED) {
            aa__cpu_relax(&spins);
            word = atomic_load_explicit(&s->word, memory_order_relaxed);
            continue;
        }
        switch ((aa__sched_state)(word & AA__SCHED_STATE_MASK)) {
        case AA__SCHED_EMPTY:
            /* Release: the producer's writes before the wake happen-before the poll that the
             * Waked state triggers (its store acquires this word). */
            if (atomic_compare_exchange_weak_explicit(&s->word, &word, AA__SCHED_WAKED,
                                                      memory_order_release,
                                                      memory_order_relaxed)) {
                return aa__none();
            }
            break;
        case AA__SCHED_SET:
            if (atomic_compare_exchange_weak_explicit(&s->word, &word,
                                                      AA__SCHED_SET | AA__SCHED_LOCKED,
                                                      memory_order_acquire,
                                                      memory_order_relaxed)) {
                aa__continuation out = {s->callback, s->data, UNIFFI_RUST_FUTURE_POLL_WAKE};
                aa__sched_unlock(s, AA__SCHED_EMPTY);
                return out;
            }
            break;
        case AA__SCHED_WAKED:
        case AA__SCHED_CANCELLED:
            /* Nothing to change, but a wake must still release the producer's writes to the
             * next poll (UniFFI gets that from its mutex): a release RMW joins the word's
             * release sequence, which the next store's acquire reads. */
            atomic_fetch_or_explicit(&s->word, 0, memory_order_release);
            return aa__none();
        }
    }
}

static inline aa__continuation aa__scheduler_cancel(aa__scheduler *s)
{
    aa__continuation out = aa__none();
    if (aa__sched_lock(s) == AA__SCHED_SET) {
        out = (aa__continuation){s->callback, s->data, UNIFFI_RUST_FUTURE_POLL_READY};
    }
    aa__sched_unlock(s, AA__SCHED_CANCELLED);
    return out;
}

static inline bool aa__scheduler_is_cancelled(aa__scheduler *s)
{
    /* Acquire pairs with the unlock in cancel. The locked bit does not matter: Cancelled is
     * only ever written together with an unlock, and never left. */
    uint32_t word = atomic_load_explicit(&s->word, memory_order_acquire);
    return (word & AA__SCHED_STATE_MASK) == AA__SCHED_CANCELLED;
}

#endif /* AA__SCHEDULER_H */
