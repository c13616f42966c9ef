//! futures: fixtures/futures/futures.udl produced in Rust with UniFFI's own scaffolding.
//!
//! Same values, errors and delays (scaled by the time scale) as the C fixture in
//! fixtures/futures; each item says where it behaves differently and why. What UniFFI does by
//! itself is not re-done here: lifting arguments (bad UTF-8 or a bool that is not 0/1 completes
//! the future with status 2), lowering results, and the foreign-future machinery of
//! `AsyncParser` and `AsyncFormatter`. A panic in a future's body completes it with status 2
//! and the panic message, which plays the part of the C fixtures' `aa_future_return_unexpected`.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use asyncabi_producer::config::scaled;
use asyncabi_producer::timer::{sleep as timer_sleep, sleep_on, Sleep, OWN_RUNTIME, TIMERS};
use asyncabi_producer::track::{future_body, Kind, Tracked};

uniffi::include_scaffolding!("futures");
asyncabi_producer::control_exports!("futures");

// --- Types of the UDL ---

#[derive(Debug)]
pub enum MyError {
    Foo {},
}

#[derive(Debug)]
pub enum ParserError {
    NotAnInt {},
    UnexpectedError {},
}

#[derive(Debug)]
pub enum AsyncError {
    Timeout {},
}

macro_rules! display_as_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{self:?}")
            }
        }
        impl std::error::Error for $t {}
    )*};
}
display_as_debug!(MyError, ParserError, AsyncError);

/// A foreign implementation of a method that throws ParserError raised something else: upstream
/// maps it to ParserError::UnexpectedError, as the C fixture does.
impl From<uniffi::UnexpectedUniFFICallbackError> for ParserError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ParserError::UnexpectedError {}
    }
}

pub struct MyRecord {
    pub a: String,
    pub b: u32,
}

pub struct SharedResourceOptions {
    pub release_after_ms: u16,
    pub timeout_ms: u16,
}

// --- Traits of the UDL (UniFFI's UDL mode expects the crate to declare them) ---

/// Implemented by the producer only.
#[uniffi::trait_interface]
#[async_trait::async_trait]
pub trait SayAfterTrait: Send + Sync {
    async fn say_after(&self, ms: u16, who: String) -> String;
}

/// Implemented by the producer only.
#[uniffi::trait_interface]
#[async_trait::async_trait]
pub trait SayAfterUdlTrait: Send + Sync {
    async fn say_after(&self, ms: u16, who: String) -> String;
}

/// Implemented by the foreign side (a callback interface).
#[async_trait::async_trait]
pub trait AsyncParser: Send + Sync {
    async fn as_string(&self, delay_ms: i32, value: i32) -> String;
    async fn try_from_string(&self, delay_ms: i32, value: String) -> Result<i32, ParserError>;
    async fn delay(&self, delay_ms: i32);
    async fn try_delay(&self, delay_ms: String) -> Result<(), ParserError>;
}

/// Implemented by either side.
#[uniffi::trait_interface]
#[async_trait::async_trait]
pub trait AsyncFormatter: Send + Sync {
    async fn format(&self, delay_ms: i32, value: String) -> String;
    async fn parse(&self, delay_ms: i32, value: String) -> Result<i32, ParserError>;
}

/// Makes a tracked producer object: counted from here until its last reference is dropped.
fn tracked_object<T>(name: &'static str, make: impl FnOnce(Tracked) -> T, tracked: fn(&T) -> &Tracked) -> Arc<T> {
    let object = Arc::new(make(Tracked::new(Kind::Object, name, 0)));
    // UniFFI lowers an Arc<T> of an interface as Arc::into_raw: this pointer is the handle.
    tracked(&object).set_handle(Arc::as_ptr(&object) as u64);
    object
}

// --- Greetings and timers (say.c) ---

