package dev.sluice.state.online;

import dev.sluice.state.features.ViewSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the online store holds for one entity and feature view, judged as of one instant: the values
 * in the schema's column order, when they were valid (event time) and written, and a {@link Status}
 * that says whether they may be served.
 *
 * <p>Missing values are never turned into zeros: a column absent from the store is reported by
 * {@link #isPresent(int)} and {@link #missingColumns()}, and {@link #value(int)} refuses to return
 * it. A caller that wants a dense vector chooses its own fill value with {@link #values(double)}.
 */
public final class FeatureVector {
  /** Whether the values may be served. */
  public enum Status {
    /** Stored, of the schema's version, and within the view's TTL as of the read. */
    PRESENT,
    /** No values for this entity: never written, or physically expired and removed by Redis. */
    MISSING,
    /**
     * Stored and of the right version, but older than the TTL allows: event time + TTL is before
     * the read's instant. The values and their age are reported; do not serve them as current.
     */
    EXPIRED,
    /**
     * Stored by another version of the view's definition (see {@link #storedVersion()}); the values
     * are read by this schema's column names but may mean something else. Do not serve.
     */
    VERSION_MISMATCH
  }

  private final ViewSchema schema;
  private final String entityId;
  private final Status status;
  private final Instant asOf;
  private final Instant eventTime;
  private final Instant writtenAt;
  private final String storedVersion;
  private final double[] values;
  private final BitSet present;

  FeatureVector(
      ViewSchema schema,
      String entityId,
      Status status,
      Instant asOf,
      Instant eventTime,
      Instant writtenAt,
      String storedVersion,
      double[] values,
      BitSet present) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.entityId = Objects.requireNonNull(entityId, "entityId");
    this.status = Objects.requireNonNull(status, "status");
    this.asOf = Objects.requireNonNull(asOf, "asOf");
    this.eventTime = eventTime;
    this.writtenAt = writtenAt;
    this.storedVersion = storedVersion;
    this.values = values;
    this.present = present;
    if (values.length != schema.columns().size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + schema.columns().size() + " columns");
    }
  }

  /** Nothing stored for the entity. */
  static FeatureVector missing(ViewSchema schema, String entityId, Instant asOf) {
    double[] values = new double[schema.columns().size()];
    Arrays.fill(values, Double.NaN);
    return new FeatureVector(
        schema, entityId, Status.MISSING, asOf, null, null, null, values, new BitSet());
  }

  /** The schema the values were read with. */
  public ViewSchema schema() {
    return schema;
  }

  public String view() {
    return schema.view();
  }

  public String entityId() {
    return entityId;
  }

  public Status status() {
    return status;
  }

  /** True only for {@link Status#PRESENT}: the values may be served. */
  public boolean isServable() {
    return status == Status.PRESENT;
  }

  /** The instant the status and age are judged at. */
  public Instant asOf() {
    return asOf;
  }

  /** Event time the values are valid at; empty when {@link Status#MISSING}. */
  public Optional<Instant> eventTime() {
    return Optional.ofNullable(eventTime);
  }

  /** Wall-clock time the values were written to the store; empty when {@link Status#MISSING}. */
  public Optional<Instant> writtenAt() {
    return Optional.ofNullable(writtenAt);
  }

  /** Version of the definition that wrote the values; empty when {@link Status#MISSING}. */
  public Optional<String> storedVersion() {
    return Optional.ofNullable(storedVersion);
  }

  /**
   * How old the values are as of {@link #asOf()}: {@code asOf - eventTime}. Negative when the
   * values' event time is after {@code asOf} (a read as of an earlier instant, or clock skew).
   * Empty when {@link Status#MISSING}.
   */
  public Optional<Duration> age() {
    return eventTime == null ? Optional.empty() : Optional.of(Duration.between(eventTime, asOf));
  }

  /** Whether column {@code i} (schema order) has a stored value. */
  public boolean isPresent(int column) {
    Objects.checkIndex(column, values.length);
    return present.get(column);
  }

  /** True when every column of the schema has a stored value. */
  public boolean isComplete() {
    return present.cardinality() == values.length;
  }

  /** Names of the schema's columns that have no stored value, in schema order. */
  public List<String> missingColumns() {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (!present.get(i)) {
        missing.add(schema.columns().get(i).name());
      }
    }
    return missing;
  }

  /**
   * The value of column {@code i} (schema order).
   *
   * @throws NoSuchElementException if the column has no stored value
   */
  public double value(int column) {
    if (!isPresent(column)) {
      throw new NoSuchElementException(
          "feature "
              + schema.columns().get(column).name()
              + " of view "
              + schema.view()
              + " has no stored value for entity "
              + entityId
              + " (status "
              + status
              + ")");
    }
    return values[column];
  }

  /** The value of the named column; empty when it has no stored value. */
  public OptionalDouble value(String column) {
    int i = schema.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException(
          "view " + schema.view() + " has no feature named " + column);
    }
    return present.get(i) ? OptionalDouble.of(values[i]) : OptionalDouble.empty();
  }

  /** All values in schema order, with {@code missingValue} where a column has no stored value. */
  public double[] values(double missingValue) {
    double[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      if (!present.get(i)) {
        out[i] = missingValue;
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FeatureVector other)) {
      return false;
    }
    return schema.equals(other.schema)
        && entityId.equals(other.entityId)
        && status == other.status
        && asOf.equals(other.asOf)
        && Objects.equals(eventTime, other.eventTime)
        && Objects.equals(writtenAt, other.writtenAt)
        && Objects.equals(storedVersion, other.storedVersion)
        && present.equals(other.present)
        && Arrays.equals(values(0), other.values(0));
  }

  @Override
  public int hashCode() {
    return Objects.hash(schema.view(), entityId, status, eventTime);
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder(schema.view()).append('[').append(entityId).append("] ").append(status);
    if (eventTime != null) {
      s.append(" event time ").append(eventTime).append(", age ").append(age().orElseThrow());
      s.append(", version ").append(storedVersion).append(" {");
      for (int i = 0; i < values.length; i++) {
        s.append(i == 0 ? "" : ", ").append(schema.columns().get(i).name()).append('=');
        s.append(present.get(i) ? Double.toString(values[i]) : "missing");
      }
      s.append('}');
    }
    return s.toString();
  }
}
