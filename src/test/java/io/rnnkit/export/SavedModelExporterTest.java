package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.CellKind;
import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/** Exports a tiny model of every task, reloads it and compares it with the graph it came from. */
class SavedModelExporterTest {

  private static final List<List<String>> ROWS =
      List.of(
          List.of("the", "cat", "sat", "on", "the", "mat"),
          List.of("a", "cat", "."),
          List.of("zebra", "sat"),
          List.of("mat"));

  @TempDir static Path folder;

  private static final Map<TaskKind, TinyModels.Reference> references =
      new EnumMap<>(TaskKind.class);
  private static final Map<TaskKind, Path> exports = new EnumMap<>(TaskKind.class);

  @BeforeAll
  static void exportEveryTask() {
    long seed = 11;
    for (TaskKind task : List.of(TaskKind.CLASSIFIER, TaskKind.TAGGER, TaskKind.LANGUAGE_MODEL)) {
      TinyModels.Reference reference = new TinyModels.Reference(task, seed++);
      references.put(task, reference);
      Path checkpoint = reference.save(folder.resolve("checkpoints/" + task));
      Path base = folder.resolve("savedmodels/" + task.name().toLowerCase());
      exports.put(
          task,
          switch (task) {
            case CLASSIFIER ->
                SavedModelExporter.exportClassifier(
                    reference.config,
                    TinyModels.VOCABULARY,
                    TinyModels.LABELS,
                    checkpoint,
                    base,
                    1);
            case TAGGER ->
                SavedModelExporter.exportTagger(
                    reference.config, TinyModels.VOCABULARY, TinyModels.TAGS, checkpoint, base, 1);
            default ->
                SavedModelExporter.exportLanguageModel(
                    reference.config, TinyModels.VOCABULARY, checkpoint, base, 3);
          });
    }
  }

  @AfterAll
  static void closeReferences() {
    references.values().forEach(TinyModels.Reference::close);
  }

  @Test
  void classifier_matchesTrainingGraph() {
    float[][][] expected = references.get(TaskKind.CLASSIFIER).run(ROWS);
    try (Predictor predictor = Predictor.load(exports.get(TaskKind.CLASSIFIER))) {
      List<Predictor.Prediction> predictions = predictor.predict(ROWS);
      double maxDifference = 0;
      for (int row = 0; row < ROWS.size(); row++) {
        float[] actual = predictions.get(row).probabilities();
        int best = 0;
        for (int c = 0; c < actual.length; c++) {
          maxDifference = Math.max(maxDifference, Math.abs(expected[row][0][c] - actual[c]));
          best = expected[row][0][c] > expected[row][0][best] ? c : best;
        }
        assertEquals(TinyModels.LABELS.get(best), predictions.get(row).label(), "label of " + row);
        assertEquals(best, predictions.get(row).labelId(), "label id of row " + row);
      }
      assertTrue(maxDifference <= 1e-6, "probabilities differ by " + maxDifference);
    }
  }

  @Test
  void tagger_matchesTrainingGraph() {
    float[][][] expected = references.get(TaskKind.TAGGER).run(ROWS);
    try (TaggerPredictor tagger = TaggerPredictor.load(exports.get(TaskKind.TAGGER))) {
      List<TaggerPredictor.Tagging> taggings = tagger.tag(ROWS);
      double maxDifference = 0;
      for (int row = 0; row < ROWS.size(); row++) {
        TaggerPredictor.Tagging tagging = taggings.get(row);
        assertEquals(ROWS.get(row).size(), tagging.tags().size(), "one tag per token, row " + row);
        for (int t = 0; t < ROWS.get(row).size(); t++) {
          int best = 0;
          for (int k = 0; k < TinyModels.TAGS.size(); k++) {
            maxDifference =
                Math.max(
                    maxDifference, Math.abs(expected[row][t][k] - tagging.probabilities()[t][k]));
            best = expected[row][t][k] > expected[row][t][best] ? k : best;
          }
          assertEquals(TinyModels.TAGS.get(best), tagging.tags().get(t), "tag " + row + "," + t);
        }
      }
      assertTrue(maxDifference <= 1e-6, "tag probabilities differ by " + maxDifference);
    }
  }

