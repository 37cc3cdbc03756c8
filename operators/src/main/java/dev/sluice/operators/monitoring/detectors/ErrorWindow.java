package dev.sluice.operators.monitoring.detectors;

/**
 * What {@link ErrorStreamFunction} counts in one event-time window of one model key: the labelled
 * rows, their errors, and per detector what it reported on them. A Flink POJO (kept in a {@code
 * MapState}, no Kryo).
 */
public class ErrorWindow {
  /** Model name of the key's rows. */
  public String modelName;

  /** Model version of the key's rows. */
  public int modelVersion;

  /** Whether the key's rows are shadow predictions. */
  public boolean shadow;

  /** Labelled rows in the window. */
  public long rows;

  /** Of which wrong at their threshold. */
  public long errors;

  /** ADWIN's window width after the window's last row. */
  public long adwinWidth;

  public Counts ddm = new Counts();
  public Counts pageHinkley = new Counts();
  public Counts adwin = new Counts();

  /** For Flink's POJO serializer. */
  public ErrorWindow() {}

  /** One detector's reports in the window. */
  public static class Counts {
    /** DRIFTs reported on the window's rows. */
    public long detections;

    /** WARNINGs reported on the window's rows (DDM only; 0 for the others). */
    public long warnings;

    /** Label time of the row of the first DRIFT; meaningful only when {@link #detections} > 0. */
    public long firstDetectionAt;

    /** {@link DriftDetector#seen()} before the window's first row. */
    public long seenBefore;

    /**
     * The detector's error-rate estimate after the window's last row (DDM's {@code p},
     * Page-Hinkley's mean, ADWIN's estimation); NaN when it had just been reset.
     */
    public double estimate = Double.NaN;

    /** For Flink's POJO serializer. */
    public Counts() {}

    void record(DriftDetector.State state, long time, double estimateAfter) {
      estimate = estimateAfter;
      if (state == DriftDetector.State.DRIFT) {
        if (detections == 0) {
          firstDetectionAt = time;
        }
        detections++;
      } else if (state == DriftDetector.State.WARNING) {
        warnings++;
      }
    }
  }
}
