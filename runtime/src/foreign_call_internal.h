/* foreign_call_internal.h: what tests may know of foreign_call.c. */
#ifndef AA__FOREIGN_CALL_INTERNAL_H
#define AA__FOREIGN_CALL_INTERNAL_H

/* How many released foreign calls the runtime remembers (their tombstones, foreign_call.c),
 * so that a second completion of one of them frees its fresh buffers and never the first
 * completion's. A power of two. */
#define AA__FOREIGN_TOMBSTONES 256

#endif /* AA__FOREIGN_CALL_INTERNAL_H */
