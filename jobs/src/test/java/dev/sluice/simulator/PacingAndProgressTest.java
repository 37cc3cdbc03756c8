package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorFixtures.small;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Pacing deadlines, the wall-clock start, progress lines and the summary, on a fake clock. */
class PacingAndProgressTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void rateSpacesEventsEvenly() {
    Pacer pacer = Pacer.forTest(200, false, 0, 1, () -> 0L);
    assertThat(pacer.deadlineNanos(0)).isEqualTo(0);
    assertThat(pacer.deadlineNanos(0)).isEqualTo(SECOND / 200);
    assertThat(pacer.deadlineNanos(0)).isEqualTo(2 * SECOND / 200);
  }

  @Test
  void wallClockSendsPastEventsAtOnceAndLaterOnesAtTheirTimeSpedUp() {
    long now = 1_000_000;
    Pacer realTime = Pacer.forTest(0, true, now, 1, () -> 0L);
    assertThat(realTime.deadlineNanos(now - 5_000)).isEqualTo(Pacer.NO_DEADLINE);
    assertThat(realTime.deadlineNanos(now + 2_000)).isEqualTo(2 * SECOND);
    Pacer fast = Pacer.forTest(0, true, now, 60, () -> 0L);
    assertThat(fast.deadlineNanos(now + 60_000)).isEqualTo(SECOND);
    Pacer capped = Pacer.forTest(1, true, now, 60, () -> 0L);
    capped.deadlineNanos(now);
    assertThat(capped.deadlineNanos(now + 1)).isEqualTo(SECOND);
  }

  @Test
  void catchUpSendsEarlyEventsAtOnceThenPacesFromTheSwitch() throws InterruptedException {
    AtomicLong clock = new AtomicLong();
    Pacer pacer = Pacer.catchUp(1_000, 0, Pacer.forTest(2, false, 0, 1, clock::get));
    for (long t = 0; t < 1_000; t++) {
      assertThat(pacer.await(t, () -> true)).isTrue();
    }
    // The paced part's clock starts at its first event, not at construction: no burst to catch up.
    clock.set(5 * SECOND);
    assertThat(pacer.await(1_000, () -> true)).isTrue();
    assertThat(pacer.deadlineNanos(1_001)).isEqualTo(5 * SECOND + SECOND / 2);
    assertThat(pacer.await(1_002, () -> true)).isFalse();
  }

  @Test
  void eventsInThePastAreNotHeldBack() throws InterruptedException {
    long now = System.currentTimeMillis();
    Pacer pacer = Pacer.wallClock(now, 1, 0);
    long started = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      assertThat(pacer.await(now - 86_400_000L + i, () -> false)).isTrue();
    }
    assertThat(pacer.await(now + 20, () -> false)).isTrue();
    assertThat(System.nanoTime() - started).isLessThan(SECOND);
  }

  @Test
  void aStopRequestEndsTheWait() throws InterruptedException {
    long now = System.currentTimeMillis();
    Pacer pacer = Pacer.wallClock(now, 1, 0);
    long started = System.nanoTime();
    assertThat(pacer.await(now + 3_600_000, () -> System.nanoTime() - started > SECOND / 2))
        .isFalse();
    assertThat(System.nanoTime() - started).isLessThan(2 * SECOND);
  }

  @Test
  void wallClockStartIsTodaysMidnightOrNow() {
    Instant now = Instant.parse("2026-11-05T17:42:13.250Z");
    assertThat(Pacer.wallClockStart(now, true)).isEqualTo(Instant.parse("2026-11-05T00:00:00Z"));
    assertThat(Pacer.wallClockStart(now, false)).isEqualTo(Instant.parse("2026-11-05T17:42:13Z"));
  }

  @Test
  void progressLinesReportEventsRateDayAndEta() {
    AtomicLong clock = new AtomicLong();
    StringWriter text = new StringWriter();
    ProgressReporter progress =
        new ProgressReporter(new PrintWriter(text, true), Duration.ofSeconds(3), 0, clock::get);
    Simulation simulation = new Simulation(small().days(10).build());
    long events = 0;
    while (simulation.hasNext()) {
      SimulatedEvent event = simulation.next();
      events++;
      clock.addAndGet(1_000_000); // 1 ms per event
      progress.onEvent(simulation, event.eventTimeMillis());
    }
    String[] lines = text.toString().split("\n");
    assertThat(lines.length).isGreaterThan(2);
    assertThat(lines[0])
        .matches(
            "simulate: [\\d,]+ events \\([\\d,]+ tx, [\\d,]+ labels\\), 1,000 events/s, day \\d+/10, ETA \\d+s");
    assertThat(lines[lines.length - 1])
        .contains("all transactions sent")
        .contains("labels pending");
    assertThat(events).isPositive();
    assertThat(ProgressReporter.human(Duration.ofSeconds(3725))).isEqualTo("1h02m");
  }

  @Test
  void summaryReportsCountsAndFraudPerScenario() throws Exception {
    SimulatorConfig config = small().labelLoss(0.5).build();
    SimulationSummary summary;
    try (CountingSink sink = new CountingSink()) {
      summary = SimulationRunner.runAll(new Simulation(config), sink);
      assertThat(sink.written).isEqualTo(summary.events());
    }
    String text = summary.format();
    assertThat(text)
        .startsWith("simulated: ")
        .contains("over 40 days from 2018-04-01, seed 7")
        .contains("1 amount > 220", "2 compromised terminal", "3 compromised card")
        .doesNotContain("4 night card testing")
        .contains("events/s");
    assertThat(summary.lostLabels()).isPositive();
  }

  @Test
  void aStopRequestEndsTheRunEarly() throws Exception {
    SimulationSummary summary =
        SimulationRunner.run(
            new Simulation(small().build()),
            new CountingSink(),
            Pacer.unlimited(),
            ProgressReporter.silent(),
            new java.util.function.BooleanSupplier() {
              int calls;

              @Override
              public boolean getAsBoolean() {
                return ++calls > 1000;
              }
            });
    assertThat(summary.complete()).isFalse();
    assertThat(summary.events()).isEqualTo(1000);
    assertThat(summary.format()).startsWith("stopped early: ");
  }

  private static final class CountingSink implements EventSink {
    long written;

    @Override
    public void write(SimulatedEvent event) {
      written++;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
