//! The path engine: many compounding paths, in parallel, reproducible whatever the thread count.
//!
//! Paths are split into fixed chunks of [`CHUNK_PATHS`]; chunk `c` draws from its own stream of
//! the seed (the seed's xoshiro256++ generator advanced by `c` jumps of 2^128 draws, so streams
//! never overlap), day by day and path by path within the chunk. Results therefore depend on the
//! seed only, never on how rayon schedules chunks onto threads.
//!
//! xoshiro256++ rather than ChaCha: the simulation needs statistical quality (it passes BigCrush),
//! not unpredictability, and ChaCha8 was the largest cost of a simulation.
//!
//! Memory: the engine never holds the full paths × days matrix (100,000 × 253 f64 is 200 MB).
//! Chunks advance together [`DAYS_PER_BLOCK`] days at a time, keeping just those days'
//! cumulative returns and counting them into fan bins as they are computed; the fan-chart
//! percentiles of each day are then found exactly from the counts and the block (see `fan.rs`)
//! before the next block overwrites it. Peak memory is about paths × (5 + DAYS_PER_BLOCK) f64
//! plus 8 KiB of counts per chunk: about 8 MB at 100,000 paths.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::fan::{FAN_BINS, FanBins, PercentileScratch, binned_percentiles};

/// Paths per RNG stream; fixed so that output does not depend on the thread count.
pub(crate) const CHUNK_PATHS: usize = 1024;
/// Days advanced between two fan-percentile steps; does not change results. Small enough that
/// a block (paths × days f64, 3.2 MB at 100,000 paths) is still in cache when the percentile
/// step reads it: 4 measured faster than 8 or 16 despite the extra rayon joins.
const DAYS_PER_BLOCK: usize = 4;
/// Percentiles of the cumulative return drawn in the fan chart.
pub(crate) const FAN_PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// The simulation's random generator.
pub(crate) type SimRng = Xoshiro256PlusPlus;

/// A source of simulated daily portfolio returns.
pub(crate) trait DailyReturnSampler: Sync {
    /// Fills `out` with one day's portfolio return for each path, in path order.
    fn fill(&self, rng: &mut SimRng, out: &mut [f64]);

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
    rng: SimRng,
    wealth: Vec<f64>,
    peak: Vec<f64>,
    max_drawdown: Vec<f64>,
    /// Cumulative returns of the current block, day-major: `block[d * len + p]`.
    block: Vec<f64>,
    /// One day's drawn returns, one per path of the chunk.
    draws: Vec<f64>,
    /// Fan bin counts of the block's days, day-major: `counts[d * FAN_BINS + b]`.
    counts: Vec<u16>,
}

impl Chunk {
    fn new(rng: SimRng, len: usize) -> Self {
        Self {
            rng,
            wealth: vec![1.0; len],
            peak: vec![1.0; len],
            max_drawdown: vec![0.0; len],
            block: vec![0.0; len * DAYS_PER_BLOCK],
            draws: vec![0.0; len],
            counts: vec![0; DAYS_PER_BLOCK * FAN_BINS],
        }
    }

    /// Advances one day per entry of `bins`, counting each day's values with its bins.
    fn advance<S: DailyReturnSampler>(&mut self, sampler: &S, bins: &[FanBins]) {
        let len = self.wealth.len();
        self.counts[..bins.len() * FAN_BINS].fill(0);
        for (day, day_bins) in bins.iter().enumerate() {
            // Drawing a day's returns for the whole chunk first leaves the compounding below
            // free of RNG calls, so the compiler vectorises it.
            sampler.fill(&mut self.rng, &mut self.draws);
            let row = &mut self.block[day * len..(day + 1) * len];
            let paths = row
                .iter_mut()
                .zip(&self.draws)
                .zip(&mut self.wealth)
                .zip(&mut self.peak)
                .zip(&mut self.max_drawdown);
            for ((((cumulative, &r), wealth), peak), max_drawdown) in paths {
                *wealth *= 1.0 + r;
                // The peak starts at 1 and never falls, so the division is always defined.
                *peak = peak.max(*wealth);
                *max_drawdown = max_drawdown.min(*wealth / *peak - 1.0);
                *cumulative = *wealth - 1.0;
            }
            // Counted now, while the row is in L1: a separate pass over the block later
            // read it back from memory, and cost more than computing it.
            day_bins.count(row, &mut self.counts[day * FAN_BINS..(day + 1) * FAN_BINS]);
        }
    }
}

/// Simulates `paths` paths of `horizon` days from `seed`.
pub(crate) fn run_paths<S: DailyReturnSampler>(
    sampler: &S,
    paths: usize,
    horizon: usize,
    seed: u64,
    keep_paths: usize,
) -> PathOutcomes {
    let mut stream = SimRng::seed_from_u64(seed);
    let mut chunks: Vec<Chunk> = (0..paths.div_ceil(CHUNK_PATHS))
        .map(|index| {
            let rng = stream.clone();
            stream.jump();
            Chunk::new(rng, CHUNK_PATHS.min(paths - index * CHUNK_PATHS))
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
        let days = DAYS_PER_BLOCK.min(horizon - done);
        let bins: Vec<FanBins> = (1..=days)
            .map(|ahead| FanBins::predict(low, high, daily_std, ahead))
            .collect();
        chunks
            .par_iter_mut()
            .for_each(|chunk| chunk.advance(sampler, &bins));
        for percentiles in block_percentiles(&chunks, &bins, &mut scratches) {
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
    let max_drawdowns = chunks
        .iter()
        .flat_map(|c| c.max_drawdown.iter().copied())
        .collect();
    PathOutcomes {
        final_returns,
        max_drawdowns,
        fan,
        kept_paths,
    }
}

/// Fan percentiles of each day of the block just advanced, one day per entry of `bins`.
fn block_percentiles(
    chunks: &[Chunk],
    bins: &[FanBins],
    scratches: &mut [PercentileScratch],
) -> Vec<[f64; FAN_PERCENTILES.len()]> {
    scratches[..bins.len()]
        .par_iter_mut()
        .zip(bins)
        .enumerate()
        .map(|(day, (scratch, &day_bins))| {
            let rows: Vec<&[f64]> = chunks
                .iter()
                .map(|chunk| {
                    let len = chunk.wealth.len();
                    &chunk.block[day * len..(day + 1) * len]
                })
                .collect();
            let counts: Vec<&[u16]> = chunks
                .iter()
                .map(|chunk| &chunk.counts[day * FAN_BINS..(day + 1) * FAN_BINS])
                .collect();
            binned_percentiles(&rows, &counts, day_bins, &FAN_PERCENTILES, scratch)
        })
        .collect()
}
