package dev.sluice.state.online;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.features.ViewSchema.Column;
import dev.sluice.state.features.ViewSchema.ValueType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;

/**
 * How feature values are laid out in Redis: key names, hash fields, value encoding, and the Lua
 * script that guards writes by event time. See the {@linkplain dev.sluice.state.online package
 * documentation} for the layout itself; this class is its only implementation, so that writers,
 * readers and operators' tools agree.
 */
public final class RedisLayout {
  /** Hash field with the event time (epoch ms) the stored values are valid at. */
  public static final String FIELD_EVENT_TIME = "_event_time";

  /** Hash field with the version of the view definition that computed the values. */
  public static final String FIELD_VERSION = "_version";

  /** Hash field with the wall-clock time (epoch ms) the values were written. */
  public static final String FIELD_WRITTEN_AT = "_written_at";

  /**
   * Writes one row unless the stored one is newer. Returns 1 when written, 0 when refused.
   *
   * <p>KEYS[1] the hash; ARGV[1] event time (ms), ARGV[2] version, ARGV[3] written-at (ms), ARGV[4]
   * TTL (ms), ARGV[5..] feature name and value pairs. An equal event time overwrites, so a replay
   * writes the same values again. A write of another version replaces the whole hash, so that no
   * feature of the old definition lingers next to the new ones.
   */
  static final String GUARDED_WRITE_SCRIPT =
      """
      local stored = redis.call('HMGET', KEYS[1], '_event_time', '_version')
      if stored[1] and tonumber(stored[1]) > tonumber(ARGV[1]) then
        return 0
      end
      if stored[2] and stored[2] ~= ARGV[2] then
        redis.call('DEL', KEYS[1])
      end
      redis.call('HSET', KEYS[1], '_event_time', ARGV[1], '_version', ARGV[2], \
      '_written_at', ARGV[3], unpack(ARGV, 5))
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return 1
      """;

  /** SHA-1 of {@link #GUARDED_WRITE_SCRIPT}, the name EVALSHA calls it by. */
  static final String GUARDED_WRITE_SHA = sha1(GUARDED_WRITE_SCRIPT);

  private static final int METADATA_FIELDS = 3;

  private RedisLayout() {}

  /**
   * The key of one entity's values of one view: {@code <prefix>:{<entity>:<entityId>}:<view>}. The
   * braces are the Redis Cluster hash tag: all views of one entity hash to the same slot, so one
   * node serves an entity's whole feature vector.
   */
  public static String key(String prefix, ViewSchema schema, String entityId) {
    return key(prefix, schema.entity(), entityId, schema.view());
  }

  /** The key of one entity's values of one view; see {@link #key(String, ViewSchema, String)}. */
  public static String key(String prefix, String entity, String entityId, String view) {
    if (entityId == null || entityId.isEmpty()) {
      throw new IllegalArgumentException(
          "entity id of view " + view + " must not be empty, got " + entityId);
    }
    return prefix + ":{" + entity + ":" + entityId + "}:" + view;
  }

