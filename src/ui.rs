//! The web UI: the files of `web/dist`, embedded in release builds (read from disk in debug
//! builds), served at `/` as a single-page app. Hashed assets are cached forever, `index.html`
//! is revalidated on every load, unknown paths get `index.html` so that client-side routes
//! survive a reload, and `/api/*`, `/v1/*` and `/metrics` keep the JSON 404 of the API.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::Error;

/// The built UI. Missing at compile time (the UI was not built) it is simply empty.
#[derive(RustEmbed)]
#[folder = "web/dist"]
#[allow_missing = true]
struct Dist;

/// One file of the built UI.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Cow<'static, [u8]>,
    pub mime: String,
    /// A strong validator derived from the content.
    pub etag: String,
}

/// Answers every request no route matched.
pub async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    serve(&method, uri.path(), &headers, &|path: &str| {
        Dist::get(path).map(|file| Asset {
            mime: file.metadata.mimetype().to_owned(),
            etag: etag_of(&file.metadata.sha256_hash()),
            bytes: file.data,
        })
    })
}

fn etag_of(hash: &[u8; 32]) -> String {
    format!("\"{}\"", hex::encode(&hash[..12]))
}

/// The routing rules, over any source of files (tests pass their own).
pub fn serve(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    lookup: &dyn Fn(&str) -> Option<Asset>,
) -> Response {
    if is_api_path(path) {
        return Error::NotFound.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let relative = path.trim_start_matches('/');
    // Dotfiles (the build's `.build-stamp`) are not part of the app.
    if relative.split('/').any(|segment| segment.starts_with('.')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !relative.is_empty()
        && relative != "index.html"
        && let Some(asset) = lookup(relative)
    {
        let cache = if relative.starts_with("assets/") {
            // Vite puts a content hash in every file name under assets/.
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return respond(method, relative, asset, cache, headers, lookup);
    }
    // A missing file under assets/ is a stale reference, not a page: HTML would only confuse.
    if relative.starts_with("assets/") || looks_like_a_file(relative) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match lookup("index.html") {
        Some(index) => respond(method, "index.html", index, "no-cache", headers, lookup),
        None => not_built(),
    }
}

fn is_api_path(path: &str) -> bool {
    ["/api", "/v1", "/metrics"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// `favicon.png` and the like; client-side routes never have an extension.
fn looks_like_a_file(relative: &str) -> bool {
    relative
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .is_some_and(|(_, ext)| {
            !ext.is_empty() && ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

fn respond(
    method: &Method,
    relative: &str,
    asset: Asset,
    cache: &'static str,
    headers: &HeaderMap,
    lookup: &dyn Fn(&str) -> Option<Asset>,
) -> Response {
    let mut response = if headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == asset.etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // The build writes `name.gz` next to every compressible file.
        let gzipped = (method == Method::GET && accepts_gzip(headers))
            .then(|| lookup(&format!("{relative}.gz")))
            .flatten();
        let is_gzipped = gzipped.is_some();
        let body = match (method, gzipped) {
            (&Method::HEAD, _) => Body::empty(),
            (_, Some(gz)) => Body::from(gz.bytes),
            (_, None) => Body::from(asset.bytes.clone()),
        };
        let mut response = Response::new(body);
        if is_gzipped {
            response
                .headers_mut()
                .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if let Ok(mime) = HeaderValue::from_str(&asset.mime) {
            response.headers_mut().insert(CONTENT_TYPE, mime);
        }
        response
    };
    let out = response.headers_mut();
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(etag) = HeaderValue::from_str(&asset.etag) {
        out.insert(ETAG, etag);
    }
    response
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// What `/` shows when the binary was built without the UI.
fn not_built() -> Response {
    const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LLMChat — the web UI was not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code,pre{background:#f2f2f2;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem}</style></head>
<body><h1>The web UI was not built</h1>
<p>This <code>llmchat</code> binary was compiled without the files of <code>web/dist</code>.
The API works (try <a href="/api/health">/api/health</a>).</p>
<p>To get the UI, install Node.js 20 or newer with npm, then either rebuild in release mode,
which builds the UI first:</p>
<pre>cargo run --release</pre>
<p>or build it by hand (a debug build reads <code>web/dist</code> from disk at run time):</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p><code>LLMCHAT_SKIP_WEB_BUILD=1</code> turns the automatic build off.</p>
</body></html>
"#;
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(path: &str) -> Option<Asset> {
        let (bytes, mime): (&'static [u8], &str) = match path {
            "index.html" => (b"<!doctype html><div id=root></div>", "text/html"),
            "index.html.gz" => (b"GZ-INDEX", "application/gzip"),
            "assets/index-abc123.js" => (b"console.log(1)", "text/javascript"),
            "favicon.svg" => (b"<svg/>", "image/svg+xml"),
            _ => return None,
        };
        Some(Asset {
            bytes: Cow::Borrowed(bytes),
            mime: mime.into(),
            etag: format!("\"{}\"", path.len()),
        })
    }

    fn get(path: &str, headers: &[(&'static str, &'static str)]) -> Response {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        serve(&Method::GET, path, &map, &files)
    }

    fn header<'a>(response: &'a Response, name: &str) -> &'a str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[test]
    fn hashed_assets_are_cached_forever_and_the_index_is_revalidated() {
        let asset = get("/assets/index-abc123.js", &[]);
        assert_eq!(asset.status(), StatusCode::OK);
        assert_eq!(
            header(&asset, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&asset, "content-type"), "text/javascript");
        let index = get("/", &[]);
        assert_eq!(index.status(), StatusCode::OK);
        assert_eq!(header(&index, "cache-control"), "no-cache");
        assert_eq!(header(&index, "content-type"), "text/html");
        assert_eq!(
            header(&get("/favicon.svg", &[]), "cache-control"),
            "no-cache"
        );
    }

    #[test]
    fn client_side_routes_get_the_index_but_missing_files_are_404() {
        for path in ["/c/0190-abc", "/settings", "/login"] {
            let response = get(path, &[]);
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(header(&response, "content-type"), "text/html", "{path}");
        }
        assert_eq!(
            get("/assets/old-123.js", &[]).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(get("/robots.txt", &[]).status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/.build-stamp", &[]).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn api_paths_keep_the_json_404() {
        for path in ["/api", "/api/nope", "/v1/nope", "/metrics/x"] {
            let response = get(path, &[]);
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_ne!(header(&response, "content-type"), "text/html", "{path}");
        }
        // Only whole segments count: /apiary is a page of the app.
        assert_eq!(get("/apiary", &[]).status(), StatusCode::OK);
    }

    #[test]
    fn gzip_is_served_when_accepted_and_etags_give_304() {
        let gz = get("/", &[("accept-encoding", "br, gzip")]);
        assert_eq!(header(&gz, "content-encoding"), "gzip");
        assert_eq!(
            header(
                &get("/", &[("accept-encoding", "gzip;q=0")]),
                "content-encoding"
            ),
            ""
        );
        let etag = header(&gz, "etag").to_owned();
        let mut map = HeaderMap::new();
        map.insert(IF_NONE_MATCH, HeaderValue::from_str(&etag).unwrap());
        let again = serve(&Method::GET, "/", &map, &files);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn without_a_build_the_page_says_how_to_build_the_ui() {
        let response = serve(&Method::GET, "/", &HeaderMap::new(), &|_: &str| None);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
    }

    #[test]
    fn other_methods_are_refused() {
        let response = serve(&Method::POST, "/settings", &HeaderMap::new(), &files);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
