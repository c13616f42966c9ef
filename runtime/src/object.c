/* object.c: object handles (asyncabi/object.h), the handle table's fourth kind.
 *
 * An object's slot word is its handle's key (magic, kind OBJECT, class number, generation),
 * LIVE, and its reference count in bits 27..5 (handle_table.h); the slot's value is the
 * producer's object pointer. Every operation is one CAS on that word from the word the handle
 * implies: clone adds a reference, free takes one, and the last free retires the slot (the
 * generation moves on, so the handle is stale from then on) before the class's drop runs and
 * the slot is recycled. No call bits: an object has no calls that must not overlap, only
 * references. Everything that fails the CAS is classified out of line (aa__object_reject).
 */
#include <inttypes.h>
#include <pthread.h>

#include "asyncabi/object.h"
#include "handle_table.h"
#include "observe_internal.h"

/* Class numbers 1..15 (0 is never one); an entry never changes once set. */
static _Atomic(const aa_object_class *) aa__classes[AA_OBJECT_CLASSES_MAX + 1];
static pthread_mutex_t aa__class_lock = PTHREAD_MUTEX_INITIALIZER;

#define AA__REFS_ONE ((uint64_t)1 << AA__REFS_SHIFT)
/* Bits 63..56 of every object handle: magic and kind. */
#define AA__OBJECT_TOP ((uint64_t)AA__MAGIC << 2 | (uint64_t)AA__KIND_OBJECT)

static inline uint32_t aa__word_refs(uint64_t word)
{
    return (uint32_t)(word >> AA__REFS_SHIFT) & AA__REFS_MAX;
}

static inline const aa_object_class *aa__class_of(uint64_t handle)
{
    return atomic_load_explicit(&aa__classes[(handle >> 52) & 0xF], memory_order_acquire);
}

static const char *aa__class_name(const aa_object_class *cls)
{
    return cls != NULL && cls->name != NULL ? cls->name : "?";
}

unsigned aa_object_class_register(const aa_object_class *cls)
{
    if (cls == NULL) {
        return 0;
    }
    for (unsigned i = 1; i <= AA_OBJECT_CLASSES_MAX; i++) {
        const aa_object_class *c = atomic_load_explicit(&aa__classes[i], memory_order_acquire);
        if (c == cls) {
            return i;
        }
        if (c == NULL) {
            break;
        }
    }
    unsigned id = 0;
    pthread_mutex_lock(&aa__class_lock);
    for (unsigned i = 1; i <= AA_OBJECT_CLASSES_MAX; i++) {
        const aa_object_class *c = atomic_load_explicit(&aa__classes[i], memory_order_relaxed);
        if (c == cls || c == NULL) {
            if (c == NULL) {
                atomic_store_explicit(&aa__classes[i], cls, memory_order_release);
            }
            id = i;
            break;
        }
    }
    pthread_mutex_unlock(&aa__class_lock);
    return id;
}

uint64_t aa_object_new(const aa_object_class *cls, void *object)
{
    unsigned id = aa_object_class_register(cls);
    if (id == 0) {
        return 0;
    }
    uint32_t index;
    aa__slot *slot = aa__handle_reserve_slot(&index);
    if (slot == NULL) {
        return 0;
    }
    /* The word holds the generation this slot issues next (aa__word_retired). */
    uint64_t gen = atomic_load_explicit(&slot->word, memory_order_relaxed) &
                   ((uint64_t)AA__GEN_MASK << AA__GEN_SHIFT);
    uint64_t key = AA__OBJECT_TOP << 56 | (uint64_t)id << 52 | gen;
    atomic_store_explicit(&slot->value, (uintptr_t)object, memory_order_relaxed);
    /* Release: whoever uses the handle sees the object pointer. */
    atomic_store_explicit(&slot->word, key | AA__SLOT_LIVE | AA__REFS_ONE, memory_order_release);
    uint64_t handle = key | (uint64_t)index << AA__INDEX_SHIFT;
    AA__EMIT(AA_OP_OBJECT_NEW, AA_TYPE_U64, handle, 0, 1, cls->name);
    return handle;
}

