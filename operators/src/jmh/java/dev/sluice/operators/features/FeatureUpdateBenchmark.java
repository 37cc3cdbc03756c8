package dev.sluice.operators.features;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-event work of {@link FeatureViewFunction} without Flink, for one key whose {@link
 * ObservationLog} already holds {@code observations} observations, on views shaped like the fraud
 * demo's ({@code jobs}' {@code FraudFeatures}, rebuilt here because operators cannot depend on
 * jobs):
 *
 * <ul>
 *   <li>{@code customer_spending}: one input, COUNT and MEAN over {@code (t - n days, t]}, n in 1,
 *       7, 30 (horizon 30 days);
 *   <li>{@code terminal_risk}: transactions and labels, COUNT and SUM/COUNT ratios over {@code (t -
 *       7 - n days, t - 7 days]} (horizon 37 days); half the observations are labels.
 * </ul>
 *
 * Benchmarks (ns per event):
 *
 * <ul>
 *   <li>{@link #addAndEvaluate}: {@link ObservationLog#add} of one new observation (it copies the
 *       five arrays) and {@link ViewEvaluator#evaluate} at its time: the CPU work with a heap-like
 *       state that hands out the object.
 *   <li>{@link #serializeAndDeserialize}: one serialize and one deserialize of the log with the
 *       {@link TypeSerializer} Flink derives for {@code ValueState<ObservationLog>}: with RocksDB
 *       (what {@code CheckpointSettings} configures) every {@code value()} deserializes and every
 *       {@code update()} serializes.
 *   <li>{@link #fullEventWithRocksDbSerde}: what one row-emitting event costs with RocksDB: {@code
 *       processElement} (deserialize, add, serialize) then {@code onTimer} (deserialize,
 *       evaluate); the RocksDB get/put themselves, the pending-rows MapState and the timers are not
 *       included.
 * </ul>
 *
 * Every invocation starts from the same {@code observations}-sized log (add never mutates the
 * arrays it replaces, so a fresh wrapper around them is the log as the key had it).
 *
 * <pre>{@code
 * mvn -B -pl operators -Pbench process-test-classes -Djmh.args="FeatureUpdateBenchmark -wi 2 -i 3 -w 2s -r 2s"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class FeatureUpdateBenchmark {
  private static final int[] WINDOW_DAYS = {1, 7, 30};
  private static final Duration DELAY = Duration.ofDays(7);

  /** Observations the key's log holds before the event. */
  @Param({"10", "100", "1000"})
  public int observations;

  @Param({"customer_spending", "terminal_risk"})
  public String view;

  private ViewEvaluator evaluator;
  private TypeSerializer<ObservationLog> serializer;
  private ObservationLog base;
  private byte[] baseBytes;
  private FeatureEvent event;
  private final DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
  private final DataInputDeserializer in = new DataInputDeserializer();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    boolean terminal = view.equals("terminal_risk");
    FeatureView featureView = terminal ? terminalRisk() : customerSpending();
    evaluator = new ViewEvaluator(featureView);
    serializer =
        TypeInformation.of(ObservationLog.class).createSerializer(new SerializerConfigImpl());

    // The key's history: `observations` spread evenly over the view's horizon before `now`.
    long now = Instant.parse("2026-06-01T12:00:00Z").toEpochMilli();
    long horizon = featureView.horizon().toMillis();
    Random random = new Random(42);
    base = new ObservationLog();
    for (int i = 0; i < observations; i++) {
      FeatureEvent e = new FeatureEvent();
      e.entityId = "k";
      e.eventId = "e" + i;
      e.time = now - horizon + (long) ((i + random.nextDouble()) * horizon / observations);
      e.knownAt = e.time;
      boolean label = terminal && i % 2 == 1;
      e.input = (byte) (label ? 1 : 0);
      e.value = terminal ? (label ? (random.nextInt(20) == 0 ? 1 : 0) : 1) : 100 + random.nextInt(20_000);
      e.emitsRow = !label;
      base.add(e);
    }
    event = new FeatureEvent();
    event.entityId = "k";
    event.eventId = "now";
    event.time = now;
    event.knownAt = now;
    event.value = terminal ? 1 : 4_250;
    event.input = 0;
    event.emitsRow = true;

    out.clear();
    serializer.serialize(base, out);
    baseBytes = out.getCopyOfBuffer();
    System.out.printf(
        "%n%s, %d observations: serializer %s, %d bytes serialized, %d features%n",
        view,
        observations,
        serializer.getClass().getName(),
        baseBytes.length,
        featureView.features().size());
  }

  /** A log with the base's arrays: what {@code value()} hands out for the key. */
  private ObservationLog baseLog() {
    ObservationLog log = new ObservationLog();
    log.time = base.time;
    log.knownAt = base.knownAt;
    log.value = base.value;
    log.category = base.category;
    log.input = base.input;
    log.cleanupAt = base.cleanupAt;
    return log;
  }

  @Benchmark
  public double[] addAndEvaluate() {
    ObservationLog log = baseLog();
    log.add(event);
    return evaluator.evaluate(log, event.time);
  }

  @Benchmark
  public ObservationLog serializeAndDeserialize() throws IOException {
    out.clear();
    serializer.serialize(base, out);
    in.setBuffer(out.getSharedBuffer(), 0, out.length());
    return serializer.deserialize(in);
  }

  @Benchmark
  public double[] fullEventWithRocksDbSerde() throws IOException {
    // processElement: log.value(), add, log.update(...)
    in.setBuffer(baseBytes);
    ObservationLog log = serializer.deserialize(in);
    log.add(event);
    out.clear();
    serializer.serialize(log, out);
    // onTimer(t): log.value(), evaluate
    in.setBuffer(out.getSharedBuffer(), 0, out.length());
    ObservationLog atTimer = serializer.deserialize(in);
    return evaluator.evaluate(atTimer, event.time);
  }

  /** As {@code FraudFeatures.customerSpending()}. */
  static FeatureView customerSpending() {
    ViewInput<Transaction> transactions =
        new ViewInput<>(
            "transactions",
            Transaction.class,
            "entity=customerId, time=knownAt=eventTime, value=amount in cents",
            true,
            2,
            Transaction::getCustomerId,
            Transaction::getTransactionId,
            Transaction::getEventTime,
            Transaction::getEventTime,
            tx -> tx.getAmount().movePointRight(2).longValueExact(),
            tx -> 0L);
    List<Feature> features = new ArrayList<>();
    for (int n : WINDOW_DAYS) {
      features.add(
          new Feature.Aggregate(
              "CUSTOMER_ID_NB_TX_" + n + "DAY_WINDOW",
              "transactions",
              Aggregation.COUNT,
              Window.last(Duration.ofDays(n))));
      features.add(
          new Feature.Aggregate(
              "CUSTOMER_ID_AVG_AMOUNT_" + n + "DAY_WINDOW",
              "transactions",
              Aggregation.MEAN,
              Window.last(Duration.ofDays(n))));
    }
    return new FeatureView(
        "customer_spending",
        "customer",
        "benchmark copy of the fraud demo's customer spending",
        Duration.ofDays(30),
        List.of(transactions),
        features);
  }

  /** As {@code FraudFeatures.terminalRisk(AS_KNOWN)}. */
  static FeatureView terminalRisk() {
    ViewInput<Transaction> transactions =
        new ViewInput<>(
            "transactions",
            Transaction.class,
            "entity=terminalId, time=knownAt=eventTime, value=1",
            true,
            0,
            Transaction::getTerminalId,
            Transaction::getTransactionId,
            Transaction::getEventTime,
            Transaction::getEventTime,
            tx -> 1L,
            tx -> 0L);
    ViewInput<Label> labels =
        new ViewInput<>(
            "labels",
            Label.class,
            "entity=terminalId, time=transactionTime, knownAt=eventTime, value=fraud?1:0",
            false,
            0,
            Label::getTerminalId,
            Label::getTransactionId,
            Label::getTransactionTime,
            Label::getEventTime,
            label -> label.getFraud() ? 1L : 0L,
            label -> 0L);
    List<Feature> features = new ArrayList<>();
    for (int n : WINDOW_DAYS) {
      Window window = Window.delayed(Duration.ofDays(n), DELAY);
      Feature.Aggregate count =
          new Feature.Aggregate(
              "TERMINAL_ID_NB_TX_" + n + "DAY_WINDOW", "transactions", Aggregation.COUNT, window);
      features.add(count);
      features.add(
          new Feature.Ratio(
              "TERMINAL_ID_RISK_" + n + "DAY_WINDOW",
              new Feature.Aggregate("NB_FRAUD_" + n + "DAY", "labels", Aggregation.SUM, window),
              count));
    }
    return new FeatureView(
        "terminal_risk",
        "terminal",
        "benchmark copy of the fraud demo's terminal risk",
        Duration.ofDays(37),
        List.of(transactions, labels),
        features);
  }
}
