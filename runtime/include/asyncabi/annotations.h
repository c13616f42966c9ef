/* asyncabi/annotations.h: markers that tell asyncabi-check what a declaration is for.
 *
 * Under clang (and so under the libclang-based checker) they expand to
 * __attribute__((annotate("asyncabi:<what>"))); other compilers see nothing. The checker also
 * recognises UniFFI's names and shapes without them; the markers make intent explicit and
 * cover what names cannot (a struct shared between threads, a poll function's name).
 */
#ifndef ASYNCABI_ANNOTATIONS_H
#define ASYNCABI_ANNOTATIONS_H

#if defined(__clang__)
#define ASYNCABI_ANNOTATE(what) __attribute__((annotate("asyncabi:" what)))
#else
#define ASYNCABI_ANNOTATE(what)
#endif

/* Symbols the binding calls: C linkage is the header's job, visibility is this macro's. */
#define ASYNCABI_EXPORT __attribute__((visibility("default")))

/* An async export: returns a future handle, takes no RustCallStatus *. */
#define AA_ASYNC_EXPORT ASYNCABI_ANNOTATE("async_export") ASYNCABI_EXPORT
/* A producer poll function (aa_future_vtable.poll): must not block. */
#define AA_POLL_FN ASYNCABI_ANNOTATE("poll")
/* A function that runs as, or inside, a continuation or completion callback. */
#define AA_CALLBACK_FN ASYNCABI_ANNOTATE("callback")
/* A producer's cancel path / free path, checked by the cancellation rules. */
#define AA_CANCEL_FN ASYNCABI_ANNOTATE("cancel")
#define AA_FREE_FN ASYNCABI_ANNOTATE("free")
/* A function that takes (AA_LOCK_FN) or releases (AA_UNLOCK_FN) the lock its first argument
 * names, e.g. a hand-rolled spin lock: the lock rules then track it like pthread_mutex_lock. */
#define AA_LOCK_FN ASYNCABI_ANNOTATE("lock")
#define AA_UNLOCK_FN ASYNCABI_ANNOTATE("unlock")
/* A struct of function pointers that the binding fills for a foreign (callback) interface. */
#define AA_VTABLE ASYNCABI_ANNOTATE("vtable")
/* A struct whose instances are reachable from several threads at once. */
#define AA_SHARED ASYNCABI_ANNOTATE("shared")
/* A field of an AA_SHARED struct (or a global) only accessed with `mutex` held: a mutex field
 * of the same struct, or a global mutex. */
#define AA_GUARDED_BY(mutex) ASYNCABI_ANNOTATE("guarded_by:" #mutex)
/* A field of an AA_SHARED struct written only before the struct is shared (by its creator),
 * read-only afterwards: C's `const` for fields that a calloc'd struct cannot initialise. */
#define AA_SET_ONCE ASYNCABI_ANNOTATE("set_once")
/* Future state: what is stored here travels between threads (the Send rule). */
#define AA_FUTURE_STATE ASYNCABI_ANNOTATE("future_state")

/* --- Clang thread-safety analysis (-Wthread-safety), for asyncabi-check's sync rules ---
 * Under clang these map to clang's capability attributes; the checker parses with
 * -Wthread-safety and reports clang's findings as sync-guarded-access. Clang 14 cannot name a
 * sibling field in guarded_by() in C, and libc's lock functions carry no capability
 * attributes: use the AA_TS_* forms with capability-annotated lock types and wrappers (clang
 * checks them), and AA_GUARDED_BY(mu) / AA_REQUIRES(p->mu) for struct fields guarded by a
 * pthread or C11 mutex (the checker's own lockset walk checks them). Others see nothing. */
#if defined(__clang__)
#define AA_TS_ATTR_(x) __attribute__((x))
#else
#define AA_TS_ATTR_(x)
#endif
/* A lock type: typedef pthread_mutex_t AA_CAPABILITY("mutex") my_mutex; */
#define AA_CAPABILITY(name) AA_TS_ATTR_(capability(name))
/* A global guarded by a global capability `m`. */
#define AA_TS_GUARDED_BY(m) AA_TS_ATTR_(guarded_by(m)) ASYNCABI_ANNOTATE("ts_guarded_by:" #m)
/* Functions that acquire / release / need a capability (arguments as clang's attributes). */
#define AA_ACQUIRE(...) AA_TS_ATTR_(acquire_capability(__VA_ARGS__))
#define AA_RELEASE(...) AA_TS_ATTR_(release_capability(__VA_ARGS__))
#define AA_TRY_ACQUIRE(...) AA_TS_ATTR_(try_acquire_capability(__VA_ARGS__))
#define AA_TS_REQUIRES(...) AA_TS_ATTR_(requires_capability(__VA_ARGS__))
#define AA_EXCLUDES(...) AA_TS_ATTR_(locks_excluded(__VA_ARGS__))
/* A function whose caller holds `mutex` fields (pthread / C11 mutexes, as AA_GUARDED_BY):
 * checked by asyncabi-check's own lockset walk, e.g. AA_REQUIRES(q->mu). */
#define AA_REQUIRES(...) ASYNCABI_ANNOTATE("requires:" #__VA_ARGS__)
/* The body of a lock wrapper itself, which clang cannot see through. */
#define AA_NO_THREAD_SAFETY_ANALYSIS AA_TS_ATTR_(no_thread_safety_analysis)

#endif /* ASYNCABI_ANNOTATIONS_H */
