package dev.sluice.state.offline;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;

/**
 * Where the offline store keeps its files, under one base directory given as a Flink file-system
 * URI ({@code file:///var/sluice/offline}, {@code s3://bucket/offline}, {@code hdfs://...}):
 *
 * <pre>
 * &lt;base&gt;/features/view=&lt;view&gt;/dt=&lt;yyyy-MM-dd&gt;/part-*.parquet   feature rows of one view
 * &lt;base&gt;/raw/&lt;archive&gt;/dt=&lt;yyyy-MM-dd&gt;/part-*.parquet           raw events (transactions, labels)
 * </pre>
 *
 * {@code dt} is the UTC date of the row's event time. Partitions are Hive-style, so DuckDB, Spark
 * and pandas read {@code <base>/features/view=*}{@code /dt=*}{@code /*.parquet} with the partition
 * columns. Files whose name starts with {@code .} or {@code _} are in progress or bookkeeping and
 * never data (Flink writes in-progress part files as hidden files and renames them when a
 * checkpoint completes).
 */
public final class OfflineStoreLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Directory (under the base) of the feature rows. */
  public static final String FEATURES_DIR = "features";

  /** Directory (under the base) of the raw archives. */
  public static final String RAW_DIR = "raw";

  /** Name of the view partition column. */
  public static final String VIEW_PARTITION = "view";

  /** Name of the date partition column. */
  public static final String DT_PARTITION = "dt";

  /** Prefix of every finished data file. */
  public static final String PART_PREFIX = "part";

  /** Suffix of every finished data file. */
  public static final String PART_SUFFIX = ".parquet";

  /**
   * Archive of {@code dev.sluice.avro.Transaction}, partitioned by the transaction's event time.
   */
  public static final String TRANSACTIONS = "transactions";

  /** Archive of {@code dev.sluice.avro.Label}, partitioned by the label's event time. */
  public static final String LABELS = "labels";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  private final String baseUri;

  /**
   * @param baseUri base directory as a Flink file-system URI with a scheme, e.g. {@code
   *     file:///var/sluice/offline}; a trailing slash is ignored
   */
  public OfflineStoreLayout(String baseUri) {
    Objects.requireNonNull(baseUri, "baseUri");
    String trimmed = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
    Path parsed = new Path(trimmed);
    if (parsed.toUri().getScheme() == null) {
      throw new IllegalArgumentException(
          "offline store base '"
              + baseUri
              + "' needs a scheme, e.g. file:///var/sluice/offline or s3://bucket/offline");
    }
    this.baseUri = trimmed;
  }

  /** The base directory as given (without a trailing slash). */
  public String baseUri() {
    return baseUri;
  }

  public Path base() {
    return new Path(baseUri);
  }

  /** {@code <base>/features}: parent of every view's partitions. */
  public Path featuresDir() {
    return new Path(base(), FEATURES_DIR);
  }

  /** {@code <base>/features/view=<view>}. */
  public Path viewDir(String view) {
    return new Path(featuresDir(), VIEW_PARTITION + "=" + checkName("view", view));
  }

  /** {@code <base>/features/view=<view>/dt=<date>}. */
  public Path viewPartition(String view, LocalDate dt) {
    return new Path(viewDir(view), dtDirName(dt));
  }

  /** {@code <base>/raw/<archive>}, e.g. {@code <base>/raw/transactions}. */
  public Path rawDir(String archive) {
    return new Path(new Path(base(), RAW_DIR), checkName("archive", archive));
  }

  /** {@code <base>/raw/<archive>/dt=<date>}. */
  public Path rawPartition(String archive, LocalDate dt) {
    return new Path(rawDir(archive), dtDirName(dt));
  }

  /** Bucket (relative to {@link #featuresDir()}) of a feature row: {@code view=<v>/dt=<date>}. */
  public static String viewBucket(String view, long eventTimeMillis) {
    return VIEW_PARTITION + "=" + view + "/" + dtDirName(dateOf(eventTimeMillis));
  }

  /** Bucket (relative to {@link #rawDir}) of a raw event: {@code dt=<date>}. */
  public static String dtBucket(long eventTimeMillis) {
    return dtDirName(dateOf(eventTimeMillis));
  }

  /** The UTC date of an epoch-millisecond instant: the {@code dt} partition of a row. */
  public static LocalDate dateOf(long epochMillis) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }

  /** {@code dt=yyyy-MM-dd}. */
  public static String dtDirName(LocalDate dt) {
    return DT_PARTITION + "=" + dt;
  }

  /**
   * The date of a {@code dt=yyyy-MM-dd} directory name, or null when the name is not a {@code dt=}
   * directory at all.
   *
   * @throws IllegalArgumentException for a {@code dt=} directory whose date does not parse
   */
  public static LocalDate parseDtDirName(String name) {
    if (!name.startsWith(DT_PARTITION + "=")) {
      return null;
    }
    String date = name.substring(DT_PARTITION.length() + 1);
    try {
      return LocalDate.parse(date);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "partition directory '" + name + "' does not hold a yyyy-MM-dd date", e);
    }
  }

  /** Whether a file name is in progress or bookkeeping (starts with {@code .} or {@code _}). */
  public static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  /** Whether a file name is a finished data file of the store: not hidden, ends in .parquet. */
  public static boolean isFinishedDataFile(String name) {
    return !isHidden(name) && name.endsWith(PART_SUFFIX);
  }

  private static String checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " name must match " + NAME + ": " + name);
    }
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OfflineStoreLayout other && baseUri.equals(other.baseUri);
  }

  @Override
  public int hashCode() {
    return baseUri.hashCode();
  }

  @Override
  public String toString() {
    return "OfflineStoreLayout[" + baseUri + "]";
  }
}
