//! Core results -> LSP types. The only place that knows both sides.

use std::path::Path;
use std::sync::LazyLock;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, CompletionItem, CompletionItemKind, CompletionTextEdit, DiagnosticRelatedInformation,
    DiagnosticSeverity, Documentation, FoldingRange, FoldingRangeKind, InsertTextFormat, Location, MarkupContent,
    MarkupKind, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use super::convert;
use crate::analysis::{Code, Diagnostic, Edit, Severity};
use crate::ide::{self, Completion, CompletionKind, FoldKind, Insert, SymbolKind};
use crate::line_index::{LineIndex, PositionEncoding};

/// Where each code is documented (`codeDescription`).
pub const DOCS_URL: &str = "https://github.com/article-lsp/article-lsp/blob/main/README.md";

pub const SOURCE: &str = "article-lsp";

pub fn diagnostic(rope: &Rope, uri: &Uri, d: &Diagnostic, encoding: PositionEncoding) -> lsp::Diagnostic {
    let related = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), convert::range(rope, &r.range, encoding)),
            message: r.message.clone(),
        })
        .collect::<Vec<_>>();
    lsp::Diagnostic {
        range: convert::range(rope, &d.range, encoding),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: code_description(d.code),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The last diagnostic of a capped set: how many more there are, and where to see them all.
/// The documentation link of `code`, parsed once per code: a publication converts thousands
/// of diagnostics, and parsing the same URL for each was a visible share of an edit storm.
fn code_description(code: Code) -> Option<CodeDescription> {
    static LINKS: LazyLock<Vec<(Code, Option<Uri>)>> =
        LazyLock::new(|| Code::ALL.iter().map(|&c| (c, format!("{DOCS_URL}#{c}").parse().ok())).collect());
    let (_, href) = LINKS.iter().find(|(c, _)| *c == code)?;
    href.clone().map(|href| CodeDescription { href })
}

pub fn more_diagnostics(hidden: usize, cap: usize) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: format!(
            "{hidden} more problems not shown (at most {cap} are shown per document); `article-lsp check` lists them all"
        ),
        ..lsp::Diagnostic::default()
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn text_edit(rope: &Rope, edit: &Edit, encoding: PositionEncoding) -> TextEdit {
    TextEdit::new(convert::range(rope, &edit.range, encoding), edit.replacement.clone())
}

/// A workspace edit of one document, pinned to `version` so a stale edit is refused.
pub fn versioned_edit(
    rope: &Rope,
    uri: &Uri,
    version: i32,
    edits: &[Edit],
    encoding: PositionEncoding,
) -> WorkspaceEdit {
    let edits = edits.iter().map(|e| OneOf::Left(text_edit(rope, e, encoding))).collect();
    let change = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version: Some(version) },
        edits,
    };
    WorkspaceEdit {
        changes: None,
        document_changes: Some(lsp::DocumentChanges::Edits(vec![change])),
        change_annotations: None,
    }
}

pub fn completion(positions: &mut convert::Positions, c: &Completion, snippets: bool) -> CompletionItem {
    let range = positions.range(&c.replace);
    let (new_text, format) = match &c.insert {
        Insert::Plain(text) => (text.clone(), InsertTextFormat::PLAIN_TEXT),
        Insert::Snippet { snippet, .. } if snippets => (snippet.clone(), InsertTextFormat::SNIPPET),
        Insert::Snippet { plain, .. } => (plain.clone(), InsertTextFormat::PLAIN_TEXT),
    };
    let additional: Vec<TextEdit> =
        c.additional_edits.iter().map(|e| TextEdit::new(positions.range(&e.range), e.replacement.clone())).collect();
    CompletionItem {
        label: c.label.clone(),
        kind: Some(completion_kind(c.kind)),
        detail: c.detail.clone(),
        documentation: c.documentation.clone().map(|value| Documentation::MarkupContent(markdown(value))),
        sort_text: Some(c.sort_text.clone()),
        filter_text: Some(c.label.clone()),
        insert_text_format: Some(format),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text))),
        additional_text_edits: (!additional.is_empty()).then_some(additional),
        ..CompletionItem::default()
    }
}

fn completion_kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Value => CompletionItemKind::VALUE,
        CompletionKind::Topic => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Provider => CompletionItemKind::CONSTANT,
        CompletionKind::Date => CompletionItemKind::CONSTANT,
    }
}

pub fn markdown(value: String) -> MarkupContent {
    MarkupContent { kind: MarkupKind::Markdown, value }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be filled in.
pub fn document_symbol(rope: &Rope, s: &ide::Symbol, encoding: PositionEncoding) -> lsp::DocumentSymbol {
    let children: Vec<lsp::DocumentSymbol> = s.children.iter().map(|c| document_symbol(rope, c, encoding)).collect();
    lsp::DocumentSymbol {
        name: if s.name.trim().is_empty() { "(empty)".to_string() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: convert::range(rope, &s.range, encoding),
        selection_range: convert::range(rope, &s.selection_range, encoding),
        children: (!children.is_empty()).then_some(children),
    }
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Field => lsp::SymbolKind::FIELD,
        SymbolKind::Object => lsp::SymbolKind::OBJECT,
        SymbolKind::Array => lsp::SymbolKind::ARRAY,
        SymbolKind::Related => lsp::SymbolKind::STRUCT,
        SymbolKind::Date => lsp::SymbolKind::EVENT,
    }
}

pub fn folding_range(rope: &Rope, fold: &ide::Fold) -> FoldingRange {
    let start = rope.byte_to_line(fold.range.start.min(rope.len_bytes()));
    let end = rope.byte_to_line(fold.range.end.min(rope.len_bytes()));
    FoldingRange {
        start_line: start as u32,
        start_character: None,
        end_line: end.max(start) as u32,
        end_character: None,
        kind: Some(match fold.kind {
            FoldKind::FrontMatter => FoldingRangeKind::Imports,
            FoldKind::Region => FoldingRangeKind::Region,
        }),
        collapsed_text: None,
    }
}

/// A location in a file that may not be open: its text is read to find lines and columns.
pub fn location_in_text(uri: Uri, text: &str, range: &std::ops::Range<usize>, encoding: PositionEncoding) -> Location {
    let index = LineIndex::new(text);
    let start = index.line_col(text, range.start, encoding);
    let end = index.line_col(text, range.end, encoding);
    Location::new(
        uri,
        lsp::Range::new(lsp::Position::new(start.line, start.col), lsp::Position::new(end.line, end.col)),
    )
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}
