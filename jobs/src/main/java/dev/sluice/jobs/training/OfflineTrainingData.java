package dev.sluice.jobs.training;

import dev.sluice.avro.Label;
import dev.sluice.operators.features.FeatureSet;
import dev.sluice.state.features.ViewSchema;
import dev.sluice.state.offline.DtRange;
import dev.sluice.state.offline.OfflineStoreLayout;
import dev.sluice.state.offline.OfflineStoreReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a training set from an offline store: every view's rows of the split's days, joined on the
 * event id into one feature vector per transaction (each row was computed as of its transaction, so
 * the join is point-in-time correct by construction), plus the archived labels. Rows of other
 * versions of a view (another definition written to the same store) are skipped and counted.
 */
public final class OfflineTrainingData {
  private OfflineTrainingData() {}

  /** What was read, besides the training set. */
  public record Result(
      TrainingSet trainingSet, long viewRowsRead, long otherVersionsSkipped, long incompleteRows) {
    public String format() {
      return trainingSet.summary().format()
          + String.format(
              "%nview rows read: %d; skipped as another view version: %d; transactions missing"
                  + " a view's row: %d%n",
              viewRowsRead, otherVersionsSkipped, incompleteRows);
    }
  }

  public static Result build(OfflineStoreLayout layout, FeatureSet<?> set, TrainingSplit split)
      throws IOException {
    OfflineStoreReader reader = new OfflineStoreReader(layout);
    DtRange days = DtRange.between(split.all().start(), split.all().last());
    List<ViewSchema> schemas = set.schemas();
    int width = set.featureNames().size();
    Map<String, Partial> partials = new HashMap<>();
    long[] counts = new long[2];
    int offset = 0;
    for (int v = 0; v < schemas.size(); v++) {
      ViewSchema schema = schemas.get(v);
      int at = offset;
      int bit = 1 << v;
      String version = schema.version();
      reader.forEachViewRow(
          schema,
          days,
          row -> {
            counts[0]++;
            if (!version.equals(row.version)) {
              counts[1]++;
              return;
            }
            Partial p =
                partials.computeIfAbsent(row.eventId, id -> new Partial(row.eventTime, width));
            System.arraycopy(row.values, 0, p.values, at, row.values.length);
            p.views |= bit;
            if ("customer".equals(schema.entity())) {
              p.customer = row.entityId;
            } else if ("terminal".equals(schema.entity())) {
              p.terminal = row.entityId;
            }
          });
      offset += schema.columns().size();
    }
    int all = (1 << schemas.size()) - 1;
    List<FeatureExample> examples = new ArrayList<>(partials.size());
    long incomplete = 0;
    for (Map.Entry<String, Partial> e : partials.entrySet()) {
      Partial p = e.getValue();
      if (p.views != all) {
        incomplete++;
        continue;
      }
      examples.add(new FeatureExample(e.getKey(), p.eventTime, p.customer, p.terminal, p.values));
    }
    partials.clear();
    // Labels are archived by the time they became known, which is after their transaction.
    List<Label> labels =
        reader.readRaw(
            OfflineStoreLayout.LABELS, Label.class, new DtRange(split.all().start(), null));
    TrainingSet trainingSet =
        new TrainingSetBuilder(set.featureNames(), split).build(examples, labels);
    return new Result(trainingSet, counts[0], counts[1], incomplete);
  }

  private static final class Partial {
    final long eventTime;
    final double[] values;
    int views;
    String customer = "";
    String terminal = "";

    Partial(long eventTime, int width) {
      this.eventTime = eventTime;
      this.values = new double[width];
    }
  }
}
