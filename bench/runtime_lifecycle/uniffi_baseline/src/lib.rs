//! Two async exports driven through UniFFI's RustFuture, for bench/runtime_lifecycle.
//!
//! `bench_pending` stays pending until `uniffi_baseline_trigger()` (any thread) sets the
//! ready flag and wakes the one stashed waker; `bench_ready` is ready at once. The producer
//! side mirrors impl_asyncabi.c: one shared ready flag and one stashed waker, no per-future
//! state of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

uniffi::setup_scaffolding!("baseline");

static READY: AtomicBool = AtomicBool::new(false);
static STASHED: Mutex<Option<Waker>> = Mutex::new(None);

struct UntilTriggered;

impl Future for UntilTriggered {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if READY.load(Ordering::Acquire) {
            return Poll::Ready(1);
        }
        let old = STASHED.lock().unwrap().replace(cx.waker().clone());
        drop(old);
        Poll::Pending
    }
}

/// Pending until `uniffi_baseline_trigger()`; then 1.
#[uniffi::export]
pub async fn bench_pending() -> u64 {
    UntilTriggered.await
}

/// Ready on the first poll with 1.
#[uniffi::export]
pub async fn bench_ready() -> u64 {
    1
}

/// Called by the C driver before each pending export: the next future starts pending.
#[no_mangle]
pub extern "C" fn uniffi_baseline_reset() {
    READY.store(false, Ordering::Relaxed);
}

/// Makes the pending future ready and wakes its stashed waker (any thread).
#[no_mangle]
pub extern "C" fn uniffi_baseline_trigger() {
    READY.store(true, Ordering::Release);
    let waker = STASHED.lock().unwrap().take();
    if let Some(waker) = waker {
        waker.wake();
    }
}