#[derive(Clone, Copy, PartialEq, Eq)]
enum SayStyle {
    Plain,      // "Hello, <who>!"
    Upper,      // "HELLO, <WHO>!"
    Tokio,      // "Hello, <who> (with Tokio)!", slept on the own-runtime thread
    TokioUpper, // the same, upper-cased
}

async fn say_future(ms: u64, who: String, style: SayStyle) -> String {
    let tokio = matches!(style, SayStyle::Tokio | SayStyle::TokioUpper);
    if tokio {
        // Woken by a thread that neither the binding nor the ordinary timers own, as upstream
        // sleeps on tokio: the binding must not care who wakes it.
        sleep_on(&OWN_RUNTIME, scaled(ms)).await;
    } else {
        timer_sleep(scaled(ms)).await;
    }
    let text = format!("Hello, {who}{}", if tokio { " (with Tokio)!" } else { "!" });
    if matches!(style, SayStyle::Upper | SayStyle::TokioUpper) {
        text.to_ascii_uppercase() // ASCII only, as the C fixture's toupper() in the C locale
    } else {
        text
    }
}

pub async fn always_ready() -> bool {
    let _body = future_body("always_ready").await;
    true
}

pub async fn void() {
    let _body = future_body("void").await;
}

pub fn greet(who: String) -> String {
    format!("Hello, {who}")
}

pub async fn say() -> String {
    let _body = future_body("say").await;
    say_future(2000, "Future".to_string(), SayStyle::Plain).await
}

pub async fn say_after(ms: u16, who: String) -> String {
    let _body = future_body("say_after").await;
    say_future(ms.into(), who, SayStyle::Plain).await
}

pub async fn say_after_with_tokio(ms: u16, who: String) -> String {
    let _body = future_body("say_after_with_tokio").await;
    say_future(ms.into(), who, SayStyle::Tokio).await
}

pub async fn sleep(ms: u16) -> bool {
    let _body = future_body("sleep").await;
    timer_sleep(scaled(ms.into())).await;
    true
}

pub async fn sleep_no_return(ms: u16) {
    let _body = future_body("sleep_no_return").await;
    timer_sleep(scaled(ms.into())).await;
}

// --- Errors and records (fallible.c) ---

pub async fn fallible_me(do_fail: bool) -> Result<u8, MyError> {
    let _body = future_body("fallible_me").await;
    if do_fail {
        Err(MyError::Foo {})
    } else {
        Ok(42)
    }
}

pub async fn new_my_record(a: String, b: u32) -> MyRecord {
    let _body = future_body("new_my_record").await;
    MyRecord { a, b }
}

// --- Megaphone and FallibleMegaphone (megaphone.c) ---

pub struct Megaphone {
    tracked: Tracked,
}

fn new_megaphone_arc() -> Arc<Megaphone> {
    tracked_object("Megaphone", |tracked| Megaphone { tracked }, |m| &m.tracked)
}

pub fn new_megaphone() -> Arc<Megaphone> {
    new_megaphone_arc()
}

pub async fn async_new_megaphone() -> Arc<Megaphone> {
    let _body = future_body("async_new_megaphone").await;
    new_megaphone_arc()
}

pub async fn async_maybe_new_megaphone(y: bool) -> Option<Arc<Megaphone>> {
    let _body = future_body("async_maybe_new_megaphone").await;
    y.then(new_megaphone_arc)
}

pub async fn fallible_struct(do_fail: bool) -> Result<Arc<Megaphone>, MyError> {
    let _body = future_body("fallible_struct").await;
    if do_fail {
        Err(MyError::Foo {})
    } else {
        Ok(new_megaphone_arc())
    }
}

/// The megaphone argument is a reference this future holds until it is dropped.
pub async fn say_after_with_megaphone(megaphone: Arc<Megaphone>, ms: u16, who: String) -> String {
    let _body = future_body("say_after_with_megaphone").await;
    let greeting = say_future(ms.into(), who, SayStyle::Upper).await;
    drop(megaphone); // held until here, as the C fixture's future holds its reference
    greeting
}

