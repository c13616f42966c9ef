/* asyncabi/observe.h: what the runtime tells an observer (the fixtures' protocol monitor).
 *
 * The runtime is mechanism: it validates handles and never turns a binding's misuse into
 * undefined behaviour. Policy (which sequences of calls are violations, traces, reports)
 * belongs to an observer. Both hooks are process-wide for one copy of the runtime; a fixture
 * library that links the runtime statically has its own.
 */
#ifndef ASYNCABI_OBSERVE_H
#define ASYNCABI_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "asyncabi/abi.h"
#include "asyncabi/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime's events and misuse codes, each listed once with its stable name (aa_op_name,
 * aa_misuse_name, the fixtures' monitor, its traces and reports, the docs; runtime/families.py
 * repeats them for Python, generated).
 *
 * AA_OPS(X): X(ENUM, "name", what the event means). An op is a call across the ABI (poll,
 * complete, rustbuffer-alloc, ...) or something the runtime did (new, continuation, wake,
 * retired, ...). Each event has a phase (aa_phase): a call is seen when it is entered and when
 * it has left; the rest are points. */
#define AA_OPS(X)                                                                              \
    X(FUTURE_NEW, "new", "an export created a future (handle, `name`)")                        \
    X(POLL, "poll", "binding called poll (`data`: callback_data, `callback`)")                 \
    X(CONTINUATION, "continuation",                                                            \
      "runtime invokes a continuation (`code`: 0 READY, 1 WAKE; `data`: callback_data)")       \
    X(CANCEL, "cancel", "binding called cancel")                                               \
    X(COMPLETE, "complete",                                                                    \
      "binding called complete (`status`; on leaving, `code`: the status returned)")           \
    X(FREE, "free", "binding called free")                                                     \
    X(WAKE, "wake", "a producer waker fired")                                                  \
    X(FOREIGN_CALL, "foreign-call",                                                            \
      "producer started a foreign async call (`handle`, `data`: complete_data)")               \
    X(FOREIGN_COMPLETE, "foreign-complete",                                                    \
      "binding called a foreign complete callback (`code`: status)")                           \
    X(FOREIGN_DROPPED, "foreign-dropped",                                                      \
      "producer invokes the dropped callback / legacy free (`code`: 1 the binding installed "  \
      "its own, 0 the producer's no-op is still there)")                                       \
    X(CONTINUATION_RETURNED, "continuation-returned",                                          \
      "a continuation the runtime invoked has returned (`code`, `data` as continuation)")      \
    X(RETIRED, "retired", "a future's handle was retired: the free took effect")               \
    X(RUSTBUFFER_ALLOC, "rustbuffer-alloc", "binding called rustbuffer_alloc (`data`: size)")  \
    X(RUSTBUFFER_FROM_BYTES, "rustbuffer-from-bytes",                                          \
      "binding called rustbuffer_from_bytes (`data`: length)")                                 \
    X(RUSTBUFFER_FREE, "rustbuffer-free", "binding called rustbuffer_free (`data`: length)")   \
    X(RUSTBUFFER_RESERVE, "rustbuffer-reserve",                                                \
      "binding called rustbuffer_reserve (`data`: additional)")                                \
    X(OBJECT_NEW, "object-new", "an object was created (handle; `name`: its class)")           \
    X(OBJECT_CLONE, "object-clone",                                                            \
      "an object handle was cloned (`code`: its references now; `name`: its class)")           \
    X(OBJECT_FREE, "object-free",                                                              \
      "a reference to an object was freed (`code`: references left; `name`: its class)")       \
    X(OBJECT_USE, "object-use",                                                                \
      "a method or an argument used an object handle (names the use in misuse reports; "      \
      "never emitted as an event)")

/* AA_MONITOR_OPS(X): X(ENUM, "name", what the trace line means). The runtime never emits these:
 * they are the other ops of the fixtures' monitor's trace lines (docs/fixture-interface.md),
 * listed here beside AA_OPS so that one table names every op a trace line can carry: an AA_OPS
 * name (the runtime's events, and `new` / `foreign-call` as the monitor notes them), one of
 * these, or, on the line that records a violation, its AA_MISUSES code. The monitor numbers
 * them after AA_OPS (fx_trace_op); runtime/families.py and the docs' list of trace ops are
 * generated from both tables (runtime/gen_families.py). */
