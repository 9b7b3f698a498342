package io.rnnkit.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the float32 fused multiply-add throughput of this machine: each thread runs independent
 * chains of vector FMAs of the widest shape the JVM supports ({@code
 * FloatVector.SPECIES_PREFERRED}, 16 lanes with AVX-512), so the figure approaches the cores' peak.
 * It is the reference the speed benchmark divides by.
 *
 * <p>Needs {@code --add-modules jdk.incubator.vector} when compiling and running.
 */
public final class FmaBenchmark {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Independent accumulator chains per thread, enough to hide the FMA latency. */
  private static final int CHAINS = 12;

  private FmaBenchmark() {}

  /**
   * Returns the median GFLOP/s (2 FLOP per lane per FMA) of {@code repeats} timed runs on {@code
   * threads} threads, after a warm-up that lets the JIT compile the loop.
   */
  public static double gflops(int threads, int repeats) throws InterruptedException {
    if (threads < 1 || repeats < 1) {
      throw new IllegalArgumentException(
          "threads and repeats must be at least 1, got " + threads + " and " + repeats);
    }
    // Many short calls, so the JIT compiles the whole method: a long loop compiled on stack
    // replacement keeps its vectors boxed and runs about 20 times slower here.
    for (int i = 0; i < 50_000; i++) {
      chains(64);
    }
    long iterations = 100_000_000L;
    double[] figures = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      List<Thread> workers = new ArrayList<>();
      float[] sinks = new float[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int index = t;
        Thread worker = new Thread(() -> sinks[index] = chains(iterations));
        workers.add(worker);
        worker.start();
      }
      for (Thread worker : workers) {
        worker.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double flops = 2.0 * CHAINS * SPECIES.length() * iterations * threads;
      figures[r] = flops / seconds / 1e9;
      if (!Float.isFinite(sinks[0])) {
        throw new IllegalStateException("FMA chains overflowed: " + sinks[0]);
      }
    }
    Arrays.sort(figures);
    return figures[repeats / 2];
  }

  /** Runs {@link #CHAINS} dependent FMA chains for {@code iterations} steps and sums them. */
  private static float chains(long iterations) {
    FloatVector a = FloatVector.broadcast(SPECIES, 0.999999f);
    FloatVector b = FloatVector.broadcast(SPECIES, 1e-7f);

    FloatVector c0 = FloatVector.broadcast(SPECIES, 1f);
    FloatVector c1 = c0.add(1f);
    FloatVector c2 = c0.add(2f);
    FloatVector c3 = c0.add(3f);
    FloatVector c4 = c0.add(4f);
    FloatVector c5 = c0.add(5f);
    FloatVector c6 = c0.add(6f);
    FloatVector c7 = c0.add(7f);
    FloatVector c8 = c0.add(8f);
    FloatVector c9 = c0.add(9f);
    FloatVector c10 = c0.add(10f);
    FloatVector c11 = c0.add(11f);

    // Twelve chains in locals, not an array, so the JIT keeps them unboxed in registers.
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }

    FloatVector sum =
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10);
    return sum.add(c11).reduceLanes(VectorOperators.ADD);
  }

  /** Prints the FMA figure: {@code FmaBenchmark [threads] [repeats]}, by default 2 and 3. */
  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.out.printf(
        "FMA float32, %d lanes, %d threads: %.1f GFLOP/s%n",
        SPECIES.length(), threads, gflops(threads, repeats));
  }
}
