package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Usage errors get a clear message and exit code 2; help lists every command. */
class SluiceCliTest {
  private final CliRun cli = new CliRun();

  private int run(String... args) {
    return cli.run(args);
  }

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();
    assertThat(cli.out()).contains("demo", "infra", "topics", "job", "simulate", "bench");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(cli.err()).contains("missing command");
  }

  @Test
  void unknownCommandIsNamedWithASuggestion() {
    assertThat(run("infar")).isEqualTo(2);
    assertThat(cli.err())
        .contains("Unmatched argument at index 0: 'infar'")
        .contains("infra")
        .contains("sluice --help");
  }

  @Test
  void unknownFlagNamesTheSubcommandsHelp() {
    assertThat(run("infra", "up", "--bogus")).isEqualTo(2);
    assertThat(cli.err()).contains("Unknown option: '--bogus'").contains("sluice infra up --help");
  }

  @Test
  void unknownServiceIsRefusedBeforeAnythingStarts() {
    assertThat(run("infra", "status", "zookeeper")).isEqualTo(1);
    assertThat(cli.err())
        .contains("unknown service 'zookeeper': choose from kafka, registry, redis");
  }

  @Test
  void badOptionValuesAreNamed() {
    assertThat(run("job", "event-count", "--window", "soon")).isEqualTo(2);
    assertThat(cli.err()).contains("'soon' is not a duration");
    assertThat(run("job", "event-count", "--start-from", "middle")).isEqualTo(2);
    assertThat(cli.err()).contains("--start-from").contains("EARLIEST, LATEST");
  }

  @Test
  void badRegistryUrlIsNamedBeforeTheJobStarts() {
    assertThat(run("job", "event-count", "--registry-url", "localhost:8085")).isEqualTo(1);
    assertThat(cli.err()).contains("'localhost:8085' is not an http(s)://");
  }

  @Test
  void durations() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(DurationConverter.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationConverter.parse("PT2H")).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> DurationConverter.parse("-1s"))
        .hasMessageContaining("'-1s' is not a duration");
  }
}
