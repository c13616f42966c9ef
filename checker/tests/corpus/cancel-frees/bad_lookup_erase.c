/* cancel through a table lookup helper that erases and frees the entry */
#include <stdint.h>
#include <stdlib.h>
#include "asyncabi/abi.h"
struct ent { uint64_t id; char *buf; struct ent *next; };
static struct ent *table;
static struct ent *lookup(uint64_t h) { for (struct ent *e = table; e; e = e->next) if (e->id == h) return e; return NULL; }
static void erase(uint64_t h)
{
    struct ent **pp = &table;
    while (*pp && (*pp)->id != h) pp = &(*pp)->next;
    if (*pp) { struct ent *e = *pp; *pp = e->next; free(e->buf); free(e); }
}
void ffi_t_rust_future_poll_u8(uint64_t h, UniffiRustFutureContinuationCallback cb, uint64_t d) { (void)h; cb(d, 0); }
void ffi_t_rust_future_cancel_u8(uint64_t h) { erase(h); } // expect: cancel-frees@48
uint8_t ffi_t_rust_future_complete_u8(uint64_t h, RustCallStatus *s) { (void)s; return lookup(h) ? 1 : 0; }
void ffi_t_rust_future_free_u8(uint64_t h) { erase(h); }
