//! `triage templates`: glue between intake, the miner and the output formats.
//!
//! Records are shaped in parallel per chunk; the shape tables are folded in input order
//! (so results do not depend on thread count); each record's (source, line, shape) is
//! spilled to a temporary file — 16 bytes a record, on disk, not in memory — and, once
//! templates are induced, read back to print one line per record in input order.

use std::io::{self, BufWriter, IsTerminal, Read, Seek, Write};
use std::sync::Arc;

use rayon::prelude::*;

use anyhow::{Context, Result};
use triage_mine::mask::Masker;
use triage_mine::miner::{induce, shape_chunk, ShapeTable, Templates};
use triage_parse::intake::{self, IntakeEvent};
use triage_parse::record::{decimal, rfc3339, write_json_str};
use triage_parse::Level;

use crate::{finish, warn_event, InputArgs};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateFormat {
    /// One JSON object per record: {line, source, template_id, template}.
    Jsonl,
    /// The same as CSV with a header row.
    Csv,
    /// Templates with count, share, first/last time, levels and a sample, by count.
    Table,
}

#[derive(clap::Args, Debug)]
pub struct TemplatesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub format: Option<TemplateFormat>,
    /// Extra mask, tried before the built-in ones: values matching REGEX (at a token
    /// start, may span tokens) become `<NAME>`. Repeatable.
    #[arg(long, value_name = "NAME=REGEX")]
    pub mask: Vec<String>,
}

pub fn cmd_templates(args: TemplatesArgs) -> Result<std::process::ExitCode> {
    let mut opts = args.input.options()?;
    // Mining reads only message, time and level: skip building the other header fields.
    opts.detail = triage_parse::intake::Detail::Messages;
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        TemplateFormat::Table
    } else {
        TemplateFormat::Jsonl
    });
    let per_record = format != TemplateFormat::Table;
    let custom = args
        .mask
        .iter()
        .map(|m| triage_mine::mask::CustomMask::parse(m).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    let masker = Masker::with_custom(custom);
    let mut table = ShapeTable::default();
    let mut sources: Vec<Arc<str>> = Vec::new();
    let spill_file = tempfile::tempfile().context("creating a temporary file for record positions")?;
    let mut spill = BufWriter::with_capacity(1 << 20, spill_file);
    let mut spill_error: Option<io::Error> = None;
    // One chunk's entries, built before one write (reused: fresh memory costs page faults).
    let mut block: Vec<u8> = Vec::new();
    let progress = crate::progress::Progress::new(!args.input.quiet && io::stderr().is_terminal());
    let summary = intake::run(
        &args.input.paths,
        &opts,
        |_, records, _| {
            let lines: Vec<u64> = if per_record {
                records.iter().map(|r| r.line).collect()
            } else {
                Vec::new()
            };
            (shape_chunk(&masker, records, !per_record), lines)
        },
        |event| {
            warn_event(&event);
            match event {
                IntakeEvent::FileStarted(info) => {
                    progress.start_file(&info);
                    while sources.len() <= info.index {
                        sources.push(Arc::from(""));
                    }
                    sources[info.index] = info.name.clone();
                }
                IntakeEvent::Chunk(info, (shapes, lines), bytes) => {
                    progress.advance(bytes, shapes.record_shape.len() as u64);
                    let global = table.absorb(&shapes);
                    if per_record {
                        // One write per chunk: the entries are built in a block first.
                        block.clear();
                        for (line, local) in lines.iter().zip(&shapes.record_shape) {
                            block.extend_from_slice(&(info.index as u32).to_le_bytes());
                            block.extend_from_slice(&line.to_le_bytes());
                            block.extend_from_slice(&global[*local as usize].to_le_bytes());
                        }
                        if let Err(e) = spill.write_all(&block) {
                            spill_error = Some(e);
                            return false;
                        }
                    }
                }
                _ => {}
            }
            true
        },
    );
    progress.finish();
    if let Some(e) = spill_error {
        return Err(e).context("writing record positions to a temporary file");
    }
    let mut templates = induce(&table);
    if !args.input.no_redact {
        mask_templates(&mut templates, format == TemplateFormat::Table);
    }
    let stdout = io::stdout();
    // Smaller than a rendered block of records (about 300 KB), which `BufWriter` then
    // writes straight through instead of copying it into its buffer first.
    let mut out = BufWriter::with_capacity(64 << 10, stdout.lock());
    match format {
        TemplateFormat::Table => write_table(&templates, !args.input.no_redact, &mut out)?,
        _ => {
            let mut file = spill
                .into_inner()
                .map_err(|e| e.into_error())
                .context("flushing record positions")?;
            file.rewind()?;
            write_records(&templates, &sources, format, file, &mut out)?;
        }
    }
    out.flush()?;
    if table.overflowed > 0 && !args.input.quiet {
        eprintln!(
            "triage: warning: more than {} distinct message shapes; {} records were grouped by token count only",
            ShapeTable::MAX_SHAPES,
            table.overflowed
        );
    }
    Ok(finish(&summary, args.input.quiet))
}

