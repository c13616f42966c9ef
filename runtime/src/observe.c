/* observe.c: the event and misuse hooks, and the stable names of ops and misuse codes. */
#include <stdarg.h>
#include <stdio.h>

#include "observe_internal.h"

/* The hook is the publication flag: user_data is stored first, then the hook with release, and
 * a reader that sees the hook (acquire) also sees its user_data. */
_Atomic(aa_event_hook) aa__event_hook; /* NULL: static storage starts zeroed */
static _Atomic(void *) aa__event_user;
static _Atomic(aa_misuse_hook) aa__misuse_hook;
static _Atomic(void *) aa__misuse_user;

void aa_set_event_hook(aa_event_hook hook, void *user_data)
{
    atomic_store_explicit(&aa__event_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__event_hook, hook, memory_order_release);
}

void aa_set_misuse_hook(aa_misuse_hook hook, void *user_data)
{
    atomic_store_explicit(&aa__misuse_user, user_data, memory_order_relaxed);
    atomic_store_explicit(&aa__misuse_hook, hook, memory_order_release);
}

void aa__emit_slow(aa_op op, aa_type type, uint64_t handle, uint64_t data, int32_t code,
                   const char *name)
{
    aa_event_hook hook = atomic_load_explicit(&aa__event_hook, memory_order_acquire);
    if (hook == NULL) {
        return;
    }
    aa_event event = {op, type, handle, data, code, name};
    hook(&event, atomic_load_explicit(&aa__event_user, memory_order_relaxed));
}

const char *aa_misuse_name(aa_misuse_code code)
{
#define AA__MISUSE_NAME(ENUM, name, what) [AA_MISUSE_##ENUM] = name,
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
