/* handle_table.c: a slab of slots addressed by handle, with a lock-free free list.
 *
 * Slots live in chunks of 4096 that are allocated on demand and never freed or moved, so a
 * slot address taken from any handle, even a stale one, is always safe to read. The free list
 * is a Treiber stack whose head carries a 32-bit tag against ABA; growing takes a mutex, which
 * is only touched once per 4096 allocations.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include "asyncabi/object.h"
#include "handle_table.h"
#include "observe_internal.h"

/* dir[k] is published with release once chunk k is initialised; readers load with acquire. */
_Atomic(aa__slot *) aa__dir[AA__DIR_SIZE];
static unsigned aa__chunks;                  /* guarded by aa__grow_lock */
static pthread_mutex_t aa__grow_lock = PTHREAD_MUTEX_INITIALIZER;
/* Free list head: tag in bits 63..32, (index + 1) in bits 31..0, 0 meaning empty. */
static _Atomic uint64_t aa__free_head;

/* Set before the first chunk exists (aa_set_library_namespace, under aa__grow_lock), read
 * only afterwards: the first chunk's publication (release, acquire) orders it for readers. */
uint32_t aa__gen_seed = 1;
_Atomic bool aa__gen_wrapped;

void aa__gen_note_wrap(void)
{
    atomic_store_explicit(&aa__gen_wrapped, true, memory_order_relaxed);
}

bool aa_set_library_namespace(const char *ns)
{
    if (ns == NULL) {
        return false;
    }
    /* FNV-1a, folded into the lower half of the generations, so that a slot needs 2^23
     * retirements before it wraps (and its window of issued generations stops meaning
     * anything, aa__gen_wrapped). Never 0: generation 0 is never issued. */
    uint64_t h = 1469598103934665603ull;
    for (const char *p = ns; *p; p++) {
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    }
    uint32_t seed = (uint32_t)((h ^ (h >> 24) ^ (h >> 48)) & ((1u << (AA__GEN_BITS - 1)) - 1));
    if (seed == 0) {
        seed = 1;
    }
    pthread_mutex_lock(&aa__grow_lock);
    bool ok = aa__chunks == 0 || aa__gen_seed == seed;
    if (ok) {
        aa__gen_seed = seed;
    }
    pthread_mutex_unlock(&aa__grow_lock);
    return ok;
}

static inline aa__slot *aa__slot_at(uint32_t index)
{
    aa__slot *chunk =
        atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
    return chunk == NULL ? NULL : &chunk[index & (AA__CHUNK_SLOTS - 1)];
}

/* The slot index and generation a handle names (the layout is in handle_table.h). */
static inline uint32_t aa__handle_index(uint64_t handle)
{
    return (uint32_t)(handle >> AA__INDEX_SHIFT) & AA__INDEX_MASK;
}

static inline uint32_t aa__handle_gen(uint64_t handle)
{
    return (uint32_t)(handle >> AA__GEN_SHIFT) & AA__GEN_MASK;
}

/* A slot word's generation sits where the handle's does (the word holds the handle's key). */
static inline uint32_t aa__word_gen(uint64_t word)
{
    return (uint32_t)(word >> AA__GEN_SHIFT) & AA__GEN_MASK;
}

/* Pushes the chain first..last (already linked through value) onto the free list. The release
 * CAS makes the links and the slots' retired words visible to whoever pops them. */
static void aa__free_push(uint32_t first, aa__slot *last)
{
    uint64_t head = atomic_load_explicit(&aa__free_head, memory_order_relaxed);
    uint64_t next;
    do {
        atomic_store_explicit(&last->value, (uintptr_t)(uint32_t)head, memory_order_relaxed);
        next = ((head >> 32) + 1) << 32 | (uint64_t)(first + 1);
    } while (!atomic_compare_exchange_weak_explicit(&aa__free_head, &head, next,
                                                    memory_order_release, memory_order_relaxed));
}

