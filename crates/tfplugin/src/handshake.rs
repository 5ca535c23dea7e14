//! The go-plugin handshake: how Terraform starts a provider and learns where
//! to connect.
//!
//! Terraform starts the binary with a magic cookie and the protocol versions
//! it speaks in the environment; the provider listens, then prints exactly one
//! line on stdout: `1|5|<network>|<address>|grpc|<server certificate>`.

use std::fmt;
use std::path::PathBuf;

use base64::Engine;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own handshake protocol version (first field of the line).
const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 5;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error(
        "This binary is a plugin for Terraform and OpenTofu (the {provider} provider). \
It is not meant to be run by hand: Terraform starts it when a configuration uses the provider. \
Install it as README.md describes (a filesystem mirror or dev_overrides), then run `terraform init` and `terraform plan`. \
To debug it, run it with --debug and export the TF_REATTACH_PROVIDERS value it prints."
    )]
    NotStartedByTerraform { provider: &'static str },
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider speaks only protocol 5. \
Use Terraform 0.12 or later, or OpenTofu."
    )]
    ProtocolNotOffered { offered: String },
    #[error("{name} is not a valid port number: {value:?}")]
    BadPort { name: &'static str, value: String },
    #[error(
        "PLUGIN_CLIENT_CERT is missing, so the connection cannot be authenticated; set TF_DISABLE_PLUGIN_TLS=1 to run without TLS"
    )]
    MissingClientCertificate,
}

/// What Terraform tells the plugin through the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginEnv {
    pub min_port: u16,
    pub max_port: u16,
    /// PEM of Terraform's client certificate; `None` when TLS is disabled.
    pub client_certificate: Option<String>,
    pub unix_socket_dir: Option<PathBuf>,
}

impl PluginEnv {
    /// Reads and checks the handshake environment through `var` (std::env::var
    /// in production); `provider` is the provider's type name, for messages.
    pub fn from_env(
        provider: &'static str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<PluginEnv, HandshakeError> {
        if var(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::NotStartedByTerraform { provider });
        }
        // Absent only with single-version clients, which then speak the default (5).
        if let Some(offered) = var("PLUGIN_PROTOCOL_VERSIONS") {
            let speaks_5 = offered
                .split(',')
                .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
            if !speaks_5 {
                return Err(HandshakeError::ProtocolNotOffered { offered });
            }
        }
        let port = |name: &'static str, default: u16| -> Result<u16, HandshakeError> {
            match var(name) {
                None => Ok(default),
                Some(v) if v.is_empty() => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| HandshakeError::BadPort { name, value: v }),
            }
        };
        let tls_disabled = var("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty());
        let client_certificate = if tls_disabled {
            None
        } else {
            Some(
                var("PLUGIN_CLIENT_CERT")
                    .filter(|v| !v.is_empty())
                    .ok_or(HandshakeError::MissingClientCertificate)?,
            )
        };
        Ok(PluginEnv {
            min_port: port("PLUGIN_MIN_PORT", 10000)?,
            max_port: port("PLUGIN_MAX_PORT", 25000)?,
            client_certificate,
            unix_socket_dir: var("PLUGIN_UNIX_SOCKET_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        })
    }
}

/// Where the plugin listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(std::net::SocketAddr),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix|{}", p.display()),
            Address::Tcp(a) => write!(f, "tcp|{a}"),
        }
    }
}

/// The one line printed on stdout. The certificate is base64 (standard
/// alphabet) without padding, as go-plugin expects; empty without TLS.
pub fn handshake_line(address: &Address, server_certificate_der: Option<&[u8]>) -> String {
    let cert = server_certificate_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{address}|grpc|{cert}")
}

/// The TF_REATTACH_PROVIDERS value that makes Terraform use an already running provider.
pub fn reattach_config(provider_address: &str, address: &Address, pid: u32) -> String {
    let (network, addr) = match address {
        Address::Unix(p) => ("unix", p.display().to_string()),
        Address::Tcp(a) => ("tcp", a.to_string()),
    };
    serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": network, "String": addr},
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_to_run_by_hand() {
        let err = PluginEnv::from_env("example", env(&[])).unwrap_err();
        assert_eq!(
            err,
            HandshakeError::NotStartedByTerraform {
                provider: "example"
            }
        );
        assert!(err.to_string().contains("not meant to be run by hand"));
    }

    #[test]
    fn negotiates_protocol_5() {
        let base = [
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("TF_DISABLE_PLUGIN_TLS", "1"),
        ];
        assert!(
            PluginEnv::from_env(
                "example",
                env(&[base[0], base[1], ("PLUGIN_PROTOCOL_VERSIONS", "5,6")])
            )
            .is_ok()
        );
        let err = PluginEnv::from_env(
            "example",
            env(&[base[0], base[1], ("PLUGIN_PROTOCOL_VERSIONS", "6")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("only protocol 5"), "{err}");
    }

    #[test]
    fn requires_client_certificate_unless_tls_disabled() {
        let err = PluginEnv::from_env("example", env(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)]))
            .unwrap_err();
        assert_eq!(err, HandshakeError::MissingClientCertificate);
        let ok = PluginEnv::from_env(
            "example",
            env(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                ("PLUGIN_CLIENT_CERT", "PEM"),
                ("PLUGIN_MIN_PORT", "12000"),
                ("PLUGIN_MAX_PORT", "12010"),
            ]),
        )
        .unwrap();
        assert_eq!((ok.min_port, ok.max_port), (12000, 12010));
        assert_eq!(ok.client_certificate.as_deref(), Some("PEM"));
    }

    #[test]
    fn formats_the_handshake_line() {
        let unix = Address::Unix(PathBuf::from("/tmp/plugin123/sock"));
        assert_eq!(
            handshake_line(&unix, None),
            "1|5|unix|/tmp/plugin123/sock|grpc|"
        );
        let tcp = Address::Tcp("127.0.0.1:10001".parse().unwrap());
        // 4 bytes -> 6 base64 chars, no '=' padding
        assert_eq!(
            handshake_line(&tcp, Some(&[1, 2, 3, 4])),
            "1|5|tcp|127.0.0.1:10001|grpc|AQIDBA"
        );
    }

    #[test]
    fn reattach_value_names_the_socket() {
        let v: serde_json::Value = serde_json::from_str(&reattach_config(
            "registry.terraform.io/x/y",
            &Address::Unix(PathBuf::from("/s")),
            42,
        ))
        .unwrap();
        assert_eq!(v["registry.terraform.io/x/y"]["Addr"]["String"], "/s");
        assert_eq!(v["registry.terraform.io/x/y"]["Pid"], 42);
    }
}
