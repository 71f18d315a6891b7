//! What `write_csv` writes, the reader reads back bar for bar.

use chrono::NaiveDate;
use ingest::{PriceReader, write_csv};
use proptest::prelude::*;
use store::PriceBar;

/// Any finite price, including negative ones and awkward magnitudes.
fn price() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6f64,
        any::<i32>().prop_map(f64::from),
        (1e-12..1e-3f64),
        (1e15..1e300f64),
    ]
}

fn bars() -> impl Strategy<Value = Vec<PriceBar>> {
    let bar = (
        proptest::option::of(price()),
        proptest::option::of(price()),
        proptest::option::of(price()),
        price(),
        proptest::option::of(0.0..1e12f64),
    );
    proptest::collection::vec(bar, 1..50).prop_map(|values| {
        let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        values
            .into_iter()
            .enumerate()
            .map(|(i, (open, high, low, close, volume))| PriceBar {
                date: start + chrono::Days::new(i as u64 * 3),
                open,
                high,
                low,
                close,
                volume,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn write_csv_then_read_gives_the_same_bars(bars in bars()) {
        let mut text = Vec::new();
        write_csv(&mut text, &bars).unwrap();
        let mut reader = PriceReader::from_reader(std::io::Cursor::new(text), "x.csv").unwrap();
        let mut read = Vec::new();
        while reader.next_batch(&mut read, 1000).unwrap() > 0 {}
        // A column that is empty on every row still reads back as absent on every row.
        let read: Vec<PriceBar> = read.into_iter().map(|(_, bar)| bar).collect();
        prop_assert_eq!(read, bars);
    }
}
