"""The C types of the UniFFI async ABI as ctypes sees them (runtime/include/asyncabi/abi.h).

Layouts only: nothing here calls into a library. Every struct must match abi.h byte for byte.
"""
import ctypes

# ABI profiles are named by UniFFI's contract version (ffi_<ns>_uniffi_contract_version(); the
# interface.json `profile` field; docs/abi.md section 10):
#   25  UniFFI 0.26        RustBuffer lengths are i32, no foreign futures
#   26  UniFFI 0.27-0.28   object handles are pointers, 13 future families (with `pointer`),
#   29  UniFFI 0.29        vtables end with uniffi_free and have no clone; a foreign async call
#                          fills a UniffiForeignFuture out-parameter (this runner's legacy mode)
#   30  UniFFI 0.30-0.32   u64 handles (producer's even, foreign odd), 12 families, vtables start
#                          with uniffi_free and uniffi_clone, dropped-callback struct pre-filled
CONTRACT_VERSIONS = {25: "0.26", 26: "0.27-0.28", 29: "0.29", 30: "0.30-0.32"}
CURRENT_CONTRACT_VERSION = 30

POLL_READY = 0
POLL_WAKE = 1  # named MAYBE_READY before 0.30.0 (contract 30)

CALL_SUCCESS = 0
CALL_ERROR = 1
CALL_UNEXPECTED_ERROR = 2
CALL_CANCELLED = 3


class RustBuffer(ctypes.Structure):
    _fields_ = [("capacity", ctypes.c_uint64), ("len", ctypes.c_uint64),
                ("data", ctypes.POINTER(ctypes.c_uint8))]

    def to_bytes(self) -> bytes:
        if self.len == 0 or not self.data:
            return b""
        return ctypes.string_at(self.data, self.len)


class ForeignBytes(ctypes.Structure):
    _fields_ = [("len", ctypes.c_int32), ("data", ctypes.POINTER(ctypes.c_uint8))]


class RustCallStatus(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int8), ("errorBuf", RustBuffer)]


ContinuationCallback = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_int8)
ForeignFutureDroppedCallback = ctypes.CFUNCTYPE(None, ctypes.c_uint64)


class ForeignFutureDroppedCallbackStruct(ctypes.Structure):
    _fields_ = [("handle", ctypes.c_uint64), ("free", ForeignFutureDroppedCallback)]


class LegacyForeignFuture(ctypes.Structure):
    """UniffiForeignFuture, filled by the binding: profile 29 and older (UniFFI up to 0.29)."""
    _fields_ = [("handle", ctypes.c_uint64), ("free", ForeignFutureDroppedCallback)]


# The future families and their C value types (None: void).
FAMILY_CTYPES = {
    "u8": ctypes.c_uint8, "i8": ctypes.c_int8, "u16": ctypes.c_uint16, "i16": ctypes.c_int16,
    "u32": ctypes.c_uint32, "i32": ctypes.c_int32, "u64": ctypes.c_uint64, "i64": ctypes.c_int64,
    "f32": ctypes.c_float, "f64": ctypes.c_double, "rust_buffer": RustBuffer, "void": None,
}

_result_structs = {}
_complete_types = {}


def foreign_result_struct(family: str):
    """UniffiForeignFutureResult<T> for a family (cached: ctypes types must be unique)."""
    if family not in _result_structs:
        fields = [("call_status", RustCallStatus)]
        if FAMILY_CTYPES[family] is not None:
            fields.insert(0, ("return_value", FAMILY_CTYPES[family]))
        _result_structs[family] = type(f"ForeignFutureResult_{family}", (ctypes.Structure,),
                                       {"_fields_": fields})
    return _result_structs[family]


def foreign_complete_type(family: str):
    """UniffiForeignFutureComplete<T>: void (*)(uint64_t data, UniffiForeignFutureResult<T>)."""
    if family not in _complete_types:
        _complete_types[family] = ctypes.CFUNCTYPE(None, ctypes.c_uint64,
                                                   foreign_result_struct(family))
    return _complete_types[family]
