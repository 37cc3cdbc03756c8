package dev.sluice.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something that happened at one event time and is drawn as a vertical line across every chart: an
 * alarm that fired or a step of the closed loop that changed which model decides.
 */
record Marker(long time, Kind kind, String label) {
  /** What happened, with its colour (legend in the page's "how to read this"). */
  enum Kind {
    ALERT("alert", "#e8710a"),
    CHALLENGER("challenger", "#2e9e44"),
    PROMOTED("promoted", "#1f5fbf"),
    REJECTED("rejected", "#8a8a8a"),
    ROLLED_BACK("rolled-back", "#d62728");

    final String cssClass;
    final String color;

    Kind(String cssClass, String color) {
      this.cssClass = cssClass;
      this.color = color;
    }
  }

  /** Font size of marker labels, px. */
  static final double LABEL_FONT = 11;

  /** Height of one lane of marker labels, px. */
  static final int LANE_HEIGHT = 14;

  /** Lanes at most: further labels are left out (their lines and table rows remain). */
  static final int MAX_LANES = 6;

  /** Markers of one kind closer than this (px) share a label. */
  private static final double CLUSTER_PX = 6;

  /** A label of one or more markers, placed in a lane so that no two labels overlap. */
  record Placed(double x, int lane, boolean anchorEnd, String text, Kind kind) {}

  static final Comparator<Marker> ORDER =
      Comparator.comparingLong(Marker::time)
          .thenComparing(Marker::kind)
          .thenComparing(Marker::label);

  /**
   * Labels for {@code markers} on {@code axis}: markers of one kind a few pixels apart share one
   * label ("psi>0.2 ×3, auc<0.85"), and each label goes into the first lane where it does not
   * overlap the previous one, up to {@link #MAX_LANES}. Labels run right of their line, or left of
   * it near the right edge ({@code maxX}).
   */
  static List<Placed> place(TimeAxis axis, List<Marker> markers, double maxX) {
    List<Marker> sorted = markers.stream().sorted(ORDER).toList();
    List<List<Marker>> clusters = new ArrayList<>();
    for (Marker m : sorted) {
      List<Marker> same = null;
      // Look back over the clusters still within reach for one of the same kind.
      for (int i = clusters.size() - 1; i >= 0; i--) {
        List<Marker> c = clusters.get(i);
        if (axis.x(m.time) - axis.x(c.get(0).time) > CLUSTER_PX) {
          break;
        }
        if (c.get(0).kind == m.kind) {
          same = c;
          break;
        }
      }
      if (same == null) {
        same = new ArrayList<>();
        clusters.add(same);
      }
      same.add(m);
    }
    List<Placed> placed = new ArrayList<>();
    List<Double> laneEnds = new ArrayList<>();
    for (List<Marker> c : clusters) {
      double x = axis.x(c.get(0).time);
      String text = text(c);
      double w = Markup.textWidth(text, LABEL_FONT);
      boolean anchorEnd = x + 3 + w > maxX;
      double start = anchorEnd ? x - 3 - w : x + 3;
      double end = anchorEnd ? x - 3 : x + 3 + w;
      int lane = 0;
      while (lane < laneEnds.size() && laneEnds.get(lane) + 6 > start) {
        lane++;
      }
      if (lane == MAX_LANES) {
        continue;
      }
      if (lane == laneEnds.size()) {
        laneEnds.add(end);
      } else {
        laneEnds.set(lane, end);
      }
      placed.add(new Placed(x, lane, anchorEnd, text, c.get(0).kind));
    }
    return placed;
  }

  static int lanes(List<Placed> placed) {
    return placed.stream().mapToInt(p -> p.lane + 1).max().orElse(0);
  }

  private static String text(List<Marker> cluster) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Marker m : cluster) {
      counts.merge(m.label, 1, Integer::sum);
    }
    List<String> items = new ArrayList<>();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      items.add(e.getValue() > 1 ? e.getKey() + " \u00d7" + e.getValue() : e.getKey());
    }
    if (items.size() <= 2) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, 2)) + " +" + (items.size() - 2) + " more";
  }
}
