package dev.sluice.operators.monitoring.drift;

import dev.sluice.operators.evaluation.ProfileBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-value work of {@code DriftMonitorFunction} on one window's {@link WindowSketch} (ns per
 * value):
 *
 * <ul>
 *   <li>{@link #add}: {@link WindowSketch#add(double)} on the sketch object;
 *   <li>{@link #addWithStateRoundTrip}: what {@code add(...)} in the function costs with RocksDB
 *       ({@code CheckpointSettings}): {@code sketches.get(start)} deserializes the sketch, {@link
 *       WindowSketch#add(double)}, {@code sketches.put(start, sketch)} serializes it again, with the
 *       {@link TypeSerializer} Flink derives from {@code TypeInformation.of(WindowSketch.class)}
 *       (the RocksDB get/put and the Long key are not included).
 * </ul>
 *
 * {@code kind=numeric}: a sketch on a reference of 101 quantiles of a log-normal amount (101
 * edges, 103 counts), fed values from the same distribution. {@code kind=categorical}: a 0/1
 * feature ({@code TX_DURING_NIGHT}-like), seeded with categories "0" and "1".
 *
 * <pre>{@code
 * mvn -B -pl operators -Pbench process-test-classes -Djmh.args="WindowSketchBenchmark -wi 2 -i 3 -w 2s -r 2s"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class WindowSketchBenchmark {
  private static final int POOL = 1024;

  @Param({"numeric", "categorical"})
  public String kind;

  private TypeSerializer<WindowSketch> serializer;
  private WindowSketch sketch;
  private double[] values;
  private int next;
  // Two buffers: each invocation reads the sketch from one and writes it to the other.
  private DataOutputSerializer stored = new DataOutputSerializer(4096);
  private DataOutputSerializer spare = new DataOutputSerializer(4096);
  private final DataInputDeserializer in = new DataInputDeserializer();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Random random = new Random(42);
    values = new double[POOL];
    if (kind.equals("numeric")) {
      double[] reference = new double[100_000];
      for (int i = 0; i < reference.length; i++) {
        reference[i] = amount(random);
      }
      Arrays.sort(reference);
      List<Double> quantiles = new ArrayList<>();
      for (int j = 0; j < ProfileBuilder.QUANTILES; j++) {
        quantiles.add(reference[(int) ((long) j * (reference.length - 1) / 100)]);
      }
      sketch = WindowSketch.numeric(quantiles);
      for (int i = 0; i < POOL; i++) {
        values[i] = amount(random);
      }
    } else {
      sketch = WindowSketch.categorical(List.of("0", "1"), WindowSketch.DEFAULT_MAX_CATEGORIES);
      for (int i = 0; i < POOL; i++) {
        values[i] = random.nextInt(4) == 0 ? 1.0 : 0.0;
      }
    }
    serializer = TypeInformation.of(WindowSketch.class).createSerializer(new SerializerConfigImpl());
    serializer.serialize(sketch, stored);
    System.out.printf(
        "%n%s: serializer %s, %d bytes serialized (empty sketch)%n",
        kind, serializer.getClass().getName(), stored.length());
  }

  private static double amount(Random random) {
    return Math.round(Math.exp(3.5 + 0.9 * random.nextGaussian()) * 100) / 100.0;
  }

  @Benchmark
  public WindowSketch add() {
    double v = values[next];
    next = (next + 1) & (POOL - 1);
    return sketch.add(v);
  }

  @Benchmark
  public int addWithStateRoundTrip() throws IOException {
    double v = values[next];
    next = (next + 1) & (POOL - 1);
    in.setBuffer(stored.getSharedBuffer(), 0, stored.length());
    WindowSketch s = serializer.deserialize(in);
    s.add(v);
    spare.clear();
    serializer.serialize(s, spare);
    DataOutputSerializer swap = stored;
    stored = spare;
    spare = swap;
    return stored.length();
  }
}
