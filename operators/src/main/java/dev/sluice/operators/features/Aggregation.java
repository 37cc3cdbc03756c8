package dev.sluice.operators.features;

/**
 * How a windowed feature combines the observations in its window. All are exact: values are kept as
 * scaled integers (e.g. cents), so sums do not depend on the order events arrived in, and a
 * streaming run and a batch replay give bit-identical results.
 */
public enum Aggregation {
  /** Number of observations. */
  COUNT,
  /** Sum of the values. */
  SUM,
  /** Sum / count; 0 for an empty window. */
  MEAN,
  /** Smallest value; 0 for an empty window. */
  MIN,
  /** Largest value; 0 for an empty window. */
  MAX,
  /** Value of the latest observation (ties on time: the largest value); 0 for an empty window. */
  LAST,
  /** Number of distinct categories (e.g. distinct terminals); exact, per-key lists are short. */
  DISTINCT_COUNT
}
