/* handle_table.h: the u64 handles the binding holds, and the slots behind them.
 *
 * A handle is never a pointer, so a stale, forged or mistyped handle is detected instead of
 * dereferenced. Layout (most significant bit first):
 *
 *   63..58  magic 0b101010      a value this runtime never issued fails here (and 0 always does)
 *   57..56  kind                rust future, foreign call, timer or object
 *   55..52  family              the aa_type the handle was created for (an object: its
 *                               class number, 1..15, object.c)
 *   51..28  generation          bumped every time the slot is retired (never 0); every slot
 *                               of a library starts at its seed, a hash of the library's
 *                               namespace (aa_set_library_namespace), so that another
 *                               library's handle is not taken for one of this library's
 *   27..1   slot index          into a slab of chunks that never move
 *   0       parity, always 0    UniFFI 0.30+: handles the producer issues are even, those the
 *                               foreign side issues are odd; an odd handle is rejected
 *
 * Each slot holds one atomic word: the key of its current handle (bits 63..28 of the handle:
 * magic, kind, family, generation), LIVE, for an object its reference count (bits 27..5),
 * and for the other kinds the "an ABI call is inside" bits that detect
 * concurrent calls on one handle with a single CAS, without ever blocking. So the common case
 * of an entry point is: one compare of the handle's top bits with the entry point's kind and
 * family, one load of the slot's chunk, one CAS from the word the handle implies (live, no
 * call inside) to enter and one CAS from the known word to leave, all inlined
 * (aa__handle_try_enter / aa__handle_exit_entered below; a future's free retires the slot with
 * its one CAS, aa__handle_try_retire_future); everything else (classifying a bad handle, a
 * concurrent call, a deferred free) is out of line in handle_table.c and re-checks from
 * scratch.
 */
#ifndef AA__HANDLE_TABLE_H
#define AA__HANDLE_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/observe.h"
#include "asyncabi/types.h"

typedef enum aa__kind {
    AA__KIND_FUTURE = 0,
    AA__KIND_FOREIGN_CALL = 1, /* its handle is the complete_data given to the binding */
    AA__KIND_TIMER = 2,        /* its handle is the timer id */
    AA__KIND_OBJECT = 3        /* a reference-counted object (object.c); no call bits */
} aa__kind;

/* The handle layout above (handle_table.c encodes and decodes it; tests pin it down). */
#define AA__MAGIC 0x2Au
#define AA__INDEX_SHIFT 1
#define AA__INDEX_BITS 27
#define AA__INDEX_MASK ((1u << AA__INDEX_BITS) - 1)
#define AA__GEN_SHIFT 28
#define AA__GEN_BITS 24
#define AA__GEN_MASK ((1u << AA__GEN_BITS) - 1)

#define AA__KEY_MASK (~(((uint64_t)1 << AA__GEN_SHIFT) - 1)) /* magic, kind, family, gen */
#define AA__CHUNK_BITS 12
#define AA__CHUNK_SLOTS (1u << AA__CHUNK_BITS)
#define AA__DIR_SIZE (1u << (AA__INDEX_BITS - AA__CHUNK_BITS))
/* Under AddressSanitizer a payload is poisoned while its slot is free, so that a use of a
 * recycled future core is still reported as a use after free. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define AA__POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define AA__UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define AA__POISON(p, n) ((void)(p), (void)(n))
#define AA__UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* An object slot's reference count, in the word's bits 27..5 (object.c). */
#define AA__REFS_SHIFT 5
#define AA__REFS_MAX ((1u << (AA__GEN_SHIFT - AA__REFS_SHIFT)) - 1)

/* This library's first generation (handle_table.c): 1, or a hash of its namespace. A slot
 * issues seed, seed + 1, ...; a handle whose generation this library's slot has not issued
 * yet is another library's (or forged), not a stale one of ours. aa__gen_wrapped is set once
 * any slot ran through all generations and started again at 1: from then on that window means
 * nothing, and a generation behind the slot's is taken as stale. */
