//! One long-lived thread for the CPU work on large documents: their analysis jobs and the
//! publications too big to assemble on the serving thread.
//!
//! Why not tokio's blocking pool: glibc gives each thread that allocates a malloc arena of its
//! own, and an arena keeps the pages its largest transient needed. A large document's parse on
//! whichever pool thread was free, then its assemblies on another, left a high-water mark in
//! each arena; one thread reuses one arena (and the pool's threads stay idle). Small documents
//! keep the pool: their work is small, and they never wait behind a large one.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use ropey::Rope;

use super::shared::panic_message;

/// A document with more lines than this is large: its jobs and publications run here.
pub const LARGE_LINES: usize = 2_000;

type Job = Box<dyn FnOnce() + Send>;

/// The worker thread's queue. Clones share the thread, which ends when the last clone is dropped.
#[derive(Clone)]
pub struct Worker {
    /// `None` when the thread could not be started: work then goes to the blocking pool.
    jobs: Option<mpsc::Sender<Job>>,
}

impl Worker {
    /// Starts the thread, inside the current tokio runtime when there is one (a job may spawn
    /// a task, as a panicked job does to log it).
    pub fn start() -> Worker {
        let (sender, receiver) = mpsc::channel::<Job>();
        let runtime = tokio::runtime::Handle::try_current().ok();
        let serve = move || {
            let _entered = runtime.as_ref().map(tokio::runtime::Handle::enter);
            for job in receiver {
                job();
            }
        };
        let started = std::thread::Builder::new().name("article-lsp-large".into()).spawn(serve);
        Worker { jobs: started.ok().map(|_| sender) }
    }

    /// Whether work on `rope` belongs on this thread.
    pub fn is_large(rope: &Rope) -> bool {
        rope.len_lines() > LARGE_LINES
    }

    /// Runs `work` on the worker thread (on the blocking pool if it is gone). A panic is
    /// contained: the thread goes on with the next job. `work` must not block on other jobs.
    pub fn spawn(&self, work: impl FnOnce() + Send + 'static) {
        let job: Job = Box::new(move || {
            let _ = std::panic::catch_unwind(AssertUnwindSafe(work));
        });
        let rejected = match &self.jobs {
            Some(jobs) => jobs.send(job).err().map(|e| e.0),
            None => Some(job),
        };
        if let Some(job) = rejected {
            drop(tokio::task::spawn_blocking(job));
        }
    }

    /// Runs `work` on the worker thread and waits for its result, or the message of its panic.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.spawn(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|p| panic_message(p.as_ref()));
            let _ = sender.send(outcome);
        });
        receiver.await.unwrap_or_else(|_| Err("the worker thread dropped the job".into()))
    }
}
