package io.rnnkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnkit.config.TaskKind;
import io.rnnkit.data.Tokenizer;
import io.rnnkit.export.ExportedModels;
import io.rnnkit.export.LanguageModelScorer;
import io.rnnkit.export.Predictor;
import io.rnnkit.export.TaggerPredictor;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnkit predict}: runs an exported SavedModel of any task on sentences. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Run a SavedModel exported by rnnkit on sentences, one per line, read from --input or"
          + " standard input. Writes one JSON object per input line: the label and its"
          + " probability for a classifier, the tokens and their tags for a tagger, the"
          + " log-likelihood and perplexity for a language model.",
      "Lines are tokenized into words, numbers and punctuation. Empty lines and lines that are"
          + " not valid UTF-8 are reported on standard error and skipped. The exit code is 1 when"
          + " a line was not valid UTF-8, else 0."
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

  @Option(
      names = "--split-on-spaces",
      description =
          "Take the tokens as the input gives them, separated by whitespace, instead of splitting"
              + " words, numbers and punctuation. Use it for text tokenized like the training data,"
              + " such as Brown, where tokens like well-known and U.S. stay whole.")
  boolean splitOnSpaces;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    TaskKind task = ExportedModels.config(model).getTask();
    try (RowWriter<?> writer = open(task);
        Utf8LineSource lines = new Utf8LineSource(openInput())) {
      return run(lines, writer);
    }
  }

  private List<String> spaceSeparated(String line) {
    String text = lowercase ? line.toLowerCase(java.util.Locale.ROOT) : line;
    List<String> tokens = new ArrayList<>();
    for (String token : text.strip().split("\\s+")) {
      if (!token.isEmpty()) {
        tokens.add(token);
      }
    }
    return tokens;
  }

  private int run(Utf8LineSource source, RowWriter<?> writer) throws Exception {
    Tokenizer tokenizer = new Tokenizer(lowercase);
    List<String> lines = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    boolean invalid = false;
    while (true) {
      String line;
      try {
        line = source.next();
      } catch (CharacterCodingException e) {
        System.err.println(
            source()
                + ":"
                + source.lineNumber()
                + ": line is not valid UTF-8 and was skipped; convert the file to UTF-8");
        invalid = true;
        continue;
      }
      if (line == null) {
        break;
      }
      List<String> tokens = splitOnSpaces ? spaceSeparated(line) : tokenizer.tokenize(line);
      if (tokens.isEmpty()) {
        System.err.println(source() + ":" + source.lineNumber() + ": empty line skipped");
        continue;
      }
      lines.add(line);
      rows.add(tokens);
      if (rows.size() == batchSize) {
        flush(writer, lines, rows);
      }
    }
    if (!rows.isEmpty()) {
      flush(writer, lines, rows);
    }
    return invalid ? 1 : 0;
  }

  private void flush(RowWriter<?> writer, List<String> lines, List<List<String>> rows) {
    for (ObjectNode node : writer.write(lines, rows)) {
      System.out.println(node);
    }
    lines.clear();
    rows.clear();
  }

  private RowWriter<?> open(TaskKind task) {
    return switch (task) {
      case CLASSIFIER -> classifierWriter(Predictor.load(model));
      case TAGGER -> taggerWriter(TaggerPredictor.load(model));
      case LANGUAGE_MODEL -> languageModelWriter(LanguageModelScorer.load(model));
      default ->
          throw new IllegalArgumentException(
              "task of " + model + " must be CLASSIFIER, TAGGER or LANGUAGE_MODEL, got " + task);
    };
  }

  private InputStream openInput() throws java.io.IOException {
    return input == null ? System.in : Files.newInputStream(input);
  }

  private String source() {
    return input == null ? "<stdin>" : input.toString();
  }

  /**
   * Writer of one task's predictions: each line becomes a JSON object with its text and the fields
   * that {@code fill} adds from the line's prediction.
   */
  private final class RowWriter<R> implements AutoCloseable {
    private final Function<List<List<String>>, List<R>> predict;
    private final BiConsumer<ObjectNode, R> fill;
    private final Runnable close;

    RowWriter(
        Function<List<List<String>>, List<R>> predict,
        BiConsumer<ObjectNode, R> fill,
        Runnable close) {
      this.predict = predict;
      this.fill = fill;
      this.close = close;
    }

    /** Returns one JSON object per line of {@code lines}, whose tokens are {@code rows}. */
    List<ObjectNode> write(List<String> lines, List<List<String>> rows) {
      List<R> predictions = predict.apply(rows);
      List<ObjectNode> nodes = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        ObjectNode node = json.createObjectNode();
        node.put("text", lines.get(i));
        fill.accept(node, predictions.get(i));
        nodes.add(node);
      }
      return nodes;
    }

    @Override
    public void close() {
      close.run();
    }
  }

  private RowWriter<Predictor.Prediction> classifierWriter(Predictor predictor) {
    return new RowWriter<>(
        predictor::predict,
        (node, prediction) -> {
          node.put("label", prediction.label());
          node.put("probability", prediction.probabilities()[(int) prediction.labelId()]);
          node.put("truncated", prediction.truncated());
        },
        predictor::close);
  }

  private RowWriter<TaggerPredictor.Tagging> taggerWriter(TaggerPredictor tagger) {
    return new RowWriter<>(
        tagger::tag,
        (node, tagging) -> {
          tagging.tokens().forEach(node.putArray("tokens")::add);
          tagging.tags().forEach(node.putArray("tags")::add);
          node.put("pieces", tagging.pieces());
        },
        tagger::close);
  }

  private RowWriter<LanguageModelScorer.Score> languageModelWriter(LanguageModelScorer scorer) {
    return new RowWriter<>(
        scorer::score,
        (node, score) -> {
          node.put("log_likelihood", score.logLikelihood());
          node.put("predicted_tokens", score.predictedTokens());
          if (score.predictedTokens() > 0) {
            node.put("perplexity", score.perplexity());
          } else {
            node.putNull("perplexity");
          }
          node.put("truncated", score.truncated());
        },
        scorer::close);
  }
}
