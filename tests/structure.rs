//! The shape of `src/`, checked (docs/architecture.md, "Intended layering" and "Size"):
//!
//! - a module imports only from its own layer or below, and never one of the pairs
//!   `FORBIDDEN` names even in the same layer;
//! - no file is over 500 lines and no function over 80, unless a comment starting with
//!   `// size:` in the file (or right above the function) says why.
//!
//! Paths are read with `syn`, so `use crate::{a, b::c}` groups, `super::` paths that leave the
//! module, and `crate::` paths inside macros and attributes all count. Test code (files named
//! `tests.rs`, `tests/` directories, items under `#[cfg(test)]`) is left out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Bottom to top. `lib` and `main` are not listed: they only declare and start the rest.
#[rustfmt::skip] // one row per layer, its modules packed
const LAYERS: &[(&str, &[&str])] = &[
    ("leaf", &["error", "budget_status", "build_info", "config", "content", "crypto", "tls",
        "extract", "tokens", "timestamps", "roles", "policy"]),
    ("definitions", &["agents"]),
    ("infrastructure", &["store", "llm", "telemetry", "shared", "ratelimit"]),
    ("domain", &["state", "runtime", "auth", "audit", "usage", "reports", "chat", "compat",
        "reload", "uploads", "cluster", "data_lifecycle"]),
    ("web", &["http", "routes", "ui", "serve"]),
    ("entry", &["app", "cli"]),
];

/// Pairs in the same layer (or allowed by it) that must still not meet: (importer, imported).
const FORBIDDEN: &[(&str, &str)] = &[("store", "llm"), ("llm", "store"), ("http", "routes")];

const MAX_FILE_LINES: usize = 500;
const MAX_FN_LINES: usize = 80;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "tests") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// `src/chat/turn/run.rs` → `["chat", "turn", "run"]`; `mod.rs` names its directory.
fn module_path(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src()).expect("a file under src/");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.meta.to_token_stream_string().replace(' ', "") == "cfg(test)"
    })
}

trait MetaString {
    fn to_token_stream_string(&self) -> String;
}

impl MetaString for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string()
    }
}

/// The top-level modules one file refers to, with the line of each first reference.
struct Imports<'a> {
    module: &'a [String],
    found: BTreeMap<String, usize>,
}

/// The top-level modules `ast` (the file of `module`) imports, each with the line of its first
/// reference.
fn imports_of(module: &[String], ast: &syn::File) -> BTreeMap<String, usize> {
    let mut imports = Imports {
        module,
        found: BTreeMap::new(),
    };
    imports.visit_file(ast);
    imports.found
}

impl Imports<'_> {
    /// Records a path given as its segments, `line` where it starts.
    fn record(&mut self, segments: &[String], line: usize) {
        let target = match segments.first().map(String::as_str) {
            Some("crate") => segments.get(1).cloned(),
            Some("super") => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                // `super` from `a/b.rs` (module a::b) is `a`; leaving the top module is the crate.
                if ups >= self.module.len() {
                    segments.get(ups).cloned()
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(target) = target {
            self.found.entry(target).or_insert(line);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.leaf(prefix, n.ident.to_string(), n.ident.span()),
            syn::UseTree::Rename(r) => self.leaf(prefix, r.ident.to_string(), r.ident.span()),
            syn::UseTree::Glob(_) => self.record(prefix, 0),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn leaf(&mut self, prefix: &[String], name: String, span: proc_macro2::Span) {
        let mut full = prefix.to_vec();
        full.push(name);
        self.record(&full, span.start().line);
    }

    /// `crate :: name` (and `super :: …`) sequences inside macro and attribute tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if id == "crate" || id == "super" => {
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) =
                        (trees.get(j), trees.get(j + 1))
                    {
                        if a.as_char() != ':' || b.as_char() != ':' {
                            break;
                        }
                        match trees.get(j + 2) {
                            Some(TokenTree::Ident(next)) => segments.push(next.to_string()),
                            _ => break,
                        }
                        j += 3;
                    }
                    self.record(&segments, id.span().start().line);
                }
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Imports<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Trait(t) => &t.attrs,
            syn::Item::Type(t) => &t.attrs,
            syn::Item::Macro(m) => &m.attrs,
            _ => &[],
        };
        if !is_cfg_test(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        self.record(&segments, line);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta {
            self.tokens(list.tokens.clone());
        }
    }
}

fn parse(file: &Path) -> (String, syn::File) {
    let text = std::fs::read_to_string(file).expect("readable source");
    let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    (text, ast)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

fn library_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.retain(|f| {
        let m = module_path(f);
        !matches!(m.first().map(String::as_str), Some("bin" | "lib" | "main"))
    });
    files
}

#[test]
fn every_top_level_module_has_a_layer() {
    let declared: BTreeSet<String> = library_files()
        .iter()
        .filter_map(|f| module_path(f).first().cloned())
        .collect();
    let unplaced: Vec<_> = declared.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS in tests/structure.rs (and from docs/architecture.md): {unplaced:?}"
    );
}

