/* observe.c: the event and misuse hooks, and the stable names of ops and misuse codes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "observe_internal.h"

/* The hook is the publication flag: user_data and the full flag are stored first, then the
 * hook with release, and a reader that sees the hook (acquire) also sees them. */
_Atomic(aa_event_hook) aa__event_hook; /* NULL: static storage starts zeroed */
static _Atomic(void *) aa__event_user;
static _Atomic bool aa__event_full; /* aa_set_observer: every event, not just the classic ones */
static _Atomic(aa_misuse_hook) aa__misuse_hook;
static _Atomic(void *) aa__misuse_user;
static _Atomic(aa_continuation_dispatch) aa__dispatch;
static _Atomic(void *) aa__dispatch_user;
static _Atomic uint64_t aa__event_seq;
static _Atomic uint32_t aa__thread_ids;
/* Initial-exec: the runtime is linked into dlopen()ed fixture libraries, and glibc's dynamic
 * TLS for those is allocated on first use and freed at thread exit, which TSan reports as a
 * race with the thread's last read (the monitor's thread ids had the same problem). */
static _Thread_local __attribute__((tls_model("initial-exec"))) uint32_t aa__thread_id;

void aa_set_event_hook(aa_event_hook hook, void *user_data)
{
    atomic_store_explicit(&aa__event_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__event_full, false, memory_order_relaxed);
    atomic_store_explicit(&aa__event_hook, hook, memory_order_release);
}

void aa_set_observer(aa_event_hook hook, void *user_data)
{
    atomic_store_explicit(&aa__event_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__event_full, true, memory_order_relaxed);
    atomic_store_explicit(&aa__event_hook, hook, memory_order_release);
}

void aa_set_continuation_dispatch(aa_continuation_dispatch dispatch, void *user_data)
{
    atomic_store_explicit(&aa__dispatch_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__dispatch, dispatch, memory_order_release);
}

void aa_set_misuse_hook(aa_misuse_hook hook, void *user_data)
{
    atomic_store_explicit(&aa__misuse_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__misuse_hook, hook, memory_order_release);
}

uint32_t aa_thread_id(void)
{
    if (aa__thread_id == 0) {
        aa__thread_id = atomic_fetch_add_explicit(&aa__thread_ids, 1, memory_order_relaxed) + 1;
    }
    return aa__thread_id;
}

/* What aa_set_event_hook's hook sees: the events the runtime had before aa_set_observer, at
 * the same places (poll, cancel, free and foreign-complete when entered, complete when it
 * left, with its status). */
static bool aa__classic(aa_op op, aa_phase phase)
{
    switch (op) {
    case AA_OP_FUTURE_NEW:
    case AA_OP_CONTINUATION:
    case AA_OP_WAKE:
    case AA_OP_FOREIGN_CALL:
    case AA_OP_FOREIGN_DROPPED:
        return phase == AA_PHASE_POINT;
    case AA_OP_POLL:
    case AA_OP_CANCEL:
    case AA_OP_FREE:
    case AA_OP_FOREIGN_COMPLETE:
        return phase == AA_PHASE_ENTER;
    case AA_OP_COMPLETE:
        return phase == AA_PHASE_LEAVE;
    default:
        return false;
    }
}

void aa__emit_event(aa_event *event)
{
    aa_event_hook hook = atomic_load_explicit(&aa__event_hook, memory_order_acquire);
    if (hook == NULL) {
        return;
    }
    if (!atomic_load_explicit(&aa__event_full, memory_order_relaxed) &&
        !aa__classic(event->op, event->phase)) {
        return;
    }
    event->thread = aa_thread_id();
    event->seq = atomic_fetch_add_explicit(&aa__event_seq, 1, memory_order_relaxed) + 1;
    hook(event, atomic_load_explicit(&aa__event_user, memory_order_relaxed));
}

void aa__emit_at(aa_op op, aa_phase phase, aa_type type, uint64_t handle, uint64_t data,
                 int32_t code, const char *name)
{
    aa_event event = {op, type, handle, data, code, name, phase, 0, 0, NULL, NULL};
    aa__emit_event(&event);
}

void aa__emit_enter(aa_op op, aa_type type, uint64_t handle, uint64_t data,
                    UniffiRustFutureContinuationCallback callback, const RustCallStatus *status)
{
    aa_event event = {op, type, handle, data, 0, NULL, AA_PHASE_ENTER, 0, 0, callback, status};
    aa__emit_event(&event);
}

