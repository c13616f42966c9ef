/* Lock wrappers: found by shape (one lock of a place under the first parameter) or by
 * AA_LOCK_FN / AA_UNLOCK_FN on a hand-rolled spin lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"

struct sched {
    pthread_mutex_t mu;
    atomic_uint word;
    UniffiRustFutureContinuationCallback cb;
    uint64_t data;
};

static void sched_lock(struct sched *s) { pthread_mutex_lock(&s->mu); }
static void sched_unlock(struct sched *s) { pthread_mutex_unlock(&s->mu); }

AA_LOCK_FN static void spin_lock(atomic_uint *word)
{
    unsigned expected = 0;
    while (!atomic_compare_exchange_weak(word, &expected, 1u)) {
        expected = 0;
    }
}
AA_UNLOCK_FN static void spin_unlock(atomic_uint *word) { atomic_store(word, 0u); }

void wake_with_wrapper(struct sched *s)
{
    sched_lock(s);
    s->cb(s->data, UNIFFI_RUST_FUTURE_POLL_WAKE); // expect: lock-callback-under-lock@5
    sched_unlock(s);
}

void wake_with_spin(struct sched *s)
{
    spin_lock(&s->word);
    s->cb(s->data, UNIFFI_RUST_FUTURE_POLL_READY); // expect: lock-callback-under-lock@5
    spin_unlock(&s->word);
}
