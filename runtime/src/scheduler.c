/* scheduler.c: the continuation state machine; see scheduler.h for the contract. */
#include "scheduler.h"

#include "spin.h"

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

aa__continuation aa__scheduler_store(aa__scheduler *s, UniffiRustFutureContinuationCallback cb,
                                     uint64_t data)
{
    aa__continuation out = aa__none();
    switch (aa__sched_lock(s)) {
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

aa__continuation aa__scheduler_wake(aa__scheduler *s)
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

aa__continuation aa__scheduler_cancel(aa__scheduler *s)
{
    aa__continuation out = aa__none();
    if (aa__sched_lock(s) == AA__SCHED_SET) {
        out = (aa__continuation){s->callback, s->data, UNIFFI_RUST_FUTURE_POLL_READY};
    }
    aa__sched_unlock(s, AA__SCHED_CANCELLED);
    return out;
}

bool aa__scheduler_is_cancelled(aa__scheduler *s)
{
    /* Acquire pairs with the unlock in cancel. The locked bit does not matter: Cancelled is
     * only ever written together with an unlock, and never left. */
    uint32_t word = atomic_load_explicit(&s->word, memory_order_acquire);
    return (word & AA__SCHED_STATE_MASK) == AA__SCHED_CANCELLED;
}