  @Test
  void tagger_longRowTaggedInPieces() {
    try (TaggerPredictor tagger = TaggerPredictor.load(exports.get(TaskKind.TAGGER))) {
      int maxLength = tagger.maxLength();
      List<String> row = new ArrayList<>();
      for (int t = 0; t < 2 * maxLength + 1; t++) {
        row.add(ROWS.get(0).get(t % ROWS.get(0).size()));
      }
      TaggerPredictor.Tagging whole = tagger.tag(List.of(row)).get(0);
      List<TaggerPredictor.Tagging> pieces =
          tagger.tag(
              List.of(
                  row.subList(0, maxLength),
                  row.subList(maxLength, 2 * maxLength),
                  row.subList(2 * maxLength, row.size())));
      assertEquals(3, whole.pieces(), "pieces of a row of 2 * max_length + 1 tokens");
      assertEquals(row.size(), whole.tags().size(), "one tag per token");
      List<String> expected = new ArrayList<>();
      pieces.forEach(piece -> expected.addAll(piece.tags()));
      assertEquals(expected, whole.tags(), "the row's tags are its pieces' tags");
      assertEquals(
          pieces.get(2).probabilities()[0][1],
          whole.probabilities()[2 * maxLength][1],
          1e-7,
          "probabilities of the first token of the last piece");
    }
  }

  @Test
  void tagger_padsTagsWithEmptyStrings() {
    try (ServingModel model = ServingModel.load(exports.get(TaskKind.TAGGER));
        TString tokens = tokens(List.of(List.of("the", "cat", "", ""), List.of("a", "", "", "")));
        ServingModel.Outputs outputs =
            model.run(ServingNames.SERVING_DEFAULT, Map.of(ServingNames.TOKENS, tokens))) {
      TString tags = outputs.get(ServingNames.TAGS);
      TFloat32 probabilities = outputs.get(ServingNames.TAG_PROBABILITIES);
      assertEquals(
          List.of(2L, 4L),
          List.of(tags.shape().asArray()[0], tags.shape().size(1)),
          "tags are [B, T]");
      assertFalse(tags.getObject(0, 1).isEmpty(), "a real token gets a tag");
      assertEquals("", tags.getObject(0, 2), "padding gets the empty tag");
      assertEquals("", tags.getObject(1, 1), "padding of row 1 gets the empty tag");
      assertEquals(0f, probabilities.getFloat(1, 3, 0), "padding has probability 0");
      float sum = 0;
      for (int k = 0; k < TinyModels.TAGS.size(); k++) {
        sum += probabilities.getFloat(0, 1, k);
      }
      assertEquals(1f, sum, 1e-5f, "tag probabilities of a real token sum to 1");
    }
  }

  @Test
  void languageModel_matchesTrainingGraph() {
    float[][][] expected = references.get(TaskKind.LANGUAGE_MODEL).run(ROWS);
    try (ServingModel model = ServingModel.load(exports.get(TaskKind.LANGUAGE_MODEL));
        TString tokens = tokens(ROWS);
        ServingModel.Outputs outputs =
            model.run(ServingNames.SERVING_DEFAULT, Map.of(ServingNames.TOKENS, tokens))) {
      float[][][] actual = TinyModels.toArray3(outputs.get(ServingNames.LOG_PROBABILITIES));
      TFloat32 logLikelihood = outputs.get(ServingNames.LOG_LIKELIHOOD);
      assertEquals(6, actual[0].length, "log-probabilities have the width of the tokens");
      double maxDifference = 0;
      for (int row = 0; row < ROWS.size(); row++) {
        List<String> tokensOfRow = ROWS.get(row);
        double sum = 0;
        for (int t = 0; t < tokensOfRow.size(); t++) {
          for (int v = 0; v < TinyModels.VOCABULARY.size(); v++) {
            maxDifference =
                Math.max(maxDifference, Math.abs(expected[row][t][v] - actual[row][t][v]));
          }
          if (t + 1 < tokensOfRow.size()) {
            sum += expected[row][t][TinyModels.ids(List.of(tokensOfRow), 6)[0][t + 1]];
          }
        }
        assertEquals(sum, logLikelihood.getFloat(row), 1e-5, "log-likelihood of row " + row);
      }
      assertEquals(0f, logLikelihood.getFloat(3), "a one-token row scores no token");
      assertTrue(maxDifference <= 1e-6, "log-probabilities differ by " + maxDifference);
    }
  }

