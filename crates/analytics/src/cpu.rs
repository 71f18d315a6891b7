//! Hot loops compiled for the CPU they run on.
//!
//! TA-Lib's shared library picks an AVX2/FMA build of each function at load time; a Rust
//! binary for baseline x86-64 cannot use those instructions unless a function is compiled for
//! them and chosen at run time. [`with_fma`] does that for a closure: on a CPU with AVX2 and FMA
//! the closure (inlined into a function compiled with those features) gets 4-wide vectors and a
//! fused multiply-add that is one instruction. Elsewhere it runs as compiled for the baseline.
//!
//! Results do not depend on which path runs: kernels write every fused operation as
//! `f64::mul_add`, which is exactly rounded on every CPU (an instruction here, glibc's `fma`
//! elsewhere), and use no other operation whose rounding the features could change.

/// Runs `work` compiled for AVX2 and FMA when the CPU has both, as compiled otherwise.
#[inline(always)]
pub(crate) fn with_fma<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: `avx2_fma` only needs the two features, which this CPU was just found to
            // have; that is the whole contract of calling a `#[target_feature]` function.
            #[allow(unsafe_code)]
            return unsafe { avx2_fma(work) };
        }
    }
    work()
}

/// `work`, with AVX2 and FMA enabled for it once inlined here (closures called once are).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2_fma<R>(work: impl FnOnce() -> R) -> R {
    work()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_results_are_the_same_on_either_path() {
        let (a, b, c) = (0.1_f64, 10.0_f64, -1.0_f64);
        let dispatched = with_fma(|| std::hint::black_box(a).mul_add(b, c));
        assert_eq!(dispatched.to_bits(), a.mul_add(b, c).to_bits());
        // One rounding, not two: the fused result keeps what the product's rounding loses.
        assert_ne!(dispatched.to_bits(), (a * b + c).to_bits());
    }
}
