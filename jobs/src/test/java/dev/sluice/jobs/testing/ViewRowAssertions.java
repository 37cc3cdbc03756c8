package dev.sluice.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.state.features.ViewRow;
import java.util.Comparator;
import java.util.List;

/** Compares feature-view rows from two runs, ignoring when each was produced. */
public final class ViewRowAssertions {
  private ViewRowAssertions() {}

  /** Same rows, in any order: view, version, entity, event, event time and values. */
  public static void assertSameViewRows(List<ViewRow> actual, List<ViewRow> expected) {
    Comparator<ViewRow> order =
        Comparator.<ViewRow, String>comparing(r -> r.view).thenComparing(r -> r.eventId);
    List<ViewRow> a = actual.stream().sorted(order).toList();
    List<ViewRow> e = expected.stream().sorted(order).toList();
    assertThat(a).hasSameSizeAs(e);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).sameValues(e.get(i))).as("%s vs %s", a.get(i), e.get(i)).isTrue();
    }
  }
}
