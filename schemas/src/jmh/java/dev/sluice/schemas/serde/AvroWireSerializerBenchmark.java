package dev.sluice.schemas.serde;

import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.MockSchemaRegistryClient;
import dev.sluice.schemas.registry.RegistryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
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
 * Throughput of {@link AvroWireSerializer} on one thread: {@link Transaction} records per second written as
 * Confluent wire-format {@code byte[]}, cycling through 1024 distinct records.
 *
 * <ul>
 *   <li>{@link #serialize}: {@code serialize(topic, record)} as the Flink and Kafka serializers call it
 *       (subject name, cached schema id, header, Avro body, a fresh {@code byte[]} per record);
 *   <li>{@link #plainAvroBaseline}: the Avro body alone through a bare {@link SpecificDatumWriter} into a
 *       reused buffer and copied out, so {@code serialize / plainAvroBaseline} is the cost of our layer.
 * </ul>
 *
 * <p>The registry is the in-memory {@code mock://bench} one and the schema id is cached after the first
 * record, so no registry call is measured. Run (from the repository root; {@code -Djmh.args} is passed to
 * {@code org.openjdk.jmh.Main}):
 *
 * <pre>{@code
 * mvn -B -pl schemas -am -Pbench process-test-classes -Djmh.args="AvroWireSerializerBenchmark -wi 2 -i 3 -w 1s -r 2s"
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class AvroWireSerializerBenchmark {
  private Transaction[] records;
  private int next;

  private AvroWireSerializer<Transaction> serializer;
  private SpecificDatumWriter<Transaction> plainWriter;
  private ByteArrayOutputStream plainOut;
  private BinaryEncoder plainEncoder;

  @Setup
  public void setUp() {
    records = BenchTransactions.transactions();
    serializer =
        new AvroWireSerializer<>(
            MockSchemaRegistryClient.forScope(BenchTransactions.REGISTRY_SCOPE),
            RegistryConfig.of("mock://" + BenchTransactions.REGISTRY_SCOPE),
            false);
    plainWriter = new SpecificDatumWriter<>(Transaction.getClassSchema(), SpecificData.getForClass(Transaction.class));
    plainOut = new ByteArrayOutputStream(128);

    // Registers the schema and fills the caches; also checks that both paths write the same body.
    for (Transaction record : records) {
      byte[] wire = serializer.serialize(BenchTransactions.TOPIC, record);
      byte[] body = plainEncode(record);
      if (wire.length != body.length + WireFormat.HEADER_SIZE) {
        throw new IllegalStateException("wire format and plain Avro disagree on " + record.getTransactionId());
      }
    }
  }

  private Transaction nextRecord() {
    Transaction record = records[next];
    next = (next + 1) & BenchTransactions.MASK;
    return record;
  }

  private byte[] plainEncode(Transaction record) {
    plainOut.reset();
    plainEncoder = EncoderFactory.get().directBinaryEncoder(plainOut, plainEncoder);
    try {
      plainWriter.write(record, plainEncoder);
      plainEncoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return plainOut.toByteArray();
  }

  @Benchmark
  public void serialize(Blackhole bh) {
    bh.consume(serializer.serialize(BenchTransactions.TOPIC, nextRecord()));
  }

  @Benchmark
  public void plainAvroBaseline(Blackhole bh) {
    bh.consume(plainEncode(nextRecord()));
  }
}
