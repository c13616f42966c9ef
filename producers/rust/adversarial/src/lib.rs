//! adversarial: fixtures/adversarial/adversarial.udl produced in Rust with UniFFI's own
//! scaffolding.
//!
//! Every export behaves legally under docs/abi.md, in a way real bindings have got wrong, as the C
//! fixture in fixtures/adversarial does: continuations inline, from producer threads before poll
//! returns, in storms, from a thread made for one wake; futures that never end; deep chains
//! through the foreign side; foreign calls made from threads with no event loop and dropped at
//! once or from another thread. Here the wakes go through UniFFI's own RustFuture scheduler.
//! Where Rust (with UniFFI's foreign futures) cannot do what the C fixture does, the item says so;
//! producers/rust/README.md has the list.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};

use asyncabi_producer::config::{scaled, Rng};
use asyncabi_producer::timer::sleep;
use asyncabi_producer::track::{future_body, scenario_serial, Kind, Tracked};

uniffi::include_scaffolding!("adversarial");
asyncabi_producer::control_exports!("adversarial");

// --- Traits of the UDL (callback interfaces: the foreign side implements them) ---

#[async_trait::async_trait]
pub trait Echoer: Send + Sync {
    async fn echo_u8(&self, value: u8) -> u8;
    async fn echo_i8(&self, value: i8) -> i8;
    async fn echo_u16(&self, value: u16) -> u16;
    async fn echo_i16(&self, value: i16) -> i16;
    async fn echo_u32(&self, value: u32) -> u32;
    async fn echo_i32(&self, value: i32) -> i32;
    async fn echo_u64(&self, value: u64) -> u64;
    async fn echo_i64(&self, value: i64) -> i64;
    async fn echo_f32(&self, value: f32) -> f32;
    async fn echo_f64(&self, value: f64) -> f64;
    async fn echo_string(&self, value: String) -> String;
    async fn echo_void(&self, value: u64);
    async fn out_of_range(&self) -> u8;
    async fn undeclared_error(&self) -> u32;
}

#[async_trait::async_trait]
pub trait Chainer: Send + Sync {
    async fn step(&self, depth: u32) -> u64;
}

/// Counts a foreign call from the moment the producer makes it until it drops its side.
async fn foreign<T>(name: &'static str, call: impl Future<Output = T>) -> T {
    let _call = Tracked::new(Kind::ForeignCall, name, 0);
    call.await
}

// --- Producer-owned threads (workers.c) ---

const WORKERS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on worker `index % 4` (started on first use); jobs of one worker run in order.
/// Wakes and foreign calls issued from there come from threads the binding never saw.
fn submit(index: u64, job: Job) {
    static POOL: OnceLock<Vec<Mutex<Sender<Job>>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        (0..WORKERS)
            .map(|i| {
                let (tx, rx) = channel::<Job>();
                std::thread::Builder::new()
                    .name(format!("asyncabi-worker-{i}"))
                    .spawn(move || {
                        for job in rx {
                            job();
                        }
                    })
                    .expect("starting a producer worker thread");
                Mutex::new(tx)
            })
            .collect()
    });
    let sender = pool[(index % WORKERS as u64) as usize].lock().unwrap().clone();
    if let Err(failed) = sender.send(job) {
        (failed.0)(); // the worker is gone: run here rather than lose a wake
    }
}

static SPAWNED_LIVE: AtomicU32 = AtomicU32::new(0);

/// Runs `job` on a brand-new thread that ends afterwards; false if it could not start (the job
/// is then dropped unrun).
fn spawn(job: impl FnOnce() + Send + 'static) -> bool {
    SPAWNED_LIVE.fetch_add(1, Ordering::Relaxed);
    let started = std::thread::Builder::new().name("asyncabi-oneshot".into()).spawn(move || {
        job();
        // Release: a reader that sees the count drop also sees what the job did.
        SPAWNED_LIVE.fetch_sub(1, Ordering::Release);
    });
    if started.is_err() {
        SPAWNED_LIVE.fetch_sub(1, Ordering::Relaxed);
    }
    started.is_ok()
}

pub fn live_producer_threads() -> u32 {
    SPAWNED_LIVE.load(Ordering::Acquire)
}

/// "Done, and woken", shared by a future and a producer thread that may outlive it.
struct Signal {
    done: AtomicBool,
    waker: Waker,
}

impl Signal {
    fn new(cx: &Context<'_>) -> Arc<Signal> {
        Arc::new(Signal { done: AtomicBool::new(false), waker: cx.waker().clone() })
    }

