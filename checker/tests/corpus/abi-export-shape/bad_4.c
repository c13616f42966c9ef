/* The scaffolding every producer exports: contract version, checksums, RustBuffer functions. */
#include <stdint.h>
#include "asyncabi/abi.h"

int ffi_demo_uniffi_contract_version(void); // expect: abi-export-shape@5
uint32_t uniffi_demo_checksum_func_say_after(void); // expect: abi-export-shape@10
RustBuffer ffi_demo_rustbuffer_alloc(uint32_t size, RustCallStatus *out_status); // expect: abi-export-shape@12
void ffi_demo_rustbuffer_free(RustBuffer *buf, RustCallStatus *out_status); // expect: abi-export-shape@6
RustBuffer ffi_demo_rustbuffer_from_bytes(ForeignBytes bytes, RustCallStatus *out_status);
RustBuffer ffi_demo_rustbuffer_reserve(RustBuffer buf, uint64_t additional, RustCallStatus *out_status);
uint16_t uniffi_demo_checksum_method_megaphone_say(void);
