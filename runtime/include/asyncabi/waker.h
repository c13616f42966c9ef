/* asyncabi/waker.h: reference-counted wakers, callable from any thread, safe after free.
 *
 * A waker refers to a future's scheduler, not to the future's handle: it keeps the scheduler
 * alive, so waking after the binding freed the future is a harmless no-op.
 */
#ifndef ASYNCABI_WAKER_H
#define ASYNCABI_WAKER_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_waker aa_waker;

/* Wakes the future: invokes its stored continuation with WAKE (outside any lock), or
 * remembers the wake for the next poll. Any thread; any number of times; never blocks. */
void aa_waker_wake(aa_waker *waker);
/* Returns `waker` with one more reference. */
aa_waker *aa_waker_retain(aa_waker *waker);
/* Drops one reference; the last one frees the scheduler. NULL is ignored. */
void aa_waker_release(aa_waker *waker);
/* Wakes, then drops one reference (the common "fire once" case). */
void aa_waker_wake_and_release(aa_waker *waker);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_WAKER_H */