impl Megaphone {
    /// Upstream's constructors await a 0 ms timer first.
    pub async fn new() -> Self {
        let _body = future_body("Megaphone.new").await;
        timer_sleep(Duration::ZERO).await;
        Megaphone { tracked: Tracked::new(Kind::Object, "Megaphone", 0) }
    }

    pub async fn secondary() -> Self {
        let _body = future_body("Megaphone.secondary").await;
        timer_sleep(Duration::ZERO).await;
        Megaphone { tracked: Tracked::new(Kind::Object, "Megaphone", 0) }
    }

    pub async fn say_after(&self, ms: u16, who: String) -> String {
        let _body = future_body("Megaphone.say_after").await;
        say_future(ms.into(), who, SayStyle::Upper).await
    }

    pub async fn say_after_with_tokio(&self, ms: u16, who: String) -> String {
        let _body = future_body("Megaphone.say_after_with_tokio").await;
        say_future(ms.into(), who, SayStyle::TokioUpper).await
    }

    pub async fn silence(&self) -> String {
        let _body = future_body("Megaphone.silence").await;
        String::new()
    }

    pub async fn fallible_me(&self, do_fail: bool) -> Result<u8, MyError> {
        let _body = future_body("Megaphone.fallible_me").await;
        if do_fail {
            Err(MyError::Foo {})
        } else {
            Ok(42)
        }
    }

    pub fn say_now(&self, who: String) -> String {
        format!("HELLO, {}!", who.to_ascii_uppercase())
    }
}

pub struct FallibleMegaphone {
    _tracked: Tracked,
}

impl FallibleMegaphone {
    /// Always fails with MyError.Foo (no object is ever made).
    pub async fn new() -> Result<Self, MyError> {
        let _body = future_body("FallibleMegaphone.new").await;
        Err(MyError::Foo {})
    }
}

// --- SayAfterTrait, SayAfterUdlTrait, UdlMegaphone, TestObject (say_after_trait.c, udl.c) ---

/// The producer's implementations of the two "say after" traits; they differ in identity only.
pub struct SayAfterImpl {
    _tracked: Tracked,
}

fn say_after_impl(name: &'static str) -> SayAfterImpl {
    SayAfterImpl { _tracked: Tracked::new(Kind::Object, name, 0) }
}

#[async_trait::async_trait]
impl SayAfterTrait for SayAfterImpl {
    async fn say_after(&self, ms: u16, who: String) -> String {
        let _body = future_body("SayAfterTrait.say_after").await;
        say_future(ms.into(), who, SayStyle::Plain).await
    }
}

#[async_trait::async_trait]
impl SayAfterUdlTrait for SayAfterImpl {
    async fn say_after(&self, ms: u16, who: String) -> String {
        let _body = future_body("SayAfterUdlTrait.say_after").await;
        say_future(ms.into(), who, SayStyle::Plain).await
    }
}

pub fn get_say_after_traits() -> Vec<Arc<dyn SayAfterTrait>> {
    vec![Arc::new(say_after_impl("SayAfterImpl1")), Arc::new(say_after_impl("SayAfterImpl2"))]
}

pub fn get_say_after_udl_traits() -> Vec<Arc<dyn SayAfterUdlTrait>> {
    vec![Arc::new(say_after_impl("SayAfterUdlImpl1")), Arc::new(say_after_impl("SayAfterUdlImpl2"))]
}

pub struct UdlMegaphone {
    _tracked: Tracked,
}

fn new_udl_megaphone() -> UdlMegaphone {
    UdlMegaphone { _tracked: Tracked::new(Kind::Object, "UdlMegaphone", 0) }
}

impl UdlMegaphone {
    pub async fn new() -> Self {
        let _body = future_body("UdlMegaphone.new").await;
        new_udl_megaphone()
    }

