package dev.sluice.cli;

import dev.sluice.cli.infra.Console;
import dev.sluice.cli.infra.Layout;
import java.nio.file.Path;

/** Locates the checkout (bin/sluice passes it as -Dsluice.home) and its var/ folder. */
public final class Project {
  private Project() {}

  public static Path home() {
    String home = System.getProperty("sluice.home", System.getenv("SLUICE_HOME"));
    return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
  }

  static Layout layout(Path varDir) {
    return Layout.of(home(), varDir == null ? home().resolve("var") : varDir);
  }

  static Console console() {
    return new Console(System.out);
  }
}
