//! The one loop that sends `textDocument/publishDiagnostics`; it runs in the task that reads
//! the edits (`server::serve`), beside the handlers.
//!
//! At most one publication waits per document: a newer one replaces an unsent older one, so a
//! burst of edits costs one conversion and one message for the newest version, not one per
//! edit, and memory holds at most one diagnostic set per document. Documents are served in the
//! order they were first queued, and one loop sends everything, so an older set of a document
//! is never sent after a newer one. Assembly and conversion to LSP (and reading other files for
//! `duplicate-url`) happen here, never under the state lock.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;
use tower_lsp_server::ls_types::notification::{Notification, PublishDiagnostics};
use tower_lsp_server::ls_types::{self as lsp, MessageType, Uri};

use super::shared::{Shared, panic_message};
use super::transport::DirectOutput;

/// What to publish for one document.
#[derive(Debug)]
pub enum Payload {
    /// The document's findings of whatever revision is current when the publisher gets to it,
    /// still to be assembled and converted.
    Assemble,
    /// Diagnostics ready to send (an empty set clears the document).
    Ready(Vec<lsp::Diagnostic>),
}

#[derive(Debug)]
pub struct Publication {
    pub uri: Uri,
    pub version: Option<i32>,
    pub payload: Payload,
}

#[derive(Default)]
struct Queue {
    order: VecDeque<Uri>,
    pending: HashMap<Uri, Publication>,
    /// Documents whose unsent publication was replaced by a newer one: edited faster than
    /// published.
    bursting: HashSet<Uri>,
    /// When the last publication was queued: a burst is over once nothing came for `QUIET`.
    last_push: Option<Instant>,
}

/// The queue between the handlers and the publishing task.
#[derive(Clone, Default)]
pub struct Publisher {
    queue: Arc<Mutex<Queue>>,
    wake: Arc<Notify>,
}

impl Publisher {
    /// Queues a publication, replacing any unsent one of the same document.
    pub fn push(&self, publication: Publication) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.last_push = Some(Instant::now());
        let uri = publication.uri.clone();
        if queue.pending.insert(uri.clone(), publication).is_none() {
            queue.order.push_back(uri);
        } else {
            queue.bursting.insert(uri);
        }
        drop(queue);
        self.wake.notify_one();
    }

    fn pop(&self) -> Option<Publication> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let uri = queue.order.pop_front()?;
        queue.bursting.remove(&uri);
        queue.pending.remove(&uri)
    }

    /// The document whose publication is next, and whether it is being edited faster than
    /// published.
    fn next_uri(&self) -> Option<(Uri, bool)> {
        let queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let uri = queue.order.front()?;
        Some((uri.clone(), queue.bursting.contains(uri)))
    }

    /// Sends queued publications until the client goes away. A document edited faster than it
    /// is published is paced: after a publication that took `t`, its next one waits until
    /// `PACE × t` has passed, so under an edit storm publishing takes a bounded share of the
    /// time and the edits keep flowing; an edit that waits for its diagnostics (typing) is
    /// never delayed, and neither is the last version of a burst (see [`Publisher::pace`]).
    pub async fn run(self, shared: Shared) {
        // For each document: when its next publication is due, and what its last one cost.
        let mut paced: HashMap<Uri, (Instant, Duration)> = HashMap::new();
        loop {
            while let Some((uri, bursting)) = self.next_uri() {
                if let Some(&(at, cost)) = paced.get(&uri).filter(|_| bursting) {
                    self.pace(at, cost.max(QUIET)).await;
                }
                // The newest publication of that document (it may have been replaced meanwhile).
                let Some(publication) = self.pop() else { break };
                let started = Instant::now();
                send(&shared, publication).await;
                let now = Instant::now();
                paced.retain(|_, (at, _)| *at > now);
                let cost = now - started;
                paced.insert(uri, (now + cost * PACE, cost));
            }
            self.wake.notified().await;
        }
    }

    /// Waits until `at`, or until nothing was queued for `quiet`: then the burst is over and its
    /// last version is published at once instead of waiting out the pace. Quiet is checked by
    /// the publisher waking at most once per `quiet`, never by each edit waking it (that slowed
    /// the edits themselves). `quiet` is at least the last publication's cost, so a pause in a
    /// storm (the client busy reading a publication) can at most double publishing's share.
    async fn pace(&self, at: Instant, quiet: Duration) {
        loop {
            let last_push = self.queue.lock().unwrap_or_else(|p| p.into_inner()).last_push;
            let quiet_at = last_push.map_or(at, |pushed| pushed + quiet);
            let now = Instant::now();
            if now >= at || now >= quiet_at {
                return;
            }
            tokio::time::sleep_until(at.min(quiet_at)).await;
        }
    }
}

/// The least time no publication may be queued before a burst counts as over. Edits of a
/// storm arrive every few dozen microseconds and a typist's every 100 ms or more.
const QUIET: Duration = Duration::from_millis(4);

/// How much longer a document waits after a publication than the publication took (its
/// conversion; the framework then spends about as long again serialising it). With 4,
/// publishing a document that is being edited non-stop takes at most about a fifth of a core
/// for its conversion, and a set of 2,000 diagnostics is sent about every 50 ms.
const PACE: u32 = 4;

/// Assembles, converts and serialises a publication and queues its frame for the client. A
/// small one is made right here, under `catch_unwind`; a large one (a storm's sets hold
/// thousands of diagnostics) on the worker thread (`worker.rs`), which queues its frame itself: either way
/// the frame goes to the writer's thread with no other hop between threads.
async fn send(shared: &Shared, publication: Publication) {
    let Publication { uri, version, payload } = publication;
    let (small, make): (bool, MakeFrame) = match payload {
        Payload::Ready(diagnostics) => {
            let small = diagnostics.len() <= SMALL_READY;
            let target = uri.clone();
            (small, Box::new(move || frame(lsp::PublishDiagnosticsParams { uri: target, diagnostics, version })))
        }
        Payload::Assemble => {
            let Some(assembly) = shared.assembly_of(&uri) else { return };
            let (small, worker, target) = (assembly.is_small(), shared.clone(), uri.clone());
            (
                small,
                Box::new(move || {
                    let (findings, encoding, cap) = worker.assemble(assembly)?;
                    let diagnostics = worker.to_lsp_diagnostics(&findings, &target, encoding, cap);
                    frame(lsp::PublishDiagnosticsParams { uri: target, diagnostics, version: Some(findings.version) })
                }),
            )
        }
    };
    let failure = if small {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(make)) {
            Ok(Some(frame)) => {
                shared.direct.send(frame).await;
                return;
            }
            Ok(None) => return,
            Err(panic) => panic_message(panic.as_ref()),
        }
    } else {
        let direct = shared.direct.clone();
        match shared.worker.run(move || make().map(|frame| direct.send_blocking(frame))).await {
            Ok(_) => return,
            Err(message) => message,
        }
    };
    let message = format!("assembling diagnostics of {} v{version:?} failed: {failure}", uri.as_str());
    shared.client.log_message(MessageType::ERROR, message).await;
}

/// Makes a publication's frame (`None`: nothing to send).
type MakeFrame = Box<dyn FnOnce() -> Option<Vec<u8>> + Send>;

/// A ready set of at most this many diagnostics is serialised on the publisher's own thread.
const SMALL_READY: usize = 200;

fn frame(params: lsp::PublishDiagnosticsParams) -> Option<Vec<u8>> {
    DirectOutput::frame(<PublishDiagnostics as Notification>::METHOD, &params)
}