#[test]
fn modules_import_only_their_layer_and_below() {
    let mut violations = Vec::new();
    for file in library_files() {
        let module = module_path(&file);
        let (_, ast) = parse(&file);
        let found = imports_of(&module, &ast);
        let from = module[0].as_str();
        let Some(from_layer) = layer_of(from) else {
            continue;
        };
        for (to, line) in &found {
            if to == from {
                continue;
            }
            let Some(to_layer) = layer_of(to) else {
                continue; // not a module of ours (`crate::Result`, a macro, …)
            };
            let forbidden = FORBIDDEN.contains(&(from, to.as_str()));
            if to_layer > from_layer || forbidden {
                violations.push(format!(
                    "{}:{line}: {from} ({}) imports {to} ({})",
                    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap_or(&file)
                        .display(),
                    LAYERS[from_layer].0,
                    LAYERS[to_layer].0,
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the layering (docs/architecture.md):\n{}",
        violations.join("\n")
    );
}

/// Whether a `// size:` comment explains an exception at or just above `line` (1-based), or
/// anywhere in the file when `line` is 0.
fn explained(text: &str, line: usize) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    if line == 0 {
        return lines.iter().any(|l| l.trim_start().starts_with("// size:"));
    }
    let mut i = line.saturating_sub(2); // the line above the item
    loop {
        let l = lines.get(i).map_or("", |l| l.trim_start());
        if l.starts_with("// size:") {
            return true;
        }
        if !(l.starts_with("//") || l.starts_with("#[")) || i == 0 {
            return false;
        }
        i -= 1;
    }
}

struct Functions<'a> {
    text: &'a str,
    long: Vec<(String, usize, usize)>,
}

impl Functions<'_> {
    fn check(&mut self, name: String, start: usize, end: usize) {
        let lines = end - start + 1;
        if lines > MAX_FN_LINES && !explained(self.text, start) {
            self.long.push((name, start, lines));
        }
    }
}

fn span_lines(tokens: &impl quote::ToTokens) -> (usize, usize) {
    let stream = tokens.to_token_stream();
    let mut first = usize::MAX;
    let mut last = 0;
    for tree in stream {
        let span = tree.span();
        first = first.min(span.start().line);
        last = last.max(span.end().line);
    }
    (first, last)
}

impl<'ast> Visit<'ast> for Functions<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let test = match item {
            syn::Item::Mod(m) => is_cfg_test(&m.attrs),
            syn::Item::Fn(f) => is_cfg_test(&f.attrs),
            _ => false,
        };
        if !test {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let (_, end) = span_lines(&f.block);
        let start = f.sig.fn_token.span.start().line;
        self.check(f.sig.ident.to_string(), start, end);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let (_, end) = span_lines(&f.block);
        let start = f.sig.fn_token.span.start().line;
        self.check(f.sig.ident.to_string(), start, end);
        syn::visit::visit_impl_item_fn(self, f);
    }
}

#[test]
fn no_file_or_function_is_too_long() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let (text, ast) = parse(&file);
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&file)
            .display()
            .to_string();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES && !explained(&text, 0) {
            problems.push(format!("{shown}: {lines} lines (at most {MAX_FILE_LINES})"));
        }
        let mut functions = Functions {
            text: &text,
            long: Vec::new(),
        };
        functions.visit_file(&ast);
        for (name, line, count) in functions.long {
            problems.push(format!(
                "{shown}:{line}: fn {name} is {count} lines (at most {MAX_FN_LINES})"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "too long (split it, or explain the exception in a `// size:` comment):\n{}",
        problems.join("\n")
    );
}

/// The reader itself: every way code can name another module is seen, test code is not.
#[test]
fn the_reader_finds_every_kind_of_reference() {
    let code = r#"
        use crate::{alpha::A, beta::{self, B}};
        use super::gamma::*;
        fn f() -> crate::delta::D { json!(crate::epsilon::E) }
        #[utoipa::path(get, path = "/", responses((status = 200, body = crate::zeta::Z)))]
        async fn g() { let _ = super::eta::H; }
        #[cfg(test)]
        mod tests { use crate::theta::T; }
    "#;
    let ast = syn::parse_file(code).unwrap();
    let module = vec!["top".to_string()];
    let imports = imports_of(&module, &ast);
    let found: Vec<&str> = imports.keys().map(String::as_str).collect();
    assert_eq!(
        found,
        ["alpha", "beta", "delta", "epsilon", "eta", "gamma", "zeta"]
    );

    // `super` inside a nested file stays in its module.
    let nested = vec!["top".to_string(), "inner".to_string()];
    let imports = imports_of(&nested, &syn::parse_file("use super::sibling::S;").unwrap());
    assert!(imports.is_empty(), "{imports:?}");
}

/// Prints the "What each part uses" table of docs/architecture.md:
/// `cargo test --test structure -- --ignored --nocapture import_table`.
#[test]
#[ignore = "prints documentation; run by hand"]
fn import_table() {
    let mut table: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in library_files() {
        let module = module_path(&file);
        let (_, ast) = parse(&file);
        let entry = table.entry(module[0].clone()).or_default();
        for to in imports_of(&module, &ast).into_keys() {
            if to != module[0] && layer_of(&to).is_some() {
                entry.insert(to);
            }
        }
    }
    println!("| module | layer | imports |\n|---|---|---|");
    for (module, uses) in table {
        let layer = layer_of(&module).map_or("?", |l| LAYERS[l].0);
        let uses: Vec<String> = uses.into_iter().collect();
        let uses = if uses.is_empty() {
            "—".to_string()
        } else {
            uses.join(", ")
        };
        println!("| `{module}` | {layer} | {uses} |");
    }
}
