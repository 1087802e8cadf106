//! What applies to one open file: the same resolution as the CLI's `lint` and `print-config`
//! (nearest `invokeai-lint.toml`, its facts and overrides, `invokeai.log` beside the config,
//! `--detect` only when the client asks for it), kept between keystrokes.
//!
//! Linter configs and logs are read when a file needs them and kept until the client says
//! they changed (`workspace/didChangeWatchedFiles`) — a keystroke re-lints from memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::facts::{Facts, Target};
use crate::host::HostFacts;
use crate::lint::{self, FlagFacts, LintInput};
use crate::linter_config::resolve::{settings_for_path, Resolver};
use crate::log::LogFacts;
use crate::selection::{Layer, RuleSet};

/// The client's `initializationOptions`, all optional. The same facts the CLI takes as
/// flags; they beat the linter config, as flags do.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    /// Read RAM, GPU and VRAM from this machine (the CLI's `--detect`). Off by default: an
    /// editor may be looking at configs for other machines.
    pub detect: bool,
    /// `"auto"` (default): `invokeai.log` beside each config; `"off"`: none; else a path.
    pub log: Option<String>,
    pub invokeai_version: Option<String>,
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<String>,
    pub os: Option<String>,
    /// A linter config for every file (the CLI's `--config`).
    pub config: Option<PathBuf>,
    /// No linter config at all (`--isolated`).
    pub isolated: bool,
}

/// Everything one file is linted with.
pub struct FileContext {
    pub rules: RuleSet,
    pub facts: Facts,
    pub target: Target,
}

pub struct Workspace {
    input: LintInput,
    flags: FlagFacts,
    flag_layer: Layer,
    resolver: Resolver,
    host: Option<HostFacts>,
    /// Logs read so far, by path; dropped when the client reports a change.
    logs: HashMap<PathBuf, Option<Arc<LogFacts>>>,
}

impl Workspace {
    pub fn new(options: &Options, root: &Path) -> Result<Workspace, String> {
        let log = match options.log.as_deref() {
            None | Some("auto") => Some(PathBuf::from("auto")),
            Some("off") => None,
            Some(path) => Some(root.join(path)),
        };
        let input = LintInput {
            invokeai_version: options.invokeai_version.clone(),
            vram_gb: options.vram_gb,
            ram_gb: options.ram_gb,
            device: options.device.clone(),
            os: options.os.clone(),
            log,
            detect: options.detect,
            config: options.config.as_ref().map(|c| root.join(c)),
            isolated: options.isolated,
            cwd: Some(root.to_path_buf()),
            ..LintInput::default()
        };
        let flags = FlagFacts::from_input(&input).map_err(|e| e.0)?;
        let flag_layer = Layer::from_flags(None, &[], &[])?;
        let resolver = lint::resolver(&input, root).map_err(|e| e.0)?;
        let host = input.detect.then(crate::host::detect);
        Ok(Workspace {
            input,
            flags,
            flag_layer,
            resolver,
            host,
            logs: HashMap::new(),
        })
    }

    /// A linter config changed (or appeared, or went): find them anew.
    pub fn reload_configs(&mut self) -> Result<(), String> {
        let cwd = self.resolver.cwd().to_path_buf();
        self.resolver = lint::resolver(&self.input, &cwd).map_err(|e| e.0)?;
        Ok(())
    }

    /// A log changed: read it again when next needed.
    pub fn forget_log(&mut self, path: &Path) {
        self.logs.remove(path);
    }

    /// Is `path` a file the CLI would lint when walking its folder? By name
    /// (`invokeai*.yaml`), or a YAML file whose text looks like a config; and not excluded
    /// by its linter config.
    pub fn wants(&self, path: Option<&Path>, text: &str) -> bool {
        let Some(path) = path else {
            // An unsaved buffer: lint it if it looks like a config.
            return crate::discover::sniff(text.as_bytes());
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let by_name = crate::discover::is_config_name(&name);
        let by_content =
            crate::discover::is_yaml_name(&name) && crate::discover::sniff(text.as_bytes());
        if !(by_name || by_content) {
            return false;
        }
        match self.resolver.for_file(path) {
            Ok(Some(chain)) => !chain.excludes(self.resolver.cwd(), path),
            _ => true,
        }
    }

    /// The rules, facts and target for the file at `path` (None: an unsaved buffer, which
    /// gets the workspace root's linter config).
    pub fn context(&mut self, path: Option<&Path>) -> Result<FileContext, String> {
        let (_, settings) = settings_for_path(&self.resolver, path, &self.flag_layer)?;
        let log = self.log_for(path);
        let facts = lint::combine_facts(log, self.host.as_ref(), &settings.facts, &self.flags);
        let target = lint::choose_target_for(
            self.input.invokeai_version.as_deref(),
            settings.facts.invokeai_version.as_ref(),
            &facts,
        )
        .map_err(|e| e.0)?;
        Ok(FileContext {
            rules: settings.rules,
            facts,
            target,
        })
    }

    fn log_for(&mut self, config: Option<&Path>) -> Option<Arc<LogFacts>> {
        let path = match self.input.log.as_deref() {
            Some(p) if p.as_os_str() == "auto" => config?.parent()?.join(lint::AUTO_LOG_NAME),
            Some(p) => p.to_path_buf(),
            None => return None,
        };
        self.logs
            .entry(path.clone())
            .or_insert_with(|| {
                if !path.is_file() {
                    return None;
                }
                // A log that cannot be read is no fact; `missing-fact` says what is unknown.
                crate::log::read_log(&path).ok().map(Arc::new)
            })
            .clone()
    }
}
