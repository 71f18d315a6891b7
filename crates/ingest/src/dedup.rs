//! Per-series memory of dates already seen, to tell a harmless repeated row from a
//! conflicting one and to name the first line in the error.
//!
//! Files are nearly always sorted (ascending, or descending from some providers), so the
//! entries of the sorted run are kept in a plain `Vec` (16 bytes a date, binary-searchable)
//! and only dates that break the order go into a hash map. For a 100,000-day series that is
//! 1.6 MB and no hashing on the common path.

use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What was known about a date seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    day: i32,
    line: u32,
    fingerprint: u64,
}

/// The verdict on a (date, values) pair offered to [`DateMemory::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The date is new to this series.
    New,
    /// The date was seen with the same values; the row adds nothing.
    SameAsBefore,
    /// The date was seen at `first_line` with different values.
    Conflicts {
        /// Where the date was first seen.
        first_line: u64,
    },
    /// A memory made by [`DateMemory::ascending_only`] was offered a date before the last
    /// one; it cannot tell whether the date repeats an earlier one.
    OutOfOrder,
}

/// Dates seen so far in one series.
#[derive(Debug, Default)]
pub struct DateMemory {
    run: Vec<Seen>,
    /// Keep only the last date and refuse earlier ones (see [`DateMemory::ascending_only`]).
    last_only: bool,
    /// `Greater` if the run ascends, `Less` if it descends, `None` until two dates differ.
    direction: Option<Ordering>,
    out_of_order: HashMap<i32, Seen>,
}

impl DateMemory {
    /// A memory for a series read in ascending date order, in constant space: it keeps only
    /// the last date, which is all an ascending series needs (a repeat can only be of the
    /// row just before), and answers [`Verdict::OutOfOrder`] to an earlier date. Its other
    /// verdicts are those of the full memory on the same ascending series.
    pub fn ascending_only() -> Self {
        Self {
            last_only: true,
            ..Self::default()
        }
    }

    /// Records `date` at `line` with a fingerprint of its values, or says how it repeats.
    pub fn check(&mut self, date: NaiveDate, line: u64, fingerprint: u64) -> Verdict {
        let day = date.num_days_from_ce();
        let entry = Seen {
            day,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            fingerprint,
        };
        let Some(last) = self.run.last() else {
            self.run.push(entry);
            return Verdict::New;
        };
        let step = day.cmp(&last.day);
        if step == Ordering::Equal {
            return compare(last, fingerprint);
        }
        if self.last_only {
            if step == Ordering::Less {
                return Verdict::OutOfOrder;
            }
            self.run[0] = entry;
            return Verdict::New;
        }
        match self.direction {
            None => {
                self.direction = Some(step);
                self.run.push(entry);
                return Verdict::New;
            }
            Some(direction) if direction == step => {
                // Beyond the end of the run: nothing in the out-of-order map can be here,
                // since every one of those lies behind the end of the run.
                self.run.push(entry);
                return Verdict::New;
            }
            Some(_) => {}
        }
        let ascending = self.direction == Some(Ordering::Greater);
        let found = self.run.binary_search_by(|probe| {
            if ascending {
                probe.day.cmp(&day)
            } else {
                day.cmp(&probe.day)
            }
        });
        if let Ok(i) = found {
            return compare(&self.run[i], fingerprint);
        }
        match self.out_of_order.get(&day) {
            Some(seen) => compare(seen, fingerprint),
            None => {
                self.out_of_order.insert(day, entry);
                Verdict::New
            }
        }
    }
}

fn compare(seen: &Seen, fingerprint: u64) -> Verdict {
    if seen.fingerprint == fingerprint {
        Verdict::SameAsBefore
    } else {
        Verdict::Conflicts {
            first_line: u64::from(seen.line),
        }
    }
}

/// A 64-bit fingerprint of a bar's values: equal bars give equal fingerprints, and different
/// ones collide with odds of about 2⁻⁶⁴, so two lines are compared without keeping the bars.
pub fn fingerprint(values: [Option<f64>; 5]) -> u64 {
    let mut hash = 0x9e37_79b9_7f4a_7c15_u64;
    for value in values {
        // +0.0 and -0.0 are the same price; normalising keeps them one fingerprint.
        let bits = value.map_or(0x7ff8_dead_beef_0001, |v| (v + 0.0).to_bits());
        hash = mix(hash ^ bits);
    }
    hash
}

/// splitmix64's finaliser: cheap and mixes every input bit into every output bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, n).unwrap()
    }

    fn fp(v: f64) -> u64 {
        fingerprint([None, None, None, Some(v), None])
    }

    #[test]
    fn finds_repeats_in_ascending_descending_and_shuffled_files() {
        for order in [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [3, 1, 5, 2, 4]] {
            let mut memory = DateMemory::default();
            for (line, d) in order.iter().enumerate() {
                assert_eq!(
                    memory.check(day(*d), line as u64 + 2, fp(1.0)),
                    Verdict::New
                );
            }
            for (line, d) in order.iter().enumerate() {
                assert_eq!(memory.check(day(*d), 99, fp(1.0)), Verdict::SameAsBefore);
                assert_eq!(
                    memory.check(day(*d), 99, fp(2.0)),
                    Verdict::Conflicts {
                        first_line: line as u64 + 2
                    }
                );
            }
            assert_eq!(memory.check(day(9), 99, fp(1.0)), Verdict::New);
        }
    }

    #[test]
    fn ascending_only_memory_finds_adjacent_repeats_and_refuses_earlier_dates() {
        let mut memory = DateMemory::ascending_only();
        assert_eq!(memory.check(day(1), 2, fp(1.0)), Verdict::New);
        assert_eq!(memory.check(day(2), 3, fp(1.0)), Verdict::New);
        assert_eq!(memory.check(day(2), 4, fp(1.0)), Verdict::SameAsBefore);
        assert_eq!(
            memory.check(day(2), 5, fp(2.0)),
            Verdict::Conflicts { first_line: 3 }
        );
        assert_eq!(memory.check(day(5), 6, fp(1.0)), Verdict::New);
        assert_eq!(memory.check(day(3), 7, fp(1.0)), Verdict::OutOfOrder);
        assert_eq!(memory.run.len(), 1);
    }
}
