package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.FeaturesCommandTest.Result;
import dev.sluice.jobs.features.FraudFeatures;
import dev.sluice.jobs.features.FraudFeatures.TerminalRisk;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewRow;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice features get} against a real {@code redis-server}: the status of each vector
 * (PRESENT, EXPIRED by the view's TTL in event time, MISSING, VERSION_MISMATCH), its values as
 * stored (LONG columns as integers), the exit code (4 when any vector is not PRESENT), and clear
 * messages for bad arguments and a Redis that is not there.
 */
class FeaturesCommandITCase {
  private static final FeatureSet<?> AS_KNOWN = FraudFeatures.featureSet(TerminalRisk.AS_KNOWN);
  private static final FeatureSet<?> HANDBOOK = FraudFeatures.featureSet(TerminalRisk.HANDBOOK);

  /** When the stored values are valid; the views' TTLs (30 and 37 days) count from here. */
  private static final Instant VALID_AT = Instant.parse("2018-05-01T12:00:00Z");

  /**
   * The customer's stored values, and how the command must print them: counts as integers, means as
   * doubles (a whole mean too).
   */
  private static final Map<String, Double> CUSTOMER_VALUES =
      ordered(
          "CUSTOMER_ID_NB_TX_1DAY_WINDOW", 3.0,
          "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", 41.5,
          "CUSTOMER_ID_NB_TX_7DAY_WINDOW", 12.0,
          "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW", 38.25,
          "CUSTOMER_ID_NB_TX_30DAY_WINDOW", 40.0,
          "CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW", 37.0);

  private static final Map<String, String> CUSTOMER_PRINTED =
      ordered(
          "CUSTOMER_ID_NB_TX_1DAY_WINDOW", "3",
          "CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW", "41.5",
          "CUSTOMER_ID_NB_TX_7DAY_WINDOW", "12",
          "CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW", "38.25",
          "CUSTOMER_ID_NB_TX_30DAY_WINDOW", "40",
          "CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW", "37.0");

  private static final Map<String, Double> TERMINAL_VALUES =
      ordered(
          "TERMINAL_ID_NB_TX_1DAY_WINDOW", 5.0,
          "TERMINAL_ID_RISK_1DAY_WINDOW", 0.2,
          "TERMINAL_ID_NB_TX_7DAY_WINDOW", 30.0,
          "TERMINAL_ID_RISK_7DAY_WINDOW", 0.1,
          "TERMINAL_ID_NB_TX_30DAY_WINDOW", 120.0,
          "TERMINAL_ID_RISK_30DAY_WINDOW", 0.025);

  private static final Map<String, String> TERMINAL_PRINTED =
      ordered(
          "TERMINAL_ID_NB_TX_1DAY_WINDOW", "5",
          "TERMINAL_ID_RISK_1DAY_WINDOW", "0.2",
          "TERMINAL_ID_NB_TX_7DAY_WINDOW", "30",
          "TERMINAL_ID_RISK_7DAY_WINDOW", "0.1",
          "TERMINAL_ID_NB_TX_30DAY_WINDOW", "120",
          "TERMINAL_ID_RISK_30DAY_WINDOW", "0.025");

  private static RedisServer redis;

  @BeforeAll
  static void startRedisAndStoreVectors() throws Exception {
    redis = RedisServer.start();
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(redis.settings())) {
      ViewSchema customer = schema(AS_KNOWN, "customer_spending");
      ViewSchema terminal = schema(AS_KNOWN, "terminal_risk");
      store.write(
          List.of(
              row(customer, "c-1", CUSTOMER_VALUES),
              row(terminal, "t-7", TERMINAL_VALUES),
              row(customer, "c-2", CUSTOMER_VALUES)),
          AS_KNOWN.onlineSchemas());
      // Terminal t-8 as a job with the handbook's terminal risk wrote it.
      ViewSchema handbookTerminal = schema(HANDBOOK, "terminal_risk");
      store.write(List.of(row(handbookTerminal, "t-8", TERMINAL_VALUES)), HANDBOOK.onlineSchemas());
    }
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void presentVectorPrintsItsTimeAgeVersionAndValues() {
    Result r = get("--entity", "customer=c-1", "--as-of", "2018-05-02T12:00:00Z");
    assertThat(r.code()).as(r.err()).isZero();
    String version = schema(AS_KNOWN, "customer_spending").version();
    Header header = header(r.out(), "customer_spending", "c-1");
    assertThat(header.status()).isEqualTo("PRESENT");
    assertThat(header.details())
        .contains("valid at 2018-05-01T12:00:00Z")
        .contains("stored version " + version)
        .endsWith("(schema version " + version + ")");
    assertThat(header.age()).isEqualTo(Duration.ofDays(1));
    assertThat(values(r.out())).containsExactlyEntriesOf(CUSTOMER_PRINTED);
  }

  @Test
  void expiryIsJudgedByTheViewsTtlInEventTime() {
    // Exactly 30 days after the values' event time they are still valid ...
    Result edge = get("--entity", "customer=c-1", "--as-of", "2018-05-31T12:00:00Z");
    assertThat(edge.code()).as(edge.err()).isZero();
    assertThat(header(edge.out(), "customer_spending", "c-1").status()).isEqualTo("PRESENT");

    // ... a millisecond later they are expired, and still shown.
    Result after = get("--entity", "customer=c-1", "--as-of", "2018-05-31T12:00:00.001Z");
    assertThat(after.code()).isEqualTo(4);
    assertThat(header(after.out(), "customer_spending", "c-1").status()).isEqualTo("EXPIRED");
    assertThat(values(after.out())).containsExactlyEntriesOf(CUSTOMER_PRINTED);

    // The terminal's view lives 37 days: 31 days on, one vector is expired and one is not.
    Result both =
        get(
            "--entity",
            "customer=c-1",
            "--entity",
            "terminal=t-7",
            "--as-of",
            "2018-06-01T13:00:00Z");
    assertThat(both.code()).isEqualTo(4);
    Header customer = header(both.out(), "customer_spending", "c-1");
    assertThat(customer.status()).isEqualTo("EXPIRED");
    assertThat(customer.age()).isEqualTo(Duration.ofDays(31).plusHours(1));
    assertThat(header(both.out(), "terminal_risk", "t-7").status()).isEqualTo("PRESENT");
    Map<String, String> expected = new LinkedHashMap<>(CUSTOMER_PRINTED);
    expected.putAll(TERMINAL_PRINTED);
    assertThat(values(both.out())).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void everyVectorPresentMeansExitZero() {
    Result r =
        get(
            "--entity",
            "customer=c-2",
            "--entity",
            "terminal=t-7",
            "--as-of",
            "2018-05-01T12:00:00Z");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(header(r.out(), "customer_spending", "c-2").status()).isEqualTo("PRESENT");
    assertThat(header(r.out(), "terminal_risk", "t-7").status()).isEqualTo("PRESENT");
  }

  @Test
  void repeatedEntityOfOneKindReadsEveryId() {
    Result r =
        get(
            "--entity",
            "customer=c-1",
            "--entity",
            "customer=c-2",
            "--as-of",
            "2018-05-02T12:00:00Z");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(header(r.out(), "customer_spending", "c-1").status()).isEqualTo("PRESENT");
    assertThat(header(r.out(), "customer_spending", "c-2").status()).isEqualTo("PRESENT");
  }

  @Test
  void withoutAsOfTheSimulatedHistoryIsExpiredNow() {
    Result r = get("--entity", "customer=c-1");
    assertThat(r.code()).isEqualTo(4);
    assertThat(header(r.out(), "customer_spending", "c-1").status()).isEqualTo("EXPIRED");
  }

  @Test
  void unknownCustomerIsMissingNotZeros() {
    Result r = get("--entity", "customer=c-404", "--as-of", "2018-05-02T12:00:00Z");
    assertThat(r.code()).isEqualTo(4);
    Header header = header(r.out(), "customer_spending", "c-404");
    assertThat(header.status()).isEqualTo("MISSING");
    assertThat(header.details())
        .doesNotContain("valid at")
        .doesNotContain("stored version")
        .endsWith("(schema version " + schema(AS_KNOWN, "customer_spending").version() + ")");
    assertThat(values(r.out())).isEmpty();
  }

  @Test
  void anotherDefinitionsValuesAreAVersionMismatch() {
    String stored = schema(HANDBOOK, "terminal_risk").version();
    Result asKnown = get("--entity", "terminal=t-8", "--as-of", "2018-05-02T12:00:00Z");
    assertThat(asKnown.code()).isEqualTo(4);
    Header header = header(asKnown.out(), "terminal_risk", "t-8");
    assertThat(header.status()).isEqualTo("VERSION_MISMATCH");
    assertThat(header.details())
        .contains("stored version " + stored)
        .endsWith("(schema version " + schema(AS_KNOWN, "terminal_risk").version() + ")");

    Result handbook =
        get(
            "--entity",
            "terminal=t-8",
            "--terminal-risk",
            "handbook",
            "--as-of",
            "2018-05-02T12:00:00Z");
    assertThat(handbook.code()).as(handbook.err()).isZero();
    assertThat(header(handbook.out(), "terminal_risk", "t-8").status()).isEqualTo("PRESENT");
    assertThat(values(handbook.out())).containsExactlyEntriesOf(TERMINAL_PRINTED);
  }

  @Test
  void unknownEntityNamesTheKnownOnes() {
    Result r = get("--entity", "merchant=x", "--as-of", "2018-05-02T12:00:00Z");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("'merchant'")
        .contains("customer_spending of customer")
        .contains("terminal_risk of terminal")
        .doesNotContain("\tat ");

    Result wrongView = get("--entity", "customer=c-1", "--view", "terminal_risk");
    assertThat(wrongView.code()).isEqualTo(1);
    assertThat(wrongView.err()).contains("'customer'").contains("'terminal_risk'");
  }

  @Test
  void badAsOfShowsTheExpectedForm() {
    Result r = get("--entity", "customer=c-1", "--as-of", "2018-05-02");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("--as-of")
        .contains("'2018-05-02'")
        .contains("2018-05-01T00:00:00Z")
        .doesNotContain("\tat ");
  }

  @Test
  void redisWithoutPortIsRefused() {
    Result r =
        FeaturesCommandTest.sluice(
            "features", "get", "--redis", "localhost", "--entity", "customer=c-1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--redis must be HOST:PORT").contains("got 'localhost'");

    Result badPort =
        FeaturesCommandTest.sluice(
            "features", "get", "--redis", "127.0.0.1:six", "--entity", "customer=c-1");
    assertThat(badPort.code()).isEqualTo(1);
    assertThat(badPort.err())
        .contains("--redis")
        .contains("'127.0.0.1:six'")
        .doesNotContain("\tat ");
  }

  @Test
  void redisThatIsNotRunningIsNamed() throws Exception {
    RedisServer gone = RedisServer.start();
    String address = gone.address();
    gone.close();

    long start = System.nanoTime();
    Result r =
        FeaturesCommandTest.sluice(
            "features",
            "get",
            "--redis",
            address,
            "--entity",
            "customer=c-1",
            "--as-of",
            "2018-05-02T12:00:00Z");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(address).doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("customer_spending c-1");
    assertThat(took).as("gives up after its retries").isLessThan(Duration.ofSeconds(30));
  }

  // ---------------------------------------------------------------------------------------------

  private static Result get(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "features";
    all[1] = "get";
    all[2] = "--redis";
    all[3] = redis.address();
    System.arraycopy(args, 0, all, 4, args.length);
    return FeaturesCommandTest.sluice(all);
  }

  /** A vector's first line: {@code <view> <id>: <STATUS>[, details] (schema version v)}. */
  private record Header(String status, String details, Duration age) {}

  private static Header header(String out, String view, String entityId) {
    Matcher line =
        Pattern.compile("(?m)^" + view + " " + Pattern.quote(entityId) + ": ([A-Z_]+)(.*)$")
            .matcher(out);
    assertThat(line.find()).as("%s %s in\n%s", view, entityId, out).isTrue();
    Matcher age = Pattern.compile(", age (.+?), stored version").matcher(line.group(2));
    return new Header(line.group(1), line.group(2), age.find() ? duration(age.group(1)) : null);
  }

  /**
   * A printed duration: ISO-8601 ({@code PT24H}) or units as the CLI takes them ({@code 1d 2h}).
   */
  private static Duration duration(String text) {
    if (text.startsWith("P") || text.startsWith("-P")) {
      return Duration.parse(text);
    }
    Duration total = Duration.ZERO;
    for (String part : text.trim().split("\\s+")) {
      total = total.plus(DurationConverter.parse(part));
    }
    return total;
  }

  /** The printed feature lines, {@code " NAME value"}, by name. */
  private static Map<String, String> values(String out) {
    Map<String, String> values = new LinkedHashMap<>();
    Matcher line = Pattern.compile("(?m)^  ([A-Z0-9_]+) +(\\S.*)$").matcher(out);
    while (line.find()) {
      assertThat(values.put(line.group(1), line.group(2))).as(line.group()).isNull();
    }
    return values;
  }

  private static ViewSchema schema(FeatureSet<?> set, String view) {
    return set.onlineSchemas().stream()
        .filter(s -> s.view().equals(view))
        .findFirst()
        .orElseThrow();
  }

  /** A row of {@code schema} valid at {@link #VALID_AT}, its values placed by column name. */
  private static ViewRow row(ViewSchema schema, String entityId, Map<String, Double> byName) {
    assertThat(byName.keySet())
        .as("fixture: columns of %s", schema.view())
        .containsExactlyInAnyOrderElementsOf(
            schema.columns().stream().map(ViewSchema.Column::name).toList());
    double[] values = new double[schema.columns().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = byName.get(schema.columns().get(i).name());
    }
    return new ViewRow(
        schema.view(),
        schema.version(),
        entityId,
        "tx-" + entityId,
        VALID_AT.toEpochMilli(),
        System.currentTimeMillis(),
        values);
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> ordered(Object... pairs) {
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (V) pairs[i + 1]);
    }
    return map;
  }
}