#define AA_MONITOR_OPS(X)                                                                      \
    X(HANDOFF, "handoff",                                                                      \
      "`poll_handoff` mode: a continuation delivered inside its poll call was taken to run "   \
      "on a producer thread once the poll has left (`code`: 0 READY, 1 WAKE; `data`: "         \
      "callback_data)")                                                                        \
    X(HANDOFF_TIMEOUT, "handoff-timeout",                                                      \
      "a handed-off continuation had not returned within the monitor's wait: the poll "        \
      "returns and the continuation finishes later")                                           \
    X(MODE, "mode", "the fixture mode was set (`code`: 1 `poll_handoff`, 0 none; `name`)")     \
    X(RUNTIME_MISUSE, "runtime-misuse",                                                        \
      "the runtime reported a misuse through its hook (`code`: its AA_MISUSES number, "        \
      "before refinement; `name`: the runtime's message)")                                    \
    X(INTERNAL_ERROR, "internal-error",                                                        \
      "a fault of the producer or the runtime, never the binding's (`name`: what)")            \
    X(SCHEDULE, "schedule",                                                                    \
      "a seeded choice (`name`: which, e.g. `worker` or `jitter_ms`; `data`: the value "       \
      "chosen)")                                                                               \
    X(CONFIGURE, "configure", "asyncabi_fixture_configure (`data`: the seed)")                 \
    X(SCENARIO, "scenario", "the scenario was named (`name`)")                                 \
    X(RESET, "reset", "asyncabi_monitor_reset (`data`: the reset's serial number, from 1)")    \
    X(FINISH, "finish",                                                                        \
      "asyncabi_monitor_finish (`code`: the number of violations; `name`: the scenario)")

/* A call across the ABI, or something the runtime did in answer to one (AA_OPS, in order). */
#define AA_OP_ENUM_(ENUM, name, what) AA_OP_##ENUM,
typedef enum aa_op {
    AA_OPS(AA_OP_ENUM_) /* AA_OP_FUTURE_NEW = 0, ... */
    AA_OP_COUNT_
} aa_op;
#undef AA_OP_ENUM_

/* When an event happens: a point, or the entry to / exit from an ABI call. */
typedef enum aa_phase {
    AA_PHASE_POINT = 0, /* new, continuation, continuation-returned, wake, retired, foreign-* */
    AA_PHASE_ENTER = 1, /* a call was entered, before the runtime validated anything */
    AA_PHASE_LEAVE = 2  /* the call has left the runtime (after its inline continuation) */
} aa_phase;

/* One observed event. `handle` is the future handle, for foreign calls the call's id, for
 * object-* the object handle (0 for rustbuffer calls). The fields after `name` are filled for aa_set_observer's hook only. */
typedef struct aa_event {
    aa_op op;
    aa_type type;
    uint64_t handle;
    uint64_t data;
    int32_t code;
    const char *name; /* the future's vtable name or NULL; valid only during the hook */
    aa_phase phase;
    uint32_t thread; /* aa_thread_id() of the thread the event happened on */
    uint64_t seq;    /* this process's event number, from 1, in the order events were emitted */
    UniffiRustFutureContinuationCallback callback; /* poll (enter): the binding's callback */
    const RustCallStatus *status; /* complete, rustbuffer_* (enter): the binding's status */
} aa_event;

/* AA_MISUSES(X): X(ENUM, "name", detected by, "rules", what the binding did), numbered from 1:
 * every way a binding can break its side of the contract (docs/abi.md), with the stable name
 * that reports, traces, conformance verdicts and findings use. Never rename one; add at the
 * end.
 * `detected by`: RUNTIME (the runtime reports it through the misuse hook, whoever observes)
 * or MONITOR (policy over the events and the end of a scenario: the fixtures' monitor).
 * A runtime stale-handle is refined by its op into the *_AFTER_FREE / *FREE_TWICE rows
 * (aa_misuse_refine; the object-* ops into the OBJECT_* ones), which the runtime itself never
 * reports. `rules`: the rules of
 * docs/abi.md the misuse breaks. The docs' lists of codes are generated from this table
 * (runtime/gen_families.py). */
