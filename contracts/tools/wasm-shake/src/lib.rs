//! Spec shaking for Soroban contract wasm, as `stellar contract build` does it.
//!
//! soroban-sdk ≥ 25.2 writes *every* spec entry (functions, types, events, including the
//! SDK's own) into the `contractspecv0` custom section, and embeds a 14-byte marker
//! (`SpEcV1` + 8 bytes of the entry's SHA-256) in the data section for each type or event
//! the code really uses; markers of unused types vanish with dead code. Shaking keeps the
//! functions and the entries whose markers survive (`soroban_spec::shaking::{find_all,
//! filter}`), then rewrites the section. Contracts built without shaking-v2 meta
//! (`rssdk_spec_shaking = "2"` in `contractmetav0`) are left untouched.
//!
//! The section rewrite walks the wasm's top-level sections by hand (id, LEB128 size) and
//! replaces only the `contractspecv0` custom section's payload; every other byte is kept, so
//! the output is deterministic.
//!
//! [`drop_link_exports`] also unexports the globals the toolchain adds (`_`, `__data_end`,
//! `__heap_base`): the host charges every export on every call.

use std::collections::HashSet;
use std::fmt;

use soroban_spec::shaking;
use stellar_xdr::{
    Limited, Limits, ReadXdr, ScMetaEntry, ScSpecEntry, ScSpecUdtUnionCaseV0, StringM, VecM,
    WriteXdr,
};

/// The custom section holding the contract spec.
pub const SPEC_SECTION: &str = "contractspecv0";
/// The custom section holding the contract meta.
pub const META_SECTION: &str = "contractmetav0";

