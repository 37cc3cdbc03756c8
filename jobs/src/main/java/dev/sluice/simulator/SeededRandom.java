package dev.sluice.simulator;

/**
 * The simulator's only source of randomness: SplitMix64, written out here (rather than {@link
 * java.util.SplittableRandom}) so that the generated events depend on nothing but this code and the
 * seed, and {@link StrictMath} so that floating-point results are identical on every JVM.
 *
 * <p>Every random decision draws from a generator keyed by what it is about ({@link #of}), e.g.
 * (seed, customer, day) for a customer's transactions of one day. Any part of the data set can
 * therefore be generated on demand, in any order, with the same result.
 */
final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  private SeededRandom(long state) {
    this.state = state;
  }

  /** A generator for the decision identified by {@code seed} and {@code keys} (order matters). */
  static SeededRandom of(long seed, long... keys) {
    long h = mix64(seed + GOLDEN_GAMMA);
    for (long key : keys) {
      h = mix64(h ^ mix64(key + GOLDEN_GAMMA));
    }
    return new SeededRandom(h);
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    return mix64(state += GOLDEN_GAMMA);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [low, high). */
  double uniform(double low, double high) {
    return low + (high - low) * nextDouble();
  }

  /** Uniform in [0, bound), unbiased (java.util.Random's rejection rule). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be > 0, got " + bound);
    }
    int r = (int) (nextLong() >>> 33);
    int m = bound - 1;
    if ((bound & m) == 0) {
      return r & m;
    }
    for (int u = r; u - (r = u % bound) + m < 0; ) {
      u = (int) (nextLong() >>> 33);
    }
    return r;
  }

  /** Normal(mean, std) by Marsaglia's polar method (the second variate is not kept). */
  double normal(double mean, double std) {
    double u;
    double v;
    double s;
    do {
      u = 2 * nextDouble() - 1;
      v = 2 * nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return mean + std * u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
  }

  /** Poisson(lambda) by Knuth's multiplication method (fine for the small means used here). */
  int poisson(double lambda) {
    if (lambda <= 0) {
      return 0;
    }
    double limit = StrictMath.exp(-lambda);
    int k = 0;
    double p = nextDouble();
    while (p > limit) {
      k++;
      p *= nextDouble();
    }
    return k;
  }

  /** Exponential with the given mean. */
  double exponential(double mean) {
    return -mean * StrictMath.log1p(-nextDouble());
  }

  /**
   * {@code k} distinct values from [0, n) in random order (fewer when n < k), like pandas'
   * sample(n=k) without replacement.
   */
  int[] sample(int n, int k) {
    int size = Math.min(n, k);
    int[] picked = new int[size];
    for (int i = 0; i < size; i++) {
      int candidate;
      boolean duplicate;
      do {
        candidate = nextInt(n);
        duplicate = false;
        for (int j = 0; j < i; j++) {
          duplicate |= picked[j] == candidate;
        }
      } while (duplicate);
      picked[i] = candidate;
    }
    return picked;
  }
}
