//! `invokeai-lint server`: a Language Server Protocol server over stdio.
//!
//! The same engine as the CLI ([`crate::lint::lint_config`]) on the text the editor holds:
//! diagnostics on open and (debounced) on every change, code actions for fixes and
//! suppressions, hover on settings and on rules in suppression comments, completion of
//! keys and values. Settings for each file are resolved as the CLI resolves them
//! ([`workspace`]). Synchronous, on rust-analyzer's `lsp-server`: one thread reads, one
//! writes, and this loop does the work — a lint is well under a millisecond.
//!
//! Data flows one way: messages in → documents → [`workspace`] (settings, facts, target) →
//! the engine → [`diagnostics`] / [`actions`] / [`hover`] / [`completion`] → messages out.

mod actions;
mod completion;
mod diagnostics;
mod hover;
pub mod position;
mod publish;
mod workspace;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Hover, HoverContents,
    HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, Registration,
    RegistrationParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use crate::config::ConfigFile;
use crate::diagnostic::Diagnostic;
use crate::facts::Target;
use crate::lint;
use position::{uri_to_path, LineIndex};
pub use workspace::FileContext;
use workspace::{Options, Workspace};

/// Quiet time after the last keystroke before a changed file is linted again.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Serve on stdin/stdout until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    // After a clean shutdown the client may close the pipes before our writer is done with
    // them; nothing is left to say then.
    let _ = io_threads.join();
    Ok(())
}

/// Serve on a connection (stdio in use; in memory in tests).
pub fn serve(connection: Connection) -> Result<(), String> {
    let protocol = |e: lsp_server::ProtocolError| format!("language server protocol: {e}");
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| format!("language server: bad initialize request: {e}"))?;
    let root = root_of(&params);
    let mut problems = Vec::new();
    let options: Options = match params.initialization_options.clone() {
        Some(v) => serde_json::from_value(v).unwrap_or_else(|e| {
            problems.push(format!("invokeai-lint: initializationOptions ignored: {e}"));
            Options::default()
        }),
        None => Options::default(),
    };
    let workspace = Workspace::new(&options, &root).or_else(|e| {
        problems.push(format!("invokeai-lint: {e}; using defaults"));
        Workspace::new(&Options::default(), &root)
    })?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "invokeai-lint", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut server = Server {
        connection,
        workspace,
        root,
        documents: HashMap::new(),
        published: HashMap::new(),
        dirty: HashSet::new(),
        last_change: Instant::now(),
        next_id: 0,
    };
    for p in problems {
        server.show_message(lsp_types::MessageType::ERROR, p);
    }
    if watches_files_dynamically(&params) {
        server.watch_files();
    }
    server.main_loop()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL_KIND),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// The workspace's root: the first folder the client opened, else the process's directory.
