package dev.sluice.jobs.training;

import dev.sluice.avro.Label;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.DtRange;
import dev.sluice.state.offline.HistorySources;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * A retraining data set from the offline store, built data-parallel by a Flink job in BATCH mode:
 * every transaction of {@code [from, to)} with a row from every view of a {@link FeatureSet} and a
 * label as known at {@code knownBy}. It joins what {@link OfflineTrainingData} joins in one JVM,
 * and adds the label's known time, so a retraining at {@code knownBy} can be replayed with only the
 * labels it would have had.
 *
 * <pre>
 * per view: FileSource over the dt days overlapping [from, to)
 *   -> rows with event time in [from, to) -> one part per row --------+
 * raw/labels: FileSource over the dt days from from's day on          +-> union
 *   -> labels of transactions in [from, to) -> one part per label ----+
 * union -> keyBy(transaction id) -> reduce(merge parts) -> classify -> collected here
 * </pre>
 *
 * A part is a {@link TransactionParts}; {@link TransactionParts#merge} is the join.
 *
 * <p><b>State</b>: the keyed reduce keeps one merged part per transaction id. In BATCH execution
 * the keyed input is sorted by key (spilling to disk when it does not fit managed memory), so only
 * the current key's part is in memory, and the reduce emits it once, when the key ends; nothing is
 * kept across keys and there are no timers of our own.
 *
 * <p><b>Labels</b> are archived by the day they became known (their event time). They are read from
 * {@code from}'s day to the end of the archive, not only to {@code knownBy}'s day: the labels known
 * after {@code knownBy} are not used, but counted ({@link Result#labelsNotYetKnown()}), which tells
 * how many examples a later retraining would gain.
 *
 * <p><b>Types</b>: rows are {@link ViewRow} POJOs, labels Avro records, parts POJOs; the job is
 * built with generic (Kryo) types disabled, so a type that would fall back to Kryo fails at once.
 */
public final class LabelledHistoryJob {
  public static final String JOB_NAME = "sluice labelled history";

  private LabelledHistoryJob() {}

  /**
   * A transaction's features with its label as known at {@code knownBy}.
   *
   * @param example the features, as of the transaction
   * @param fraud the label
   * @param labelKnownAt when that label became known (its event time), epoch ms; a later label of
   *     the same transaction, known by {@code knownBy}, replaces an earlier one
   */
  public record LabelledExample(FeatureExample example, boolean fraud, long labelKnownAt) {
    public LabelledExample {
      Objects.requireNonNull(example, "example");
    }
  }

  /**
   * The data set and what was read to build it. Complete transactions (a row from every view) are
   * {@code examples.size() + unlabelled + labelsNotYetKnown}.
   *
   * @param examples labelled transactions, sorted by event time, then transaction id
   * @param viewRowsRead view rows with an event time in {@code [from, to)}, of any version
   * @param otherVersionsSkipped of those, rows of another version of their view than the set's
   * @param replacedRows of those, rows that lost to a later-written row of the same view and
   *     transaction with other values (the store holds the transaction twice, e.g. from a replay)
   * @param incompleteTransactions transactions with rows from some views but not all
   * @param unlabelled complete transactions without any label
   * @param labelsNotYetKnown complete transactions whose every label became known after {@code
   *     knownBy}
   * @param took wall-clock time of {@link #collect}, job start-up included
   */
  public record Result(
      List<LabelledExample> examples,
      long viewRowsRead,
      long otherVersionsSkipped,
      long replacedRows,
      long incompleteTransactions,
      long unlabelled,
      long labelsNotYetKnown,
      Duration took) {
    public Result {
      examples = List.copyOf(examples);
      Objects.requireNonNull(took, "took");
    }

    public String format() {
      long frauds = examples.stream().filter(LabelledExample::fraud).count();
      return String.format(
          "labelled examples: %d (%d frauds); view rows read: %d; skipped as another view"
              + " version: %d; replaced by a later write: %d; transactions missing a view's row: %d;"
              + " unlabelled: %d; labels not yet known: %d; took %.1f s%n",
          examples.size(),
          frauds,
          viewRowsRead,
          otherVersionsSkipped,
          replacedRows,
          incompleteTransactions,
          unlabelled,
          labelsNotYetKnown,
          took.toMillis() / 1e3);
    }
  }

  /**
   * Labelled transactions of {@code [from, to)} with every view's row, labels as known at {@code
   * knownBy}; runs a BATCH job (on an in-process cluster unless the context provides one) and
   * collects its output here. Bounds are at millisecond precision.
   *
   * @param layout the offline store: the set's views and {@code raw/labels}
   * @param features the views to join, at their current versions
   * @param parallelism of every operator; files are the unit of the sources' parallelism
   * @throws IllegalArgumentException when the store, a view's or the label archive's directory does
   *     not exist (naming it), or {@code from} is not before {@code to}
   * @throws Exception when the job fails, e.g. on a file that does not fit its view or on two rows
   *     of one transaction written at the same instant with other values, or conflicting labels
   */
  public static Result collect(
      OfflineStoreLayout layout,
      FeatureSet<?> features,
      Instant from,
      Instant to,
      Instant knownBy,
      int parallelism)
      throws Exception {
    long start = System.nanoTime();
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(knownBy, "knownBy");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    checkPeriod(from.toEpochMilli(), to.toEpochMilli());
    checkStore(layout, features);
    StreamExecutionEnvironment env = environment(parallelism);
    DataStream<TransactionParts> transactions =
        define(
            env, layout, features, from.toEpochMilli(), to.toEpochMilli(), knownBy.toEpochMilli());

    List<LabelledExample> examples = new ArrayList<>();
    long viewRows = 0;
    long otherVersions = 0;
    long replaced = 0;
    long incomplete = 0;
    long unlabelled = 0;
    long notYetKnown = 0;
    try (CloseableIterator<TransactionParts> it = transactions.executeAndCollect(JOB_NAME)) {
      while (it.hasNext()) {
        TransactionParts t = it.next();
        viewRows += t.viewRows + t.otherVersionRows;
        otherVersions += t.otherVersionRows;
        replaced += t.replacedRows;
        switch (t.outcome) {
          case EXAMPLE -> examples.add(t.toExample());
          case INCOMPLETE -> incomplete++;
          case UNLABELLED -> unlabelled++;
          case LABEL_NOT_YET_KNOWN -> notYetKnown++;
          case NO_ROW -> {}
        }
      }
    }
    examples.sort(
        Comparator.comparingLong((LabelledExample e) -> e.example().eventTime())
            .thenComparing(e -> e.example().transactionId()));
    return new Result(
        examples,
        viewRows,
        otherVersions,
        replaced,
        incomplete,
        unlabelled,
        notYetKnown,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * Defines the job on {@code env} (switched to BATCH): one classified {@link TransactionParts} per
   * transaction id with a row or label in range. Times are epoch ms; {@code to} is exclusive.
   */
  static DataStream<TransactionParts> define(
      StreamExecutionEnvironment env,
      OfflineStoreLayout layout,
      FeatureSet<?> features,
      long from,
      long to,
      long knownBy) {
    checkPeriod(from, to);
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    TransactionParts.Columns columns = new TransactionParts.Columns(features);
    LocalDate firstDay = OfflineStoreLayout.dateOf(from);
    DtRange days = DtRange.between(firstDay, OfflineStoreLayout.dateOf(to - 1));

    DataStream<TransactionParts> parts = null;
    for (int v = 0; v < columns.schemas.size(); v++) {
      ViewSchema view = columns.schemas.get(v);
      String source = "history-view-" + view.view() + "-source";
      String rows = "history-view-" + view.view() + "-rows";
      DataStream<TransactionParts> viewParts =
          env.fromSource(
                  HistorySources.viewRows(layout, view, days),
                  WatermarkStrategy.noWatermarks(),
                  source)
              .uid(source)
              .name(source)
              .flatMap(new RowsInPeriod(v, columns, from, to), TransactionParts.TYPE)
              .uid(rows)
              .name(rows);
      parts = parts == null ? viewParts : parts.union(viewParts);
    }
    String labelSource = "history-labels-source";
    DataStream<TransactionParts> labelParts =
        env.fromSource(
                HistorySources.rawArchive(
                    layout, OfflineStoreLayout.LABELS, Label.class, new DtRange(firstDay, null)),
                WatermarkStrategy.noWatermarks(),
                labelSource,
                new AvroTypeInfo<>(Label.class))
            .uid(labelSource)
            .name(labelSource)
            .flatMap(new LabelsInPeriod(from, to, knownBy), TransactionParts.TYPE)
            .uid("history-labels")
            .name("history-labels");

    return parts
        .union(labelParts)
        .keyBy(p -> p.transactionId, Types.STRING)
        .reduce(new MergeParts(columns))
        .uid("history-join")
        .name("history-join")
        .map(new Classify(columns), TransactionParts.TYPE)
        .uid("history-classify")
        .name("history-classify");
  }

  /**
   * The environment of the context (a cluster's client under {@code flink run}, a test's
   * MiniCluster), or else an in-process cluster on loopback: a local environment starts a REST
   * endpoint even without the web UI, here on any free port. BATCH, no restarts (a failure is
   * reported, not retried), no Kryo.
   */
  static StreamExecutionEnvironment environment(int parallelism) {
    Configuration conf = FlinkEnvironments.onLoopback(new Configuration());
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    return env;
  }

  private static void checkPeriod(long from, long to) {
    if (from >= to) {
      throw new IllegalArgumentException(
          "empty period: from "
              + Instant.ofEpochMilli(from)
              + " is not before to "
              + Instant.ofEpochMilli(to));
    }
  }

  /** Fails before the job starts when a directory the sources list does not exist. */
  private static void checkStore(OfflineStoreLayout layout, FeatureSet<?> features)
      throws IOException {
    Path base = layout.base();
    FileSystem fs = base.getFileSystem();
    if (!fs.exists(base)) {
      throw new IllegalArgumentException(
          "no offline store at " + layout.baseUri() + ": the directory does not exist");
    }
    for (ViewSchema view : features.schemas()) {
      Path dir = layout.viewDir(view.view());
      if (!fs.exists(dir)) {
        throw new IllegalArgumentException(
            "the offline store at "
                + layout.baseUri()
                + " has no rows of feature view "
                + view.view()
                + " ("
                + dir
                + " does not exist): backfill feature set "
                + features.name()
                + " into it first");
      }
    }
    Path labels = layout.rawDir(OfflineStoreLayout.LABELS);
    if (!fs.exists(labels)) {
      throw new IllegalArgumentException(
          "the offline store at "
              + layout.baseUri()
              + " has no label archive ("
              + labels
              + " does not exist)");
    }
  }

  /** A view's rows with an event time in {@code [from, to)}, as parts. */
  private static final class RowsInPeriod implements FlatMapFunction<ViewRow, TransactionParts> {
    private static final long serialVersionUID = 1L;
    private final int view;
    private final TransactionParts.Columns columns;
    private final long from;
    private final long to;

    RowsInPeriod(int view, TransactionParts.Columns columns, long from, long to) {
      this.view = view;
      this.columns = columns;
      this.from = from;
      this.to = to;
    }

    @Override
    public void flatMap(ViewRow row, Collector<TransactionParts> out) {
      if (row.eventTime >= from && row.eventTime < to) {
        out.collect(TransactionParts.ofRow(row, view, columns));
      }
    }
  }

  /** Labels of transactions in {@code [from, to)}, as parts known or not yet known. */
  private static final class LabelsInPeriod implements FlatMapFunction<Label, TransactionParts> {
    private static final long serialVersionUID = 1L;
    private final long from;
    private final long to;
    private final long knownBy;

    LabelsInPeriod(long from, long to, long knownBy) {
      this.from = from;
      this.to = to;
      this.knownBy = knownBy;
    }

    @Override
    public void flatMap(Label label, Collector<TransactionParts> out) {
      long transactionTime = label.getTransactionTime().toEpochMilli();
      if (transactionTime >= from && transactionTime < to) {
        out.collect(TransactionParts.ofLabel(label, knownBy));
      }
    }
  }

  /** Merges the parts of one transaction into the first (which the reduce owns). */
  private static final class MergeParts implements ReduceFunction<TransactionParts> {
    private static final long serialVersionUID = 1L;
    private final TransactionParts.Columns columns;

    MergeParts(TransactionParts.Columns columns) {
      this.columns = columns;
    }

    @Override
    public TransactionParts reduce(TransactionParts merged, TransactionParts part) {
      return merged.merge(part, columns);
    }
  }

  /** Sets each transaction's outcome. */
  private static final class Classify implements MapFunction<TransactionParts, TransactionParts> {
    private static final long serialVersionUID = 1L;
    private final TransactionParts.Columns columns;

    Classify(TransactionParts.Columns columns) {
      this.columns = columns;
    }

    @Override
    public TransactionParts map(TransactionParts transaction) {
      transaction.classify(columns);
      return transaction;
    }
  }
}