/// What went wrong.
#[derive(Debug)]
pub enum Error {
    /// Not a wasm module, or truncated.
    Malformed(&'static str),
    /// The spec or meta could not be decoded or encoded.
    Xdr(stellar_xdr::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(what) => write!(f, "malformed wasm: {what}"),
            Error::Xdr(e) => write!(f, "xdr: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<stellar_xdr::Error> for Error {
    fn from(e: stellar_xdr::Error) -> Self {
        Error::Xdr(e)
    }
}

/// One top-level section of a wasm module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'a> {
    /// Section id (0 = custom).
    pub id: u8,
    /// For a custom section, its name.
    pub name: Option<&'a str>,
    /// The whole section, header included.
    pub raw: &'a [u8],
    /// The payload after the name (custom) or the header (others).
    pub data: &'a [u8],
}

fn leb128_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, Error> {
    let mut result: u32 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes
            .get(*pos)
            .ok_or(Error::Malformed("truncated LEB128"))?;
        *pos += 1;
        result |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err(Error::Malformed("LEB128 too long"))
}

fn push_leb128_u32(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Splits a wasm module into its sections.
///
/// # Errors
/// [`Error::Malformed`] if the header or a section is not well formed.
pub fn sections(wasm: &[u8]) -> Result<Vec<Section<'_>>, Error> {
    if wasm.len() < 8 || &wasm[0..4] != b"\0asm" {
        return Err(Error::Malformed("missing wasm header"));
    }
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let size = leb128_u32(wasm, &mut pos)? as usize;
        let end = pos.checked_add(size).filter(|e| *e <= wasm.len());
        let end = end.ok_or(Error::Malformed("section overruns the module"))?;
        let mut data = &wasm[pos..end];
        let mut name = None;
        if id == 0 {
            let mut p = 0;
            let len = leb128_u32(data, &mut p)? as usize;
            let name_bytes = data
                .get(p..p + len)
                .ok_or(Error::Malformed("custom section name"))?;
            name = Some(std::str::from_utf8(name_bytes).map_err(|_| Error::Malformed("name"))?);
            data = &data[p + len..];
        }
        out.push(Section {
            id,
            name,
            raw: &wasm[start..end],
            data,
        });
        pos = end;
    }
    Ok(out)
}

/// Exported globals the toolchain adds that neither the Soroban host nor any client uses: the
/// SDK's `_` (a static exported only so that the linker keeps its custom sections, which are
/// in the file once linked) and the linker's `__data_end` and `__heap_base`. The host charges
/// every export on every instantiation (~2.3k instructions each, `InstantiateWasmExports`), so
/// they cost every call of the contract.
pub const LINK_EXPORTS: [&str; 3] = ["_", "__data_end", "__heap_base"];

/// Returns a copy of `wasm` whose export section no longer lists the globals named in
/// [`LINK_EXPORTS`] (functions and memory are kept, whatever their names), and how many
/// exports were dropped. The globals themselves stay; an optimiser may remove them once
/// unexported. Every other section is copied byte for byte.
///
/// # Errors
/// [`Error::Malformed`] if the module or its export section is not well formed.
pub fn drop_link_exports(wasm: &[u8]) -> Result<(Vec<u8>, usize), Error> {
    const EXPORT_SECTION: u8 = 7;
    const GLOBAL: u8 = 3;
    let mut out = wasm
        .get(..8)
        .ok_or(Error::Malformed("missing wasm header"))?
        .to_vec();
    let mut dropped = 0;
    for s in sections(wasm)? {
        if s.id != EXPORT_SECTION {
            out.extend_from_slice(s.raw);
            continue;
        }
        let d = s.data;
        let mut p = 0;
        let count = leb128_u32(d, &mut p)?;
        let mut kept: Vec<&[u8]> = Vec::new();
        for _ in 0..count {
            let start = p;
            let len = leb128_u32(d, &mut p)? as usize;
            let name = d.get(p..p + len).ok_or(Error::Malformed("export name"))?;
            p += len;
            let kind = *d.get(p).ok_or(Error::Malformed("export kind"))?;
            p += 1;
            leb128_u32(d, &mut p)?;
            if kind == GLOBAL && LINK_EXPORTS.iter().any(|l| l.as_bytes() == name) {
                dropped += 1;
            } else {
                kept.push(&d[start..p]);
            }
        }
        if p != d.len() {
            return Err(Error::Malformed("export section"));
        }
        let mut body = Vec::new();
        let kept_count =
            u32::try_from(kept.len()).map_err(|_| Error::Malformed("export section"))?;
        push_leb128_u32(&mut body, kept_count);
        for export in kept {
            body.extend_from_slice(export);
        }
        let body_len = u32::try_from(body.len()).map_err(|_| Error::Malformed("export section"))?;
        out.push(EXPORT_SECTION);
        push_leb128_u32(&mut out, body_len);
        out.extend_from_slice(&body);
    }
    Ok((out, dropped))
}

/// Encodes a custom section.
pub fn custom_section(name: &str, data: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(name.len() + data.len() + 5);
    push_leb128_u32(&mut payload, name.len() as u32);
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    let mut out = vec![0u8];
    push_leb128_u32(&mut out, payload.len() as u32);
    out.extend_from_slice(&payload);
    out
}

/// Returns a copy of `wasm` in which every custom section called `name` is replaced by one
/// holding `data` (at the position of the first; later ones are dropped).
///
/// # Errors
/// [`Error::Malformed`]
pub fn replace_custom_section(wasm: &[u8], name: &str, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = wasm[..8].to_vec();
    let mut done = false;
    for s in sections(wasm)? {
        if s.name == Some(name) {
            if !done {
                out.extend_from_slice(&custom_section(name, data));
                done = true;
            }
        } else {
            out.extend_from_slice(s.raw);
        }
    }
    if !done {
        out.extend_from_slice(&custom_section(name, data));
    }
    Ok(out)
}

fn read_entries<T: ReadXdr>(data: &[u8]) -> Result<Vec<T>, Error> {
    let limits = Limits {
        depth: 500,
        len: 0x100_0000,
    };
    let mut cursor = Limited::new(std::io::Cursor::new(data), limits);
    Ok(T::read_xdr_iter(&mut cursor).collect::<Result<Vec<_>, _>>()?)
}

fn custom<'a>(wasm: &'a [u8], name: &str) -> Result<Option<&'a [u8]>, Error> {
    Ok(sections(wasm)?
        .into_iter()
        .find(|s| s.name == Some(name))
        .map(|s| s.data))
}

/// The spec entries of a contract.
///
/// # Errors
/// [`Error`] on malformed wasm or spec.
pub fn spec(wasm: &[u8]) -> Result<Vec<ScSpecEntry>, Error> {
    match custom(wasm, SPEC_SECTION)? {
        Some(data) => read_entries(data),
        None => Ok(Vec::new()),
    }
}