extern uint32_t aa__gen_seed;
extern _Atomic bool aa__gen_wrapped;
void aa__gen_note_wrap(void);
/* True when generation `gen` is one this library's slot, now at `word`, issued and retired
 * (a stale handle); false when it never issued it (another library's handle, or forged). */
bool aa__gen_is_stale(uint32_t gen, uint64_t word);

/* Every slot has a payload of this many bytes in its chunk, for an object that lives exactly
 * as long as the slot is off the free list (a future core: no malloc per future). */
#define AA__PAYLOAD_SIZE 80

/* Bits of a slot word below the key. Bit 0 is never set, so that an odd handle never matches
 * a slot word. A retired slot's word holds the key of the generation it will issue next. */
enum {
    AA__SLOT_LIVE = 1u << 1,        /* the slot holds an object for the current generation */
    AA__SLOT_BUSY = 1u << 2,        /* poll / complete / free (or a foreign completion) inside */
    AA__SLOT_CANCELLING = 1u << 3,  /* cancel inside: may overlap a poll (Swift's onCancel) */
    AA__SLOT_FREE_PENDING = 1u << 4 /* a free arrived while busy: the holder frees on exit */
};

typedef struct aa__slot {
    _Atomic uint64_t word;
    /* The object while LIVE; the next free index + 1 while on the free list. */
    _Atomic uintptr_t value;
} aa__slot;

/* The chunk directory: dir[k] is published with release once chunk k is initialised and never
 * changes afterwards; readers load it with acquire. */
extern _Atomic(aa__slot *) aa__dir[AA__DIR_SIZE];

/* Allocates a slot holding `object`; returns its handle, or 0 when memory is exhausted. */
uint64_t aa__handle_alloc(aa__kind kind, aa_type type, void *object);

/* aa__handle_alloc in two steps, for an object that lives in the slot's payload: reserve a
 * slot (false when memory is exhausted), initialise aa__handle_payload(index), then publish
 * it; the handle exists from the publish on. */

/* Each thread's cache of free slots (handle_table.c): a thread that frees a handle keeps the
 * slot for its own next alloc, linked through the slots' value fields like the shared list,
 * so the common alloc and free touch no shared word. Bounded; beyond it, and when the thread
 * exits, slots go to the shared list. */
#define AA__CACHE_MAX 64
typedef struct aa__slot_cache {
    uint32_t head;   /* index + 1 of the first cached slot, 0 when empty */
    uint32_t count;
    bool registered; /* the thread-exit flush is armed */
} aa__slot_cache;
extern _Thread_local aa__slot_cache aa__cache;
bool aa__slot_take_slow(uint32_t *index);
void aa__slot_release_slow(uint32_t index, aa__slot *slot);
static inline aa__slot *aa__slot_known(uint32_t index);

static inline bool aa__handle_reserve(uint32_t *index)
{
    if (__builtin_expect(aa__cache.count != 0, 1)) {
        uint32_t top = aa__cache.head - 1;
        aa__cache.head =
            (uint32_t)atomic_load_explicit(&aa__slot_known(top)->value, memory_order_relaxed);
        aa__cache.count--;
        *index = top;
        return true;
    }
    return aa__slot_take_slow(index);
}

/* aa__handle_reserve that also returns the slot (NULL when memory is exhausted). */
static inline aa__slot *aa__handle_reserve_slot(uint32_t *index)
{
    if (__builtin_expect(aa__cache.count != 0, 1)) {
        uint32_t top = aa__cache.head - 1;
        aa__slot *slot = aa__slot_known(top);
        aa__cache.head = (uint32_t)atomic_load_explicit(&slot->value, memory_order_relaxed);
        aa__cache.count--;
        *index = top;
        return slot;
    }
    /* A local of its own for the out-of-line call, so that `index` itself never has its
     * address taken and stays in a register once inlined. */
    uint32_t taken;
    if (!aa__slot_take_slow(&taken)) {
        return NULL;
    }
    *index = taken;
    return aa__slot_known(taken);
}

/* The slot of an index in a published chunk (reserved or issued: no NULL check to take). */
static inline aa__slot *aa__slot_known(uint32_t index)
{
    return &atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS],
                                 memory_order_acquire)[index & (AA__CHUNK_SLOTS - 1)];
}

