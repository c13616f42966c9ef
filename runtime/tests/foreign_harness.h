/* foreign_harness.h: a producer future that awaits one foreign call, and a fake binding side
 * that records what the producer handed it (complete_data, the dropped struct). */
#ifndef AA_TEST_FOREIGN_HARNESS_H
#define AA_TEST_FOREIGN_HARNESS_H

#include "harness.h"

typedef struct fh_binding {
    uint64_t complete_data;                              /* what the method received */
    UniffiForeignFutureDroppedCallbackStruct *dropped;   /* profile 0.29.2 */
    UniffiForeignFuture *legacy;                         /* legacy profile */
    _Atomic int dropped_calls;                           /* our dropped callback's count */
    bool use_legacy;
    bool complete_in_dropped;                            /* complete from inside the callback */
} fh_binding;

typedef struct fh_state {
    aa_foreign_call *call;
    fh_binding *binding;
    aa_type type;
} fh_state;

/* A future of family `type` whose first poll starts a foreign call of the same family. */
uint64_t fh_future_new(aa_type type, fh_binding *binding, _Atomic int *drops);

#endif
