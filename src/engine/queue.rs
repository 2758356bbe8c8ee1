//! The pending-event queue: a binary heap of small keys plus a slab of event bodies.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Time;

/// Handle to a scheduled event, for cancellation. Stale handles are harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventId {
    slot: u32,
    seq: u64,
}

#[derive(Debug)]
struct Slot<E> {
    seq: u64,
    body: Option<E>,
}

/// Events ordered by `(time, sequence)`; sequence numbers are unique and increasing, so ties
/// in time pop first-in first-out.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<(Time, u64, u32)>>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
        }
    }

    /// Adds an event; O(log n), no allocation once the slab has grown.
    pub fn push(&mut self, time: Time, body: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Slot {
                    seq,
                    body: Some(body),
                };
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("more than 2^32 pending events");
                self.slots.push(Slot {
                    seq,
                    body: Some(body),
                });
                slot
            }
        };
        self.heap.push(Reverse((time, seq, slot)));
        EventId { slot, seq }
    }

    /// Marks an event cancelled; it is dropped when it reaches the top of the heap.
    pub fn cancel(&mut self, id: EventId) -> bool {
        match self.slots.get_mut(id.slot as usize) {
            Some(slot) if slot.seq == id.seq && slot.body.is_some() => {
                slot.body = None;
                true
            }
            _ => false,
        }
    }

    /// Time of the earliest live event, discarding cancelled ones on top.
    pub fn peek_time(&mut self) -> Option<Time> {
        while let Some(&Reverse((time, _, slot))) = self.heap.peek() {
            if self.slots[slot as usize].body.is_some() {
                return Some(time);
            }
            self.heap.pop();
            self.free.push(slot);
        }
        None
    }

    /// Removes and returns the earliest live event.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        while let Some(Reverse((time, _, slot))) = self.heap.pop() {
            self.free.push(slot);
            if let Some(body) = self.slots[slot as usize].body.take() {
                return Some((time, body));
            }
        }
        None
    }

    /// Number of entries in the heap, cancelled ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no entries remain.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_stale_ids_do_not_cancel_new_events() {
        let mut q = EventQueue::new();
        let a = q.push(Time(1), 1);
        assert_eq!(q.pop(), Some((Time(1), 1)));
        let b = q.push(Time(2), 2);
        assert_eq!(a.slot, b.slot, "slot reused");
        assert!(!q.cancel(a), "stale handle");
        assert_eq!(q.pop(), Some((Time(2), 2)));
        assert!(q.is_empty());
    }

    #[test]
    fn many_ties_pop_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..1000 {
            q.push(Time(7), i);
        }
        let order: Vec<i32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, (0..1000).collect::<Vec<_>>());
    }
}
