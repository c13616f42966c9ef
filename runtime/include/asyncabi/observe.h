/* asyncabi/observe.h: what the runtime tells an observer (the fixtures' protocol monitor).
 *
 * The runtime is mechanism: it validates handles and never turns a binding's misuse into
 * undefined behaviour. Policy (which sequences of calls are violations, traces, reports)
 * belongs to an observer. Both hooks are process-wide for one copy of the runtime; a fixture
 * library that links the runtime statically has its own.
 */
#ifndef ASYNCABI_OBSERVE_H
#define ASYNCABI_OBSERVE_H

#include <stdint.h>

#include "asyncabi/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A call across the ABI, or something the runtime did in answer to one. */
typedef enum aa_op {
    AA_OP_FUTURE_NEW = 0,         /* an export created a future (handle) */
    AA_OP_POLL,                   /* binding called poll (handle, callback_data in `data`) */
    AA_OP_CONTINUATION,           /* runtime invoked a continuation (`code`: 0 READY, 1 WAKE) */
    AA_OP_CANCEL,                 /* binding called cancel */
    AA_OP_COMPLETE,               /* binding called complete (`code`: the status returned) */
    AA_OP_FREE,                   /* binding called free */
    AA_OP_WAKE,                   /* a producer waker fired */
    AA_OP_FOREIGN_CALL,           /* producer started a foreign async call (`data`: complete_data) */
    AA_OP_FOREIGN_COMPLETE,       /* binding called a foreign complete callback (`code`: status) */
    AA_OP_FOREIGN_DROPPED,        /* producer invoked the dropped callback / legacy free */
    AA_OP_COUNT_
} aa_op;

/* One observed event. `handle` is the future handle, or for foreign calls the call's id. */
typedef struct aa_event {
    aa_op op;
    aa_type type;
    uint64_t handle;
    uint64_t data;
    int32_t code;
    const char *name; /* the future's vtable name or NULL; valid only during the hook */
} aa_event;

/* Misuse of the ABI that the runtime detected and survived. */
typedef enum aa_misuse_code {
    AA_MISUSE_INVALID_HANDLE = 1,   /* a handle this runtime never issued (or 0) */
    AA_MISUSE_STALE_HANDLE,         /* a handle used after free (includes free twice) */
    AA_MISUSE_WRONG_FAMILY,         /* poll/complete/... of family X on a future of family Y */
    AA_MISUSE_COMPLETE_BEFORE_READY,/* complete before a READY continuation was delivered */
    AA_MISUSE_COMPLETE_TWICE,       /* complete called a second time */
    AA_MISUSE_POLL_AFTER_COMPLETE,  /* poll after complete */
    AA_MISUSE_CONCURRENT_CALL,      /* two ABI calls on one handle at the same time */
    AA_MISUSE_FOREIGN_COMPLETE_TWICE, /* a foreign complete callback invoked again */
    AA_MISUSE_FOREIGN_COMPLETE_STALE, /* a foreign complete with unknown or retired data */
    AA_MISUSE_COUNT_
} aa_misuse_code;

typedef struct aa_misuse {
    aa_misuse_code code;
    aa_op op;
    uint64_t handle;
    const char *message; /* human-readable, names the handle and the call; valid during the hook */
} aa_misuse;

typedef void (*aa_event_hook)(const aa_event *event, void *user_data);
typedef void (*aa_misuse_hook)(const aa_misuse *misuse, void *user_data);

/* Installs the event observer (NULL removes it). Called on the thread of the event, with no
 * runtime lock held. Not for use while futures are in flight on other threads. */
void aa_set_event_hook(aa_event_hook hook, void *user_data);
/* Installs the misuse observer (NULL restores the default: one line on stderr). */
void aa_set_misuse_hook(aa_misuse_hook hook, void *user_data);
/* Returns the stable name of a misuse code ("stale-handle", ...), or "?" if invalid. */
const char *aa_misuse_name(aa_misuse_code code);
/* Returns the stable name of an op ("poll", "complete", ...), or "?" if invalid. */
const char *aa_op_name(aa_op op);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_OBSERVE_H */