  @Test
  void step_reproducesSequenceLogProbabilities() {
    Path export = exports.get(TaskKind.LANGUAGE_MODEL);
    float[][][] sequence = references.get(TaskKind.LANGUAGE_MODEL).run(ROWS);
    try (LanguageModelScorer scorer = LanguageModelScorer.load(export)) {
      assertEquals(2 * 2 * 4, scorer.stateSize(), "two LSTM layers carry h and c of size 4");
      float[][] state = scorer.zeroState(ROWS.size());
      double maxDifference = 0;
      for (int t = 0; t < TinyModels.MAX_LENGTH; t++) {
        int step = t;
        List<String> column =
            ROWS.stream().map(row -> step < row.size() ? row.get(step) : "").toList();
        LanguageModelScorer.Step result = scorer.step(column, state);
        for (int row = 0; row < ROWS.size(); row++) {
          if (t < ROWS.get(row).size()) {
            for (int v = 0; v < TinyModels.VOCABULARY.size(); v++) {
              maxDifference =
                  Math.max(
                      maxDifference,
                      Math.abs(sequence[row][t][v] - result.logProbabilities()[row][v]));
            }
          }
        }
        state = result.state();
      }
      assertTrue(maxDifference <= 1e-5, "step and sequence differ by " + maxDifference);
    }
  }

  @Test
  void step_oneLayerGru() {
    ModelConfig gru =
        TinyModels.config(TaskKind.LANGUAGE_MODEL).toBuilder()
            .setCell(CellKind.GRU)
            .setNumLayers(1)
            .build();
    try (TinyModels.Reference reference = new TinyModels.Reference(gru, 5)) {
      Path checkpoint = reference.save(folder.resolve("checkpoints/gru"));
      Path export =
          SavedModelExporter.exportLanguageModel(
              gru, TinyModels.VOCABULARY, checkpoint, folder.resolve("savedmodels/gru"), 1);
      List<List<String>> rows = List.of(List.of("the", "cat", "sat"));
      float[][][] sequence = reference.run(rows);
      try (LanguageModelScorer scorer = LanguageModelScorer.load(export)) {
        assertEquals(4, scorer.stateSize(), "one GRU layer carries h of size 4");
        float[][] state = scorer.zeroState(1);
        double maxDifference = 0;
        for (int t = 0; t < 3; t++) {
          LanguageModelScorer.Step result = scorer.step(List.of(rows.get(0).get(t)), state);
          for (int v = 0; v < TinyModels.VOCABULARY.size(); v++) {
            maxDifference =
                Math.max(
                    maxDifference, Math.abs(sequence[0][t][v] - result.logProbabilities()[0][v]));
          }
          state = result.state();
        }
        assertTrue(maxDifference <= 1e-5, "step and sequence differ by " + maxDifference);
      }
    }
  }

  @Test
  void step_emptyTokenKeepsState() {
    try (LanguageModelScorer scorer =
        LanguageModelScorer.load(exports.get(TaskKind.LANGUAGE_MODEL))) {
      float[][] state = scorer.step(List.of("the"), scorer.zeroState(1)).state();
      float[][] kept = scorer.step(List.of(""), state).state();
      assertEquals(List.of(toList(state[0])), List.of(toList(kept[0])), "state after \"\"");
      assertTrue(Math.abs(state[0][0]) > 0, "reading a token changes the state");
    }
  }

  @Test
  void languageModelScorer_scoresRows() {
    float[][][] expected = references.get(TaskKind.LANGUAGE_MODEL).run(ROWS);
    try (LanguageModelScorer scorer =
        LanguageModelScorer.load(exports.get(TaskKind.LANGUAGE_MODEL))) {
      List<List<String>> rows =
          List.of(ROWS.get(1), List.of("the", "cat", "sat", "on", "a", "mat", ".", "."));
      List<LanguageModelScorer.Score> scores = scorer.score(rows);
      double first =
          expected[1][0][TinyModels.VOCABULARY.indexOf("cat")]
              + expected[1][1][TinyModels.VOCABULARY.indexOf(".")];
      assertEquals(first, scores.get(0).logLikelihood(), 1e-5, "log-likelihood of 'a cat .'");
      assertEquals(2, scores.get(0).predictedTokens(), "tokens after the first");
      assertEquals(Math.exp(-first / 2), scores.get(0).perplexity(), 1e-4, "perplexity");
      assertFalse(scores.get(0).truncated(), "a short row is not truncated");
      assertTrue(scores.get(1).truncated(), "an 8-token row is cut to max_length 6");
      assertEquals(5, scores.get(1).predictedTokens(), "a truncated row scores max_length - 1");
    }
  }

