package dev.sluice.simulator;

import java.time.Duration;

/**
 * How long after a transaction its label (ground truth) becomes known. The handbook assumes every
 * label is known after a delay period of 7 days; a stream sees labels arrive one by one, so the
 * delay is drawn per transaction.
 */
public sealed interface LabelDelay {
  /** Draws one delay in milliseconds (>= 0). */
  long sampleMillis(SeededRandom random);

  /** How this distribution is written on the command line, e.g. {@code fixed:PT168H}. */
  String describe();

  /**
   * The default: log-normal with median 3 days and 90% of labels within the handbook's 7-day delay
   * period (sigma = ln(7/3) / 1.2816 = 0.661), capped at 30 days (about 1 in 4,000 draws is
   * capped).
   */
  static LabelDelay handbook() {
    return new Handbook();
  }

  static LabelDelay zero() {
    return new Fixed(Duration.ZERO);
  }

  static LabelDelay fixed(Duration delay) {
    return new Fixed(delay);
  }

  static LabelDelay exponential(Duration mean) {
    return new Exponential(mean);
  }

  /** See {@link #handbook()}. */
  record Handbook() implements LabelDelay {
    static final double MEDIAN_MILLIS = Duration.ofDays(3).toMillis();
    static final double SIGMA = StrictMath.log(7.0 / 3.0) / 1.2815515655446004;
    static final long CAP_MILLIS = Duration.ofDays(30).toMillis();

    @Override
    public long sampleMillis(SeededRandom random) {
      double delay = MEDIAN_MILLIS * StrictMath.exp(SIGMA * random.normal(0, 1));
      return Math.min(CAP_MILLIS, Math.round(delay));
    }

    @Override
    public String describe() {
      return "handbook (log-normal, median 3 d, 90% within 7 d, capped at 30 d)";
    }
  }

  /** Every label exactly {@code delay} after its transaction ({@code zero} for 0). */
  record Fixed(Duration delay) implements LabelDelay {
    public Fixed {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("label delay must be >= 0, got " + delay);
      }
    }

    @Override
    public long sampleMillis(SeededRandom random) {
      return delay.toMillis();
    }

    @Override
    public String describe() {
      return delay.isZero() ? "zero" : "fixed:" + delay;
    }
  }

  /** Exponential with the given mean (memoryless; no cap, so a few labels come very late). */
  record Exponential(Duration mean) implements LabelDelay {
    public Exponential {
      if (mean.isNegative() || mean.isZero()) {
        throw new IllegalArgumentException("mean label delay must be > 0, got " + mean);
      }
    }

    @Override
    public long sampleMillis(SeededRandom random) {
      return Math.round(random.exponential(mean.toMillis()));
    }

    @Override
    public String describe() {
      return "exponential:" + mean;
    }
  }
}
