//! `uniffi-bindgen` at the release this project pins: UniFFI's own command line, unchanged.

fn main() {
    uniffi::uniffi_bindgen_main()
}
