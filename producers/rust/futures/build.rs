//! Generates UniFFI's Rust scaffolding from the interface's one definition, fixtures/futures/futures.udl.
include!("../build_scaffolding.rs");

fn main() {
    generate("../../../fixtures/futures/futures.udl", "futures");
}
