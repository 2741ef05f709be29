//! The language server: a thin protocol layer over `analysis`, `ide` and `workspace`.
//!
//! `backend` implements the protocol's handlers; `shared` holds the state and the ordered paths
//! for mutations and publications; `document` and `incremental` keep each open file as a rope
//! with per-line cached findings; `features` answers requests; `indexer` maintains the
//! workspace index; `convert` and `to_lsp` are the only code that knows LSP positions and types.

mod backend;
pub mod capabilities;
pub mod convert;
mod document;
mod features;
mod folders;
mod ide_features;
pub mod incremental;
mod indexer;
mod publisher;
mod settings;
mod shared;
mod state;
mod test_hook;
mod to_lsp;
pub mod transport;
mod unit_tokens;
mod worker;
mod workspace_edits;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

pub use settings::Settings;

/// Serves one client over the given byte streams until it sends `exit` (or the input closes),
/// through the frame guard (`transport`), which survives malformed frames.
pub async fn serve<I, O>(input: I, output: O) -> transport::Outcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    serve_to(input, transport::Output::Stream(output)).await
}

/// Serves over standard input and output.
pub async fn serve_stdio() -> transport::Outcome {
    serve_to(tokio::io::stdin(), transport::Output::<tokio::io::Sink>::Stdout).await
}

async fn serve_to<I, O>(input: I, output: transport::Output<O>) -> transport::Outcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let writer = transport::Writer::new();
    let direct = writer.direct();
    let mut publisher = None;
    let (service, socket) = LspService::build(|client| {
        let (backend, shared) = backend::Backend::new(client, direct);
        publisher = Some(shared);
        backend
    })
    .custom_method("articleLsp/documentText", backend::Backend::document_text)
    .custom_method("window/workDoneProgress/cancel", backend::Backend::work_done_progress_cancel)
    .finish();
    let serving =
        transport::guard(input, output, writer, |input, output| Server::new(input, output, socket).serve(service));
    // The publisher runs in this task, beside the handlers, until the session ends.
    let publishing = async move {
        if let Some(shared) = publisher {
            shared.publish_forever().await;
        }
        std::future::pending().await
    };
    tokio::select! {
        outcome = serving => outcome,
        never = publishing => never,
    }
}