/// The spec-shaking version the contract declares in its meta (1 when absent).
///
/// # Errors
/// [`Error`] on malformed wasm or meta.
pub fn shaking_version(wasm: &[u8]) -> Result<u32, Error> {
    let meta: Vec<ScMetaEntry> = match custom(wasm, META_SECTION)? {
        Some(data) => read_entries(data)?,
        None => Vec::new(),
    };
    Ok(shaking::spec_shaking_version_for_meta(&meta))
}

/// What to keep of the doc comments in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Docs {
    /// Everything (as `stellar contract build`).
    Keep,
    /// The first line of each top-level entry's doc (a one-line summary per function, type
    /// and event); nested docs (arguments, fields, cases) dropped.
    Summary,
    /// No docs at all.
    Strip,
}

fn summary<const N: u32>(doc: &StringM<N>, docs: Docs) -> StringM<N> {
    match docs {
        Docs::Keep => doc.clone(),
        Docs::Strip => StringM::default(),
        Docs::Summary => {
            let bytes = doc.as_slice();
            let end = bytes
                .iter()
                .position(|b| *b == b'\n')
                .unwrap_or(bytes.len());
            bytes[..end].to_vec().try_into().unwrap_or_default()
        }
    }
}

fn map<T: Clone, const N: u32>(v: &VecM<T, N>, f: impl FnMut(T) -> T) -> VecM<T, N> {
    v.iter()
        .cloned()
        .map(f)
        .collect::<Vec<_>>()
        .try_into()
        .unwrap_or_default()
}

/// Applies `docs` to an entry: top-level docs per [`Docs`], nested docs kept only for
/// [`Docs::Keep`].
pub fn trim_docs(entry: ScSpecEntry, docs: Docs) -> ScSpecEntry {
    if docs == Docs::Keep {
        return entry;
    }
    let none = StringM::default;
    match entry {
        ScSpecEntry::FunctionV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.inputs = map(&e.inputs, |mut i| {
                i.doc = none();
                i
            });
            ScSpecEntry::FunctionV0(e)
        }
        ScSpecEntry::UdtStructV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.fields = map(&e.fields, |mut i| {
                i.doc = none();
                i
            });
            ScSpecEntry::UdtStructV0(e)
        }
        ScSpecEntry::UdtUnionV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.cases = map(&e.cases, |c| match c {
                ScSpecUdtUnionCaseV0::VoidV0(mut v) => {
                    v.doc = none();
                    ScSpecUdtUnionCaseV0::VoidV0(v)
                }
                ScSpecUdtUnionCaseV0::TupleV0(mut t) => {
                    t.doc = none();
                    ScSpecUdtUnionCaseV0::TupleV0(t)
                }
            });
            ScSpecEntry::UdtUnionV0(e)
        }
        ScSpecEntry::UdtEnumV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.cases = map(&e.cases, |mut i| {
                i.doc = none();
                i
            });
            ScSpecEntry::UdtEnumV0(e)
        }
        ScSpecEntry::UdtErrorEnumV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.cases = map(&e.cases, |mut i| {
                i.doc = none();
                i
            });
            ScSpecEntry::UdtErrorEnumV0(e)
        }
        ScSpecEntry::EventV0(mut e) => {
            e.doc = summary(&e.doc, docs);
            e.params = map(&e.params, |mut i| {
                i.doc = none();
                i
            });
            ScSpecEntry::EventV0(e)
        }
    }
}

/// What [`shake`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Spec entries before.
    pub before: usize,
    /// Spec entries kept.
    pub after: usize,
    /// The shaking version declared by the contract (nothing is removed unless 2).
    pub version: u32,
}

