//! The one task that sends `textDocument/publishDiagnostics`.
//!
//! At most one publication waits per document: a newer one replaces an unsent older one, so a
//! burst of edits costs one conversion and one message for the newest version, not one per
//! edit, and memory holds at most one diagnostic set per document. Documents are served in the
//! order they were first queued, and one task sends everything, so an older set of a document
//! is never sent after a newer one. Conversion to LSP (and reading other files for
//! `duplicate-url`) happens here, never under the state lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
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
        }
        drop(queue);
        self.wake.notify_one();
    }

    fn pop(&self) -> Option<Publication> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let uri = queue.order.pop_front()?;
        queue.pending.remove(&uri)
    }

    /// Sends queued publications until the client goes away.
    pub async fn run(self, shared: Shared) {
        loop {
            while let Some(publication) = self.pop() {
                send(&shared, publication).await;
            }
            self.wake.notified().await;
        }
    }
}

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
