//! One computation for many concurrent callers of the same key.
//!
//! When a live update retires a cached answer, every request for it misses at once; without
//! this, each of them loads and serialises the same series (64 connections: 64 loads fighting
//! for two cores). [`SingleFlight::run`] lets the first caller compute and the others wait for
//! its value. Callers that arrive once the value is made but before the flight is forgotten get
//! it at once, so the owner should store the value where later callers look (the cache)
//! before the flight ends.
//!
//! The flight survives its leader: if the request that computes is dropped (its client went
//! away), the next waiter computes instead ([`tokio::sync::OnceCell`] runs one initialiser at a
//! time and hands over when one is cancelled).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

/// Flights in progress by key; cheap to clone (shared).
pub struct SingleFlight<K, V> {
    flights: Arc<Mutex<HashMap<K, Arc<OnceCell<V>>>>>,
}

impl<K, V> Clone for SingleFlight<K, V> {
    fn clone(&self) -> Self {
        Self {
            flights: Arc::clone(&self.flights),
        }
    }
}

impl<K, V> Default for SingleFlight<K, V> {
    fn default() -> Self {
        Self {
            flights: Arc::default(),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// The value of `compute` for `key`, computed once for every caller that asks while a
    /// computation of the same key is in progress.
    pub async fn run<F, Fut>(&self, key: K, compute: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(flights.entry(key.clone()).or_default())
        };
        // The guard holds this caller's only reference, so that its drop can count who is
        // still waiting.
        let leave = Leave {
            flights: &self.flights,
            key,
            cell,
        };
        leave.cell.get_or_init(compute).await.clone()
    }

    /// Keys with a flight in progress.
    #[cfg(test)]
    pub fn in_flight(&self) -> usize {
        self.flights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Forgets a flight when its value is made or its last caller leaves, whichever comes first;
/// runs on drop so that a cancelled caller cleans up too.
struct Leave<'a, K: Eq + Hash, V> {
    flights: &'a Mutex<HashMap<K, Arc<OnceCell<V>>>>,
    key: K,
    cell: Arc<OnceCell<V>>,
}

impl<K: Eq + Hash, V> Drop for Leave<'_, K, V> {
    fn drop(&mut self) {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = flights
            .get(&self.key)
            .is_some_and(|cell| Arc::ptr_eq(cell, &self.cell));
        // Clones are only taken under this lock, so the count cannot grow while it is held:
        // two references (the map's and ours) means nobody else waits on this flight.
        let abandoned = Arc::strong_count(&self.cell) == 2;
        if ours && (self.cell.initialized() || abandoned) {
            flights.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_of_one_key_share_one_computation() {
        let flights = SingleFlight::<&str, u64>::default();
        let computations = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(64));
        let callers: Vec<_> = (0..64)
            .map(|_| {
                let (flights, computations, barrier) =
                    (flights.clone(), computations.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    flights
                        .run("GOLD", || async {
                            computations.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            42
                        })
                        .await
                })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), 42);
        }
        assert_eq!(computations.load(Ordering::SeqCst), 1);
        assert_eq!(flights.in_flight(), 0, "the finished flight is forgotten");
        // A later call computes again.
        let again = flights.run("GOLD", || async { 7 }).await;
        assert_eq!(again, 7);
    }

    #[tokio::test]
    async fn a_cancelled_leader_hands_the_computation_to_a_waiter() {
        let flights = SingleFlight::<&str, u64>::default();
        let leader = {
            let flights = flights.clone();
            tokio::spawn(async move {
                flights
                    .run("GOLD", || async {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        1
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let waiter = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run("GOLD", || async { 2 }).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        leader.abort();
        assert_eq!(waiter.await.unwrap(), 2);
        assert_eq!(flights.in_flight(), 0);
    }

    #[tokio::test]
    async fn an_abandoned_flight_is_forgotten() {
        let flights = SingleFlight::<&str, u64>::default();
        let call = flights.run("GOLD", std::future::pending::<u64>);
        let timed_out = tokio::time::timeout(Duration::from_millis(20), call).await;
        assert!(timed_out.is_err());
        assert_eq!(flights.in_flight(), 0);
    }
}
