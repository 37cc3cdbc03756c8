package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.AvroFilesSink;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice simulate}: a files run, and usage errors that name the option (exit code 2). */
class SimulateCommandTest {
  private final CliRun cli = new CliRun();

  private int run(String... args) {
    return cli.run(args);
  }

  @Test
  void writesFilesAndPrintsTheSummary(@TempDir Path dir) {
    Path target = dir.resolve("sim");
    int code =
        run(
            "simulate",
            "--to",
            "files",
            "--out",
            target.toString(),
            "--customers",
            "100",
            "--terminals",
            "500",
            "--days",
            "20",
            "--seed",
            "3",
            "--label-delay",
            "fixed:2d",
            "--drift-night-fraud-day",
            "10");
    assertThat(code).as(cli.err()).isZero();
    assertThat(target.resolve(AvroFilesSink.TRANSACTIONS_FILE)).isNotEmptyFile();
    assertThat(target.resolve(AvroFilesSink.LABELS_FILE)).isNotEmptyFile();
    assertThat(cli.out())
        .startsWith("simulated: ")
        .contains("over 20 days from 2018-04-01, seed 3")
        .contains("4 night card testing (drift)");
    assertThat(cli.err()).contains("label delay fixed:PT48H", "as fast as possible");
  }

  @Test
  void helpListsTheOptionsAndExamples() {
    assertThat(run("simulate", "--help")).isZero();
    assertThat(cli.out())
        .contains("--label-delay", "--drift-spending-day", "--time-mode", "Examples:");
    assertThat(run("--help")).isZero();
    assertThat(cli.out()).contains("simulate");
  }

  @Test
  void badValuesNameTheOption(@TempDir Path dir) throws Exception {
    assertUsageError("'x' is not a label delay distribution", "simulate", "--label-delay", "x");
    assertUsageError(
        "'fixed:soon': 'soon' is not a duration", "simulate", "--label-delay", "fixed:soon");
    assertUsageError(
        "--customers must be between 1 and 16777215, got -5", "simulate", "--customers", "-5");
    assertUsageError("--days must be", "simulate", "--days", "0");
    assertUsageError("--label-loss must be in [0, 1], got 1.5", "simulate", "--label-loss", "1.5");
    assertUsageError("--rate must be >= 0", "simulate", "--rate", "-1");
    assertUsageError("--to must be kafka or files, got 'disk'", "simulate", "--to", "disk");
    assertUsageError("--to files needs --out DIR", "simulate", "--to", "files");
    assertUsageError(
        "--time-mode must be simulated or wall-clock", "simulate", "--time-mode", "later");
    assertUsageError(
        "--speedup applies to --time-mode wall-clock only", "simulate", "--speedup", "10");
    assertUsageError(
        "--start applies to --time-mode simulated only",
        "simulate",
        "--time-mode",
        "wall-clock",
        "--start",
        "2020-01-01");
    assertUsageError(
        "--drift-spending-factor needs --drift-spending-day",
        "simulate",
        "--drift-spending-factor",
        "2");
    assertUsageError(
        "--drift-spending-day must be a day in [0, days - 1] = [0, 9], got 10",
        "simulate",
        "--days",
        "10",
        "--drift-spending-day",
        "10");
    assertUsageError(
        "--drift-geography-share must be in [0, 1], got 3.0",
        "simulate",
        "--drift-geography-day",
        "5",
        "--drift-geography-share",
        "3");
    Path file = Files.createFile(dir.resolve("a-file"));
    assertUsageError(
        "--out '" + file.resolve("sub") + "': cannot create the directory",
        "simulate",
        "--to",
        "files",
        "--out",
        file.resolve("sub").toString());
  }

  @Test
  void kafkaThatIsDownGivesAClearMessage() {
    int code =
        run(
            "simulate",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--connect-timeout",
            "2s",
            "--days",
            "1",
            "--customers",
            "10");
    assertThat(code).isEqualTo(1);
    assertThat(cli.err())
        .contains("Kafka at 127.0.0.1:1 is not reachable within 2 s")
        .contains("bin/sluice infra up")
        .doesNotContain("\tat ");
  }

  private void assertUsageError(String message, String... args) {
    CliRun fresh = new CliRun();
    assertThat(fresh.run(args)).as(String.join(" ", args) + "\n" + fresh.err()).isEqualTo(2);
    assertThat(fresh.err()).contains(message);
  }
}
