//! Each supported dialect, and the ugly files people really have, read end to end.

use chrono::NaiveDate;
use ingest::{
    Dialect, IngestError, KeepColumns, PriceReader, read_columns, read_columns_keeping, read_many,
    read_wide,
};
use store::PriceBar;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Every (series index, bar) of a file, with its reader for the counts.
fn read_all(path: &str) -> Result<(Vec<(usize, PriceBar)>, PriceReader), IngestError> {
    let mut reader = PriceReader::open(path)?;
    let mut bars = Vec::new();
    while reader.next_batch(&mut bars, 2)? > 0 {}
    Ok((bars, reader))
}

fn error_text(path: &str) -> String {
    read_all(path).unwrap_err().to_string()
}

#[test]
fn yahoo_file_gives_one_ohlc_series_with_negative_wti_and_skips_null_rows() {
    let (bars, reader) = read_all("tests/data/yahoo_wti.csv").unwrap();
    assert_eq!(reader.layout().dialect, Dialect::Ohlc);
    assert_eq!(reader.series(), ["YAHOO_WTI"]);
    assert_eq!(bars.len(), 3);
    assert_eq!(
        bars[1].1,
        PriceBar {
            date: day(2020, 4, 20),
            open: Some(17.73),
            high: Some(17.85),
            low: Some(-40.32),
            close: -37.63,
            volume: Some(247_947.0),
        }
    );
    assert_eq!(
        bars[2].1.volume, None,
        "an empty volume is absent, not zero"
    );
    let summary = reader.summary();
    assert_eq!(summary.rows, 4);
    assert_eq!(summary.series[0].skipped, 1);
    let volume = summary
        .missing
        .iter()
        .find(|m| m.column.name == "Volume")
        .unwrap();
    assert_eq!((volume.column.index, volume.count), (7, 2));
}

#[test]
fn fred_file_with_bom_crlf_dots_and_blank_lines_takes_symbol_from_file_name() {
    let (bars, reader) = read_all("tests/data/GOLDAMGBD228NLBM.csv").unwrap();
    assert_eq!(reader.layout().dialect, Dialect::Single);
    assert_eq!(reader.series(), ["GOLDAMGBD228NLBM"]);
    assert_eq!(
        bars.iter()
            .map(|(_, b)| (b.date, b.close))
            .collect::<Vec<_>>(),
        [(day(2020, 1, 2), 1520.55), (day(2020, 1, 3), 1541.35)]
    );
    assert_eq!(reader.summary().series[0].skipped, 1, "the '.' row");
    assert_eq!(reader.summary().rows, 3, "the blank line is not a row");
}

#[test]
fn fred_file_with_a_series_id_header_is_named_after_it() {
    let (bars, reader) = read_all("tests/data/fred_named.csv").unwrap();
    assert_eq!(reader.series(), ["DCOILWTICO"]);
    assert_eq!(bars[1].1.close, -36.98);
    assert_eq!(bars.len(), 2);
}

#[test]
fn wide_table_with_trailing_commas_us_dates_and_quoted_numbers_gives_one_series_per_column() {
    let (bars, reader) = read_all("tests/data/wide.csv").unwrap();
    assert_eq!(reader.layout().dialect, Dialect::Wide);
    assert_eq!(reader.series(), ["GOLD", "WTI", "SILVER"]);
    assert_eq!(bars.len(), 7);
    assert!(bars.contains(&(0, PriceBar::close_only(day(2020, 1, 6), 1566.2))));
    let summary = reader.summary();
    let skipped: Vec<u64> = summary.series.iter().map(|s| s.skipped).collect();
    assert_eq!(skipped, [0, 1, 1]);
}

#[test]
fn gzip_is_read_by_extension_by_magic_bytes_and_across_members() {
    let (bars, reader) = read_all("tests/data/gold.csv.gz").unwrap();
    assert_eq!(reader.series(), ["GOLD"]);
    assert_eq!(bars.len(), 2);
    let (bars, _) = read_all("tests/data/gold_gzipped_without_extension.csv").unwrap();
    assert_eq!(bars.len(), 2);
    let (bars, _) = read_all("tests/data/multi_member.csv.gz").unwrap();
    assert_eq!(bars.len(), 2);
}

