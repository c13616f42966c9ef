/* Call-status codes renumbered. */
enum {
    UNIFFI_CALL_SUCCESS = 0,
    UNIFFI_CALL_ERROR = 1,
    UNIFFI_CALL_CANCELLED = 2, // expect: abi-code-values@5
    UNIFFI_CALL_UNEXPECTED_ERROR = 3 // expect: abi-code-values@5
};