  @Test
  void lengths_derivedFromNonEmptyTokensWhenNotFed() {
    List<List<String>> rows = List.of(List.of("a", "cat", "sat"), List.of("mat", "", ""));
    try (ServingModel model = ServingModel.load(exports.get(TaskKind.CLASSIFIER));
        TString tokens = tokens(rows);
        TInt32 lengths = TInt32.vectorOf(3, 1);
        ServingModel.Outputs fed =
            model.run(
                ServingNames.SERVING_DEFAULT,
                Map.of(ServingNames.TOKENS, tokens, ServingNames.LENGTHS, lengths));
        ServingModel.Outputs derived =
            model.run(ServingNames.SERVING_DEFAULT, Map.of(ServingNames.TOKENS, tokens))) {
      TFloat32 expected = fed.get(ServingNames.PROBABILITIES);
      TFloat32 actual = derived.get(ServingNames.PROBABILITIES);
      for (int row = 0; row < 2; row++) {
        for (int c = 0; c < TinyModels.LABELS.size(); c++) {
          assertEquals(
              expected.getFloat(row, c), actual.getFloat(row, c), "row " + row + " class " + c);
        }
      }
    }
  }

  @Test
  void tables_initializedOnLoad() {
    try (Predictor predictor = Predictor.load(exports.get(TaskKind.CLASSIFIER))) {
      List<Predictor.Prediction> predictions =
          predictor.predict(List.of(List.of("zebra"), List.of("<unk>"), List.of("cat")));
      assertEquals(
          toList(predictions.get(1).probabilities()),
          toList(predictions.get(0).probabilities()),
          "an unknown word reads as <unk>");
      assertFalse(
          toList(predictions.get(1).probabilities())
              .equals(toList(predictions.get(2).probabilities())),
          "a known word does not read as <unk>, so the table is filled");
    }
  }

  @Test
  void metaGraph_containsWhatServingReads() {
    Map<TaskKind, Map<String, Map<String, DataType>>> outputs =
        Map.of(
            TaskKind.CLASSIFIER,
            Map.of(
                ServingNames.SERVING_DEFAULT,
                Map.of(
                    "probabilities",
                    DataType.DT_FLOAT,
                    "label",
                    DataType.DT_STRING,
                    "label_id",
                    DataType.DT_INT64)),
            TaskKind.TAGGER,
            Map.of(
                ServingNames.SERVING_DEFAULT,
                Map.of("tags", DataType.DT_STRING, "tag_probabilities", DataType.DT_FLOAT)),
            TaskKind.LANGUAGE_MODEL,
            Map.of(
                ServingNames.SERVING_DEFAULT,
                Map.of("log_probabilities", DataType.DT_FLOAT, "log_likelihood", DataType.DT_FLOAT),
                ServingNames.STEP,
                Map.of("log_probabilities", DataType.DT_FLOAT, "state", DataType.DT_FLOAT)));
    for (Map.Entry<TaskKind, Path> export : exports.entrySet()) {
      String task = export.getKey().toString();
      assertTrue(
          export.getValue().getFileName().toString().matches("[0-9]+"),
          task + " version folder is numeric: " + export.getValue());
      try (SavedModelBundle bundle = SavedModelBundle.load(export.getValue().toString(), "serve")) {
        MetaGraphDef meta = bundle.metaGraphDef();
        assertEquals(List.of("serve"), meta.getMetaInfoDef().getTagsList(), task + " tags");
        Map<String, Map<String, DataType>> expected = outputs.get(export.getKey());
        Set<String> keys = new java.util.HashSet<>(expected.keySet());
        keys.add("__saved_model_init_op");
        assertEquals(keys, meta.getSignatureDefMap().keySet(), task + " signature keys");
        for (Map.Entry<String, Map<String, DataType>> entry : expected.entrySet()) {
          SignatureDef signature = meta.getSignatureDefOrThrow(entry.getKey());
          String where = task + " " + entry.getKey();
          assertEquals("tensorflow/serving/predict", signature.getMethodName(), where + " method");
          Map<String, DataType> actualOutputs = new java.util.HashMap<>();
          signature
              .getOutputsMap()
              .forEach((alias, info) -> actualOutputs.put(alias, info.getDtype()));
          assertEquals(entry.getValue(), actualOutputs, where + " outputs and dtypes");
          for (TensorInfo info : signature.getOutputsMap().values()) {
            assertTrue(
                info.getName().endsWith(":0"), where + " output tensor name " + info.getName());
          }
        }
        SignatureDef sequences = meta.getSignatureDefOrThrow(ServingNames.SERVING_DEFAULT);
        assertEquals("tokens:0", sequences.getInputsOrThrow("tokens").getName(), task + " tokens");
        assertEquals(
            DataType.DT_STRING,
            sequences.getInputsOrThrow("tokens").getDtype(),
            task + " tokens dtype");
        assertEquals(
            "lengths:0", sequences.getInputsOrThrow("lengths").getName(), task + " lengths");
        assertEquals(
            DataType.DT_INT32,
            sequences.getInputsOrThrow("lengths").getDtype(),
            task + " lengths dtype");
        assertEquals(
            List.of(-1),
            sequences.getDefaultsOrThrow("lengths").getIntValList(),
            task + " lengths default");
        assertEquals(2, sequences.getInputsCount(), task + " serving_default inputs");
        assertEquals(
            "init_tables",
            meta.getSignatureDefOrThrow("__saved_model_init_op")
                .getOutputsOrThrow("__saved_model_init_op")
                .getName(),
            task + " init op");
        Set<String> assetFiles = new java.util.HashSet<>();
        meta.getAssetFileDefList().forEach(asset -> assetFiles.add(asset.getFilename()));
        assertTrue(assetFiles.contains("vocab.txt"), task + " lists vocab.txt: " + assetFiles);
        assertTrue(
            assetFiles.contains("model_config.pbtxt"), task + " lists the config: " + assetFiles);
        for (String file : assetFiles) {
          assertTrue(
              Files.isRegularFile(export.getValue().resolve("assets").resolve(file)),
              task + " asset " + file);
        }
        for (NodeDef node : meta.getGraphDef().getNodeList()) {
          assertEquals("", node.getDevice(), task + " node " + node.getName() + " has no device");
          assertFalse(
              node.getOp().startsWith("Apply")
                  || node.getOp().contains("Dropout")
                  || node.getOp().startsWith("StatelessRandom"),
              task + " node " + node.getName() + " is an inference op, got " + node.getOp());
        }
      }
    }
    try (SavedModelBundle bundle =
        SavedModelBundle.load(exports.get(TaskKind.LANGUAGE_MODEL).toString(), "serve")) {
      SignatureDef step = bundle.metaGraphDef().getSignatureDefOrThrow(ServingNames.STEP);
      assertEquals(
          DataType.DT_STRING, step.getInputsOrThrow("token").getDtype(), "step token dtype");
      assertEquals(
          16,
          step.getInputsOrThrow("state").getTensorShape().getDim(1).getSize(),
          "step state width");
    }
  }

