// A C++ runner hands the handle to an owner whose destructor frees it (RAII).
#include <cstdint>
#include "asyncabi/ffi.h"

ASYNCABI_DECLARE_FFI(demo)
extern "C" uint64_t uniffi_demo_fn_func_sleep(uint16_t ms);

class Future {
public:
    explicit Future(uint64_t h) : handle_(h) {}
    ~Future() { ffi_demo_rust_future_free_void(handle_); }
    Future(const Future &) = delete;
    Future &operator=(const Future &) = delete;

private:
    uint64_t handle_;
};

void run()
{
    uint64_t h = uniffi_demo_fn_func_sleep(5);
    Future owner(h);
}
