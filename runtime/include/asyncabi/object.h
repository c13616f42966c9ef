/* asyncabi/object.h: UniFFI object handles (docs/abi.md R49), the runtime's fourth kind of
 * handle beside futures, foreign calls and timers.
 *
 * An object handle is a slot of the runtime's handle table, like a future handle: it is never
 * a pointer, so a handle used after its last reference was freed, freed once too often, of
 * another class, or issued by another library is reported through the misuse hook
 * (observe.h) instead of being dereferenced. The slot's one atomic word holds the handle's
 * key (class, generation) and the object's reference count, so a clone racing the last free
 * either takes its reference first or is reported, never resurrects a dropped object. Clones
 * return the same handle value, as a Rust Arc pointer would.
 *
 * Misuse, with its AA_MISUSES code (the op refines stale-handle, aa_misuse_refine):
 *   a handle never issued by this library, of another library, or of another class:
 *       invalid-handle
 *   aa_object_get / aa_object_clone after the last free: object-use-after-free
 *   aa_object_free after the last free: object-free-twice
 *
 * Each library registers at most AA_OBJECT_CLASSES_MAX classes (the class number travels in
 * the handle's family bits).
 */
#ifndef ASYNCABI_OBJECT_H
#define ASYNCABI_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What kind of object a handle names. Keep it at a fixed address for the life of the process
 * (a static): handles refer to it by registration number. */
typedef struct aa_object_class {
    const char *name;           /* "Megaphone": misuse reports and events */
    void (*drop)(void *object); /* runs once, after the last reference is freed; may be NULL */
} aa_object_class;

#define AA_OBJECT_CLASSES_MAX 15

/* One live object, as aa_object_each reports it. */
typedef struct aa_object_info {
    uint64_t handle;
    const aa_object_class *cls;
    uint32_t refs; /* references held, at least 1 */
} aa_object_info;

/* Registers `cls` for this library and returns its class number (1..15), the same one on every
 * call for the same pointer; 0 when 15 other classes are registered already. Thread-safe. */
unsigned aa_object_class_register(const aa_object_class *cls);

/* A new object of `cls` (registered on first use) with one reference, owned by whoever receives
 * the handle; returns its handle (even, never 0), or 0 when out of memory or out of classes. */
uint64_t aa_object_new(const aa_object_class *cls, void *object);

/* The object of `handle` if it names a live object of `cls` (references unchanged); else
 * reports the misuse for `use` (a method name, or NULL) and returns NULL. The caller must hold
 * a reference for as long as it uses the object. */
void *aa_object_get(const aa_object_class *cls, uint64_t handle, const char *use);

/* Takes one more reference and returns `handle`; on misuse reports it and returns 0. */
uint64_t aa_object_clone(const aa_object_class *cls, uint64_t handle);

/* Drops one reference; the last one retires the handle and then runs cls->drop(object). On
 * misuse reports it and changes nothing. */
void aa_object_free(const aa_object_class *cls, uint64_t handle);

/* Number of live objects of this library (scans the table: for leak checks). */
uint64_t aa_object_live_count(void);

/* Calls fn(info, ctx) for each object live during the scan, with no runtime lock held (objects
 * created or freed meanwhile may be missed or seen). For leak checks, not for hot paths. */
void aa_object_each(void (*fn)(const aa_object_info *info, void *ctx), void *ctx);

/* Seeds this library's handle generations (futures, objects, every kind) with a hash of its
 * namespace, so that a handle of another library is rejected as invalid-handle (R51) instead
 * of matching one of ours. Must come before the first handle is issued (ASYNCABI_DEFINE_FFI
 * calls it from a constructor); true on success or when `ns` is already the seed, false if it
 * came too late or `ns` is NULL. */
bool aa_set_library_namespace(const char *ns);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_OBJECT_H */