/* Publishes reserved slot `slot` (of `index`) holding `object`; returns the handle. */
static inline uint64_t aa__handle_publish_at(aa__slot *slot, uint32_t index, aa__kind kind,
                                             aa_type type, void *object)
{
    /* The word holds the generation this slot issues next (handle_table.c, retire). */
    uint64_t gen = atomic_load_explicit(&slot->word, memory_order_relaxed) &
                   ((uint64_t)AA__GEN_MASK << AA__GEN_SHIFT);
    uint64_t key = (uint64_t)AA__MAGIC << 58 | (uint64_t)kind << 56 |
                   (uint64_t)(type & 0xF) << 52 | gen;
    atomic_store_explicit(&slot->value, (uintptr_t)object, memory_order_relaxed);
    /* Release: whoever enters through this handle sees the object pointer (and, through the
     * creator's hand-over of the handle, the object's initialised fields). */
    atomic_store_explicit(&slot->word, key | AA__SLOT_LIVE, memory_order_release);
    return key | (uint64_t)index << AA__INDEX_SHIFT;
}

static inline uint64_t aa__handle_publish(uint32_t index, aa__kind kind, aa_type type,
                                          void *object)
{
    return aa__handle_publish_at(aa__slot_known(index), index, kind, type, object);
}

/* The payload of reserved or issued slot `slot` of `index`, without a directory load: a
 * chunk's payloads follow its AA__CHUNK_SLOTS slots. */
static inline void *aa__slot_payload(aa__slot *slot, uint32_t index)
{
    uint32_t i = index & (AA__CHUNK_SLOTS - 1);
    return (unsigned char *)(slot - i + AA__CHUNK_SLOTS) + (size_t)i * AA__PAYLOAD_SIZE;
}

/* The payload of a reserved or issued slot (AA__PAYLOAD_SIZE bytes, 16-byte aligned). */
static inline void *aa__handle_payload(uint32_t index)
{
    aa__slot *chunk =
        atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
    return (unsigned char *)(chunk + AA__CHUNK_SLOTS) +
           (size_t)(index & (AA__CHUNK_SLOTS - 1)) * AA__PAYLOAD_SIZE;
}

/* The slot index of a handle this runtime issued. */
static inline uint32_t aa__handle_index_of(uint64_t handle)
{
    return (uint32_t)(handle >> AA__INDEX_SHIFT) & AA__INDEX_MASK;
}

/* The out-of-line halves of aa__handle_enter / aa__handle_exit: the whole algorithm, for
 * whatever the inline fast path does not handle. */
aa__slot *aa__handle_enter_slow(uint64_t handle, aa__kind kind, aa_type type, uint32_t bit,
                                aa_op op);
bool aa__handle_exit_slow(aa__slot *slot, uint32_t bit);

/* The inline half of aa__handle_enter: the slot with `bit` set when the common case applies,
 * else NULL with nothing reported and nothing changed (the caller then takes the full path,
 * which re-checks from scratch). */
static inline aa__slot *aa__handle_try_enter(uint64_t handle, aa__kind kind, aa_type type,
                                             uint32_t bit, aa_op op)
{
    (void)op;
    /* Magic, kind and (futures) family in one compare; all constants once inlined. */
    bool top_ok = kind == AA__KIND_FUTURE
                      ? (handle >> 52) == ((uint64_t)AA__MAGIC << 6 | (uint64_t)kind << 4 |
                                           (uint64_t)(type & 0xF))
                      : (handle >> 56) == ((uint64_t)AA__MAGIC << 2 | (uint64_t)kind);
    if (__builtin_expect(top_ok, 1)) {
        uint32_t index = (uint32_t)(handle >> AA__INDEX_SHIFT) & AA__INDEX_MASK;
        aa__slot *chunk =
            atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
        if (__builtin_expect(chunk != NULL, 1)) {
            aa__slot *slot = &chunk[index & (AA__CHUNK_SLOTS - 1)];
            /* The one word the slot holds when this handle is live and no call is inside:
             * same key, LIVE, no other bit, and an even handle (bit 0 of a slot word is never
             * set). The CAS is the check: any other word (another generation, a call inside,
             * a free pending) fails it and the full path looks again. Acquire pairs with the
             * release that published the slot and with the previous call's exit: we see
             * everything it did to the object. */
            uint64_t word = (handle & (AA__KEY_MASK | 1)) | AA__SLOT_LIVE;
            if (__builtin_expect(atomic_compare_exchange_strong_explicit(
                                     &slot->word, &word, word | bit, memory_order_acquire,
                                     memory_order_relaxed),
                                 1)) {
                return slot;
            }
        }
    }
    return NULL;
}