/* The slot `handle` names if it is an even object handle of `cls` in an existing chunk, else
 * NULL. The generation and liveness are the caller's CAS to check. */
static inline aa__slot *aa__object_slot(const aa_object_class *cls, uint64_t handle)
{
    if (__builtin_expect((handle >> 56) != AA__OBJECT_TOP || (handle & 1), 0) ||
        __builtin_expect(cls == NULL || aa__class_of(handle) != cls, 0)) {
        return NULL;
    }
    uint32_t index = aa__handle_index_of(handle);
    aa__slot *chunk = atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
    return chunk == NULL ? NULL : &chunk[index & (AA__CHUNK_SLOTS - 1)];
}

/* Classifies and reports a handle that failed an operation. Cold: the valid path is a few
 * loads and one CAS. */
__attribute__((noinline, cold)) static void aa__object_reject(const aa_object_class *cls,
                                                              uint64_t handle, aa_op op,
                                                              const char *use)
{
    const char *name = aa__class_name(cls);
    const char *what = use != NULL ? use : aa_op_name(op);
    if ((handle >> 56) != AA__OBJECT_TOP) {
        aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle,
                   "%s: not an object handle issued by this library (a %s expected)", what, name);
        return;
    }
    if (handle & 1) {
        aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle,
                   "%s: an odd handle is made by the foreign side, never by this runtime", what);
        return;
    }
    uint32_t gen = (uint32_t)(handle >> AA__GEN_SHIFT) & AA__GEN_MASK;
    uint32_t index = aa__handle_index_of(handle);
    aa__slot *chunk = atomic_load_explicit(&aa__dir[index >> AA__CHUNK_BITS], memory_order_acquire);
    if (chunk == NULL || gen == 0) {
        aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle,
                   "%s: no such object was ever created by this library (a %s expected)", what,
                   name);
        return;
    }
    aa__slot *slot = &chunk[index & (AA__CHUNK_SLOTS - 1)];
    uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
    bool live = (word & (AA__KEY_MASK | AA__SLOT_LIVE)) == ((handle & AA__KEY_MASK) | AA__SLOT_LIVE);
    bool stale = !live && aa__gen_is_stale(gen, word);
    if (!live && !stale) {
        /* A generation this slot never issued: another library's handle (R51), or forged. */
        aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle,
                   "%s: not a handle this library issued (another library's, or forged; a %s "
                   "expected)",
                   what, name);
        return;
    }
    const aa_object_class *actual = aa__class_of(handle);
    if (cls == NULL || actual != cls) {
        aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle, "%s: a %s handle, not a %s", what,
                   actual != NULL ? aa__class_name(actual) : "unregistered class's", name);
        return;
    }
    if (stale) {
        /* Refined by op: object-use-after-free, or object-free-twice for a free. */
        aa__misuse(AA_MISUSE_STALE_HANDLE, op, handle,
                   op == AA_OP_OBJECT_FREE
                       ? "%s: %s freed after its last reference was already freed"
                       : "%s: %s used after its last reference was freed",
                   what, name);
        return;
    }
    /* Live and of the right class: only a clone past the count's width fails so. */
    aa__misuse(AA_MISUSE_INVALID_HANDLE, op, handle,
               "%s: %s already has the most references a handle can count (%u)", what, name,
               aa__word_refs(word));
}

void *aa_object_get(const aa_object_class *cls, uint64_t handle, const char *use)
{
    aa__slot *slot = aa__object_slot(cls, handle);
    if (__builtin_expect(slot != NULL, 1)) {
        /* Acquire pairs with the release that published the object. */
        uint64_t word = atomic_load_explicit(&slot->word, memory_order_acquire);
        if (__builtin_expect((word & (AA__KEY_MASK | AA__SLOT_LIVE)) ==
                                 ((handle & AA__KEY_MASK) | AA__SLOT_LIVE),
                             1)) {
            return aa__slot_object(slot);
        }
    }
    aa__object_reject(cls, handle, AA_OP_OBJECT_USE, use);
    return NULL;
}

