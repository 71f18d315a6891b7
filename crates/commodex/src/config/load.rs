//! Reading the layers of settings in order and naming the key of any bad value.

use super::{ENV_SHORTCUTS, Profile, Settings};
use anyhow::{Context, bail};
use figment::Figment;
use figment::error::{Actual, Kind};
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

/// Loads and validates the settings; every error names the key and what was expected, and
/// none quotes a secret: the values of secret-named variables and the passwords of URLs are
/// masked in whatever the message says.
pub fn load(sources: &ConfigSources) -> anyhow::Result<Settings> {
    let secrets: Vec<&str> = sources
        .env
        .iter()
        .filter(|(name, _)| is_secret_key(name))
        .map(|(_, value)| value.as_str())
        .collect();
    load_layers(sources)
        .map_err(|error| anyhow::anyhow!(store::redact::scrub(&format!("{error:#}"), &secrets)))
}

/// [`load`] before its errors are cleaned of secrets.
fn load_layers(sources: &ConfigSources) -> anyhow::Result<Settings> {
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

/// Whether a settings key or variable name holds a secret (`api_key`, `api_token`,
/// `COMMODEX_SOURCES__FMP__API_KEY`, a password...), matched without regard to case.
fn is_secret_key(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["key", "token", "password", "secret"]
        .iter()
        .any(|word| name.ends_with(word))
}

/// Whether a variable's value is taken as the text it is: secrets and URLs are strings, and
/// parsing them as scalars would change them (`007` would become the number 7, `1.50` 1.5).
fn is_verbatim_key(key: &str) -> bool {
    is_secret_key(key) || key.ends_with("url")
}

/// Turns `COMMODEX_SECTION__KEY=value` variables into a nested dictionary, with the
/// shortcuts of SPEC mapped to their keys. Values are parsed like TOML scalars so that
/// `COMMODEX_LIVE__POLL_INTERVAL_SECS=5` is a number and a bad one is named in the error;
/// secrets and URLs are kept as the text given.
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
        let parsed: Value = if is_verbatim_key(&key) {
            Value::from(value.clone())
        } else {
            value.parse().unwrap_or_else(|_| Value::from(value.clone()))
        };
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
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), describe_kind(&e.kind)))?;
    let mut sources = Dict::new();
    for (id, value) in raw {
        let key = match &value {
            Value::String(_, key) => key.clone(),
            Value::Dict(_, fields) => match fields.get("api_key") {
                Some(Value::String(_, key)) => key.clone(),
                _ => bail!(
                    "{}: `{id}` must be a key or have an `api_key` string (quote a key of digits)",
                    path.display()
                ),
            },
            _ => bail!(
                "{}: `{id}` must be a key or have an `api_key` string (quote a key of digits)",
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
    anyhow::anyhow!(
        "bad configuration value for {key}{}{origin}",
        describe_kind(&error.kind)
    )
}

/// What went wrong, naming the type of a bad value but never the value itself: it may be a
/// secret given under the wrong key, and the key and what was expected say enough to fix it.
fn describe_kind(kind: &Kind) -> String {
    match kind {
        Kind::InvalidType(actual, expected) => {
            format!(
                "invalid type: found {}, expected {expected}",
                type_of(actual)
            )
        }
        Kind::InvalidValue(actual, expected) => {
            format!(
                "invalid value: found {}, expected {expected}",
                type_of(actual)
            )
        }
        Kind::ISizeOutOfRange(_) | Kind::USizeOutOfRange(_) => {
            "the number is out of range".to_string()
        }
        Kind::Unsupported(actual) => format!("{} is not supported here", type_of(actual)),
        other => other.to_string(),
    }
}

/// The kind of a value as an error message may name it.
fn type_of(actual: &Actual) -> &'static str {
    match actual {
        Actual::Bool(_) => "a boolean",
        Actual::Unsigned(_) | Actual::Signed(_) => "an integer",
        Actual::Float(_) => "a decimal number",
        Actual::Char(_) | Actual::Str(_) => "a string",
        Actual::Bytes(_) => "bytes",
        Actual::Seq => "a list",
        Actual::Map => "a table",
        _ => "a value of another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings from an empty config folder and `env` only.
    fn load_env(env: &[(&str, &str)]) -> (tempfile::TempDir, anyhow::Result<Settings>) {
        let dir = tempfile::tempdir().unwrap();
        let mut variables = vec![(
            "COMMODEX_DATA_DIR".to_string(),
            dir.path().join("data").display().to_string(),
        )];
        variables.extend(
            env.iter()
                .map(|(name, value)| (name.to_string(), value.to_string())),
        );
        let sources = ConfigSources {
            config_dir: dir.path().to_path_buf(),
            extra_file: None,
            env: variables,
        };
        let settings = load(&sources);
        (dir, settings)
    }

    #[test]
    fn secrets_that_look_like_numbers_are_kept_as_given() {
        let (_dir, settings) = load_env(&[
            ("COMMODEX_API_TOKEN", "00123456"),
            ("COMMODEX_SOURCES__FMP__API_KEY", "1.50"),
            ("COMMODEX_SOURCES__API_NINJAS__API_KEY", "true"),
            ("COMMODEX_LIVE__POLL_INTERVAL_SECS", "7"),
        ]);
        let settings = settings.unwrap();
        let token = settings.server.api_token.unwrap();
        assert_eq!(token.expose(), "00123456");
        let key = |id: &str| {
            settings.sources[id]
                .api_key
                .as_ref()
                .map(|key| key.expose().to_string())
        };
        assert_eq!(key("fmp").as_deref(), Some("1.50"));
        assert_eq!(key("api_ninjas").as_deref(), Some("true"));
        // Other values are still read as numbers.
        assert_eq!(settings.live.poll_interval_secs, 7);
    }

    #[test]
    fn a_bad_value_is_named_by_its_key_and_type_never_quoted() {
        // A key given where a section belongs: the message must not repeat it.
        let (_dir, settings) = load_env(&[("COMMODEX_SOURCES__FMP", "0042424242")]);
        let message = format!("{:#}", settings.unwrap_err());
        assert!(message.contains("sources.fmp"), "{message}");
        assert!(message.contains("found an integer"), "{message}");
        assert!(!message.contains("42424242"), "{message}");

        let (_dir, settings) = load_env(&[("COMMODEX_SOURCES__FMP", "fmp-secret-value")]);
        let message = format!("{:#}", settings.unwrap_err());
        assert!(!message.contains("fmp-secret-value"), "{message}");
    }

    #[test]
    fn a_secret_variable_is_masked_in_any_error() {
        // Validation quotes a bad base URL, here one with the provider's key in its path.
        let (_dir, settings) = load_env(&[
            ("COMMODEX_SOURCES__FMP__API_KEY", "key-9f8e7d6c"),
            (
                "COMMODEX_SOURCES__FMP__BASE_URL",
                "ftp://proxy/key-9f8e7d6c/fmp",
            ),
        ]);
        let message = format!("{:#}", settings.unwrap_err());
        assert!(message.contains("sources.fmp.base_url"), "{message}");
        assert!(!message.contains("key-9f8e7d6c"), "{message}");
    }
}
