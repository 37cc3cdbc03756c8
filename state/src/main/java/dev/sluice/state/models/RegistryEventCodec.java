package dev.sluice.state.models;

import dev.sluice.avro.models.RegistryEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Plain Avro binary of a {@link RegistryEvent} (no wire-format header): how operators that follow
 * the registry keep the applied log in Flink state, independent of the schema registry.
 */
public final class RegistryEventCodec {
  private RegistryEventCodec() {}

  public static byte[] encode(RegistryEvent event) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(RegistryEvent.class).write(event, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  public static RegistryEvent decode(byte[] bytes) throws IOException {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
    return new SpecificDatumReader<>(RegistryEvent.class).read(null, decoder);
  }
}
