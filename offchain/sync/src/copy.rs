//! `COPY … FROM STDIN` in its text format: the fastest way PostgreSQL takes rows in, for the
//! raw events and a run of purchases' tickets.

use sqlx::PgConnection;

/// Appends one row of `COPY … FROM STDIN`'s text format: the fields tab-separated, `None`
/// as NULL.
pub(crate) fn copy_row(out: &mut String, fields: &[Option<&str>]) {
    copy_fields(out, fields);
    out.push('\n');
}

/// The fields of [`copy_row`] without the end of line.
pub(crate) fn copy_fields(out: &mut String, fields: &[Option<&str>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match field {
            Some(text) => escape(out, text),
            None => out.push_str("\\N"),
        }
    }
}

/// Sends `rows` (made with [`copy_row`]) through `statement`, a `COPY … FROM STDIN`;
/// returns how many went in.
pub(crate) async fn copy_in(
    db: &mut PgConnection,
    statement: &str,
    rows: String,
) -> Result<u64, sqlx::Error> {
    let mut copy = db.copy_in_raw(statement).await?;
    copy.send(rows.into_bytes()).await?;
    copy.finish().await
}

/// `text` as a field of COPY's text format: backslash, tab (the delimiter), newline and
/// carriage return escaped; nothing else is special.
pub(crate) fn escape(out: &mut String, text: &str) {
    let mut rest = text;
    // Copied a run at a time: fields rarely hold anything to escape (ids, numbers, base64).
    while let Some(at) = rest.find(['\\', '\t', '\n', '\r']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            _ => "\\r",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn copy_fields_escape_what_the_text_format_reserves() {
        let mut out = String::new();
        escape(&mut out, "a\\b\tc\nd\re\"f");
        assert_eq!(out, "a\\\\b\\tc\\nd\\re\"f");
        out.clear();
        escape(&mut out, "\\\\é\r\n\t€");
        assert_eq!(out, "\\\\\\\\é\\r\\n\\t€");
        out.clear();
        escape(&mut out, "plain");
        assert_eq!(out, "plain");
    }
}