/* Validates `handle` for `op` and sets `bit` (BUSY or CANCELLING) in its slot. On success
 * returns the slot; its value is the object and stays valid until aa__handle_exit. On failure
 * reports the misuse and returns NULL. The family is checked for futures only: a foreign
 * call's id is data, checked against the call's own family by its completion. A free
 * conflicts with BUSY and CANCELLING, poll and complete with BUSY, cancel with CANCELLING. */
static inline aa__slot *aa__handle_enter(uint64_t handle, aa__kind kind, aa_type type,
                                         uint32_t bit, aa_op op)
{
    aa__slot *slot = aa__handle_try_enter(handle, kind, type, bit, op);
    if (__builtin_expect(slot != NULL, 1)) {
        return slot;
    }
    return aa__handle_enter_slow(handle, kind, type, bit, op);
}

/* The word of a slot retired from `word`: the next generation (never 0), every flag clear,
 * kind and family kept until the next alloc rewrites them (only the generation matters to a
 * stale handle). */
static inline uint64_t aa__word_retired(uint64_t word)
{
    uint64_t gen =
        (word + ((uint64_t)1 << AA__GEN_SHIFT)) & ((uint64_t)AA__GEN_MASK << AA__GEN_SHIFT);
    if (__builtin_expect(gen == 0, 0)) {
        gen = (uint64_t)1 << AA__GEN_SHIFT; /* generation 0 is never issued */
        aa__gen_note_wrap();
    }
    return (word & ((uint64_t)0xFFF << 52)) | gen;
}

/* A future's free in one step, for the common case: when `handle` is a live future of `type`
 * and no call is inside (no BUSY, CANCELLING or FREE_PENDING), one CAS checks that and
 * retires the slot, so the handle is stale from then on and the caller owns the object
 * outright (no call can enter any more, none was inside). Else NULL with nothing reported and
 * nothing changed: the caller takes the full path (aa__handle_enter), which classifies a bad
 * handle and defers a free that meets a call inside, exactly as before. */
static inline aa__slot *aa__handle_try_retire_future(uint64_t handle, aa_type type)
{
    if (__builtin_expect((handle >> 52) == ((uint64_t)AA__MAGIC << 6 | (uint64_t)(type & 0xF)),
                         1)) {
        uint32_t index = (uint32_t)(handle >> AA__INDEX_SHIFT) & AA__INDEX_MASK;
        aa__slot *chunk =
            atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
        if (__builtin_expect(chunk != NULL, 1)) {
            aa__slot *slot = &chunk[index & (AA__CHUNK_SLOTS - 1)];
            uint64_t word = (handle & (AA__KEY_MASK | 1)) | AA__SLOT_LIVE;
            /* acq_rel: acquire sees what the previous call did to the object (its exit
             * released it); release orders our last reads before the handle goes stale. */
            if (__builtin_expect(atomic_compare_exchange_strong_explicit(
                                     &slot->word, &word, aa__word_retired(word),
                                     memory_order_acq_rel, memory_order_relaxed),
                                 1)) {
                return slot;
            }
        }
    }
    return NULL;
}

/* Clears `bit`. Returns true when a free that arrived meanwhile is now the caller's to run:
 * the slot is then BUSY again, held by the caller. */
static inline bool aa__handle_exit(aa__slot *slot, uint32_t bit)
{
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_relaxed);
    /* Release: the next call that enters sees what this one did. */
    if (__builtin_expect(!(word & AA__SLOT_FREE_PENDING), 1) &&
        atomic_compare_exchange_strong_explicit(&slot->word, &word, word & ~(uint64_t)bit,
                                                memory_order_release, memory_order_relaxed)) {
        return false;
    }
    return aa__handle_exit_slow(slot, bit);
}