    pub async fn secondary() -> Self {
        let _body = future_body("UdlMegaphone.secondary").await;
        new_udl_megaphone()
    }

    pub async fn say_after(&self, ms: u16, who: String) -> String {
        let _body = future_body("UdlMegaphone.say_after").await;
        say_future(ms.into(), who, SayStyle::Upper).await
    }
}

pub struct TestObject {
    _tracked: Tracked,
}

impl TestObject {
    pub async fn new() -> Self {
        let _body = future_body("TestObject.new").await;
        TestObject { _tracked: Tracked::new(Kind::Object, "TestObject", 0) }
    }
}

// --- broken_sleep (broken_sleep.c) ---

/// Completes after `delay`; its waker is woken a second time `fail_after` after the deadline
/// (upstream wakes "incorrectly, on purpose"), usually after the binding freed the future. The
/// second timer is never cancelled: the stray wake must reach UniFFI's scheduler after free.
struct BrokenSleep {
    delay: Duration,
    fail_after: Duration,
    deadline: Option<Instant>,
}

impl Future for BrokenSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.deadline {
            None => {
                let deadline = Instant::now() + self.delay;
                self.deadline = Some(deadline);
                TIMERS.wake_at(deadline, cx.waker().clone());
                TIMERS.wake_at(deadline + self.fail_after, cx.waker().clone());
                Poll::Pending
            }
            Some(deadline) if Instant::now() < deadline => Poll::Pending,
            Some(_) => Poll::Ready(()),
        }
    }
}

pub async fn broken_sleep(ms: u16, fail_after: u16) {
    let _body = future_body("broken_sleep").await;
    BrokenSleep { delay: scaled(ms.into()), fail_after: scaled(fail_after.into()), deadline: None }.await
}

// --- use_shared_resource (shared_resource.c) ---

/// One process-wide async lock, FIFO, handed over directly to the first waiter on release (so no
/// later arrival can barge in). A dropped holder releases it; a dropped waiter leaves the queue
/// or, if the lock was granted to it meanwhile, passes it on: cancellation is safe only if the
/// binding frees the cancelled future.
struct AsyncLock {
    held: bool,
    queue: VecDeque<Arc<Waiter>>,
}

struct Waiter {
    granted: Mutex<bool>, // written under RESOURCE's lock, read by the waiter
    waker: Mutex<Option<Waker>>,
}

static RESOURCE: Mutex<AsyncLock> = Mutex::new(AsyncLock { held: false, queue: VecDeque::new() });

fn resource() -> std::sync::MutexGuard<'static, AsyncLock> {
    RESOURCE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Releases the lock: hands it to the first waiter and wakes it outside the lock.
fn release_resource() {
    let mut lock = resource();
    let next = lock.queue.pop_front();
    let waker = match &next {
        Some(w) => {
            *w.granted.lock().unwrap() = true; // held stays true: ownership moves
            w.waker.lock().unwrap().clone()
        }
        None => {
            lock.held = false;
            None
        }
    };
    drop(lock);
    if let Some(waker) = waker {
        waker.wake();
    }
}

enum Phase {
    Start,
    Waiting(Arc<Waiter>),
    Holding,
    Done,
}

struct SharedResourceUse {
    phase: Phase,
    timeout: Sleep,
    hold: Sleep,
}