    /// The thread's side: mark done (release: the poll that sees it sees what came before), wake.
    fn fire(&self) {
        self.done.store(true, Ordering::Release);
        self.waker.wake_by_ref();
    }

    fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

// --- Continuations at awkward moments (wakes.c) ---

/// Wakes its own waker inside poll `times` times: the continuation runs before poll returns, on
/// the polling thread (UniFFI's scheduler finds the wake when it stores the continuation).
struct WakeInline {
    times: u32,
    polls: u32,
}

impl Future for WakeInline {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        if self.polls <= self.times {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.polls)
    }
}

pub async fn wake_inline(times: u32) -> u32 {
    let _body = future_body("wake_inline").await;
    WakeInline { times, polls: 0 }.await
}

/// `times` rounds; each round a worker chosen by the seed wakes at once, usually while poll is
/// still returning.
struct WakeBeforeReturn {
    times: u32,
    rounds_done: u32,
    polls: u32,
    round: Option<Arc<Signal>>,
    rng: Rng,
}

impl Future for WakeBeforeReturn {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        if let Some(round) = &self.round {
            if !round.is_done() {
                return Poll::Pending; // a spurious poll: the worker's wake is still coming
            }
            self.round = None;
            self.rounds_done += 1;
        }
        if self.rounds_done >= self.times {
            return Poll::Ready(self.polls);
        }
        let round = Signal::new(cx);
        self.round = Some(Arc::clone(&round));
        let worker = self.rng.below(WORKERS as u64);
        submit(worker, Box::new(move || round.fire()));
        Poll::Pending
    }
}

pub async fn wake_before_return(times: u32) -> u32 {
    let _body = future_body("wake_before_return").await;
    WakeBeforeReturn { times, rounds_done: 0, polls: 0, round: None, rng: Rng::next_stream() }.await
}

/// Every poll wakes its waker `wakes_per_poll` times (inline or from a seeded worker), plus a
/// last wake from a worker; ready at the `polls`-th poll, whatever woke it.
struct SpuriousWakes {
    wakes_per_poll: u32,
    polls_wanted: u32,
    polls: u32,
    rng: Rng,
}

impl Future for SpuriousWakes {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        if self.polls >= self.polls_wanted {
            return Poll::Ready(self.polls);
        }
        for _ in 0..self.wakes_per_poll {
            if self.rng.below(2) == 0 {
                cx.waker().wake_by_ref();
            } else {
                let waker = cx.waker().clone();
                submit(self.rng.below(WORKERS as u64), Box::new(move || waker.wake()));
            }
        }
        // At least one wake must follow this Pending: the last one, from a worker.
        let waker = cx.waker().clone();
        submit(self.rng.below(WORKERS as u64), Box::new(move || waker.wake()));
        Poll::Pending
    }
}

pub async fn spurious_wakes(wakes_per_poll: u32, polls: u32) -> u32 {
    let _body = future_body("spurious_wakes").await;
    SpuriousWakes { wakes_per_poll, polls_wanted: polls, polls: 0, rng: Rng::next_stream() }.await
}

/// Woken from a thread created for this one wake.
struct FreshThread {
    value: u64,
    signal: Option<Arc<Signal>>,
}

impl Future for FreshThread {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        match &self.signal {
            None => {
                let signal = Signal::new(cx);
                self.signal = Some(Arc::clone(&signal));
                if !spawn(move || signal.fire()) {
                    panic!("could not start a thread");
                }
                Poll::Pending
            }
            Some(signal) if !signal.is_done() => Poll::Pending,
            Some(_) => Poll::Ready(self.value),
        }
    }
}

pub async fn complete_from_fresh_thread(value: u64) -> u64 {
    let _body = future_body("complete_from_fresh_thread").await;
    FreshThread { value, signal: None }.await
}

// --- Every family on the consumer side (families.c) ---

/// The value back after one wake from a worker chosen by the seed: with the other exports this
/// gives a binding every one of the 12 future families to drive.
struct WorkerReturn<T> {
    value: Option<T>,
    signal: Option<Arc<Signal>>,
    rng: Rng,
}

impl<T: Unpin> Future for WorkerReturn<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &self.signal {
            None => {
                let signal = Signal::new(cx);
                self.signal = Some(Arc::clone(&signal));
                let worker = self.rng.below(WORKERS as u64);
                submit(worker, Box::new(move || signal.fire()));
                Poll::Pending
            }
            Some(signal) if !signal.is_done() => Poll::Pending,
            Some(_) => Poll::Ready(self.value.take().expect("polled after Ready")),
        }
    }
}

async fn worker_return<T: Unpin>(name: &'static str, value: T) -> T {
    let _body = future_body(name).await;
    WorkerReturn { value: Some(value), signal: None, rng: Rng::next_stream() }.await
}

