package io.rnnkit.cli;

import io.rnnkit.checkpoint.EntryInfo;
import io.rnnkit.checkpoint.TensorBundleReader;
import io.rnnkit.export.ExportedModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnkit inspect}: prints the signatures, variables and config of a SavedModel. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "Print what a SavedModel exported by rnnkit serves: tags, every signature with its method"
            + " name, inputs and outputs (dtype, shape, tensor name), the variables with their"
            + " shapes, and the stored model configuration. Reads the files only; runs no model.")
final class InspectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "SavedModel version folder.")
  Path model;

  @Override
  public Integer call() throws IOException {
    Path file = model.resolve("saved_model.pb");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no SavedModel in "
              + model
              + ": saved_model.pb is missing; pass a version folder such as savedmodels/NAME/1");
    }
    PrintWriter out = spec.commandLine().getOut();
    SavedModel savedModel = SavedModel.parseFrom(Files.readAllBytes(file));
    for (MetaGraphDef meta : savedModel.getMetaGraphsList()) {
      out.printf("MetaGraph with tags %s%n", meta.getMetaInfoDef().getTagsList());
      for (Map.Entry<String, SignatureDef> entry :
          new TreeMap<>(meta.getSignatureDefMap()).entrySet()) {
        printSignature(out, entry.getKey(), entry.getValue());
      }
    }
    printVariables(out);
    out.println("Model config (assets/model_config.pbtxt):");
    out.print(indent(ExportedModels.config(model).toString()));
    out.flush();
    return 0;
  }

  private static void printSignature(PrintWriter out, String key, SignatureDef signature) {
    out.printf("Signature %s (method %s)%n", key, signature.getMethodName());
    for (Map.Entry<String, TensorInfo> input : new TreeMap<>(signature.getInputsMap()).entrySet()) {
      String fallback =
          signature.containsDefaults(input.getKey())
              ? " default " + signature.getDefaultsOrThrow(input.getKey()).getIntValList()
              : "";
      out.printf("  input  %s%s%n", describe(input.getKey(), input.getValue()), fallback);
    }
    for (Map.Entry<String, TensorInfo> output :
        new TreeMap<>(signature.getOutputsMap()).entrySet()) {
      out.printf("  output %s%n", describe(output.getKey(), output.getValue()));
    }
  }

  private static String describe(String alias, TensorInfo info) {
    if (!info.hasTensorShape() && info.getDtypeValue() == 0) {
      return alias + ": op " + info.getName();
    }
    return String.format(
        "%s: %s %s (%s)", alias, info.getDtype(), shape(info.getTensorShape()), info.getName());
  }

  private static String shape(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return "unknown rank";
    }
    StringBuilder text = new StringBuilder("[");
    for (int d = 0; d < shape.getDimCount(); d++) {
      long size = shape.getDim(d).getSize();
      text.append(d == 0 ? "" : ", ").append(size < 0 ? "?" : Long.toString(size));
    }
    return text.append("]").toString();
  }

  private void printVariables(PrintWriter out) throws IOException {
    try (TensorBundleReader reader = TensorBundleReader.open(model)) {
      out.printf("Variables (%d):%n", reader.keys().size());
      for (String key : reader.keys()) {
        EntryInfo entry = reader.entry(key).orElseThrow();
        out.printf("  %s %s %s%n", key, entry.dtype(), entry.shapeString());
      }
    }
  }

  private static String indent(String text) {
    return text.isEmpty() ? "" : "  " + text.strip().replace("\n", "\n  ") + "\n";
  }
}
