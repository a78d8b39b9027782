//! Facts about this build, recorded by `build.rs`.

/// The release version: `LLMCHAT_VERSION` at build time (e.g. the image's `VERSION`), else the
/// crate's.
pub const VERSION: &str = env!("BUILDINFO_VERSION");
pub const GIT_COMMIT: &str = env!("BUILDINFO_GIT_COMMIT");
pub const RUSTC_VERSION: &str = env!("BUILDINFO_RUSTC_VERSION");
const BUILD_UNIX: &str = env!("BUILDINFO_UNIX_TIME");

/// Cargo features compiled in.
pub const FEATURES: &[&str] = &[
    #[cfg(feature = "test-hooks")]
    "test-hooks",
];

/// The build time as RFC 3339 (UTC).
pub fn build_time() -> String {
    BUILD_UNIX
        .parse::<i64>()
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "unknown".into())
}
