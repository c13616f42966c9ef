/* authcache: the C implementation of the foreign async trait `TokenSource`.
 *
 * Tokens are cached; a miss starts a refresh on the refresher thread, and every caller that
 * asked meanwhile is parked in the waiting list. Completions run after the cache lock is
 * dropped: the producer's complete callback may re-enter the cache.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asyncabi/abi.h"

#define MAX_PARKED 8

struct parked {
    UniffiForeignFutureCompleteRustBuffer complete;
    uint64_t complete_data;
};

static struct {
    pthread_mutex_t mu;
    uint8_t token[64];
    size_t token_len;
    int refreshing;
    struct parked parked[MAX_PARKED];
    int nparked;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

void refresher_kick(void);

static UniffiForeignFutureResultRustBuffer token_result(const uint8_t *p, size_t n)
{
    UniffiForeignFutureResultRustBuffer r;
    memset(&r, 0, sizeof r);
    r.return_value.data = malloc(n ? n : 1);
    if (r.return_value.data) {
        memcpy(r.return_value.data, p, n);
        r.return_value.len = r.return_value.capacity = n;
    }
    return r;
}

static void ignore_drop(uint64_t handle)
{
    (void)handle;
}

void token_source_get(uint64_t uniffi_handle, UniffiForeignFutureCompleteRustBuffer complete,
                      uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)uniffi_handle;
    out_dropped->handle = 0;
    out_dropped->free = ignore_drop;
    pthread_mutex_lock(&cache.mu);
    if (cache.token_len > 0) {
        uint8_t copy[64];
        size_t n = cache.token_len;
        memcpy(copy, cache.token, n);
        pthread_mutex_unlock(&cache.mu);
        complete(complete_data, token_result(copy, n));
        return;
    }
    if (cache.nparked == MAX_PARKED) {
        pthread_mutex_unlock(&cache.mu);
        UniffiForeignFutureResultRustBuffer busy;
        memset(&busy, 0, sizeof busy);
        busy.call_status.code = UNIFFI_CALL_UNEXPECTED_ERROR;
        complete(complete_data, busy);
        return;
    }
    cache.parked[cache.nparked].complete = complete;
    cache.parked[cache.nparked].complete_data = complete_data;
    cache.nparked++;
    int kick = !cache.refreshing;
    cache.refreshing = 1;
    pthread_mutex_unlock(&cache.mu);
    if (kick) {
        refresher_kick();
    }
}

/* Drops the cached token: the next get refreshes it. */
void token_source_invalidate(void)
{
    pthread_mutex_lock(&cache.mu);
    memset(cache.token, 0, sizeof cache.token);
    cache.token_len = 0;
    pthread_mutex_unlock(&cache.mu);
}

/* Called by the refresher thread with the new token. */
void token_refreshed(const uint8_t *token, size_t len)
{
    struct parked todo[MAX_PARKED];
    pthread_mutex_lock(&cache.mu);
    memcpy(cache.token, token, len < sizeof cache.token ? len : sizeof cache.token);
    cache.token_len = len < sizeof cache.token ? len : sizeof cache.token;
    int n = cache.nparked;
    memcpy(todo, cache.parked, sizeof todo);
    for (int i = 0; i < n; i++) {
        todo[i].complete(todo[i].complete_data, token_result(token, len)); // expect: lock-callback-under-lock@9
    }
    cache.nparked = 0;
    cache.refreshing = 0;
    pthread_mutex_unlock(&cache.mu);
}
