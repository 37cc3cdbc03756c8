package dev.sluice.operators.monitoring.drift;

import dev.sluice.avro.models.DistributionKind;
import dev.sluice.avro.models.DistributionProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The samples and values that {@code drift/generate_expected.py} computed with numpy and scipy on
 * the raw samples (see that script; rerun it to change the data).
 */
final class DriftFixtures {
  /** Numeric variables: large reference (amount, count) and small reference (score). */
  static final List<String> NUMERIC = List.of("amount", "score", "count");

  /** Categorical variables: large reference (label) and small reference (channel). */
  static final List<String> CATEGORICAL = List.of("label", "channel");

  private static final Map<String, String[]> SAMPLES = samples();
  private static final Properties EXPECTED = expected();

  private DriftFixtures() {}

  /** Every window case, e.g. {@code amount.shift}, of the given variables. */
  static List<String> cases(List<String> variables) {
    List<String> cases = new ArrayList<>();
    for (String name : SAMPLES.keySet()) {
      String variable = name.substring(0, name.indexOf('.'));
      if (variables.contains(variable) && !name.endsWith(".reference")) {
        cases.add(name);
      }
    }
    return cases;
  }

  static String variable(String caseName) {
    return caseName.substring(0, caseName.indexOf('.'));
  }

  static String[] sample(String name) {
    String[] values = SAMPLES.get(name);
    if (values == null) {
      throw new IllegalStateException("no sample " + name + " in drift/samples.csv");
    }
    return values;
  }

  static double[] numericSample(String name) {
    return Arrays.stream(sample(name)).mapToDouble(Double::parseDouble).toArray();
  }

  /** The reference profile of a variable as the script computed it (ProfileBuilder's rules). */
  static DistributionProfile profile(String variable) {
    DistributionKind kind = DistributionKind.valueOf(text(variable + ".kind"));
    DistributionProfile.Builder b =
        DistributionProfile.newBuilder()
            .setName(variable)
            .setKind(kind)
            .setCount((long) number(variable + ".count"))
            .setMean(Double.NaN)
            .setStd(Double.NaN)
            .setMin(Double.NaN)
            .setMax(Double.NaN)
            .setQuantiles(List.of())
            .setBinEdges(List.of())
            .setBinCounts(List.of())
            .setCategories(Map.of());
    if (kind == DistributionKind.NUMERIC) {
      b.setMean(number(variable + ".mean"))
          .setStd(number(variable + ".std"))
          .setMin(number(variable + ".min"))
          .setMax(number(variable + ".max"))
          .setQuantiles(boxed(numbers(variable + ".quantiles")))
          .setBinEdges(boxed(numbers(variable + ".bin_edges")))
          .setBinCounts(
              Arrays.stream(numbers(variable + ".bin_counts")).mapToObj(c -> (long) c).toList());
    } else {
      Map<String, Long> categories = new LinkedHashMap<>();
      for (String entry : text(variable + ".categories").split(",")) {
        String[] kv = entry.split(":");
        categories.put(kv[0], Long.parseLong(kv[1]));
      }
      b.setCategories(categories);
    }
    return b.build();
  }

  /** A sketch for the variable's reference, fed with a sample. */
  static WindowSketch sketch(String caseName) {
    WindowSketch sketch = WindowSketch.forReference(profile(variable(caseName)));
    for (String v : sample(caseName)) {
      if (sketch.categorical) {
        sketch.add(v);
      } else {
        sketch.add(Double.parseDouble(v));
      }
    }
    return sketch;
  }

  static String text(String key) {
    String value = EXPECTED.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("no " + key + " in drift/expected.properties");
    }
    return value;
  }

  static double number(String key) {
    return Double.parseDouble(text(key).replace("inf", "Infinity"));
  }

  static double[] numbers(String key) {
    return Arrays.stream(text(key).split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static List<Double> boxed(double[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static Map<String, String[]> samples() {
    Map<String, String[]> samples = new LinkedHashMap<>();
    try (BufferedReader in = reader("samples.csv")) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] fields = line.split(",");
        samples.put(fields[0], Arrays.copyOfRange(fields, 1, fields.length));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return samples;
  }

  private static Properties expected() {
    Properties p = new Properties();
    try (BufferedReader in = reader("expected.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static BufferedReader reader(String name) {
    InputStream in = DriftFixtures.class.getResourceAsStream("/drift/" + name);
    if (in == null) {
      throw new IllegalStateException(
          "test resource drift/" + name + " missing: run generate_expected.py");
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
