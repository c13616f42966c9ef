/* A tiny producer for the binding's own unit tests (namespace `pytest`): enough of the ABI to
 * exercise the poll loop, typed errors, cancellation and foreign async calls from a thread with
 * no event loop, without depending on the fixture libraries. interface.json sits beside it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/asyncabi.h"

ASYNCABI_DEFINE_FFI(pytest)

/* --- sleep_ms(ms: u32) -> u32: ready after `ms`, returns ms --------------------------------- */
typedef struct AA_FUTURE_STATE sleep_state {
    uint64_t ms;
    uint64_t deadline_ns;
    int fail; /* fail_after: typed error instead of a value */
} sleep_state;

static AA_POLL_FN aa_poll sleep_poll(aa_future *future, void *state)
{
    sleep_state *s = state;
    if (s->deadline_ns == 0) {
        s->deadline_ns = aa_now_ns() + s->ms * 1000000u;
        aa_timer_at(s->deadline_ns, aa_future_waker(future));
        return AA_PENDING;
    }
    if (aa_now_ns() < s->deadline_ns)
        return AA_PENDING;
    if (s->fail) {
        aa_writer w;
        aa_writer_init(&w);
        aa_write_i32(&w, 1); /* TestError.Boom */
        aa_write_string(&w, "boom", 4);
        aa_future_return_error(future, aa_writer_finish(&w));
    } else {
        aa_future_return_value(future, (aa_value){.u32 = (uint32_t)s->ms});
    }
    return AA_READY;
}

static const aa_future_vtable sleep_vtable = {.poll = sleep_poll, .drop = free, .name = "sleep_ms"};

static uint64_t new_sleep(uint32_t ms, int fail)
{
    sleep_state *s = calloc(1, sizeof *s);
    s->ms = ms;
    s->fail = fail;
    return aa_future_new(AA_TYPE_U32, &sleep_vtable, s);
}

AA_ASYNC_EXPORT uint64_t uniffi_pytest_fn_func_sleep_ms(uint32_t ms) { return new_sleep(ms, 0); }
AA_ASYNC_EXPORT uint64_t uniffi_pytest_fn_func_fail_after(uint32_t ms) { return new_sleep(ms, 1); }

/* --- the foreign trait Doubler { async fn double(value: i32) -> i32 } ----------------------- */
typedef void (*double_fn)(uint64_t handle, int32_t value, UniffiForeignFutureCompleteI32 complete,
                          uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out);
typedef struct doubler_vtable {
    void (*uniffi_free)(uint64_t);
    uint64_t (*uniffi_clone)(uint64_t);
    double_fn double_;
} doubler_vtable;

static const doubler_vtable *g_doubler;

ASYNCABI_EXPORT void uniffi_pytest_fn_init_callback_vtable_doubler(const doubler_vtable *vtable)
{
    g_doubler = vtable;
}

/* call_double(d: Doubler, value: i32, from_thread: bool) -> i32 */
/* The same trait in the legacy profile (0.26 to 0.29.1): a UniffiForeignFuture out-parameter. */
// asyncabi-check: ignore[abi-vtable-async-method] the legacy profile's shape, kept beside a 0.29.2 vtable on purpose to test both
typedef void (*legacy_double_fn)(uint64_t handle, int32_t value,
                                 UniffiForeignFutureCompleteI32 complete, uint64_t complete_data,
                                 UniffiForeignFuture *out_future);
typedef struct legacy_doubler_vtable {
    void (*uniffi_free)(uint64_t);
    uint64_t (*uniffi_clone)(uint64_t);
    legacy_double_fn double_;
} legacy_doubler_vtable;

static const legacy_doubler_vtable *g_legacy_doubler;

ASYNCABI_EXPORT void
uniffi_pytest_fn_init_callback_vtable_legacydoubler(const legacy_doubler_vtable *vtable)
{
    g_legacy_doubler = vtable;
}

typedef struct AA_FUTURE_STATE call_state {
    uint64_t obj;
    int32_t value;
    int from_thread;
    int legacy;
    int started;
    aa_foreign_call *call;
    aa_future *future;
} call_state;

static void start_call(call_state *s)
{
    if (s->legacy) {
        g_legacy_doubler->double_(s->obj, s->value, aa_foreign_call_complete_i32,
                                  aa_foreign_call_data(s->call),
                                  aa_foreign_call_legacy_out(s->call));
        return;
    }
    g_doubler->double_(s->obj, s->value, aa_foreign_call_complete_i32,
                       aa_foreign_call_data(s->call), aa_foreign_call_dropped(s->call));
}

static void *thread_main(void *arg)
{
    start_call(arg);
    return NULL;
}

static AA_POLL_FN aa_poll call_poll(aa_future *future, void *state)
{
    call_state *s = state;
    if (!s->started) {
        s->started = 1;
        s->call = aa_foreign_call_new(AA_TYPE_I32, aa_future_waker(future));
        if (s->from_thread) {
            pthread_t t;
            pthread_create(&t, NULL, thread_main, s);
            // asyncabi-check: ignore[blocking-in-poll] the thread only starts the foreign call, which returns at once; joining keeps `s` alive for it
            pthread_join(t, NULL);
        } else {
            start_call(s);
        }
    }
    aa_value value;
    RustCallStatus status = {0};
    if (aa_foreign_call_poll(s->call, &value, &status) == AA_PENDING)
        return AA_PENDING;
    if (status.code == 0)
        aa_future_return_value(future, value);
    else
        aa_future_return_unexpected(future, "the foreign call failed");
    aa_buffer_free(status.errorBuf);
    return AA_READY;
}

static void call_drop(void *state)
{
    call_state *s = state;
    if (s->call)
        aa_foreign_call_drop(s->call);
    if (s->legacy)
        g_legacy_doubler->uniffi_free(s->obj);
    else
        g_doubler->uniffi_free(s->obj);
    free(s);
}

static const aa_future_vtable call_vtable = {.poll = call_poll, .drop = call_drop,
                                             .name = "call_double"};

AA_ASYNC_EXPORT uint64_t uniffi_pytest_fn_func_call_double(uint64_t obj, int32_t value,
                                                           int8_t from_thread)
{
    call_state *s = calloc(1, sizeof *s);
    s->obj = obj;
    s->value = value;
    s->from_thread = from_thread;
    return aa_future_new(AA_TYPE_I32, &call_vtable, s);
}

AA_ASYNC_EXPORT uint64_t uniffi_pytest_fn_func_call_double_legacy(uint64_t obj, int32_t value)
{
    call_state *s = calloc(1, sizeof *s);
    s->obj = obj;
    s->value = value;
    s->legacy = 1;
    return aa_future_new(AA_TYPE_I32, &call_vtable, s);
}

/* live_futures() -> u64 (sync): for leak checks in tests */
ASYNCABI_EXPORT uint64_t uniffi_pytest_fn_func_live_futures(RustCallStatus *status)
{
    status->code = 0;
    return aa_future_live_count();
}
