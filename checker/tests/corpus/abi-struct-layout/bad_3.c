/* The dropped-callback struct with its fields swapped, and a packed result struct. */
#include <stdint.h>

typedef struct RustBuffer {
    uint64_t capacity;
    uint64_t len;
    uint8_t *data;
} RustBuffer;
typedef struct RustCallStatus {
    int8_t code;
    RustBuffer errorBuf;
} RustCallStatus;

typedef void (*UniffiForeignFutureDroppedCallback)(uint64_t handle);
typedef struct UniffiForeignFutureDroppedCallbackStruct {
    UniffiForeignFutureDroppedCallback free; // expect: abi-struct-layout@40
    uint64_t handle;
} UniffiForeignFutureDroppedCallbackStruct;

typedef struct __attribute__((packed)) UniffiForeignFutureResultU8 {
    uint8_t return_value;
    RustCallStatus call_status; // expect: abi-struct-layout@20
} UniffiForeignFutureResultU8;
