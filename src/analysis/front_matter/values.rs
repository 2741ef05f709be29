//! Checks of single values against their kind: text, topics, dates, URLs, integers,
//! booleans, lists, and the provider domain against the article's URLs.

use super::{Checker, describe, first_line};
use crate::analysis::dates::{format_rfc3339, parse_datetime};
use crate::analysis::diagnostic::{Code, Diagnostic, Fix};
use crate::analysis::schema::{self, Kind};
use crate::analysis::urls::{check_url, domain_of_host, host_matches, normalise_domain};
use crate::analysis::yaml::{Node, Scalar, Value};
use crate::config::FieldPath;

impl Checker<'_> {
    /// The node as a scalar, or a `wrong-type` finding (`` `path` must be EXPECTED, found a
    /// list ``) and `None`.
    fn scalar<'n>(&mut self, node: &'n Node, path: FieldPath<'_>, expected: &str) -> Option<&'n Scalar> {
        let scalar = node.as_scalar();
        if scalar.is_none() {
            let msg = format!("`{path}` must be {expected}, found {}", describe(node));
            self.acc.push(Diagnostic::new(Code::WrongType, node.span(), msg));
        }
        scalar
    }

    pub(super) fn text_value(&mut self, node: &Node, path: FieldPath<'_>) {
        if node.as_scalar().is_none() {
            let msg = format!("`{}` must be text, found {}", path, describe(node));
            self.acc.push(Diagnostic::new(Code::WrongType, node.span(), msg));
            return;
        }
        if path.is("topics") {
            self.topic(node);
        }
    }

    pub(super) fn topic(&mut self, node: &Node) {
        let (Some(vocabulary), Some(scalar)) = (&self.config.topics, node.as_scalar()) else {
            return;
        };
        if vocabulary.iter().any(|topic| *topic == scalar.text) {
            return;
        }
        let suggestion = schema::did_you_mean(&scalar.text, vocabulary.iter().map(String::as_str));
        let mut msg = format!("topic `{}` is not in the configured vocabulary", scalar.text);
        let mut diagnostic = Diagnostic::new(Code::UnknownTopic, node.span(), "");
        if let Some(s) = suggestion {
            msg.push_str(&format!("; did you mean `{s}`?"));
            diagnostic = diagnostic.with_fix(Fix::replace(format!("Change to `{s}`"), node.span(), s, false));
        }
        diagnostic.message = msg;
        self.acc.push(diagnostic);
    }

    pub(super) fn date(&mut self, node: &Node, path: FieldPath<'_>) {
        let Some(scalar) = self.scalar(node, path, "a date-time") else {
            return;
        };
        if scalar.is_null() {
            return;
        }
        match parse_datetime(&scalar.text) {
            Err(problem) => {
                let mut diagnostic = Diagnostic::new(Code::InvalidDate, node.span(), problem.message);
                if let Some(s) = problem.suggestion {
                    diagnostic =
                        diagnostic.with_fix(Fix::replace(format!("Change to `{s}`"), node.span(), s, problem.exact));
                }
                self.acc.push(diagnostic);
            }
            Ok(ts) if ts > self.now => {
                let msg = format!("`{}` is in the future (now is {})", scalar.text, format_rfc3339(self.now));
                self.acc.push(Diagnostic::new(Code::FutureDate, node.span(), msg));
            }
            Ok(_) => {}
        }
    }

    pub(super) fn url(&mut self, node: &Node, path: FieldPath<'_>) {
        let Some(scalar) = self.scalar(node, path, "a URL") else {
            return;
        };
        if scalar.is_null() {
            return;
        }
        if let Err(problem) = check_url(&scalar.text) {
            let mut diagnostic = Diagnostic::new(Code::InvalidUrl, node.span(), problem.message);
            if let Some(s) = problem.suggestion {
                diagnostic = diagnostic.with_fix(Fix::replace(format!("Change to `{s}`"), node.span(), s, false));
            }
            self.acc.push(diagnostic);
        }
    }

    pub(super) fn integer(&mut self, node: &Node, path: FieldPath<'_>) {
        let Some(scalar) = self.scalar(node, path, "an integer") else {
            return;
        };
        let digits = scalar.text.strip_prefix(['-', '+']).unwrap_or(&scalar.text);
        let is_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        if scalar.is_null() || (scalar.plain && is_integer) {
            return;
        }
        let (msg, fix) = if is_integer {
            let msg = format!("`{}` must be an integer, but `{}` is quoted text; remove the quotes", path, scalar.text);
            (msg, Some(Fix::replace("Remove the quotes", node.span(), scalar.text.to_string(), false)))
        } else {
            (format!("`{}` must be an integer, found `{}`", path, scalar.text), None)
        };
        let mut diagnostic = Diagnostic::new(Code::WrongType, node.span(), msg);
        diagnostic.fix = fix;
        self.acc.push(diagnostic);
    }

    pub(super) fn boolean(&mut self, node: &Node, path: FieldPath<'_>) {
        let Some(scalar) = self.scalar(node, path, "`true` or `false`") else {
            return;
        };
        let text = &*scalar.text;
        if scalar.is_null() || (scalar.plain && matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE"))
        {
            return;
        }
        let yaml11 = match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "on" | "true" => Some("true"),
            "no" | "n" | "off" | "false" => Some("false"),
            _ => None,
        };
        let diagnostic = match yaml11 {
            Some(value) if scalar.plain => {
                let msg = format!("`{text}` is not a boolean in YAML 1.2 (it reads as text); write `{value}`");
                // Not a safe fix: YAML 1.2 reads the value as text, and the fix changes its type.
                Diagnostic::new(Code::Yaml11Boolean, node.span(), msg).with_fix(Fix::replace(
                    format!("Change to `{value}`"),
                    node.span(),
                    value,
                    false,
                ))
            }
            Some(value) => {
                let msg = format!("`{}` must be a boolean, but `{text}` is quoted text; write `{value}`", path);
                Diagnostic::new(Code::WrongType, node.span(), msg).with_fix(Fix::replace(
                    format!("Change to `{value}`"),
                    node.span(),
                    value,
                    false,
                ))
            }
            None => Diagnostic::new(
                Code::WrongType,
                node.span(),
                format!("`{}` must be `true` or `false`, found `{text}`", path),
            ),
        };
        self.acc.push(diagnostic);
    }

    pub(super) fn list(&mut self, node: &Node, item: &'static Kind, path: &str) {
        let items = match &node.value {
            Value::Sequence(items) => items,
            Value::Scalar(s) if s.is_null() => return,
            Value::Scalar(s) => {
                let msg = format!(
                    "`{}` must be a list, found text; write `[{}]` or put each item on a `- ` line",
                    path, s.text
                );
                let fix = Fix::replace(
                    "Make it a one-item list",
                    node.span(),
                    format!("[{}]", &self.text[node.span()]),
                    false,
                );
                self.acc.push(Diagnostic::new(Code::WrongType, node.span(), msg).with_fix(fix));
                return;
            }
            _ => {
                let msg = format!("`{}` must be a list, found {}", path, describe(node));
                self.acc.push(Diagnostic::new(Code::WrongType, node.span(), msg));
                return;
            }
        };
        self.list_items(items, item, path);
    }

    /// Checks the items of a list (one at a time, memoized by their text).
    pub(super) fn list_items(&mut self, items: &[Node], item: &'static Kind, path: &str) {
        for it in items {
            if matches!(it.value, Value::Alias) {
                continue;
            }
            match item {
                Kind::Object(fields) => self.memoized(it, path, |checker| {
                    let anchor = first_line(checker.text, &it.span());
                    checker.object(it, fields, path, anchor);
                }),
                Kind::Text => self.memoized(it, path, |checker| checker.text_value(it, FieldPath::from(path))),
                _ => {}
            }
        }
    }

    /// provider.domain must match the host of webUrl and originalUrl (AMP/CDN URLs are exempt),
    /// and the provider catalog, when it knows the provider.
    pub(super) fn domains(&mut self, node: &Node) {
        let Some(provider) = node.get("provider") else {
            return;
        };
        let Some(domain_node) = provider.get("domain") else {
            return;
        };
        let Some(domain) =
            domain_node.as_scalar().filter(|s| !s.is_null() && !s.text.trim().is_empty()).map(|s| s.text.to_string())
        else {
            return;
        };
        let name = provider.get("name").and_then(Node::as_scalar).map(|s| s.text.to_string());
        if let Some(expected) = name.as_ref().and_then(|n| self.config.providers.get(n)) {
            if normalise_domain(expected) != normalise_domain(&domain) {
                let msg = format!(
                    "provider `{}` has the domain `{expected}` in the provider catalog, not `{domain}`",
                    name.unwrap_or_default()
                );
                let fix = Fix::replace(format!("Change to `{expected}`"), domain_node.span(), expected.clone(), false);
                self.acc.push(Diagnostic::new(Code::DomainMismatch, domain_node.span(), msg).with_fix(fix));
                return;
            }
        }
        for key in ["webUrl", "originalUrl"] {
            let Some(url) = node.get(key).and_then(Node::as_scalar) else {
                continue;
            };
            let Ok(host) = check_url(&url.text) else {
                continue;
            };
            if !host_matches(&host, &domain) {
                let suggested = domain_of_host(&host);
                let msg = format!(
                    "provider.domain `{domain}` does not match `{host}`, the host of {key}; did you mean `{suggested}`?"
                );
                let fix = Fix::replace(format!("Change to `{suggested}`"), domain_node.span(), suggested, false);
                self.acc.push(Diagnostic::new(Code::DomainMismatch, domain_node.span(), msg).with_fix(fix));
                return;
            }
        }
    }
}
