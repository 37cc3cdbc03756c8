package dev.sluice.schemas.serde;

/**
 * Bytes that are not a valid Confluent wire-format Avro record for the expected type. Checked, so
 * every caller decides where such a record goes (the platform's jobs send it to the dead-letter
 * topic).
 */
public class WireFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the bytes; the name is used as the dead-letter error class. */
  public enum Kind {
    /** Null or zero-length value. */
    EMPTY,
    /** Fewer than the 5 header bytes. */
    TRUNCATED_HEADER,
    /** First byte is not 0: the producer did not use the Confluent wire format. */
    BAD_MAGIC_BYTE,
    /** The registry has no schema with the id in the header. */
    UNKNOWN_SCHEMA_ID,
    /** The writer schema cannot be read into the reader schema (not a compatible evolution). */
    INCOMPATIBLE_SCHEMA,
    /** The Avro body does not decode with the writer schema (truncated or garbage). */
    MALFORMED_AVRO,
    /**
     * The Avro body decoded but bytes were left over: the payload is not what its schema id says.
     */
    TRAILING_BYTES
  }

  private final Kind kind;
  private final int schemaId;

  public WireFormatException(Kind kind, int schemaId, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.schemaId = schemaId;
  }

  public Kind kind() {
    return kind;
  }

  /** Schema id from the header, or -1 when the header could not be read. */
  public int schemaId() {
    return schemaId;
  }
}
