//! Generates UniFFI's Rust scaffolding from the interface's one definition, examples/hello/hello.udl.
include!("../build_scaffolding.rs");

fn main() {
    generate("../../../examples/hello/hello.udl", "hello");
}
