package dev.sluice.state.features;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the stores need to know about a feature view: its name and version, the entity its rows are
 * keyed by, how long a value stays valid, and its columns in the order of {@link ViewRow#values}.
 * Derived from a feature view's definition; the stores never see the definition itself.
 *
 * @param view view name: lower-case letters, digits and underscores (it becomes a Redis key part, a
 *     Parquet partition and a column prefix)
 * @param version version of the definition (changes whenever the definition changes)
 * @param entity entity name, e.g. {@code customer}
 * @param ttl how long after its event time a value is still valid for serving
 * @param columns the features, in value order
 */
public record ViewSchema(
    String view, String version, String entity, Duration ttl, List<Column> columns)
    implements Serializable {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  public ViewSchema {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(ttl, "ttl");
    if (view == null || !NAME.matcher(view).matches()) {
      throw new IllegalArgumentException(
          "view name must match "
              + NAME
              + " (it names Redis keys and Parquet partitions): "
              + view);
    }
    if (entity == null || !NAME.matcher(entity).matches()) {
      throw new IllegalArgumentException("entity name must match " + NAME + ": " + entity);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl of view " + view + " must be > 0, got " + ttl);
    }
    columns = List.copyOf(columns);
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("view " + view + " has no features");
    }
    if (columns.stream().map(Column::name).distinct().count() != columns.size()) {
      throw new IllegalArgumentException("view " + view + " has two features with one name");
    }
  }

  /** Index of a column by name, or -1. */
  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * One feature of a view.
   *
   * @param name feature name, unique in its view (e.g. {@code CUSTOMER_ID_NB_TX_1DAY_WINDOW})
   * @param type how the value is stored: whole numbers as 64-bit integers, the rest as doubles
   */
  public record Column(String name, ValueType type) implements Serializable {
    private static final Pattern COLUMN = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    public Column {
      if (name == null || !COLUMN.matcher(name).matches()) {
        throw new IllegalArgumentException("feature name must match " + COLUMN + ": " + name);
      }
      Objects.requireNonNull(type, "type");
    }
  }

  /** Storage type of a feature value. */
  public enum ValueType {
    /** A whole number (counts); exact as a double up to 2^53, stored as INT64. */
    LONG,
    /** Any other number; stored as DOUBLE. */
    DOUBLE
  }
}
