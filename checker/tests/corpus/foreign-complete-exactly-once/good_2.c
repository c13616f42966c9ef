/* The callback is handed on to a task that completes later: not this function's job. */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/abi.h"

struct pending { UniffiForeignFutureCompleteI32 complete; uint64_t data; };
void enqueue(struct pending *p);

void parser_parse_later(uint64_t handle, int32_t value, UniffiForeignFutureCompleteI32 complete,
                        uint64_t complete_data, UniffiForeignFutureDroppedCallbackStruct *out_dropped)
{
    (void)handle;
    (void)value;
    (void)out_dropped;
    struct pending *p = malloc(sizeof *p);
    p->complete = complete;
    p->data = complete_data;
    enqueue(p);
}
