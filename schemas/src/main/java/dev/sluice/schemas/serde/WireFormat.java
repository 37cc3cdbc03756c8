package dev.sluice.schemas.serde;

/**
 * Confluent wire format: byte 0 is the magic byte {@code 0}, bytes 1-4 the schema id (big-endian
 * int), the rest the Avro binary encoding of one datum written with that schema.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** Reads the schema id from a header already checked to be present. */
  static int schemaId(byte[] bytes) {
    return ((bytes[1] & 0xff) << 24)
        | ((bytes[2] & 0xff) << 16)
        | ((bytes[3] & 0xff) << 8)
        | (bytes[4] & 0xff);
  }

  /** Writes magic byte and schema id into the first five bytes of {@code out}. */
  static void writeHeader(byte[] out, int schemaId) {
    out[0] = MAGIC_BYTE;
    out[1] = (byte) (schemaId >>> 24);
    out[2] = (byte) (schemaId >>> 16);
    out[3] = (byte) (schemaId >>> 8);
    out[4] = (byte) schemaId;
  }
}
