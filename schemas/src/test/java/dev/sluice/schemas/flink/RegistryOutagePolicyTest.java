package dev.sluice.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.SourceRecord;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.RegistryConfig.OutagePolicy;
import dev.sluice.schemas.registry.RegistryUnavailableException;
import dev.sluice.schemas.testing.TestRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a Kafka source does when the registry goes away, per {@link OutagePolicy}, against the real
 * REST client and a small HTTP registry that can be switched off (503): schemas already fetched
 * keep decoding; a schema id not yet cached waits, is dead-lettered or fails the task.
 */
class RegistryOutagePolicyTest {
  private static final int CACHED_ID = 1;
  private static final int NEW_ID = 2;

  private HttpServer server;
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final AtomicInteger requests = new AtomicInteger();
  private final List<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> out = new ArrayList<>();
  private final Collector<Either<DeadLetter, Tuple2<SourceRecord, Transaction>>> collector =
      new Collector<>() {
        @Override
        public void collect(Either<DeadLetter, Tuple2<SourceRecord, Transaction>> record) {
          out.add(record);
        }

        @Override
        public void close() {}
      };

  @BeforeEach
  void startRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String body =
        "{\"schema\":"
            + com.fasterxml.jackson.databind.json.JsonMapper.builder()
                .build()
                .writeValueAsString(Transaction.getClassSchema().toString())
            + "}";
    server.createContext(
        "/schemas/ids/",
        exchange -> {
          requests.incrementAndGet();
          byte[] answer =
              up.get()
                  ? body.getBytes(StandardCharsets.UTF_8)
                  : "{\"error_code\":50301,\"message\":\"down\"}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(up.get() ? 200 : 503, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopRegistry() {
    server.stop(0);
  }

  @Test
  void deadLetterPolicyKeepsCachedSchemasFlowingAndDeadLettersANewIdWithItsBytes()
      throws Exception {
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        open(OutagePolicy.DEAD_LETTER, Duration.ofSeconds(5));
    schema.deserialize(record(0, CACHED_ID), collector);
    up.set(false);

    schema.deserialize(record(1, CACHED_ID), collector);
    byte[] unseen = wire(NEW_ID, 1);
    schema.deserialize(record(2, unseen), collector);

    assertThat(out).hasSize(3);
    assertThat(out.get(0).isRight()).isTrue();
    assertThat(out.get(1).isRight()).as("a cached schema decodes during the outage").isTrue();
    DeadLetter letter = out.get(2).left();
    assertThat(letter.getErrorClass()).isEqualTo("REGISTRY_UNAVAILABLE");
    assertThat(letter.getStage()).isEqualTo("decode");
    assertThat(letter.getReason())
        .contains("schema.registry.outage.policy=dead-letter")
        .contains("schema id " + NEW_ID);
    assertThat(letter.getOffset()).isEqualTo(2L);
    assertThat(bytes(letter.getValue())).isEqualTo(unseen);
  }

  @Test
  void deadLetterPolicyDoesNotAskAgainForEveryRecordDuringAnOutage() throws Exception {
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        open(OutagePolicy.DEAD_LETTER, Duration.ofSeconds(5));
    schema.deserialize(record(0, CACHED_ID), collector);
    up.set(false);

    schema.deserialize(record(1, NEW_ID), collector);
    int asked = requests.get();
    schema.deserialize(record(2, NEW_ID), collector);
    schema.deserialize(record(3, NEW_ID), collector);
    schema.deserialize(record(4, CACHED_ID), collector);

    assertThat(requests.get())
        .as("within the backoff window the registry is not asked again")
        .isEqualTo(asked);
    assertThat(out).extracting(Either::isRight).containsExactly(true, false, false, false, true);

    Thread.sleep(150); // past schema.registry.retry.backoff.max.ms (100 ms here)
    up.set(true);
    schema.deserialize(record(5, NEW_ID), collector);
    assertThat(out.get(5).isRight()).as("asked again, and decoded").isTrue();
  }

  @Test
  void failPolicyFailsAtOnce() throws Exception {
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        open(OutagePolicy.FAIL, Duration.ofSeconds(5));
    up.set(false);

    assertThatThrownBy(() -> schema.deserialize(record(0, CACHED_ID), collector))
        .isInstanceOf(RegistryUnavailableException.class);
    assertThat(out).isEmpty();
  }

  @Test
  void waitPolicyHoldsTheRecordUntilTheRegistryAnswersAgain() throws Exception {
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        open(OutagePolicy.WAIT, Duration.ofSeconds(30));
    up.set(false);
    Thread comesBack =
        new Thread(
            () -> {
              try {
                Thread.sleep(700);
              } catch (InterruptedException e) {
                return;
              }
              up.set(true);
            });
    comesBack.start();
    long start = System.nanoTime();

    schema.deserialize(record(0, CACHED_ID), collector);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(600));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).isRight()).as("decoded, not dead-lettered").isTrue();
    assertThat(requests.get()).isGreaterThan(2);
  }

  @Test
  void waitPolicyGivesUpAfterTheMaximumWaitNamingTheSetting() throws Exception {
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        open(OutagePolicy.WAIT, Duration.ofMillis(400));
    up.set(false);

    assertThatThrownBy(() -> schema.deserialize(record(0, CACHED_ID), collector))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("schema.registry.outage.max.wait.ms");
    assertThat(out).isEmpty();
  }

  @Test
  void policyIsParsedFromTheClientPropertiesAndABadValueNamesTheProperty() {
    String url = "http://127.0.0.1:1";
    assertThat(RegistryConfig.of(url).outagePolicy()).isEqualTo(OutagePolicy.WAIT);
    assertThat(
            RegistryConfig.fromProperties(
                    Map.of(
                        "schema.registry.url", url, "schema.registry.outage.policy", "dead-letter"))
                .outagePolicy())
        .isEqualTo(OutagePolicy.DEAD_LETTER);
    assertThatThrownBy(
            () ->
                RegistryConfig.fromProperties(
                    Map.of("schema.registry.url", url, "schema.registry.outage.policy", "drop")))
        .hasMessageContaining("schema.registry.outage.policy")
        .hasMessageContaining("'drop'");
  }

  private RegistryAvroKafkaDeserializationSchema<Transaction> open(
      OutagePolicy policy, Duration maxWait) {
    RegistryConfig config =
        RegistryConfig.of("http://127.0.0.1:" + server.getAddress().getPort())
            .withRetries(0, Duration.ofMillis(20), Duration.ofMillis(100))
            .withOutagePolicy(policy, maxWait);
    RegistryAvroKafkaDeserializationSchema<Transaction> schema =
        new RegistryAvroKafkaDeserializationSchema<>(config, Transaction.class);
    schema.open(
        new DeserializationSchema.InitializationContext() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
          }
        });
    return schema;
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, int schemaId)
      throws IOException {
    return record(offset, wire(schemaId, (int) offset));
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>("transactions", 0, offset, null, value);
  }

  /** A transaction in the wire format under {@code schemaId} (the test registry's ids). */
  private static byte[] wire(int schemaId, int n) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(0); // magic byte, then the id big-endian
    bytes.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    new SpecificDatumWriter<>(Transaction.class).write(TestRecords.transaction(n), encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }
}
