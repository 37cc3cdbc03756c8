package dev.sluice.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.avro.Label;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.training.LabelledHistoryJob.LabelledExample;
import dev.sluice.jobs.training.LabelledHistoryJob.Result;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.DtRange;
import dev.sluice.state.offline.OfflineParquetWriters;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreReader;
import dev.sluice.state.testing.FlinkTestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BATCH join against the one-JVM path on a small simulated store (simulated to Avro files and
 * backfilled on the test MiniCluster by {@link SimulatedTrainingData}, once for the class): the
 * same examples as {@link OfflineTrainingData}, labels as known at an instant, other view versions
 * skipped, bounds to the millisecond, and the same result at parallelism 1 and 2.
 */
class LabelledHistoryJobTest {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

  /**
   * 40 simulated days from 2018-04-01; the split uses the last 17 (about 100 transactions a day).
   */
  private static final LocalDate SIMULATION_START = LocalDate.of(2018, 4, 1);

  private static final TrainingSplit SPLIT = new TrainingSplit(LocalDate.of(2018, 4, 24), 7, 3, 7);
  private static final int CUSTOMERS = 50;
  private static final int TERMINALS = 100;
  private static final long SEED = 11;

  /** Known by then, every label is. */
  private static final Instant FAR_FUTURE = Instant.parse("2100-01-01T00:00:00Z");

  private static final FeatureSet<?> FEATURES =
      FraudFeatures.featureSet(FraudFeatures.TerminalRisk.AS_KNOWN);

  private static final Instant FROM = start(SPLIT.trainStart());
  private static final Instant TO = start(SPLIT.test().endExclusive());

  @TempDir static Path dir;

  private static OfflineStoreLayout layout;
  private static OfflineTrainingData.Result reference;

  /** The whole split at parallelism 2 with every label known. */
  private static Result everything;

  @BeforeAll
  static void simulateBackfillAndJoin() throws Exception {
    reference =
        SimulatedTrainingData.build(
            SimulatedTrainingData.config(SPLIT, CUSTOMERS, TERMINALS, SEED, SIMULATION_START),
            SPLIT,
            FraudFeatures.TerminalRisk.AS_KNOWN,
            dir,
            2,
            line -> {});
    layout = new OfflineStoreLayout(dir.resolve("offline").toUri().toString());
    everything = LabelledHistoryJob.collect(layout, FEATURES, FROM, TO, FAR_FUTURE, 2);
  }

  @Test
  void withEveryLabelKnownItJoinsWhatTheOneJvmPathJoins() {
    TrainingSet set = reference.trainingSet();
    assertThat(set.rows()).hasSizeGreaterThan(300);
    assertThat(everything.examples()).isSortedAccordingTo(BY_TIME_THEN_ID);

    // The training days are not cleaned: the same examples, features and labels.
    List<TrainingSet.Row> train = set.rows(TrainingSet.Split.TRAIN);
    assertThat(within(everything.examples(), FROM, start(SPLIT.train().endExclusive())))
        .extracting(e -> new TrainingSet.Row(e.example(), TrainingSet.Split.TRAIN, e.fraud()))
        .containsExactlyElementsOf(train);
    // The test days lose the cards already known to be compromised; nothing else differs.
    List<LabelledExample> testDays = within(everything.examples(), start(SPLIT.test().start()), TO);
    List<TrainingSet.Row> test = set.rows(TrainingSet.Split.TEST);
    assertThat(testDays)
        .extracting(e -> new TrainingSet.Row(e.example(), TrainingSet.Split.TEST, e.fraud()))
        .containsAll(test)
        .hasSize(test.size() + (int) set.summary().testRowsRemovedAsKnownCompromised());

    assertThat(everything.viewRowsRead()).isEqualTo(reference.viewRowsRead()).isPositive();
    assertThat(everything.otherVersionsSkipped()).isEqualTo(reference.otherVersionsSkipped());
    assertThat(everything.incompleteTransactions()).isEqualTo(reference.incompleteRows());
    assertThat(everything.labelsNotYetKnown()).isZero();
    assertThat(everything.examples()).allMatch(e -> e.labelKnownAt() > e.example().eventTime());
  }