#define AA_MISUSES(X)                                                                          \
    X(INVALID_HANDLE, "invalid-handle", RUNTIME, "R5, R51",                                    \
      "a future or object handle this library never issued (or 0), or an object handle "       \
      "of the wrong type")                                                                     \
    X(STALE_HANDLE, "stale-handle", RUNTIME, "R17",                                            \
      "a handle used after free (reported by the runtime; refined by op into the six rows "    \
      "*-after-free / *free-twice below)")                                                     \
    X(WRONG_FAMILY, "wrong-family", RUNTIME, "R7",                                             \
      "a future driven with another family's functions, or a foreign call completed "          \
      "through another family's complete function")                                            \
    X(COMPLETE_BEFORE_READY, "complete-before-ready", RUNTIME, "R16",                          \
      "`complete` called before a continuation said READY (and without `cancel`)")             \
    X(COMPLETE_TWICE, "complete-twice", RUNTIME, "R16",                                        \
      "`complete` called twice on one future")                                                 \
    X(POLL_AFTER_COMPLETE, "poll-after-complete", RUNTIME, "R16",                              \
      "`poll` called after `complete`")                                                        \
    X(CONCURRENT_CALL, "concurrent-call", RUNTIME, "R43",                                      \
      "two ABI calls (`poll`/`complete`/`free`) on one future overlapped on different "        \
      "threads (`cancel` may overlap). A poll is over once its continuation was "              \
      "invoked, so completing from another thread that the continuation woke, while the "      \
      "poll call is still unwinding (Kotlin's pattern), is not one")                           \
    X(FOREIGN_COMPLETE_TWICE, "foreign-complete-twice", RUNTIME, "R35",                        \
      "a foreign call's complete callback invoked twice, also after the call was "             \
      "released (a replayed result's buffers are never freed twice)")                          \
    X(FOREIGN_COMPLETE_STALE, "foreign-complete-stale", RUNTIME, "R36",                        \
      "a complete callback invoked with `complete_data` this library never handed out")        \
    X(POLL_AFTER_FREE, "poll-after-free", RUNTIME, "R17",                                      \
      "`poll` called on a freed future")                                                       \
    X(COMPLETE_AFTER_FREE, "complete-after-free", RUNTIME, "R17",                              \
      "`complete` called on a freed future")                                                   \
    X(FREE_TWICE, "free-twice", RUNTIME, "R17",                                                \
      "`free` called twice on one future")                                                     \
    X(CANCEL_AFTER_FREE, "cancel-after-free", RUNTIME, "R17",                                  \
      "`cancel` called on a freed future")                                                     \
    X(LEAKED_FUTURE, "leaked-future", MONITOR, "R17",                                          \
      "a future created in the scenario was never freed")                                      \
    X(LEAKED_BUFFER, "leaked-buffer", MONITOR, "R47",                                          \
      "more RustBuffers alive at the end of the scenario than at its start (a returned "       \
      "buffer, an error buffer, or a foreign-call argument never freed)")                      \
    X(LEAKED_OBJECT, "leaked-object", MONITOR, "R49",                                          \
      "references left to an object created in the scenario (a clone or the original "         \
      "never freed)")                                                                          \
    X(POLL_REENTERED, "poll-reentered", MONITOR, "R46",                                        \
      "a future polled from inside that future's own continuation callback")                   \
    X(FOREIGN_COMPLETE_MISSING, "foreign-complete-missing", MONITOR, "R35",                    \
      "a foreign call never completed by the end of the scenario (owed in every "              \
      "outcome, cancelled too)")                                                               \
    X(DROPPED_CALLBACK_IGNORED, "dropped-callback-ignored", MONITOR, "R37",                    \
      "a binding that installed a dropped callback and was told through it to cancel "         \
      "still completed the call successfully more than 25 ms (unscaled) later. Leaving "       \
      "the producer's no-op in place declares it cannot cancel (legal): scenarios that "       \
      "need cancellation judge it by outcome")                                                 \
    X(OBJECT_USE_AFTER_FREE, "object-use-after-free", RUNTIME, "R49",                          \
      "an object handle used (method, argument, clone) after its last reference was "          \
      "freed")                                                                                 \
    X(OBJECT_FREE_TWICE, "object-free-twice", RUNTIME, "R49",                                  \
      "an object freed more times than it was created and cloned")                             \
    X(FOREIGN_RESULT_INVALID, "foreign-result-invalid", MONITOR, "R34",                        \
      "a foreign call completed with a status its method cannot return (1 without "            \
      "`throws`, or outside 0..3) or a value that cannot be lifted (bad UTF-8, "               \
      "malformed error)")                                                                      \
    X(NULL_CALLBACK, "null-callback", MONITOR, "R12",                                          \
      "`poll` called with a NULL continuation callback (never invoked, so the binding "        \
      "never hears back)")                                                                     \
    X(STATUS_NOT_RESET, "status-not-reset", MONITOR, "R2",                                     \
      "`complete` or a `rustbuffer_*` call passed a `RustCallStatus` not reset to code "       \
      "0 and an empty `errorBuf` (the producer leaves it untouched on success, as "            \
      "uniffi-rs does, so a stale error would be read back from a successful call)")           \
    X(CONTINUATION_UNANSWERED, "continuation-unanswered", MONITOR, "R21",                      \
      "in `poll_handoff` mode, a future freed without an answer (`poll` after WAKE, "          \
      "`complete` after READY) to a continuation a producer thread delivered while its "       \
      "poll was still running: the binding lost it")