/// Masks secrets in what is printed of each template (its text and, when it is shown —
/// `with_samples`: only the table shows it — its sample), once, before any output is
/// written. A template keeps its id and count: a mask only changes what is shown. On
/// all cores: this runs after mining, when nothing else is running.
fn mask_templates(templates: &mut Templates, with_samples: bool) {
    use std::borrow::Cow;
    templates.templates.par_iter_mut().for_each(|t| {
        if let Cow::Owned(m) = triage_text::redact(&t.text) {
            t.text = m;
        }
        if with_samples {
            if let Cow::Owned(m) = triage_text::redact(&t.sample) {
                t.sample = m;
            }
        }
    });
}

/// A parameter value as shown in the table: masked when it is a secret alone or where
/// it stands in the template (`password=<*>` with `hunter2` → `<secret:password>`).
fn shown_value(template: &str, token: usize, placeholder: &str, value: &str) -> String {
    let tokens: Vec<&str> = template.split(' ').collect();
    let before = match tokens.get(token) {
        Some(t) => {
            let at = t.find(placeholder).unwrap_or(0);
            let mut before = t[..at].to_string();
            // `password: <*>`: the key is the token before.
            if before.is_empty() && token > 0 {
                before = format!("{} ", tokens[token - 1]);
            }
            before
        }
        None => String::new(),
    };
    let joined = format!("{before}{value}");
    match triage_text::redact(&joined) {
        std::borrow::Cow::Owned(m) if m.starts_with(&before) && m[before.len()..] != *value => {
            m[before.len()..].to_string()
        }
        _ => triage_text::redact(value).into_owned(),
    }
}

/// Bytes per spilled record: source index (u32), line (u64), global shape id (u32).
const SPILL_ENTRY: usize = 16;

fn write_records(
    templates: &Templates,
    sources: &[Arc<str>],
    format: TemplateFormat,
    mut spill: impl Read,
    out: &mut impl Write,
) -> Result<()> {
    // Pre-render the per-template part of each line once.
    let rendered: Vec<Vec<u8>> = templates
        .templates
        .iter()
        .map(|t| {
            let mut v = Vec::new();
            match format {
                TemplateFormat::Csv => {
                    v.extend_from_slice(t.id.as_bytes());
                    v.push(b',');
                    v.extend_from_slice(csv_field(&t.text).as_bytes());
                    v.push(b'\n');
                }
                _ => {
                    v.extend_from_slice(b",\"template_id\":\"");
                    v.extend_from_slice(t.id.as_bytes());
                    v.extend_from_slice(b"\",\"template\":");
                    write_json_str(&t.text, &mut v);
                    v.extend_from_slice(b"}\n");
                }
            }
            v
        })
        .collect();
    // The line prefix up to the line number, per source: `{"line":` is written after
    // the source for JSON, so JSON lines are prefix + number + `,"source":…` + template.
    let quoted_sources: Vec<Vec<u8>> = sources
        .iter()
        .map(|s| {
            let mut v = Vec::new();
            match format {
                TemplateFormat::Csv => {
                    v.extend_from_slice(csv_field(s).as_bytes());
                    v.push(b',');
                }
                _ => {
                    v.extend_from_slice(b",\"source\":");
                    write_json_str(s, &mut v);
                }
            }
            v
        })
        .collect();
    if format == TemplateFormat::Csv {
        out.write_all(b"source,line,template_id,template\n")?;
    }
    // Entries are read and lines written a block at a time: this loop runs once per
    // record, so it avoids per-record calls into the buffered reader and writer.
    // Entries are read back in blocks and each block is rendered on all cores (the
    // text of a record depends on nothing but its entry), then written in order.
    // Pieces are rendered into buffers reused from block to block: fresh buffers for
    // every piece showed in profiles as the kernel zeroing new pages.
    const PIECE: usize = 2048;
    const BLOCK: usize = PIECE * 8 * SPILL_ENTRY;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); BLOCK / (PIECE * SPILL_ENTRY)];
    let mut entries = vec![0u8; BLOCK];
    let mut filled = 0;
    let empty = Vec::new();
    let text_len = |entry: &[u8]| -> usize {
        let source = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]) as usize;
        let shape = u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]) as usize;
        let t = templates.shape_template.get(shape).copied().unwrap_or(0) as usize;
        quoted_sources.get(source).map_or(0, Vec::len) + rendered.get(t).map_or(0, Vec::len)
    };
    let render = |piece: &[u8], buf: &mut Vec<u8>| {
        // Sized exactly (texts + line numbers + punctuation): growing a piece-sized
        // buffer by doubling copies it several times over.
        let size: usize = piece.chunks_exact(SPILL_ENTRY).map(|e| text_len(e) + 30).sum();
        buf.clear();
        buf.reserve(size);
        for entry in piece.chunks_exact(SPILL_ENTRY) {
            let source = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]) as usize;
            let mut line_bytes = [0u8; 8];
            line_bytes.copy_from_slice(&entry[4..12]);
            let line = u64::from_le_bytes(line_bytes);
            let shape = u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]) as usize;
            let t = templates.shape_template.get(shape).copied().unwrap_or(0) as usize;
            let src = quoted_sources.get(source).unwrap_or(&empty);
            let tpl = rendered.get(t).unwrap_or(&empty);
            match format {
                TemplateFormat::Csv => {
                    buf.extend_from_slice(src);
                    push_u64(buf, line);
                    buf.push(b',');
                }
                _ => {
                    buf.extend_from_slice(b"{\"line\":");
                    push_u64(buf, line);
                    buf.extend_from_slice(src);
                }
            }
            buf.extend_from_slice(tpl);
        }
    };
    loop {
        let n = match spill.read(&mut entries[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading record positions back"),
        };
        filled += n;
        // Render when the block is full or the input is done.
        if filled == BLOCK || n == 0 {
            let whole = filled / SPILL_ENTRY * SPILL_ENTRY;
            let pieces = entries[..whole].par_chunks(PIECE * SPILL_ENTRY);
            pieces
                .zip(buffers.par_iter_mut())
                .for_each(|(piece, buf)| render(piece, buf));
            for buf in buffers.iter().take(whole.div_ceil(PIECE * SPILL_ENTRY)) {
                out.write_all(buf)?;
            }
            entries.copy_within(whole..filled, 0);
            filled -= whole;
        }
        if n == 0 {
            break;
        }
    }
    Ok(())
}

