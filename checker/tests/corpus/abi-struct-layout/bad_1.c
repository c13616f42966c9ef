/* RustBuffer with 32-bit lengths: right names, wrong layout. */
#include <stdint.h>

typedef struct RustBuffer {
    uint32_t capacity; // expect: abi-struct-layout@14
    uint32_t len;
    uint8_t *data;
} RustBuffer;
