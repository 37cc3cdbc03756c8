package dev.sluice.state.offline;

import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * The columns of a view's feature files, in file order:
 *
 * <pre>
 * event_id      string, required
 * entity_id     string, required
 * event_time    INT64 timestamp-millis (UTC-adjusted), required
 * produced_at   INT64 timestamp-millis (UTC-adjusted), required
 * view_version  string, required
 * &lt;feature&gt;...  one per ViewSchema column, named as the feature, optional:
 *               INT64 for LONG, DOUBLE for DOUBLE; null where the value is NaN (missing)
 * </pre>
 *
 * The view itself is not a column: it is the {@code view=} partition, as the date is the {@code
 * dt=} partition. Feature names must therefore differ, ignoring case (DuckDB and Spark resolve
 * columns case-insensitively), from the fixed columns and from {@code view} and {@code dt}.
 */
public final class ViewRowColumns {
  public static final String EVENT_ID = "event_id";
  public static final String ENTITY_ID = "entity_id";
  public static final String EVENT_TIME = "event_time";
  public static final String PRODUCED_AT = "produced_at";
  public static final String VIEW_VERSION = "view_version";

  /** The fixed columns, in file order, before the features. */
  public static final List<String> FIXED =
      List.of(EVENT_ID, ENTITY_ID, EVENT_TIME, PRODUCED_AT, VIEW_VERSION);

  private static final double TWO_POW_63 = 0x1p63;

  private ViewRowColumns() {}

  /**
   * The Avro schema the view's files are written with (and which parquet-avro stores in each file's
   * footer).
   *
   * @throws IllegalArgumentException when a feature name collides with a fixed or partition column
   *     or with another feature, ignoring case
   */
  public static Schema avroSchema(ViewSchema view) {
    checkNames(view);
    Schema timestamp = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record("view_" + view.view())
            .namespace("dev.sluice.state.offline")
            .doc("Rows of feature view " + view.view() + " in the offline store")
            .fields();
    fields.name(EVENT_ID).type().stringType().noDefault();
    fields.name(ENTITY_ID).type().stringType().noDefault();
    fields.name(EVENT_TIME).type(timestamp).noDefault();
    fields.name(PRODUCED_AT).type(timestamp).noDefault();
    fields.name(VIEW_VERSION).type().stringType().noDefault();
    for (ViewSchema.Column column : view.columns()) {
      switch (column.type()) {
        case LONG -> fields.name(column.name()).type().optional().longType();
        case DOUBLE -> fields.name(column.name()).type().optional().doubleType();
      }
    }
    return fields.endRecord();
  }

  private static void checkNames(ViewSchema view) {
    Set<String> taken = new HashSet<>();
    for (String fixed : FIXED) {
      taken.add(fixed);
    }
    taken.add(OfflineStoreLayout.VIEW_PARTITION);
    taken.add(OfflineStoreLayout.DT_PARTITION);
    for (ViewSchema.Column column : view.columns()) {
      if (!taken.add(column.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "feature '"
                + column.name()
                + "' of view "
                + view.view()
                + " cannot be an offline-store column: the name (ignoring case) is already taken by"
                + " a fixed column, a partition column ("
                + FIXED
                + ", view, dt) or another feature");
      }
    }
  }

  /** Converts a row of {@code view} to a record of {@code schema} (from {@link #avroSchema}). */
  static GenericRecord toRecord(ViewSchema view, Schema schema, ViewRow row) {
    if (!view.view().equals(row.view)) {
      throw new IllegalArgumentException(
          "row of view '" + row.view + "' sent to the offline-store writer of view " + view.view());
    }
    List<ViewSchema.Column> columns = view.columns();
    if (row.values == null || row.values.length != columns.size()) {
      throw new IllegalArgumentException(
          "row "
              + row
              + " has "
              + (row.values == null ? "no" : row.values.length)
              + " values, view "
              + view.view()
              + " has "
              + columns.size()
              + " columns");
    }
    GenericData.Record record = new GenericData.Record(schema);
    record.put(0, requireField(row.eventId, "eventId", row));
    record.put(1, requireField(row.entityId, "entityId", row));
    record.put(2, row.eventTime);
    record.put(3, row.producedAt);
    record.put(4, requireField(row.version, "version", row));
    for (int i = 0; i < columns.size(); i++) {
      double value = row.values[i];
      Object stored;
      if (Double.isNaN(value)) {
        stored = null;
      } else if (columns.get(i).type() == ViewSchema.ValueType.LONG) {
        if (value != Math.rint(value) || Math.abs(value) >= TWO_POW_63) {
          throw new IllegalArgumentException(
              "feature "
                  + columns.get(i).name()
                  + " of view "
                  + view.view()
                  + " is LONG but row "
                  + row
                  + " holds "
                  + value);
        }
        stored = (long) value;
      } else {
        stored = value;
      }
      record.put(FIXED.size() + i, stored);
    }
    return record;
  }

