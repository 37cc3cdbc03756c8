package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.DeadLetter;
import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.testing.KafkaTestCluster;
import dev.sluice.jobs.testing.NodeProducer;
import dev.sluice.jobs.testing.RealServices;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.schemas.testing.RegistryProcess;
import dev.sluice.schemas.testing.TestRecords;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.testing.FlinkTestCluster;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest job against a real broker and registry: every kind of bad input we could think of
 * reaches the dead-letter topic with the right error class and its original bytes, while the valid
 * records interleaved with it all come through; and records from a producer that is not ours are
 * accepted.
 */
class IngestJobITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();
  @RegisterExtension static final RealServices SERVICES = new RealServices();

  private static final Instant T0 = Instant.parse("2018-04-01T00:00:00Z");

  /** One record to send, and the error class it must be dead-lettered with (null: it must pass). */
  private record Case(String name, byte[] key, byte[] value, String expected) {}

  @Test
  void everyKindOfGarbageIsDeadLetteredWithItsReasonAndValidRecordsAllArrive(
      @TempDir Path checkpoints) throws Exception {
    createTopics("transactions", "labels", "valid-transactions", "valid-labels", "dead-letters");
    AvroWireSerializer<Transaction> txSerializer =
        new AvroWireSerializer<>(client(), RegistryConfig.of(registry().url()), false);
    AvroWireSerializer<Label> labelSerializer =
        new AvroWireSerializer<>(client(), RegistryConfig.of(registry().url()), false);
    AvroWireSerializer<GenericRecord> genericSerializer =
        new AvroWireSerializer<>(client(), RegistryConfig.of(registry().url()), false);

    List<Case> transactions = new ArrayList<>();
    List<String> validIds = new ArrayList<>();
    int n = 0;
    for (int minute = 0; minute < 60; minute++) {
      Transaction tx = valid(n++, minute);
      validIds.add(tx.getTransactionId());
      transactions.add(
          new Case("valid", key(tx), txSerializer.serialize("transactions", tx), null));
      switch (minute) {
        case 1 -> transactions.add(new Case("empty value", key("c-1"), new byte[0], "EMPTY"));
        case 2 -> transactions.add(new Case("tombstone", key("c-1"), null, "EMPTY"));
        case 3 ->
            transactions.add(
                new Case(
                    "json, not wire format",
                    key("c-1"),
                    "{\"amount\": 1}".getBytes(StandardCharsets.UTF_8),
                    "BAD_MAGIC_BYTE"));
        case 4 ->
            transactions.add(
                new Case("truncated header", key("c-1"), new byte[] {0, 0, 1}, "TRUNCATED_HEADER"));
        case 5 ->
            transactions.add(
                new Case(
                    "unknown schema id",
                    key("c-1"),
                    withSchemaId(txSerializer.serialize("transactions", valid(900, 5)), 77_777),
                    "UNKNOWN_SCHEMA_ID"));
        case 6 -> {
          byte[] good = txSerializer.serialize("transactions", valid(901, 6));
          transactions.add(
              new Case(
                  "truncated avro",
                  key("c-1"),
                  Arrays.copyOf(good, good.length - 4),
                  "MALFORMED_AVRO"));
        }
        case 7 -> {
          byte[] good = txSerializer.serialize("transactions", valid(902, 7));
          transactions.add(
              new Case(
                  "trailing bytes",
                  key("c-1"),
                  Arrays.copyOf(good, good.length + 3),
                  "TRAILING_BYTES"));
        }
        case 8 ->
            transactions.add(
                new Case(
                    "valid avro of another schema",
                    key("c-1"),
                    labelSerializer.serialize(
                        "labels-elsewhere", label(valid(903, 8), T0.plusSeconds(600), false, 0)),
                    "INCOMPATIBLE_SCHEMA"));
        case 9 ->
            transactions.add(
                new Case(
                    "NaN amount (a producer's double schema)",
                    key("c-1"),
                    genericSerializer.serialize("rogue-producer", doubleAmount(904, 9, Double.NaN)),
                    "INCOMPATIBLE_SCHEMA"));
        case 10 ->
            transactions.add(
                new Case(
                    "negative amount",
                    key("c-1"),
                    txSerializer.serialize("transactions", withAmount(valid(905, 10), "-12.00")),
                    "amount-range"));
        case 11 ->
            transactions.add(
                new Case(
                    "zero amount",
                    key("c-1"),
                    txSerializer.serialize("transactions", withAmount(valid(906, 11), "0.00")),
                    "amount-range"));
        case 12 ->
            transactions.add(
                new Case(
                    "huge amount",
                    key("c-1"),
                    txSerializer.serialize(
                        "transactions", withAmount(valid(907, 12), "999999999.99")),
                    "amount-range"));
        case 13 ->
            transactions.add(
                new Case(
                    "event time in the far future",
                    key("c-1"),
                    txSerializer.serialize(
                        "transactions", at(valid(908, 13), Instant.parse("2100-01-01T00:00:00Z"))),
                    "event-time-sane"));
        case 14 ->
            transactions.add(
                new Case(
                    "event time in the far past",
                    key("c-1"),
                    txSerializer.serialize(
                        "transactions", at(valid(909, 14), Instant.parse("1970-01-01T00:00:00Z"))),
                    "event-time-sane"));
        case 15 -> {
          Transaction noId = valid(910, 15);
          noId.setTransactionId("");
          transactions.add(
              new Case(
                  "missing transaction id",
                  key("c-1"),
                  txSerializer.serialize("transactions", noId),
                  "transaction-id-format"));
        }
        case 16 -> {
          Transaction badCustomer = valid(911, 16);
          badCustomer.setCustomerId("'; DROP TABLE cards; --");
          transactions.add(
              new Case(
                  "customer id of the wrong format",
                  key("c-1"),
                  txSerializer.serialize("transactions", badCustomer),
                  "customer-id-format"));
        }
        case 17 ->
            transactions.add(
                new Case(
                    "null key",
                    null,
                    txSerializer.serialize("transactions", valid(912, 17)),
                    "key-present"));
        case 18 -> {
          Transaction again = valid(0, 18); // same id as the first valid transaction
          transactions.add(
              new Case(
                  "duplicate transaction id",
                  key(again),
                  txSerializer.serialize("transactions", again),
                  "duplicate-id"));
        }
        default -> {}
      }
    }
    List<Case> labels = new ArrayList<>();
    List<String> validLabelIds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Transaction tx = valid(i, i);
      Label label = label(tx, tx.getEventTime().plusSeconds(1800), i % 5 == 0, i % 5 == 0 ? 1 : 0);
      validLabelIds.add(label.getTransactionId());
      labels.add(
          new Case("valid label", key(tx), labelSerializer.serialize("labels", label), null));
    }
    Transaction labelled = valid(950, 20);
    labels.add(
        new Case(
            "label before its transaction",
            key(labelled),
            labelSerializer.serialize(
                "labels", label(labelled, labelled.getEventTime().minusSeconds(60), true, 1)),
            "label-after-transaction"));
    labels.add(
        new Case(
            "genuine label with a fraud scenario",
            key(labelled),
            labelSerializer.serialize(
                "labels", label(valid(951, 21), T0.plusSeconds(1300 * 60), false, 3)),
            "fraud-scenario-consistent"));
    labels.add(
        new Case(
            "json label", key(labelled), "{}".getBytes(StandardCharsets.UTF_8), "BAD_MAGIC_BYTE"));

    try (KafkaProducer<byte[], byte[]> producer = kafka().rawProducer()) {
      send(producer, "transactions", transactions);
      send(producer, "labels", labels);
    }

    try (RunningIngest ingest =
        startIngest(
            "transactions",
            "labels",
            "valid-transactions",
            "valid-labels",
            "dead-letters",
            checkpoints)) {
      List<Transaction> accepted =
          kafka()
              .awaitCommitted(
                  "valid-transactions",
                  AvroWireDeserializer.forSpecific(client(), Transaction.class),
                  validIds.size(),
                  ingest.job());
      assertThat(accepted)
          .extracting(Transaction::getTransactionId)
          .containsExactlyInAnyOrderElementsOf(validIds);
      List<Label> acceptedLabels =
          kafka()
              .awaitCommitted(
                  "valid-labels",
                  AvroWireDeserializer.forSpecific(client(), Label.class),
                  validLabelIds.size(),
                  ingest.job());
      assertThat(acceptedLabels)
          .extracting(Label::getTransactionId)
          .containsExactlyInAnyOrderElementsOf(validLabelIds);

      // Lateness needs a watermark: send it once the first batch is through.
      List<Case> timing =
          List.of(
              new Case(
                  "late by a day",
                  key("c-1"),
                  txSerializer.serialize(
                      "transactions", at(valid(960, 0), T0.minus(Duration.ofDays(1)))),
                  "late"));
      try (KafkaProducer<byte[], byte[]> producer = kafka().rawProducer()) {
        send(producer, "transactions", timing);
      }

      List<Case> bad = new ArrayList<>();
      transactions.stream().filter(c -> c.expected() != null).forEach(bad::add);
      labels.stream().filter(c -> c.expected() != null).forEach(bad::add);
      bad.addAll(timing);
      assertThat(bad)
          .hasSizeGreaterThanOrEqualTo(20); // kinds of garbage, well over the 10 asked for

      List<DeadLetter> dead =
          kafka()
              .awaitCommitted(
                  "dead-letters",
                  AvroWireDeserializer.forSpecific(client(), DeadLetter.class),
                  bad.size(),
                  ingest.job());
      assertThat(dead).hasSize(bad.size());
      Map<String, String> expectedByValue = new LinkedHashMap<>();
      for (Case c : bad) {
        expectedByValue.put(c.name() + "|" + hex(c.value()), c.expected());
      }
      Map<String, String> byName =
          bad.stream()
              .collect(Collectors.toMap(c -> hex(c.value()) + "|" + hex(c.key()), Case::name));
      for (DeadLetter letter : dead) {
        String id = hex(bytes(letter.getValue())) + "|" + hex(bytes(letter.getKey()));
        assertThat(byName)
            .as(
                "dead letter %s (%s) matches a bad record byte for byte",
                letter.getErrorClass(), letter.getReason())
            .containsKey(id);
        String name = byName.get(id);
        assertThat(letter.getErrorClass())
            .as(name)
            .isEqualTo(expectedByValue.get(name + "|" + hex(bytes(letter.getValue()))));
        assertThat(letter.getReason()).as(name).isNotBlank();
      }
    }
  }

  @Test
  void acceptsWhatAnIndependentConfluentClientWrites(@TempDir Path checkpoints, @TempDir Path work)
      throws Exception {
    createTopics(
        "js-transactions",
        "js-labels",
        "js-valid-transactions",
        "js-valid-labels",
        "js-dead-letters");
    NodeProducer.produceTransactions(
        work, kafka().bootstrapServers(), registry().url(), "js-transactions", 200);

    try (RunningIngest ingest =
        startIngest(
            "js-transactions",
            "js-labels",
            "js-valid-transactions",
            "js-valid-labels",
            "js-dead-letters",
            checkpoints)) {
      List<Transaction> accepted =
          kafka()
              .awaitCommitted(
                  "js-valid-transactions",
                  AvroWireDeserializer.forSpecific(client(), Transaction.class),
                  202,
                  ingest.job());
      assertThat(accepted).hasSize(202);
      assertThat(accepted)
          .filteredOn(t -> t.getTransactionId().equals("js-7"))
          .singleElement()
          .satisfies(t -> assertThat(t.getAmount()).isEqualByComparingTo("12.41"));
      assertThat(kafka().readCommitted("js-dead-letters")).isEmpty();
    }
  }

  private static void createTopics(String... names) throws Exception {
    for (String name : names) {
      kafka().createTopic(name, name.contains("transactions") || name.contains("labels") ? 2 : 1);
    }
  }

  private static RunningIngest startIngest(
      String transactions,
      String labels,
      String validTransactions,
      String validLabels,
      String deadLetters,
      Path checkpoints)
      throws Exception {
    IngestJob.Config config =
        new IngestJob.Config(
            kafka().bootstrapServers(),
            RegistryConfig.of(registry().url()),
            transactions,
            labels,
            validTransactions,
            validLabels,
            deadLetters,
            "ingest-" + transactions,
            KafkaConnectors.StartFrom.EARLIEST,
            new IngestJob.Timing(
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                Duration.ofHours(1),
                Duration.ofDays(1),
                Duration.ofDays(1)),
            IngestRules.Settings.DEFAULTS,
            new CheckpointSettings(checkpoints.toUri(), Duration.ofSeconds(1), 0));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(config.checkpoints()));
    env.setParallelism(2);
    return new RunningIngest(IngestJob.start(env, config));
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, List<Case> cases)
      throws Exception {
    // Partitioned by key, as producers do: records of one customer (such as a transaction and its
    // duplicate) stay in order, so which of the two is the duplicate is deterministic.
    for (Case c : cases) {
      producer.send(new ProducerRecord<>(topic, c.key(), c.value())).get();
    }
  }

  private static Transaction valid(int n, int minute) {
    Transaction tx = TestRecords.transaction(n);
    tx.setEventTime(T0.plus(Duration.ofMinutes(minute)).plusSeconds(n % 60));
    return tx;
  }

  private static Transaction withAmount(Transaction tx, String amount) {
    tx.setAmount(new BigDecimal(amount));
    return tx;
  }

  private static Transaction at(Transaction tx, Instant time) {
    tx.setEventTime(time);
    return tx;
  }

  private static Label label(Transaction tx, Instant known, boolean fraud, int scenario) {
    return Label.newBuilder()
        .setTransactionId(tx.getTransactionId())
        .setEventTime(known)
        .setTransactionTime(tx.getEventTime())
        .setCustomerId(tx.getCustomerId())
        .setTerminalId(tx.getTerminalId())
        .setFraud(fraud)
        .setFraudScenario(scenario)
        .build();
  }

  /** A transaction as a careless producer might write it: the amount as a double, here NaN. */
  private static GenericRecord doubleAmount(int n, int minute, double amount) {
    Schema schema =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Transaction\",\"namespace\":\"dev.sluice.avro\",\"fields\":["
                    + "{\"name\":\"transactionId\",\"type\":\"string\"},"
                    + "{\"name\":\"eventTime\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
                    + "{\"name\":\"customerId\",\"type\":\"string\"},{\"name\":\"terminalId\",\"type\":\"string\"},"
                    + "{\"name\":\"amount\",\"type\":\"double\"}]}");
    Transaction tx = valid(n, minute);
    GenericRecord record = new GenericData.Record(schema);
    record.put("transactionId", tx.getTransactionId());
    record.put("eventTime", tx.getEventTime().toEpochMilli());
    record.put("customerId", tx.getCustomerId());
    record.put("terminalId", tx.getTerminalId());
    record.put("amount", amount);
    return record;
  }

  private static byte[] withSchemaId(byte[] wire, int id) {
    byte[] copy = wire.clone();
    ByteBuffer.wrap(copy, 1, 4).putInt(id);
    return copy;
  }

  private static byte[] key(Transaction tx) {
    return key(tx.getCustomerId());
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static String hex(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(String.format("%02x", b));
    }
    return text.toString();
  }

  /** The running job; closing it cancels the job. */
  private record RunningIngest(JobClient job) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      job.cancel().get();
    }
  }

  private static KafkaTestCluster kafka() {
    return SERVICES.kafka();
  }

  private static RegistryProcess registry() {
    return SERVICES.registry();
  }

  private static SchemaRegistryClient client() {
    return SERVICES.client();
  }
}
