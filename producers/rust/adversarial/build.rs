//! Generates UniFFI's Rust scaffolding from the interface's one definition, fixtures/adversarial/adversarial.udl.
include!("../build_scaffolding.rs");

fn main() {
    generate("../../../fixtures/adversarial/adversarial.udl", "adversarial");
}
