//! The path engine: many compounding paths, in parallel, reproducible whatever the thread count.
//!
//! Paths are split into fixed chunks of [`CHUNK_PATHS`]; chunk `c` draws from its own streams,
//! placed from the seed and `c` alone (see `streams.rs`), day by day and path by path within
//! the chunk. Results therefore depend on the seed only, never on how rayon schedules chunks
//! onto threads.
//!
//! xoshiro256++ rather than ChaCha: the simulation needs statistical quality (it passes BigCrush),
//! not unpredictability, and ChaCha8 was the largest cost of a simulation.
//!
//! A chunk advances a day in passes over its paths, each a loop the compiler vectorises (run
//! under `cpu::with_fma`, so 4-wide on AVX2): random words for all paths, the normal draws
//! (`normal.rs`), compounding (wealth, peak, lowest wealth-to-peak ratio), then each value's
//! fan bin; only counting the bins, and the ziggurat's rare slow cases, are scalar. The
//! compounding is bound by its division (wealth / peak): a division-free exact comparison was
//! tried, and measured slower for the extra array it needs.
//!
//! Memory: the engine never holds the full paths × days matrix (100,000 × 253 f64 is 200 MB).
//! Chunks advance together [`DAYS_PER_BLOCK`] days at a time, keeping just those days'
//! cumulative returns, and each value's fan bin (`u16`), counting the bins as they are
//! computed; the fan-chart percentiles of each day are then found exactly from the counts, the
//! bins and the block (see `fan.rs`) before the next block overwrites it. Peak memory is about
//! paths × (6 + 1.25 × DAYS_PER_BLOCK) f64 plus 20 KiB of counts and generator state per
//! chunk: about 14 MB at 100,000 paths.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

use super::fan::{FAN_BINS, FanBins, PercentileScratch, binned_percentiles, count};
use super::streams::{ChunkRng, LANES};

/// Paths per chunk of streams; fixed so that output does not depend on the thread count.
/// 2048 rather than 1024 halves the per-chunk costs of each day (counts to sum, loops to set
/// up): measured 3–5% less CPU at 100,000 paths. 4096 measured a little faster still, but
/// would leave a 10,000-path simulation (the CLI default) only three chunks to share out.
/// Counts of a chunk's day stay below `u16::MAX`.
pub(crate) const CHUNK_PATHS: usize = 2048;
/// Days advanced between two fan-percentile steps; does not change results. Each step costs
/// two rayon joins (thread wake-ups), and since the selection reads the stored bins (a quarter
/// of the values' bytes) and only the few wanted values, a block no longer needs to stay in
/// cache: 8 measured faster than 4 (10% wall) and than 16 (whose bins are predicted from
/// further back, so fuller).
const DAYS_PER_BLOCK: usize = 8;
/// Percentiles of the cumulative return drawn in the fan chart.
pub(crate) const FAN_PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// A source of simulated daily portfolio returns.
pub(crate) trait DailyReturnSampler: Sync {
    /// Fills `out` with one day's portfolio return for each path, in path order; `words` is
    /// scratch for random words, at least `out.len()` rounded up to [`LANES`].
    fn fill(&self, rng: &mut ChunkRng, words: &mut [u64], out: &mut [f64]);

    /// Standard deviation of one day's return, to place the fan bins (any value is exact).
    fn daily_std(&self) -> f64;
}

/// What the engine reports per path and per day.
pub(crate) struct PathOutcomes {
    /// Final cumulative return (wealth − 1) of each path, in path order.
    pub(crate) final_returns: Vec<f64>,
    /// Maximum drawdown (≤ 0) of each path, wealth starting at 1.
    pub(crate) max_drawdowns: Vec<f64>,
    /// `fan[k][t]`: percentile `FAN_PERCENTILES[k]` of the cumulative return at day `t`.
    pub(crate) fan: Vec<Vec<f64>>,
    /// Cumulative returns, days 0..=horizon, of the first `keep_paths` paths.
    pub(crate) kept_paths: Vec<Vec<f64>>,
}

