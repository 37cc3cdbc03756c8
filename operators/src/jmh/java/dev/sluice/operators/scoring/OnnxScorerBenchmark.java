package dev.sluice.operators.scoring;

import dev.sluice.avro.models.ModelSignature;
import dev.sluice.avro.models.ModelVersion;
import dev.sluice.avro.models.OutputConvention;
import dev.sluice.avro.models.Preprocessing;
import dev.sluice.avro.models.PreprocessingKind;
import dev.sluice.state.models.InvalidModelException;
import dev.sluice.state.models.RegistryState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost per row of {@link OnnxScorer#score} on one thread, by micro-batch size, for a 15-feature
 * Tribuo-style logistic regression ({@code src/test/resources/onnx/tribuo_lr_15.onnx}) with
 * STANDARDIZE preprocessing: the copy into the direct buffer, one tensor, one ORT run, reading the
 * positive column and the range check.
 *
 * <p>Each invocation scores one batch of {@code batch} rows ({@code 1024 / batch} distinct batches
 * are cycled through), so JMH's score is ns per batch: ns/row is that score divided by {@code
 * batch} (the batch size is a parameter, which {@code @OperationsPerInvocation} cannot follow).
 * {@link #printPerRow} also prints a rough ns/row over the whole trial, warm-up included.
 *
 * <pre>{@code
 * mvn -B -pl operators -am -Pbench process-test-classes -Djmh.args="OnnxScorerBenchmark -wi 3 -i 5 -w 1s -r 1s"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Thread)
public class OnnxScorerBenchmark {
  private static final int FEATURES = 15;
  private static final int POOL_ROWS = 1024;

  @Param({"1", "4", "16", "64", "256"})
  public int batch;

  private OnnxScorer scorer;
  private float[][] batches;
  private double[] scores;
  private int next;
  private long calls;
  private long started;

  @Setup(Level.Trial)
  public void open() throws IOException, InvalidModelException {
    byte[] onnx;
    try (InputStream in = getClass().getResourceAsStream("/onnx/tribuo_lr_15.onnx")) {
      onnx = in.readAllBytes();
    }
    List<String> features = new ArrayList<>();
    List<Double> shift = new ArrayList<>();
    List<Double> scale = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      features.add("f" + i);
      shift.add(0.1 * i);
      scale.add(1.0 + 0.05 * i);
    }
    ModelVersion version =
        ModelVersion.newBuilder()
            .setName("bench")
            .setVersion(1)
            .setOnnx(ByteBuffer.wrap(onnx))
            .setSha256(RegistryState.sha256(ByteBuffer.wrap(onnx)))
            .setSignature(
                ModelSignature.newBuilder()
                    .setInputName("input")
                    .setFeatures(features)
                    .setOutput(OutputConvention.PROBABILITY_TENSOR)
                    .setProbabilityOutput("output")
                    .setPositiveClass("1")
                    .setPositiveIndex(1)
                    .build())
            .setPreprocessing(
                Preprocessing.newBuilder()
                    .setKind(PreprocessingKind.STANDARDIZE)
                    .setShift(shift)
                    .setScale(scale)
                    .build())
            .setThreshold(0.5)
            .setRegisteredAt(Instant.EPOCH)
            .setRegisteredBy("bench")
            .build();
    scorer = OnnxScorer.open(version);
    Random random = new Random(42);
    batches = new float[POOL_ROWS / batch][batch * FEATURES];
    for (float[] values : batches) {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextGaussian();
      }
    }
    scores = new double[batch];
    started = System.nanoTime();
  }

  @Benchmark
  public double scoreBatch() throws ScoringException {
    float[] values = batches[next];
    next = next + 1 == batches.length ? 0 : next + 1;
    scorer.score(values, batch, scores);
    calls++;
    return scores[batch - 1];
  }

  @TearDown(Level.Trial)
  public void printPerRow() {
    long elapsed = System.nanoTime() - started;
    System.out.printf(
        "%nbatch %d: %d calls, %.0f ns/row over the whole trial (warm-up included)%n",
        batch, calls, (double) elapsed / (calls * (double) batch));
    scorer.close();
  }
}
