package io.rnnkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.checkpoint.BundleWriter;
import io.rnnkit.checkpoint.ObjectGraphKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.ObjectReference;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.types.TString;
import picocli.CommandLine;

class InspectCheckpointCommandTest {
  private static final String KERNEL_KEY = "trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE";
  private static final String ITER_KEY = "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE";

  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private Path writeSavedModel() {
    TrackableObjectGraph graph =
        TrackableObjectGraph.newBuilder()
            .addNodes(
                TrackableObject.newBuilder()
                    .addChildren(child(1, "trainable_variables/0"))
                    .addChildren(child(2, "optimizer")))
            .addNodes(variable("lstm/lstm_cell/kernel", KERNEL_KEY))
            .addNodes(TrackableObject.newBuilder().addChildren(child(3, "iter")))
            .addNodes(variable("Adam/iter", ITER_KEY))
            .build();
    byte[] serialized = graph.toByteArray();
    Path savedModel = dir.resolve("saved_model");
    new BundleWriter()
        .add(
            ObjectGraphKeys.OBJECT_GRAPH_KEY,
            tf -> {
              try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(serialized))) {
                return tf.constantOf(t);
              }
            })
        .add(KERNEL_KEY, tf -> tf.constant(new float[][] {{1f, 2f, 3f, 4f}}))
        .add(ITER_KEY, tf -> tf.constant(5L))
        .save(savedModel.resolve("variables").resolve("variables"));
    return savedModel;
  }

  private static ObjectReference child(int nodeId, String name) {
    return ObjectReference.newBuilder().setNodeId(nodeId).setLocalName(name).build();
  }

  private static TrackableObject variable(String fullName, String key) {
    return TrackableObject.newBuilder()
        .addAttributes(
            SerializedTensor.newBuilder()
                .setName("VARIABLE_VALUE")
                .setFullName(fullName)
                .setCheckpointKey(key))
        .build();
  }

  @Test
  void listsKerasNamesAndOptimizer() {
    Path savedModel = writeSavedModel();
    Run result = run("inspect-checkpoint", "--verify", savedModel.toString());
    assertEquals(0, result.exitCode(), "exit code; stderr: " + result.err());
    String kernelLine =
        result.out().lines().filter(l -> l.startsWith(KERNEL_KEY)).findFirst().orElse("");
    assertTrue(kernelLine.contains("DT_FLOAT"), "kernel dtype: " + kernelLine);
    assertTrue(kernelLine.contains("[1, 4]"), "kernel shape: " + kernelLine);
    assertTrue(kernelLine.contains("lstm/lstm_cell/kernel"), "Keras name: " + kernelLine);
    assertFalse(kernelLine.contains("optimizer"), "kernel not optimizer: " + kernelLine);
    String iterLine =
        result.out().lines().filter(l -> l.startsWith(ITER_KEY)).findFirst().orElse("");
    assertTrue(iterLine.endsWith("optimizer"), "iter marked: " + iterLine);
    assertTrue(result.out().contains("All checksums verified."), result.out());
  }

  @Test
  void hideOptimizerDropsOptimizerRows() {
    Path savedModel = writeSavedModel();
    Run result = run("inspect-checkpoint", "--hide-optimizer", savedModel.toString());
    assertEquals(0, result.exitCode(), "exit code; stderr: " + result.err());
    assertFalse(result.out().contains(ITER_KEY), "iter hidden: " + result.out());
    assertTrue(result.out().contains(KERNEL_KEY), "kernel listed: " + result.out());
  }

  @Test
  void verifyReportsCorruptTensor() throws IOException {
    Path savedModel = writeSavedModel();
    Path data = savedModel.resolve("variables").resolve("variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length - 1] ^= 0x10;
    Files.write(data, bytes);
    Run result = run("inspect-checkpoint", "--verify", savedModel.toString());
    assertEquals(1, result.exitCode(), "exit code for a corrupt tensor");
    assertTrue(result.out().contains("CORRUPT"), "row marked: " + result.out());
    assertTrue(result.err().contains("Checksum mismatch"), "error message: " + result.err());
  }

  @Test
  void missingCheckpointFailsWithMessage() {
    Run result = run("inspect-checkpoint", dir.resolve("model.ckpt-9").toString());
    assertEquals(1, result.exitCode(), "exit code for a missing checkpoint");
    assertTrue(result.err().contains("model.ckpt-9.index"), "names the file: " + result.err());
  }
}
