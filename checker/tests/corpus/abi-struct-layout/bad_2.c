/* RustCallStatus with the code widened to int: errorBuf moves? no, but the code is 4 bytes. */
#include <stdint.h>

typedef struct RustBuffer {
    uint64_t capacity;
    uint64_t len;
    uint8_t *data;
} RustBuffer;

typedef struct RustCallStatus {
    int32_t code; // expect: abi-struct-layout@13
    RustBuffer errorBuf;
} RustCallStatus;
