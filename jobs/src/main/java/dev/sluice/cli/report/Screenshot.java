package dev.sluice.cli.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PNG of a local HTML page taken by headless Chromium (Debian's package {@code chromium}): no
 * sandbox (so it runs as root in a container), no GPU, a throw-away profile, and a window as wide
 * as the page and as tall as the page says it is.
 */
final class Screenshot {
  /** The names the browser goes by on the PATH, in the order tried. */
  static final List<String> BINARIES = List.of("chromium", "chromium-browser");

  /** What to tell someone who has neither. */
  static final String INSTALL_HINT =
      "install Debian's package 'chromium' (apt-get install -y chromium)";

  static final Duration TIMEOUT = Duration.ofSeconds(90);
  static final int WIDTH = 1280;

  private Screenshot() {}

  /** The first of {@link #BINARIES} that is an executable file in a directory of {@code path}. */
  static Optional<Path> findChromium(String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String name : BINARIES) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Chromium on this process's PATH, or an exception that says how to install it. */
  static Path requireChromium() {
    return findChromium(System.getenv("PATH"))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "--screenshot needs headless Chromium, but neither "
                        + String.join(" nor ", BINARIES)
                        + " is on the PATH: "
                        + INSTALL_HINT));
  }

  /**
   * Renders {@code html} into {@code png} ({@value #WIDTH} px wide, {@code height} px tall),
   * waiting at most {@link #TIMEOUT}; fails unless the PNG then exists and is not empty.
   */
  static void take(Path chromium, Path html, Path png, int height)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("sluice-chromium-");
    Path log = profile.resolve("chromium.log");
    try {
      Files.deleteIfExists(png);
      Process process =
          new ProcessBuilder(
                  chromium.toString(),
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--hide-scrollbars",
                  "--user-data-dir=" + profile.resolve("profile"),
                  "--window-size=" + WIDTH + "," + height,
                  "--screenshot=" + png.toAbsolutePath(),
                  html.toAbsolutePath().toUri().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            chromium
                + " did not finish the screenshot in "
                + TIMEOUT.toSeconds()
                + " s"
                + tail(log));
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(png) || Files.size(png) == 0) {
        throw new IllegalStateException(
            chromium
                + " exited with "
                + process.exitValue()
                + " without writing "
                + png
                + tail(log));
      }
    } finally {
      deleteRecursively(profile);
    }
  }

  /** The end of Chromium's output, for an error message. */
  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return lines.isEmpty()
        ? ""
        : ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
