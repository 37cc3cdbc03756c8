package dev.sluice.cli.report;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import dev.sluice.schemas.registry.RegistryConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What monitoring and the retraining controller wrote about one model, in topic order: the online
 * metrics (provisional and final), the drift results (profile and error-stream), the alerts (firing
 * and resolved) and the closed loop's retraining events.
 */
public record ReportData(
    String model,
    List<ModelMetrics> metrics,
    List<DriftResult> drift,
    List<Alert> alerts,
    List<RetrainingEvent> retraining) {

  public ReportData {
    Objects.requireNonNull(model, "model");
    metrics = List.copyOf(metrics);
    drift = List.copyOf(drift);
    alerts = List.copyOf(alerts);
    retraining = List.copyOf(retraining);
  }

  /** The records of {@code model} among those given (topics hold every model's), order kept. */
  public static ReportData of(
      String model,
      Collection<ModelMetrics> metrics,
      Collection<DriftResult> drift,
      Collection<Alert> alerts,
      Collection<RetrainingEvent> retraining) {
    return new ReportData(
        model,
        metrics.stream().filter(m -> model.equals(m.getModelName())).toList(),
        drift.stream().filter(d -> model.equals(d.getModelName())).toList(),
        alerts.stream().filter(a -> model.equals(a.getModelName())).toList(),
        retraining.stream().filter(r -> model.equals(r.getModelName())).toList());
  }

  /**
   * Reads the four topics from the beginning to their end offsets at the time of the call (see
   * {@link TopicReader}) and keeps {@code model}'s records. A topic that does not exist reads as
   * empty.
   */
  public static ReportData read(
      dev.sluice.state.KafkaClientSettings kafka,
      RegistryConfig registry,
      String model,
      String metricsTopic,
      String driftTopic,
      String alertsTopic,
      String retrainingTopic) {
    try (TopicReader reader = new TopicReader(kafka, registry)) {
      return of(
          model,
          reader.readAll(metricsTopic, ModelMetrics.class),
          reader.readAll(driftTopic, DriftResult.class),
          reader.readAll(alertsTopic, Alert.class),
          reader.readAll(retrainingTopic, RetrainingEvent.class));
    }
  }

  /** Whether there is nothing at all about the model. */
  public boolean isEmpty() {
    return metrics.isEmpty() && drift.isEmpty() && alerts.isEmpty() && retraining.isEmpty();
  }

  /**
   * What the data covers and counts.
   *
   * @param first earliest event time (a window's start, an alert's or a step's time); null when
   *     there is no data
   * @param last latest event time (the last instant of a window, an alert's or a step's time); null
   *     when none
   * @param alarms alerts that fired (not counting their resolutions)
   * @param runs retraining runs that started
   * @param promotions challengers promoted to champion
   * @param rollbacks promotions rolled back
   */
  public record Summary(
      Instant first, Instant last, long alarms, long runs, long promotions, long rollbacks) {}

  public Summary summary() {
    List<Instant> times = new ArrayList<>();
    // Window ends are exclusive: a day window ends just before the next day.
    metrics.forEach(
        m -> times.addAll(List.of(m.getWindowStart(), m.getWindowEnd().minusMillis(1))));
    drift.forEach(d -> times.addAll(List.of(d.getWindowStart(), d.getWindowEnd().minusMillis(1))));
    alerts.forEach(a -> times.add(a.getRaisedAt()));
    retraining.forEach(e -> times.add(e.getAsOf()));
    return new Summary(
        times.stream().min(Comparator.naturalOrder()).orElse(null),
        times.stream().max(Comparator.naturalOrder()).orElse(null),
        alerts.stream().filter(a -> a.getState() == AlertState.FIRING).count(),
        retraining.stream()
            .filter(e -> e.getType() == RetrainingEventType.STARTED)
            .map(e -> e.getRunId() == null ? e.getEventId() : e.getRunId())
            .distinct()
            .count(),
        retraining.stream().filter(e -> e.getType() == RetrainingEventType.PROMOTED).count(),
        retraining.stream().filter(e -> e.getType() == RetrainingEventType.ROLLED_BACK).count());
  }
}
