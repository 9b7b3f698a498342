package io.rnnkit.task;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BucketBatcher;
import io.rnnkit.data.BucketBatcher.Batch;
import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.export.SavedModelExporter;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.model.Network;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.ClassifierTrainer;
import io.rnnkit.train.ClassifierTrainer.PassStats;
import io.rnnkit.train.GroupSchedule;
import io.rnnkit.train.LayerGroup;
import io.rnnkit.train.LearningRateSchedule;
import io.rnnkit.train.MetricGoal;
import io.rnnkit.train.ModelFiles;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.RunOptions;
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.train.TrainingPass;
import io.rnnkit.train.TrainingRun;
import io.rnnkit.transfer.LayerGroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sentence classifier: embedding, recurrent encoder, pooled softmax head. Its encoder can start
 * from a pretrained language model ({@link #transferFrom}), and it exports as a SavedModel that
 * takes words.
 *
 * <pre>{@code
 * try (ClassifierTask classifier = ClassifierTask.create(model, training, vocabulary, labels)) {
 *   classifier.transferFrom(Path.of("runs/lm"));
 *   classifier.trainEpoch(trainExamples, 0);
 *   double accuracy = classifier.evaluate(testExamples).accuracy();
 *   classifier.export(Path.of("savedmodels/my-classifier"), 1);
 * }
 * }</pre>
 */
public final class ClassifierTask implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClassifierTask.class);

  private final ModelConfig model;
  private final TrainingConfig training;
  private final Vocabulary vocabulary;
  private final List<String> labels;
  private final Map<String, Integer> labelIds = new HashMap<>();
  private final ModelSession session;
  private final ClassifierTrainer trainer;
  private final List<LayerGroup> groups;
  private final int[] boundaries;

  private ClassifierTask(
      ModelConfig model,
      TrainingConfig training,
      Vocabulary vocabulary,
      List<String> labels,
      boolean layerGroups) {
    this.model = model;
    this.training = training;
    this.vocabulary = vocabulary;
    this.labels = List.copyOf(labels);
    for (int i = 0; i < labels.size(); i++) {
      labelIds.put(labels.get(i), i);
    }
    this.boundaries = TrainingSetup.bucketBoundaries(training, model.getMaxLength());
    this.session = ModelSession.create(model, training, vocabulary.size());
    this.groups = layerGroups ? LayerGroups.of(session.network()) : null;
    this.trainer =
        new ClassifierTrainer(
            session, LearningRateSchedule.constant(training.getLearningRate()), groups);
    trainer.prepare(boundaries);
    session.start();
  }

  /**
   * Builds the classifier; unset config fields get their defaults, the task is set to CLASSIFIER
   * and {@code num_classes} to the number of labels.
   */
  public static ClassifierTask create(
      ModelConfig model, TrainingConfig training, Vocabulary vocabulary, List<String> labels) {
    return create(model, training, vocabulary, labels, false);
  }

  /**
   * Builds the classifier with one update per layer group ({@link LayerGroups#of}: embedding, each
   * recurrent layer, head), so that {@link #setGroupSchedule} can freeze groups and give each its
   * own learning rate. Until then every group trains at the configured rate.
   */
  public static ClassifierTask createWithLayerGroups(
      ModelConfig model, TrainingConfig training, Vocabulary vocabulary, List<String> labels) {
    return create(model, training, vocabulary, labels, true);
  }

  private static ClassifierTask create(
      ModelConfig model,
      TrainingConfig training,
      Vocabulary vocabulary,
      List<String> labels,
      boolean layerGroups) {
    if (labels.size() < 2) {
      throw new IllegalArgumentException(
          "a classifier needs at least 2 labels, got " + labels.size() + ": " + labels);
    }
    ModelConfig resolved =
        ModelConfigs.withDefaults(
            model.toBuilder().setTask(TaskKind.CLASSIFIER).setNumClasses(labels.size()).build());
    return new ClassifierTask(
        resolved, TrainingConfigs.withDefaults(training), vocabulary, labels, layerGroups);
  }

  /** Returns the resolved model configuration. */
  public ModelConfig modelConfig() {
    return model;
  }

  /** Returns the training graph and session, for loading pretrained weights into its variables. */
  public ModelSession modelSession() {
    return session;
  }

  /**
   * Returns the layer groups, bottom first; empty unless made by {@link #createWithLayerGroups}.
   */
  public List<LayerGroup> layerGroups() {
    return groups == null ? List.of() : groups;
  }

  /**
   * Sets the learning rate and on/off switch of each layer group, in the order of {@link
   * #layerGroups()}; needs a classifier made by {@link #createWithLayerGroups}.
   */
  public void setGroupSchedule(GroupSchedule schedule) {
    trainer.setGroupSchedule(schedule);
  }

  /**
   * Returns the number of updates one {@link #trainEpoch} over {@code examples} applies, which a
   * slanted triangular schedule needs to know in advance.
   */
  public int updatesPerEpoch(List<Example> examples) {
    int batches = batcher(examples, true).batchesPerEpoch();
    return TrainingSetup.updatesPerEpoch(training, batches);
  }

  /**
   * Copies the embedding and encoder weights of a saved language model into this classifier. The
   * head stays newly initialized. The saved model's vocabulary must equal this one.
   *
   * @return the names of the copied variables
   */
  public List<String> transferFrom(Path languageModelFolder) {
    Vocabulary pretrained = ModelFiles.readVocabulary(languageModelFolder);
    if (!pretrained.equals(vocabulary)) {
      throw new IllegalArgumentException(
          "the vocabulary of "
              + languageModelFolder
              + " differs from this classifier's; build"
              + " the classifier with the language model's vocabulary");
    }
    ModelConfig source = ModelFiles.readConfig(languageModelFolder);
    requireSameEncoder(source, languageModelFolder);
    List<String> copied = new ArrayList<>();
    List<String> fresh = new ArrayList<>();
    for (String name : session.store().variables().keySet()) {
      if (name.startsWith(Network.CLASSIFIER_HEAD + "/")) {
        fresh.add(name);
      } else {
        copied.add(name);
      }
    }
    Checkpoints.restoreSome(
        session.session(), session.store(), ModelFiles.checkpoint(languageModelFolder), copied);
    log.info("Loaded from {}: {}", languageModelFolder, copied);
    log.info("New (initialized): {}", fresh);
    return copied;
  }

  private void requireSameEncoder(ModelConfig source, Path folder) {
    if (source.getCell() != model.getCell()
        || source.getEmbeddingSize() != model.getEmbeddingSize()
        || source.getHiddenSize() != model.getHiddenSize()
        || source.getNumLayers() != model.getNumLayers()) {
      throw new IllegalArgumentException(
          "the encoder of "
              + folder
              + " ("
              + source.getCell()
              + ", embedding "
              + source.getEmbeddingSize()
              + ", hidden "
              + source.getHiddenSize()
              + ", layers "
              + source.getNumLayers()
              + ") differs from this classifier's ("
              + model.getCell()
              + ", embedding "
              + model.getEmbeddingSize()
              + ", hidden "
              + model.getHiddenSize()
              + ", layers "
              + model.getNumLayers()
              + ")");
    }
  }

  /** Trains one shuffled pass over {@code examples}; {@code epoch} seeds the shuffle. */
  public PassStats trainEpoch(List<Example> examples, int epoch) {
    BucketBatcher batcher = batcher(examples, true);
    List<Batch> batches = batcher.epoch(training.getSeed(), epoch);
    return trainer.train(batches, training.getMaxStepsPerEpoch(), epoch);
  }

  /**
   * Trains for the epochs of {@code options} with validation on {@code validation} after each,
   * early stopping, checkpoints and resume in the run folder ({@link TrainingRun}). The learning
   * rate follows {@code training.schedule}; the best checkpoint is by validation accuracy.
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
                batcher.epoch(training.getSeed(), epoch), training.getMaxStepsPerEpoch(), epoch);
          }

          @Override
          public TrainingRun.Validation validate() {
            Evaluation result = evaluate(validation);
            log.info(
                "Validation confusion matrix [gold][predicted] over {}: {}",
                labels,
                java.util.Arrays.deepToString(result.confusion()));
            return new TrainingRun.Validation(
                "accuracy",
                result.accuracy(),
                MetricGoal.MAXIMIZE,
                TrainingRun.metrics("macro_f1", result.macroF1()));
          }
        };
    return new TrainingRun(job, options).run();
  }

  /** Returns the training session: graph, variables and optimizer. */
  public ModelSession session() {
    return session;
  }

  /** Predicts every example and compares with its label. */
  public Evaluation evaluate(List<Example> examples) {
    List<float[]> probabilities = predictProbabilities(examples);
    int[] gold = new int[examples.size()];
    int[] guess = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      gold[i] = labelId(examples.get(i));
      guess[i] = argMax(probabilities.get(i));
    }
    return new Evaluation(labels, gold, guess);
  }

  /**
   * Returns the class probabilities of every example, in input order. Labels are not read, so
   * unlabeled examples are fine.
   */
  public List<float[]> predictProbabilities(List<Example> examples) {
    List<Batch> batches = batcher(examples, false).inOrder();
    List<float[][]> probabilities = trainer.predict(batches);
    Map<Long, float[]> byId = new HashMap<>();
    for (int b = 0; b < batches.size(); b++) {
      Batch batch = batches.get(b);
      for (int row = 0; row < batch.size(); row++) {
        byId.put(batch.exampleIds()[row], probabilities.get(b)[row]);
      }
    }
    List<float[]> ordered = new ArrayList<>(examples.size());
    for (Example example : examples) {
      ordered.add(byId.get(example.id()));
    }
    return ordered;
  }

  /** Exports the classifier as version {@code version} under {@code baseDir}. */
  public Path export(Path baseDir, long version) {
    try {
      Path scratch = Files.createTempDirectory("rnnkit-export");
      try {
        Path checkpoint = scratch.resolve(ModelFiles.CHECKPOINT);
        Checkpoints.save(session.session(), checkpoint);
        return SavedModelExporter.exportClassifier(
            model, vocabulary.tokens(), labels, checkpoint, baseDir, version);
      } finally {
        Checkpoints.deleteRecursively(scratch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("failed to export the classifier to " + baseDir, e);
    }
  }

  private BucketBatcher batcher(List<Example> examples, boolean withLabels) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no examples; pass at least one labeled sentence");
    }
    long[] ids = new long[examples.size()];
    int[][] sequences = new int[examples.size()][];
    int[] classes = new int[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      Example example = examples.get(i);
      ids[i] = example.id();
      sequences[i] = vocabulary.ids(example.tokens());
      classes[i] = withLabels ? labelId(example) : 0;
    }
    return BucketBatcher.builder(ids, sequences)
        .labels(classes)
        .boundaries(boundaries)
        .batchSize(training.getBatchSize())
        .overflow(BucketBatcher.Overflow.TRUNCATE)
        .build();
  }

  private int labelId(Example example) {
    Integer id = labelIds.get(example.label());
    if (id == null) {
      throw new IllegalArgumentException(
          "example "
              + example.id()
              + " has label '"
              + example.label()
              + "', which is not one of the classifier's labels "
              + labels);
    }
    return id;
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void close() {
    session.close();
  }
}