impl Future for SharedResourceUse {
    type Output = Result<(), AsyncError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Phase::Start = this.phase {
            let mut lock = resource();
            if !lock.held {
                lock.held = true;
                this.phase = Phase::Holding;
            } else {
                let waiter = Arc::new(Waiter { granted: Mutex::new(false), waker: Mutex::new(Some(cx.waker().clone())) });
                lock.queue.push_back(Arc::clone(&waiter));
                this.phase = Phase::Waiting(waiter);
            }
        }
        if let Phase::Waiting(waiter) = &this.phase {
            let waiter = Arc::clone(waiter);
            let granted = *waiter.granted.lock().unwrap();
            if granted {
                this.phase = Phase::Holding;
            } else if Pin::new(&mut this.timeout).poll(cx).is_ready() {
                // Timed out, unless the grant raced with the timer: re-check under the lock.
                let mut lock = resource();
                let granted = *waiter.granted.lock().unwrap();
                if !granted {
                    lock.queue.retain(|w| !Arc::ptr_eq(w, &waiter));
                    drop(lock);
                    this.phase = Phase::Done;
                    return Poll::Ready(Err(AsyncError::Timeout {}));
                }
                drop(lock);
                this.phase = Phase::Holding;
            } else {
                return Poll::Pending;
            }
        }
        if let Phase::Holding = this.phase {
            if Pin::new(&mut this.hold).poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.phase = Phase::Done;
            release_resource();
            return Poll::Ready(Ok(()));
        }
        panic!("use_shared_resource polled after it finished");
    }
}

impl Drop for SharedResourceUse {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Waiting(waiter) => {
                let mut lock = resource();
                let granted = *waiter.granted.lock().unwrap();
                if !granted {
                    lock.queue.retain(|w| !Arc::ptr_eq(w, &waiter));
                }
                drop(lock);
                if granted {
                    release_resource();
                }
            }
            Phase::Holding => release_resource(),
            Phase::Start | Phase::Done => {}
        }
    }
}

pub async fn use_shared_resource(options: SharedResourceOptions) -> Result<(), AsyncError> {
    let _body = future_body("use_shared_resource").await;
    SharedResourceUse {
        phase: Phase::Start,
        timeout: timer_sleep(scaled(options.timeout_ms.into())),
        hold: timer_sleep(scaled(options.release_after_ms.into())),
    }
    .await
}

// --- AsyncParser: a foreign async trait (async_parser.c) ---

/// Counts a foreign call from the moment the producer makes it until it drops its side.
async fn foreign<T>(name: &'static str, call: impl Future<Output = T>) -> T {
    let _call = Tracked::new(Kind::ForeignCall, name, 0);
    call.await
}

pub async fn as_string_using_trait(obj: Box<dyn AsyncParser>, delay_ms: i32, value: i32) -> String {
    let _body = future_body("as_string_using_trait").await;
    foreign("AsyncParser.as_string", obj.as_string(delay_ms, value)).await
}

pub async fn try_from_string_using_trait(obj: Box<dyn AsyncParser>, delay_ms: i32, value: String) -> Result<i32, ParserError> {
    let _body = future_body("try_from_string_using_trait").await;
    foreign("AsyncParser.try_from_string", obj.try_from_string(delay_ms, value)).await
}

pub async fn delay_using_trait(obj: Box<dyn AsyncParser>, delay_ms: i32) {
    let _body = future_body("delay_using_trait").await;
    foreign("AsyncParser.delay", obj.delay(delay_ms)).await
}

pub async fn try_delay_using_trait(obj: Box<dyn AsyncParser>, delay_ms: String) -> Result<(), ParserError> {
    let _body = future_body("try_delay_using_trait").await;
    foreign("AsyncParser.try_delay", obj.try_delay(delay_ms)).await
}

/// Starts obj.delay(delay_ms) and drops it 1 ms (scaled) later: dropping UniFFI's foreign future
/// invokes the binding's dropped callback. Upstream asserts that the abort won, so the delay
/// finishing first is an unexpected error.
pub async fn cancel_delay_using_trait(obj: Box<dyn AsyncParser>, delay_ms: i32) {
    let _body = future_body("cancel_delay_using_trait").await;
    let mut call = Box::pin(foreign("AsyncParser.delay", obj.delay(delay_ms)));
    let mut abort = timer_sleep(scaled(1));
    let finished_first = std::future::poll_fn(|cx| {
        if call.as_mut().poll(cx).is_ready() {
            return Poll::Ready(true);
        }
        if Pin::new(&mut abort).poll(cx).is_ready() {
            return Poll::Ready(false);
        }
        Poll::Pending
    })
    .await;
    drop(call); // the abort: the dropped callback runs here, on the polling thread
    if finished_first {
        panic!("AsyncParser.delay completed before the producer aborted it");
    }
}

