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
/* A struct of function pointers that the binding fills for a foreign (callback) interface. */
#define AA_VTABLE ASYNCABI_ANNOTATE("vtable")
/* A struct whose instances are reachable from several threads at once. */
#define AA_SHARED ASYNCABI_ANNOTATE("shared")
/* A field of an AA_SHARED struct that is only accessed with `mutex` held. */
#define AA_GUARDED_BY(mutex) ASYNCABI_ANNOTATE("guarded_by:" #mutex)
/* Future state: what is stored here travels between threads (the Send rule). */
#define AA_FUTURE_STATE ASYNCABI_ANNOTATE("future_state")

#endif /* ASYNCABI_ANNOTATIONS_H */
