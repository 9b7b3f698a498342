package io.rnnkit.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FmaBenchmarkTest {

  @Test
  void gflops_positiveAndFinite() throws Exception {
    double figure = FmaBenchmark.gflops(1, 1);
    assertTrue(Double.isFinite(figure), "finite: " + figure);
    assertTrue(figure > 0, "positive: " + figure);
  }

  @Test
  void gflops_zeroThreadsRejected() {
    var error =
        assertThrows(IllegalArgumentException.class, () -> FmaBenchmark.gflops(0, 1), "0 threads");
    assertTrue(error.getMessage().contains("got 0 and 1"), error.getMessage());
  }
}