  private static String requireField(String value, String field, ViewRow row) {
    if (value == null) {
      throw new IllegalArgumentException("row " + row + " has no " + field);
    }
    return value;
  }

  /** Converts a record read from {@code file} (checked with {@link #checkFile}) back to a row. */
  static ViewRow fromRecord(ViewSchema view, GenericRecord record, String file) {
    List<ViewSchema.Column> columns = view.columns();
    double[] values = new double[columns.size()];
    for (int i = 0; i < values.length; i++) {
      Object value = record.get(columns.get(i).name());
      values[i] = value == null ? Double.NaN : ((Number) value).doubleValue();
    }
    return new ViewRow(
        view.view(),
        requireValue(record, VIEW_VERSION, file).toString(),
        requireValue(record, ENTITY_ID, file).toString(),
        requireValue(record, EVENT_ID, file).toString(),
        (Long) requireValue(record, EVENT_TIME, file),
        (Long) requireValue(record, PRODUCED_AT, file),
        values);
  }

  private static Object requireValue(GenericRecord record, String column, String file) {
    Object value = record.get(column);
    if (value == null) {
      throw new OfflineSchemaException(file, column, "is null in a row (it is required)");
    }
    return value;
  }

  /**
   * Checks that a file's Parquet schema has every column {@code view} needs with the right type.
   * Extra columns are allowed (and ignored).
   *
   * @throws OfflineSchemaException naming the file and the first missing or mistyped column
   */
  public static void checkFile(MessageType fileSchema, ViewSchema view, String file) {
    for (String column : List.of(EVENT_ID, ENTITY_ID, VIEW_VERSION)) {
      PrimitiveType type = column(fileSchema, column, file);
      if (type.getPrimitiveTypeName() != PrimitiveTypeName.BINARY
          || !LogicalTypeAnnotation.stringType().equals(type.getLogicalTypeAnnotation())) {
        throw mismatch(file, column, "a string (BINARY, STRING)", type);
      }
    }
    for (String column : List.of(EVENT_TIME, PRODUCED_AT)) {
      PrimitiveType type = column(fileSchema, column, file);
      if (type.getPrimitiveTypeName() != PrimitiveTypeName.INT64
          || !(type.getLogicalTypeAnnotation() instanceof TimestampLogicalTypeAnnotation ts)
          || ts.getUnit() != LogicalTypeAnnotation.TimeUnit.MILLIS
          || !ts.isAdjustedToUTC()) {
        throw mismatch(file, column, "INT64 TIMESTAMP(MILLIS, UTC-adjusted)", type);
      }
    }
    for (ViewSchema.Column column : view.columns()) {
      PrimitiveType type = column(fileSchema, column.name(), file);
      LogicalTypeAnnotation annotation = type.getLogicalTypeAnnotation();
      boolean ok =
          switch (column.type()) {
            case LONG ->
                type.getPrimitiveTypeName() == PrimitiveTypeName.INT64
                    && (annotation == null
                        || (annotation instanceof IntLogicalTypeAnnotation i
                            && i.getBitWidth() == 64
                            && i.isSigned()));
            case DOUBLE ->
                type.getPrimitiveTypeName() == PrimitiveTypeName.DOUBLE && annotation == null;
          };
      if (!ok) {
        String expected = column.type() == ViewSchema.ValueType.LONG ? "INT64" : "DOUBLE";
        throw mismatch(
            file,
            column.name(),
            expected + " (feature type " + column.type() + " in view " + view.view() + ")",
            type);
      }
    }
  }

  private static PrimitiveType column(MessageType fileSchema, String column, String file) {
    if (!fileSchema.containsField(column)) {
      throw new OfflineSchemaException(
          file,
          column,
          "is missing; the file has "
              + fileSchema.getFields().stream().map(Type::getName).collect(Collectors.toList()));
    }
    Type type = fileSchema.getType(column);
    if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
      throw new OfflineSchemaException(file, column, "is not a single value: " + type);
    }
    return type.asPrimitiveType();
  }

  private static OfflineSchemaException mismatch(
      String file, String column, String expected, PrimitiveType found) {
    return new OfflineSchemaException(
        file, column, "should be " + expected + " but the file has '" + found + "'");
  }
}
