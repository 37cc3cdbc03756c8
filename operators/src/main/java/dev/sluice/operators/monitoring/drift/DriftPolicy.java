package dev.sluice.operators.monitoring.drift;

import java.io.Serializable;
import java.util.Objects;

/**
 * How to decide drift: a {@link DriftMethod} and its threshold (see {@link DriftDecision} for the
 * rules).
 *
 * @param method the deciding method
 * @param threshold its threshold: NaN for {@link DriftMethod#AUTO} (each chosen method uses its
 *     default); for a p-value method in {@code (0, 1)}, for a distance method positive
 */
public record DriftPolicy(DriftMethod method, double threshold) implements Serializable {
  /** Validates the threshold against the method. */
  public DriftPolicy {
    Objects.requireNonNull(method, "method");
    if (method == DriftMethod.AUTO) {
      if (!Double.isNaN(threshold)) {
        throw new IllegalArgumentException(
            "auto picks a method and its default threshold; name a method to set " + threshold);
      }
    } else if (!(threshold > 0)
        || !Double.isFinite(threshold)
        || (method.isPValue() && threshold >= 1)) {
      throw new IllegalArgumentException(
          "threshold "
              + threshold
              + " for "
              + method.id()
              + ": expected "
              + (method.isPValue() ? "a p-value in (0, 1)" : "a positive distance"));
    }
  }

  /** Evidently's defaults: {@link DriftMethod#AUTO}. */
  public static DriftPolicy auto() {
    return new DriftPolicy(DriftMethod.AUTO, Double.NaN);
  }

  /** A method with its default threshold. */
  public static DriftPolicy of(DriftMethod method) {
    return new DriftPolicy(method, method.defaultThreshold());
  }

  /**
   * From configuration text, e.g. {@code ("psi", null)} or {@code ("wasserstein", "0.2")}.
   *
   * @param method a {@link DriftMethod#parse} name
   * @param threshold the threshold, or null/blank for the method's default
   */
  public static DriftPolicy parse(String method, String threshold) {
    DriftMethod m = DriftMethod.parse(method);
    return threshold == null || threshold.isBlank()
        ? of(m)
        : new DriftPolicy(m, Double.parseDouble(threshold.trim()));
  }
}
