package dev.sluice.cli.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a preparation command to completion, keeping its output in a log that the error message
 * names.
 */
final class Commands {
  private Commands() {}

  static void run(List<String> command, Path workDir, Path log, long timeoutMinutes, String what)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          what + " did not finish within " + timeoutMinutes + " min; see " + log);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          what
              + " failed (exit "
              + process.exitValue()
              + "): "
              + lastLines(log, 15)
              + "\n  full log: "
              + log);
    }
  }

  static String lastLines(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "\n    "
          + String.join("\n    ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ")";
    }
  }

  static String mvn() {
    return System.getenv().getOrDefault("MAVEN_CMD", "mvn");
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
