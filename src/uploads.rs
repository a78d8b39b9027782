//! What an upload may be: the accepted types, checked by content rather than by name (images
//! by their magic bytes, text as UTF-8 without NUL bytes, JSON by parsing), file names made
//! safe to keep, and the `Content-Disposition` they are served with.

use crate::error::{Error, Result};
use crate::store::uploads::UploadKind;

/// The accepted extensions and the type their content must have.
const TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
    ("gif", "image/gif"),
    ("txt", "text/plain"),
    ("text", "text/plain"),
    ("md", "text/markdown"),
    ("markdown", "text/markdown"),
    ("csv", "text/csv"),
    ("json", "application/json"),
];

/// For messages: what may be uploaded.
pub const ACCEPTED: &str = "PNG, JPEG, WebP or GIF images, or UTF-8 text (.txt, .md, .csv, .json)";

/// Longest kept file name, in characters.
const MAX_NAME: usize = 255;

/// A file that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The file name to keep (see [`clean_name`]).
    pub name: String,
    /// The type established from the content.
    pub mime: &'static str,
    pub kind: UploadKind,
}

/// Checks an uploaded file: its name must have an accepted extension (or none) and its
/// content must be what that extension says. A file without an extension is typed by its
/// content. Unknown types are 415; content that does not match its name is 422.
pub fn check(raw_name: &str, data: &[u8]) -> Result<Checked> {
    let name = clean_name(raw_name)?;
    if data.is_empty() {
        return Err(invalid(format!("{name} is empty")));
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| !ext.is_empty() && !ext.contains(' '));
    let mime = match extension {
        Some(ext) => {
            let expected = TYPES
                .iter()
                .find(|(e, _)| *e == ext)
                .map(|(_, mime)| *mime)
                .ok_or_else(|| {
                    Error::Unsupported(format!(
                        "files of type .{ext} cannot be uploaded; accepted: {ACCEPTED}"
                    ))
                })?;
            check_content(&name, expected, data)?;
            expected
        }
        None => sniff(data).ok_or_else(|| {
            Error::Unsupported(format!(
                "the content of {name} is not a supported type; accepted: {ACCEPTED}"
            ))
        })?,
    };
    let kind = UploadKind::of_mime(mime)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no kind for accepted type {mime}")))?;
    Ok(Checked { name, mime, kind })
}

/// The content must be of `expected`.
fn check_content(name: &str, expected: &'static str, data: &[u8]) -> Result<()> {
    if expected.starts_with("image/") {
        let found = infer::get(data).map(|t| t.mime_type());
        return match found {
            Some(found) if found == expected => Ok(()),
            Some(found) => Err(invalid(format!(
                "{name} is not a {} image: its content is {found}",
                label(expected)
            ))),
            None => Err(invalid(format!(
                "{name} is not a {} image: its content is not a recognised image",
                label(expected)
            ))),
        };
    }
    let text = as_text(data).map_err(|why| invalid(format!("{name} is not a text file: {why}")))?;
    if expected == "application/json"
        && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text)
    {
        return Err(invalid(format!("{name} is not valid JSON: {e}")));
    }
    Ok(())
}

/// The type of content without a name to go by: an accepted image, or else plain text.
fn sniff(data: &[u8]) -> Option<&'static str> {
    let image = infer::get(data).map(|t| t.mime_type());
    match image {
        Some(found) => TYPES
            .iter()
            .map(|(_, mime)| *mime)
            .find(|mime| mime.starts_with("image/") && *mime == found),
        None => as_text(data).ok().map(|_| "text/plain"),
    }
}

/// UTF-8 without NUL bytes (which no text file has and binary files almost always do).
fn as_text(data: &[u8]) -> std::result::Result<&str, String> {
    let text = std::str::from_utf8(data).map_err(|e| {
        format!(
            "it is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        )
    })?;
    if let Some(at) = text.find('\0') {
        return Err(format!("it contains a NUL byte at offset {at}"));
    }
    Ok(text)
}

/// `PNG` for `image/png`, for messages.
fn label(mime: &str) -> String {
    mime.trim_start_matches("image/").to_ascii_uppercase()
}

fn invalid(message: String) -> Error {
    Error::Invalid {
        field: "file".into(),
        message,
    }
}

/// The name to keep: the last path component (browsers on Windows may send `C:\…\a.png`),
/// without control characters, trimmed, at most 255 characters (keeping the extension).
pub fn clean_name(raw: &str) -> Result<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return Err(invalid(
            "the file has no name; send it as a form field with a filename".into(),
        ));
    }
    if cleaned.chars().count() <= MAX_NAME {
        return Ok(cleaned.to_string());
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 16 => (stem, Some(ext)),
        _ => (cleaned, None),
    };
    let room = MAX_NAME - ext.map_or(0, |e| e.chars().count() + 1);
    let mut name: String = stem.chars().take(room).collect();
    if let Some(ext) = ext {
        name.push('.');
        name.push_str(ext);
    }
    Ok(name)
}

