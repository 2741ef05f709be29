//! The one task that sends `textDocument/publishDiagnostics`.
//!
//! At most one publication waits per document: a newer one replaces an unsent older one, so a
//! burst of edits costs one conversion and one message for the newest version, not one per
//! edit, and memory holds at most one diagnostic set per document. Documents are served in the
//! order they were first queued, and one task sends everything, so an older set of a document
//! is never sent after a newer one. Conversion to LSP (and reading other files for
//! `duplicate-url`) happens here, never under the state lock.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio::time::Instant;
use tower_lsp_server::ls_types::{self as lsp, MessageType, Uri};

use super::shared::Shared;

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
    /// never delayed.
    pub async fn run(self, shared: Shared) {
        let mut paced: HashMap<Uri, Instant> = HashMap::new();
        loop {
            while let Some((uri, bursting)) = self.next_uri() {
                if let Some(&at) = paced.get(&uri).filter(|_| bursting) {
                    tokio::time::sleep_until(at).await;
                }
                // The newest publication of that document (it may have been replaced meanwhile).
                let Some(publication) = self.pop() else { break };
                let started = Instant::now();
                send(&shared, publication).await;
                let now = Instant::now();
                paced.retain(|_, at| *at > now);
                paced.insert(uri, now + started.elapsed() * PACE);
            }
            self.wake.notified().await;
        }
    }
}

/// How much longer a document waits after a publication than the publication took (its
/// conversion; the framework then spends about as long again serialising it). With 4,
/// publishing a document that is being edited non-stop takes at most about a fifth of a core
/// for its conversion, and a set of 2,000 diagnostics is sent about every 50 ms.
const PACE: u32 = 4;

async fn send(shared: &Shared, publication: Publication) {
    let Publication { uri, version, payload } = publication;
    let (diagnostics, version) = match payload {
        Payload::Ready(diagnostics) => (diagnostics, version),
        Payload::Assemble => {
            let worker = shared.clone();
            let target = uri.clone();
            let converted = tokio::task::spawn_blocking(move || {
                let (findings, encoding, cap) = worker.assemble_current(&target)?;
                let diagnostics = worker.to_lsp_diagnostics(&findings, &target, encoding, cap);
                Some((diagnostics, Some(findings.version)))
            })
            .await;
            match converted {
                Ok(Some(done)) => done,
                Ok(None) => return,
                Err(err) => {
                    let message = format!("assembling diagnostics of {} v{version:?} failed: {err}", uri.as_str());
                    shared.client.log_message(MessageType::ERROR, message).await;
                    return;
                }
            }
        }
    };
    shared.client.publish_diagnostics(uri, diagnostics, version).await;
}
