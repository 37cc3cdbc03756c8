package dev.sluice.schemas.serde;

import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.registry.SchemaRegistryException;
import dev.sluice.schemas.serde.WireFormatException.Kind;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads Confluent wire-format bytes into the reader type: the writer schema is fetched by the id in
 * the header (cached) and resolved into the reader schema, so producers may evolve their schema
 * compatibly.
 *
 * <p>Bad bytes throw {@link WireFormatException} with a {@link Kind} and a message precise enough
 * to fix the producer; this class never returns null. A registry that cannot be reached throws
 * {@link dev.sluice.schemas.registry.RegistryUnavailableException} instead: that is not the
 * record's fault. Declared string, bytes and collection lengths larger than the payload are
 * rejected before anything is allocated, so garbage cannot exhaust memory. Thread-safe.
 */
public final class AvroWireDeserializer<T> {
  private final SchemaRegistryClient registry;
  private final Schema readerSchema;
  private final GenericData model;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
  private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

  private AvroWireDeserializer(
      SchemaRegistryClient registry, Schema readerSchema, GenericData model) {
    this.registry = registry;
    this.readerSchema = readerSchema;
    this.model = model;
  }

  /** Reads into a generated class, e.g. {@code forSpecific(registry, Transaction.class)}. */
  public static <T extends SpecificRecord> AvroWireDeserializer<T> forSpecific(
      SchemaRegistryClient registry, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    return new AvroWireDeserializer<>(registry, model.getSchema(type), model);
  }

  /**
   * Reads generic records in {@code readerSchema}, or in each writer's own schema when it is null.
   */
  public static AvroWireDeserializer<Object> forGeneric(
      SchemaRegistryClient registry, Schema readerSchema) {
    return forGeneric(registry, readerSchema, GenericData.get());
  }

  /**
   * As {@link #forGeneric(SchemaRegistryClient, Schema)}, with a data model (e.g. with logical-type
   * conversions).
   */
  public static AvroWireDeserializer<Object> forGeneric(
      SchemaRegistryClient registry, Schema readerSchema, GenericData model) {
    return new AvroWireDeserializer<>(registry, readerSchema, model);
  }

  /** The reader schema (null for generic records read in the writer's schema). */
  public Schema readerSchema() {
    return readerSchema;
  }

  /**
   * Whether decoding {@code bytes} needs the registry: a well-formed header whose schema id has not
   * been resolved yet. Malformed bytes need no registry (they fail on their own).
   */
  public boolean needsRegistry(byte[] bytes) {
    return bytes != null
        && bytes.length >= WireFormat.HEADER_SIZE
        && bytes[0] == WireFormat.MAGIC_BYTE
        && !readers.containsKey(WireFormat.schemaId(bytes));
  }

  public T deserialize(byte[] bytes) throws WireFormatException {
    if (bytes == null || bytes.length == 0) {
      throw new WireFormatException(
          Kind.EMPTY,
          -1,
          "value is "
              + (bytes == null ? "null" : "empty")
              + ": expected Confluent wire format (magic byte 0, 4-byte schema id, Avro)",
          null);
    }
    if (bytes[0] != WireFormat.MAGIC_BYTE) {
      throw new WireFormatException(
          Kind.BAD_MAGIC_BYTE,
          -1,
          String.format(
              "unknown magic byte 0x%02x (expected 0x00): not Confluent wire format%s",
              bytes[0] & 0xff, describeStart(bytes)),
          null);
    }
    if (bytes.length < WireFormat.HEADER_SIZE) {
      throw new WireFormatException(
          Kind.TRUNCATED_HEADER,
          -1,
          "value has " + bytes.length + " byte(s), fewer than the 5-byte wire-format header",
          null);
    }
    int id = WireFormat.schemaId(bytes);
    DatumReader<T> reader = readers.get(id);
    if (reader == null) {
      reader = readerFor(id);
      readers.put(id, reader);
    }
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                bytes,
                WireFormat.HEADER_SIZE,
                bytes.length - WireFormat.HEADER_SIZE,
                decoders.get());
    decoders.set(decoder);
    T value;
    try {
      value = reader.read(null, new BoundedDecoder(decoder, bytes.length));
    } catch (IOException
        | AvroRuntimeException
        | IndexOutOfBoundsException
        | NegativeArraySizeException
        | ClassCastException
        | IllegalArgumentException
        | UnsupportedOperationException e) {
      throw new WireFormatException(
          Kind.MALFORMED_AVRO,
          id,
          "Avro body ("
              + (bytes.length - WireFormat.HEADER_SIZE)
              + " bytes) does not decode with schema id "
              + id
              + ": "
              + e,
          e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new WireFormatException(
            Kind.TRAILING_BYTES,
            id,
            "Avro body decoded with schema id "
                + id
                + " but left bytes over: the payload was not written with that schema",
            null);
      }
    } catch (IOException e) {
      throw new WireFormatException(
          Kind.MALFORMED_AVRO, id, "cannot check the end of the Avro body: " + e, e);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private DatumReader<T> readerFor(int id) throws WireFormatException {
    Schema writer;
    try {
      writer = registry.getById(id);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new WireFormatException(
            Kind.UNKNOWN_SCHEMA_ID,
            id,
            "schema id "
                + id
                + " is not in the registry (written against another registry, or deleted)",
            e);
      }
      throw e; // auth or server configuration problem: not the record's fault
    }
    Schema reader = readerSchema == null ? writer : readerSchema;
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new WireFormatException(
          Kind.INCOMPATIBLE_SCHEMA,
          id,
          "writer schema id "
              + id
              + " ("
              + writer.getFullName()
              + ") cannot be read as "
              + reader.getFullName()
              + ": "
              + compatibility.getResult().getIncompatibilities(),
          null);
    }
    if (model instanceof SpecificData specific) {
      return new SpecificDatumReader<>(writer, reader, specific);
    }
    return (DatumReader<T>) new GenericDatumReader<>(writer, reader, model);
  }

  private static String describeStart(byte[] bytes) {
    if (bytes[0] == '{' || bytes[0] == '[') {
      return " (looks like JSON)";
    }
    if (bytes[0] == 'O' && bytes.length > 3 && bytes[1] == 'b' && bytes[2] == 'j') {
      return " (looks like an Avro container file)";
    }
    return "";
  }
}
