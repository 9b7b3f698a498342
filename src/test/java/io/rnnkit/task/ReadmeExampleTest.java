package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.export.Predictor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Java example of README.md on tiny data, and checks that README.md shows exactly the
 * lines between the markers below, so the example cannot go stale.
 */
class ReadmeExampleTest {

  @TempDir Path runs;

  @Test
  void readmeExample_runsAndMatchesReadme() throws Exception {
    List<Example> trainExamples = TinyCorpus.examples(80, 5);
    List<Example> testExamples = TinyCorpus.examples(20, 6);
    Vocabulary vocabulary = TinyCorpus.vocabulary(trainExamples);
    int[][] stream = TinyCorpus.stream(trainExamples, vocabulary);
    int[] tokenIds = stream[0];
    int[] documentStarts = stream[1];
    List<String> labels = List.of("cooking", "sport");
    Path lmFolder = runs.resolve("lm");
    Path exportBase = runs.resolve("savedmodels/topic");

    // README-BEGIN
    ModelConfig model = ModelConfig.newBuilder().setEmbeddingSize(16).setHiddenSize(32).build();
    TrainingConfig training =
        TrainingConfig.newBuilder().setLearningRate(0.01f).setBatchSize(8).setClipNorm(5).build();

    try (LanguageModelTask lm = LanguageModelTask.create(model, training, vocabulary)) {
      lm.trainEpoch(tokenIds, documentStarts);
      System.out.println("perplexity " + lm.evaluate(tokenIds, documentStarts).perplexity());
      lm.save(lmFolder);
    }

    try (ClassifierTask classifier = ClassifierTask.create(model, training, vocabulary, labels)) {
      classifier.transferFrom(lmFolder);
      classifier.trainEpoch(trainExamples, 0);
      System.out.println("accuracy " + classifier.evaluate(testExamples).accuracy());
      classifier.export(exportBase, 1);
    }

    try (Predictor predictor = Predictor.load(exportBase.resolve("1"))) {
      Predictor.Prediction prediction = predictor.predict(List.of(List.of("the", "goal"))).get(0);
      System.out.println(prediction.label() + " " + prediction.probabilities()[1]);
    }
    // README-END

    assertTrue(Files.isRegularFile(exportBase.resolve("1/saved_model.pb")), "export written");
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String example = exampleLines();
    assertTrue(readme.contains(example), "README.md must contain this test's example:\n" + example);
    assertEquals(-1, example.indexOf("README-"), "markers are not part of the example");
  }

  /** Returns the lines between the markers, with the method's indentation removed. */
  private static String exampleLines() throws Exception {
    Path source = Path.of("src/test/java/io/rnnkit/task/ReadmeExampleTest.java");
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    int begin = indexOfMarker(lines, "// README-" + "BEGIN");
    int end = indexOfMarker(lines, "// README-" + "END");
    StringBuilder text = new StringBuilder();
    for (String line : lines.subList(begin + 1, end)) {
      text.append(line.length() >= 4 ? line.substring(4) : line.strip()).append('\n');
    }
    return text.toString();
  }

  private static int indexOfMarker(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new IllegalStateException("marker " + marker + " not found");
  }
}
