package dev.sluice.operators.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The reference data and values that {@code evaluation/generate_expected.py} computed with
 * scikit-learn, numpy and pandas (see that script; rerun it to change the data).
 */
final class SklearnReference {
  /** Agreement required with the reference values. */
  static final double TOLERANCE = 1e-9;

  private SklearnReference() {}

  /** {@code scored_transactions.csv}: day, customer, score, label. */
  record Scored(long[] days, String[] customers, double[] scores, boolean[] labels) {}

  static Scored scoredTransactions() {
    List<String[]> rows = csv("scored_transactions.csv", "day,customer,score,label");
    int n = rows.size();
    long[] days = new long[n];
    String[] customers = new String[n];
    double[] scores = new double[n];
    boolean[] labels = new boolean[n];
    for (int i = 0; i < n; i++) {
      String[] row = rows.get(i);
      days[i] = Long.parseLong(row[0]);
      customers[i] = row[1];
      scores[i] = Double.parseDouble(row[2]);
      labels[i] = row[3].equals("1");
    }
    return new Scored(days, customers, scores, labels);
  }

  /** {@code profile_columns.csv}: one column per name in the header. */
  static List<String> profileColumnNames() {
    return List.of("amount", "count", "flag");
  }

  static double[] profileColumn(String name) {
    int column = profileColumnNames().indexOf(name);
    return csv("profile_columns.csv", String.join(",", profileColumnNames())).stream()
        .mapToDouble(row -> Double.parseDouble(row[column]))
        .toArray();
  }

  static Properties expectedMetrics() {
    return properties("expected_metrics.properties");
  }

  static Properties expectedProfiles() {
    return properties("expected_profiles.properties");
  }

  static double number(Properties p, String key) {
    return Double.parseDouble(required(p, key));
  }

  static double[] numbers(Properties p, String key) {
    return Arrays.stream(required(p, key).split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static String required(Properties p, String key) {
    String value = p.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("no " + key + " in the reference values");
    }
    return value;
  }

  private static List<String[]> csv(String name, String header) {
    try (BufferedReader in = reader(name)) {
      String first = in.readLine();
      if (!header.equals(first)) {
        throw new IllegalStateException(name + ": header " + first + ", expected " + header);
      }
      List<String[]> rows = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        rows.add(line.split(","));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Properties properties(String name) {
    Properties p = new Properties();
    try (BufferedReader in = reader(name)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static BufferedReader reader(String name) {
    InputStream in = SklearnReference.class.getResourceAsStream("/evaluation/" + name);
    if (in == null) {
      throw new IllegalStateException(
          "test resource evaluation/" + name + " missing: run generate_expected.py");
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
