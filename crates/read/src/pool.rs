//! Reusing chunk-sized buffers. Fresh multi-megabyte allocations cost page faults and
//! zeroing on every chunk; handing buffers back keeps their pages warm.

use std::sync::{Arc, Mutex};

/// A shared stack of byte buffers. Cloning shares the pool.
#[derive(Clone, Default, Debug)]
pub struct BufferPool {
    free: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// Buffers kept at most; more are dropped.
const MAX_POOLED: usize = 16;

impl BufferPool {
    /// An empty buffer with at least `capacity` bytes of room.
    pub fn get(&self, capacity: usize) -> Vec<u8> {
        let reused = self.free.lock().ok().and_then(|mut f| f.pop());
        match reused {
            Some(mut v) => {
                v.clear();
                v.reserve(capacity);
                v
            }
            None => Vec::with_capacity(capacity),
        }
    }

    /// Returns a buffer for reuse.
    pub fn put(&self, buf: Vec<u8>) {
        if buf.capacity() == 0 {
            return;
        }
        if let Ok(mut f) = self.free.lock() {
            if f.len() < MAX_POOLED {
                f.push(buf);
            }
        }
    }
}
