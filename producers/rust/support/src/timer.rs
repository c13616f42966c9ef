//! A timer thread that wakes wakers at deadlines, and the `Sleep` future built on it.
//!
//! Two services exist per library: [`TIMERS`] (the producer's ordinary timers, like the C
//! runtime's timer service) and [`OWN_RUNTIME`] (a second thread that plays upstream's tokio for
//! `say_after_with_tokio`: the wake comes from a thread that neither the binding nor the ordinary
//! timers own). Wakers are always woken with no lock held: a wake may run the binding's
//! continuation, which may take a lock of the binding's runtime.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

pub struct TimerService {
    name: &'static str,
    state: Mutex<TimerState>,
    changed: Condvar,
}

struct TimerState {
    queue: BinaryHeap<Reverse<(Instant, u64)>>,
    wakers: BTreeMap<u64, Waker>, // id -> waker; absent once fired or cancelled
    next_id: u64,
    started: bool,
}

/// The producer's ordinary timers.
pub static TIMERS: TimerService = TimerService::new("asyncabi-timers");
/// The "own runtime" thread (upstream: tokio).
pub static OWN_RUNTIME: TimerService = TimerService::new("asyncabi-own-rt");

impl TimerService {
    const fn new(name: &'static str) -> TimerService {
        TimerService {
            name,
            state: Mutex::new(TimerState {
                queue: BinaryHeap::new(),
                wakers: BTreeMap::new(),
                next_id: 1,
                started: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// Wakes `waker` at `deadline` from this service's thread; returns an id for `cancel`.
    /// If the thread cannot be started, wakes at once (an early wake is better than a lost
    /// one: every poll function re-checks the clock).
    pub fn wake_at(&'static self, deadline: Instant, waker: Waker) -> u64 {
        let mut st = self.state.lock().unwrap();
        if !st.started {
            let spawned = std::thread::Builder::new()
                .name(self.name.to_string())
                .spawn(move || self.run());
            if spawned.is_err() {
                drop(st);
                waker.wake();
                return 0;
            }
            st.started = true;
        }
        let id = st.next_id;
        st.next_id += 1;
        st.queue.push(Reverse((deadline, id)));
        st.wakers.insert(id, waker);
        drop(st);
        self.changed.notify_one();
        id
    }

    /// Forgets a timer that has not fired (its waker is dropped without a wake).
    pub fn cancel(&self, id: u64) {
        let removed = self.state.lock().unwrap().wakers.remove(&id);
        drop(removed); // outside the lock: dropping a waker may free a future
    }

    fn run(&'static self) {
        let mut st = self.state.lock().unwrap();
        loop {
            let Some(&Reverse((deadline, id))) = st.queue.peek() else {
                st = self.changed.wait(st).unwrap();
                continue;
            };
            let now = Instant::now();
            if deadline > now {
                st = self.changed.wait_timeout(st, deadline - now).unwrap().0;
                continue;
            }
            st.queue.pop();
            let waker = st.wakers.remove(&id);
            drop(st);
            if let Some(waker) = waker {
                waker.wake();
            }
            st = self.state.lock().unwrap();
        }
    }
}

/// Sleeps `delay` from its first poll, on `service`'s thread.
pub struct Sleep {
    delay: Duration,
    service: &'static TimerService,
    deadline: Option<Instant>,
    timer: u64, // 0: nothing to cancel
}

/// A sleep on the ordinary timers.
pub fn sleep(delay: Duration) -> Sleep {
    sleep_on(&TIMERS, delay)
}

/// A sleep on a given service (OWN_RUNTIME for the "with tokio" greetings).
pub fn sleep_on(service: &'static TimerService, delay: Duration) -> Sleep {
    Sleep { delay, service, deadline: None, timer: 0 }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = Instant::now();
        match self.deadline {
            None => {
                // Even a zero delay goes through the timer thread: the point of these fixtures
                // is the pending-then-woken path.
                let deadline = now + self.delay;
                self.deadline = Some(deadline);
                self.timer = self.service.wake_at(deadline, cx.waker().clone());
                Poll::Pending
            }
            Some(deadline) if now < deadline => Poll::Pending, // a spurious poll
            Some(_) => {
                self.timer = 0; // fired: that is what woke us
                Poll::Ready(())
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.timer != 0 {
            self.service.cancel(self.timer);
        }
    }
}
