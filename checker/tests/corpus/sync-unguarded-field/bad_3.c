/* A pointer to const is still a mutable pointer; arrays of plain ints are mutable. */
#include <stdint.h>
#include "asyncabi/annotations.h"

struct AA_SHARED registry {
    const char *name; // expect: sync-unguarded-field@17
    uint64_t slots[8]; // expect: sync-unguarded-field@14
    const uint32_t capacity;
};