struct Chunk {
    rng: ChunkRng,
    wealth: Vec<f64>,
    peak: Vec<f64>,
    /// The lowest `wealth / peak` so far, 1 at the start; the max drawdown is this minus 1.
    lowest_ratio: Vec<f64>,
    /// Cumulative returns of the current block, day-major: `block[d * len + p]`.
    block: Vec<f64>,
    /// The fan bin of each value of `block`, at the same index.
    block_bins: Vec<u16>,
    /// One day's drawn returns, one per path of the chunk.
    draws: Vec<f64>,
    /// Random words for one day's draws (rounded up to whole groups of lanes).
    words: Vec<u64>,
    /// Fan bin counts of the block's days, day-major: `counts[d * FAN_BINS + b]`.
    counts: Vec<u16>,
}

impl Chunk {
    fn new(rng: ChunkRng, len: usize) -> Self {
        Self {
            rng,
            wealth: vec![1.0; len],
            peak: vec![1.0; len],
            lowest_ratio: vec![1.0; len],
            block: vec![0.0; len * DAYS_PER_BLOCK],
            block_bins: vec![0; len * DAYS_PER_BLOCK],
            draws: vec![0.0; len],
            words: vec![0; len.next_multiple_of(LANES)],
            counts: vec![0; DAYS_PER_BLOCK * FAN_BINS],
        }
    }

    /// Advances one day per entry of `bins`, binning and counting each day's values.
    fn advance<S: DailyReturnSampler>(&mut self, sampler: &S, bins: &[FanBins]) {
        // Compiled for AVX2 and FMA where the CPU has them: every loop of `advance_days` is
        // vector code then, 4 f64 or 8 generators wide (the same results either way, see
        // `cpu.rs`). Closure and body are both `inline(always)`: otherwise a body this large is
        // compiled once, as a function of its own for the baseline, which both paths call.
        crate::cpu::with_fma(
            #[inline(always)]
            || self.advance_days(sampler, bins),
        );
    }

    #[inline(always)]
    fn advance_days<S: DailyReturnSampler>(&mut self, sampler: &S, bins: &[FanBins]) {
        let len = self.wealth.len();
        self.counts[..bins.len() * FAN_BINS].fill(0);
        for (day, day_bins) in bins.iter().enumerate() {
            // Drawing a day's returns for the whole chunk first leaves the compounding
            // below free of RNG calls, so it vectorises.
            sampler.fill(&mut self.rng, &mut self.words, &mut self.draws);
            let row = &mut self.block[day * len..(day + 1) * len];
            let paths = row
                .iter_mut()
                .zip(&self.draws)
                .zip(&mut self.wealth)
                .zip(&mut self.peak)
                .zip(&mut self.lowest_ratio);
            for ((((cumulative, &r), wealth), peak), lowest_ratio) in paths {
                // New values in locals, every array written unconditionally: written as
                // `*peak = if … { … } else { *peak }`, LLVM made masked stores, and read the
                // values back from memory right after them (measured slower). The peak starts
                // at 1 and never falls, so the division is always defined.
                let new_wealth = *wealth * (1.0 + r);
                let new_peak = peak.max(new_wealth);
                *lowest_ratio = lowest_ratio.min(new_wealth / new_peak);
                *wealth = new_wealth;
                *peak = new_peak;
                *cumulative = new_wealth - 1.0;
            }
            // Binned and counted now, while the row is in L1: a separate pass over the
            // block later read it back from memory, and cost more than computing it.
            let row_bins = &mut self.block_bins[day * len..(day + 1) * len];
            day_bins.bin_all(row, row_bins);
            count(
                row_bins,
                &mut self.counts[day * FAN_BINS..(day + 1) * FAN_BINS],
            );
        }
    }
}

