//! Hot loops compiled for the CPU they run on.
//!
//! TA-Lib's shared library picks an AVX2/FMA build of each function at load time; a Rust
//! binary for baseline x86-64 cannot use those instructions unless a function is compiled for
//! them and chosen at run time. [`fma_dispatch!`] defines a function whose body is compiled
//! twice, once for the baseline and once with AVX2 and FMA (4-wide vectors, and a fused
//! multiply-add that is one instruction), and runs the second on a CPU that has both.
//!
//! Results do not depend on which copy runs: kernels write every fused operation as
//! `f64::mul_add`, which is exactly rounded on every CPU (an instruction here, glibc's `fma`
//! elsewhere), and Rust never fuses or reorders any other floating-point operation.

/// Whether this CPU has AVX2 and FMA (std caches the detection).
#[inline(always)]
pub(crate) fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `work` compiled for AVX2 and FMA when the CPU has both, as compiled otherwise.
///
/// For code that [`fma_dispatch!`] cannot wrap (methods, generic functions). The closure must
/// be `#[inline(always)]`, and what it calls too: a closure that is not inlined into
/// `avx2_fma` is compiled once, for the baseline, and both paths call that copy.
#[inline(always)]
pub(crate) fn with_fma<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: `avx2_fma` needs only AVX2 and FMA, which this CPU was just found to have;
        // that is the whole contract of calling a `#[target_feature]` function.
        #[allow(unsafe_code)]
        return unsafe { avx2_fma(work) };
    }
    work()
}

/// `work`, with AVX2 and FMA enabled for it once inlined here.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2_fma<R>(work: impl FnOnce() -> R) -> R {
    work()
}

/// Defines `fn name(args) -> ret { body }` that runs `body` compiled for AVX2 and FMA when
/// the CPU has them. The body is an `#[inline(always)]` function, so both copies are the
/// whole loop, with nothing left behind a call (a closure handed to a `#[target_feature]`
/// function is not reliably inlined into it, and then runs as baseline code).
macro_rules! fma_dispatch {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident
            ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        $vis fn $name ($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn portable ($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn fused ($($arg: $ty),*) $(-> $ret)? {
                portable($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            if $crate::cpu::has_avx2_fma() {
                // SAFETY: `fused` needs only AVX2 and FMA, which this CPU was just found to
                // have; that is the whole contract of calling a `#[target_feature]` function.
                #[allow(unsafe_code)]
                return unsafe { fused($($arg),*) };
            }
            portable($($arg),*)
        }
    };
}
pub(crate) use fma_dispatch;

#[cfg(test)]
mod tests {
    use super::*;

    fma_dispatch! {
        fn fused_sum(values: &[f64], scale: f64) -> f64 {
            values
                .iter()
                .fold(0.0_f64, |total, &value| value.mul_add(scale, total))
        }
    }

    #[test]
    fn fused_results_are_the_same_on_either_path() {
        let values = [0.1_f64, 0.7, -3.3, 1e-3];
        let expected = values
            .iter()
            .fold(0.0_f64, |total, &value| value.mul_add(10.0, total));
        assert_eq!(fused_sum(&values, 10.0).to_bits(), expected.to_bits());
        // One rounding, not two: the fused result keeps what the product's rounding loses.
        let (a, b, c) = (0.1_f64, 10.0_f64, -1.0_f64);
        assert_ne!(a.mul_add(b, c).to_bits(), (a * b + c).to_bits());
        let _ = has_avx2_fma();
    }
}
