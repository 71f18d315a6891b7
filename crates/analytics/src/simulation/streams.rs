//! The simulation's random streams: per chunk of paths, [`LANES`] xoshiro256++ generators
//! stepped side by side, plus one ordinary generator for rare draws.
//!
//! One xoshiro256++ generator is a chain of dependent steps (each needs the last state), so a
//! loop drawing one word per path waits on it. [`LANES`] independent generators, their states
//! kept as arrays of words (state word `i` of lane `l` is `s[i][l]`), step in a loop over lanes
//! that compiles to 4-wide vector code (see `cpu.rs`); the words are consumed in lane order,
//! `words[g * LANES + l]` being the `g`-th word of lane `l`.
//!
//! Seeding: every generator's 256-bit state is four consecutive outputs of the SplitMix64
//! sequence of the seed (as `seed_from_u64` seeds one generator), chunk `c` taking outputs
//! `c * WORDS_PER_CHUNK ..`: its lanes first, then its rare-draw generator. SplitMix64 can
//! start at any position in one step, so a chunk's streams depend only on the seed and the
//! chunk's index, whatever the thread, and cost nothing to place. They are seeded rather than
//! jumped (jumps would guarantee disjoint streams, but cost a microsecond each, or a third of a
//! millisecond for `jump_ce`, for 64 lanes in every chunk); with distinct, well-mixed 256-bit
//! states, two of the ~10^5 streams of a large simulation overlapping within the ~10^4 draws
//! each makes has a probability of order 10^-60.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// xoshiro256++ generators stepped together per chunk: enough that the loop over them stays a
/// loop (LLVM vectorises it 4-wide, state in memory), few enough that the state (2 KiB) stays
/// in L1 beside the chunk's other arrays. Stepping eight in registers instead was fragile: in
/// the engine's loop nest LLVM compiled it to scalar code.
pub(crate) const LANES: usize = 64;

/// The generator of the rare draws.
pub(crate) type SimRng = Xoshiro256PlusPlus;

/// Steps of each lane per load and store of its state in [`LaneRng::fill`] (`out` need not
/// be a multiple of `STEPS * LANES`).
const STEPS: usize = 4;

/// SplitMix64 outputs each chunk takes: four per lane and four for the rare-draw generator.
const WORDS_PER_CHUNK: u64 = 4 * (LANES as u64 + 1);

/// [`LANES`] xoshiro256++ generators, state-word-major.
#[derive(Debug, Clone)]
pub(crate) struct LaneRng {
    s: [[u64; LANES]; 4],
}

impl LaneRng {
    /// Fills `out` (a multiple of [`LANES`] long) with the next word of each lane in turn.
    #[inline(always)]
    pub(crate) fn fill(&mut self, out: &mut [u64]) {
        // The rotations are written as two shifts by amounts LLVM cannot see: it recognises a
        // rotate by constants, and since AVX2 has no 64-bit rotate, it then computed the lanes
        // in scalar registers. Opaque amounts keep it two vector shifts (`vpsllvq`, `vpsrlvq`).
        let [rotate_sum, rotate_sum_back, rotate_s3, rotate_s3_back] =
            std::hint::black_box([23_u32, 64 - 23, 45, 64 - 45]);
        let rotate = |x: u64, left: u32, right: u32| (x << left) | (x >> right);
        let step = |state: &mut [u64; 4]| {
            let [s0, s1, s2, s3] = state;
            let word = rotate(s0.wrapping_add(*s3), rotate_sum, rotate_sum_back).wrapping_add(*s0);
            let t = *s1 << 17;
            *s2 ^= *s0;
            *s3 ^= *s1;
            *s1 ^= *s2;
            *s0 ^= *s3;
            *s2 ^= t;
            *s3 = rotate(*s3, rotate_s3, rotate_s3_back);
            word
        };
        let [s0, s1, s2, s3] = &mut self.s;
        // STEPS steps of each lane per load and store of its state: the loop was bound by
        // memory operations, not arithmetic (one step per load and store measured 8% slower
        // overall; eight steps no faster than four). Word `g * LANES + l` is still the `g`-th
        // of lane `l`.
        let (quads, rest) = out.as_chunks_mut::<{ STEPS * LANES }>();
        for quad in quads {
            for lane in 0..LANES {
                let mut state = [s0[lane], s1[lane], s2[lane], s3[lane]];
                for k in 0..STEPS {
                    quad[k * LANES + lane] = step(&mut state);
                }
                [s0[lane], s1[lane], s2[lane], s3[lane]] = state;
            }
        }
        for group in rest.as_chunks_mut::<LANES>().0 {
            for lane in 0..LANES {
                let mut state = [s0[lane], s1[lane], s2[lane], s3[lane]];
                group[lane] = step(&mut state);
                [s0[lane], s1[lane], s2[lane], s3[lane]] = state;
            }
        }
    }
}

