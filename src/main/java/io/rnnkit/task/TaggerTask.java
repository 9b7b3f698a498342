package io.rnnkit.task;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BucketBatcher;
import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.LearningRateSchedule;
import io.rnnkit.train.MetricGoal;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.RunOptions;
import io.rnnkit.train.TaggerTrainer;
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.train.TrainingPass;
import io.rnnkit.train.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sequence tagger: embedding, recurrent encoder (one-way or bidirectional) and a softmax over
 * tags at every token. Its embedding and encoder can start from a pretrained language model ({@link
 * #transferFrom}).
 *
 * <pre>{@code
 * try (TaggerTask tagger = TaggerTask.create(model, training, vocabulary, tags)) {
 *   tagger.fit(trainExamples, validationExamples, RunOptions.fromConfig(runFolder, training));
 *   double accuracy = tagger.evaluate(testExamples).accuracy();
 *   tagger.save(Path.of("runs/tagger"));
 * }
 * }</pre>
 */
public final class TaggerTask implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaggerTask.class);

  /** File of the tag list in a saved tagger folder, one tag per line in id order. */
  public static final String TAGS = "tags.txt";

  private final ModelConfig model;
  private final TrainingConfig training;
  private final Vocabulary vocabulary;
  private final List<String> tags;
  private final Map<String, Integer> tagIds = new HashMap<>();
  private final ModelSession session;
  private final TaggerTrainer trainer;
  private final int[] boundaries;

  private TaggerTask(
      ModelConfig model, TrainingConfig training, Vocabulary vocabulary, List<String> tags) {
    this.model = model;
    this.training = training;
    this.vocabulary = vocabulary;
    this.tags = List.copyOf(tags);
    for (int i = 0; i < tags.size(); i++) {
      tagIds.put(tags.get(i), i);
    }
    this.boundaries = TrainingSetup.bucketBoundaries(training, model.getMaxLength());
    this.session = ModelSession.create(model, training, vocabulary.size());
    this.trainer =
        new TaggerTrainer(session, LearningRateSchedule.constant(training.getLearningRate()));
    trainer.prepare(boundaries);
    session.start();
  }

  /**
   * Builds the tagger; unset config fields get their defaults, the task is set to TAGGER and {@code
   * num_classes} to the number of tags.
   */
  public static TaggerTask create(
      ModelConfig model, TrainingConfig training, Vocabulary vocabulary, List<String> tags) {
    if (tags.size() < 2) {
      throw new IllegalArgumentException(
          "a tagger needs at least 2 tags, got " + tags.size() + ": " + tags);
    }
    ModelConfig resolved =
        ModelConfigs.withDefaults(
            model.toBuilder().setTask(TaskKind.TAGGER).setNumClasses(tags.size()).build());
    return new TaggerTask(resolved, TrainingConfigs.withDefaults(training), vocabulary, tags);
  }

  /**
   * Returns the Brown base tag of {@code tag}: without the {@code fw-} prefix (foreign word) and
   * the {@code -tl} (title), {@code -hl} (headline) and {@code -nc} (cited word) suffixes, so that
   * {@code fw-nn-tl} becomes {@code nn}.
   */
  public static String baseTag(String tag) {
    String base = tag.toLowerCase(Locale.ROOT);
    if (base.startsWith("fw-") && base.length() > 3) {
      base = base.substring(3);
    }
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String suffix : List.of("-tl", "-hl", "-nc")) {
        if (base.endsWith(suffix) && base.length() > suffix.length()) {
          base = base.substring(0, base.length() - suffix.length());
          stripped = true;
        }
      }
    }
    return base;
  }

  /** Returns the resolved model configuration. */
  public ModelConfig modelConfig() {
    return model;
  }

  /** Returns the training session: graph, variables and optimizer. */
  public ModelSession session() {
    return session;
  }

  /** Returns the trainer, for stepping a pass by hand. */
  public TaggerTrainer trainer() {
    return trainer;
  }

  /**
   * Copies the embedding and encoder weights of a saved language model into this tagger; the tag
   * head stays newly initialized. The language model's vocabulary must equal this one, and its
   * encoder must have the same shape (a one-way LM can seed only a one-way tagger).
   *
   * @return the names of the copied variables
   */
  public List<String> transferFrom(Path languageModelFolder) {
    requireSameEncoder(languageModelFolder, ModelFiles.readConfig(languageModelFolder));
    Vocabulary pretrained = ModelFiles.readVocabulary(languageModelFolder);
    if (!pretrained.equals(vocabulary)) {
      throw new IllegalArgumentException(
          "the vocabulary of "
              + languageModelFolder
              + " differs from this tagger's; build the tagger with the language model's"
              + " vocabulary");
    }
    List<String> copied = new ArrayList<>();
    for (String name : session.store().variables().keySet()) {
      if (!name.startsWith(Network.TAGGER_HEAD + "/")) {
        copied.add(name);
      }
    }
    Checkpoints.restoreSome(
        session.session(), session.store(), ModelFiles.checkpoint(languageModelFolder), copied);
    log.info("Loaded from {}: {}", languageModelFolder, copied);
    return copied;
  }

  /**
   * Checks that {@code pretrained} is a language model whose embedding and encoder have this
   * tagger's shapes, so that every copied variable fits.
   */
  private void requireSameEncoder(Path folder, ModelConfig pretrained) {
    if (pretrained.getTask() != TaskKind.LANGUAGE_MODEL) {
      throw new IllegalArgumentException(
          folder
              + " holds a "
              + pretrained.getTask()
              + " model, not a language model; pass a folder written by 'rnnkit pretrain'");
    }
    ModelConfig resolved = ModelConfigs.withDefaults(pretrained);
    List<String> differences = new ArrayList<>();
    addDifference(differences, "cell", resolved.getCell(), model.getCell());
    addDifference(
        differences, "embedding_size", resolved.getEmbeddingSize(), model.getEmbeddingSize());
    addDifference(differences, "hidden_size", resolved.getHiddenSize(), model.getHiddenSize());
    addDifference(differences, "num_layers", resolved.getNumLayers(), model.getNumLayers());
    addDifference(
        differences, "bidirectional", resolved.getBidirectional(), model.getBidirectional());
    addDifference(
        differences, "gru_reset_after", resolved.getGruResetAfter(), model.getGruResetAfter());
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "the language model in "
              + folder
              + " has another encoder than this tagger: "
              + String.join(", ", differences)
              + "; build the tagger with the language model's sizes and cell (a one-way language"
              + " model seeds only a one-way tagger)");
    }
  }

  private static void addDifference(
      List<String> differences, String field, Object pretrained, Object tagger) {
    if (!pretrained.equals(tagger)) {
      differences.add(field + " " + pretrained + " in the language model, " + tagger + " here");
    }
  }

  /** Trains one shuffled pass over {@code examples}; {@code epoch} seeds the shuffle. */
  public double trainEpoch(List<Example> examples, int epoch) {
    TrainingPass pass =
        trainer.startPass(
            batcher(examples, true).epoch(training.getSeed(), epoch),
            training.getMaxStepsPerEpoch());
    while (pass.hasNext()) {
      pass.next();
    }
    return pass.meanLoss();
  }

  /**
   * Trains for the epochs of {@code options} with validation token accuracy after each, early
   * stopping, checkpoints and resume in the run folder ({@link TrainingRun}).
   */
  public TrainingRun.Outcome fit(
      List<Example> train, List<Example> validation, RunOptions options) {
    TrainingSetup.requireValidation(validation);
    BucketBatcher batcher = batcher(train, true);
    int batches = batcher.batchesPerEpoch();
    TrainingSetup.setRunSchedule(trainer, training, batches, options, MetricGoal.MAXIMIZE);
    TrainingRun.Job job =
        new TrainerJob(session, trainer) {
          @Override
          public TrainingPass startEpoch(int epoch) {
            return trainer.startPass(
                batcher.epoch(training.getSeed(), epoch), training.getMaxStepsPerEpoch());
          }

          @Override
          public TrainingRun.Validation validate() {
            TagEvaluation result = evaluate(validation);
            return new TrainingRun.Validation(
                "token_accuracy", result.accuracy(), MetricGoal.MAXIMIZE, Map.of());
          }
        };
    return new TrainingRun(job, options).run();
  }

  /** Returns the predicted tags of every example, in input order. */
  public List<List<String>> predict(List<Example> examples) {
    List<int[]> ids = predictIds(examples);
    List<List<String>> predicted = new ArrayList<>();
    for (int[] row : ids) {
      List<String> names = new ArrayList<>();
      for (int id : row) {
        names.add(id < 0 ? null : tags.get(id));
      }
      predicted.add(names);
    }
    return predicted;
  }

  /**
   * Tags every example and compares with its tags. A sentence longer than {@code max_length} is
   * tagged in consecutive pieces of {@code max_length} tokens, each read on its own. A gold tag
   * missing from the tag list counts as an error.
   */
  public TagEvaluation evaluate(List<Example> examples) {
    List<int[]> predicted = predictIds(examples);
    long correct = 0;
    long total = 0;
    for (int i = 0; i < examples.size(); i++) {
      List<String> gold = examples.get(i).tags();
      if (gold == null) {
        throw new IllegalArgumentException(
            "example " + examples.get(i).id() + " has no tags; evaluate needs tagged examples");
      }
      int[] guess = predicted.get(i);
      for (int t = 0; t < gold.size(); t++) {
        Integer goldId = tagIds.get(gold.get(t));
        if (goldId != null && guess[t] == goldId) {
          correct++;
        }
        total++;
      }
    }
    return new TagEvaluation(correct, total);
  }

  private List<int[]> predictIds(List<Example> examples) {
    List<Batch> batches = batcher(examples, false).inOrder();
    List<int[][]> predictions = trainer.predict(batches);
    Map<Long, int[]> byPiece = new HashMap<>();
    for (int b = 0; b < batches.size(); b++) {
      Batch batch = batches.get(b);
      for (int row = 0; row < batch.size(); row++) {
        byPiece.put(
            batch.exampleIds()[row],
            java.util.Arrays.copyOf(predictions.get(b)[row], batch.lengths()[row]));
      }
    }
    List<int[]> ordered = new ArrayList<>(examples.size());
    long piece = 0;
    for (Example example : examples) {
      int[] row = new int[example.tokens().size()];
      for (int start = 0; start < row.length; start += model.getMaxLength()) {
        int[] tagged = byPiece.get(piece++);
        System.arraycopy(tagged, 0, row, start, tagged.length);
      }
      ordered.add(row);
    }
    return ordered;
  }

  /** Saves checkpoint, vocabulary, tag list and config into {@code folder}. */
  public void save(Path folder) {
    ModelFiles.writeMetadata(folder, vocabulary, model);
    Path file = folder.resolve(TAGS);
    Path temporary = folder.resolve(TAGS + ".tmp");
    try {
      Files.write(temporary, tags, StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write " + file, e);
    }
    Checkpoints.save(session.session(), folder.resolve(ModelFiles.CHECKPOINT));
  }

  /**
   * Batches {@code examples}, each cut into consecutive pieces of at most {@code max_length} tokens
   * so that every token is read. The pieces get ids 0, 1, 2, ... in example order.
   */
  private BucketBatcher batcher(List<Example> examples, boolean withTags) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no examples; pass at least one tagged sentence");
    }
    int maxLength = model.getMaxLength();
    List<int[]> sequences = new ArrayList<>();
    List<int[]> tagSequences = new ArrayList<>();
    for (Example example : examples) {
      if (example.tokens().isEmpty()) {
        throw new IllegalArgumentException(
            "example " + example.id() + " has no tokens; remove empty sentences before tagging");
      }
      int[] ids = vocabulary.ids(example.tokens());
      int[] tagged = withTags ? tagIds(example) : null;
      for (int start = 0; start < ids.length; start += maxLength) {
        int end = Math.min(ids.length, start + maxLength);
        sequences.add(java.util.Arrays.copyOfRange(ids, start, end));
        if (withTags) {
          tagSequences.add(java.util.Arrays.copyOfRange(tagged, start, end));
        }
      }
    }
    long[] pieceIds = new long[sequences.size()];
    for (int i = 0; i < pieceIds.length; i++) {
      pieceIds[i] = i;
    }
    BucketBatcher.Builder builder =
        BucketBatcher.builder(pieceIds, sequences.toArray(int[][]::new))
            .boundaries(boundaries)
            .batchSize(training.getBatchSize());
    if (withTags) {
      builder.tags(tagSequences.toArray(int[][]::new));
    }
    return builder.build();
  }

  private int[] tagIds(Example example) {
    if (example.tags() == null) {
      throw new IllegalArgumentException(
          "example " + example.id() + " has no tags; a tagger trains on tagged sentences");
    }
    int[] ids = new int[example.tags().size()];
    for (int t = 0; t < ids.length; t++) {
      Integer id = tagIds.get(example.tags().get(t));
      if (id == null) {
        throw new IllegalArgumentException(
            "example "
                + example.id()
                + " has tag '"
                + example.tags().get(t)
                + "', which is not in the tagger's "
                + tags.size()
                + " tags; build the tag list from the training examples");
      }
      ids[t] = id;
    }
    return ids;
  }

  @Override
  public void close() {
    session.close();
  }

  /**
   * Token-level tagging accuracy.
   *
   * @param correct tokens tagged correctly
   * @param total tokens
   */
  public record TagEvaluation(long correct, long total) {

    /** Returns {@code correct / total}, 0 when there are no tokens. */
    public double accuracy() {
      return total == 0 ? 0 : (double) correct / total;
    }
  }
}