/// `inline; filename="…"` with an ASCII fallback, plus `filename*=UTF-8''…` (RFC 5987/6266)
/// when the name is not plain ASCII, so that every browser shows the right name and none can
/// be tricked by quotes or line breaks.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if fallback == name {
        return format!("inline; filename=\"{fallback}\"");
    }
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        // RFC 5987 attr-char; everything else percent-encoded.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("inline; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Deletes uploads older than `uploads.retention` (read at each pass, so a reload applies it):
/// every tenth of the retention, between one second and an hour, in batches of 500.
pub async fn expire(state: crate::state::AppState) {
    let shutdown = state.lifecycle.shutdown.clone();
    loop {
        let retention = state.settings().uploads.retention;
        let pause = retention.map_or(std::time::Duration::from_secs(3600), |r| {
            (r / 10).clamp(
                std::time::Duration::from_secs(1),
                std::time::Duration::from_secs(3600),
            )
        });
        if let Some(retention) = retention {
            let cutoff =
                crate::store::now_ms() - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
            loop {
                match crate::store::uploads::delete_older_than(&state.db, cutoff, 500).await {
                    Ok(0) => break,
                    Ok(n) => {
                        metrics::counter!("llmchat_uploads_expired_total").increment(n);
                        tracing::info!(deleted = n, "deleted uploads past uploads.retention");
                        if n < 500 {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not delete expired uploads");
                        break;
                    }
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0";

    #[test]
    fn images_must_be_what_their_extension_says() {
        let checked = check("cat.PNG", PNG).unwrap();
        assert_eq!(
            (checked.mime, checked.kind),
            ("image/png", UploadKind::Image)
        );
        assert_eq!(check("cat.jpg", JPEG).unwrap().mime, "image/jpeg");
        let error = check("cat.png", JPEG).unwrap_err().to_string();
        assert!(
            error.contains("not a PNG image") && error.contains("image/jpeg"),
            "{error}"
        );
        let error = check("cat.png", b"hello").unwrap_err().to_string();
        assert!(error.contains("not a recognised image"), "{error}");
    }

    #[test]
    fn text_must_be_utf8_without_nul_and_json_must_parse() {
        let checked = check("notes.md", "# 标题\n".as_bytes()).unwrap();
        assert_eq!(
            (checked.mime, checked.kind),
            ("text/markdown", UploadKind::Text)
        );
        assert!(
            check("a.txt", b"a\0b")
                .unwrap_err()
                .to_string()
                .contains("NUL")
        );
        assert!(
            check("a.csv", b"\xff\xfe")
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
        assert!(
            check("a.json", b"{\"a\":")
                .unwrap_err()
                .to_string()
                .contains("JSON")
        );
        assert_eq!(check("a.json", b"[1]").unwrap().mime, "application/json");
        assert!(
            check("a.txt", b"")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }

    #[test]
    fn unknown_types_are_unsupported_and_nameless_files_are_sniffed() {
        let error = check("run.exe", b"MZ").unwrap_err();
        assert!(matches!(error, Error::Unsupported(_)), "{error}");
        assert_eq!(check("README", b"plain").unwrap().mime, "text/plain");
        assert_eq!(check("photo", PNG).unwrap().mime, "image/png");
    }

    #[test]
    fn names_lose_directories_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\a.png").unwrap(), "a.png");
        assert_eq!(clean_name("../../etc/x\r\n.txt").unwrap(), "x.txt");
        assert!(clean_name("  ").is_err());
        let long = format!("{}.txt", "长".repeat(300));
        let kept = clean_name(&long).unwrap();
        assert_eq!(kept.chars().count(), 255);
        assert!(kept.ends_with(".txt"));
    }

    #[test]
    fn content_disposition_quotes_safely_and_encodes_non_ascii() {
        assert_eq!(
            content_disposition("a b.png"),
            "inline; filename=\"a b.png\""
        );
        assert_eq!(
            content_disposition("报告 \"x\".md"),
            "inline; filename=\"__ _x_.md\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%22x%22.md"
        );
    }
}
