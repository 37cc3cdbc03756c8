package dev.sluice.simulator;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Drives a {@link Simulation} into a sink: pacing, progress, and the summary at the end. */
public final class SimulationRunner {
  private SimulationRunner() {}

  /**
   * Writes every event (or until {@code stopRequested}), flushes the sink and returns the summary;
   * the caller closes the sink.
   */
  public static SimulationSummary run(
      Simulation simulation,
      EventSink sink,
      Pacer pacer,
      ProgressReporter progress,
      BooleanSupplier stopRequested)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    boolean complete = true;
    while (simulation.hasNext()) {
      if (stopRequested.getAsBoolean()) {
        complete = false;
        break;
      }
      SimulatedEvent event = simulation.next();
      if (!pacer.await(event.eventTimeMillis(), stopRequested)) {
        complete = false;
        break;
      }
      sink.write(event);
      progress.onEvent(simulation, event.eventTimeMillis());
    }
    sink.flush();
    return new SimulationSummary(
        simulation.config(),
        simulation.transactions(),
        simulation.labels(),
        simulation.lostLabels(),
        simulation.pendingLabels(),
        simulation.transactionsByScenario(),
        complete ? simulation.config().days() : simulation.currentDay() + 1,
        Duration.ofNanos(System.nanoTime() - start),
        complete);
  }

  /** Writes the whole simulation as fast as possible, silently, and returns the summary. */
  public static SimulationSummary runAll(Simulation simulation, EventSink sink)
      throws IOException, InterruptedException {
    return run(simulation, sink, Pacer.unlimited(), ProgressReporter.silent(), () -> false);
  }
}
