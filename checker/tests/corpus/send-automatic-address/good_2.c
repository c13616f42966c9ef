/* Addresses of statics and of heap objects, and locals used only locally, are fine. */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/ffi.h"
#include "asyncabi/annotations.h"

ASYNCABI_DECLARE_FFI(demo)

struct AA_FUTURE_STATE job {
    int *progress;
    int local_copy;
};
static int global_progress;

void on_wake(uint64_t data, int8_t code);

void job_start(struct job *j, uint64_t handle)
{
    int tmp = 3;
    int *heap = malloc(sizeof *heap);
    j->progress = &global_progress;
    j->local_copy = tmp;
    j->progress = heap;
    int8_t *slot = malloc(1);
    ffi_demo_rust_future_poll_u8(handle, on_wake, (uint64_t)(uintptr_t)slot);
    int arr[4] = {0};
    j->local_copy = arr[1];
}