/* Misuse of the ABI (AA_MISUSES, in order, from 1). The runtime reports, and survives, the
 * RUNTIME rows; the others are named by an observer's policy. */
#define AA_MISUSE_ENUM_(ENUM, name, by, rules, what) AA_MISUSE_##ENUM,
typedef enum aa_misuse_code {
    AA_MISUSE_NONE_ = 0, /* not a misuse: the codes start at 1 */
    AA_MISUSES(AA_MISUSE_ENUM_)
    AA_MISUSE_COUNT_
} aa_misuse_code;
#undef AA_MISUSE_ENUM_

/* A misuse the runtime detected: the "rejected" fact of the call in progress. The misuse hook
 * runs on that call's thread, between its enter and leave events, before the call answers
 * (READY for a poll, status 2 for a complete) or returns. */
typedef struct aa_misuse {
    aa_misuse_code code;
    aa_op op;
    uint64_t handle;
    const char *message; /* human-readable, names the handle and the call; valid during the hook */
} aa_misuse;

typedef void (*aa_event_hook)(const aa_event *event, void *user_data);
typedef void (*aa_misuse_hook)(const aa_misuse *misuse, void *user_data);

/* Installs the classic event hook (NULL removes it): new, continuation, wake and the foreign-*
 * points, poll, cancel, free and foreign-complete when entered, complete when it has left
 * (`code`: its status); no other events, phases, thread or sequence number. Called on the
 * thread of the event, with no runtime lock held. Not for use while futures are in flight on
 * other threads. */
void aa_set_event_hook(aa_event_hook hook, void *user_data);
/* Installs a hook that sees every event of aa_event, all phases and ops, with its thread and
 * sequence number (NULL removes it; it replaces an aa_set_event_hook hook and vice versa). The
 * fixtures' monitor is built on it. Same calling rules as aa_set_event_hook. */
void aa_set_observer(aa_event_hook hook, void *user_data);
/* Decides who invokes a continuation: called, while an observer is installed, just after the
 * continuation event and instead of the runtime's own call. Returns true when it took the
 * continuation (it must then invoke callback(data, code) exactly once, from any thread, and
 * the runtime emits no continuation-returned for it), false to let the runtime invoke it at
 * once. NULL (the default) means always false. For test modes (the monitor's poll_handoff). */
typedef bool (*aa_continuation_dispatch)(const aa_event *continuation,
                                         UniffiRustFutureContinuationCallback callback,
                                         void *user_data);
/* Installs the continuation dispatch hook (NULL removes it). */
void aa_set_continuation_dispatch(aa_continuation_dispatch dispatch, void *user_data);
/* A small id of the calling thread: 1, 2, ... in order of first use. */
uint32_t aa_thread_id(void);
/* Installs the misuse hook (NULL restores the default: one line on stderr). */
void aa_set_misuse_hook(aa_misuse_hook hook, void *user_data);
/* Returns the stable name of a misuse code ("stale-handle", ...), or "?" if invalid. */
const char *aa_misuse_name(aa_misuse_code code);
/* Returns who detects a misuse code: "runtime" or "monitor" (AA_MISUSES), or "?". */
const char *aa_misuse_detected_by(aa_misuse_code code);
/* The code a misuse reported for `op` stands for: stale-handle on poll, complete, free or
 * cancel becomes poll-after-free, complete-after-free, free-twice or cancel-after-free, on
 * object-use or object-clone object-use-after-free, on object-free object-free-twice; every
 * other code is returned unchanged. */
aa_misuse_code aa_misuse_refine(aa_misuse_code code, aa_op op);
/* Returns the code with this stable name, or AA_MISUSE_NONE_ if there is none. */
aa_misuse_code aa_misuse_from_name(const char *name);
/* Returns the stable name of an op ("poll", "complete", ...), or "?" if invalid. */
const char *aa_op_name(aa_op op);

#ifdef __cplusplus
}
#endif

#endif /* ASYNCABI_OBSERVE_H */
