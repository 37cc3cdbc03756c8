package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every option of the job commands refuses a bad value with a message that names the option, at
 * parse time (exit 2) or before anything is started (exit 1). The services point at a port where
 * nothing listens, so a value that slipped through would fail the preflight instead, naming
 * --bootstrap-servers, and the test with it.
 */
class JobOptionValuesTest {
  private static final List<String> NOWHERE =
      List.of(
          "--bootstrap-servers", "127.0.0.1:1",
          "--registry-url", "http://127.0.0.1:1",
          "--mode", "SUBMIT");

  static Stream<Arguments> badValues() {
    return Stream.of(
        // durations
        bad("event-count", "--window", "5 minutes"),
        bad("event-count", "--window", "0s"),
        bad("event-count", "--window", "PT-1M"),
        bad("event-count", "--out-of-orderness", "-5s"),
        bad("event-count", "--out-of-orderness", "PT-5S"),
        bad("event-count", "--idle-timeout", "soon"),
        bad("ingest", "--allowed-lateness", "PT-1H"),
        bad("ingest", "--max-jump", "1y"),
        bad("ingest", "--max-clock-skew", "PT-1S"),
        bad("ingest", "--dedup-horizon", "0s"),
        bad("ingest", "--dedup-horizon", "forever"),
        bad("event-count", "--checkpoint-interval", "0s"),
        bad("event-count", "--checkpoint-interval", "often"),
        bad("features", "--max-batch-wait", "PT-1S", "--model", "fraud"),
        // numbers
        bad("event-count", "--web-ui-port", "0"),
        bad("event-count", "--web-ui-port", "65536"),
        bad("event-count", "--web-ui-port", "http"),
        bad("event-count", "--max-restarts", "-1"),
        bad("event-count", "--max-restarts", "many"),
        bad("ingest", "--max-amount", "0"),
        bad("ingest", "--max-amount", "ten"),
        bad("features", "--max-batch", "0", "--model", "fraud"),
        bad("features", "--canary-share", "1.5", "--model", "fraud"),
        bad("features", "--canary-share", "NaN", "--model", "fraud"),
        bad("features", "--max-parked-rows", "-1", "--model", "fraud"),
        bad("backfill", "--parallelism", "0", "--from", "kafka", "--offline-store", "/tmp/x"),
        // enums and words
        bad("event-count", "--start-from", "yesterday"),
        bad("event-count", "--mode", "CLUSTER"),
        bad("features", "--terminal-risk", "psychic"),
        bad("features", "--prediction-features", "all", "--model", "fraud"),
        bad("features", "--model", "Fraud Model"),
        bad("backfill", "--from", "tape", "--offline-store", "/tmp/x"),
        bad("ingest", "--id-pattern", "[a-"),
        // addresses and URIs
        bad("event-count", "--bootstrap-servers", "localhost"),
        bad("event-count", "--bootstrap-servers", "localhost:99999"),
        bad("event-count", "--bootstrap-servers", "a:1,,b"),
        bad("event-count", "--registry-url", "ftp://127.0.0.1:1"),
        bad("event-count", "--registry-url", "127.0.0.1:8085"),
        bad("event-count", "--checkpoint-dir", "::not a uri"),
        bad("event-count", "--checkpoint-dir", "relative/dir"),
        bad("features", "--redis", "localhost"),
        bad("features", "--redis", "localhost:0"),
        bad("features", "--redis-cluster", "a:1,b"),
        bad("features", "--offline-store", "::bad"),
        // client properties
        bad("event-count", "--kafka-property", "security.protocol"),
        bad("event-count", "--kafka-property", "sasl.mechanisms=PLAIN"),
        bad("event-count", "--kafka-property", "group.id=other"),
        bad("event-count", "--kafka-properties-file", "/nonexistent/kafka.properties"),
        bad("event-count", "--registry-property", "basic.auth.userinfo=a:b"),
        bad("event-count", "--registry-property", "schema.registry.request.timeout.ms=soon"),
        bad("event-count", "--registry-properties-file", "/nonexistent/registry.properties"),
        bad("features", "--redis-property", "redis.pasword=x"),
        bad("features", "--redis-property", "redis.pool-size=0"),
        bad("features", "--redis-property", "redis.connect-timeout=-1s"));
  }

  private static Arguments bad(String job, String option, String value, String... more) {
    return Arguments.of(job, option, value, List.of(more));
  }

  @ParameterizedTest(name = "job {0} {1} {2}")
  @MethodSource("badValues")
  void aBadValueIsRefusedNamingItsOption(
      String job, String option, String value, List<String> more) {
    List<String> args = new ArrayList<>(List.of("job", job));
    for (int i = 0; i < NOWHERE.size(); i += 2) {
      String setting = NOWHERE.get(i);
      boolean noMode = setting.equals("--mode") && job.equals("backfill");
      if (!setting.equals(option) && !noMode) {
        args.addAll(NOWHERE.subList(i, i + 2));
      }
    }
    args.addAll(more);
    args.addAll(List.of(option, value));
    if (job.equals("features") && !option.equals("--redis")) {
      args.addAll(List.of("--redis", "127.0.0.1:1"));
    }
    CliRun cli = new CliRun();

    int exit = cli.run(args.toArray(String[]::new));

    assertThat(exit).as(cli.err()).isIn(1, 2);
    // Refused before any service was asked (none answers here).
    assertThat(cli.err()).as("exit %d", exit).contains(option).doesNotContain("did not answer");
  }
}