uint64_t aa_object_clone(const aa_object_class *cls, uint64_t handle)
{
    aa__slot *slot = aa__object_slot(cls, handle);
    if (__builtin_expect(slot != NULL, 1)) {
        uint64_t expect = (handle & AA__KEY_MASK) | AA__SLOT_LIVE;
        uint64_t word = atomic_load_explicit(&slot->word, memory_order_relaxed);
        /* Relaxed, as for an Arc: the caller's own reference keeps the object alive. */
        while ((word & (AA__KEY_MASK | AA__SLOT_LIVE)) == expect &&
               aa__word_refs(word) < AA__REFS_MAX) {
            if (atomic_compare_exchange_weak_explicit(&slot->word, &word, word + AA__REFS_ONE,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed)) {
                AA__EMIT(AA_OP_OBJECT_CLONE, AA_TYPE_U64, handle, 0,
                         (int32_t)aa__word_refs(word) + 1, cls->name);
                return handle;
            }
        }
    }
    aa__object_reject(cls, handle, AA_OP_OBJECT_CLONE, NULL);
    return 0;
}

void aa_object_free(const aa_object_class *cls, uint64_t handle)
{
    aa__slot *slot = aa__object_slot(cls, handle);
    if (__builtin_expect(slot != NULL, 1)) {
        uint64_t expect = (handle & AA__KEY_MASK) | AA__SLOT_LIVE;
        uint64_t word = atomic_load_explicit(&slot->word, memory_order_relaxed);
        while ((word & (AA__KEY_MASK | AA__SLOT_LIVE)) == expect) {
            uint32_t refs = aa__word_refs(word);
            if (refs > 1) {
                /* Release: our uses of the object happen before the last free's drop. */
                if (atomic_compare_exchange_weak_explicit(&slot->word, &word,
                                                          word - AA__REFS_ONE,
                                                          memory_order_release,
                                                          memory_order_relaxed)) {
                    AA__EMIT(AA_OP_OBJECT_FREE, AA_TYPE_U64, handle, 0, (int32_t)refs - 1,
                             cls->name);
                    return;
                }
                continue;
            }
            /* The last reference: retire (acquire: every other holder's uses come first). */
            if (atomic_compare_exchange_weak_explicit(&slot->word, &word,
                                                      aa__word_retired(word),
                                                      memory_order_acq_rel,
                                                      memory_order_relaxed)) {
                void *object = aa__slot_object(slot);
                AA__EMIT(AA_OP_OBJECT_FREE, AA_TYPE_U64, handle, 0, 0, cls->name);
                aa__handle_recycle_slot(aa__handle_index_of(handle), slot);
                if (cls->drop != NULL) {
                    cls->drop(object);
                }
                return;
            }
        }
    }
    aa__object_reject(cls, handle, AA_OP_OBJECT_FREE, NULL);
}

uint64_t aa_object_live_count(void)
{
    return aa__handle_count_live(AA__KIND_OBJECT);
}

typedef struct aa__object_each_ctx {
    void (*fn)(const aa_object_info *info, void *ctx);
    void *ctx;
} aa__object_each_ctx;

static void aa__object_each_one(uint64_t handle, uint64_t word, void *ctx)
{
    const aa__object_each_ctx *each = ctx;
    aa_object_info info = {.handle = handle, .cls = aa__class_of(word), .refs = aa__word_refs(word)};
    each->fn(&info, each->ctx);
}

void aa_object_each(void (*fn)(const aa_object_info *info, void *ctx), void *ctx)
{
    if (fn == NULL) {
        return;
    }
    aa__object_each_ctx each = {fn, ctx};
    aa__handle_each_live(AA__KIND_OBJECT, aa__object_each_one, &each);
}
