/* weather-c: a synchronous C facade over the async exports of the `weather` library.
 *
 * Every call gets a `struct call`: the future handle, the last poll code and a semaphore the
 * continuation posts. drive() polls until the continuation reports READY; call_release()
 * frees the future (exactly once, last) and the semaphore.
 */
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asyncabi/abi.h"

#define POLL_READY UNIFFI_RUST_FUTURE_POLL_READY

uint64_t uniffi_weather_fn_func_today(RustBuffer city);
uint64_t uniffi_weather_fn_func_alerts(RustBuffer city, uint8_t severe_only);
void ffi_weather_rust_future_poll_rust_buffer(uint64_t handle,
                                              UniffiRustFutureContinuationCallback callback,
                                              uint64_t callback_data);
void ffi_weather_rust_future_cancel_rust_buffer(uint64_t handle);
RustBuffer ffi_weather_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *status);
void ffi_weather_rust_future_free_rust_buffer(uint64_t handle);

struct call {
    uint64_t handle;
    int8_t code;
    sem_t sem;
};

static void on_continuation(uint64_t data, int8_t poll_result)
{
    struct call *c = (struct call *)(uintptr_t)data;
    c->code = poll_result;
    sem_post(&c->sem);
}

static int8_t poll_once(struct call *c)
{
    c->code = -1;
    ffi_weather_rust_future_poll_rust_buffer(c->handle, on_continuation, (uint64_t)(uintptr_t)c);
    sem_wait(&c->sem);
    return c->code;
}

static void drive(struct call *c)
{
    while (poll_once(c) != POLL_READY) {
        /* WAKE: poll again */
    }
}

static RustBuffer finish(struct call *c, RustCallStatus *status)
{
    memset(status, 0, sizeof *status);
    return ffi_weather_rust_future_complete_rust_buffer(c->handle, status);
}

static void call_release(struct call *c)
{
    ffi_weather_rust_future_free_rust_buffer(c->handle);
    sem_destroy(&c->sem);
}

/* The deadline is absolute, on the monotonic clock: a call that starts after it is cancelled
 * at once (the future still runs to READY, with status 3, and is freed as usual). */
static int deadline_passed(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec;
}

int weather_today(RustBuffer city, RustBuffer *out)
{
    struct call c;
    sem_init(&c.sem, 0, 0);
    c.handle = uniffi_weather_fn_func_today(city);
    drive(&c);
    RustCallStatus st;
    *out = finish(&c, &st);
    call_release(&c);
    return st.code;
}

int weather_alerts(RustBuffer city, int severe_only, const struct timespec *deadline,
                   RustBuffer *out)
{
    struct call c;
    sem_init(&c.sem, 0, 0);
    c.handle = uniffi_weather_fn_func_alerts(city, severe_only ? 1 : 0);
    RustCallStatus st;
    if (deadline_passed(deadline)) {
        ffi_weather_rust_future_cancel_rust_buffer(c.handle);
        *out = finish(&c, &st); // expect: binding-complete-before-ready@16
        call_release(&c);
        return st.code;
    }
    drive(&c);
    *out = finish(&c, &st);
    call_release(&c);
    return st.code;
}
