/* Copying a local buffer into a runtime function that takes "data" by value is not a sink:
 * only callback data, user data, waker data and future state travel between threads. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "asyncabi/abi.h"

RustBuffer aa_copy_bytes(const void *data, size_t len);

RustBuffer message(void)
{
    char text[32];
    strcpy(text, "cancelled");
    return aa_copy_bytes(text, strlen(text));
}
