# frozen_string_literal: true

module UniffiAdapter
  # What UniFFI 0.32.2's generated Ruby really supports (docs/findings.md has what fails):
  #   cancellation              Thread#raise into the thread blocked in the generated
  #                             uniffi_rust_call_async; its ensure block calls rust_future_cancel,
  #                             drains the continuation and frees the future
  #   foreign_async             async methods of callback interfaces and [Trait, WithForeign]
  #                             traits (each call runs on a Thread the generated code starts)
  #   threads                   awaits from a second Ruby Thread; continuations and foreign calls
  #                             arriving on threads Ruby did not start (ruby-ffi's callback
  #                             dispatch)
  #   async_primary_constructor the Ruby generator keeps async primary constructors
  CAPABILITIES = %w[cancellation foreign_async threads async_primary_constructor].freeze
end
