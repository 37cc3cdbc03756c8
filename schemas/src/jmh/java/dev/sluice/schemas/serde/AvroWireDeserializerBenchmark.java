package dev.sluice.schemas.serde;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of {@link AvroWireDeserializer} on one thread: records per second decoded from Confluent
 * wire-format bytes (magic byte, schema id, Avro body) of {@link Transaction}, cycling through 1024 distinct
 * pre-serialized records.
 *
 * <ul>
 *   <li>{@link #specific}: into the generated {@link Transaction} (logical types converted to {@code Instant}
 *       and {@code BigDecimal}), the path of the Flink and Kafka deserializers;
 *   <li>{@link #generic}: into a {@code GenericRecord} with the same reader schema ({@code GenericData.get()},
 *       so no logical-type conversions: the amount stays a {@code ByteBuffer});
 *   <li>{@link #plainAvroBaseline}: the same body bytes through a bare {@link SpecificDatumReader} with a
 *       reused decoder, skipping the header checks, the schema-id lookup, the bounds-checking decoder and the
 *       trailing-bytes check. {@code specific / plainAvroBaseline} is the cost of our layer.
 * </ul>
 *
 * <p>The registry is the in-memory {@code mock://bench} one and the reader for the schema id is cached after
 * the first record, so no registry call is measured. Run (from the repository root; {@code -Djmh.args} is
 * passed to {@code org.openjdk.jmh.Main}, e.g. {@code -h}, a benchmark regex, or a shorter run):
 *
 * <pre>{@code
 * mvn -B -pl schemas -am -Pbench process-test-classes -Djmh.args="AvroWireDeserializerBenchmark -wi 2 -i 3 -w 1s -r 2s"
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class AvroWireDeserializerBenchmark {
  private byte[][] wire;
  private int next;

  private AvroWireDeserializer<Transaction> specificDeserializer;
  private AvroWireDeserializer<Object> genericDeserializer;
  private SpecificDatumReader<Transaction> plainReader;
  private BinaryDecoder plainDecoder;

  @Setup
  public void setUp() throws WireFormatException {
    SchemaRegistryClient registry = MockSchemaRegistryClient.forScope(BenchTransactions.REGISTRY_SCOPE);
    AvroWireSerializer<Transaction> serializer =
        new AvroWireSerializer<>(registry, RegistryConfig.of("mock://" + BenchTransactions.REGISTRY_SCOPE), false);
    Transaction[] records = BenchTransactions.transactions();
    wire = new byte[records.length][];
    for (int i = 0; i < records.length; i++) {
      wire[i] = serializer.serialize(BenchTransactions.TOPIC, records[i]);
    }

    specificDeserializer = AvroWireDeserializer.forSpecific(registry, Transaction.class);
    genericDeserializer = AvroWireDeserializer.forGeneric(registry, Transaction.getClassSchema());
    plainReader =
        new SpecificDatumReader<>(
            Transaction.getClassSchema(), Transaction.getClassSchema(), SpecificData.getForClass(Transaction.class));

    // Fail here rather than measure something else: every record must round-trip through each path.
    for (int i = 0; i < records.length; i++) {
      if (!records[i].equals(specificDeserializer.deserialize(wire[i]))
          || !records[i].equals(plainDecode(wire[i]))
          || genericDeserializer.deserialize(wire[i]) == null) {
        throw new IllegalStateException("record " + i + " does not round-trip");
      }
    }
  }

  private byte[] nextBytes() {
    byte[] bytes = wire[next];
    next = (next + 1) & BenchTransactions.MASK;
    return bytes;
  }

  private Transaction plainDecode(byte[] bytes) {
    plainDecoder =
        DecoderFactory.get()
            .binaryDecoder(bytes, WireFormat.HEADER_SIZE, bytes.length - WireFormat.HEADER_SIZE, plainDecoder);
    try {
      return plainReader.read(null, plainDecoder);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  public void specific(Blackhole bh) throws WireFormatException {
    bh.consume(specificDeserializer.deserialize(nextBytes()));
  }

  @Benchmark
  public void generic(Blackhole bh) throws WireFormatException {
    bh.consume(genericDeserializer.deserialize(nextBytes()));
  }

  @Benchmark
  public void plainAvroBaseline(Blackhole bh) {
    bh.consume(plainDecode(nextBytes()));
  }
}
