package dev.sluice.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How late or how far ahead a record may be, for the jobs that keep event-time state. */
public final class LatenessOptions {
  @Option(
      names = "--allowed-lateness",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description =
          "Records up to this far behind the watermark are still processed; later ones are dead-lettered as 'late' (default: ${DEFAULT-VALUE}).")
  Duration allowedLateness;

  @Option(
      names = "--max-jump",
      converter = DurationConverter.class,
      defaultValue = "1d",
      description =
          "A record this far ahead of its partition's event time does not move the watermark (default: ${DEFAULT-VALUE}).")
  Duration maxJump;

  @Option(
      names = "--max-clock-skew",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description =
          "How far in the wall-clock future an event time may lie: ingest refuses records beyond it, and no job lets them move the watermark (default: ${DEFAULT-VALUE}).")
  Duration maxClockSkew;
}
