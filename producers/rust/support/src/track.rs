//! What a Rust producer can see of its own futures, objects and foreign calls, and the control
//! exports built on it (`control_exports!`: the same C names and meanings as the C fixtures'
//! monitor, docs/fixture-interface.md, minus what only the monitor can see).
//!
//! The Rust producer has no monitor: UniFFI's own scaffolding owns every ABI entry point
//! (`rust_future_poll/cancel/complete/free`, `rustbuffer_*`, the foreign-future completion), so
//! nothing here sees the binding's calls. What the producer's code does see:
//!
//! - a future's *body* (the producer's async code) from its first poll until it is dropped,
//!   which UniFFI does when the future becomes ready or when the binding frees it. Its handle is
//!   the data pointer of the waker UniFFI hands to the body, which is the future's handle.
//! - its objects, from construction until their last reference is dropped.
//! - the foreign calls it makes, from the call until it drops its side of them.
//!
//! So `finish` can report `leaked-future` for a body still pending at the end (the binding never
//! freed a future it stopped awaiting) and `leaked-object` for an object of the scenario still
//! referenced; producers/rust/checks.json lists what each producer can judge.
//!
//! Tracking costs a global lock per item. `ASYNCABI_PRODUCER_TRACKING=off` (read once, at the
//! first tracked item) turns it off for benchmarks of UniFFI's own machinery: the report then says
//! `"tracking": false`, judges nothing and has null counters.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::Poll;

use crate::config;
use crate::misuse;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Future = 0,
    Object = 1,
    ForeignCall = 2,
}

struct Entry {
    kind: Kind,
    epoch: u64,
    handle: u64,
    name: &'static str,
    reported: bool,
}

struct Violation {
    code: &'static str,
    handle: u64,
    message: String,
}

struct Registry {
    entries: BTreeMap<u64, Entry>,
    next_id: u64,
    epoch: u64,        // bumped at every reset: entries of older epochs are not this scenario's
    created: [u64; 3], // per kind, since the reset
    events: u64,       // tracked creations and drops since the reset
    scenario: String,
    violations: Vec<Violation>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    entries: BTreeMap::new(),
    next_id: 1,
    epoch: 0,
    created: [0; 3],
    events: 0,
    scenario: String::new(),
    violations: Vec::new(),
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // A panic while the lock is held cannot leave the registry inconsistent (every update is a
    // single insert, remove or counter bump), so a poisoned lock is still usable.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether items are tracked: not when ASYNCABI_PRODUCER_TRACKING is "off" or "0".
pub fn tracking() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !matches!(std::env::var("ASYNCABI_PRODUCER_TRACKING").as_deref(), Ok("off") | Ok("0"))
    })
}

/// One tracked future body, object or foreign call; dropping it ends the item's life.
pub struct Tracked {
    id: u64, // 0: not tracked
}

impl Tracked {
    /// Starts tracking an item. `handle` is its ABI handle where known (0 otherwise).
    pub fn new(kind: Kind, name: &'static str, handle: u64) -> Tracked {
        if !tracking() {
            return Tracked { id: 0 };
        }
        let mut r = registry();
        let id = r.next_id;
        r.next_id += 1;
        let epoch = r.epoch;
        r.entries.insert(id, Entry { kind, epoch, handle, name, reported: false });
        r.created[kind as usize] += 1;
        r.events += 1;
        Tracked { id }
    }