#[allow(deprecated)] // root_uri: older clients send only that
fn root_of(params: &InitializeParams) -> PathBuf {
    params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| uri_to_path(&f.uri))
        .or_else(|| params.root_uri.as_ref().and_then(uri_to_path))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn watches_files_dynamically(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// An open file.
struct Document {
    text: String,
    version: i32,
    path: Option<PathBuf>,
}

/// One lint of a document's current text.
struct Analysis {
    config: ConfigFile,
    index: LineIndex,
    target: Target,
    /// Each finding with what the client is shown; empty when the file is not a config.
    findings: Vec<(Diagnostic, lsp_types::Diagnostic)>,
}

// `Uri` keys: clippy sees interior mutability in fluent_uri's parsed parts, but `Uri`'s
// `Hash` and `Eq` use only its text, which never changes.
#[allow(clippy::mutable_key_type)]
struct Server {
    connection: Connection,
    workspace: Workspace,
    root: PathBuf,
    documents: HashMap<Uri, Document>,
    /// Diagnostics shown per file, by the open document they came from: a finding located
    /// in a log is shown on the log's URI, and several configs may share that log.
    published: HashMap<Uri, HashMap<Uri, Vec<lsp_types::Diagnostic>>>,
    /// Changed documents waiting for the debounce.
    dirty: HashSet<Uri>,
    last_change: Instant,
    next_id: i32,
}

#[allow(clippy::mutable_key_type)]
impl Server {
    fn main_loop(&mut self) -> Result<(), String> {
        loop {
            let message = if self.dirty.is_empty() {
                match self.connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                }
            } else {
                let waited = self.last_change.elapsed();
                match self
                    .connection
                    .receiver
                    .recv_timeout(DEBOUNCE.saturating_sub(waited))
                {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        self.lint_dirty();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                }
            };
            match message {
                Message::Request(request) => {
                    let shutdown = self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|e| format!("language server protocol: {e}"))?;
                    if shutdown {
                        return Ok(());
                    }
                    self.request(request);
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {} // the answer to our registration
            }
        }
    }

    fn send(&self, message: Message) {
        // The client has gone: the read loop ends on its own.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn show_message(&self, typ: lsp_types::MessageType, message: String) {
        self.notify::<note::ShowMessage>(lsp_types::ShowMessageParams { typ, message });
    }

    /// Ask the client to tell us when a linter config or a log changes.
    fn watch_files(&mut self) {
        let watchers = ["**/invokeai-lint.toml", "**/*.log"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "invokeai-lint-watch".into(),
                method: note::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(self.next_id),
            req::RegisterCapability::METHOD.to_string(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    note::DidOpenTextDocument::METHOD,
                ) else {
                    return;
                };
                let doc = p.text_document;
                let path = uri_to_path(&doc.uri);
                self.documents.insert(
                    doc.uri.clone(),
                    Document {
                        text: doc.text,
                        version: doc.version,
                        path,
                    },
                );
                self.publish(&doc.uri);
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    note::DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let Some(doc) = self.documents.get_mut(&p.text_document.uri) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let index = LineIndex::new(&doc.text);
                            let start = index.offset(&doc.text, range.start);
                            let end = index.offset(&doc.text, range.end).max(start);
                            doc.text.replace_range(start..end, &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                self.dirty.insert(p.text_document.uri);
                self.last_change = Instant::now();
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    note::DidCloseTextDocument::METHOD,
                ) else {
                    return;
                };
                let uri = p.text_document.uri;
                self.documents.remove(&uri);
                self.dirty.remove(&uri);
                self.show_findings(&uri, Vec::new(), None);
            }
            note::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    note::DidChangeWatchedFiles::METHOD,
                ) else {
                    return;
                };
                self.files_changed(p.changes);
            }
            _ => {}
        }
    }

    fn files_changed(&mut self, changes: Vec<lsp_types::FileEvent>) {
        for change in changes {
            let Some(path) = uri_to_path(&change.uri) else {
                continue;
            };
            if path.file_name().is_some_and(|n| n == "invokeai-lint.toml") {
                if let Err(e) = self.workspace.reload_configs() {
                    self.show_message(lsp_types::MessageType::ERROR, format!("invokeai-lint: {e}"));
                }
            } else {
                self.workspace.forget_log(&path);
            }
        }
        let open: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in open {
            self.publish(&uri);
        }
    }

    fn lint_dirty(&mut self) {
        let dirty: Vec<Uri> = self.dirty.drain().collect();
        for uri in dirty {
            self.publish(&uri);
        }
    }

    /// The display name of a document in findings: relative to the root, as the CLI shows it.
    fn name_of(&self, uri: &Uri, path: Option<&Path>) -> String {
        match path {
            Some(p) => match p.strip_prefix(&self.root) {
                Ok(rel) => rel.display().to_string(),
                Err(_) => p.display().to_string(),
            },
            None => uri.as_str().to_string(),
        }
    }

    fn analyse(&mut self, uri: &Uri) -> Result<Option<Analysis>, String> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(None);
        };
        let (text, path) = (doc.text.clone(), doc.path.clone());
        let name = self.name_of(uri, path.as_deref());
        let config = lint::config_from_bytes(&name, text.into_bytes()).with_path(path.clone());
        let index = LineIndex::new(config.source.text());
        let context = self.workspace.context(path.as_deref())?;
        let mut analysis = Analysis {
            config,
            index,
            target: context.target.clone(),
            findings: Vec::new(),
        };
        if !self
            .workspace
            .wants(path.as_deref(), analysis.config.source.text())
        {
            return Ok(Some(analysis));
        }
        analysis.findings = lint_document(&analysis.config, &analysis.index, &context, &self.root);
        Ok(Some(analysis))
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            req::HoverRequest::METHOD => self.hover(request),
            req::Completion::METHOD => self.completion(request),
            req::CodeActionRequest::METHOD => self.code_actions(request),
            _ => {
                self.send(Message::Response(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("invokeai-lint does not handle {}", request.method),
                )));
                return;
            }
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e),
        };
        self.send(Message::Response(response));
    }

    fn hover(&mut self, request: Request) -> Result<serde_json::Value, String> {
        let p: lsp_types::HoverParams = params(request)?;
        let at = p.text_document_position_params;
        let Some(a) = self.analyse(&at.text_document.uri)? else {
            return Ok(serde_json::Value::Null);
        };
        let text = a.config.source.text();
        let offset = a.index.offset(text, at.position);
        let Some((value, span)) = hover::at(&a.config, &a.target, offset) else {
            return Ok(serde_json::Value::Null);
        };
        let hover = Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(a.index.range(text, span)),
        };
        serde_json::to_value(hover).map_err(|e| e.to_string())
    }

    fn completion(&mut self, request: Request) -> Result<serde_json::Value, String> {
        let p: lsp_types::CompletionParams = params(request)?;
        let at = p.text_document_position;
        let Some(a) = self.analyse(&at.text_document.uri)? else {
            return Ok(serde_json::Value::Null);
        };
        let offset = a.index.offset(a.config.source.text(), at.position);
        let items = completion::at(&a.config, &a.target, offset);
        serde_json::to_value(items).map_err(|e| e.to_string())
    }

    fn code_actions(&mut self, request: Request) -> Result<serde_json::Value, String> {
        let p: lsp_types::CodeActionParams = params(request)?;
        let uri = p.text_document.uri;
        let Some(a) = self.analyse(&uri)? else {
            return Ok(serde_json::Value::Null);
        };
        let only = p.context.only.unwrap_or_default();
        let wants =
            |kind: &str| only.is_empty() || only.iter().any(|k| kind.starts_with(k.as_str()));
        let mut list = Vec::new();
        if wants(CodeActionKind::QUICKFIX.as_str()) {
            list = actions::for_range(&uri, &a.config.source, &a.index, &a.findings, p.range);
        }
        if wants(actions::FIX_ALL_KIND) && a.findings.iter().any(|(d, _)| d.fix.is_some()) {
            if let Some(fixed) = self.fixed_text(&uri, &a) {
                let text = a.config.source.text();
                let edit = actions::replace_all(&uri, text, &a.index, fixed);
                list.push(actions::fix_all_action(
                    edit,
                    CodeActionKind::new(actions::FIX_ALL_KIND),
                ));
            }
        }
        serde_json::to_value(list).map_err(|e| e.to_string())
    }

    /// The document's text with every safe fix applied, re-linting until nothing changes —
    /// the loop `--fix` runs (None: nothing to change).
    fn fixed_text(&mut self, uri: &Uri, a: &Analysis) -> Option<String> {
        let path = self.documents.get(uri)?.path.clone();
        let context = self.workspace.context(path.as_deref()).ok()?;
        let name = a.config.source.name().to_string();
        let relint = |text: &str| {
            let config =
                lint::config_from_bytes(&name, text.as_bytes().to_vec()).with_path(path.clone());
            let found = lint::lint_config(
                &config,
                &context.rules,
                &context.facts,
                &context.target,
                true,
            );
            (
                Arc::clone(&config.source),
                found.diagnostics,
                found.suppressed,
                [false; 3],
            )
        };
        let first: Vec<Diagnostic> = a.findings.iter().map(|(d, _)| d.clone()).collect();
        crate::fix::converge(&a.config.source, &first, crate::fix::FixMode::Safe, relint)
            .map(|c| c.text)
    }
}

/// Lint one document's text as the editor shows it: each finding with its LSP form.
/// `index` is the line index of `config`'s text; `root` the workspace root that names of
/// other files (a log) are relative to.
pub fn lint_document(
    config: &ConfigFile,
    index: &LineIndex,
    context: &FileContext,
    root: &Path,
) -> Vec<(Diagnostic, lsp_types::Diagnostic)> {
    let found = lint::lint_config(
        config,
        &context.rules,
        &context.facts,
        &context.target,
        true,
    );
    found
        .diagnostics
        .into_iter()
        .map(|d| {
            let shown = diagnostics::to_lsp(&d, &config.source, index, root);
            (d, shown)
        })
        .collect()
}

fn params<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, String> {
    let method = request.method.clone();
    request
        .extract(&method)
        .map(|(_, p)| p)
        .map_err(|e| format!("bad {method} parameters: {e:?}"))
}
