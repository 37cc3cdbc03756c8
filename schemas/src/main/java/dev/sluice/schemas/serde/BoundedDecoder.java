package dev.sluice.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A decoder that refuses lengths larger than the message they come from. Avro trusts declared
 * lengths and allocates first; a garbage varint could otherwise ask for a 2 GB string or array out
 * of a 20-byte record. Strings and bytes are read here (length checked, then the bytes copied);
 * collection block counts are bounded by the message size, which rejects only arrays or maps of
 * more null values than the message has bytes.
 */
final class BoundedDecoder extends Decoder {
  private final Decoder in;
  private final long limit;

  BoundedDecoder(Decoder in, long limit) {
    this.in = in;
    this.limit = limit;
  }

  private long checked(long length, String what) throws IOException {
    if (length < 0 || length > limit) {
      throw new EOFException(
          "declared " + what + " length " + length + " exceeds the " + limit + "-byte message");
    }
    return length;
  }

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = (int) checked(in.readLong(), "string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    in.readFixed(result.getBytes(), 0, length);
    return result;
  }

  @Override
  public String readString() throws IOException {
    return readString(null).toString();
  }

  @Override
  public void skipString() throws IOException {
    in.skipFixed((int) checked(in.readLong(), "string"));
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = (int) checked(in.readLong(), "bytes");
    ByteBuffer result =
        old != null && old.capacity() >= length
            ? (ByteBuffer) old.clear()
            : ByteBuffer.allocate(length);
    in.readFixed(result.array(), result.position(), length);
    result.limit(length);
    return result;
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipFixed((int) checked(in.readLong(), "bytes"));
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long readArrayStart() throws IOException {
    return checked(in.readArrayStart(), "array block");
  }

  @Override
  public long arrayNext() throws IOException {
    return checked(in.arrayNext(), "array block");
  }

  @Override
  public long skipArray() throws IOException {
    return in.skipArray();
  }

  @Override
  public long readMapStart() throws IOException {
    return checked(in.readMapStart(), "map block");
  }

  @Override
  public long mapNext() throws IOException {
    return checked(in.mapNext(), "map block");
  }

  @Override
  public long skipMap() throws IOException {
    return in.skipMap();
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }
}
