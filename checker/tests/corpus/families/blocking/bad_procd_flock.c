/* procd: runs a helper program and exposes its exit status as a UniFFI future.
 *
 * The poll function checks the child without waiting (waitpid with WNOHANG) and re-arms a
 * timer to look again; the output file is locked without blocking (LOCK_NB) so that two
 * runs never write it at once.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asyncabi/buffer.h"
#include "asyncabi/future.h"
#include "asyncabi/timer.h"
#include "asyncabi/waker.h"

#define CHECK_EVERY_NS 20000000ull

typedef struct proc_run {
    pid_t pid;
    int out_fd;
    int locked;
    int status;
    aa_waker *waker;
    char path[128];
} proc_run;

static int lock_output(proc_run *r)
{
    if (r->locked) {
        return 1;
    }
    r->locked = flock(r->out_fd, LOCK_EX) == 0;
    return r->locked;
}

static int child_exited(proc_run *r)
{
    int status = 0;
    pid_t got = waitpid(r->pid, &status, WNOHANG);
    if (got == r->pid) {
        r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return 1;
    }
    return 0;
}

static aa_poll proc_poll(aa_future *future, void *state)
{
    proc_run *r = state;
    if (!r->waker) {
        r->waker = aa_future_waker(future);
    }
    if (!lock_output(r) || !child_exited(r)) { // expect: blocking-in-poll@10
        aa_timer_after(CHECK_EVERY_NS, aa_waker_retain(r->waker));
        return AA_PENDING;
    }
    aa_future_return_value(future, (aa_value){.i32 = r->status});
    return AA_READY;
}

/* Drop in any state: a child still running is asked to stop (it is reaped by init once we
 * are gone; waiting for it here would block the thread that drops the future, which may be
 * the binding's event loop). */
static void proc_drop(void *state)
{
    proc_run *r = state;
    if (r->pid > 0 && r->status == 0) {
        kill(r->pid, SIGTERM);
    }
    if (r->waker) {
        aa_waker_release(r->waker);
    }
    close(r->out_fd);
    free(r);
}

static const aa_future_vtable proc_vtable = {proc_poll, proc_drop, "run_helper"};

uint64_t uniffi_procd_fn_func_run_helper(RustBuffer path)
{
    proc_run *r = calloc(1, sizeof *r);
    if (!r) {
        aa_buffer_free(path);
        return 0;
    }
    size_t n = path.len < sizeof r->path - 1 ? (size_t)path.len : sizeof r->path - 1;
    memcpy(r->path, path.data, n);
    aa_buffer_free(path);
    r->out_fd = open("/tmp/procd.out", O_WRONLY | O_CREAT | O_APPEND, 0600);
    r->pid = fork();
    if (r->pid == 0) {
        execl(r->path, r->path, (char *)NULL);
        _exit(127);
    }
    return aa_future_new(AA_TYPE_I32, &proc_vtable, r);
}