  /**
   * A value as it is stored: LONG columns as a plain integer ({@code 42}, never {@code 42.0});
   * DOUBLE columns as {@link Double#toString}, a decimal that reads back to exactly the same double
   * ({@code 0.1}, {@code 3.0}, {@code 1.0E-7}, {@code NaN}).
   *
   * @throws IllegalArgumentException if a LONG column's value is not a whole number
   */
  public static String format(Column column, double value) {
    if (column.type() == ValueType.LONG) {
      if (!Double.isFinite(value) || value != Math.rint(value) || Math.abs(value) >= 0x1p63) {
        throw new IllegalArgumentException(
            "feature " + column.name() + " is a LONG but its value is " + value);
      }
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** Checks that a row fits its schema before it is written. */
  static void checkRow(ViewSchema schema, ViewRow row) {
    if (!schema.version().equals(row.version)) {
      throw new IllegalArgumentException(
          "row of view "
              + row.view
              + " for entity "
              + row.entityId
              + " was computed by version "
              + row.version
              + ", but the store was given version "
              + schema.version());
    }
    if (row.values == null || row.values.length != schema.columns().size()) {
      throw new IllegalArgumentException(
          "row of view "
              + row.view
              + " for entity "
              + row.entityId
              + " has "
              + (row.values == null ? "no" : Integer.toString(row.values.length))
              + " values, its schema "
              + schema.columns().size()
              + " columns");
    }
  }

  /** ARGV of {@link #GUARDED_WRITE_SCRIPT} for one row. */
  static List<String> scriptArgs(ViewSchema schema, ViewRow row, long writtenAtMillis) {
    List<Column> columns = schema.columns();
    List<String> args = new ArrayList<>(4 + 2 * columns.size());
    args.add(Long.toString(row.eventTime));
    args.add(row.version);
    args.add(Long.toString(writtenAtMillis));
    args.add(Long.toString(schema.ttl().toMillis()));
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      args.add(column.name());
      try {
        args.add(format(column, row.values[i]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            e.getMessage() + " (view " + row.view + ", entity " + row.entityId + ")", e);
      }
    }
    return args;
  }

  /** The fields a read asks for with HMGET: the columns in schema order, then the metadata. */
  static String[] readFields(ViewSchema schema) {
    List<Column> columns = schema.columns();
    String[] fields = new String[columns.size() + METADATA_FIELDS];
    for (int i = 0; i < columns.size(); i++) {
      fields[i] = columns.get(i).name();
    }
    fields[columns.size()] = FIELD_EVENT_TIME;
    fields[columns.size() + 1] = FIELD_VERSION;
    fields[columns.size() + 2] = FIELD_WRITTEN_AT;
    return fields;
  }

  /**
   * Judges an HMGET reply for {@link #readFields} as of {@code asOf}.
   *
   * @throws OnlineStoreException if the hash exists but was not written by this layout
   */
  static FeatureVector decode(
      ViewSchema schema, String entityId, String key, Instant asOf, List<String> reply) {
    int n = schema.columns().size();
    if (reply.size() != n + METADATA_FIELDS) {
      throw new IllegalStateException(
          "HMGET of " + key + " returned " + reply.size() + " values for " + (n + 3) + " fields");
    }
    if (reply.stream().allMatch(v -> v == null)) {
      return FeatureVector.missing(schema, entityId, asOf);
    }
    String eventTimeText = reply.get(n);
    String version = reply.get(n + 1);
    if (eventTimeText == null || version == null) {
      throw new OnlineStoreException(
          "hash "
              + key
              + " has no "
              + (eventTimeText == null ? FIELD_EVENT_TIME : FIELD_VERSION)
              + " field: it was not written by the online store (another writer under the"
              + " same key prefix?)");
    }
    long eventTime = parseLong(key, FIELD_EVENT_TIME, eventTimeText);
    String writtenAtText = reply.get(n + 2);
    Instant writtenAt =
        writtenAtText == null
            ? null
            : Instant.ofEpochMilli(parseLong(key, FIELD_WRITTEN_AT, writtenAtText));
    double[] values = new double[n];
    BitSet present = new BitSet(n);
    for (int i = 0; i < n; i++) {
      String text = reply.get(i);
      if (text == null) {
        values[i] = Double.NaN;
      } else {
        try {
          values[i] = Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new OnlineStoreException(
              "field "
                  + schema.columns().get(i).name()
                  + " of "
                  + key
                  + " is not a number: "
                  + text,
              e);
        }
        present.set(i);
      }
    }
    Instant eventInstant = Instant.ofEpochMilli(eventTime);
    FeatureVector.Status status;
    if (!version.equals(schema.version())) {
      status = FeatureVector.Status.VERSION_MISMATCH;
    } else if (eventInstant.plus(schema.ttl()).isBefore(asOf)) {
      status = FeatureVector.Status.EXPIRED;
    } else {
      status = FeatureVector.Status.PRESENT;
    }
    return new FeatureVector(
        schema, entityId, status, asOf, eventInstant, writtenAt, version, values, present);
  }

  private static long parseLong(String key, String field, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new OnlineStoreException(
          "field " + field + " of " + key + " is not an epoch-millisecond time: " + text, e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-1", e);
    }
  }
}