  @Test
  void onlyLabelsKnownByTheInstantAreUsedAndTheCountsAddUp() throws Exception {
    Instant knownBy = Instant.parse("2018-05-04T13:17:04.321Z");
    Result result = LabelledHistoryJob.collect(layout, FEATURES, FROM, TO, knownBy, 2);

    Expected expected = Expected.of(layout, FROM, TO, knownBy);
    assertThat(result.examples())
        .extracting(e -> e.example().transactionId() + " " + e.fraud() + " " + e.labelKnownAt())
        .containsExactlyInAnyOrderElementsOf(expected.examples);
    assertThat(result.examples()).allMatch(e -> e.labelKnownAt() <= knownBy.toEpochMilli());
    assertThat(result.unlabelled()).isEqualTo(expected.unlabelled);
    assertThat(result.labelsNotYetKnown()).isEqualTo(expected.notYetKnown).isPositive();
    assertThat(result.examples().size() + result.unlabelled() + result.labelsNotYetKnown())
        .isEqualTo(expected.complete);
    // The features do not depend on when labels are known.
    Map<String, FeatureExample> all = byId(everything.examples());
    assertThat(result.examples())
        .allMatch(e -> e.example().equals(all.get(e.example().transactionId())));
    assertThat(result.examples().size()).isLessThan(everything.examples().size());
  }

  @Test
  void rowsOfAnotherViewVersionAreSkippedAndCounted() throws Exception {
    Path copy = dir.resolve("store-with-another-version");
    copyTree(dir.resolve("offline"), copy);
    OfflineStoreLayout store = new OfflineStoreLayout(copy.toUri().toString());
    ViewSchema customers = FEATURES.schema("customer_spending");
    FeatureExample some = everything.examples().get(everything.examples().size() / 2).example();
    double[] otherValues = new double[customers.columns().size()];
    Arrays.fill(otherValues, 1234.0);
    // Another definition's row for a joined transaction, and one for a transaction without rows.
    writeRows(
        store,
        customers,
        some.eventTime(),
        new ViewRow(
            customers.view(),
            "other-version",
            some.customerId(),
            some.transactionId(),
            some.eventTime(),
            some.eventTime() + 5,
            otherValues),
        new ViewRow(
            customers.view(),
            "other-version",
            some.customerId(),
            "tx-of-another-definition",
            some.eventTime(),
            some.eventTime() + 5,
            otherValues));

    Result result = LabelledHistoryJob.collect(store, FEATURES, FROM, TO, FAR_FUTURE, 2);

    assertThat(result.otherVersionsSkipped()).isEqualTo(2);
    assertThat(result.viewRowsRead()).isEqualTo(everything.viewRowsRead() + 2);
    assertThat(result.incompleteTransactions()).isEqualTo(everything.incompleteTransactions());
    assertThat(result.examples()).isEqualTo(everything.examples());
    // The one-JVM path counts them the same way.
    OfflineTrainingData.Result oneJvm = OfflineTrainingData.build(store, FEATURES, SPLIT);
    assertThat(oneJvm.otherVersionsSkipped()).isEqualTo(2);
    assertThat(oneJvm.viewRowsRead()).isEqualTo(result.viewRowsRead());
  }

  @Test
  void theBoundsHoldToTheMillisecond() throws Exception {
    List<LabelledExample> all = everything.examples();
    FeatureExample first = all.get(all.size() / 3).example();
    FeatureExample last = all.get(2 * all.size() / 3).example();
    assertThat(day(first.eventTime())).isBefore(day(last.eventTime()));
    Instant from = Instant.ofEpochMilli(first.eventTime());
    Instant to = Instant.ofEpochMilli(last.eventTime());

    Result closedOpen = LabelledHistoryJob.collect(layout, FEATURES, from, to, FAR_FUTURE, 2);
    assertThat(closedOpen.examples()).isEqualTo(within(all, from, to));
    assertThat(ids(closedOpen))
        .contains(first.transactionId())
        .doesNotContain(last.transactionId());

    Result shifted =
        LabelledHistoryJob.collect(
            layout, FEATURES, from.plusMillis(1), to.plusMillis(1), FAR_FUTURE, 2);
    assertThat(shifted.examples()).isEqualTo(within(all, from.plusMillis(1), to.plusMillis(1)));
    assertThat(ids(shifted)).contains(last.transactionId()).doesNotContain(first.transactionId());
  }

  @Test
  void parallelismOneGivesTheSameResultAsTwo() throws Exception {
    Result one = LabelledHistoryJob.collect(layout, FEATURES, FROM, TO, FAR_FUTURE, 1);
    assertThat(one.examples()).isEqualTo(everything.examples());
    assertThat(one)
        .usingRecursiveComparison()
        .ignoringFields("examples", "took")
        .isEqualTo(everything);
  }