/* Adds one chunk to the table; false when the table is full or memory is exhausted. */
static bool aa__grow(void)
{
    bool ok = true;
    pthread_mutex_lock(&aa__grow_lock);
    /* Another thread may have grown the table while we waited for the lock. */
    if ((uint32_t)atomic_load_explicit(&aa__free_head, memory_order_relaxed) != 0) {
        goto out;
    }
    if (aa__chunks == AA__DIR_SIZE) {
        ok = false;
        goto out;
    }
    /* The slots, then each slot's payload: one allocation, never freed or moved. */
    aa__slot *chunk = calloc(AA__CHUNK_SLOTS, sizeof *chunk + AA__PAYLOAD_SIZE);
    if (chunk == NULL) {
        ok = false;
        goto out;
    }
    uint32_t base = aa__chunks * AA__CHUNK_SLOTS;
    for (uint32_t i = 0; i < AA__CHUNK_SLOTS; i++) {
        /* The library's seed (1 without a namespace): generation 0 is never issued. */
        atomic_init(&chunk[i].word, (uint64_t)aa__gen_seed << AA__GEN_SHIFT);
        atomic_init(&chunk[i].value, (uintptr_t)(base + i + 2));
    }
    AA__POISON(chunk + AA__CHUNK_SLOTS, (size_t)AA__CHUNK_SLOTS * AA__PAYLOAD_SIZE);
    atomic_store_explicit(&aa__dir[aa__chunks], chunk, memory_order_release);
    aa__chunks++;
    aa__free_push(base, &chunk[AA__CHUNK_SLOTS - 1]);
out:
    pthread_mutex_unlock(&aa__grow_lock);
    return ok;
}

static bool aa__free_pop(uint32_t *index)
{
    for (;;) {
        /* Acquire pairs with the release of the push that put this slot on the list. */
        uint64_t head = atomic_load_explicit(&aa__free_head, memory_order_acquire);
        while ((uint32_t)head != 0) {
            uint32_t top = (uint32_t)head - 1;
            /* May read a slot that another thread just popped: the tag makes our CAS fail. */
            uint32_t link = (uint32_t)atomic_load_explicit(&aa__slot_known(top)->value,
                                                           memory_order_relaxed);
            uint64_t next = ((head >> 32) + 1) << 32 | link;
            if (atomic_compare_exchange_weak_explicit(&aa__free_head, &head, next,
                                                      memory_order_acquire,
                                                      memory_order_acquire)) {
                *index = top;
                return true;
            }
        }
        if (!aa__grow()) {
            return false;
        }
    }
}

/* --- Each thread's cache of free slots ---
 * A thread that frees a handle keeps its slot for its own next alloc, linked through the
 * slots' value fields like the shared list: the common alloc and free touch no shared word.
 * The cache is bounded; beyond it, and when the thread exits, slots go to the shared list. */
_Thread_local aa__slot_cache aa__cache;

/* At thread exit: the cached chain goes to the shared list in one push. */
static void aa__cache_flush(void *unused)
{
    (void)unused;
    if (aa__cache.count == 0) {
        return;
    }
    uint32_t first = aa__cache.head - 1;
    aa__slot *last = aa__slot_known(first);
    for (uint32_t i = 1; i < aa__cache.count; i++) {
        last = aa__slot_known((uint32_t)atomic_load_explicit(&last->value,
                                                             memory_order_relaxed) - 1);
    }
    aa__cache.head = 0;
    aa__cache.count = 0;
    aa__free_push(first, last);
}

/* The flush must run at thread exit, and this code may be in a library that is unloaded while
 * threads that used it live on (ruby-ffi closes its libraries at interpreter exit, before the
 * VM's cached threads end). glibc's __cxa_thread_atexit_impl, the mechanism of C++ (and Rust)
 * thread-local destructors, keeps the library mapped until every such destructor has run; a
 * pthread key's destructor would be called at an unmapped address. Without it (not glibc),
 * the key is deleted when the library is unloaded, and the threads' caches are abandoned. */
