/* kvcache: the C side of a foreign-implemented async trait `Store` (get/put), called by the
 * producer through the vtable the binding registers.
 *
 * Each method receives UniFFI's complete callback and must call it exactly once, whatever
 * happens: success, a typed error, an unexpected error, or a cancelled request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/abi.h"

#define KV_OK 0
#define KV_MISSING 1
#define KV_MAX_KEY 128

struct kv_entry {
    char key[KV_MAX_KEY];
    uint8_t *value;
    size_t len;
    struct kv_entry *next;
};

static struct kv_entry *kv_table[64];

static unsigned kv_hash(const uint8_t *p, size_t n)
{
    unsigned h = 5381;
    for (size_t i = 0; i < n; i++) {
        h = h * 33u + p[i];
    }
    return h % 64u;
}

static struct kv_entry *kv_find(RustBuffer key)
{
    struct kv_entry *e = kv_table[kv_hash(key.data, key.len)];
    for (; e; e = e->next) {
        if (strlen(e->key) == key.len && !memcmp(e->key, key.data, key.len)) {
            return e;
        }
    }
    return NULL;
}

static RustBuffer kv_copy(const uint8_t *p, size_t n)
{
    RustBuffer b = {n, n, malloc(n ? n : 1)};
    if (b.data) {
        memcpy(b.data, p, n);
    }
    return b;
}

static UniffiForeignFutureResultRustBuffer kv_error(int8_t code, const char *msg)
{
    UniffiForeignFutureResultRustBuffer r;
    memset(&r, 0, sizeof r);
    r.call_status.code = code;
    r.call_status.errorBuf = kv_copy((const uint8_t *)msg, strlen(msg));
    return r;
}

static void kv_noop_dropped(uint64_t handle)
{
    (void)handle;
}

void kv_store_get(uint64_t uniffi_handle, RustBuffer key,
                  UniffiForeignFutureCompleteRustBuffer complete, uint64_t complete_data,
                  UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)uniffi_handle;
    out_dropped->handle = 0;
    out_dropped->free = kv_noop_dropped;
    if (key.len == 0 || key.len >= KV_MAX_KEY) {
        complete(complete_data, kv_error(UNIFFI_CALL_ERROR, "bad key"));
        return;
    }
    struct kv_entry *e = kv_find(key);
    UniffiForeignFutureResultRustBuffer r;
    memset(&r, 0, sizeof r);
    if (!e) {
        complete(complete_data, kv_error(UNIFFI_CALL_ERROR, "missing"));
    } else {
        r.return_value = kv_copy(e->value, e->len);
    }
    complete(complete_data, r); // expect: foreign-complete-exactly-once@5
}

void kv_store_put(uint64_t uniffi_handle, RustBuffer key, RustBuffer value,
                  UniffiForeignFutureCompleteVoid complete, uint64_t complete_data,
                  UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)uniffi_handle;
    out_dropped->handle = 0;
    out_dropped->free = kv_noop_dropped;
    UniffiForeignFutureResultVoid r;
    memset(&r, 0, sizeof r);
    struct kv_entry *e = calloc(1, sizeof *e);
    if (!e || key.len >= KV_MAX_KEY) {
        free(e);
        r.call_status.code = UNIFFI_CALL_UNEXPECTED_ERROR;
        complete(complete_data, r);
        return;
    }
    memcpy(e->key, key.data, key.len);
    e->value = malloc(value.len ? value.len : 1);
    if (!e->value) {
        free(e);
        r.call_status.code = UNIFFI_CALL_UNEXPECTED_ERROR;
        complete(complete_data, r);
        return;
    }
    memcpy(e->value, value.data, value.len);
    e->len = value.len;
    unsigned slot = kv_hash(key.data, key.len);
    e->next = kv_table[slot];
    kv_table[slot] = e;
    complete(complete_data, r);
}
