//! Records build facts for `/api/version` and `llmchat version`: version (`LLMCHAT_VERSION`,
//! else the crate's), git commit (`LLMCHAT_GIT_COMMIT`, else git), build time, rustc;
//! and, for release builds, builds the web UI (`web/dist`, embedded by `src/ui.rs`) when its
//! sources changed since the last build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let commit = std::env::var("LLMCHAT_GIT_COMMIT")
        .ok()
        .or_else(|| run("git", &["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    // A release's version (the image's `VERSION` build argument); the crate's otherwise.
    let version = std::env::var("LLMCHAT_VERSION")
        .ok()
        .map(|v| v.trim().trim_start_matches('v').to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| std::env::var("CARGO_PKG_VERSION").unwrap_or_default());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = run(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    let built = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);

    // `cargo run` passes these to the program it starts, so their names must never look like
    // settings (`LLMCHAT_*` or one of the deployment guide's plain names).
    println!("cargo:rustc-env=BUILDINFO_VERSION={version}");
    println!("cargo:rustc-env=BUILDINFO_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=BUILDINFO_RUSTC_VERSION={rustc_version}");
    println!("cargo:rustc-env=BUILDINFO_UNIX_TIME={built}");
    // Re-run only when the commit moves, not on every build.
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-env-changed=LLMCHAT_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=LLMCHAT_VERSION");

    build_web_ui();
}

/// What the UI build reads; a change to any of these rebuilds it.
const WEB_INPUTS: &[&str] = &[
    "web/src",
    "web/public",
    "web/index.html",
    "web/package.json",
    "web/package-lock.json",
    "web/vite.config.ts",
    "web/tsconfig.json",
];

/// Runs `npm ci && npm run build` in `web/` for release builds, unless `web/dist` was already
/// built from the same sources. Debug builds (clippy, tests) never build it: they read
/// `web/dist` from disk at run time. Without npm, or with `LLMCHAT_SKIP_WEB_BUILD=1`, the
/// binary is built without the UI and says so at `/`.
fn build_web_ui() {
    println!("cargo:rerun-if-env-changed=LLMCHAT_SKIP_WEB_BUILD");
    if std::env::var("PROFILE").as_deref() != Ok("release") {
        return;
    }
    for input in WEB_INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    if std::env::var("LLMCHAT_SKIP_WEB_BUILD").as_deref() == Ok("1") {
        println!("cargo:warning=LLMCHAT_SKIP_WEB_BUILD=1: the web UI is not rebuilt");
        return;
    }
    let web = Path::new("web");
    if !web.join("package.json").is_file() {
        return;
    }
    let stamp_file = web.join("dist/.build-stamp");
    let stamp = fingerprint();
    if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str()) {
        return;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if run(npm, &["--version"]).is_none() {
        println!(
            "cargo:warning=npm not found: building without the web UI (install Node.js 20.19+ and npm, or set LLMCHAT_SKIP_WEB_BUILD=1 to silence this)"
        );
        return;
    }
    // `npm ci` reinstalls everything; skip it when node_modules already matches the lockfile.
    let installed = web.join("node_modules/.package-lock.json");
    let fresh_modules = match (
        std::fs::metadata(&installed).and_then(|m| m.modified()),
        std::fs::metadata(web.join("package-lock.json")).and_then(|m| m.modified()),
    ) {
        (Ok(installed), Ok(lock)) => installed >= lock,
        _ => false,
    };
    let steps: &[&[&str]] = if fresh_modules {
        &[&["run", "build"]]
    } else {
        &[&["ci", "--no-audit", "--no-fund"], &["run", "build"]]
    };
    let started = std::time::Instant::now();
    for args in steps {
        tell(&format!("web UI: npm {}", args.join(" ")));
        let ok = Command::new(npm)
            .args(*args)
            .current_dir(web)
            // npm's output would be hidden by cargo anyway; keep stdout off the build log.
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!(
                "cargo:warning=`npm {}` failed in web/: building without a fresh web UI (see `cd web && npm {0}`)",
                args.join(" ")
            );
            return;
        }
    }
    let _ = std::fs::write(&stamp_file, stamp);
    println!(
        "cargo:warning=built the web UI in {} s (web/dist)",
        started.elapsed().as_secs()
    );
}

/// Says what the build is doing while it does it: cargo shows a build script's output only
/// after it ends, and `npm ci` plus the UI build take a minute or two, so the terminal is told
/// directly when there is one.
fn tell(message: &str) {
    use std::io::Write;
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = writeln!(tty, "{:>12} {message}", "Building");
    }
}

/// A fingerprint of the input files' paths and contents (FNV-1a; a few hundred KiB to read).
fn fingerprint() -> String {
    let mut files = Vec::new();
    for input in WEB_INPUTS {
        collect(Path::new(input), &mut files);
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        let content = std::fs::read(&path).unwrap_or_default();
        for byte in path.to_string_lossy().bytes().chain([0]).chain(content) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                collect(&entry.path(), out);
            }
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}
