//! Logging the way Terraform reads it: one hclog JSON object per stderr line.
//!
//! Terraform re-emits these lines under TF_LOG / TF_LOG_PROVIDER. The level
//! is taken from the same variables so a quiet run costs nothing. A panic
//! writes a `panic: ` line, which is what makes Terraform report a crash.

use std::fmt::Write as _;
use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The level asked for by TF_LOG_PROVIDER, else TF_LOG; warnings and errors otherwise.
pub fn level_from_env(var: impl Fn(&str) -> Option<String>) -> LevelFilter {
    let raw = var("TF_LOG_PROVIDER")
        .or_else(|| var("TF_LOG"))
        .unwrap_or_default();
    match raw.trim().to_ascii_lowercase().as_str() {
        "trace" | "json" => LevelFilter::TRACE,
        "debug" => LevelFilter::DEBUG,
        "info" => LevelFilter::INFO,
        "error" => LevelFilter::ERROR,
        "off" => LevelFilter::OFF,
        _ => LevelFilter::WARN,
    }
}

/// Installs the hclog writer and the panic hook for the whole process:
/// `own` crates log at the level asked for, `silenced` ones never.
pub fn init(own: &[&str], silenced: &[&str]) {
    let level = level_from_env(|k| std::env::var(k).ok());
    let subscriber = tracing_subscriber::registry()
        .with(filter(level, own, silenced))
        .with(HclogLayer);
    // Ignoring the error is right: it only fails if a subscriber is already set (tests).
    let _ = tracing::subscriber::set_global_default(subscriber);
    std::panic::set_hook(Box::new(|info| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "panic: {info}");
        let _ = writeln!(stderr, "{}", std::backtrace::Backtrace::force_capture());
    }));
}

/// Only the provider's own crates log at the level asked for. Libraries below
/// may log request details at debug and trace level (a signer's input can
/// include session tokens), so everything else is capped at info, and the
/// silenced crates are never heard.
fn filter(level: LevelFilter, own: &[&str], silenced: &[&str]) -> Targets {
    let mut targets = Targets::new().with_default(level.min(LevelFilter::INFO));
    for target in own {
        targets = targets.with_target(*target, level);
    }
    for target in silenced {
        targets = targets.with_target(*target, LevelFilter::OFF);
    }
    targets
}

struct HclogLayer;

#[derive(Default)]
struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.insert(field, serde_json::Value::String(text));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, serde_json::Value::String(value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }
}

impl Fields {
    fn insert(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            self.message = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
        } else {
            self.extra.insert(field.name().to_string(), value);
        }
    }
}

/// Formats one event as an hclog JSON line.
pub fn hclog_line(
    level: &Level,
    module: &str,
    message: &str,
    extra: serde_json::Map<String, serde_json::Value>,
) -> String {
    let level = match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_default();
    let mut obj = extra;
    obj.insert("@level".into(), level.into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), format!("provider.{module}").into());
    obj.insert("@timestamp".into(), timestamp.into());
    serde_json::Value::Object(obj).to_string()
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let module = event
            .metadata()
            .target()
            .split("::")
            .next()
            .unwrap_or("provider");
        let line = hclog_line(
            event.metadata().level(),
            module,
            &fields.message,
            fields.extra,
        );
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_terraform_variables() {
        assert_eq!(level_from_env(|_| None), LevelFilter::WARN);
        assert_eq!(
            level_from_env(|k| (k == "TF_LOG").then(|| "DEBUG".into())),
            LevelFilter::DEBUG
        );
        let both = |k: &str| match k {
            "TF_LOG" => Some("trace".to_string()),
            "TF_LOG_PROVIDER" => Some("error".to_string()),
            _ => None,
        };
        assert_eq!(level_from_env(both), LevelFilter::ERROR);
    }

    #[test]
    fn lines_are_hclog_json() {
        let line = hclog_line(&Level::INFO, "rootaccess", "hello", serde_json::Map::new());
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "hello");
        let ts = v["@timestamp"].as_str().unwrap();
        let fraction = ts.rsplit('.').next().unwrap();
        assert_eq!(fraction.len(), 7, "6 digits then Z: {ts}");
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn libraries_are_capped_and_the_signer_is_silent() {
        let own = ["terraform_provider_example", "example_client"];
        let f = filter(LevelFilter::TRACE, &own, &["aws_sigv4"]);
        assert!(f.would_enable("terraform_provider_example::resources", &Level::TRACE));
        assert!(f.would_enable("example_client::calls", &Level::TRACE));
        assert!(!f.would_enable("h2::codec::framed_write", &Level::TRACE));
        assert!(f.would_enable("h2::codec::framed_write", &Level::INFO));
        assert!(!f.would_enable("aws_sigv4::http_request::sign", &Level::ERROR));
        let quiet = filter(LevelFilter::WARN, &own, &["aws_sigv4"]);
        assert!(!quiet.would_enable("h2::codec", &Level::INFO));
    }
}