pub async fn return_u16(value: u16) -> u16 {
    worker_return("return_u16", value).await
}

pub async fn return_i16(value: i16) -> i16 {
    worker_return("return_i16", value).await
}

pub async fn return_i64(value: i64) -> i64 {
    worker_return("return_i64", value).await
}

pub async fn return_f32(value: f32) -> f32 {
    worker_return("return_f32", value).await
}

pub async fn return_f64(value: f64) -> f64 {
    worker_return("return_f64", value).await
}

// --- Wake storms (storm.c) ---
// A storm never outlives its scenario: when the binding leaked the future (reported in that
// run), its threads stop at the next reset instead of waking into later runs.

/// Shared by the future and its threads (each holds an Arc; the last one frees it).
struct Storm {
    stop: AtomicBool, // set when the future is dropped
    finished: AtomicU32,
    wakes: AtomicU64,
    waker: Waker,
}

struct WakeStorm {
    threads: u32,
    wakes_per_thread: u64, // u64::MAX: until stopped
    storm: Option<Arc<Storm>>,
}

impl Future for WakeStorm {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.storm.is_none() {
            let storm = Arc::new(Storm {
                stop: AtomicBool::new(false),
                finished: AtomicU32::new(0),
                wakes: AtomicU64::new(0),
                waker: cx.waker().clone(),
            });
            self.storm = Some(Arc::clone(&storm));
            for _ in 0..self.threads {
                let mine = Arc::clone(&storm);
                let per_thread = self.wakes_per_thread;
                let scenario = scenario_serial();
                let started = spawn(move || {
                    let mut i = 0u64;
                    while i < per_thread
                        && !mine.stop.load(Ordering::Relaxed)
                        && scenario_serial() == scenario
                    {
                        mine.waker.wake_by_ref();
                        mine.wakes.fetch_add(1, Ordering::Relaxed);
                        if i & 63 == 63 {
                            std::thread::yield_now(); // a storm, not a livelock of the machine
                        }
                        i += 1;
                    }
                    // Release: the poll that sees every thread finished sees every wake counted.
                    mine.finished.fetch_add(1, Ordering::Release);
                    mine.waker.wake_by_ref();
                });
                if !started {
                    storm.finished.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let storm = self.storm.as_ref().unwrap();
        if storm.finished.load(Ordering::Acquire) < self.threads || self.wakes_per_thread == u64::MAX {
            return Poll::Pending;
        }
        Poll::Ready(storm.wakes.load(Ordering::Relaxed))
    }
}

impl Drop for WakeStorm {
    fn drop(&mut self) {
        if let Some(storm) = &self.storm {
            storm.stop.store(true, Ordering::Relaxed); // the threads hold their own references
        }
    }
}

pub async fn wake_storm(threads: u32, wakes_per_thread: u32) -> u64 {
    let _body = future_body("wake_storm").await;
    WakeStorm { threads: threads.min(64), wakes_per_thread: wakes_per_thread.into(), storm: None }.await
}

pub async fn wake_while_cancel(threads: u32) {
    let _body = future_body("wake_while_cancel").await;
    WakeStorm { threads: threads.min(64), wakes_per_thread: u64::MAX, storm: None }.await;
}

// --- Plain futures (simple.c) ---

/// value after ms plus a seeded jitter of up to ms/2 (scaled). The stream is drawn at the first
/// poll (the C fixture draws it in the export): UniFFI runs no producer code before that.
pub async fn echo_after(ms: u32, value: u64) -> u64 {
    let _body = future_body("echo_after").await;
    let jitter = Rng::next_stream().below(u64::from(ms / 2) + 1);
    sleep(scaled(u64::from(ms) + jitter)).await;
    value
}

pub async fn ready_at_once(value: u64) -> u64 {
    let _body = future_body("ready_at_once").await;
    value
}

static NEVER_DROPS: AtomicU64 = AtomicU64::new(0);

struct CountDrop;

impl Drop for CountDrop {
    fn drop(&mut self) {
        NEVER_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Pending forever without keeping a waker (Rust's future::pending()). Only a future that was
/// polled is counted when dropped: UniFFI runs no producer code for one freed before that.
pub async fn never_complete() {
    let _body = future_body("never_complete").await;
    let _count = CountDrop;
    std::future::pending::<()>().await;
}

pub fn never_complete_drops() -> u64 {
    NEVER_DROPS.load(Ordering::Relaxed)
}

/// len bytes of 'a' + i % 26, ready at once; more than 64 MiB is an unexpected error.
pub async fn big_string(len: u32) -> String {
    let _body = future_body("big_string").await;
    if len > 64 * 1024 * 1024 {
        panic!("len: more than 64 MiB");
    }
    (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect()
}

// --- chain (chain.c) ---

/// depth 0: 0 after a (zero) timer; else awaits chainer.step(depth) and adds one. The foreign
/// step awaits chain(its clone, depth - 1) and adds one, so chain(c, d) == 2 * d.
pub async fn chain(chainer: Box<dyn Chainer>, depth: u32) -> u64 {
    let _body = future_body("chain").await;
    if depth == 0 {
        sleep(scaled(0)).await;
        return 0;
    }
    foreign("Chainer.step", chainer.step(depth)).await + 1
}

// --- Echoer (echoer.c) ---

const FAMILIES: [&str; 12] =
    ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "rust_buffer", "void"];

/// Seed-derived values exposing truncation, sign and width mix-ups, as the C fixture's
/// adv_echo_values_for (same stream, same values).
struct EchoValues {
    r: u64,
    f32: f32,
    f64: f64,
    text: String,
}

fn echo_values(seed: u64) -> EchoValues {
    let mut rng = Rng::from_salt(seed ^ 0xec40);
    let r = rng.next_u64() | 0x8080_8080_8080_8080; // high bit of every byte set
    const FLOATS: [f32; 5] = [1.5, -3.25e-3, f32::MAX, 1e-40 /* subnormal */, -0.0];
    const DOUBLES: [f64; 5] = [-1e300, 0.1, 5e-324, 123456789.125, -0.0];
    let f32 = FLOATS[rng.below(5) as usize];
    let f64 = DOUBLES[rng.below(5) as usize];
    EchoValues { r, f32, f64, text: format!("\u{e9}ch\u{f8}-{r:016x}-\u{1f30d}") }
}

/// Awaits one echo of family `i`; true if it came back bit for bit.
async fn echo_family(echoer: &dyn Echoer, i: usize, v: &EchoValues) -> bool {
    let r = v.r;
    let name = "Echoer.echo";
    match i {
        0 => foreign(name, echoer.echo_u8(r as u8)).await == r as u8,
        1 => foreign(name, echoer.echo_i8((r >> 8) as i8)).await == (r >> 8) as i8,
        2 => foreign(name, echoer.echo_u16((r >> 16) as u16)).await == (r >> 16) as u16,
        3 => foreign(name, echoer.echo_i16((r >> 24) as i16)).await == (r >> 24) as i16,
        4 => foreign(name, echoer.echo_u32((r >> 32) as u32)).await == (r >> 32) as u32,
        5 => foreign(name, echoer.echo_i32(r as i32)).await == r as i32,
        6 => foreign(name, echoer.echo_u64(r)).await == r,
        7 => {
            let x = (r ^ 0x7000_0000_0000_0000) as i64;
            foreign(name, echoer.echo_i64(x)).await == x
        }
        // Equal by bits, so -0.0 and 0.0 are told apart.
        8 => foreign(name, echoer.echo_f32(v.f32)).await.to_bits() == v.f32.to_bits(),
        9 => foreign(name, echoer.echo_f64(v.f64)).await.to_bits() == v.f64.to_bits(),
        10 => foreign(name, echoer.echo_string(v.text.clone())).await == v.text,
        _ => {
            foreign(name, echoer.echo_void(r)).await;
            true
        }
    }
}

/// Awaits every family's echo in turn; 12, or an unexpected error naming the first family that
/// came back wrong. (A family that fails with status 2 makes UniFFI's lift panic with its own
/// message: an unexpected error too.)
pub async fn echo_all_families(echoer: Box<dyn Echoer>, seed: u64) -> u32 {
    let _body = future_body("echo_all_families").await;
    let values = echo_values(seed);
    for (i, family) in FAMILIES.iter().enumerate() {
        if !echo_family(echoer.as_ref(), i, &values).await {
            panic!("echo_{family} returned another value than it was given");
        }
    }
    FAMILIES.len() as u32
}

/// Passes out_of_range's result through: a binding that cannot lower its foreign value must
/// complete with status 2, which UniFFI's lift turns into a panic: status 2 here too.
pub async fn call_out_of_range(echoer: Box<dyn Echoer>) -> u8 {
    let _body = future_body("call_out_of_range").await;
    foreign("Echoer.out_of_range", echoer.out_of_range()).await
}

pub async fn call_undeclared_error(echoer: Box<dyn Echoer>) -> u32 {
    let _body = future_body("call_undeclared_error").await;
    foreign("Echoer.undeclared_error", echoer.undeclared_error()).await
}

/// Calls echo_u64(42) (one poll of UniFFI's foreign future makes the vtable call) and drops it at
/// once: the dropped callback runs before the binding's task can have started.
pub async fn drop_foreign_at_once(echoer: Box<dyn Echoer>) {
    let _body = future_body("drop_foreign_at_once").await;
    let mut call = Box::pin(foreign("Echoer.echo_u64", echoer.echo_u64(42)));
    std::future::poll_fn(|cx| {
        let _ = call.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await;
    drop(call);
}

type BoxedCall<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Calls echo_u64(7) on the polling thread, then hands the call to a new producer thread that
/// drops it `delay_ms` (scaled) later: the binding's dropped callback runs on that thread, which
/// has no event loop.
///
/// What Rust cannot do here: the C fixture then waits for the binding's completion of the
/// dropped call and returns its status (3 when the task was cancelled). UniFFI's foreign future
/// keeps the dropped-callback struct inside itself, so the only way to invoke that callback is to
/// drop the future, and with it the receiving end of the completion: a completion that arrives
/// afterwards is absorbed by UniFFI and never reaches producer code. This future therefore
/// completes once the drop happened, with -1 ("status not observable").
pub async fn drop_foreign_from_thread(echoer: Box<dyn Echoer>, delay_ms: u32) -> i8 {
    let _body = future_body("drop_foreign_from_thread").await;
    let echoer: Arc<dyn Echoer> = Arc::from(echoer);
    let mut call: BoxedCall<u64> = Box::pin(async move { foreign("Echoer.echo_u64", echoer.echo_u64(7)).await });
    let dropped = std::future::poll_fn(|cx| {
        if call.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None); // completed inside the call: nothing left to drop
        }
        Poll::Ready(Some(Signal::new(cx)))
    })
    .await;
    let Some(signal) = dropped else { return -1 };
    let delay = scaled(delay_ms.into());
    let thread_signal = Arc::clone(&signal);
    let started = spawn(move || {
        std::thread::sleep(delay);
        drop(call); // the dropped callback runs here
        thread_signal.fire();
    });
    if !started {
        panic!("could not start a thread"); // `call` was dropped unrun with the closure: at once
    }
    std::future::poll_fn(|_| if signal.is_done() { Poll::Ready(()) } else { Poll::Pending }).await;
    -1
}

/// Where the foreign call of echo_from_thread is: on the worker, back and pending, or done.
enum Slot {
    OnWorker,
    Pending(BoxedCall<u64>),
    Ready(u64),
}

/// The foreign call of echo_from_thread, shuttled between the binding's thread and a worker.
struct ThreadCall {
    slot: Mutex<Slot>,
    waker: Waker,
}

/// Calls echo_u64(value) from a producer worker (chosen by the seed) that has no event loop: the
/// worker polls UniFFI's foreign future once (which makes the vtable call), then hands it back
/// and wakes this future, which awaits the completion on the binding's side.
pub async fn echo_from_thread(echoer: Box<dyn Echoer>, value: u64) -> u64 {
    let _body = future_body("echo_from_thread").await;
    let echoer: Arc<dyn Echoer> = Arc::from(echoer);
    let call: BoxedCall<u64> = Box::pin(async move { foreign("Echoer.echo_u64", echoer.echo_u64(value)).await });
    let shared = std::future::poll_fn(|cx| {
        Poll::Ready(Arc::new(ThreadCall { slot: Mutex::new(Slot::OnWorker), waker: cx.waker().clone() }))
    })
    .await;
    let worker = Rng::next_stream().below(WORKERS as u64);
    let mine = Arc::clone(&shared);
    submit(
        worker,
        Box::new(move || {
            let mut call = call;
            let mut cx = Context::from_waker(&mine.waker);
            // The vtable call happens in this first poll, on the worker. Whatever it returns,
            // the future goes back to the binding's side, which polls it again when woken.
            let back = match call.as_mut().poll(&mut cx) {
                Poll::Ready(got) => Slot::Ready(got),
                Poll::Pending => Slot::Pending(call),
            };
            *mine.slot.lock().unwrap() = back;
            mine.waker.wake_by_ref();
        }),
    );
    let got = std::future::poll_fn(|cx| {
        let mut slot = shared.slot.lock().unwrap();
        match &mut *slot {
            Slot::OnWorker => Poll::Pending, // the worker wakes us when it hands the call back
            Slot::Pending(call) => call.as_mut().poll(cx),
            Slot::Ready(got) => Poll::Ready(*got),
        }
    })
    .await;
    if got != value {
        panic!("Echoer.echo_u64 returned another value");
    }
    got
}
