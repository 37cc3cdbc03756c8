package dev.sluice.jobs.testing;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.schemas.flink.DeadLetters;
import dev.sluice.schemas.registry.RegistryConfig;
import dev.sluice.schemas.registry.SchemaRegistryClient;
import dev.sluice.schemas.serde.AvroWireDeserializer;
import dev.sluice.schemas.serde.AvroWireSerializer;
import dev.sluice.schemas.serde.WireFormatException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A seeded generator of hostile records for the ingest job's two inputs: for each {@link Kind}, a
 * Kafka key and value that ingest must dead-letter, with the stage and error class (decode error
 * kind or validation rule) it must be dead-lettered with.
 *
 * <p>Validation-stage records are built around the valid record the caller sent last on the same
 * topic ({@link Context}): they carry its event time (so they are never late and do not move the
 * watermark anywhere valid data would not), its customer as key (so they spread over partitions
 * like real traffic), and a fresh {@code hostile-N} id (so they cannot collide with valid ids),
 * except {@link Kind#DUPLICATE_ID}, which re-sends that valid record byte for byte.
 *
 * <p>Decode-stage records are checked against the real deserializer when they are made: random
 * bytes after a valid header could, rarely, decode; such draws are redrawn, so every record's
 * expected error class is a fact, not a hope. Same seed, same context: same records.
 */
public final class HostileRecords {
  /** Ingest's two input topics. */
  public enum Input {
    TRANSACTIONS,
    LABELS
  }

  /**
   * One kind of bad record: where ingest must reject it and with which error class.
   *
   * @see DeadLetters#STAGE_DECODE
   */
  public enum Kind {
    /** A value of zero bytes. */
    EMPTY_VALUE(DeadLetters.STAGE_DECODE, "EMPTY"),
    /** A null value (a tombstone). */
    TOMBSTONE(DeadLetters.STAGE_DECODE, "EMPTY"),
    /** Random bytes whose first byte is not the wire format's magic byte 0. */
    BAD_MAGIC_BYTE(DeadLetters.STAGE_DECODE, "BAD_MAGIC_BYTE"),
    /** JSON text (up to 64 KiB, nested and escaped) where Avro was expected. */
    GARBAGE_JSON(DeadLetters.STAGE_DECODE, "BAD_MAGIC_BYTE"),
    /** The magic byte and fewer than four bytes of schema id. */
    TRUNCATED_HEADER(DeadLetters.STAGE_DECODE, "TRUNCATED_HEADER"),
    /** A valid record whose header names a schema id the registry never issued. */
    UNKNOWN_SCHEMA_ID(DeadLetters.STAGE_DECODE, "UNKNOWN_SCHEMA_ID"),
    /** A valid record of the other input's type (a Label on transactions and vice versa). */
    OTHER_RECORD_TYPE(DeadLetters.STAGE_DECODE, "INCOMPATIBLE_SCHEMA"),
    /** A record of the right name with a field of the wrong type (amount double, fraud string). */
    WRONG_FIELD_TYPE(DeadLetters.STAGE_DECODE, "INCOMPATIBLE_SCHEMA"),
    /** The right header and schema id, then random bytes. */
    RANDOM_AVRO_BODY(DeadLetters.STAGE_DECODE, "MALFORMED_AVRO"),
    /** A valid record cut short. */
    TRUNCATED_AVRO_BODY(DeadLetters.STAGE_DECODE, "MALFORMED_AVRO"),
    /** A valid record followed by extra bytes. */
    TRAILING_BYTES(DeadLetters.STAGE_DECODE, "TRAILING_BYTES"),
    /** A valid record without a Kafka key. */
    MISSING_KEY(DeadLetters.STAGE_VALIDATE, "key-present"),
    /** A transaction id that is not an id (spaces, quotes, too long, non-ASCII). */
    BAD_ID_FORMAT(DeadLetters.STAGE_VALIDATE, "transaction-id-format"),
    /** An amount of zero or below. */
    AMOUNT_NOT_POSITIVE(DeadLetters.STAGE_VALIDATE, "amount-range"),
    /** An amount above the rules' maximum. */
    AMOUNT_TOO_BIG(DeadLetters.STAGE_VALIDATE, "amount-range"),
    /** An event time in 2100. */
    EVENT_TIME_FAR_FUTURE(DeadLetters.STAGE_VALIDATE, "event-time-sane"),
    /** An event time before 2000. */
    EVENT_TIME_BEFORE_2000(DeadLetters.STAGE_VALIDATE, "event-time-sane"),
    /** The last valid record of the topic, sent again. */
    DUPLICATE_ID(DeadLetters.STAGE_VALIDATE, "duplicate-id"),
    /** A label known before its transaction happened. */
    LABEL_BEFORE_TRANSACTION(DeadLetters.STAGE_VALIDATE, "label-after-transaction"),
    /** A genuine label with a fraud scenario, or a scenario outside [0, 99]. */
    BAD_FRAUD_SCENARIO(DeadLetters.STAGE_VALIDATE, "fraud-scenario-consistent");

    private final String stage;
    private final String errorClass;

    Kind(String stage, String errorClass) {
      this.stage = stage;
      this.errorClass = errorClass;
    }

    /** The dead letter's {@code stage}. */
    public String stage() {
      return stage;
    }

    /** The dead letter's {@code errorClass}. */
    public String errorClass() {
      return errorClass;
    }

    /** Whether this kind exists for {@code input}. */
    public boolean appliesTo(Input input) {
      return switch (this) {
        case AMOUNT_NOT_POSITIVE, AMOUNT_TOO_BIG -> input == Input.TRANSACTIONS;
        case LABEL_BEFORE_TRANSACTION, BAD_FRAUD_SCENARIO -> input == Input.LABELS;
        default -> true;
      };
    }

    /** The kinds that exist for {@code input}. */
    public static Set<Kind> of(Input input) {
      Set<Kind> kinds = EnumSet.noneOf(Kind.class);
      for (Kind k : values()) {
        if (k.appliesTo(input)) {
          kinds.add(k);
        }
      }
      return kinds;
    }
  }

  /**
   * The valid records sent last on each topic, which validation-stage kinds are built around.
   *
   * @param transaction the last valid transaction sent to the transactions topic
   * @param label the last valid label sent to the labels topic
   */
  public record Context(Transaction transaction, Label label) {}

  /**
   * One hostile record.
   *
   * @param key Kafka key (null for {@link Kind#MISSING_KEY})
   * @param value Kafka value (null for {@link Kind#TOMBSTONE})
   */
  public record Hostile(Input input, Kind kind, byte[] key, byte[] value) {
    public String stage() {
      return kind.stage();
    }

    public String errorClass() {
      return kind.errorClass();
    }
  }

  /** A schema id no registry issues in a test (Apicurio counts from 1). */
  static final int UNKNOWN_SCHEMA_ID = 0x7eadbeef;

  private static final int MAX_JSON_BYTES = 64 * 1024;
  private static final BigDecimal TOO_BIG = new BigDecimal("1000000.01");

  private final Random random;
  private final AvroWireSerializer<Transaction> transactions;
  private final AvroWireSerializer<Label> labels;
  private final AvroWireSerializer<GenericRecord> generic;
  private final AvroWireDeserializer<Transaction> transactionReader;
  private final AvroWireDeserializer<Label> labelReader;
  private final String transactionsTopic;
  private final String labelsTopic;
  private long counter;

  /**
   * @param registry the registry the ingest job reads with (schemas are registered in it)
   * @param transactionsTopic the topic hostile transactions go to (its subject's schema is used)
   * @param labelsTopic the topic hostile labels go to
   */
  public HostileRecords(
      long seed,
      SchemaRegistryClient registry,
      RegistryConfig config,
      String transactionsTopic,
      String labelsTopic) {
    this.random = new Random(seed);
    this.transactions = new AvroWireSerializer<>(registry, config, false);
    this.labels = new AvroWireSerializer<>(registry, config, false);
    this.generic = new AvroWireSerializer<>(registry, config, false);
    this.transactionReader = AvroWireDeserializer.forSpecific(registry, Transaction.class);
    this.labelReader = AvroWireDeserializer.forSpecific(registry, Label.class);
    this.transactionsTopic = transactionsTopic;
    this.labelsTopic = labelsTopic;
  }

  /**
   * A campaign plan: every kind of each input {@code perKind} times, shuffled.
   *
   * @return (input, kind) pairs in the order to send them
   */
  public List<Planned> plan(int perKind) {
    List<Planned> plan = new ArrayList<>();
    for (Input input : Input.values()) {
      for (Kind kind : Kind.of(input)) {
        for (int i = 0; i < perKind; i++) {
          plan.add(new Planned(input, kind));
        }
      }
    }
    java.util.Collections.shuffle(plan, random);
    return plan;
  }

  /** One entry of a {@link #plan}. */
  public record Planned(Input input, Kind kind) {}

  /** Draws a number in [0, bound) from the generator's seeded stream. */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** Whether {@link #make} can build this kind now (validation-stage kinds need a valid record). */
  public boolean canMake(Input input, Kind kind, Context context) {
    return kind.appliesTo(input)
        && (kind.stage().equals(DeadLetters.STAGE_DECODE)
            || (input == Input.TRANSACTIONS ? context.transaction() : context.label()) != null);
  }

  /**
   * Makes one hostile record of {@code kind} for {@code input}.
   *
   * @throws IllegalArgumentException if the kind does not exist for the input, or a
   *     validation-stage kind is asked for before a valid record of the input was sent
   */
  public Hostile make(Input input, Kind kind, Context context) {
    if (!kind.appliesTo(input)) {
      throw new IllegalArgumentException(kind + " does not exist for " + input);
    }
    Objects.requireNonNull(context, "context");
    boolean tx = input == Input.TRANSACTIONS;
    if (kind.stage().equals(DeadLetters.STAGE_VALIDATE)
        && (tx ? context.transaction() : context.label()) == null) {
      throw new IllegalArgumentException(
          kind + " is built around the last valid record of " + input + ", and none was sent");
    }
    byte[] key = key(context, tx);
    return switch (kind) {
      case EMPTY_VALUE -> checked(input, kind, key, new byte[0]);
      case TOMBSTONE -> checked(input, kind, key, null);
      case BAD_MAGIC_BYTE -> checked(input, kind, key, badMagic());
      case GARBAGE_JSON -> checked(input, kind, key, json());
      case TRUNCATED_HEADER -> checked(input, kind, key, truncatedHeader());
      case UNKNOWN_SCHEMA_ID ->
          checked(input, kind, key, withSchemaId(valid(input, context), UNKNOWN_SCHEMA_ID));
      case OTHER_RECORD_TYPE ->
          checked(
              input,
              kind,
              key,
              tx
                  ? labels.serialize("hostile-labels-elsewhere", someLabel(context))
                  : transactions.serialize("hostile-transactions-elsewhere", someTx(context)));
      case WRONG_FIELD_TYPE -> checked(input, kind, key, wrongFieldType(input, context));
      case RANDOM_AVRO_BODY -> randomBody(input, key, context);
      case TRUNCATED_AVRO_BODY -> truncatedBody(input, key, context);
      case TRAILING_BYTES -> {
        byte[] good = valid(input, context);
        byte[] longer = Arrays.copyOf(good, good.length + 1 + random.nextInt(16));
        for (int i = good.length; i < longer.length; i++) {
          longer[i] = (byte) random.nextInt(256);
        }
        yield checked(input, kind, key, longer);
      }
      case MISSING_KEY -> hostile(input, kind, null, valid(input, context));
      case BAD_ID_FORMAT -> {
        String id = badId();
        yield hostile(
            input,
            kind,
            key,
            tx
                ? transactions.serialize(
                    transactionsTopic, withId(fresh(context.transaction()), id))
                : labels.serialize(labelsTopic, withId(fresh(context.label()), id)));
      }
      case AMOUNT_NOT_POSITIVE -> {
        Transaction t = fresh(context.transaction());
        t.setAmount(
            random.nextBoolean()
                ? BigDecimal.ZERO.setScale(2)
                : BigDecimal.valueOf(-1 - random.nextInt(100_000), 2));
        yield hostile(input, kind, key, transactions.serialize(transactionsTopic, t));
      }
      case AMOUNT_TOO_BIG -> {
        Transaction t = fresh(context.transaction());
        t.setAmount(TOO_BIG.add(BigDecimal.valueOf(random.nextInt(1_000_000_000), 2)));
        yield hostile(input, kind, key, transactions.serialize(transactionsTopic, t));
      }
      case EVENT_TIME_FAR_FUTURE ->
          hostile(
              input,
              kind,
              key,
              at(input, context, Instant.parse("2100-01-01T00:00:00Z").plusSeconds(rand(86_400))));
      case EVENT_TIME_BEFORE_2000 ->
          hostile(
              input,
              kind,
              key,
              at(
                  input,
                  context,
                  Instant.parse("2000-01-01T00:00:00Z")
                      .minusSeconds(1 + rand(30L * 365 * 86_400))));
      case DUPLICATE_ID ->
          hostile(
              input,
              kind,
              key,
              tx
                  ? transactions.serialize(transactionsTopic, context.transaction())
                  : labels.serialize(labelsTopic, context.label()));
      case LABEL_BEFORE_TRANSACTION -> {
        Label l = fresh(context.label());
        l.setTransactionTime(l.getEventTime().plusSeconds(1 + rand(86_400)));
        yield hostile(input, kind, key, labels.serialize(labelsTopic, l));
      }
      case BAD_FRAUD_SCENARIO -> {
        Label l = fresh(context.label());
        if (random.nextBoolean()) {
          l.setFraud(false);
          l.setFraudScenario(1 + random.nextInt(99));
        } else {
          l.setFraud(true);
          l.setFraudScenario(
              random.nextBoolean() ? -1 - random.nextInt(1000) : 100 + random.nextInt(1000));
        }
        yield hostile(input, kind, key, labels.serialize(labelsTopic, l));
      }
    };
  }

  private Hostile hostile(Input input, Kind kind, byte[] key, byte[] value) {
    return new Hostile(input, kind, key, value);
  }

  /** A decode-stage record, after checking that the deserializer refuses it as expected. */
  private Hostile checked(Input input, Kind kind, byte[] key, byte[] value) {
    WireFormatException.Kind refused = refusal(input, value);
    if (refused == null || !refused.name().equals(kind.errorClass())) {
      throw new IllegalStateException(
          kind + " record for " + input + " decodes as " + refused + ", not " + kind.errorClass());
    }
    return new Hostile(input, kind, key, value);
  }

  /** How the ingest job's deserializer refuses {@code value}, or null if it decodes. */
  private WireFormatException.Kind refusal(Input input, byte[] value) {
    try {
      if (input == Input.TRANSACTIONS) {
        transactionReader.deserialize(value);
      } else {
        labelReader.deserialize(value);
      }
      return null;
    } catch (WireFormatException e) {
      return e.kind();
    }
  }

  private Hostile randomBody(Input input, byte[] key, Context context) {
    byte[] header = Arrays.copyOf(valid(input, context), 5);
    for (int attempt = 0; attempt < 1_000; attempt++) {
      byte[] value = Arrays.copyOf(header, 5 + 1 + random.nextInt(200));
      for (int i = 5; i < value.length; i++) {
        value[i] = (byte) random.nextInt(256);
      }
      if (refusal(input, value) == WireFormatException.Kind.MALFORMED_AVRO) {
        return new Hostile(input, Kind.RANDOM_AVRO_BODY, key, value);
      }
    }
    throw new IllegalStateException("1000 random Avro bodies in a row did not fail to decode");
  }

  private Hostile truncatedBody(Input input, byte[] key, Context context) {
    byte[] good = valid(input, context);
    // Cutting inside the last field can leave a shorter valid string; cut until it fails.
    for (int cut = 1 + random.nextInt(4); cut < good.length - 5; cut++) {
      byte[] value = Arrays.copyOf(good, good.length - cut);
      if (refusal(input, value) == WireFormatException.Kind.MALFORMED_AVRO) {
        return new Hostile(input, Kind.TRUNCATED_AVRO_BODY, key, value);
      }
    }
    throw new IllegalStateException("no truncation of a valid record failed to decode");
  }

  private byte[] key(Context context, boolean tx) {
    String customer =
        tx
            ? (context.transaction() == null ? null : context.transaction().getCustomerId())
            : (context.label() == null ? null : context.label().getCustomerId());
    return (customer == null ? "hostile-" + random.nextInt(100) : customer)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A valid value for the input (a fresh id, the context's times), as the deserializer wants. */
  private byte[] valid(Input input, Context context) {
    return input == Input.TRANSACTIONS
        ? transactions.serialize(transactionsTopic, someTx(context))
        : labels.serialize(labelsTopic, someLabel(context));
  }

  private Transaction someTx(Context context) {
    if (context.transaction() != null) {
      return fresh(context.transaction());
    }
    return Transaction.newBuilder()
        .setTransactionId(nextId())
        .setEventTime(Instant.parse("2018-04-01T00:00:00Z"))
        .setCustomerId("c-hostile")
        .setTerminalId("t-hostile")
        .setAmount(new BigDecimal("12.34"))
        .build();
  }

  private Label someLabel(Context context) {
    if (context.label() != null) {
      return fresh(context.label());
    }
    Transaction t = someTx(context);
    return Label.newBuilder()
        .setTransactionId(t.getTransactionId())
        .setEventTime(t.getEventTime().plus(Duration.ofHours(1)))
        .setTransactionTime(t.getEventTime())
        .setCustomerId(t.getCustomerId())
        .setTerminalId(t.getTerminalId())
        .setFraud(false)
        .setFraudScenario(0)
        .build();
  }

  private Transaction fresh(Transaction like) {
    return Transaction.newBuilder(like).setTransactionId(nextId()).build();
  }

  private Label fresh(Label like) {
    return Label.newBuilder(like).setTransactionId(nextId()).build();
  }

  private String nextId() {
    return "hostile-" + counter++;
  }

  private byte[] at(Input input, Context context, Instant time) {
    if (input == Input.TRANSACTIONS) {
      Transaction t = fresh(context.transaction());
      t.setEventTime(time);
      return transactions.serialize(transactionsTopic, t);
    }
    Label l = fresh(context.label());
    l.setEventTime(time);
    return labels.serialize(labelsTopic, l);
  }

  private static Transaction withId(Transaction t, String id) {
    t.setTransactionId(id);
    return t;
  }

  private static Label withId(Label l, String id) {
    l.setTransactionId(id);
    return l;
  }

  private String badId() {
    return switch (random.nextInt(6)) {
      case 0 -> "";
      case 1 -> "tx " + random.nextInt(1000);
      case 2 -> "'; DROP TABLE cards; --";
      case 3 -> "x".repeat(65 + random.nextInt(1000));
      case 4 -> "tx-\u00e9\u00e8-" + random.nextInt(1000);
      default -> "-leading-dash-" + random.nextInt(1000);
    };
  }

  private byte[] wrongFieldType(Input input, Context context) {
    if (input == Input.TRANSACTIONS) {
      Transaction t = someTx(context);
      Schema schema =
          new Schema.Parser()
              .parse(
                  "{\"type\":\"record\",\"name\":\"Transaction\",\"namespace\":\"dev.sluice.avro\","
                      + "\"fields\":[{\"name\":\"transactionId\",\"type\":\"string\"},"
                      + "{\"name\":\"eventTime\",\"type\":{\"type\":\"long\","
                      + "\"logicalType\":\"timestamp-millis\"}},"
                      + "{\"name\":\"customerId\",\"type\":\"string\"},"
                      + "{\"name\":\"terminalId\",\"type\":\"string\"},"
                      + "{\"name\":\"amount\",\"type\":\"double\"}]}");
      GenericRecord record = new GenericData.Record(schema);
      record.put("transactionId", t.getTransactionId());
      record.put("eventTime", t.getEventTime().toEpochMilli());
      record.put("customerId", t.getCustomerId());
      record.put("terminalId", t.getTerminalId());
      record.put(
          "amount",
          switch (random.nextInt(3)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            default -> t.getAmount().doubleValue();
          });
      return generic.serialize("hostile-double-amount", record);
    }
    Label l = someLabel(context);
    Schema schema =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"Label\",\"namespace\":\"dev.sluice.avro\","
                    + "\"fields\":[{\"name\":\"transactionId\",\"type\":\"string\"},"
                    + "{\"name\":\"eventTime\",\"type\":{\"type\":\"long\","
                    + "\"logicalType\":\"timestamp-millis\"}},"
                    + "{\"name\":\"transactionTime\",\"type\":{\"type\":\"long\","
                    + "\"logicalType\":\"timestamp-millis\"}},"
                    + "{\"name\":\"customerId\",\"type\":\"string\"},"
                    + "{\"name\":\"terminalId\",\"type\":\"string\"},"
                    + "{\"name\":\"fraud\",\"type\":\"string\"},"
                    + "{\"name\":\"fraudScenario\",\"type\":\"int\"}]}");
    GenericRecord record = new GenericData.Record(schema);
    record.put("transactionId", l.getTransactionId());
    record.put("eventTime", l.getEventTime().toEpochMilli());
    record.put("transactionTime", l.getTransactionTime().toEpochMilli());
    record.put("customerId", l.getCustomerId());
    record.put("terminalId", l.getTerminalId());
    record.put("fraud", random.nextBoolean() ? "yes" : "true");
    record.put("fraudScenario", 0);
    return generic.serialize("hostile-string-fraud", record);
  }

  private byte[] badMagic() {
    byte[] value = new byte[1 + random.nextInt(300)];
    random.nextBytes(value);
    if (value[0] == 0) {
      value[0] = (byte) (1 + random.nextInt(255));
    }
    return value;
  }

  private byte[] truncatedHeader() {
    byte[] value = new byte[1 + random.nextInt(4)];
    random.nextBytes(value);
    value[0] = 0;
    return value;
  }

  /** JSON as a misconfigured producer sends it: small objects, or nested, escaped, up to 64 KiB. */
  private byte[] json() {
    StringBuilder text = new StringBuilder();
    int target = random.nextInt(4) == 0 ? random.nextInt(MAX_JSON_BYTES) : random.nextInt(200);
    text.append(random.nextBoolean() ? "{\"transactionId\":\"tx-1\",\"amount\":12.5" : "[");
    int depth = 0;
    while (text.length() < target - 20) {
      switch (random.nextInt(4)) {
        case 0 -> {
          text.append(",{\"n\":");
          depth++;
        }
        case 1 -> text.append("\"\\u0000\\\"\\\\ \u00fc\",");
        default -> text.append(random.nextDouble()).append(',');
      }
    }
    text.append("null");
    text.append("}".repeat(depth));
    text.append(text.charAt(0) == '[' ? "]" : "}");
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private long rand(long bound) {
    return (long) (random.nextDouble() * bound);
  }

  private static byte[] withSchemaId(byte[] wire, int id) {
    byte[] copy = wire.clone();
    ByteBuffer.wrap(copy, 1, 4).putInt(id);
    return copy;
  }
}
