package io.rnnkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StepProfileTest {

  @Test
  void group_foldsStepNumbersAndNameSuffixes() {
    assertEquals(
        "bench_train/lstm/step_N",
        StepProfile.group("bench_train/lstm/step_12/MatMul_3"),
        "step op");
    assertEquals(
        "gradients/bench_train/lstm/step_N/Transpose",
        StepProfile.group("gradients/bench_train/lstm/step_3/Transpose_1/MatMul"),
        "gradient op");
    assertEquals("optimizer", StepProfile.group("optimizer/ApplyAdam_4"), "numbered op");
    assertEquals("Square", StepProfile.group("Square_4"), "op at the top level");
  }

  @Test
  void typeOf_timelineLabels() {
    assertEquals(
        "_MklMatMul",
        StepProfile.typeOf(
            "[mklcpu 0.2MB 0.2MB] a/FoldTransposeIntoMatMul_MatMul = _MklMatMul(w, x)"),
        "label with a memory prefix");
    assertEquals("Mul", StepProfile.typeOf("gradients/Multiply_1 = Mul(a, b)"), "plain label");
    assertEquals("?", StepProfile.typeOf("no type here"), "label without a type");
  }
}