void aa__continuation_invoke_observed(UniffiRustFutureContinuationCallback callback,
                                      uint64_t data, int8_t code, aa_type type, uint64_t handle,
                                      const char *name)
{
    aa_event event = {AA_OP_CONTINUATION, type, handle, data, code, name, AA_PHASE_POINT, 0, 0,
                      callback, NULL};
    aa__emit_event(&event);
    aa_continuation_dispatch dispatch = atomic_load_explicit(&aa__dispatch, memory_order_acquire);
    if (dispatch != NULL && atomic_load_explicit(&aa__event_full, memory_order_relaxed)) {
        void *user = atomic_load_explicit(&aa__dispatch_user, memory_order_relaxed);
        if (dispatch(&event, callback, user)) {
            return;
        }
    }
    callback(data, code);
    aa__emit_at(AA_OP_CONTINUATION_RETURNED, AA_PHASE_POINT, type, handle, data, code, name);
}

const char *aa_misuse_detected_by(aa_misuse_code code)
{
#define AA__MISUSE_BY(ENUM, name, by, rules, what) [AA_MISUSE_##ENUM] = #by,
    static const char *const by[AA_MISUSE_COUNT_] = {AA_MISUSES(AA__MISUSE_BY)};
#undef AA__MISUSE_BY
    if ((unsigned)code >= AA_MISUSE_COUNT_ || by[code] == NULL) {
        return "?";
    }
    return by[code][0] == 'R' ? "runtime" : "monitor";
}

aa_misuse_code aa_misuse_refine(aa_misuse_code code, aa_op op)
{
    if (code != AA_MISUSE_STALE_HANDLE) {
        return code;
    }
    switch (op) {
    case AA_OP_POLL:
        return AA_MISUSE_POLL_AFTER_FREE;
    case AA_OP_COMPLETE:
        return AA_MISUSE_COMPLETE_AFTER_FREE;
    case AA_OP_FREE:
        return AA_MISUSE_FREE_TWICE;
    case AA_OP_CANCEL:
        return AA_MISUSE_CANCEL_AFTER_FREE;
    case AA_OP_OBJECT_USE:
    case AA_OP_OBJECT_CLONE:
        return AA_MISUSE_OBJECT_USE_AFTER_FREE;
    case AA_OP_OBJECT_FREE:
        return AA_MISUSE_OBJECT_FREE_TWICE;
    default:
        return code;
    }
}

aa_misuse_code aa_misuse_from_name(const char *name)
{
    for (int c = 1; c < AA_MISUSE_COUNT_; c++) {
        if (name != NULL && strcmp(aa_misuse_name((aa_misuse_code)c), name) == 0) {
            return (aa_misuse_code)c;
        }
    }
    return AA_MISUSE_NONE_;
}

const char *aa_misuse_name(aa_misuse_code code)
{
#define AA__MISUSE_NAME(ENUM, name, by, rules, what) [AA_MISUSE_##ENUM] = name,
    static const char *const names[AA_MISUSE_COUNT_] = {AA_MISUSES(AA__MISUSE_NAME)};
#undef AA__MISUSE_NAME
    if ((unsigned)code >= AA_MISUSE_COUNT_ || names[code] == NULL) {
        return "?";
    }
    return names[code];
}

const char *aa_op_name(aa_op op)
{
#define AA__OP_NAME(ENUM, name, what) [AA_OP_##ENUM] = name,
    static const char *const names[AA_OP_COUNT_] = {AA_OPS(AA__OP_NAME)};
#undef AA__OP_NAME
    if ((unsigned)op >= AA_OP_COUNT_) {
        return "?";
    }
    return names[op];
}

const char *aa__misuse_text(char *out, size_t size, aa_misuse_code code, aa_op op,
                            uint64_t handle, const char *detail)
{
    snprintf(out, size, "%s(0x%016llx): %s: %s", aa_op_name(op), (unsigned long long)handle,
             aa_misuse_name(code), detail);
    return out;
}

void aa__misuse(aa_misuse_code code, aa_op op, uint64_t handle, const char *fmt, ...)
{
    char detail[160];
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    aa__misuse_text(text, sizeof text, code, op, handle, detail);

    aa_misuse_hook hook = atomic_load_explicit(&aa__misuse_hook, memory_order_acquire);
    if (hook == NULL) {
        /* The default policy: one line, so a misbehaving binding is visible but not fatal. */
        fprintf(stderr, "asyncabi: misuse: %s\n", text);
        return;
    }
    aa_misuse misuse = {code, op, handle, text};
    hook(&misuse, atomic_load_explicit(&aa__misuse_user, memory_order_relaxed));
}
