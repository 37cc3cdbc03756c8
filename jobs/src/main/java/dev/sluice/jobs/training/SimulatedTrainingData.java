package dev.sluice.jobs.training;

import dev.sluice.jobs.BackfillJob;
import dev.sluice.jobs.FlinkEnvironments;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import dev.sluice.state.CheckpointSettings;
import dev.sluice.state.offline.OfflineStoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A training set from a fresh simulation instead of an existing offline store: simulates the
 * handbook's population into Avro files, backfills the features in Flink's BATCH mode ({@link
 * BackfillJob}, the streaming job's operators) into an offline store, then builds the training set
 * from it ({@link OfflineTrainingData}), all under one working directory.
 *
 * <p>The simulation starts {@link #HISTORY_DAYS} days before the first training day by default: the
 * terminal features look back 30 days behind the 7-day delay, and a compromised terminal stays
 * compromised for 28 days, so the first training day already has complete windows. The handbook
 * starts on 2018-04-01; pass that as {@code start} to reproduce it more literally.
 */
public final class SimulatedTrainingData {
  /**
   * Days before the first training day that the features read: 30-day windows behind a 7-day delay.
   */
  public static final int HISTORY_DAYS = 37;

  private SimulatedTrainingData() {}

  /**
   * The simulator configuration covering {@code start} to the split's last test day, with the
   * handbook's defaults otherwise (radius 5, label delay, no drift).
   *
   * @param start first simulated day, or null for {@link #HISTORY_DAYS} before the training days
   * @throws IllegalArgumentException if {@code start} is after the first training day
   */
  public static SimulatorConfig config(
      TrainingSplit split, int customers, int terminals, long seed, LocalDate start) {
    LocalDate first = start != null ? start : split.trainStart().minusDays(HISTORY_DAYS);
    if (first.isAfter(split.trainStart())) {
      throw new IllegalArgumentException(
          "the simulation must start by the first training day "
              + split.trainStart()
              + ", got "
              + first);
    }
    int days = (int) ChronoUnit.DAYS.between(first, split.test().endExclusive());
    return SimulatorConfig.builder()
        .customers(customers)
        .terminals(terminals)
        .seed(seed)
        .start(first.atStartOfDay(ZoneOffset.UTC).toInstant())
        .days(days)
        .build();
  }

  /**
   * Simulates, backfills and builds the training set.
   *
   * @param config what to simulate; it must cover the split's days
   * @param split the train / delay / test days
   * @param risk the terminal-risk semantics of the features
   * @param workDir directory for the simulated files, the offline store and Flink's files; the
   *     caller deletes it
   * @param parallelism of the backfill
   * @param progress receives one line per stage
   */
  public static OfflineTrainingData.Result build(
      SimulatorConfig config,
      TrainingSplit split,
      FraudFeatures.TerminalRisk risk,
      Path workDir,
      int parallelism,
      Consumer<String> progress)
      throws Exception {
    Objects.requireNonNull(progress, "progress");
    Path events = workDir.resolve("events");
    progress.accept(
        String.format(
            "simulating %,d customers, %,d terminals, %d days from %s (seed %d) into %s",
            config.customers(),
            config.terminals(),
            config.days(),
            config.start(),
            config.seed(),
            events));
    SimulationSummary summary;
    try (AvroFilesSink sink = new AvroFilesSink(events, config.toString())) {
      summary = SimulationRunner.runAll(new Simulation(config), sink);
    } catch (IOException e) {
      throw new IOException("cannot write the simulated events to " + events + ": " + e, e);
    }
    progress.accept(
        String.format(
            "simulated %,d transactions and %,d labels in %.1f s",
            summary.transactions(), summary.labels(), summary.elapsed().toMillis() / 1e3));

    String offline = workDir.resolve("offline").toUri().toString();
    progress.accept("backfilling features (" + risk + ") into " + offline);
    long start = System.nanoTime();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            FlinkEnvironments.configuration(
                // BATCH execution takes no checkpoints; the configuration requires a directory.
                new CheckpointSettings(
                    workDir.resolve("checkpoints").toUri(), Duration.ofMinutes(10), 0)));
    env.setParallelism(parallelism);
    BackfillJob.run(
        env,
        new BackfillJob.Config(
            BackfillJob.From.FILES,
            events.toString(),
            null,
            null,
            null,
            null,
            offline,
            risk,
            null));
    progress.accept(String.format("backfill done in %.1f s", (System.nanoTime() - start) / 1e9));
    return OfflineTrainingData.build(
        new OfflineStoreLayout(offline), FraudFeatures.featureSet(risk), split);
  }
}
