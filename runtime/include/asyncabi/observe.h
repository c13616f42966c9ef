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

/* The runtime's events and misuse codes, each listed once with its stable name (aa_op_name,
 * aa_misuse_name, traces, reports; runtime/families.py repeats them for Python, generated).
 * AA_OPS(X): X(ENUM, "name", what the event means). */
#define AA_OPS(X)                                                                              \
    X(FUTURE_NEW, "future-new", "an export created a future (handle)")                         \
    X(POLL, "poll", "binding called poll (handle, callback_data in `data`)")                   \
    X(CONTINUATION, "continuation", "runtime invoked a continuation (`code`: 0 READY, 1 WAKE)") \
    X(CANCEL, "cancel", "binding called cancel")                                               \
    X(COMPLETE, "complete", "binding called complete (`code`: the status returned)")           \
    X(FREE, "free", "binding called free")                                                     \
    X(WAKE, "wake", "a producer waker fired")                                                  \
    X(FOREIGN_CALL, "foreign-call",                                                            \
      "producer started a foreign async call (`data`: complete_data)")                         \
    X(FOREIGN_COMPLETE, "foreign-complete",                                                    \
      "binding called a foreign complete callback (`code`: status)")                           \
    X(FOREIGN_DROPPED, "foreign-dropped", "producer invoked the dropped callback / legacy free")

/* A call across the ABI, or something the runtime did in answer to one (AA_OPS, in order). */
#define AA_OP_ENUM_(ENUM, name, what) AA_OP_##ENUM,
typedef enum aa_op {
    AA_OPS(AA_OP_ENUM_) /* AA_OP_FUTURE_NEW = 0, ... */
    AA_OP_COUNT_
} aa_op;
#undef AA_OP_ENUM_

/* One observed event. `handle` is the future handle, or for foreign calls the call's id. */
typedef struct aa_event {
    aa_op op;
    aa_type type;
    uint64_t handle;
    uint64_t data;
    int32_t code;
    const char *name; /* the future's vtable name or NULL; valid only during the hook */
} aa_event;

/* AA_MISUSES(X): X(ENUM, "name", what the binding did), numbered from 1. */
#define AA_MISUSES(X)                                                                          \
    X(INVALID_HANDLE, "invalid-handle", "a handle this runtime never issued (or 0)")           \
    X(STALE_HANDLE, "stale-handle", "a handle used after free (includes free twice)")          \
    X(WRONG_FAMILY, "wrong-family", "poll/complete/... of family X on a future of family Y")   \
    X(COMPLETE_BEFORE_READY, "complete-before-ready",                                          \
      "complete before a READY continuation was delivered")                                    \
    X(COMPLETE_TWICE, "complete-twice", "complete called a second time")                       \
    X(POLL_AFTER_COMPLETE, "poll-after-complete", "poll after complete")                       \
    X(CONCURRENT_CALL, "concurrent-call", "two ABI calls on one handle at the same time")      \
    X(FOREIGN_COMPLETE_TWICE, "foreign-complete-twice",                                        \
      "a foreign complete callback invoked again")                                             \
    X(FOREIGN_COMPLETE_STALE, "foreign-complete-stale",                                        \
      "a foreign complete with unknown or retired data")

/* Misuse of the ABI that the runtime detected and survived (AA_MISUSES, in order, from 1). */
#define AA_MISUSE_ENUM_(ENUM, name, what) AA_MISUSE_##ENUM,
typedef enum aa_misuse_code {
    AA_MISUSE_NONE_ = 0, /* not a misuse: the codes start at 1 */
    AA_MISUSES(AA_MISUSE_ENUM_)
    AA_MISUSE_COUNT_
} aa_misuse_code;
#undef AA_MISUSE_ENUM_

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
