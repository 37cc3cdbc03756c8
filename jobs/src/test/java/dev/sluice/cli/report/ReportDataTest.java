package dev.sluice.cli.report;

import static dev.sluice.cli.report.ReportFixtures.day;
import static dev.sluice.cli.report.ReportFixtures.metrics;
import static dev.sluice.cli.report.ReportFixtures.retraining;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Filtering the topics' records to one model, and what the summary counts. */
class ReportDataTest {
  @Test
  void keepsTheModelsRecordsInTopicOrder() {
    ModelMetrics second = metrics(3, false, 2, MetricsStatus.FINAL, 0.8, 0.5, 24);
    ModelMetrics first = metrics(3, false, 1, MetricsStatus.FINAL, 0.8, 0.5, 24);
    ModelMetrics other = ModelMetrics.newBuilder(first).setModelName("churn").build();
    RetrainingEvent otherEvent =
        RetrainingEvent.newBuilder(retraining(RetrainingEventType.STARTED, 1, 4, 3, ""))
            .setModelName("churn")
            .build();

    ReportData data =
        ReportData.of(
            "fraud", List.of(second, other, first), List.of(), List.of(), List.of(otherEvent));

    assertThat(data.metrics()).containsExactly(second, first);
    assertThat(data.retraining()).isEmpty();
    assertThat(data.isEmpty()).isFalse();
    assertThat(ReportData.of("churn", List.of(second), List.of(), List.of(), List.of()).isEmpty())
        .isTrue();
  }

  @Test
  void summarySpansWindowsToTheirLastInstantAndCountsDistinctRuns() {
    List<RetrainingEvent> loop =
        List.of(
            retraining(RetrainingEventType.STARTED, 5, 4, 3, ""),
            // A replayed STARTED of the same run is one run.
            retraining(RetrainingEventType.STARTED, 5, 4, 3, ""),
            retraining(RetrainingEventType.STARTED, 6, 5, 3, ""),
            retraining(RetrainingEventType.PROMOTED, 7, 5, 3, ""));
    ReportData data =
        ReportData.of(
            "fraud",
            List.of(metrics(3, false, 9, MetricsStatus.PROVISIONAL, 0.8, 0.5, 2)),
            List.of(),
            List.of(),
            loop);

    ReportData.Summary summary = data.summary();
    assertThat(summary.first()).isEqualTo(day(5));
    assertThat(summary.last()).isEqualTo(day(10).minusMillis(1));
    assertThat(summary.runs()).isEqualTo(2);
    assertThat(summary.promotions()).isEqualTo(1);
    assertThat(summary.rollbacks()).isZero();
    assertThat(summary.alarms()).isZero();
  }
}
