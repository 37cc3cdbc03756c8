package dev.sluice.cli.report;

import dev.sluice.cli.ConnectionOptions;
import dev.sluice.cli.Project;
import dev.sluice.state.models.ModelRegistryLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice report}: reads what monitoring and the retraining controller wrote about one model
 * (topics model-metrics, drift, alerts and retraining, each from the beginning to its end now) and
 * writes one self-contained HTML page of it (see {@link ReportRenderer}), optionally with a PNG
 * screenshot by headless Chromium. Options are checked, the output written to a temporary file
 * beside the final one and Chromium looked up before Kafka is read, so a mistake costs no wait and
 * a failed run leaves an earlier report in place.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write one self-contained HTML page of what the closed loop did for a model:",
      "online metrics per version, drift per feature with thresholds, alarms and model",
      "changes, all on one event-time axis, read from the monitoring topics.",
      "Needs Kafka and the registry (bin/sluice infra up)."
    })
public final class ReportCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "fraud",
      description = "Registered model to report on (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "HTML file to write (default: var/report/<model>.html in the project).")
  Path out;

  @Option(
      names = "--screenshot",
      paramLabel = "PNG",
      description =
          "Also write a PNG of the page, taken by headless Chromium (Debian package 'chromium').")
  Path screenshot;

  @Option(
      names = "--metrics-topic",
      defaultValue = "model-metrics",
      description = "Default: ${DEFAULT-VALUE}.")
  String metricsTopic;

  @Option(
      names = "--drift-topic",
      defaultValue = "drift",
      description = "Default: ${DEFAULT-VALUE}.")
  String driftTopic;

  @Option(
      names = "--alerts-topic",
      defaultValue = "alerts",
      description = "Default: ${DEFAULT-VALUE}.")
  String alertsTopic;

  @Option(
      names = "--retraining-topic",
      defaultValue = "retraining",
      description = "Default: ${DEFAULT-VALUE}.")
  String retrainingTopic;

  @Override
  public Integer call() throws Exception {
    if (model == null || !ModelRegistryLog.NAME.matcher(model).matches()) {
      throw new ParameterException(
          spec.commandLine(),
          "--model '"
              + model
              + "' is not a model name (lower case letters, digits, '-' and '_', starting with a"
              + " letter)");
    }
    Path html = (out != null ? out : Project.home().resolve("var/report/" + model + ".html"));
    html = html.toAbsolutePath().normalize();
    Path png = screenshot == null ? null : screenshot.toAbsolutePath().normalize();
    Path pending = pendingFile(html, "--out");
    try {
      Path chromium = null;
      if (png != null) {
        Files.deleteIfExists(pendingFile(png, "--screenshot"));
        chromium = Screenshot.requireChromium();
      }
      ReportData data =
          ReportData.read(
              connection.kafka(),
              connection.registry(),
              model,
              metricsTopic,
              driftTopic,
              alertsTopic,
              retrainingTopic);
      ReportRenderer.Page page = ReportRenderer.renderPage(data);
      Files.writeString(pending, page.html(), StandardCharsets.UTF_8);
      // createTempFile makes the file owner-only; a report is meant to be shared.
      try {
        Files.setPosixFilePermissions(
            pending, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: its defaults apply.
      }
      Files.move(pending, html, StandardCopyOption.REPLACE_EXISTING);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println("report: " + html);
      if (png != null) {
        Screenshot.take(chromium, html, png, Math.max(600, Math.min(page.height() + 40, 16_000)));
        stdout.println("screenshot: " + png);
      }
      stdout.println(describe(data));
      stdout.flush();
      return 0;
    } finally {
      Files.deleteIfExists(pending);
    }
  }

  /** The one-line summary printed after the paths. */
  static String describe(ReportData data) {
    ReportData.Summary s = data.summary();
    if (s.first() == null) {
      return "no monitoring data for model "
          + data.model()
          + " yet: the page says so (run the job with monitoring, e.g. bin/sluice demo)";
    }
    return String.format(
        "%s: event time %s to %s; %d alarm(s) fired, %d retraining run(s), %d promotion(s), %d"
            + " rollback(s); read %d metrics, %d drift results, %d alerts, %d retraining events",
        data.model(),
        Markup.date(s.first().toEpochMilli()),
        Markup.date(s.last().toEpochMilli()),
        s.alarms(),
        s.runs(),
        s.promotions(),
        s.rollbacks(),
        data.metrics().size(),
        data.drift().size(),
        data.alerts().size(),
        data.retraining().size());
  }

  /**
   * A new empty file beside {@code target}, which proves that {@code target}'s directory exists
   * (created if needed) and is writable before anything slow happens.
   */
  private Path pendingFile(Path target, String option) {
    if (Files.isDirectory(target)) {
      throw new ParameterException(
          spec.commandLine(), option + " " + target + " is a directory, not a file");
    }
    Path dir = target.getParent();
    try {
      Files.createDirectories(dir);
      return Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    } catch (IOException | SecurityException e) {
      throw new ParameterException(
          spec.commandLine(), option + " " + target + " cannot be written: " + reason(e), e);
    }
  }

  private static String reason(Exception e) {
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a directory";
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied on " + f.getFile();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    return e.toString();
  }
}