fn push_u64(buf: &mut Vec<u8>, v: u64) {
    let mut digits = [0u8; 20];
    buf.extend_from_slice(decimal(v, 1, &mut digits));
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x:.3}"),
        None => "-".into(),
    }
}

/// The templates for a terminal: text from the logs with control characters made visible.
fn write_table(templates: &Templates, redact: bool, out: &mut impl Write) -> Result<()> {
    let visible = |text: &str| triage_text::visible(text).into_owned();
    let total: u64 = templates.templates.iter().map(|t| t.count).sum();
    let mut order: Vec<&triage_mine::miner::Template> = templates.templates.iter().collect();
    order.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    writeln!(out, "{} templates over {} records", order.len(), total)?;
    for t in order {
        let share = if total > 0 {
            100.0 * t.count as f64 / total as f64
        } else {
            0.0
        };
        let levels: Vec<String> = Level::ALL
            .iter()
            .filter(|l| t.levels[**l as usize] > 0)
            .map(|l| format!("{}:{}", l.as_str(), t.levels[*l as usize]))
            .collect();
        let when = match (t.first_ts, t.last_ts) {
            (Some(a), Some(b)) => format!("{} .. {}", rfc3339(a), rfc3339(b)),
            _ => "-".to_string(),
        };
        writeln!(out, "\n{:>9} {:>6.2}%  {}  {}", t.count, share, t.id, visible(&t.text))?;
        writeln!(
            out,
            "                  time: {when}  levels: {}",
            if levels.is_empty() {
                "-".into()
            } else {
                levels.join(" ")
            }
        )?;
        writeln!(
            out,
            "                  e.g.: {}",
            visible(&t.sample.chars().take(200).collect::<String>())
        )?;
        for p in &t.params {
            let mut masked = false;
            let top: Vec<String> = p
                .stats
                .top
                .top(3)
                .iter()
                .map(|v| {
                    let value = if redact {
                        shown_value(&t.text, p.token as usize, p.kind.placeholder(), &v.value)
                    } else {
                        v.value.to_string()
                    };
                    masked |= *value != *v.value;
                    format!("{} ×{}", visible(&value), v.count)
                })
                .collect();
            // The range of a masked value (a phone number) would show it again.
            let range = match &p.stats.numeric {
                Some(n) if n.count() > 0 && !masked => format!(
                    "  [min {} max {} p50 {}]",
                    fmt_num(n.min()),
                    fmt_num(n.max()),
                    fmt_num(n.quantile(0.5))
                ),
                _ => String::new(),
            };
            writeln!(
                out,
                "                  {} #{}: {}{}",
                p.kind.placeholder(),
                p.token + 1,
                top.join(", "),
                range
            )?;
        }
    }
    Ok(())
}
