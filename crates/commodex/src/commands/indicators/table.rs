//! The table `indicators` writes, as CSV or JSON, fed chunk by chunk so that the streaming
//! and the in-memory paths share one writer and so write the same bytes.

use crate::cli::TableFormat;
use chrono::NaiveDate;
use ingest::IndicatorCsvWriter;
use std::io::{self, Write};

/// Flush threshold of the JSON writer's reused buffer.
const FLUSH_BYTES: usize = 64 * 1024;

/// A table being written: the header is out, rows follow chunk by chunk.
pub enum TableWriter<W: Write> {
    /// `date,<names>` then one line per row, empty cells during the lookback.
    Csv(IndicatorCsvWriter<W>),
    /// `{"columns":["date",...],"rows":[["2024-01-02",1.5,null],...]}`.
    Json(JsonTable<W>),
}

impl<W: Write> TableWriter<W> {
    /// Writes the header of a table with columns `date` and `names`.
    pub fn new(writer: W, format: TableFormat, names: &[String]) -> io::Result<Self> {
        Ok(match format {
            TableFormat::Csv => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                TableWriter::Csv(IndicatorCsvWriter::new(writer, &names)?)
            }
            TableFormat::Json => TableWriter::Json(JsonTable::new(writer, names)?),
        })
    }

    /// Writes the next rows: `columns[c][i]` is column `c` on `dates[i]`.
    pub fn write_rows(&mut self, dates: &[NaiveDate], columns: &[&[f64]]) -> io::Result<()> {
        match self {
            TableWriter::Csv(csv) => csv.write_columns(dates, columns),
            TableWriter::Json(json) => json.write_rows(dates, columns),
        }
    }

    /// Ends the table and flushes.
    pub fn finish(self) -> io::Result<()> {
        match self {
            TableWriter::Csv(csv) => csv.finish().map(drop),
            TableWriter::Json(json) => json.finish(),
        }
    }
}

/// The JSON table: one array per input row in the column order, `null` during the lookback.
pub struct JsonTable<W: Write> {
    writer: W,
    out: Vec<u8>,
    rows: u64,
}

impl<W: Write> JsonTable<W> {
    fn new(writer: W, names: &[String]) -> io::Result<Self> {
        let mut out: Vec<u8> = Vec::with_capacity(FLUSH_BYTES + 256);
        out.extend_from_slice(b"{\"columns\":[\"date\"");
        for name in names {
            out.push(b',');
            serde_json::to_writer(&mut out, name).map_err(io::Error::other)?;
        }
        out.extend_from_slice(b"],\"rows\":[");
        Ok(Self {
            writer,
            out,
            rows: 0,
        })
    }

    fn write_rows(&mut self, dates: &[NaiveDate], columns: &[&[f64]]) -> io::Result<()> {
        let out = &mut self.out;
        for (i, date) in dates.iter().enumerate() {
            if self.rows > 0 {
                out.push(b',');
            }
            self.rows += 1;
            out.extend_from_slice(b"\n[\"");
            ingest::date::push_iso_date(out, *date);
            out.push(b'"');
            for column in columns {
                out.push(b',');
                let value = column[i];
                if value.is_finite() {
                    ingest::export::push_number(out, value);
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            out.push(b']');
            if out.len() >= FLUSH_BYTES {
                self.writer.write_all(out)?;
                out.clear();
            }
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.extend_from_slice(b"\n]}\n");
        self.writer.write_all(&self.out)?;
        self.writer.flush()
    }
}
