//! The numbers of one dump from its thread records: who waits for which lock and who
//! holds it, groups of threads at the same frames, and thread pools.

use std::collections::HashMap;

use super::dump::ThreadRecord;
use super::parse::{self, Holder, LockRef};
use super::{ContendedLock, StackGroup, ThreadDump, ThreadPool};

/// Waits and holders per lock, ranked.
pub(super) fn lock_facts(threads: &[ThreadRecord], top: usize, dump: &mut ThreadDump) {
    struct LockEntry<'a> {
        address: String,
        class: Option<String>,
        kind: &'static str,
        waiters: Vec<usize>,
        hints: Vec<&'a Holder>,
    }
    let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, thread) in threads.iter().enumerate() {
        // A thread inside `X.wait()` has released X, also while it queues to re-lock it
        // (JDK 17+ prints `- locked <X>` under `- waiting to re-lock in wait() <X>`).
        let released = |l: &&LockRef| {
            !thread.waiting_on.contains(&l.address) && thread.relock.as_ref().is_none_or(|r| r.address != l.address)
        };
        for lock in thread.locked.iter().filter(released).chain(thread.owned.iter()) {
            let list = holders.entry(lock.address.as_str()).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
        dump.shows_lock_owners |= !thread.locked.is_empty() || !thread.owned.is_empty();
    }
    let by_id: HashMap<&str, usize> = threads
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.thread_id.as_deref().map(|id| (id, i)))
        .collect();
    let mut locks: Vec<LockEntry> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, thread) in threads.iter().enumerate() {
        let wait = match (&thread.wait, &thread.relock) {
            (Some((lock, kind)), _) => Some((lock, *kind)),
            (None, Some(lock)) if thread.state.as_deref() == Some("BLOCKED") => Some((lock, "monitor")),
            _ => None,
        };
        let Some((lock, kind)) = wait else { continue };
        dump.threads_waiting_for_locks += 1;
        let at = *index.entry(lock.address.as_str()).or_insert_with(|| {
            locks.push(LockEntry {
                address: lock.address.clone(),
                class: None,
                kind,
                waiters: Vec::new(),
                hints: Vec::new(),
            });
            locks.len() - 1
        });
        let entry = &mut locks[at];
        if entry.class.is_none() {
            entry.class = lock.class.clone();
        }
        entry.waiters.push(i);
        if let Some(hint) = &thread.owner_hint {
            if !entry.hints.contains(&hint) {
                entry.hints.push(hint);
            }
        }
    }
    // Most waiters first; ties by numeric address (shorter hex is smaller).
    locks.sort_by(|a, b| {
        b.waiters
            .len()
            .cmp(&a.waiters.len())
            .then(a.address.len().cmp(&b.address.len()))
            .then(a.address.cmp(&b.address))
    });
    dump.contended_lock_count = locks.len();
    dump.most_contended_waiters = locks.first().map_or(0, |l| l.waiters.len());
    dump.most_contended_lock_count = locks
        .iter()
        .take_while(|l| l.waiters.len() == dump.most_contended_waiters)
        .count();
    dump.most_contended_tie = dump.most_contended_lock_count > 1;
    dump.contended_locks = locks
        .into_iter()
        .take(top)
        .map(|lock| {
            let owner_ids = holders.get(lock.address.as_str()).cloned().unwrap_or_default();
            let mut owners: Vec<String> = owner_ids.iter().map(|&i| threads[i].name.clone()).collect();
            if owners.is_empty() {
                // No thread shows it held: the holder the waiters' tool printed, by name or id.
                owners = lock
                    .hints
                    .iter()
                    .filter_map(|hint| match hint {
                        Holder::Name(name) => Some(name.clone()),
                        Holder::Id(id) => by_id.get(id.as_str()).map(|&i| threads[i].name.clone()),
                    })
                    .collect();
            }
            owners.dedup();
            let first = owner_ids.first().map(|&i| &threads[i]);
            let class = lock.class.or_else(|| {
                first.and_then(|t| {
                    t.locked
                        .iter()
                        .chain(t.owned.iter())
                        .find(|l| l.address == lock.address)
                        .and_then(|l| l.class.clone())
                })
            });
            ContendedLock {
                waiters: lock.waiters.len(),
                waiter_names: lock
                    .waiters
                    .iter()
                    .take(top)
                    .map(|&i| threads[i].name.clone())
                    .collect(),
                owners: owners.into_iter().take(top).collect(),
                owner_state: first.and_then(|t| t.state.clone().or_else(|| t.status.clone())),
                owner_frame: first.and_then(|t| t.frames.first().cloned()),
                owner_waits_for: first.and_then(|t| t.wait.as_ref().map(|(l, _)| l.address.clone())),
                address: lock.address,
                class,
                kind: lock.kind.to_string(),
            }
        })
        .collect();
}

fn state_key(thread: &ThreadRecord) -> Option<String> {
    thread.state.clone().or_else(|| thread.status.clone())
}

pub(super) fn stack_groups(threads: &[ThreadRecord], top: usize, dump: &mut ThreadDump) {
    let mut groups: Vec<StackGroup> = Vec::new();
    let mut index: HashMap<(Option<String>, &[String]), usize> = HashMap::new();
    for thread in threads.iter().filter(|t| !t.frames.is_empty()) {
        let state = state_key(thread);
        let at = *index
            .entry((state.clone(), thread.frames.as_slice()))
            .or_insert_with(|| {
                groups.push(StackGroup {
                    threads: 0,
                    state,
                    frames: thread.frames.clone(),
                    application_frame: thread.application_frame.clone(),
                    thread_names: Vec::new(),
                });
                groups.len() - 1
            });
        let group = &mut groups[at];
        group.threads += 1;
        if group.thread_names.len() < top {
            group.thread_names.push(thread.name.clone());
        }
    }
    // Stable: equal sizes keep dump order.
    groups.sort_by_key(|g| std::cmp::Reverse(g.threads));
    dump.stack_group_count = groups.len();
    groups.truncate(top);
    dump.stack_groups = groups;
}

pub(super) fn pools(threads: &[ThreadRecord], top: usize, dump: &mut ThreadDump) {
    let mut pools: Vec<ThreadPool> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for thread in threads {
        let Some(prefix) = parse::pool_prefix(&thread.name) else {
            continue;
        };
        let at = *index.entry(prefix).or_insert_with(|| {
            pools.push(ThreadPool {
                name_prefix: prefix.to_string(),
                ..ThreadPool::default()
            });
            pools.len() - 1
        });
        let pool = &mut pools[at];
        pool.threads += 1;
        let state = state_key(thread).unwrap_or_else(|| "unknown".to_string());
        *pool.states.entry(state).or_default() += 1;
    }
    pools.retain(|p| p.threads >= 2);
    pools.sort_by_key(|p| std::cmp::Reverse(p.threads));
    dump.pool_count = pools.len();
    pools.truncate(top);
    dump.pools = pools;
}