  @Test
  void aStoreThatDoesNotExistIsNamed() {
    Path missing = dir.resolve("no-such-store");
    OfflineStoreLayout nowhere = new OfflineStoreLayout(missing.toUri().toString());
    assertThatThrownBy(() -> LabelledHistoryJob.collect(nowhere, FEATURES, FROM, TO, FAR_FUTURE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no offline store at")
        .hasMessageContaining(missing.getFileName().toString());
    assertThatThrownBy(() -> LabelledHistoryJob.collect(layout, FEATURES, TO, FROM, FAR_FUTURE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not before");
  }

  private static final Comparator<LabelledExample> BY_TIME_THEN_ID =
      Comparator.comparingLong((LabelledExample e) -> e.example().eventTime())
          .thenComparing(e -> e.example().transactionId());

  private static Instant start(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static LocalDate day(long epochMillis) {
    return OfflineStoreLayout.dateOf(epochMillis);
  }

  private static List<LabelledExample> within(
      List<LabelledExample> examples, Instant from, Instant to) {
    return examples.stream()
        .filter(
            e ->
                e.example().eventTime() >= from.toEpochMilli()
                    && e.example().eventTime() < to.toEpochMilli())
        .toList();
  }

  private static List<String> ids(Result result) {
    return result.examples().stream().map(e -> e.example().transactionId()).toList();
  }

  private static Map<String, FeatureExample> byId(List<LabelledExample> examples) {
    Map<String, FeatureExample> byId = new HashMap<>();
    examples.forEach(e -> byId.put(e.example().transactionId(), e.example()));
    return byId;
  }

  /**
   * What the job should find, worked out with plain Java from the files: transactions of [from, to)
   * with a current-version row of every view; of those, the ones with a label known by {@code
   * knownBy} (the last known wins), with labels only known later, and without any label.
   */
  private record Expected(Set<String> examples, long complete, long unlabelled, long notYetKnown) {
    static Expected of(OfflineStoreLayout layout, Instant from, Instant to, Instant knownBy)
        throws IOException {
      OfflineStoreReader reader = new OfflineStoreReader(layout);
      List<ViewSchema> views = FEATURES.schemas();
      Map<String, Integer> seen = new HashMap<>();
      for (int v = 0; v < views.size(); v++) {
        ViewSchema view = views.get(v);
        int bit = 1 << v;
        for (ViewRow row : reader.readViewRows(view, DtRange.ALL)) {
          if (row.version.equals(view.version())
              && row.eventTime >= from.toEpochMilli()
              && row.eventTime < to.toEpochMilli()) {
            seen.merge(row.eventId, bit, (a, b) -> a | b);
          }
        }
      }
      int all = (1 << views.size()) - 1;
      Set<String> complete = new HashSet<>();
      seen.forEach(
          (id, bits) -> {
            if (bits == all) {
              complete.add(id);
            }
          });
      Map<String, Label> lastKnown = new HashMap<>();
      Set<String> labelledLater = new HashSet<>();
      for (Label label : reader.readRaw(OfflineStoreLayout.LABELS, Label.class, DtRange.ALL)) {
        String id = label.getTransactionId();
        if (!complete.contains(id)) {
          continue;
        }
        if (label.getEventTime().isAfter(knownBy)) {
          labelledLater.add(id);
        } else {
          lastKnown.merge(id, label, (a, b) -> a.getEventTime().isAfter(b.getEventTime()) ? a : b);
        }
      }
      Set<String> examples = new HashSet<>();
      lastKnown.forEach(
          (id, label) ->
              examples.add(
                  id + " " + label.getFraud() + " " + label.getEventTime().toEpochMilli()));
      long notYetKnown = labelledLater.stream().filter(id -> !lastKnown.containsKey(id)).count();
      long unlabelled =
          complete.stream()
              .filter(id -> !lastKnown.containsKey(id) && !labelledLater.contains(id))
              .count();
      return new Expected(examples, complete.size(), unlabelled, notYetKnown);
    }
  }

  /** Writes rows into one extra finished file of the view's partition of {@code eventTime}. */
  private static void writeRows(
      OfflineStoreLayout store, ViewSchema view, long eventTime, ViewRow... rows)
      throws IOException {
    org.apache.flink.core.fs.Path file =
        new org.apache.flink.core.fs.Path(
            store.viewPartition(view.view(), day(eventTime)), "part-extra-0-0.parquet");
    FileSystem fs = file.getFileSystem();
    try (FSDataOutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
      BulkWriter<ViewRow> writer = OfflineParquetWriters.forViewRows(view).create(out);
      for (ViewRow row : rows) {
        writer.addElement(row);
      }
      writer.finish();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
