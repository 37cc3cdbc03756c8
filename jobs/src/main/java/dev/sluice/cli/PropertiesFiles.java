package dev.sluice.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Client properties from {@code KEY=VALUE} options and Java properties files, named in errors. */
final class PropertiesFiles {
  private PropertiesFiles() {}

  /** The file's properties, or none for a null path; an unreadable file names the option. */
  static Map<String, String> load(String option, Path file) {
    Map<String, String> result = new LinkedHashMap<>();
    if (file == null) {
      return result;
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(option + " '" + file + "' is not a readable file");
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException | IllegalArgumentException e) {
      // The message of a malformed file could quote a secret: say only where the problem is.
      throw new IllegalArgumentException(
          option
              + " '"
              + file
              + "' is not a Java properties file ("
              + e.getClass().getSimpleName()
              + ")");
    }
    for (String key : props.stringPropertyNames()) {
      result.put(key.trim(), props.getProperty(key).trim());
    }
    return result;
  }

  /**
   * {@code KEY=VALUE} strings as a map; a malformed one is refused by its position, never echoed
   * (it may be a secret typed without its key).
   */
  static Map<String, String> keyValues(String option, List<String> pairs) {
    Map<String, String> result = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i++) {
      String pair = pairs.get(i);
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.substring(0, eq).isBlank()) {
        throw new IllegalArgumentException(
            option + " #" + (i + 1) + " is not KEY=VALUE (e.g. " + option + " linger.ms=5)");
      }
      result.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return result;
  }
}
