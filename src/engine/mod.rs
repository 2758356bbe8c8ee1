//! A small, domain-free discrete-event engine.
//!
//! What it is for: holding a clock and a queue of pending events, popping them in time order
//! and handing each to the caller's handler, which may schedule or cancel further events.
//! What it is not: it knows nothing about galleries, images, regions or money; the model in
//! [`crate::model`] gives meaning to events and to the unit of [`Time`].
//!
//! Guarantees:
//! - Events fire in order of `(time, insertion sequence)`: two events at the same time fire
//!   first-in first-out, so a run is a pure function of the handler and its inputs.
//! - Cancellation is lazy and O(1): a cancelled event stays in the heap and is skipped when
//!   it reaches the top.
//! - Event bodies live in a slab (`Vec`) reused through a free list; the heap holds small
//!   `(time, sequence, slot)` keys, so nothing is boxed per event.

mod queue;
mod time;

pub use queue::{EventId, EventQueue};
pub use time::{MaybeTime, Time};

/// A clock plus an event queue: the whole state the engine owns.
#[derive(Debug)]
pub struct Simulation<E> {
    now: Time,
    queue: EventQueue<E>,
    processed: u64,
}

impl<E> Default for Simulation<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Simulation<E> {
    /// An empty simulation at time zero.
    pub fn new() -> Self {
        Simulation {
            now: Time::ZERO,
            queue: EventQueue::new(),
            processed: 0,
        }
    }

    /// The current simulation time: the time of the event being handled.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of events handed out so far (cancelled events are not counted).
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Schedules `event` at absolute time `at`. A time in the past is moved to `now`: events
    /// never run backwards.
    pub fn schedule_at(&mut self, at: Time, event: E) -> EventId {
        self.queue.push(at.max(self.now), event)
    }

    /// Schedules `event` `delay` ticks after now (saturating).
    pub fn schedule_in(&mut self, delay: u64, event: E) -> EventId {
        self.queue.push(self.now.saturating_add(delay), event)
    }

    /// Cancels a pending event. Returns false when it already fired or was cancelled.
    pub fn cancel(&mut self, id: EventId) -> bool {
        self.queue.cancel(id)
    }

    /// Pops the next event strictly before `horizon`, advancing the clock to its time.
    /// Returns `None` when no such event remains (later events stay queued).
    pub fn next_before(&mut self, horizon: Time) -> Option<E> {
        if self.queue.peek_time()? >= horizon {
            return None;
        }
        let (time, event) = self.queue.pop()?;
        self.now = time;
        self.processed += 1;
        Some(event)
    }

    /// Runs `handler` on every event before `horizon`, in order; the handler may schedule
    /// and cancel events through the simulation it is given.
    pub fn run_until(&mut self, horizon: Time, mut handler: impl FnMut(&mut Self, E)) {
        while let Some(event) = self.next_before(horizon) {
            handler(self, event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fire_in_time_order_and_ties_fifo() {
        let mut sim = Simulation::new();
        sim.schedule_at(Time(5), 'c');
        sim.schedule_at(Time(1), 'a');
        sim.schedule_at(Time(5), 'd');
        sim.schedule_at(Time(3), 'b');
        let mut seen = Vec::new();
        sim.run_until(Time(100), |s, e| seen.push((s.now().0, e)));
        assert_eq!(seen, vec![(1, 'a'), (3, 'b'), (5, 'c'), (5, 'd')]);
    }

    #[test]
    fn handler_can_schedule_and_horizon_is_exclusive() {
        let mut sim = Simulation::new();
        sim.schedule_at(Time(0), 0u32);
        let mut fired = Vec::new();
        sim.run_until(Time(30), |s, n| {
            fired.push(s.now().0);
            s.schedule_in(10, n + 1);
        });
        // 0, 10, 20 fire; 30 is at the horizon and stays queued.
        assert_eq!(fired, vec![0, 10, 20]);
        assert_eq!(sim.processed(), 3);
        assert_eq!(sim.next_before(Time(31)), Some(3));
    }

    #[test]
    fn cancelled_events_are_skipped_and_cancel_reports_state() {
        let mut sim = Simulation::new();
        let a = sim.schedule_at(Time(1), "a");
        let b = sim.schedule_at(Time(2), "b");
        assert!(sim.cancel(a));
        assert!(!sim.cancel(a), "second cancel is a no-op");
        assert_eq!(sim.next_before(Time(10)), Some("b"));
        assert!(!sim.cancel(b), "already fired");
        assert_eq!(sim.next_before(Time(10)), None);
    }

    #[test]
    fn past_times_are_clamped_to_now() {
        let mut sim = Simulation::new();
        sim.schedule_at(Time(10), 1);
        assert_eq!(sim.next_before(Time(100)), Some(1));
        sim.schedule_at(Time(3), 2);
        assert_eq!(sim.next_before(Time(100)), Some(2));
        assert_eq!(sim.now(), Time(10));
    }
}
