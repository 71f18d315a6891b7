//! Reading the layers of settings in order and naming the key of any bad value.

use super::{ENV_SHORTCUTS, Profile, Settings};
use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Format, Serialized, Toml, Yaml};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Provider};
use std::path::{Path, PathBuf};

/// Where settings come from: the process environment and the working directory, gathered
/// once so that loading can be tested without touching the real environment.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// The folder holding `default.toml`, `<profile>.toml` and `catalog.toml`.
    pub config_dir: PathBuf,
    /// A file given with `--config`, applied after the profile file.
    pub extra_file: Option<PathBuf>,
    /// `COMMODEX_*` variables (name, value).
    pub env: Vec<(String, String)>,
}

impl ConfigSources {
    /// The real process environment and `./config`.
    pub fn from_process(extra_file: Option<PathBuf>) -> Self {
        Self {
            config_dir: PathBuf::from("config"),
            extra_file,
            env: std::env::vars()
                .filter(|(name, _)| name.starts_with("COMMODEX_"))
                .collect(),
        }
    }

    fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Loads and validates the settings; every error names the key and what was expected.
pub fn load(sources: &ConfigSources) -> anyhow::Result<Settings> {
    let profile: Profile = match sources.env_var("COMMODEX_PROFILE") {
        Some(name) => name
            .parse()
            .map_err(|e| anyhow::anyhow!("COMMODEX_PROFILE: {e}"))?,
        None => Profile::Development,
    };
    let mut figment = Figment::from(Serialized::defaults(Settings::default()))
        .merge(Toml::file(sources.config_dir.join("default.toml")))
        .merge(Toml::file(
            sources
                .config_dir
                .join(format!("{}.toml", profile.as_str())),
        ));
    if let Some(extra) = &sources.extra_file {
        if !extra.is_file() {
            bail!("--config {}: no such file", extra.display());
        }
        figment = figment.merge(Toml::file(extra));
    }
    let env = env_dict(&sources.env);
    // The data dir decides where api_keys.yaml is looked for, so read it first.
    let data_dir: PathBuf = figment
        .clone()
        .merge(Named::new("COMMODEX_* environment variables", env.clone()))
        .extract_inner("data_dir")
        .map_err(describe_figment_error)?;
    for candidate in [
        sources.config_dir.join("api_keys.yaml"),
        data_dir.join("api_keys.yaml"),
    ] {
        if candidate.is_file() {
            figment = figment.merge(Named::new(
                candidate.display().to_string(),
                api_keys_dict(&candidate)?,
            ));
        }
    }
    figment = figment
        .merge(Named::new("COMMODEX_* environment variables", env))
        .merge(Serialized::default("profile", profile));
    let settings: Settings = figment.extract().map_err(describe_figment_error)?;
    super::validate::validate(&settings)?;
    Ok(settings)
}

/// The effective configuration as TOML, every secret and password redacted (`commodex config`).
pub fn redacted_toml(settings: &Settings) -> anyhow::Result<String> {
    let mut shown = settings.clone();
    shown.database.url = Some(store::redact_url(&settings.database_url()));
    shown.redis.url = settings.redis.url.as_deref().map(store::redact_url);
    toml::to_string_pretty(&shown).context("cannot print the configuration")
}

/// A dictionary of settings with a name for error messages ("from api_keys.yaml").
struct Named {
    name: String,
    dict: Dict,
}

impl Named {
    fn new(name: impl Into<String>, dict: Dict) -> Self {
        Self {
            name: name.into(),
            dict,
        }
    }
}

impl Provider for Named {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone())
    }

    fn data(&self) -> Result<Map<figment::Profile, Dict>, figment::Error> {
        Ok(Map::from([(figment::Profile::Default, self.dict.clone())]))
    }
}

/// Turns `COMMODEX_SECTION__KEY=value` variables into a nested dictionary, with the
/// shortcuts of SPEC mapped to their keys. Values are parsed like TOML scalars so that
/// `COMMODEX_LIVE__POLL_INTERVAL_SECS=5` is a number and a bad one is named in the error.
fn env_dict(env: &[(String, String)]) -> Dict {
    let mut root = Dict::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("COMMODEX_") else {
            continue;
        };
        let lower = rest.to_ascii_lowercase();
        if lower == "profile" || lower.is_empty() {
            continue;
        }
        let key = ENV_SHORTCUTS
            .iter()
            .find(|(shortcut, _)| *shortcut == lower)
            .map(|(_, key)| key.to_string())
            .unwrap_or_else(|| lower.replace("__", "."));
        let parsed: Value = value.parse().unwrap_or_else(|_| Value::from(value.clone()));
        insert_path(&mut root, &key, parsed);
    }
    root
}

fn insert_path(dict: &mut Dict, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            dict.insert(path.to_string(), value);
        }
        Some((head, tail)) => {
            let entry = dict
                .entry(head.to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert_path(inner, tail, value);
            } else {
                let mut inner = Dict::new();
                insert_path(&mut inner, tail, value);
                *entry = Value::from(inner);
            }
        }
    }
}

/// Reads the original's `api_keys.yaml`: `source: KEY` or `source: {api_key: KEY}` per line.
fn api_keys_dict(path: &Path) -> anyhow::Result<Dict> {
    let raw: Map<String, Value> = Figment::from(Yaml::file(path))
        .extract()
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.kind))?;
    let mut sources = Dict::new();
    for (id, value) in raw {
        let key = match &value {
            Value::String(_, key) => key.clone(),
            Value::Dict(_, fields) => match fields.get("api_key") {
                Some(Value::String(_, key)) => key.clone(),
                _ => bail!(
                    "{}: `{id}` must be a key or have an `api_key` string",
                    path.display()
                ),
            },
            _ => bail!(
                "{}: `{id}` must be a key or have an `api_key` string",
                path.display()
            ),
        };
        let mut section = Dict::new();
        section.insert("api_key".to_string(), Value::from(key));
        sources.insert(id, Value::from(section));
    }
    let mut root = Dict::new();
    root.insert("sources".to_string(), Value::from(sources));
    Ok(root)
}

fn describe_figment_error(error: figment::Error) -> anyhow::Error {
    let key = if error.path.is_empty() {
        String::new()
    } else {
        format!("`{}`: ", error.path.join("."))
    };
    let origin = error
        .metadata
        .as_ref()
        .map(|metadata| {
            let source = metadata
                .source
                .as_ref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            format!(" (from {}{source})", metadata.name)
        })
        .unwrap_or_default();
    anyhow::anyhow!("bad configuration value for {key}{}{origin}", error.kind)
}
