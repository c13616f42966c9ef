/* handle_table.h: the u64 handles the binding holds, and the slots behind them.
 *
 * A handle is never a pointer, so a stale, forged or mistyped handle is detected instead of
 * dereferenced. Layout (most significant bit first):
 *
 *   63..58  magic 0b101010      a value this runtime never issued fails here (and 0 always does)
 *   57..56  kind                rust future, foreign call or timer
 *   55..52  family              the aa_type the handle was created for
 *   51..28  generation          bumped every time the slot is retired (never 0)
 *   27..1   slot index          into a slab of chunks that never move
 *   0       parity, always 0    UniFFI 0.30+: handles the producer issues are even, those the
 *                               foreign side issues are odd; an odd handle is rejected
 *
 * Each slot holds one atomic word: the generation, LIVE, and the "an ABI call is inside" bits
 * that detect concurrent calls on one handle with a single CAS, without ever blocking.
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
    AA__KIND_TIMER = 2         /* its handle is the timer id */
} aa__kind;

/* The handle layout above (handle_table.c encodes and decodes it; tests pin it down). */
#define AA__MAGIC 0x2Au
#define AA__INDEX_SHIFT 1
#define AA__INDEX_BITS 27
#define AA__INDEX_MASK ((1u << AA__INDEX_BITS) - 1)
#define AA__GEN_SHIFT 28
#define AA__GEN_BITS 24
#define AA__GEN_MASK ((1u << AA__GEN_BITS) - 1)

/* Bits of a slot word below the generation (which sits in bits 63..32). */
enum {
    AA__SLOT_LIVE = 1u << 0,       /* the slot holds an object for the current generation */
    AA__SLOT_BUSY = 1u << 1,       /* poll / complete / free (or a foreign completion) inside */
    AA__SLOT_CANCELLING = 1u << 2, /* cancel inside: may overlap a poll (Swift's onCancel) */
    AA__SLOT_FREE_PENDING = 1u << 3 /* a free arrived while busy: the holder frees on exit */
};

typedef struct aa__slot {
    _Atomic uint64_t word;
    /* The object while LIVE; the next free index + 1 while on the free list. */
    _Atomic uintptr_t value;
} aa__slot;

/* Allocates a slot holding `object`; returns its handle, or 0 when memory is exhausted. */
uint64_t aa__handle_alloc(aa__kind kind, aa_type type, void *object);

/* Validates `handle` for `op` and sets `bit` (BUSY or CANCELLING) in its slot. On success
 * returns the slot; its value is the object and stays valid until aa__handle_exit. On failure
 * reports the misuse and returns NULL. The family is checked for futures only: a foreign
 * call's id is data, checked against the call's own family by its completion. */
aa__slot *aa__handle_enter(uint64_t handle, aa__kind kind, aa_type type, uint32_t bit, aa_op op);

/* Clears `bit`. Returns true when a free that arrived meanwhile is now the caller's to run:
 * the slot is then BUSY again, held by the caller. */
bool aa__handle_exit(aa__slot *slot, uint32_t bit);

/* Retires the slot (the caller holds BUSY): the handle becomes stale and the slot reusable. */
void aa__handle_retire(aa__slot *slot, uint64_t handle);

/* Retires the slot unless a call holds BUSY, in which case that call's exit is told to
 * (aa__handle_exit returns true). Returns true when retired here. Never blocks. */
bool aa__handle_retire_or_defer(aa__slot *slot, uint64_t handle);

/* The slot of a handle this runtime issued and still owns (no validation). */
aa__slot *aa__handle_slot(uint64_t handle);

/* The object of a live handle of `kind`, or NULL; reports nothing. For callers that
 * serialise retirement themselves (the timer service, under its mutex). */
void *aa__handle_lookup(uint64_t handle, aa__kind kind);

static inline void *aa__slot_object(const aa__slot *slot)
{
    return (void *)atomic_load_explicit(&slot->value, memory_order_relaxed);
}

static inline aa_type aa__handle_family(uint64_t handle)
{
    return (aa_type)((handle >> 52) & 0xF);
}

#endif /* AA__HANDLE_TABLE_H */
