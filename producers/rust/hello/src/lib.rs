//! hello: examples/hello/hello.udl produced in Rust. `say_after(ms, who)` returns
//! "Hello, <who>!" after `ms` milliseconds (not scaled: the C example has no time scale either).

use std::time::Duration;

use asyncabi_producer::timer::sleep;

uniffi::include_scaffolding!("hello");

pub async fn say_after(ms: u64, who: String) -> String {
    sleep(Duration::from_millis(ms)).await;
    format!("Hello, {who}!")
}
