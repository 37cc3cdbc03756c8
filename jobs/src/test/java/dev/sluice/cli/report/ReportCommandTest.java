package dev.sluice.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.SluiceCli;
import dev.sluice.jobs.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice report}'s usage errors, caught before Kafka is contacted (none runs here). */
class ReportCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new SluiceCli());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void helpNamesTheOptionsAndThePlatformsTopics() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("report");

    assertThat(run("report", "--help")).isZero();
    assertThat(out.toString())
        .contains("--model", "default: fraud", "--out", "--screenshot", "--bootstrap-servers")
        .contains("--metrics-topic", "Default: " + Topics.MODEL_METRICS.name())
        .contains("--drift-topic", "Default: " + Topics.DRIFT.name())
        .contains("--alerts-topic", "Default: " + Topics.ALERTS.name())
        .contains("--retraining-topic", "Default: " + Topics.RETRAINING.name());
  }

  @Test
  void anEmptyOrPathLikeModelIsAUsageError() {
    assertThat(run("report", "--model", "", "--out", dir.resolve("r.html").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--model '' is not a model name");

    assertThat(run("report", "--model", "../etc", "--out", dir.resolve("r.html").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--model '../etc' is not a model name");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void anOutUnderAFileIsAUsageErrorNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    Path out = file.resolve("report.html");

    assertThat(run("report", "--out", out.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("--out " + out + " cannot be written: " + file)
        .contains(file + " exists and is not a directory");
  }

  @Test
  void anOutThatIsADirectoryIsAUsageError() {
    assertThat(run("report", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--out " + dir + " is a directory, not a file");
  }

  @Test
  void anUnwritableScreenshotFailsBeforeAnythingIsWritten() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    Path html = dir.resolve("out").resolve("report.html");
    Path png = file.resolve("report.png");

    assertThat(run("report", "--out", html.toString(), "--screenshot", png.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--screenshot " + png + " cannot be written");
    // The report's directory was created by the check, but holds no file, not even a temporary one.
    try (Stream<Path> files = Files.list(html.getParent())) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void chromiumIsFoundUnderEitherNameAndOnlyIfExecutable() throws Exception {
    Path first = Files.createDirectories(dir.resolve("first"));
    Path second = Files.createDirectories(dir.resolve("second"));
    Files.writeString(first.resolve("chromium"), "not executable");
    Path browser = Files.writeString(second.resolve("chromium-browser"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(Screenshot.findChromium(first + ":" + second)).contains(browser);
    assertThat(Screenshot.findChromium(first.toString())).isEmpty();
    assertThat(Screenshot.findChromium("")).isEmpty();
  }
}