extern void *__dso_handle;
extern int __cxa_thread_atexit_impl(void (*dtor)(void *), void *obj, void *dso)
    __attribute__((weak));
static pthread_key_t aa__cache_key;
static pthread_once_t aa__cache_once = PTHREAD_ONCE_INIT;
static bool aa__cache_key_ok;

static void aa__cache_key_init(void)
{
    aa__cache_key_ok = pthread_key_create(&aa__cache_key, aa__cache_flush) == 0;
}

__attribute__((destructor)) static void aa__cache_key_unload(void)
{
    if (aa__cache_key_ok) {
        aa__cache_key_ok = false;
        pthread_key_delete(aa__cache_key);
    }
}

/* Arms the flush for this thread; false if it cannot be (then the thread caches nothing). */
__attribute__((noinline)) static bool aa__cache_register(void)
{
    if (__cxa_thread_atexit_impl != NULL) {
        if (__cxa_thread_atexit_impl(aa__cache_flush, NULL, &__dso_handle) != 0) {
            return false;
        }
    } else {
        pthread_once(&aa__cache_once, aa__cache_key_init);
        if (!aa__cache_key_ok || pthread_setspecific(aa__cache_key, (void *)1) != 0) {
            return false;
        }
    }
    aa__cache.registered = true;
    return true;
}

void aa__slot_release_slow(uint32_t index, aa__slot *slot)
{
    if (aa__cache.count < AA__CACHE_MAX && (aa__cache.registered || aa__cache_register())) {
        atomic_store_explicit(&slot->value, (uintptr_t)aa__cache.head, memory_order_relaxed);
        aa__cache.head = index + 1;
        aa__cache.count++;
        return;
    }
    aa__free_push(index, slot);
}

bool aa__slot_take_slow(uint32_t *index)
{
    return aa__free_pop(index);
}


uint64_t aa__handle_alloc(aa__kind kind, aa_type type, void *object)
{
    uint32_t index;
    if (!aa__handle_reserve(&index)) {
        return 0;
    }
    return aa__handle_publish(index, kind, type, object);
}

static const char *aa__kind_name(aa__kind kind)
{
    switch (kind) {
    case AA__KIND_FUTURE:
        return "rust future";
    case AA__KIND_TIMER:
        return "timer";
    case AA__KIND_OBJECT:
        return "object";
    default:
        return "foreign call";
    }
}

bool aa__gen_is_stale(uint32_t gen, uint64_t word)
{
    uint32_t slot_gen = aa__word_gen(word);
    uint32_t behind = (slot_gen - gen) & AA__GEN_MASK;
    if (behind == 0 || behind >= (1u << (AA__GEN_BITS - 1))) {
        return false;
    }
    /* Issued by this slot since its first generation, the library's seed: ours, retired.
     * Outside that window it is another library's handle (R51), or forged. */
    return atomic_load_explicit(&aa__gen_wrapped, memory_order_relaxed) ||
           ((gen - aa__gen_seed) & AA__GEN_MASK) < ((slot_gen - aa__gen_seed) & AA__GEN_MASK);
}

/* A foreign completion with a bad complete_data has codes of its own in observe.h. A call's
 * slot is retired only after its first completion (foreign_call.c), so a completion that finds
 * it retired is a second one. */
static aa_misuse_code aa__bad_handle_code(aa__kind kind, aa_misuse_code code)
{
    if (kind != AA__KIND_FOREIGN_CALL) {
        return code;
    }
    return code == AA_MISUSE_STALE_HANDLE ? AA_MISUSE_FOREIGN_COMPLETE_TWICE
                                          : AA_MISUSE_FOREIGN_COMPLETE_STALE;
}

/* Classifies and reports a handle that failed validation. Out of line and cold, so that the
 * valid path of every ABI call stays a few loads, compares and one CAS. */
