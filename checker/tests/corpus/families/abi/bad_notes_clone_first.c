/* notes-c: a C binding that implements the `NoteStore` callback interface of the `notes`
 * library (UniFFI contract 30) and registers it with the library.
 *
 * The declarations below are the part of UniFFI's generated header this binding needs,
 * written out by hand; the library calls `get` asynchronously and the binding completes it
 * from its own I/O thread.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct RustBuffer {
    uint64_t capacity;
    uint64_t len;
    uint8_t *data;
} RustBuffer;

typedef struct RustCallStatus {
    int8_t code;
    RustBuffer errorBuf;
} RustCallStatus;

#define NOTES_CALL_SUCCESS 0
#define NOTES_CALL_ERROR 1
#define NOTES_CALL_UNEXPECTED 2

typedef void (*UniffiForeignFutureDroppedCallback)(uint64_t handle);
typedef struct UniffiForeignFutureDroppedCallbackStruct {
    uint64_t handle;
    UniffiForeignFutureDroppedCallback free;
} UniffiForeignFutureDroppedCallbackStruct;

typedef struct UniffiForeignFutureResultRustBuffer {
    RustBuffer return_value;
    RustCallStatus call_status;
} UniffiForeignFutureResultRustBuffer;
typedef void (*UniffiForeignFutureCompleteRustBuffer)(uint64_t callback_data,
                                                      UniffiForeignFutureResultRustBuffer result);

typedef void (*UniffiCallbackInterfaceNoteStoreMethod0)(
    uint64_t uniffi_handle, RustBuffer id, UniffiForeignFutureCompleteRustBuffer uniffi_future_callback,
    uint64_t uniffi_callback_data, UniffiForeignFutureDroppedCallbackStruct *uniffi_out_dropped);

typedef struct UniffiVTableCallbackInterfaceNoteStore {
    uint64_t (*uniffi_clone)(uint64_t handle); // expect: abi-vtable-layout@16
    void (*uniffi_free)(uint64_t handle);
    UniffiCallbackInterfaceNoteStoreMethod0 get;
} UniffiVTableCallbackInterfaceNoteStore;

void uniffi_notes_fn_init_callback_vtable_notestore(const UniffiVTableCallbackInterfaceNoteStore *vtable);
uint64_t uniffi_notes_fn_func_sync_all(uint64_t store);

/* The binding's side: stores are reference-counted C objects behind odd handles. */
struct note_store {
    pthread_mutex_t mu;
    unsigned refs;
    const char *root;
};

void notes_io_submit(struct note_store *s, RustBuffer id, UniffiForeignFutureCompleteRustBuffer done,
                     uint64_t done_data);

static struct note_store *store_of(uint64_t handle)
{
    return (struct note_store *)(uintptr_t)(handle & ~(uint64_t)1);
}

static void store_free(uint64_t handle)
{
    struct note_store *s = store_of(handle);
    pthread_mutex_lock(&s->mu);
    unsigned left = --s->refs;
    pthread_mutex_unlock(&s->mu);
    if (left == 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
    }
}

static uint64_t store_clone(uint64_t handle)
{
    struct note_store *s = store_of(handle);
    pthread_mutex_lock(&s->mu);
    s->refs++;
    pthread_mutex_unlock(&s->mu);
    return handle;
}

static void ignore_dropped(uint64_t data)
{
    (void)data;
}

static void store_get(uint64_t handle, RustBuffer id, UniffiForeignFutureCompleteRustBuffer done,
                      uint64_t done_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    out_dropped->handle = 0;
    out_dropped->free = ignore_dropped;
    notes_io_submit(store_of(handle), id, done, done_data);
}

static const UniffiVTableCallbackInterfaceNoteStore note_store_vtable = {
    store_clone,
    store_free,
    store_get,
};

/* Fails a request before it reaches the I/O thread. */
void notes_fail(UniffiForeignFutureCompleteRustBuffer done, uint64_t done_data)
{
    UniffiForeignFutureResultRustBuffer r;
    memset(&r, 0, sizeof r);
    r.call_status.code = NOTES_CALL_UNEXPECTED;
    done(done_data, r);
}

void notes_register(void)
{
    uniffi_notes_fn_init_callback_vtable_notestore(&note_store_vtable);
}
