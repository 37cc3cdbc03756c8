package dev.sluice.cli.infra;

import java.io.PrintStream;

/** Progress lines for the user; one place so that tests can silence them. */
public final class Console {
  private final PrintStream out;

  public Console(PrintStream out) {
    this.out = out;
  }

  public static Console silent() {
    return new Console(new PrintStream(PrintStream.nullOutputStream()));
  }

  public void info(String format, Object... args) {
    out.printf(format + "%n", args);
    out.flush();
  }
}