#[test]
fn bad_number_names_file_line_column_and_text() {
    assert_eq!(
        error_text("tests/data/wide_bad_number.csv"),
        "tests/data/wide_bad_number.csv: line 5, column \"GOLD\" (2): \"1,566.2\" is not a number"
    );
}

#[test]
fn bad_number_message_matches_the_documented_form() {
    let text = "Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,12,5x\n";
    let quoted = text.replace("12,5x", "\"12,5x\"");
    let mut reader = PriceReader::from_reader(std::io::Cursor::new(quoted), "prices.csv").unwrap();
    assert_eq!(
        reader.next_row().unwrap_err().to_string(),
        "prices.csv: line 2, column \"Close\" (5): \"12,5x\" is not a number"
    );
}

#[test]
fn repeated_date_with_same_value_is_counted_not_repeated() {
    let (bars, reader) = read_all("tests/data/dup_same.csv").unwrap();
    assert_eq!(bars.len(), 2);
    assert_eq!(reader.summary().series[0].duplicates, 1);
}

#[test]
fn repeated_date_with_different_value_names_both_lines() {
    assert_eq!(
        error_text("tests/data/dup_conflict.csv"),
        "tests/data/dup_conflict.csv: line 4: 2020-01-02 for \"DUP_CONFLICT\" repeats line 2 with a different value"
    );
}

#[test]
fn header_only_file_is_a_clear_error() {
    assert_eq!(
        error_text("tests/data/header_only.csv"),
        "tests/data/header_only.csv: no data rows (the file has only a header)"
    );
}

#[test]
fn empty_file_is_a_clear_error() {
    let error = PriceReader::from_reader(std::io::Cursor::new(""), "empty.csv").unwrap_err();
    assert_eq!(
        error.to_string(),
        "empty.csv: no data rows (the file has no header either)"
    );
}

#[test]
fn row_with_an_extra_field_names_its_line() {
    assert_eq!(
        error_text("tests/data/column_count.csv"),
        "tests/data/column_count.csv: line 3: 3 fields where the header has 2"
    );
}

#[test]
fn day_first_date_is_rejected_not_guessed() {
    assert_eq!(
        error_text("tests/data/bad_date.csv"),
        "tests/data/bad_date.csv: line 2, column \"date\" (1): \"13/01/2020\" is not a date (expected yyyy-mm-dd or m/d/yyyy)"
    );
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let text = error_text("tests/data/no_such_file.csv");
    assert!(text.starts_with("tests/data/no_such_file.csv: "), "{text}");
}

#[test]
fn lines_of_only_commas_are_skipped_like_blank_lines() {
    let text = "date,close\n2020-01-02,1\n,\n2020-01-03,2\n";
    let mut reader = PriceReader::from_reader(std::io::Cursor::new(text), "x.csv").unwrap();
    let mut lines = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        lines.push(row.line);
    }
    assert_eq!(lines, [2, 4]);
}

#[test]
fn timestamps_and_descending_files_load_in_ascending_order_for_indicators() {
    let text = "Date,Open,High,Low,Close,Volume\n\
                2020-01-03 00:00:00,2,3,1,2.5,10\n\
                2020-01-02T00:00:00Z,1,2,0.5,1.5,20\n";
    let path = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(path.path(), text).unwrap();
    let series = read_columns(path.path()).unwrap();
    assert_eq!(series.dates, [day(2020, 1, 2), day(2020, 1, 3)]);
    assert_eq!(series.close, [1.5, 2.5]);
    assert_eq!(series.open.as_deref(), Some(&[1.0, 2.0][..]));
    assert_eq!(series.volume.as_deref(), Some(&[20.0, 10.0][..]));
}

#[test]
fn columns_drop_rows_with_a_hole_and_absent_columns_are_none() {
    let series = read_columns("tests/data/yahoo_wti.csv").unwrap();
    // The null row lacks a close; the last row lacks a volume.
    assert_eq!(series.close, [18.27, -37.63]);
    assert_eq!(series.skipped_rows, 2);
    let plain = read_columns("tests/data/GOLDAMGBD228NLBM.csv").unwrap();
    assert_eq!(plain.open, None);
    assert_eq!(plain.close, [1520.55, 1541.35]);
}

