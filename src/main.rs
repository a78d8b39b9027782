//! The `llmchat` binary: everything lives in the library; see `cli.rs`.

/// mimalloc: a server's many small, short-lived allocations (headers, JSON, SSE frames) cost
/// about half of glibc's, and freed memory goes back to the system instead of lingering in
/// per-thread arenas (see bench/RESULTS.md). Built with `no_thp`: where the kernel offers
/// transparent huge pages, mimalloc would ask for them and every 2 MiB region it touched would
/// count whole in the resident size (16 MiB more at start-up).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    llmchat::cli::main()
}
