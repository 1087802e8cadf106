//! Which diagnostics each file shows. A finding located in a log (an out-of-memory event)
//! is shown on the log's URI, and several open configs may share one log, so what each file
//! shows is kept per open document that contributed it, and sent whole on every change.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types::notification as note;
use lsp_types::{PublishDiagnosticsParams, Uri};

use super::{diagnostics, Server};

#[allow(clippy::mutable_key_type)] // see `Server`
impl Server {
    /// Lint a document and show its findings (those in other files on those files).
    pub(super) fn publish(&mut self, uri: &Uri) {
        let analysis = match self.analyse(uri) {
            Ok(Some(a)) => a,
            Ok(None) => return,
            Err(e) => {
                self.show_message(lsp_types::MessageType::ERROR, format!("invokeai-lint: {e}"));
                return;
            }
        };
        let mut by_file: HashMap<Uri, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (d, shown) in analysis.findings {
            let file = if Arc::ptr_eq(&d.location.source, &analysis.config.source) {
                Some(uri.clone())
            } else {
                diagnostics::uri_of(d.location.source.name(), &self.root)
            };
            if let Some(file) = file {
                by_file.entry(file).or_default().push(shown);
            }
        }
        let own = by_file.remove(uri).unwrap_or_default();
        let version = self.documents.get(uri).map(|d| d.version);
        self.show_findings(uri, own, version);
        for (file, list) in by_file {
            self.contribute(&file, uri, list);
        }
    }

    /// Show `list` as `uri`'s own findings, and drop what it showed on other files before.
    pub(super) fn show_findings(
        &mut self,
        uri: &Uri,
        list: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let elsewhere: Vec<Uri> = self
            .published
            .iter()
            .filter(|(file, from)| *file != uri && from.contains_key(uri))
            .map(|(file, _)| file.clone())
            .collect();
        for file in elsewhere {
            self.contribute(&file, uri, Vec::new());
        }
        self.published
            .entry(uri.clone())
            .or_default()
            .insert(uri.clone(), list);
        self.send_file(uri, version);
    }

    /// `from`'s findings on `file` (another file, e.g. a log) are now `list`.
    fn contribute(&mut self, file: &Uri, from: &Uri, list: Vec<lsp_types::Diagnostic>) {
        let entry = self.published.entry(file.clone()).or_default();
        if list.is_empty() {
            entry.remove(from);
        } else {
            entry.insert(from.clone(), list);
        }
        self.send_file(file, None);
    }

    fn send_file(&mut self, file: &Uri, version: Option<i32>) {
        let mut all: Vec<lsp_types::Diagnostic> = Vec::new();
        if let Some(from) = self.published.get(file) {
            for list in from.values() {
                for d in list {
                    if !all.contains(d) {
                        all.push(d.clone());
                    }
                }
            }
        }
        if all.is_empty() && self.published.get(file).is_some_and(|m| m.is_empty()) {
            self.published.remove(file);
        }
        self.notify::<note::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: file.clone(),
            diagnostics: all,
            version,
        });
    }
}
