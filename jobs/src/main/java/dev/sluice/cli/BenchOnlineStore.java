package dev.sluice.cli;

import dev.sluice.state.online.OnlineStoreBenchmark;
import dev.sluice.state.online.RedisOnlineFeatureStore;
import dev.sluice.state.online.RedisSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench online-store}: guarded, pipelined write rate and single-entity read latency
 * of the Redis online store, under its own key prefix ({@code sluice-bench}, one-hour TTL).
 */
@Command(
    name = "online-store",
    mixinStandardHelpOptions = true,
    description = {
      "Write rows for N entities (pipelined batches through the event-time guard), then read random",
      "entities one at a time and report rows/s and read latency p50/p99/p99.9. Needs Redis",
      "(bin/sluice infra up redis); keys use the prefix sluice-bench and expire after an hour."
    })
final class BenchOnlineStore implements Callable<Integer> {
  @Mixin RedisOptions redis;

  @Option(names = "--entities", defaultValue = "50000", description = "Default: ${DEFAULT-VALUE}.")
  int entities;

  @Option(names = "--reads", defaultValue = "100000", description = "Default: ${DEFAULT-VALUE}.")
  int reads;

  @Option(
      names = "--batch",
      defaultValue = "500",
      description = "Rows per pipelined write (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--columns",
      defaultValue = "6",
      description = "Features per row (default: ${DEFAULT-VALUE}, as the handbook's views).")
  int columns;

  @Override
  public Integer call() {
    RedisSettings settings = redis.settings().withKeyPrefix("sluice-bench");
    try (RedisOnlineFeatureStore store = RedisOnlineFeatureStore.open(settings)) {
      System.out.println("against " + settings.describe());
      System.out.println(
          OnlineStoreBenchmark.run(
                  store, OnlineStoreBenchmark.schema(columns), entities, reads, batch)
              .format());
    }
    return 0;
  }
}