/* aa__handle_exit for a caller that entered with aa__handle_try_enter(handle, ..., bit): the
 * word it left is known, so one CAS from it is the whole common case. Anything else (a cancel
 * or a free arrived meanwhile) takes the general exit. */
static inline bool aa__handle_exit_entered(aa__slot *slot, uint64_t handle, uint32_t bit)
{
    uint64_t word = (handle & AA__KEY_MASK) | AA__SLOT_LIVE | bit;
    /* Release: the next call that enters sees what this one did. */
    if (__builtin_expect(atomic_compare_exchange_strong_explicit(&slot->word, &word,
                                                                 word & ~(uint64_t)bit,
                                                                 memory_order_release,
                                                                 memory_order_relaxed),
                         1)) {
        return false;
    }
    return aa__handle_exit_slow(slot, bit);
}

/* Retires the slot (the caller holds BUSY): the handle becomes stale and the slot reusable. */
void aa__handle_retire(aa__slot *slot, uint64_t handle);

/* aa__handle_retire in two steps, for a payload that outlives the handle (a future core that
 * wakers still reference): retire_keep makes the handle stale; recycle, once the payload is
 * no longer used, returns the slot to the free list. */
static inline void aa__handle_retire_keep(aa__slot *slot)
{
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_relaxed);
    /* Release: a call that later finds this generation retired also sees the object's last
     * state. Every flag is cleared: only the caller was inside, and a free that raced in to
     * set FREE_PENDING was a double free, already reported. */
    atomic_store_explicit(&slot->word, aa__word_retired(word), memory_order_release);
}
/* Returns a retired slot (whose payload is no longer used) to this thread's cache or the
 * shared free list. */
static inline void aa__handle_recycle_slot(uint32_t index, aa__slot *slot)
{
    if (__builtin_expect(aa__cache.count < AA__CACHE_MAX && aa__cache.registered, 1)) {
        atomic_store_explicit(&slot->value, (uintptr_t)aa__cache.head, memory_order_relaxed);
        aa__cache.head = index + 1;
        aa__cache.count++;
        return;
    }
    aa__slot_release_slow(index, slot);
}
static inline void aa__handle_recycle(uint64_t handle)
{
    uint32_t index = aa__handle_index_of(handle);
    aa__handle_recycle_slot(index, aa__slot_known(index));
}

/* Retires the slot unless a call holds BUSY, in which case that call's exit is told to
 * (aa__handle_exit returns true). Returns true when retired here. Never blocks. */
bool aa__handle_retire_or_defer(aa__slot *slot, uint64_t handle);

/* The slot of a handle this runtime issued and still owns (no validation). */
static inline aa__slot *aa__handle_slot(uint64_t handle)
{
    return aa__slot_known(aa__handle_index_of(handle));
}

/* The object of a live handle of `kind`, or NULL; reports nothing. For callers that
 * serialise retirement themselves (the timer service, under its mutex). */
void *aa__handle_lookup(uint64_t handle, aa__kind kind);

/* Calls fn (if not NULL) with the handle and slot word of each LIVE slot of `kind`, in index
 * order, and returns how many there were (scans the table; for leak checks and listings, not
 * for hot paths). */
uint64_t aa__handle_each_live(aa__kind kind, void (*fn)(uint64_t handle, uint64_t word, void *ctx),
                              void *ctx);

/* Number of LIVE slots of `kind` (aa__handle_each_live without a callback). */
static inline uint64_t aa__handle_count_live(aa__kind kind)
{
    return aa__handle_each_live(kind, NULL, NULL);
}

static inline void *aa__slot_object(const aa__slot *slot)
{
    return (void *)atomic_load_explicit(&slot->value, memory_order_relaxed);
}

static inline aa_type aa__handle_family(uint64_t handle)
{
    return (aa_type)((handle >> 52) & 0xF);
}

#endif /* AA__HANDLE_TABLE_H */
