package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.Label;
import dev.sluice.avro.Transaction;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.operators.features.FeatureView;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.SimulatedEvent;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.testing.FlinkTestCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice features list}, {@code sluice features training-set} and {@code sluice job
 * backfill} without external services: the backfill reads the simulator's Avro files and runs as a
 * BATCH job on the test MiniCluster; the training set is read back from its CSV and checked against
 * the simulated history, with the split and the test-set cleaning worked out here from the
 * handbook's rule.
 */
class FeaturesCommandTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  /** 50 customers for 40 days from 2018-04-01; a tenth of the labels lost, so some are missing. */
  private static final SimulatorConfig SIMULATION =
      SimulatorConfig.builder()
          .customers(50)
          .terminals(300)
          .radius(10)
          .days(40)
          .seed(5)
          .labelLoss(0.1)
          .build();

  /** Train 04-10..04-16, delay 04-17..04-19, test 04-20..04-24 (UTC). */
  private static final String SPLIT = "2018-04-10/7/3/5";

  private static final LocalDate TRAIN_START = LocalDate.of(2018, 4, 10);
  private static final int TRAIN_DAYS = 7;
  private static final int DELAY_DAYS = 3;
  private static final int TEST_DAYS = 5;
  private static final LocalDate TEST_START = TRAIN_START.plusDays(TRAIN_DAYS + DELAY_DAYS);

  /** The handbook's model inputs (chapter 3.4), in its order. */
  private static final List<String> FEATURES =
      List.of(
          "TX_AMOUNT",
          "TX_DURING_WEEKEND",
          "TX_DURING_NIGHT",
          "CUSTOMER_ID_NB_TX_1DAY_WINDOW",
          "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW",
          "CUSTOMER_ID_NB_TX_7DAY_WINDOW",
          "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW",
          "CUSTOMER_ID_NB_TX_30DAY_WINDOW",
          "CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW",
          "TERMINAL_ID_NB_TX_1DAY_WINDOW",
          "TERMINAL_ID_RISK_1DAY_WINDOW",
          "TERMINAL_ID_NB_TX_7DAY_WINDOW",
          "TERMINAL_ID_RISK_7DAY_WINDOW",
          "TERMINAL_ID_NB_TX_30DAY_WINDOW",
          "TERMINAL_ID_RISK_30DAY_WINDOW");

  private static final List<String> FIXED_BEFORE =
      List.of("transaction_id", "event_time", "customer_id", "terminal_id", "split");
  private static final String LABEL_COLUMN = "TX_FRAUD";

  @TempDir static Path shared;

  /** Built by the first test that needs it (the MiniCluster is the test's environment then). */
  private static Path offlineStore;

  private static History history;

  // ---------------------------------------------------------------------------------------------
  // features list

  @Test
  void listPrintsEveryViewItsVersionAndTheFifteenFeatures() {
    Result r = sluice("features", "list");
    assertThat(r.code()).as(r.err()).isZero();
    FeatureSet<Transaction> set = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
    assertThat(r.out())
        .contains("feature set fraud_handbook, version " + set.version())
        .contains("view transaction (the event itself, offline only), version " + eventVersion(set))
        .contains("labels as known at t")
        .doesNotContain("as in the handbook");
    assertViewLine(r.out(), "customer_spending", "customer", Duration.ofDays(30), set);
    assertViewLine(r.out(), "terminal_risk", "terminal", Duration.ofDays(37), set);
    for (String feature : FEATURES) {
      assertThat(r.out()).as(feature).containsPattern("(?m)^  " + feature + " ");
    }
    // The terminal risk's inputs are listed, so a reader sees which labels it counts.
    assertThat(r.out()).contains("input transactions:", "input labels:");
  }

  @Test
  void handbookTerminalRiskIsAnotherVersionOfOnlyThatView() {
    Result asKnown = sluice("features", "list");
    Result handbook = sluice("features", "list", "--terminal-risk", "handbook");
    assertThat(handbook.code()).as(handbook.err()).isZero();
    FeatureSet<Transaction> hb = FraudFeatures.featureSet(TerminalRisk.HANDBOOK);
    FeatureSet<Transaction> ak = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
    String hbRisk = view(hb, "terminal_risk").version();
    String akRisk = view(ak, "terminal_risk").version();
    assertThat(hbRisk).isNotEqualTo(akRisk);
    assertViewLine(handbook.out(), "terminal_risk", "terminal", Duration.ofDays(37), hb);
    assertThat(handbook.out())
        .contains("feature set fraud_handbook, version " + hb.version())
        .contains("as in the handbook")
        .doesNotContain(akRisk)
        .doesNotContain(ak.version());
    // Customer spending does not depend on the terminal-risk semantics.
    String spending = view(ak, "customer_spending").version();
    assertThat(view(hb, "customer_spending").version()).isEqualTo(spending);
    assertThat(handbook.out()).contains("version " + spending);
    assertThat(asKnown.out()).contains("version " + spending);
    // The option is case- and separator-tolerant, as its parser says.
    assertThat(sluice("features", "list", "--terminal-risk", "AS_KNOWN").out())
        .isEqualTo(asKnown.out());
  }

  @Test
  void unknownTerminalRiskNamesTheAllowedValues() {
    Result r = sluice("features", "list", "--terminal-risk", "sometimes");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("'sometimes'")
        .contains("as-known or handbook")
        .doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("feature set");
  }

  // ---------------------------------------------------------------------------------------------
  // features training-set

  @Test
  void trainingSetIsSplitByDayCleanedAndCarriesTheSimulatedValues() throws Exception {
    Path store = offlineStore();
    Path csv = shared.resolve("out").resolve("training.csv");
    Result r =
        sluice(
            "features",
            "training-set",
            "--offline-store",
            store.toString(),
            "--split",
            SPLIT,
            "--out",
            csv.toString());
    assertThat(r.code()).as(r.err()).isZero();

    // What the split and the handbook's cleaning must give, from the simulation itself.
    Expected expected = expected(history);
    assertThat(expected.trainIds()).as("fixture: train rows").hasSizeGreaterThan(300);
    assertThat(expected.trainFraudCustomers()).as("fixture: train frauds").isNotEmpty();
    assertThat(expected.removed()).as("fixture: cleaning removes rows").isPositive();
    assertThat(expected.testIds()).as("fixture: test rows").hasSizeGreaterThan(20);
    assertThat(expected.unlabelled()).as("fixture: lost labels").isPositive();

    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(",", -1));
    List<String> expectedHeader = new ArrayList<>(FIXED_BEFORE);
    expectedHeader.addAll(FEATURES);
    expectedHeader.add(LABEL_COLUMN);
    assertThat(header).containsExactlyElementsOf(expectedHeader);

    Set<String> train = new HashSet<>();
    Set<String> test = new HashSet<>();
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = row(header, line);
      String id = row.get("transaction_id");
      Transaction tx = history.transactions().get(id);
      assertThat(tx).as("row of an unknown transaction: %s", line).isNotNull();
      LocalDate day = utcDay(tx.getEventTime());
      String split = row.get("split");
      if (!day.isBefore(TRAIN_START) && day.isBefore(TRAIN_START.plusDays(TRAIN_DAYS))) {
        assertThat(split).as(line).isEqualTo("train");
        assertThat(train.add(id)).as("duplicate %s", id).isTrue();
      } else if (!day.isBefore(TEST_START) && day.isBefore(TEST_START.plusDays(TEST_DAYS))) {
        assertThat(split).as(line).isEqualTo("test");
        assertThat(test.add(id)).as("duplicate %s", id).isTrue();
      } else {
        throw new AssertionError("row outside train and test days (" + day + "): " + line);
      }
      assertThat(Instant.parse(row.get("event_time"))).as(line).isEqualTo(tx.getEventTime());
      assertThat(row.get("customer_id")).as(line).isEqualTo(tx.getCustomerId());
      assertThat(row.get("terminal_id")).as(line).isEqualTo(tx.getTerminalId());
      assertThat(Double.parseDouble(row.get("TX_AMOUNT")))
          .as(line)
          .isEqualTo(tx.getAmount().doubleValue());
      assertThat(row.get(LABEL_COLUMN))
          .as(line)
          .isEqualTo(history.labels().get(id).getFraud() ? "1" : "0");
      assertFeaturesFromTheirDefinition(tx, row, line);
    }
    assertThat(train).containsExactlyInAnyOrderElementsOf(expected.trainIds());
    assertThat(test).containsExactlyInAnyOrderElementsOf(expected.testIds());
    for (String id : test) {
      assertThat(expected.trainFraudCustomers())
          .as("test row %s of a card with a fraud in the training days", id)
          .doesNotContain(history.transactions().get(id).getCustomerId());
    }

    assertThat(r.out())
        .contains("training split " + SPLIT)
        .contains(
            String.format(
                Locale.ROOT,
                "train 2018-04-10..2018-04-16: %,d transactions",
                expected.trainIds().size()))
        .contains("delay 2018-04-17..2018-04-19: dropped")
        .contains(
            String.format(
                Locale.ROOT,
                "test  2018-04-20..2018-04-24: %,d transactions",
                expected.testIds().size()))
        .contains(
            String.format(
                Locale.ROOT, "%,d removed as known-compromised cards", expected.removed()))
        .contains(
            String.format(
                Locale.ROOT,
                "skipped: %,d unlabelled transactions, 0 labels without a feature row",
                expected.unlabelled()))
        .contains("written: " + csv.toAbsolutePath() + " (CSV)");
  }

  @Test
  void existingOutputIsRefusedUnlessOverwriteIsGiven() throws Exception {
    Path store = offlineStore();
    Path csv = shared.resolve("again").resolve("training.csv");
    String[] args = {
      "features",
      "training-set",
      "--offline-store",
      store.toString(),
      "--split",
      SPLIT,
      "--out",
      csv.toString()
    };
    assertThat(sluice(args).code()).isZero();
    byte[] first = Files.readAllBytes(csv);

    Result again = sluice(args);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err())
        .contains(csv.toAbsolutePath().toString())
        .contains("already exists")
        .doesNotContain("\tat ");
    assertThat(Files.readAllBytes(csv)).isEqualTo(first);
    try (Stream<Path> files = Files.list(csv.getParent())) {
      assertThat(files).as("no temporary file left behind").containsExactly(csv);
    }

    String[] overwrite =
        Stream.concat(Stream.of(args), Stream.of("--overwrite")).toArray(String[]::new);
    assertThat(sluice(overwrite).code()).isZero();
    assertThat(Files.readAllBytes(csv)).isEqualTo(first);
  }

  @Test
  void parquetOutputIsChosenByTheSuffix() throws Exception {
    Path parquet = shared.resolve("training.PARQUET");
    Result r =
        sluice(
            "features",
            "training-set",
            "--offline-store",
            offlineStore().toString(),
            "--split",
            SPLIT,
            "--out",
            parquet.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(parquet).isNotEmptyFile();
    assertThat(r.out()).contains("written: " + parquet.toAbsolutePath() + " (PARQUET)");
    // Parquet files start and end with the magic bytes PAR1.
    byte[] bytes = Files.readAllBytes(parquet);
    assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
  }

  @Test
  void badSplitIsNamed(@TempDir Path dir) {
    Result month = trainingSet(dir, "2018-13-01/7/7/7", dir.resolve("t.csv"));
    assertThat(month.code()).isIn(1, 2);
    assertThat(month.err())
        .contains("'2018-13-01'")
        .contains("not a date like 2018-07-25")
        .contains("TRAIN_START/TRAIN_DAYS/DELAY_DAYS/TEST_DAYS")
        .doesNotContain("\tat ");

    Result parts = trainingSet(dir, "2018-04-10/7/7", dir.resolve("t.csv"));
    assertThat(parts.code()).isIn(1, 2);
    assertThat(parts.err()).contains("'2018-04-10/7/7'").contains("4 parts");

    Result zero = trainingSet(dir, "2018-04-10/0/3/5", dir.resolve("t.csv"));
    assertThat(zero.code()).isIn(1, 2);
    assertThat(zero.err()).contains("'2018-04-10/0/3/5'").contains("got 0");
    assertThat(dir.resolve("t.csv")).doesNotExist();
  }

  @Test
  void unknownOutputSuffixIsRefusedBeforeReadingTheStore(@TempDir Path dir) {
    Path out = dir.resolve("training.xlsx");
    Result r = trainingSet(dir.resolve("no-store"), SPLIT, out);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("training.xlsx").contains("*.parquet or *.csv");
    assertThat(out).doesNotExist();
  }

  @Test
  void missingStoreSaysWhatToRunFirst(@TempDir Path dir) {
    Path out = dir.resolve("t.csv");
    Result r = trainingSet(dir.resolve("no-such-store"), SPLIT, out);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("no offline store at")
        .contains("no-such-store")
        .contains("backfill")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void emptyStoreSaysWhatToRunFirst(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("t.csv");
    Files.createDirectories(dir.resolve("empty-store").resolve("features"));
    Result r = trainingSet(dir.resolve("empty-store"), SPLIT, out);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("no labelled transaction")
        .contains(SPLIT)
        .contains("backfill")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  // ---------------------------------------------------------------------------------------------
  // job backfill argument errors

  @Test
  void backfillFromAnUnknownSourceNamesTheChoices(@TempDir Path dir) {
    Result r =
        sluice(
            "job",
            "backfill",
            "--from",
            "nowhere",
            "--offline-store",
            dir.resolve("store").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("'nowhere'").contains("archive, files or kafka");
  }

  @Test
  void backfillFromFilesNeedsInput(@TempDir Path dir) {
    Result r =
        sluice(
            "job", "backfill", "--from", "files", "--offline-store", dir.resolve("s").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--from files needs --input");
  }

  @Test
  void backfillFromADirectoryWithoutSimulatorFilesSaysHowToMakeThem(@TempDir Path dir)
      throws Exception {
    Path input = Files.createDirectories(dir.resolve("not-simulated"));
    Result r =
        sluice(
            "job",
            "backfill",
            "--from",
            "files",
            "--input",
            input.toString(),
            "--offline-store",
            dir.resolve("store").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("transactions.avro")
        .contains(input.toString())
        .contains("sluice simulate")
        .doesNotContain("\tat ");
  }

  // ---------------------------------------------------------------------------------------------
  // fixtures

  /**
   * Simulates {@link #SIMULATION} to Avro files and backfills an offline store from them through
   * the CLI, once for the class.
   */
  private static synchronized Path offlineStore() throws Exception {
    if (offlineStore != null) {
      return offlineStore;
    }
    Path files = shared.resolve("simulated");
    try (AvroFilesSink sink = new AvroFilesSink(files, "features-command-test")) {
      SimulationRunner.runAll(new Simulation(SIMULATION), sink);
    }
    Map<String, Transaction> transactions = new LinkedHashMap<>();
    Map<String, Label> labels = new HashMap<>();
    Simulation replay = new Simulation(SIMULATION);
    while (replay.hasNext()) {
      SimulatedEvent e = replay.next();
      if (e instanceof SimulatedEvent.TransactionEvent tx) {
        transactions.put(tx.transaction().getTransactionId(), tx.transaction());
      } else if (e instanceof SimulatedEvent.LabelEvent label) {
        Label previous = labels.put(label.label().getTransactionId(), label.label());
        assertThat(previous).as("fixture: one label per transaction").isNull();
      }
    }
    Path store = shared.resolve("offline");
    Result r =
        sluice(
            "job",
            "backfill",
            "--from",
            "files",
            "--input",
            files.toString(),
            "--offline-store",
            store.toString(),
            "--parallelism",
            "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("backfill finished in ").contains(store.toString());
    history = new History(transactions, labels);
    offlineStore = store;
    return store;
  }

  /**
   * The simulated history: transactions by id (in event-time order) and their labels, and the
   * transaction times of each customer and terminal.
   */
  private record History(
      Map<String, Transaction> transactions,
      Map<String, Label> labels,
      Map<String, List<Instant>> timesByCustomer,
      Map<String, List<Instant>> timesByTerminal) {
    History(Map<String, Transaction> transactions, Map<String, Label> labels) {
      this(transactions, labels, new HashMap<>(), new HashMap<>());
      for (Transaction tx : transactions.values()) {
        timesByCustomer
            .computeIfAbsent(tx.getCustomerId(), c -> new ArrayList<>())
            .add(tx.getEventTime());
        timesByTerminal
            .computeIfAbsent(tx.getTerminalId(), c -> new ArrayList<>())
            .add(tx.getEventTime());
      }
    }
  }

  /** How many of {@code times} lie in {@code (from, to]}. */
  private static long countIn(List<Instant> times, Instant from, Instant to) {
    return times.stream().filter(time -> time.isAfter(from) && !time.isAfter(to)).count();
  }

  /**
   * The split and cleaning worked out from the simulation, following the handbook's {@code
   * get_train_test_set}: train rows are the labelled transactions of the training days; the cards
   * known to be compromised start as the customers with a fraud in the training days, and before
   * test day {@code k} (0-based) the frauds of day {@code trainStart + trainDays + k - 1} join
   * them; a test-day transaction of a known card is removed.
   */
  private record Expected(
      Set<String> trainIds,
      Set<String> testIds,
      Set<String> trainFraudCustomers,
      int removed,
      int unlabelled) {}

  private static Expected expected(History h) {
    Set<String> trainIds = new HashSet<>();
    Set<String> trainFraudCustomers = new HashSet<>();
    Map<LocalDate, List<Transaction>> byDay = new HashMap<>();
    int unlabelled = 0;
    for (Transaction tx : h.transactions().values()) {
      LocalDate day = utcDay(tx.getEventTime());
      byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(tx);
      Label label = h.labels().get(tx.getTransactionId());
      boolean train = !day.isBefore(TRAIN_START) && day.isBefore(TRAIN_START.plusDays(TRAIN_DAYS));
      boolean testDay = !day.isBefore(TEST_START) && day.isBefore(TEST_START.plusDays(TEST_DAYS));
      if (label == null) {
        if (train || testDay) {
          unlabelled++;
        }
        continue;
      }
      if (train) {
        trainIds.add(tx.getTransactionId());
        if (label.getFraud()) {
          trainFraudCustomers.add(tx.getCustomerId());
        }
      }
    }
    Set<String> known = new HashSet<>(trainFraudCustomers);
    Set<String> testIds = new HashSet<>();
    int removed = 0;
    for (int k = 0; k < TEST_DAYS; k++) {
      LocalDate newlyKnownDay = TRAIN_START.plusDays(TRAIN_DAYS + k - 1);
      for (Transaction tx : byDay.getOrDefault(newlyKnownDay, List.of())) {
        Label label = h.labels().get(tx.getTransactionId());
        if (label != null && label.getFraud()) {
          known.add(tx.getCustomerId());
        }
      }
      for (Transaction tx : byDay.getOrDefault(TEST_START.plusDays(k), List.of())) {
        if (!h.labels().containsKey(tx.getTransactionId())) {
          continue;
        }
        if (known.contains(tx.getCustomerId())) {
          removed++;
        } else {
          testIds.add(tx.getTransactionId());
        }
      }
    }
    return new Expected(trainIds, testIds, trainFraudCustomers, removed, unlabelled);
  }

  /**
   * One feature of each kind and view, from its definition (FraudFeatures' Javadoc): the event's
   * weekend and night flags, the customer's transaction counts over {@code (t - n days, t]} and the
   * terminal's over {@code (t - 7 - n days, t - 7 days]}. They pin the columns of each view to the
   * right place in the training set's rows.
   */
  private static void assertFeaturesFromTheirDefinition(
      Transaction tx, Map<String, String> row, String line) {
    ZonedDateTime utc = tx.getEventTime().atZone(ZoneOffset.UTC);
    boolean weekend =
        utc.getDayOfWeek() == DayOfWeek.SATURDAY || utc.getDayOfWeek() == DayOfWeek.SUNDAY;
    assertThat(Double.parseDouble(row.get("TX_DURING_WEEKEND")))
        .as(line)
        .isEqualTo(weekend ? 1 : 0);
    assertThat(Double.parseDouble(row.get("TX_DURING_NIGHT")))
        .as(line)
        .isEqualTo(utc.getHour() <= 6 ? 1 : 0);
    Instant t = tx.getEventTime();
    for (int n : new int[] {1, 7, 30}) {
      Instant from = t.minus(Duration.ofDays(n));
      long customerCount = countIn(history.timesByCustomer().get(tx.getCustomerId()), from, t);
      assertThat(Double.parseDouble(row.get("CUSTOMER_ID_NB_TX_" + n + "DAY_WINDOW")))
          .as("%s\n%s", "CUSTOMER_ID_NB_TX_" + n + "DAY_WINDOW", line)
          .isEqualTo(customerCount);
      Instant delayed = t.minus(FraudFeatures.DELAY);
      Instant delayedFrom = delayed.minus(Duration.ofDays(n));
      long terminalCount =
          countIn(history.timesByTerminal().get(tx.getTerminalId()), delayedFrom, delayed);
      assertThat(Double.parseDouble(row.get("TERMINAL_ID_NB_TX_" + n + "DAY_WINDOW")))
          .as("%s\n%s", "TERMINAL_ID_NB_TX_" + n + "DAY_WINDOW", line)
          .isEqualTo(terminalCount);
    }
  }

  private static Map<String, String> row(List<String> header, String line) {
    String[] cells = line.split(",", -1);
    assertThat(cells).as("cells of %s", line).hasSize(header.size());
    Map<String, String> row = new HashMap<>();
    for (int i = 0; i < cells.length; i++) {
      row.put(header.get(i), cells[i]);
    }
    return row;
  }

  private static LocalDate utcDay(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * The list's line of a view names its entity, its TTL (in any form {@link DurationConverter}
   * reads) and its version.
   */
  private static void assertViewLine(
      String out, String view, String entity, Duration ttl, FeatureSet<?> set) {
    Matcher line =
        Pattern.compile("(?m)^view " + view + ", entity (\\S+), ttl (.+), version (\\S+)$")
            .matcher(out);
    assertThat(line.find()).as("line of view %s in\n%s", view, out).isTrue();
    assertThat(line.group(1)).as(view).isEqualTo(entity);
    assertThat(DurationConverter.parse(line.group(2))).as(view).isEqualTo(ttl);
    assertThat(line.group(3)).as(view).isEqualTo(view(set, view).version());
    assertThat(line.find()).as("view %s listed twice", view).isFalse();
  }

  private static FeatureView view(FeatureSet<?> set, String name) {
    return set.views().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  private static String eventVersion(FeatureSet<?> set) {
    return set.eventView().version();
  }

  private static Result trainingSet(Path store, String split, Path out) {
    return sluice(
        "features",
        "training-set",
        "--offline-store",
        store.toString(),
        "--split",
        split,
        "--out",
        out.toString());
  }

  /** What a user sees: the exit code, standard output and standard error. */
  record Result(int code, String out, String err) {}

  /**
   * Runs {@code sluice args...} through {@link CliRun}, also capturing {@code System.out}, where
   * the features and job commands print.
   */
  static Result sluice(String... args) {
    CliRun cli = new CliRun();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = cli.run(args);
    } finally {
      System.out.flush();
      System.setOut(original);
    }
    return new Result(code, captured.toString(StandardCharsets.UTF_8) + cli.out(), cli.err());
  }
}
