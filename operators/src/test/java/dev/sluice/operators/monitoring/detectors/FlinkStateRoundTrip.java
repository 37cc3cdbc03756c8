package dev.sluice.operators.monitoring.detectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;

/** Writes a value with the serializer Flink would use for it in state, and reads it back. */
final class FlinkStateRoundTrip {
  private FlinkStateRoundTrip() {}

  static <T> T roundTrip(Class<T> type, T value) {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    TypeSerializer<T> serializer =
        TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serializer.serialize(value, out);
      return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
