package dev.sluice.cli.report;

import static dev.sluice.cli.report.ReportFixtures.alert;
import static dev.sluice.cli.report.ReportFixtures.drift;
import static dev.sluice.cli.report.ReportFixtures.errors;
import static dev.sluice.cli.report.ReportFixtures.metrics;
import static dev.sluice.cli.report.ReportFixtures.retraining;

import dev.sluice.avro.Alert;
import dev.sluice.avro.AlertState;
import dev.sluice.avro.DriftResult;
import dev.sluice.avro.MetricsStatus;
import dev.sluice.avro.ModelMetrics;
import dev.sluice.avro.RetrainingEvent;
import dev.sluice.avro.RetrainingEventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a report of a synthetic 75-day closed loop to {@code var/report/sample.html} (or the path
 * given), to look at the renderer's output in a browser: champion v3 decays after a drift on day
 * 38, alarms fire, a scheduled run's v4 is rejected on day 20, an alert-triggered run's v5 is
 * shadow-scored from day 42, promoted on day 45 and confirmed on day 52. Run with the test class
 * path: {@code java -cp ... dev.sluice.cli.report.SampleReport [out.html [screenshot.png]]}; the
 * screenshot is taken as {@code sluice report --screenshot} takes it.
 */
public final class SampleReport {
  static final int DAYS = 75;
  static final int DRIFT_DAY = 38;

  private SampleReport() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "var/report/sample.html");
    Files.createDirectories(out.toAbsolutePath().getParent());
    ReportRenderer.Page page = ReportRenderer.renderPage(data());
    Files.writeString(out, page.html(), StandardCharsets.UTF_8);
    System.out.println(out.toAbsolutePath() + " (about " + page.height() + " px tall)");
    if (args.length > 1) {
      Path png = Path.of(args[1]);
      Screenshot.take(Screenshot.requireChromium(), out, png, page.height() + 40);
      System.out.println(png.toAbsolutePath());
    }
  }

  static ReportData data() {
    Random random = new Random(7);
    List<ModelMetrics> metrics = new ArrayList<>();
    for (int d = 0; d < DAYS; d++) {
      // The last week's labels are still arriving: provisional, first a partial one, then more.
      boolean provisional = d >= DAYS - 7;
      MetricsStatus status = provisional ? MetricsStatus.PROVISIONAL : MetricsStatus.FINAL;
      double decay = d < DRIFT_DAY ? 0 : Math.min(0.12, (d - DRIFT_DAY) * 0.02);
      double v3 = 0.89 - decay + random.nextGaussian() * 0.012;
      double v5 = 0.9 + random.nextGaussian() * 0.01;
      if (d < 45) {
        metrics.add(metrics(3, false, d, status, v3, 0.62 - decay * 2, 24));
      } else {
        metrics.add(metrics(3, true, d, status, v3, 0.62 - decay * 2, 24));
      }
      if (d >= 42 && d < 45) {
        metrics.add(metrics(5, true, d, status, v5, 0.66, 24));
      } else if (d >= 45) {
        if (provisional) {
          metrics.add(metrics(5, false, d, MetricsStatus.PROVISIONAL, v5 - 0.05, 0.5, 2));
        }
        metrics.add(metrics(5, false, d, status, v5, 0.66 + random.nextGaussian() * 0.02, 30));
      }
      if (d == 10) {
        // One day without a positive label: the AUC is undefined.
        metrics.set(
            metrics.size() - 1, metrics(3, false, d, MetricsStatus.FINAL, Double.NaN, 0.6, 24));
      }
    }
    List<DriftResult> drift = new ArrayList<>();
    String[] features = {
      "amount",
      "customer_id_nb_tx_1day_window",
      "customer_id_nb_tx_7day_window",
      "customer_id_nb_tx_30day_window",
      "customer_id_avg_amount_1day_window",
      "customer_id_avg_amount_7day_window",
      "customer_id_avg_amount_30day_window",
      "terminal_id_nb_tx_1day_window",
      "terminal_id_nb_tx_7day_window",
      "terminal_id_risk_1day_window",
      "terminal_id_risk_7day_window",
      "terminal_id_risk_30day_window",
      "tx_during_weekend",
      "tx_during_night",
      "score",
      "label"
    };
    for (int d = 30; d < DAYS; d++) {
      for (String f : features) {
        boolean shifts =
            f.equals("amount") || f.startsWith("terminal_id_risk") || f.equals("score");
        double psi = 0.02 + Math.abs(random.nextGaussian()) * 0.02;
        if (shifts && d >= DRIFT_DAY) {
          psi += Math.min(0.5, (d - DRIFT_DAY + 1) * (f.equals("amount") ? 0.06 : 0.025));
        }
        drift.add(drift(f, d, psi, 0.2));
      }
      drift.add(errors("errors/page_hinkley", d < 45 ? 3 : 5, d, d == 40 || d == 41 ? 1 : 0));
      drift.add(errors("errors/ddm", d < 45 ? 3 : 5, d, d == 39 ? 1 : 0));
    }
    List<Alert> alerts = new ArrayList<>();
    alerts.add(alert("feature-psi", "amount", 40, AlertState.FIRING, 3));
    alerts.add(alert("feature-psi", "terminal_id_risk_7day_window", 44, AlertState.FIRING, 3));
    alerts.add(alert("feature-psi", "terminal_id_risk_30day_window", 44, AlertState.FIRING, 3));
    alerts.add(alert("auc-drop", "auc_roc", 41, AlertState.FIRING, 3));
    alerts.add(alert("errors-page-hinkley", "errors/page_hinkley", 40, AlertState.FIRING, 3));
    alerts.add(alert("errors-page-hinkley", "errors/page_hinkley", 43, AlertState.RESOLVED, 3));
    alerts.add(alert("auc-drop", "auc_roc", 48, AlertState.RESOLVED, 5));
    List<RetrainingEvent> loop = new ArrayList<>();
    loop.add(retraining(RetrainingEventType.STARTED, 20.01, 4, 3, ""));
    loop.add(retraining(RetrainingEventType.SUCCEEDED, 20.05, 4, 3, ""));
    loop.add(
        retraining(
            RetrainingEventType.REJECTED,
            20.05,
            4,
            3,
            "offline gate: holdout AUC 0.871 not above the champion's 0.884"));
    loop.add(retraining(RetrainingEventType.REQUESTED, 42.0, null, 3, ""));
    loop.add(retraining(RetrainingEventType.STARTED, 42.02, 5, 3, ""));
    loop.add(retraining(RetrainingEventType.SUCCEEDED, 42.1, 5, 3, ""));
    loop.add(
        retraining(
            RetrainingEventType.CHALLENGER,
            42.1,
            5,
            3,
            "holdout AUC 0.902 vs champion 0.861: shadow-scored from now on"));
    loop.add(
        retraining(
            RetrainingEventType.PROMOTED,
            45.0,
            5,
            3,
            "live AUC 0.897 vs champion 0.812 over 3 days of shadow scores"));
    loop.add(
        retraining(
            RetrainingEventType.CONFIRMED,
            52.0,
            5,
            5,
            "live AUC 0.899 vs previous champion 0.78 over 7 days"));
    return ReportData.of(ReportFixtures.MODEL, metrics, drift, alerts, loop);
  }
}
