package dev.sluice.jobs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/node/confluent-producer}, an independent Node.js Confluent-wire-format
 * producer, installing its pinned npm dependencies ({@code npm ci}) into a work folder first. Needs
 * node and npm.
 */
public final class NodeProducer {
  private static final String[] FILES = {
    "package.json", "package-lock.json", "produce.js", "consume.js"
  };

  private NodeProducer() {}

  /** Copies the script to {@code work} and installs its dependencies; returns the script's path. */
  public static Path install(Path work) throws IOException, InterruptedException {
    Path source =
        Path.of(System.getProperty("sluice.root"), "jobs/src/test/node/confluent-producer");
    for (String file : FILES) {
      Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    run(work, 5, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    return work.resolve("produce.js");
  }

  /**
   * Installs the producer into {@code work} and writes {@code count} transactions one second apart
   * from 2020-01-01T00:00:00Z, plus one per partition at 00:30 that closes every earlier window;
   * returns its report ({@code {"schemaId": .., "sent": count + partitions}}).
   */
  public static String produceTransactions(
      Path work, String bootstrapServers, String registryUrl, String topic, int count)
      throws IOException, InterruptedException {
    return run(
        install(work),
        bootstrapServers,
        registryUrl,
        topic,
        Path.of(System.getProperty("sluice.root"), "schemas/src/main/avro/transaction.avsc")
            .toString(),
        "2020-01-01T00:00:00Z",
        Integer.toString(count),
        "2020-01-01T00:30:00Z");
  }

  /** Runs the script with {@code args} and returns its standard output. */
  public static String run(Path script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    command.addAll(List.of(args));
    return run(script.getParent(), 2, command.toArray(String[]::new));
  }

  private static String run(Path dir, long timeoutMinutes, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("node-producer-", ".log");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command[0] + ": install Node.js 18+ and npm (apt-get install nodejs npm)",
          e);
    }
    if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " timed out; output: " + Files.readString(log));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
    }
    return output;
  }
}
