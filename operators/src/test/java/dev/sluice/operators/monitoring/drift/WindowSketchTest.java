package dev.sluice.operators.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** {@link WindowSketch}: grid bins, merge, bounds, categorical overflow, Flink serialisation. */
class WindowSketchTest {
  /** Quantiles 0, 1, ..., 100: the grid's edges are the integers 0..100. */
  private static final List<Double> INTEGER_QUANTILES =
      IntStream.rangeClosed(0, 100).mapToObj(i -> (double) i).toList();

  @Test
  void numericValuesLandInUnderflowIntervalsAtomAndOverflow() {
    WindowSketch s = WindowSketch.numeric(INTEGER_QUANTILES);
    assertThat(s.edges).hasSize(101);
    assertThat(s.counts).hasSize(103);
    assertThat(s.bin(-0.5)).isZero();
    assertThat(s.bin(0)).isEqualTo(1);
    assertThat(s.bin(0.99)).isEqualTo(1);
    assertThat(s.bin(1)).isEqualTo(2);
    assertThat(s.bin(99.5)).isEqualTo(100);
    assertThat(s.bin(100)).isEqualTo(101);
    assertThat(s.bin(100.5)).isEqualTo(102);
    s.add(-3).add(-1).add(100.5).add(Double.NaN);
    assertThat(s.underflowSum).isEqualTo(-4);
    assertThat(s.overflowSum).isEqualTo(100.5);
    assertThat(s.count).isEqualTo(3);
    assertThat(s.missing).isEqualTo(1);
    assertThat(s.min).isEqualTo(-3);
    assertThat(s.max).isEqualTo(100.5);
  }

  @Test
  void repeatedQuantilesCollapseIntoOneEdge() {
    // A discrete variable: 40 % zeros, 40 % ones, then 2 and 3.
    List<Double> q = new ArrayList<>();
    for (int j = 0; j <= 100; j++) {
      q.add(j < 40 ? 0.0 : j < 80 ? 1.0 : j < 100 ? 2.0 : 3.0);
    }
    WindowSketch s = WindowSketch.numeric(q);
    assertThat(s.edges).containsExactly(0, 1, 2, 3);
    assertThat(s.counts).hasSize(6);
    s.add(0).add(1).add(1).add(2.5).add(3).add(3);
    assertThat(s.counts).containsExactly(0, 1, 2, 1, 2, 0);
  }

  @Test
  void aConstantReferenceHasOnlyTheAtomBetweenUnderAndOverflow() {
    WindowSketch s = WindowSketch.numeric(java.util.Collections.nCopies(101, 5.0));
    s.add(4).add(5).add(6).add(6);
    assertThat(s.counts).containsExactly(1, 1, 2);
  }

  @Test
  void mergeIsAssociativeAndEqualsAddingEverything() {
    double[] values = DriftFixtures.numericSample("amount.same");
    WindowSketch all = WindowSketch.forReference(DriftFixtures.profile("amount"));
    WindowSketch[] parts = new WindowSketch[3];
    for (int p = 0; p < 3; p++) {
      parts[p] = WindowSketch.forReference(DriftFixtures.profile("amount"));
    }
    for (int i = 0; i < values.length; i++) {
      all.add(values[i]);
      parts[i % 3].add(values[i]);
    }
    parts[1].add(Double.NaN);
    all.add(Double.NaN);
    WindowSketch left = parts[0].copy().merge(parts[1]).merge(parts[2]);
    WindowSketch right = parts[0].copy().merge(parts[1].copy().merge(parts[2]));
    WindowSketch swapped = parts[2].copy().merge(parts[0]).merge(parts[1]);
    for (WindowSketch merged : List.of(left, right, swapped)) {
      assertThat(merged.counts).containsExactly(all.counts);
      assertThat(merged.count).isEqualTo(all.count).isEqualTo(values.length);
      assertThat(merged.missing).isEqualTo(1);
      assertThat(merged.min).isEqualTo(all.min);
      assertThat(merged.max).isEqualTo(all.max);
      assertThat(merged.sum).isCloseTo(all.sum, within(1e-9 * Math.abs(all.sum)));
      assertThat(merged.sumOfSquares).isCloseTo(all.sumOfSquares, within(1e-9 * all.sumOfSquares));
      assertThat(merged.overflowSum).isCloseTo(all.overflowSum, within(1e-9 * all.overflowSum));
      assertThat(merged.underflowSum)
          .isCloseTo(all.underflowSum, within(1e-9 * Math.abs(all.underflowSum) + 1e-12));
    }
    assertThat(Arrays.stream(all.counts).sum()).isEqualTo(values.length);
  }