/// Simulates `paths` paths of `horizon` days from `seed`; `None` when `stop` was set before
/// the last block of days (it is looked at between blocks).
pub(crate) fn run_paths<S: DailyReturnSampler>(
    sampler: &S,
    paths: usize,
    horizon: usize,
    seed: u64,
    keep_paths: usize,
    stop: &AtomicBool,
) -> Option<PathOutcomes> {
    // In parallel: each chunk's arrays are written (page faults) as they are allocated.
    let mut chunks: Vec<Chunk> = (0..paths.div_ceil(CHUNK_PATHS))
        .into_par_iter()
        .map(|index| {
            let len = CHUNK_PATHS.min(paths - index * CHUNK_PATHS);
            Chunk::new(ChunkRng::new(seed, index), len)
        })
        .collect();
    let mut fan: Vec<Vec<f64>> = FAN_PERCENTILES
        .iter()
        .map(|_| Vec::with_capacity(horizon + 1))
        .collect();
    for series in &mut fan {
        series.push(0.0);
    }
    let mut kept_paths: Vec<Vec<f64>> = (0..keep_paths)
        .map(|_| {
            let mut path = Vec::with_capacity(horizon + 1);
            path.push(0.0);
            path
        })
        .collect();

    // One scratch per day of a block, allocated once: rayon's `map_init` would allocate new
    // ones (a paths-sized buffer, page faults included) for every block.
    let mut scratches: Vec<PercentileScratch> = (0..DAYS_PER_BLOCK)
        .map(|_| PercentileScratch::default())
        .collect();
    let daily_std = sampler.daily_std();
    // The 5th and 95th percentiles of the last finished day, from which bins are predicted.
    let (mut low, mut high) = (0.0, 0.0);
    let mut done = 0;
    while done < horizon {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let days = DAYS_PER_BLOCK.min(horizon - done);
        let bins: Vec<FanBins> = (1..=days)
            .map(|ahead| FanBins::predict(low, high, daily_std, ahead))
            .collect();
        chunks
            .par_iter_mut()
            .for_each(|chunk| chunk.advance(sampler, &bins));
        for percentiles in block_percentiles(&chunks, days, &mut scratches) {
            for (series, value) in fan.iter_mut().zip(percentiles) {
                series.push(value);
            }
            (low, high) = (percentiles[0], percentiles[FAN_PERCENTILES.len() - 1]);
        }
        let blocks: Vec<&[f64]> = chunks.iter().map(|chunk| chunk.block.as_slice()).collect();
        for (p, path) in kept_paths.iter_mut().enumerate() {
            let block = blocks[p / CHUNK_PATHS];
            let len = block.len() / DAYS_PER_BLOCK;
            path.extend((0..days).map(|day| block[day * len + p % CHUNK_PATHS]));
        }
        done += days;
    }

    let final_returns = chunks
        .iter()
        .flat_map(|c| c.wealth.iter().map(|w| w - 1.0))
        .collect();
    // min over days of (wealth / peak − 1), starting from 0, is (min of the ratios) − 1: the
    // ratio is at most 1 (the peak includes the wealth), and subtracting 1 is monotone, so the
    // smallest rounded ratio gives the smallest rounded difference — the same value exactly.
    let max_drawdowns = chunks
        .iter()
        .flat_map(|c| c.lowest_ratio.iter().map(|ratio| ratio - 1.0))
        .collect();
    Some(PathOutcomes {
        final_returns,
        max_drawdowns,
        fan,
        kept_paths,
    })
}

/// Fan percentiles of each of the first `days` days of the block just advanced.
fn block_percentiles(
    chunks: &[Chunk],
    days: usize,
    scratches: &mut [PercentileScratch],
) -> Vec<[f64; FAN_PERCENTILES.len()]> {
    scratches[..days]
        .par_iter_mut()
        .enumerate()
        .map(|(day, scratch)| {
            let rows: Vec<&[f64]> = chunks
                .iter()
                .map(|chunk| {
                    let len = chunk.wealth.len();
                    &chunk.block[day * len..(day + 1) * len]
                })
                .collect();
            let row_bins: Vec<&[u16]> = chunks
                .iter()
                .map(|chunk| {
                    let len = chunk.wealth.len();
                    &chunk.block_bins[day * len..(day + 1) * len]
                })
                .collect();
            let counts: Vec<&[u16]> = chunks
                .iter()
                .map(|chunk| &chunk.counts[day * FAN_BINS..(day + 1) * FAN_BINS])
                .collect();
            // Vector code for summing the counts and scanning the bins (see `cpu.rs`).
            crate::cpu::with_fma(
                #[inline(always)]
                || binned_percentiles(&rows, &row_bins, &counts, &FAN_PERCENTILES, scratch),
            )
        })
        .collect()
}
