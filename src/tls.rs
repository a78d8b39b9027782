//! Which certificate authorities outbound TLS trusts (LLM vendors, the health probe): the
//! system's store when it has any, otherwise the Mozilla roots compiled into the binary
//! (`webpki-roots`). A minimal container image without `ca-certificates` still starts and
//! reaches public HTTPS endpoints; one log line at start-up says which store is in use.

use std::sync::{Arc, OnceLock};

use rustls::ClientConfig;
use rustls_platform_verifier::BuilderVerifierExt;

/// Where the trusted roots come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// The operating system's store (`/etc/ssl/certs`, `SSL_CERT_FILE`, `SSL_CERT_DIR`).
    System,
    /// The Mozilla roots compiled in, because the system has none.
    Bundled,
}

impl Roots {
    pub fn as_str(self) -> &'static str {
        match self {
            Roots::System => "system",
            Roots::Bundled => "bundled",
        }
    }
}

struct Trust {
    config: Arc<ClientConfig>,
    roots: Roots,
    /// Why the system's store could not be used, when it could not.
    system_error: Option<String>,
}

static TRUST: OnceLock<Trust> = OnceLock::new();

/// One TLS implementation (rustls with ring) for PostgreSQL, Redis and HTTPS clients.
pub fn install_provider() {
    // Fails only when a provider is already installed, which is then just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn trust() -> &'static Trust {
    TRUST.get_or_init(|| {
        install_provider();
        match ClientConfig::builder().with_platform_verifier() {
            Ok(builder) => Trust {
                config: Arc::new(builder.with_no_client_auth()),
                roots: Roots::System,
                system_error: None,
            },
            Err(e) => Trust {
                config: Arc::new(bundled()),
                roots: Roots::Bundled,
                system_error: Some(e.to_string()),
            },
        }
    })
}

/// A client configuration trusting the compiled-in Mozilla roots only.
pub fn bundled() -> ClientConfig {
    install_provider();
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// The client configuration every outbound TLS connection uses (decided once per process).
pub fn client_config() -> ClientConfig {
    trust().config.as_ref().clone()
}

/// Which roots [`client_config`] trusts.
pub fn roots() -> Roots {
    trust().roots
}

/// Logs, once, which roots outbound TLS trusts.
pub fn log_roots() {
    let trust = trust();
    match &trust.system_error {
        None => tracing::info!(
            tls_roots = trust.roots.as_str(),
            "outbound TLS trusts the system's CA certificates"
        ),
        Some(error) => tracing::warn!(
            tls_roots = trust.roots.as_str(),
            system_error = %error,
            "outbound TLS trusts the compiled-in Mozilla roots: the system has no CA certificates (install ca-certificates to use the system's store)"
        ),
    }
}