    /// Records the handle once it is known (an object's, after its Arc was made).
    pub fn set_handle(&self, handle: u64) {
        if self.id == 0 {
            return;
        }
        if let Some(e) = registry().entries.get_mut(&self.id) {
            e.handle = handle;
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        let mut r = registry();
        r.entries.remove(&self.id);
        r.events += 1;
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tracked({})", self.id)
    }
}

/// Tracks the body of the future being polled: awaited first thing in a producer's async code.
/// The handle is the data pointer of the waker UniFFI passes in, which is the future's handle
/// (UniFFI 0.32.2 builds both from the same `Arc<RustFuture>`).
pub fn future_body(name: &'static str) -> impl Future<Output = Tracked> {
    std::future::poll_fn(move |cx| Poll::Ready(Tracked::new(Kind::Future, name, cx.waker().data() as u64)))
}

/// Sets seed and time scale (`asyncabi_fixture_configure`).
pub fn configure(seed: u64, time_scale: f64) {
    config::configure(seed, time_scale);
}

/// The current scenario's serial (each reset adds one), without the registry's lock: for
/// producer threads that must not outlive the scenario that started them (a future the binding
/// leaked stays leaked, but its threads stop when the next scenario begins).
pub fn scenario_serial() -> u64 {
    SCENARIO_SERIAL.load(Ordering::Relaxed)
}

static SCENARIO_SERIAL: AtomicU64 = AtomicU64::new(0);

/// Forgets violations, events and counters; items alive now are not this scenario's
/// (`asyncabi_monitor_reset`). Restarts the seed's call counter; keeps the scenario name.
pub fn reset() {
    let mut r = registry();
    r.epoch += 1;
    SCENARIO_SERIAL.store(r.epoch, Ordering::Relaxed);
    r.created = [0; 3];
    r.events = 0;
    r.violations.clear();
    drop(r);
    config::restart_streams();
}

/// Names the scenario in the report (`asyncabi_monitor_set_scenario`).
pub fn set_scenario(name: &str) {
    registry().scenario = name.to_string();
}

/// The end-of-scenario checks this producer can make (`leaked-future`: a future body of the
/// scenario still pending; `leaked-object`: an object of the scenario still referenced); returns
/// the number of violations. A leak is reported once per item.
pub fn finish() -> u32 {
    let mut r = registry();
    let epoch = r.epoch;
    let mut found = Vec::new();
    for e in r.entries.values_mut() {
        if e.epoch != epoch || e.reported {
            continue;
        }
        let code = match e.kind {
            Kind::Future => misuse::LEAKED_FUTURE,
            Kind::Object => misuse::LEAKED_OBJECT,
            Kind::ForeignCall => continue, // its future is the leak (or it was not: see checks.json)
        };
        e.reported = true;
        let what = match e.kind {
            Kind::Future => "the body of a future of this scenario is still pending: the binding never freed the future",
            _ => "an object of this scenario is still referenced at the end",
        };
        found.push(Violation { code, handle: e.handle, message: format!("{}: {what}", e.name) });
    }
    r.violations.extend(found);
    r.violations.len() as u32
}

/// The violation codes `finish` can report (the report's `judges`).
const JUDGES: [&str; 2] = [misuse::LEAKED_FUTURE, misuse::LEAKED_OBJECT];

/// The report, in the C monitor's format (docs/fixture-interface.md) with what the Rust producer
/// can observe; fields it cannot observe are null, and `judges` lists the violation codes it
/// can report at all.
pub fn report_json(library: &str) -> String {
    let r = registry();
    let epoch = r.epoch;
    let mut live = [0u64; 3];
    let mut process_live = [0u64; 3];
    for e in r.entries.values() {
        process_live[e.kind as usize] += 1;
        if e.epoch == epoch {
            live[e.kind as usize] += 1;
        }
    }
    let mut out = String::new();
    out.push('{');
    let _ = write!(out, "\"scenario\": {}, \"library\": {}, ", json_str(&r.scenario), json_str(library));
    out.push_str("\"producer\": \"rust\", \"monitor\": false, ");
    let on = tracking();
    let _ = write!(out, "\"tracking\": {on}, ");
    let judges: &[&str] = if on { &JUDGES } else { &[] };
    let judges: Vec<String> = judges.iter().map(|code| json_str(code)).collect();
    let _ = write!(out, "\"judges\": [{}], ", judges.join(", "));
    let _ = write!(out, "\"seed\": {}, \"time_scale\": {}, ", config::seed(), json_f64(config::time_scale()));
    out.push_str("\"violations\": [");
    for (i, v) in r.violations.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(
            out,
            "{{\"code\": {}, \"handle\": {}, \"handle_hex\": \"0x{:x}\", \"message\": {}, \"sequence\": [], \"count\": 1}}",
            json_str(v.code),
            v.handle,
            v.handle,
            json_str(&v.message)
        );
    }
    out.push_str("], \"counters\": {");
    if !on {
        out.push_str("\"futures_created\": null, \"live_futures\": null, \"live_buffers\": null, \"live_objects\": null, \"live_foreign_calls\": null");
        let _ = write!(out, "}}, \"events\": null}}");
        return out;
    }
    let _ = write!(
        out,
        "\"futures_created\": {}, \"live_futures\": {}, \"live_buffers\": null, \"live_objects\": {}, \
         \"live_foreign_calls\": {}, \"objects_created\": {}, \"foreign_calls_started\": {}, \
         \"process_live_futures\": {}, \"process_live_objects\": {}, \"process_live_foreign_calls\": {}",
        r.created[Kind::Future as usize],
        live[Kind::Future as usize],
        live[Kind::Object as usize],
        live[Kind::ForeignCall as usize],
        r.created[Kind::Object as usize],
        r.created[Kind::ForeignCall as usize],
        process_live[Kind::Future as usize],
        process_live[Kind::Object as usize],
        process_live[Kind::ForeignCall as usize],
    );
    let _ = write!(out, "}}, \"events\": {}}}", r.events);
    out
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_f64(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".to_string()
    }
}