  @Test
  void sketchesOfDifferentReferencesDoNotMerge() {
    WindowSketch amount = WindowSketch.forReference(DriftFixtures.profile("amount"));
    assertThatThrownBy(
            () -> amount.merge(WindowSketch.forReference(DriftFixtures.profile("score"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> amount.merge(WindowSketch.forReference(DriftFixtures.profile("label"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> amount.add("web")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sizeIsBoundedWhateverTheWindowSize() throws IOException {
    WindowSketch empty = WindowSketch.forReference(DriftFixtures.profile("amount"));
    WindowSketch full = empty.copy();
    Random random = new Random(7);
    for (int i = 0; i < 1_000_000; i++) {
      full.add(Math.exp(3.5 + 0.8 * random.nextGaussian()));
    }
    assertThat(full.count).isEqualTo(1_000_000);
    assertThat(full.edges).hasSizeLessThanOrEqualTo(101);
    assertThat(full.counts).hasSizeLessThanOrEqualTo(103);
    int emptyBytes = serializedSize(empty);
    int fullBytes = serializedSize(full);
    // 101 edges + 103 counts of 8 bytes, a few scalars and array lengths: under 1.8 KB.
    assertThat(fullBytes).isEqualTo(emptyBytes).isLessThan(1800);
  }

  @Test
  void categoricalTracksReferenceCategoriesThenCapsNewOnesIntoOther() {
    WindowSketch s = WindowSketch.categorical(List.of("0", "1"), 3);
    s.add(1.0).add(0.0).add(1.0).add("a").add("b").add("c").add("b").add((String) null);
    s.add(Double.NaN);
    assertThat(s.categories).containsExactly("0", "1", "a", WindowSketch.OTHER);
    assertThat(s.categoryCounts).containsExactly(1, 2, 1, 3);
    assertThat(s.count).isEqualTo(7);
    assertThat(s.missing).isEqualTo(2);
    WindowSketch label = WindowSketch.categorical(List.of("0", "1"), 3).add(1).add(0).add(1);
    assertThat(label.mean()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(label.categoryCounts).containsExactly(1, 2);
    // The reference's categories are always tracked, even beyond the cap.
    WindowSketch many = WindowSketch.categorical(List.of("a", "b", "c", "d"), 2);
    many.add("d").add("e");
    assertThat(many.categories).containsExactly("a", "b", "c", "d", WindowSketch.OTHER);
  }

  @Test
  void categoricalMergeIsAssociativeWithinTheCapAndKeepsTotalsBeyondIt() {
    String[] values = DriftFixtures.sample("channel.new");
    WindowSketch all = WindowSketch.categorical(List.of("web", "app", "pos", "atm"), 8);
    WindowSketch[] parts = new WindowSketch[3];
    for (int p = 0; p < 3; p++) {
      parts[p] = WindowSketch.categorical(List.of("web", "app", "pos", "atm"), 8);
    }
    for (int i = 0; i < values.length; i++) {
      all.add(values[i]);
      parts[i % 3].add(values[i]);
    }
    WindowSketch left = parts[0].copy().merge(parts[1]).merge(parts[2]);
    WindowSketch right = parts[0].copy().merge(parts[1].copy().merge(parts[2]));
    assertThat(left.categories).containsExactly(all.categories);
    assertThat(left.categoryCounts).containsExactly(all.categoryCounts);
    assertThat(right.categoryCounts).containsExactly(all.categoryCounts);
    assertThat(all.categories).contains("kiosk");

    WindowSketch a = WindowSketch.categorical(List.of("x"), 2).add("p").add("q");
    WindowSketch b = WindowSketch.categorical(List.of("x"), 2).add("r").add("r").add("x");
    a.merge(b);
    assertThat(a.categories).containsExactly("x", "p", WindowSketch.OTHER);
    assertThat(Arrays.stream(a.categoryCounts).sum()).isEqualTo(a.count).isEqualTo(5);
  }

  @Test
  void isAFlinkPojoWithoutKryo() {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(WindowSketch.class);
  }

  private static int serializedSize(WindowSketch sketch) throws IOException {
    TypeSerializer<WindowSketch> serializer =
        TypeInformation.of(WindowSketch.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(4096);
    serializer.serialize(sketch, out);
    return out.length();
  }
}
