package dev.sluice.cli.report;

import static dev.sluice.cli.report.ReportFixtures.DAY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Marker labels: nearby markers of a kind share one, and no two labels overlap. */
class MarkerTest {
  private static final long T0 = ReportFixtures.START.toEpochMilli();
  private static final TimeAxis AXIS =
      TimeAxis.covering(T0, T0 + 60 * DAY - 1, Chart.LEFT, Chart.PLOT_WIDTH);
  private static final double MAX_X = Chart.WIDTH - 4;

  @Test
  void markersOfAKindAnHourApartShareALabelAndOtherKindsGetTheirOwnLane() {
    List<Marker> markers =
        List.of(
            new Marker(T0 + 30 * DAY, Marker.Kind.ALERT, "feature-psi"),
            new Marker(T0 + 30 * DAY + DAY / 24, Marker.Kind.ALERT, "feature-psi"),
            new Marker(T0 + 30 * DAY, Marker.Kind.ALERT, "auc-drop"),
            new Marker(T0 + 30 * DAY, Marker.Kind.PROMOTED, "v4 promoted"),
            new Marker(T0 + 50 * DAY, Marker.Kind.ALERT, "feature-psi"));

    List<Marker.Placed> placed = Marker.place(AXIS, markers, MAX_X);

    assertThat(placed)
        .extracting(Marker.Placed::text, Marker.Placed::lane)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("auc-drop, feature-psi \u00d72", 0),
            org.assertj.core.groups.Tuple.tuple("v4 promoted", 1),
            org.assertj.core.groups.Tuple.tuple("feature-psi", 0));
    assertThat(Marker.lanes(placed)).isEqualTo(2);
  }

  @Test
  void labelsInALaneNeverOverlapAndNearTheRightEdgeRunLeft() {
    List<Marker> markers = new ArrayList<>();
    for (int d = 0; d < 60; d += 3) {
      markers.add(new Marker(T0 + d * DAY, Marker.Kind.ALERT, "rule-with-a-long-name-" + d));
    }
    markers.add(new Marker(T0 + 60 * DAY - 1, Marker.Kind.ROLLED_BACK, "v9 rolled back"));

    List<Marker.Placed> placed = Marker.place(AXIS, markers, MAX_X);

    assertThat(Marker.lanes(placed)).isBetween(2, Marker.MAX_LANES);
    for (int lane = 0; lane < Marker.lanes(placed); lane++) {
      int l = lane;
      List<double[]> spans =
          placed.stream()
              .filter(p -> p.lane() == l)
              .map(MarkerTest::span)
              .sorted(Comparator.comparingDouble(s -> s[0]))
              .toList();
      for (int i = 1; i < spans.size(); i++) {
        assertThat(spans.get(i)[0]).isGreaterThan(spans.get(i - 1)[1]);
      }
    }
    Marker.Placed last =
        placed.stream().filter(p -> p.kind() == Marker.Kind.ROLLED_BACK).findFirst().orElseThrow();
    assertThat(last.anchorEnd()).isTrue();
    assertThat(placed).allSatisfy(p -> assertThat(span(p)[1]).isLessThanOrEqualTo(MAX_X));
  }

  private static double[] span(Marker.Placed p) {
    double w = Markup.textWidth(p.text(), Marker.LABEL_FONT);
    return p.anchorEnd()
        ? new double[] {p.x() - 3 - w, p.x() - 3}
        : new double[] {p.x() + 3, p.x() + 3 + w};
  }
}
