/* hello: an async function exported from C with UniFFI's async ABI.
 *
 *     [Async] string say_after(u64 ms, string who);      (hello.udl)
 *
 * The export returns a future handle at once; the poll function arms a timer on the first
 * poll and, once the timer's waker has fired, returns "Hello, <who>!". Any UniFFI binding (and
 * the Python backend in runners/python) awaits it without knowing it is not Rust.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/asyncabi.h"
#include "hello_scaffolding.h" /* generated from hello.udl: the prototypes this file defines */

ASYNCABI_DEFINE_FFI(hello)

typedef struct AA_FUTURE_STATE say_after_state {
    uint64_t delay_ns;    /* from the argument */
    uint64_t deadline_ns; /* 0 until the first poll arms the timer */
    char *who;            /* owned copy of the argument */
    size_t who_len;
} say_after_state;

static AA_POLL_FN aa_poll say_after_poll(aa_future *future, void *state)
{
    say_after_state *s = state;
    if (s->deadline_ns == 0) {
        /* A future does nothing until it is polled, so the clock starts here. The timer owns
         * one reference to the waker and fires it once; a spurious poll before then needs no
         * new timer, because the waker wakes whichever continuation is stored at that time. */
        s->deadline_ns = aa_now_ns() + s->delay_ns;
        aa_timer_at(s->deadline_ns, aa_future_waker(future));
        return AA_PENDING;
    }
    if (aa_now_ns() < s->deadline_ns) {
        return AA_PENDING;
    }
    aa_writer w;
    aa_writer_init(&w);
    aa_write_bytes(&w, "Hello, ", 7);
    aa_write_bytes(&w, s->who, s->who_len);
    aa_write_bytes(&w, "!", 1);
    aa_future_return_value(future, (aa_value){.rust_buffer = aa_writer_finish(&w)});
    return AA_READY;
}

static void say_after_drop(void *state)
{
    say_after_state *s = state;
    free(s->who);
    free(s);
}

static const aa_future_vtable say_after_vtable = {
    .poll = say_after_poll,
    .drop = say_after_drop,
    .name = "say_after",
};

/* The export: takes the lowered arguments (a top-level String is a RustBuffer of UTF-8 that the
 * callee owns), returns a future handle of family rust_buffer. */
AA_ASYNC_EXPORT uint64_t uniffi_hello_fn_func_say_after(uint64_t ms, RustBuffer who)
{
    say_after_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        aa_buffer_free(who);
        return 0;
    }
    s->who = malloc(who.len + 1);
    if (s->who == NULL) {
        free(s);
        aa_buffer_free(who);
        return 0;
    }
    memcpy(s->who, who.data, who.len);
    s->who_len = who.len;
    aa_buffer_free(who);
    s->delay_ns = ms * 1000000u;
    return aa_future_new(AA_TYPE_RUST_BUFFER, &say_after_vtable, s);
}
