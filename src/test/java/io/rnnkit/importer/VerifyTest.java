package io.rnnkit.importer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.nn.Dense;
import io.rnnkit.nn.LstmCell;
import io.rnnkit.nn.ParameterStore;
import io.rnnkit.nn.Rnn;
import io.rnnkit.nn.SequencePooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Verifies imports of SavedModels exported from Java: an LSTM over a float sequence [B, 5, 2], then
 * one dense layer. The variables have Keras names and no Keras metadata is written, so the importer
 * assumes a linear dense activation.
 */
class VerifyTest {
  private static final int STEPS = 5;
  private static final int INPUT = 2;
  private static final int UNITS = 3;

  @TempDir Path dir;

  private Path export(boolean relu) throws IOException {
    Path folder = dir.resolve(relu ? "relu" : "linear");
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      ParameterStore store = ParameterStore.forTraining(tf, 5L);
      Placeholder<TFloat32> input =
          tf.withName("sequence")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, STEPS, INPUT)));
      Operand<TInt32> batch =
          tf.slice(tf.shape(input), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TInt32> lengths = tf.fill(batch, tf.constant(STEPS));
      Operand<TFloat32> outputs =
          Rnn.of(LstmCell.create(store, "lstm", INPUT, UNITS))
              .apply(tf, input, lengths, STEPS)
              .outputs();
      Operand<TFloat32> result =
          Dense.create(store, "dense", UNITS, 2)
              .apply(tf, SequencePooling.last(tf, outputs, lengths));
      if (relu) {
        result = tf.nn.relu(result);
      }
      session.initialize();
      Signature signature =
          Signature.builder(SavedModelVerifier.SIGNATURE)
              .input("sequence", input)
              .output("value", tf.withName("value").identity(result))
              .build();
      SavedModelBundle.exporter(folder.toString())
          .withSession(session)
          .withSignature(signature)
          .export();
    }
    return folder;
  }

  @Test
  void matchingRebuildPassesVerification() throws IOException {
    Path out = dir.resolve("imported");

    Importer.Result result = Importer.run(Importer.Options.of(export(false), out).withVerify(true));

    Verification verification = result.verification().orElseThrow();
    assertTrue(
        verification.maxDifference() <= Importer.VERIFY_TOLERANCE,
        "difference " + verification.maxDifference());
    assertTrue(verification.maxMagnitude() > 0.01, "outputs are not all zero");
    assertTrue(Files.isDirectory(out.resolve("checkpoint")), "model folder written");
  }

  @Test
  void activationMismatchFailsVerification() throws IOException {
    Path out = dir.resolve("imported");

    ImportException error =
        assertThrows(
            ImportException.class,
            () -> Importer.run(Importer.Options.of(export(true), out).withVerify(true)));

    assertTrue(
        error.getMessage().startsWith("verification failed"), "message: " + error.getMessage());
    assertFalse(Files.exists(out), "no model folder written");
  }
}