__attribute__((noinline, cold)) static void aa__handle_reject(uint64_t handle, aa__kind kind,
                                                              aa_type type, aa_op op)
{
    if ((handle >> 58) != AA__MAGIC || ((handle >> 56) & 3) != (uint64_t)kind) {
        aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_INVALID_HANDLE), op, handle,
                   "not a %s handle issued by this runtime", aa__kind_name(kind));
        return;
    }
    if (handle & 1) {
        aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_INVALID_HANDLE), op, handle,
                   "an odd handle is made by the foreign side, never by this runtime");
        return;
    }
    uint32_t gen = aa__handle_gen(handle);
    aa__slot *slot = aa__slot_at(aa__handle_index(handle));
    if (slot == NULL || gen == 0) {
        aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_INVALID_HANDLE), op, handle,
                   "no such %s was ever created", aa__kind_name(kind));
        return;
    }
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
    uint32_t slot_gen = aa__word_gen(word);
    if (slot_gen == gen && (word & AA__SLOT_LIVE) &&
        (word & AA__KEY_MASK) != (handle & AA__KEY_MASK)) {
        /* The right generation with another kind or family: forged, never issued. */
        aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_INVALID_HANDLE), op, handle,
                   "no such %s was ever created", aa__kind_name(kind));
        return;
    }
    if (slot_gen != gen || !(word & AA__SLOT_LIVE)) {
        /* A generation behind the slot's was issued and retired: use after free. */
        if (aa__gen_is_stale(gen, word)) {
            aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_STALE_HANDLE), op, handle,
                       "the %s was already released", aa__kind_name(kind));
        } else {
            aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_INVALID_HANDLE), op, handle,
                       "no such %s was ever created by this library", aa__kind_name(kind));
        }
        return;
    }
    if (kind == AA__KIND_FUTURE && aa__handle_family(handle) != type) {
        aa__misuse(AA_MISUSE_WRONG_FAMILY, op, handle,
                   "called the %s function on a future of family %s", aa_type_name(type),
                   aa_type_name(aa__handle_family(handle)));
        return;
    }
    /* Valid a moment ago and retired since (a call racing a free): still a stale handle. */
    aa__misuse(aa__bad_handle_code(kind, AA_MISUSE_STALE_HANDLE), op, handle,
               "the %s is being released by a concurrent call", aa__kind_name(kind));
}

aa__slot *aa__handle_enter_slow(uint64_t handle, aa__kind kind, aa_type type, uint32_t bit,
                                aa_op op)
{
    uint32_t gen = aa__handle_gen(handle);
    aa__slot *slot = NULL;
    if ((handle >> 56) == ((uint64_t)AA__MAGIC << 2 | (uint64_t)kind) && gen != 0 &&
        !(handle & 1) &&
        (kind != AA__KIND_FUTURE || aa__handle_family(handle) == type)) {
        slot = aa__slot_at(aa__handle_index(handle));
    }
    if (slot == NULL) {
        aa__handle_reject(handle, kind, type, op);
        return NULL;
    }
    /* Acquire pairs with the release that published the slot (alloc) or retired it, and with
     * the previous call's exit: we see everything it did to the object. */
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
    uint64_t expect = (handle & AA__KEY_MASK) | AA__SLOT_LIVE;
    for (;;) {
        if ((word & ~(uint64_t)(AA__SLOT_BUSY | AA__SLOT_CANCELLING)) != expect) {
            /* Wrong generation, not live, or a free already pending. */
            aa__handle_reject(handle, kind, type, op);
            return NULL;
        }
        bool is_free = op == AA_OP_FREE;
        uint64_t conflict = is_free ? (AA__SLOT_BUSY | AA__SLOT_CANCELLING) : bit;
        if (word & conflict) {
            if (is_free) {
                /* Never lose a free: the call inside runs it when it leaves. */
                if (!atomic_compare_exchange_weak_explicit(&slot->word, &word,
                                                           word | AA__SLOT_FREE_PENDING,
                                                           memory_order_acq_rel,
                                                           memory_order_acquire)) {
                    continue;
                }
            }
            aa__misuse(AA_MISUSE_CONCURRENT_CALL, op, handle,
                       "another call on this %s is still running%s", aa__kind_name(kind),
                       is_free ? " (the free is deferred to it)" : "");
            return NULL;
        }
        if (atomic_compare_exchange_weak_explicit(&slot->word, &word, word | bit,
                                                  memory_order_acquire, memory_order_acquire)) {
            return slot;
        }
    }
}

