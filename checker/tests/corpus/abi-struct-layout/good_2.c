/* Other field names, same layout: the rule checks offsets and sizes, not names. */
#include <stdint.h>

typedef struct RustBuffer {
    uint64_t cap;
    uint64_t length;
    unsigned char *bytes;
} RustBuffer;
typedef struct RustCallStatus {
    signed char status;
    RustBuffer message;
} RustCallStatus;
typedef struct {
    int64_t value;
    RustCallStatus status;
} UniffiForeignFutureResultI64;
typedef struct UniffiForeignFutureResultVoid {
    RustCallStatus status;
} UniffiForeignFutureResultVoid;