// --- swift_cancel_hang (swift_cancel.c) ---

static SWIFT_DROPS: AtomicU32 = AtomicU32::new(0);
static SWIFT_POLLS: AtomicU32 = AtomicU32::new(0);

/// Pending forever; counts its first poll and its drop.
struct Hang {
    polled: bool,
}

impl Future for Hang {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if !self.polled {
            self.polled = true;
            SWIFT_POLLS.fetch_add(1, Ordering::SeqCst);
        }
        Poll::Pending // never woken: only cancel and free end it
    }
}

impl Drop for Hang {
    fn drop(&mut self) {
        SWIFT_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

/// Never completes. Unlike the C fixture, a future freed before its first poll is not counted
/// as dropped: UniFFI runs none of the producer's code for it (see README.md).
pub async fn swift_cancel_hang() -> Result<(), MyError> {
    let _body = future_body("swift_cancel_hang").await;
    Hang { polled: false }.await;
    Ok(())
}

pub fn swift_cancel_drop_count() -> u32 {
    SWIFT_DROPS.load(Ordering::SeqCst)
}

pub fn swift_cancel_poll_count() -> u32 {
    SWIFT_POLLS.load(Ordering::SeqCst)
}

pub fn swift_cancel_reset() {
    SWIFT_DROPS.store(0, Ordering::SeqCst);
    SWIFT_POLLS.store(0, Ordering::SeqCst);
}

// --- AsyncFormatter: an async trait either side may implement (async_formatter.c) ---

pub struct PrefixFormatter {
    prefix: String,
    _tracked: Tracked,
}

#[async_trait::async_trait]
impl AsyncFormatter for PrefixFormatter {
    async fn format(&self, delay_ms: i32, value: String) -> String {
        timer_sleep(scaled(delay_ms.max(0) as u64)).await;
        format!("{}{value}", self.prefix)
    }

    async fn parse(&self, delay_ms: i32, value: String) -> Result<i32, ParserError> {
        timer_sleep(scaled(delay_ms.max(0) as u64)).await;
        value.parse::<i32>().map_err(|_| ParserError::NotAnInt {})
    }
}

pub fn new_async_formatter(prefix: String) -> Arc<dyn AsyncFormatter> {
    Arc::new(PrefixFormatter { prefix, _tracked: Tracked::new(Kind::Object, "AsyncFormatter", 0) })
}

/// UniFFI's own answer: a trait object the binding made carries the binding's (odd) handle.
fn is_producer(formatter: &Arc<dyn AsyncFormatter>) -> bool {
    formatter.uniffi_foreign_handle().is_none()
}

pub fn is_producer_formatter(formatter: Arc<dyn AsyncFormatter>) -> bool {
    is_producer(&formatter)
}

pub async fn format_using(formatter: Arc<dyn AsyncFormatter>, delay_ms: i32, value: String) -> String {
    let _body = future_body("format_using").await;
    if is_producer(&formatter) {
        formatter.format(delay_ms, value).await
    } else {
        foreign("AsyncFormatter.format", formatter.format(delay_ms, value)).await
    }
}

pub async fn parse_using(formatter: Arc<dyn AsyncFormatter>, delay_ms: i32, value: String) -> Result<i32, ParserError> {
    let _body = future_body("parse_using").await;
    if is_producer(&formatter) {
        formatter.parse(delay_ms, value).await
    } else {
        foreign("AsyncFormatter.parse", formatter.parse(delay_ms, value)).await
    }
}
