//! The in-process backend: key → TAT in a sharded map, so that concurrent requests for
//! different principals rarely wait on the same lock. Memory stays bounded by the principals
//! seen in the last minute: a TAT in the past carries no state, so such entries are swept.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::{Decision, Gcra};

const SHARDS: usize = 32;
/// How often a shard drops its stale entries at the latest (µs) …
const SWEEP_EVERY_US: u64 = 10_000_000;
/// … and sooner when it has doubled since the last sweep (and holds at least this many), which
/// keeps the sweeps' cost constant per inserted key when many new principals appear at once.
const SWEEP_MIN_LEN: usize = 1024;

pub(super) struct MemoryLimiter {
    origin: Instant,
    hasher: RandomState,
    shards: Box<[Mutex<Shard>]>,
}

#[derive(Default)]
struct Shard {
    /// TAT in µs since `origin`.
    tats: HashMap<Box<str>, u64>,
    next_sweep: u64,
    len_after_sweep: usize,
}

impl MemoryLimiter {
    pub(super) fn new() -> MemoryLimiter {
        MemoryLimiter::with_shards(SHARDS)
    }

    pub(super) fn with_shards(shards: usize) -> MemoryLimiter {
        MemoryLimiter {
            origin: Instant::now(),
            hasher: RandomState::new(),
            shards: (0..shards.max(1))
                .map(|_| Mutex::new(Shard::default()))
                .collect(),
        }
    }

    pub(super) fn check(&self, key: &str, gcra: Gcra) -> Decision {
        self.check_at(key, gcra, self.now())
    }

    /// Microseconds since this limiter was made; monotonic, unlike the wall clock.
    pub(super) fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    pub(super) fn check_at(&self, key: &str, gcra: Gcra, now: u64) -> Decision {
        let mut shard = self.shard(key);
        if now >= shard.next_sweep || shard.tats.len() >= shard.sweep_len() {
            shard.sweep(now);
        }
        let (decision, new_tat) = gcra.decide(now, shard.tats.get(key).copied());
        if let Some(tat) = new_tat {
            match shard.tats.get_mut(key) {
                Some(slot) => *slot = tat,
                None => {
                    shard.tats.insert(key.into(), tat);
                }
            }
        }
        decision
    }

    /// Drops every entry whose TAT is not after `now`.
    #[cfg(test)]
    pub(super) fn sweep_all(&self, now: u64) {
        for shard in &self.shards {
            lock(shard).sweep(now);
        }
    }

    /// Number of keys holding state.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).tats.len()).sum()
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Shard> {
        let hash = self.hasher.hash_one(key);
        // The modulo keeps the index below `shards.len()`, which itself fits in a usize.
        let index = usize::try_from(hash % self.shards.len() as u64).unwrap_or(0);
        lock(&self.shards[index])
    }
}

/// A poisoned shard still holds valid TATs (every update is one store), so keep using it.
fn lock(shard: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shard {
    fn sweep_len(&self) -> usize {
        (self.len_after_sweep * 2).max(SWEEP_MIN_LEN)
    }

    fn sweep(&mut self, now: u64) {
        self.tats.retain(|_, tat| *tat > now);
        self.next_sweep = now + SWEEP_EVERY_US;
        self.len_after_sweep = self.tats.len();
    }
}
