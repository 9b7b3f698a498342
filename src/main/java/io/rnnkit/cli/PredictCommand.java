package io.rnnkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnkit.data.Tokenizer;
import io.rnnkit.export.Predictor;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnkit predict}: classifies sentences with an exported SavedModel. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Classify sentences, one per line, read from --input or standard input, with a SavedModel"
          + " exported by rnnkit. Writes one JSON object per input line.",
      "Lines are tokenized into words, numbers and punctuation; empty lines are reported and"
          + " skipped."
    })
final class PredictCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "SavedModel version folder.")
  Path model;

  @Option(names = "--input", description = "Text file, one sentence per line (default: stdin).")
  Path input;

  @Option(names = "--batch-size", defaultValue = "32", description = "Sentences per model call.")
  int batchSize;

  @Option(names = "--lowercase", description = "Lower-case the text before tokenizing.")
  boolean lowercase;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    Tokenizer tokenizer = new Tokenizer(lowercase);
    PrintStream out = System.out;
    try (Predictor predictor = Predictor.load(model);
        BufferedReader reader = open()) {
      List<String> lines = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      String line;
      int lineNumber = 0;
      while ((line = readLine(reader, lineNumber + 1)) != null) {
        lineNumber++;
        List<String> tokens = tokenizer.tokenize(line);
        if (tokens.isEmpty()) {
          System.err.println(source() + ":" + lineNumber + ": empty line skipped");
          continue;
        }
        lines.add(line);
        rows.add(tokens);
        if (rows.size() == batchSize) {
          write(out, predictor, lines, rows);
        }
      }
      if (!rows.isEmpty()) {
        write(out, predictor, lines, rows);
      }
    }
    return 0;
  }

  private void write(
      PrintStream out, Predictor predictor, List<String> lines, List<List<String>> rows) {
    List<Predictor.Prediction> predictions = predictor.predict(rows);
    for (int i = 0; i < rows.size(); i++) {
      Predictor.Prediction prediction = predictions.get(i);
      ObjectNode node = json.createObjectNode();
      node.put("text", lines.get(i));
      node.put("label", prediction.label());
      node.put("probability", prediction.probabilities()[(int) prediction.labelId()]);
      node.put("truncated", prediction.truncated());
      out.println(node);
    }
    lines.clear();
    rows.clear();
  }

  private BufferedReader open() throws Exception {
    InputStream stream = input == null ? System.in : Files.newInputStream(input);
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    return new BufferedReader(new InputStreamReader(stream, decoder));
  }

  private String readLine(BufferedReader reader, int lineNumber) throws Exception {
    try {
      return reader.readLine();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          source()
              + ":"
              + lineNumber
              + ": the text is not valid UTF-8; convert the file to"
              + " UTF-8",
          e);
    }
  }

  private String source() {
    return input == null ? "<stdin>" : input.toString();
  }
}