#[test]
fn columns_not_kept_cost_nothing_but_still_drop_their_holes() {
    let close_high_low = KeepColumns {
        open: false,
        high: true,
        low: true,
        volume: false,
    };
    for path in [
        "tests/data/yahoo_wti.csv",
        "tests/data/GOLDAMGBD228NLBM.csv",
    ] {
        let all = read_columns(path).unwrap();
        let some = read_columns_keeping(path, close_high_low).unwrap();
        // The same rows whichever columns are stored: yahoo_wti's row without a volume is
        // dropped even though the volume is not kept.
        assert_eq!(some.dates, all.dates, "{path}");
        assert_eq!(some.close, all.close, "{path}");
        assert_eq!(some.high, all.high, "{path}");
        assert_eq!(some.low, all.low, "{path}");
        assert_eq!(some.skipped_rows, all.skipped_rows, "{path}");
        assert_eq!((some.open, some.volume), (None, None), "{path}");
    }
    // A column absent from every row drops nothing, kept or not.
    let text = "Date,Open,High,Low,Close,Volume\n\
                2020-01-02,1,2,0.5,1.5,\n\
                2020-01-03,2,3,1,2.5,\n";
    let path = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(path.path(), text).unwrap();
    let series = read_columns_keeping(path.path(), close_high_low).unwrap();
    assert_eq!(series.close, [1.5, 2.5]);
    assert_eq!(series.skipped_rows, 0);
}

#[test]
fn columns_refuse_a_wide_table() {
    let error = read_columns("tests/data/wide.csv").unwrap_err();
    assert!(matches!(error, IngestError::WrongShape { .. }), "{error}");
}

#[test]
fn wide_table_loads_with_nan_for_missing_values() {
    let table = read_wide("tests/data/wide.csv").unwrap();
    assert_eq!(table.symbols, ["GOLD", "WTI", "SILVER"]);
    assert_eq!(table.dates.len(), 3);
    assert!(table.columns[1][1].is_nan());
    let complete = table.complete_rows().unwrap();
    assert_eq!(complete.dates, [day(2020, 1, 2)]);
}

#[test]
fn several_single_series_files_join_on_common_dates() {
    let table = read_many(&["tests/data/GOLDAMGBD228NLBM.csv", "tests/data/dup_same.csv"]).unwrap();
    assert_eq!(table.symbols, ["GOLDAMGBD228NLBM", "DUP_SAME"]);
    assert_eq!(table.dates, [day(2020, 1, 2), day(2020, 1, 3)]);
    assert_eq!(table.columns, [vec![1520.55, 1541.35], vec![10.5, 11.0]]);
}

#[test]
fn line_numbers_match_an_editor_with_crlf_blank_lines_and_quoted_line_breaks() {
    for ending in ["\n", "\r\n"] {
        let text = [
            "",
            "date,\"close\"",
            "",
            "2020-01-02,1",
            "\"2020-01-03",
            "\",2",
            "",
            "",
            "2020-01-06,oops",
        ]
        .join(ending);
        let mut reader = PriceReader::from_reader(std::io::Cursor::new(text), "x.csv").unwrap();
        assert_eq!(reader.next_row().unwrap().unwrap().line, 4);
        // A line break inside quotes: the row starts on line 5 and ends on line 6.
        assert_eq!(reader.next_row().unwrap().unwrap().line, 5);
        assert_eq!(
            reader.next_row().unwrap_err().to_string(),
            "x.csv: line 9, column \"close\" (2): \"oops\" is not a number"
        );
    }
}

#[test]
fn last_line_without_a_newline_is_numbered_right() {
    let text = "date,close\n2020-01-02,1\n\n2020-01-03,x";
    let mut reader = PriceReader::from_reader(std::io::Cursor::new(text), "x.csv").unwrap();
    reader.next_row().unwrap();
    assert_eq!(
        reader.next_row().unwrap_err().to_string(),
        "x.csv: line 4, column \"close\" (2): \"x\" is not a number"
    );
}

#[test]
fn reader_can_move_to_a_blocking_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<PriceReader>();
}

#[test]
fn joining_two_series_with_one_symbol_is_an_error() {
    let error = read_many(&["tests/data/wide.csv", "tests/data/wide.csv"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "symbol \"GOLD\" appears in more than one input"
    );
}

#[test]
fn ohlc_beside_other_series_is_rejected_at_the_header() {
    let text = "Date,Open,Close,GOLD\n2020-01-02,1,2,3\n";
    let error = PriceReader::from_reader(std::io::Cursor::new(text), "x.csv").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("x.csv: line 1: the header mixes"),
        "{error}"
    );
}
