/* pubsub: a subscription whose next message is a UniFFI future.
 *
 * A subscription lives on the heap: it owns its topic, its filter and a message slot that the
 * broker thread fills before waking the stored waker. Everything the future can reach must
 * outlive the export that created it.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/waker.h"

#define TOPIC_MAX 64

struct filter {
    uint32_t min_priority;
    uint32_t kinds;
};

struct message {
    RustBuffer body;
    uint32_t priority;
};

typedef struct subscription {
    char *topic;
    struct filter *filter;
    struct message *slot;
    _Atomic int has_message;
    aa_waker *waker;
} subscription;

/* The broker (broker.c): delivers into sub->slot, sets has_message, wakes. */
void broker_subscribe(subscription *sub);

static int copy_topic(char *dst, RustBuffer src)
{
    if (src.len == 0 || src.len >= TOPIC_MAX) {
        return -1;
    }
    memcpy(dst, src.data, src.len);
    dst[src.len] = 0;
    return 0;
}

static aa_poll next_poll(aa_future *future, void *state)
{
    subscription *sub = state;
    if (!atomic_load_explicit(&sub->has_message, memory_order_acquire)) {
        if (!sub->waker) {
            sub->waker = aa_future_waker(future);
            broker_subscribe(sub);
        }
        return AA_PENDING;
    }
    RustBuffer body = sub->slot->body;
    sub->slot->body = (RustBuffer){0, 0, NULL};
    aa_future_return_value(future, (aa_value){.rust_buffer = body});
    return AA_READY;
}

static void next_drop(void *state)
{
    subscription *sub = state;
    if (sub->waker) {
        aa_waker_release(sub->waker);
    }
    if (sub->slot) {
        aa_buffer_free(sub->slot->body);
        free(sub->slot);
    }
    free(sub->filter);
    free(sub->topic);
    free(sub);
}

static const aa_future_vtable next_vtable = {next_poll, next_drop, "next_message"};

uint64_t uniffi_pubsub_fn_func_next_message(RustBuffer topic, uint32_t min_priority)
{
    subscription *sub = calloc(1, sizeof *sub);
    char name[TOPIC_MAX];
    if (!sub || copy_topic(name, topic) != 0) {
        free(sub);
        aa_buffer_free(topic);
        return 0;
    }
    aa_buffer_free(topic);
    sub->topic = strdup(name);
    sub->filter = calloc(1, sizeof *sub->filter);
    sub->slot = calloc(1, sizeof *sub->slot);
    if (!sub->topic || !sub->filter || !sub->slot) {
        next_drop(sub);
        return 0;
    }
    sub->filter->min_priority = min_priority;
    return aa_future_new(AA_TYPE_RUST_BUFFER, &next_vtable, sub);
}