/// Shakes the spec of `wasm`: keeps the functions and the types / events whose markers
/// remain in the data section, trims their docs per `docs`, and rewrites `contractspecv0`.
///
/// # Errors
/// [`Error`] on malformed wasm or spec.
pub fn shake(wasm: &[u8], docs: Docs) -> Result<(Vec<u8>, Report), Error> {
    let entries = spec(wasm)?;
    let version = shaking_version(wasm)?;
    let before = entries.len();
    if version < 2 || before == 0 {
        let report = Report {
            before,
            after: before,
            version,
        };
        return Ok((wasm.to_vec(), report));
    }
    let markers: HashSet<shaking::Marker> = shaking::find_all(wasm);
    let mut data = Vec::new();
    let mut after = 0;
    for entry in shaking::filter(entries, &markers) {
        data.extend_from_slice(&trim_docs(entry, docs).to_xdr(Limits::none())?);
        after += 1;
    }
    let out = replace_custom_section(wasm, SPEC_SECTION, &data)?;
    Ok((
        out,
        Report {
            before,
            after,
            version,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(sections: &[Vec<u8>]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        for s in sections {
            m.extend_from_slice(s);
        }
        m
    }

    fn export(name: &str, kind: u8, index: u8) -> Vec<u8> {
        let mut e = vec![name.len() as u8];
        e.extend_from_slice(name.as_bytes());
        e.extend_from_slice(&[kind, index]);
        e
    }

    #[test]
    fn drops_only_the_link_exports_of_globals() {
        let type_section = vec![1u8, 1, 0];
        let exports = [
            export("memory", 2, 0),
            export("_", 3, 0),
            export("purchase", 0, 4),
            export("__data_end", 3, 1),
            export("_", 0, 5),
            export("__heap_base", 3, 2),
        ];
        let mut body = vec![exports.len() as u8];
        for e in &exports {
            body.extend_from_slice(e);
        }
        let mut section = vec![7u8, body.len() as u8];
        section.extend_from_slice(&body);
        let custom = custom_section("contractspecv0", &[9; 20]);
        let wasm = module(&[type_section.clone(), section, custom.clone()]);

        let (out, dropped) = drop_link_exports(&wasm).unwrap();
        assert_eq!(dropped, 3);
        let mut body = vec![3u8];
        for e in [&exports[0], &exports[2], &exports[4]] {
            body.extend_from_slice(e);
        }
        let mut section = vec![7u8, body.len() as u8];
        section.extend_from_slice(&body);
        assert_eq!(out, module(&[type_section, section, custom]));
        // Idempotent.
        assert_eq!(drop_link_exports(&out).unwrap(), (out.clone(), 0));
    }

    #[test]
    fn leb128_round_trip() {
        for v in [0u32, 1, 127, 128, 300, 16_384, u32::MAX] {
            let mut out = Vec::new();
            push_leb128_u32(&mut out, v);
            let mut pos = 0;
            assert_eq!(leb128_u32(&out, &mut pos).unwrap(), v);
            assert_eq!(pos, out.len());
        }
    }

    #[test]
    fn replaces_only_the_named_section() {
        let type_section = vec![1u8, 1, 0];
        let wasm = module(&[
            type_section.clone(),
            custom_section("contractspecv0", &[9; 200]),
            custom_section("other", b"keep"),
        ]);
        let out = replace_custom_section(&wasm, "contractspecv0", b"new").unwrap();
        assert_eq!(
            out,
            module(&[
                type_section,
                custom_section("contractspecv0", b"new"),
                custom_section("other", b"keep"),
            ])
        );
        let s = sections(&out).unwrap();
        assert_eq!(s[1].data, b"new");
        assert_eq!(s[2].name, Some("other"));
    }

    #[test]
    fn summary_keeps_the_first_line() {
        let doc: StringM<1024> = "Settles.\n\n# Errors\n* x".try_into().unwrap();
        assert_eq!(summary(&doc, Docs::Summary).as_slice(), b"Settles.");
        assert_eq!(summary(&doc, Docs::Strip).as_slice(), b"");
        assert_eq!(summary(&doc, Docs::Keep), doc);
    }

    #[test]
    fn rejects_garbage() {
        assert!(sections(b"nope").is_err());
        assert!(sections(&module(&[vec![1, 10, 0]])).is_err());
    }

    #[test]
    fn without_v2_meta_nothing_changes() {
        let wasm = module(&[custom_section("contractspecv0", &[])]);
        let (out, report) = shake(&wasm, Docs::Summary).unwrap();
        assert_eq!(out, wasm);
        assert_eq!(report.version, 1);
    }
}
