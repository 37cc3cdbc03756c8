package dev.sluice.cli;

import dev.sluice.simulator.AvroFilesSink;
import dev.sluice.simulator.EventSink;
import dev.sluice.simulator.KafkaEventSink;
import dev.sluice.simulator.LabelDelay;
import dev.sluice.simulator.Pacer;
import dev.sluice.simulator.ProgressReporter;
import dev.sluice.simulator.Simulation;
import dev.sluice.simulator.SimulationRunner;
import dev.sluice.simulator.SimulationSummary;
import dev.sluice.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sluice simulate}: the handbook's transaction simulator (dev.sluice.simulator) to Kafka or
 * to Avro files. Prints progress to stderr and a summary (counts, fraud per scenario) to stdout.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Simulate customers, terminals, transactions and the handbook's three fraud scenarios"
            + " (plus optional drift), deterministically from a seed, with each transaction's label"
            + " as a separate event after a delay. Sends them to Kafka (topics 'transactions' and"
            + " 'labels', Confluent wire format through the registry) or writes Avro container"
            + " files. Progress goes to stderr, the summary (counts, fraud per scenario) to stdout.",
    footer = {
      "",
      "Examples:",
      "  # the handbook's run to Kafka at 200 events/s",
      "  bin/sluice simulate",
      "  # one week as fast as possible",
      "  bin/sluice simulate --rate 0 --days 7",
      "  # Avro container files var/sim/transactions.avro and var/sim/labels.avro",
      "  bin/sluice simulate --to files --out var/sim",
      "  # live: event time = today, a simulated minute per second, labels 1 h later",
      "  bin/sluice simulate --time-mode wall-clock --speedup 60 --label-delay fixed:1h",
      "  # drift: bigger spenders from day 60, night-time card testing from day 90",
      "  bin/sluice simulate --to files --out var/drift --drift-spending-day 60 \\",
      "      --drift-night-fraud-day 90",
      "",
      "Time modes: 'simulated' keeps the historical event times from --start and sends at"
          + " --rate. 'wall-clock' makes day 0 today (UTC midnight, or now with --wall-clock-start"
          + " now), sends the events already past at once, then each event when its event time"
          + " comes, --speedup times faster than real time (event times then run ahead of the"
          + " clock). Labels arrive days after their transactions unless --speedup is large or"
          + " --label-delay short.",
      "",
      "Records carry the event time as their Kafka timestamp; the platform's topics (sluice"
          + " topics create) replace it with the broker's append time, so time-based retention"
          + " does not delete a historical replay and future times are accepted."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--to",
      defaultValue = "kafka",
      paramLabel = "kafka|files",
      description = "Where the events go (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "With --to files: directory for transactions.avro and labels.avro.")
  Path out;

  @Option(
      names = "--customers",
      paramLabel = "N",
      defaultValue = "5000",
      description = "Customers (default: ${DEFAULT-VALUE}).")
  int customers;

  @Option(
      names = "--terminals",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Terminals (default: ${DEFAULT-VALUE}).")
  int terminals;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "183",
      description = "Simulated days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--start",
      paramLabel = "DATE",
      defaultValue = "2018-04-01",
      description =
          "First simulated day, UTC, in --time-mode simulated (default: ${DEFAULT-VALUE}).")
  LocalDate start;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "Random seed: same seed and options, same events (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--radius",
      paramLabel = "R",
      defaultValue = "5",
      description =
          "A customer's terminals are those closer than this, on a 100 x 100 map (default: ${DEFAULT-VALUE}).")
  double radius;

  @Option(
      names = "--label-delay",
      defaultValue = "handbook",
      converter = LabelDelayConverter.class,
      paramLabel = "DIST",
      description =
          "Delay from a transaction to its label: handbook (log-normal, median 3 d, 90%% within"
              + " the handbook's 7-day delay period, capped at 30 d), fixed:<duration> (e.g."
              + " fixed:7d), zero, exponential:<mean> (e.g. exponential:2d). Default:"
              + " ${DEFAULT-VALUE}.")
  LabelDelay labelDelay;

  @Option(
      names = "--label-loss",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description = "Fraction of labels that never arrive (default: ${DEFAULT-VALUE}).")
  double labelLoss;

  @Mixin DriftScenarioOptions drift;

  @Option(
      names = "--rate",
      paramLabel = "N",
      description =
          "Events (transactions + labels) per second, 0 for as fast as possible (default: 200 to Kafka in simulated time, otherwise 0).")
  Double rate;

  @Option(
      names = "--time-mode",
      defaultValue = "simulated",
      paramLabel = "simulated|wall-clock",
      description =
          "Event times: historical from --start, or aligned to the wall clock (default: ${DEFAULT-VALUE}).")
  String timeMode;

  @Option(
      names = "--speedup",
      paramLabel = "K",
      description = "With wall-clock time: K simulated seconds per wall-clock second (default: 1).")
  Double speedup;

  @Option(
      names = "--wall-clock-start",
      defaultValue = "midnight",
      paramLabel = "midnight|now",
      description =
          "With wall-clock time: day 0 starts at today's UTC midnight or now (default: ${DEFAULT-VALUE}).")
  String wallClockStart;

  @Option(
      names = "--transactions-topic",
      paramLabel = "TOPIC",
      defaultValue = "transactions",
      description = "Default: ${DEFAULT-VALUE}.")
  String transactionsTopic;

  @Option(
      names = "--labels-topic",
      paramLabel = "TOPIC",
      defaultValue = "labels",
      description = "Default: ${DEFAULT-VALUE}.")
  String labelsTopic;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How long to wait for Kafka before giving up (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--progress-interval",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description =
          "How often to print progress to stderr, 0s for never (default: ${DEFAULT-VALUE}).")
  Duration progressInterval;

  @Override
  public Integer call() throws Exception {
    boolean toFiles = parseSink();
    boolean wallClock = parseTimeMode();
    SimulatorConfig config = config(wallClock);
    double eventsPerSecond = rate == null ? (!toFiles && !wallClock ? 200 : 0) : rate;
    if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
      throw usage("--rate must be >= 0 (0: as fast as possible), got " + rate);
    }
    if (toFiles) {
      checkWritable(out);
    }

    PrintWriter err = spec.commandLine().getErr();
    err.printf(
        Locale.ROOT,
        "simulate: %d customers, %d terminals, %d days from %s, seed %d, label delay %s%s; to %s, %s%n",
        config.customers(),
        config.terminals(),
        config.days(),
        config.start(),
        config.seed(),
        config.labelDelay().describe(),
        config.labelLoss() > 0 ? ", " + config.labelLoss() + " lost" : "",
        toFiles ? "files in " + out : "Kafka " + transactionsTopic + " + " + labelsTopic,
        (eventsPerSecond == 0 ? "as fast as possible" : eventsPerSecond + " events/s")
            + (wallClock ? ", wall-clock event time x" + speedup() : ""));

    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                finished.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sluice-simulate-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (EventSink sink = openSink(toFiles, config)) {
      Pacer pacer =
          wallClock
              ? Pacer.wallClock(System.currentTimeMillis(), speedup(), eventsPerSecond)
              : Pacer.atRate(eventsPerSecond);
      SimulationSummary summary =
          SimulationRunner.run(
              new Simulation(config),
              sink,
              pacer,
              new ProgressReporter(err, progressInterval, wallClock ? speedup() : 0),
              stop::get);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(summary.format());
      stdout.flush();
      if (toFiles) {
        err.println(
            "simulate: wrote "
                + out.resolve(AvroFilesSink.TRANSACTIONS_FILE)
                + " and "
                + out.resolve(AvroFilesSink.LABELS_FILE));
      }
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running (Ctrl-C) and waits for 'finished' above.
      }
    }
    return 0;
  }

  private EventSink openSink(boolean toFiles, SimulatorConfig config) throws IOException {
    if (toFiles) {
      return new AvroFilesSink(out, config.toString());
    }
    return new KafkaEventSink(
        connection.kafka(), connection.registry(), transactionsTopic, labelsTopic, connectTimeout);
  }

  private boolean parseSink() {
    switch (to.toLowerCase(Locale.ROOT)) {
      case "files" -> {
        if (out == null) {
          throw usage("--to files needs --out DIR");
        }
        return true;
      }
      case "kafka" -> {
        if (out != null) {
          throw usage("--out applies to --to files only");
        }
        return false;
      }
      default -> throw usage("--to must be kafka or files, got '" + to + "'");
    }
  }

  private boolean parseTimeMode() {
    boolean wallClock =
        switch (timeMode.toLowerCase(Locale.ROOT)) {
          case "simulated" -> false;
          case "wall-clock" -> true;
          default ->
              throw usage("--time-mode must be simulated or wall-clock, got '" + timeMode + "'");
        };
    if (!wallClockStart.equals("midnight") && !wallClockStart.equals("now")) {
      throw usage("--wall-clock-start must be midnight or now, got '" + wallClockStart + "'");
    }
    if (!wallClock) {
      for (String option : new String[] {"--speedup", "--wall-clock-start"}) {
        if (matched(option)) {
          throw usage(option + " applies to --time-mode wall-clock only");
        }
      }
    } else if (matched("--start")) {
      throw usage("--start applies to --time-mode simulated only (wall-clock time starts today)");
    }
    if (speedup != null && (!(speedup > 0) || speedup.isInfinite())) {
      throw usage("--speedup must be > 0, got " + speedup);
    }
    return wallClock;
  }

  private double speedup() {
    return speedup == null ? 1 : speedup;
  }

  private SimulatorConfig config(boolean wallClock) {
    Instant startInstant =
        wallClock
            ? Pacer.wallClockStart(Instant.now(), wallClockStart.equals("midnight"))
            : start.atStartOfDay(ZoneOffset.UTC).toInstant();
    try {
      return drift
          .apply(SimulatorConfig.builder())
          .customers(customers)
          .terminals(terminals)
          .days(days)
          .start(startInstant)
          .seed(seed)
          .radius(radius)
          .labelDelay(labelDelay)
          .labelLoss(labelLoss)
          .build();
    } catch (IllegalArgumentException e) {
      // SimulatorConfig names parameters as these options spell them, without the dashes.
      throw usage("--" + e.getMessage());
    }
  }

  private void checkWritable(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException | SecurityException e) {
      throw usage("--out '" + directory + "': cannot create the directory (" + e + ")");
    }
    if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
      throw usage("--out '" + directory + "' is not a writable directory");
    }
  }

  private boolean matched(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** handbook | zero | fixed:&lt;duration&gt; | exponential:&lt;mean&gt;. */
  static final class LabelDelayConverter implements CommandLine.ITypeConverter<LabelDelay> {
    @Override
    public LabelDelay convert(String value) {
      String text = value.trim().toLowerCase(Locale.ROOT);
      int colon = text.indexOf(':');
      String kind = colon < 0 ? text : text.substring(0, colon);
      String argument = colon < 0 ? null : text.substring(colon + 1);
      LabelDelay delay =
          switch (kind) {
            case "handbook" -> argument == null ? LabelDelay.handbook() : null;
            case "zero" -> argument == null ? LabelDelay.zero() : null;
            case "fixed" -> argument == null ? null : LabelDelay.fixed(duration(value, argument));
            case "exponential" ->
                argument == null ? null : exponential(value, duration(value, argument));
            default -> null;
          };
      if (delay == null) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a label delay distribution: use handbook, zero, fixed:<duration>"
                + " (e.g. fixed:7d) or exponential:<mean> (e.g. exponential:2d)");
      }
      return delay;
    }

    private static Duration duration(String value, String argument) {
      try {
        return DurationConverter.parse(argument);
      } catch (CommandLine.TypeConversionException e) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "': '"
                + argument
                + "' is not a duration: use e.g. 500ms, 10s, 1m, 2h, 7d");
      }
    }

    private static LabelDelay exponential(String value, Duration mean) {
      if (mean.isZero() || mean.isNegative()) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "': the mean delay must be > 0");
      }
      return LabelDelay.exponential(mean);
    }
  }
}