bool aa__handle_exit_slow(aa__slot *slot, uint32_t bit)
{
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_relaxed);
    uint64_t next;
    bool take;
    do {
        next = word & ~(uint64_t)bit;
        take = (next & AA__SLOT_FREE_PENDING) && !(next & (AA__SLOT_BUSY | AA__SLOT_CANCELLING));
        if (take) {
            next = (next & ~(uint64_t)AA__SLOT_FREE_PENDING) | AA__SLOT_BUSY;
        }
        /* Release: the next call that enters sees what this one did (acq_rel when we take a
         * deferred free, to see what the other call did too). */
    } while (!atomic_compare_exchange_weak_explicit(&slot->word, &word, next,
                                                    memory_order_acq_rel, memory_order_relaxed));
    return take;
}


void aa__handle_retire(aa__slot *slot, uint64_t handle)
{
    aa__handle_retire_keep(slot);
    aa__handle_recycle(handle);
}

bool aa__handle_retire_or_defer(aa__slot *slot, uint64_t handle)
{
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
    for (;;) {
        if (word & AA__SLOT_BUSY) {
            /* acq_rel: the holder's exit acquires this and sees our last writes to the
             * object. */
            if (atomic_compare_exchange_weak_explicit(&slot->word, &word,
                                                      word | AA__SLOT_FREE_PENDING,
                                                      memory_order_acq_rel,
                                                      memory_order_acquire)) {
                return false;
            }
            continue;
        }
        /* Retire in the CAS that saw no call inside: a call that entered after our load (a
         * second foreign completion) would otherwise be left inside a retired slot whose
         * object the caller then frees. acq_rel: we see what the last call did to the
         * object, and a later call that finds the slot retired sees our last writes. */
        if (atomic_compare_exchange_weak_explicit(&slot->word, &word, aa__word_retired(word),
                                                  memory_order_acq_rel,
                                                  memory_order_acquire)) {
            aa__handle_recycle(handle);
            return true;
        }
    }
}

void *aa__handle_lookup(uint64_t handle, aa__kind kind)
{
    if ((handle >> 58) != AA__MAGIC || ((handle >> 56) & 3) != (uint64_t)kind || (handle & 1)) {
        return NULL;
    }
    aa__slot *slot = aa__slot_at(aa__handle_index(handle));
    if (slot == NULL) {
        return NULL;
    }
    /* Acquire pairs with alloc's release (the caller's mutex orders it too; this keeps the
     * function correct on its own). */
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
    if (!(word & AA__SLOT_LIVE) || (word & AA__KEY_MASK) != (handle & AA__KEY_MASK)) {
        return NULL;
    }
    return aa__slot_object(slot);
}

uint64_t aa__handle_each_live(aa__kind kind, void (*fn)(uint64_t handle, uint64_t word, void *ctx),
                              void *ctx)
{
    uint64_t live = 0;
    for (uint32_t k = 0; k < AA__DIR_SIZE; k++) {
        aa__slot *chunk = atomic_load_explicit(&aa__dir[k], memory_order_acquire);
        if (chunk == NULL) {
            break; /* chunks are published in order */
        }
        for (uint32_t i = 0; i < AA__CHUNK_SLOTS; i++) {
            uint64_t word = atomic_load_explicit(&chunk[i].word, memory_order_acquire);
            if ((word & AA__SLOT_LIVE) && ((word >> 56) & 3) == (uint64_t)kind) {
                live++;
                if (fn != NULL) {
                    uint32_t index = k * AA__CHUNK_SLOTS + i;
                    fn((word & AA__KEY_MASK) | (uint64_t)index << AA__INDEX_SHIFT, word, ctx);
                }
            }
        }
    }
    return live;
}
