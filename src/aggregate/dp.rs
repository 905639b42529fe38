//! Differential-privacy noise: exact discrete Laplace sampling with integer arithmetic
//! (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy", alg. 1-2),
//! from the operating system's secure random source. No floating point touches the noise, so
//! Mironov's (2012) least-significant-bit attack on floating-point Laplace does not apply.
//! A seeded generator exists for tests only.

/// A source of uniform random bits.
pub trait RandomBits {
    /// 64 uniform bits.
    fn next_u64(&mut self) -> u64;

    /// Uniform integer in `0..n` (rejection sampling, unbiased). `n` must be positive.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// The operating system's cryptographically secure generator, buffered.
pub struct SecureRandom {
    buf: [u8; 512],
    pos: usize,
}

impl SecureRandom {
    /// A generator; fails if the OS has no secure source.
    pub fn new() -> Result<SecureRandom, getrandom::Error> {
        let mut r = SecureRandom {
            buf: [0; 512],
            pos: 512,
        };
        r.refill()?;
        Ok(r)
    }

    fn refill(&mut self) -> Result<(), getrandom::Error> {
        getrandom::fill(&mut self.buf)?;
        self.pos = 0;
        Ok(())
    }
}

impl RandomBits for SecureRandom {
    fn next_u64(&mut self) -> u64 {
        if self.pos + 8 > self.buf.len() {
            self.refill()
                .expect("the OS secure random source failed after working once");
        }
        let v = u64::from_le_bytes(
            self.buf[self.pos..self.pos + 8]
                .try_into()
                .expect("8 bytes"),
        );
        self.pos += 8;
        v
    }
}

/// A seeded generator, for reproducible tests only: its noise is predictable.
pub struct SeededRandom(u64);

impl SeededRandom {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
}

impl RandomBits for SeededRandom {
    /// SplitMix64: predictable by design (tests only).
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Bernoulli(num/den).
fn bernoulli(r: &mut dyn RandomBits, num: u64, den: u64) -> bool {
    r.below(den) < num
}

/// Bernoulli(exp(-num/den)), exact.
fn bernoulli_exp(r: &mut dyn RandomBits, num: u64, den: u64) -> bool {
    if num <= den {
        // gamma in [0, 1]: K = 1; while Bernoulli(gamma / K) { K += 1 }; return K odd.
        let mut k = 1u64;
        while bernoulli(r, num, den.saturating_mul(k)) {
            k += 1;
        }
        return k % 2 == 1;
    }
    let whole = num / den;
    for _ in 0..whole {
        if !bernoulli_exp(r, 1, 1) {
            return false;
        }
    }
    bernoulli_exp(r, num - whole * den, den)
}

/// A sample of the discrete Laplace distribution with scale `t/s` (both positive):
/// `P(x) ∝ exp(-|x| s / t)` (CKS20 algorithm 2).
pub fn discrete_laplace(r: &mut dyn RandomBits, s: u64, t: u64) -> i64 {
    loop {
        let u = r.below(t);
        if !bernoulli_exp(r, u, t) {
            continue;
        }
        let mut v = 0u64;
        while bernoulli_exp(r, 1, 1) {
            v += 1;
        }
        let x = u + t * v;
        let y = (x / s) as i64;
        let negative = bernoulli(r, 1, 2);
        if negative && y == 0 {
            continue;
        }
        return if negative { -y } else { y };
    }
}

/// Integer noise for a query of L1 `sensitivity` under privacy loss `epsilon`: discrete
/// Laplace with scale `sensitivity / epsilon` (epsilon taken to a millionth, rounded down).
pub fn noise(r: &mut dyn RandomBits, sensitivity: u64, epsilon: f64) -> i64 {
    let s = ((epsilon * EPS_DENOMINATOR as f64).floor() as u64).max(1);
    discrete_laplace(r, s, sensitivity.max(1).saturating_mul(EPS_DENOMINATOR))
}

/// Epsilon is applied as a fraction over this denominator, rounded down: the privacy loss
/// spent is never more than the one asked for.
const EPS_DENOMINATOR: u64 = 1_000_000;

/// The epsilon [`noise`] really spends for `epsilon` (rounded down to a millionth).
pub fn effective_epsilon(epsilon: f64) -> f64 {
    ((epsilon * EPS_DENOMINATOR as f64).floor().max(1.0)) / EPS_DENOMINATOR as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample variance matches the discrete Laplace variance 2q/(1-q)^2, q = exp(-1/b).
    #[test]
    fn discrete_laplace_has_the_right_scale() {
        for (t, s) in [(1u64, 1u64), (4, 1), (10, 3)] {
            let b = t as f64 / s as f64;
            let q = (-1.0 / b).exp();
            let var = 2.0 * q / (1.0 - q).powi(2);
            let mut r = SeededRandom::new(42 + t);
            let n = 40_000;
            let xs: Vec<f64> = (0..n)
                .map(|_| discrete_laplace(&mut r, s, t) as f64)
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let sample_var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            assert!(
                mean.abs() < 4.0 * (var / n as f64).sqrt() + 0.01,
                "mean {mean} for scale {b}"
            );
            assert!(
                (sample_var / var - 1.0).abs() < 0.06,
                "variance {sample_var} vs {var} for scale {b}"
            );
        }
    }

    /// `noise` has scale sensitivity / epsilon.
    #[test]
    fn noise_scale_follows_sensitivity_and_epsilon() {
        let mut r = SeededRandom::new(3);
        let n = 20_000;
        let mean_abs = |r: &mut SeededRandom, sens: u64, eps: f64| {
            (0..n)
                .map(|_| noise(r, sens, eps).unsigned_abs() as f64)
                .sum::<f64>()
                / n as f64
        };
        // For a large scale b, E|X| is about b.
        let a = mean_abs(&mut r, 10, 1.0);
        let b = mean_abs(&mut r, 10, 0.5);
        assert!((a / 10.0 - 1.0).abs() < 0.06, "{a}");
        assert!((b / 20.0 - 1.0).abs() < 0.06, "{b}");
    }

    #[test]
    fn bernoulli_exp_frequency() {
        let mut r = SeededRandom::new(7);
        let n = 50_000;
        let hits = (0..n).filter(|_| bernoulli_exp(&mut r, 3, 2)).count() as f64 / n as f64;
        assert!((hits - (-1.5f64).exp()).abs() < 0.01, "{hits}");
    }

    #[test]
    fn secure_source_works() {
        let mut r = SecureRandom::new().unwrap();
        let a = r.next_u64();
        let b = r.next_u64();
        assert_ne!(a, b);
        assert!(r.below(10) < 10);
    }
}
