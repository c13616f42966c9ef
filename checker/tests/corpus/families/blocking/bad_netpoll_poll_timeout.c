/* netpoll: a socket-backed producer written without the asyncabi runtime.
 *
 * One request per handle: the rust_future poll function checks the socket without waiting
 * (poll with a zero timeout, recv with MSG_DONTWAIT) and either reports READY or registers
 * the continuation with the reactor thread, which calls it with WAKE when the socket is
 * readable.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asyncabi/abi.h"

#define REQ_BUF 2048

typedef struct net_req {
    int fd;
    uint8_t buf[REQ_BUF];
    size_t len;
    int done;
    int err;
} net_req;

/* The reactor (reactor.c): calls cb(data, WAKE) once when fd becomes readable. */
void reactor_watch(int fd, UniffiRustFutureContinuationCallback cb, uint64_t data);

static net_req *req_of(uint64_t handle)
{
    return (net_req *)(uintptr_t)handle;
}

static int socket_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 250) > 0 && (p.revents & POLLIN);
}

static void req_take(net_req *r)
{
    long n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, MSG_DONTWAIT);
    if (n > 0) {
        r->len += (size_t)n;
    } else if (n == 0) {
        r->done = 1;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        r->err = errno;
        r->done = 1;
    }
}

void ffi_netpoll_rust_future_poll_rust_buffer(uint64_t handle,
                                              UniffiRustFutureContinuationCallback callback,
                                              uint64_t callback_data)
{
    net_req *r = req_of(handle);
    if (!r->done && socket_readable(r->fd)) { // expect: blocking-in-poll@21
        req_take(r);
    }
    if (r->done) {
        callback(callback_data, UNIFFI_RUST_FUTURE_POLL_READY);
        return;
    }
    reactor_watch(r->fd, callback, callback_data);
}

void ffi_netpoll_rust_future_cancel_rust_buffer(uint64_t handle)
{
    net_req *r = req_of(handle);
    r->err = ECANCELED;
    r->done = 1;
}

RustBuffer ffi_netpoll_rust_future_complete_rust_buffer(uint64_t handle, RustCallStatus *status)
{
    net_req *r = req_of(handle);
    RustBuffer out = {0, 0, NULL};
    if (r->err) {
        status->code = r->err == ECANCELED ? UNIFFI_CALL_CANCELLED : UNIFFI_CALL_UNEXPECTED_ERROR;
        return out;
    }
    out.data = malloc(r->len ? r->len : 1);
    if (out.data) {
        memcpy(out.data, r->buf, r->len);
        out.len = out.capacity = r->len;
    }
    return out;
}

void ffi_netpoll_rust_future_free_rust_buffer(uint64_t handle)
{
    net_req *r = req_of(handle);
    close(r->fd);
    free(r);
}

uint64_t uniffi_netpoll_fn_func_read_reply(int32_t fd)
{
    net_req *r = calloc(1, sizeof *r);
    if (!r) {
        return 0;
    }
    r->fd = fd;
    return (uint64_t)(uintptr_t)r;
}