/// The random streams of one chunk of paths.
#[derive(Debug, Clone)]
pub(crate) struct ChunkRng {
    /// The bulk of the draws, [`LANES`] at a time.
    pub(crate) lanes: LaneRng,
    /// Rare draws: the ziggurat's slow cases, and the bootstrap's day indices.
    pub(crate) scalar: SimRng,
}

impl ChunkRng {
    /// The streams of chunk `index` of the simulation seeded with `seed`.
    pub(crate) fn new(seed: u64, index: usize) -> Self {
        let mut mix = SplitMix64::at(seed, index as u64 * WORDS_PER_CHUNK);
        let mut s = [[0; LANES]; 4];
        for lane in 0..LANES {
            for word in &mut s {
                word[lane] = mix.next();
            }
        }
        let mut scalar_seed = [0_u8; 32];
        for bytes in scalar_seed.chunks_exact_mut(8) {
            bytes.copy_from_slice(&mix.next().to_le_bytes());
        }
        Self {
            lanes: LaneRng { s },
            scalar: SimRng::from_seed(scalar_seed),
        }
    }
}

/// The SplitMix64 generator (Steele, Lea and Flood), as `seed_from_u64` uses to fill states.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

    /// The generator seeded with `seed`, about to give its output number `position`: the
    /// state only ever advances by [`Self::GAMMA`], so any position is one multiplication away.
    fn at(seed: u64, position: u64) -> Self {
        Self {
            state: seed.wrapping_add(position.wrapping_mul(Self::GAMMA)),
        }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// The lane's generator as an ordinary xoshiro256++ generator.
    fn lane_generator(streams: &ChunkRng, lane: usize) -> SimRng {
        let mut seed = [0_u8; 32];
        for (word, bytes) in seed.chunks_exact_mut(8).enumerate() {
            bytes.copy_from_slice(&streams.lanes.s[word][lane].to_le_bytes());
        }
        SimRng::from_seed(seed)
    }

    #[test]
    fn each_lane_is_an_ordinary_xoshiro256plusplus_stream() {
        let mut streams = ChunkRng::new(7, 3);
        let mut expected: Vec<SimRng> = (0..LANES).map(|l| lane_generator(&streams, l)).collect();
        let mut words = vec![0; LANES * 40];
        streams.lanes.fill(&mut words[..LANES * 15]);
        streams.lanes.fill(&mut words[LANES * 15..]);
        for (step, group) in words.chunks_exact(LANES).enumerate() {
            for (lane, generator) in expected.iter_mut().enumerate() {
                assert_eq!(
                    group[lane],
                    generator.next_u64(),
                    "lane {lane}, step {step}"
                );
            }
        }
    }

    #[test]
    fn seeding_follows_the_seeds_splitmix64_sequence() {
        // Position 0 of the sequence gives the state `seed_from_u64` gives.
        let streams = ChunkRng::new(42, 0);
        let mut first = lane_generator(&streams, 0);
        let mut plain = SimRng::seed_from_u64(42);
        assert_eq!(first.next_u64(), plain.next_u64());
        // Chunk 1 starts where chunk 0 ended: its first lane is chunk 0's rare-draw generator
        // moved on by four outputs, so all states of all chunks are distinct outputs.
        let next = ChunkRng::new(42, 1);
        let mut mix = SplitMix64::at(42, WORDS_PER_CHUNK);
        assert_eq!(next.lanes.s[0][0], mix.next());
        assert_ne!(next.lanes.s[0][0], streams.lanes.s[0][0]);
    }
}