  @Test
  void export_neverOverwritesAVersion() throws Exception {
    Path export = exports.get(TaskKind.CLASSIFIER);
    TinyModels.Reference reference = references.get(TaskKind.CLASSIFIER);
    Path checkpoint = folder.resolve("checkpoints/" + TaskKind.CLASSIFIER);
    byte[] before = Files.readAllBytes(export.resolve("saved_model.pb"));
    IllegalStateException again =
        assertThrows(
            IllegalStateException.class,
            () ->
                SavedModelExporter.exportClassifier(
                    reference.config,
                    TinyModels.VOCABULARY,
                    TinyModels.LABELS,
                    checkpoint,
                    export.getParent(),
                    1));
    assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    assertEquals(
        List.of(before.length),
        List.of(Files.readAllBytes(export.resolve("saved_model.pb")).length),
        "saved_model.pb unchanged");
    try (var files = Files.list(export.getParent())) {
      assertEquals(
          List.of("1"),
          files.map(p -> p.getFileName().toString()).toList(),
          "only the version folder, no temporary one");
    }
    IllegalArgumentException wrongTask =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SavedModelExporter.exportTagger(
                    reference.config,
                    TinyModels.VOCABULARY,
                    TinyModels.TAGS,
                    checkpoint,
                    folder.resolve("x"),
                    1));
    assertTrue(
        wrongTask.getMessage().contains("must be TAGGER, got CLASSIFIER"), wrongTask.getMessage());
  }

  static TString tokens(List<List<String>> rows) {
    int width = rows.stream().mapToInt(List::size).max().orElse(0);
    var values =
        org.tensorflow.ndarray.NdArrays.ofObjects(
            String.class, org.tensorflow.ndarray.Shape.of(rows.size(), width));
    for (int row = 0; row < rows.size(); row++) {
      for (int t = 0; t < width; t++) {
        values.setObject(t < rows.get(row).size() ? rows.get(row).get(t) : "", row, t);
      }
    }
    return TString.tensorOf(values);
  }

  static List<Float> toList(float[] values) {
    List<Float> list = new java.util.ArrayList<>();
    for (float value : values) {
      list.add(value);
    }
    return list;
  }
}
