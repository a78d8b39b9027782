//! The `llmchat` binary: everything lives in the library; see `cli.rs`.

fn main() -> std::process::ExitCode {
    llmchat::cli::main()
}