/// Defines the control exports of one library (namespace `$ns`), with the C fixtures' names:
/// `asyncabi_fixture_configure`, `asyncabi_monitor_reset`, `asyncabi_monitor_set_scenario`,
/// `asyncabi_monitor_finish`, `asyncabi_monitor_report_json`, `asyncabi_monitor_free_string`.
#[macro_export]
macro_rules! control_exports {
    ($ns:literal) => {
        /// Seeds schedules and scales every delay (docs/fixture-interface.md).
        #[no_mangle]
        pub extern "C" fn asyncabi_fixture_configure(seed: u64, time_scale: f64) {
            $crate::track::configure(seed, time_scale)
        }

        /// Forgets violations, events and counters' baselines.
        #[no_mangle]
        pub extern "C" fn asyncabi_monitor_reset() {
            $crate::track::reset()
        }

        /// Names the scenario in reports. `name` is a NUL-terminated string or NULL.
        ///
        /// # Safety
        /// `name` must be NULL or point to a NUL-terminated string.
        #[no_mangle]
        pub unsafe extern "C" fn asyncabi_monitor_set_scenario(name: *const ::std::os::raw::c_char) {
            let name = if name.is_null() {
                ::std::borrow::Cow::Borrowed("")
            } else {
                ::std::ffi::CStr::from_ptr(name).to_string_lossy()
            };
            $crate::track::set_scenario(&name)
        }

        /// Runs the end-of-scenario checks; returns the number of violations.
        #[no_mangle]
        pub extern "C" fn asyncabi_monitor_finish() -> u32 {
            $crate::track::finish()
        }

        /// The report as NUL-terminated JSON, freed with asyncabi_monitor_free_string.
        #[no_mangle]
        pub extern "C" fn asyncabi_monitor_report_json() -> *mut ::std::os::raw::c_char {
            let json = $crate::track::report_json($ns);
            ::std::ffi::CString::new(json).map_or(::std::ptr::null_mut(), |s| s.into_raw())
        }

        /// Frees a string returned by asyncabi_monitor_report_json (NULL is ignored).
        ///
        /// # Safety
        /// `s` must be NULL or a string from asyncabi_monitor_report_json, not yet freed.
        #[no_mangle]
        pub unsafe extern "C" fn asyncabi_monitor_free_string(s: *mut ::std::os::raw::c_char) {
            if !s.is_null() {
                drop(::std::ffi::CString::from_raw(s));
            }
        }
    };
}
