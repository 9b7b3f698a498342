package io.rnnkit.transfer;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.data.Example;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.train.ModelSession;
import io.rnnkit.transfer.NameMapping.Direction;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pretrained side of a fine-tuning run: one language model, or a forward and a backward one for
 * the two halves of a bidirectional encoder.
 */
public final class FineTuning {

  private static final Logger log = LoggerFactory.getLogger(FineTuning.class);

  private final PretrainedModel forward;
  private final PretrainedModel backward;

  private FineTuning(PretrainedModel forward, PretrainedModel backward) {
    this.forward = forward;
    this.backward = backward;
  }

  /** Fine-tunes from one language model whose names the new encoder shares. */
  public static FineTuning single(Path model) {
    return new FineTuning(PretrainedModel.resolve(model), null);
  }

  /**
   * Fine-tunes a bidirectional encoder whose forward half comes from {@code forwardModel} and whose
   * backward half comes from {@code backwardModel}, a language model trained on reversed text. The
   * embedding comes from the forward model; both must share one vocabulary.
   */
  public static FineTuning bidirectional(Path forwardModel, Path backwardModel) {
    PretrainedModel forward = PretrainedModel.resolve(forwardModel);
    PretrainedModel backward = PretrainedModel.resolve(backwardModel);
    if (!forward.vocabulary().equals(backward.vocabulary())) {
      throw new IllegalArgumentException(
          "the forward model "
              + forwardModel
              + " and the backward model "
              + backwardModel
              + " have different vocabularies; pretrain both with the same text and --min-count");
    }
    if (forward.config() != null && forward.config().getReversed()) {
      throw new IllegalArgumentException(
          "the forward model "
              + forwardModel
              + " was trained on reversed text (pretrain --reverse); pass it as the backward"
              + " model and a model of forward text as the forward one");
    }
    if (backward.config() != null && !backward.config().getReversed()) {
      log.warn(
          "The backward model {} is not marked as trained on reversed text; check that it came"
              + " from pretrain --reverse",
          backwardModel);
    }
    return new FineTuning(forward, backward);
  }

  /** Returns whether the new encoder is bidirectional (two language models). */
  public boolean bidirectional() {
    return backward != null;
  }

  /** Returns the pretrained model config, or the default instance where none is stored. */
  public ModelConfig encoderConfig() {
    return forward.config() == null ? ModelConfig.getDefaultInstance() : forward.config();
  }

  /** Returns the pretrained vocabulary. */
  public Vocabulary pretrainedVocabulary() {
    return forward.vocabulary();
  }

  /**
   * Returns the vocabulary of the new model: the pretrained one, or with {@code extend} the
   * pretrained one followed by the training words it lacks that occur at least {@code minCount}
   * times. Logs how many training tokens map to {@code <unk>} and the most frequent of them.
   */
  public Vocabulary vocabulary(List<Example> train, boolean extend, int minCount) {
    Vocabulary pretrained = forward.vocabulary();
    VocabularyTransfer.Coverage coverage = VocabularyTransfer.coverage(pretrained, train, 10);
    log.info(
        "Pretrained vocabulary of {} words lacks {} of {} training tokens ({}), {} distinct words;"
            + " most frequent: {}",
        pretrained.size(),
        coverage.unknown(),
        coverage.tokens(),
        String.format("%.2f %%", 100 * coverage.unknownRate()),
        coverage.unknownTypes(),
        coverage.topUnknown().stream().map(Map.Entry::toString).toList());
    if (!extend) {
      return pretrained;
    }
    Vocabulary extended = VocabularyTransfer.extend(pretrained, train, minCount);
    log.info(
        "Extended the vocabulary by {} words seen at least {} times, to {}",
        extended.size() - pretrained.size(),
        minCount,
        extended.size());
    return extended;
  }

  /**
   * Loads every pretrained variable of the model in {@code session} by name and shape; the head
   * stays new.
   *
   * @param allowPartial keep unmatched variables newly initialized instead of failing
   * @param extendVocabulary accept an embedding with more rows than the pretrained one
   */
  public TransferReport load(ModelSession session, boolean allowPartial, boolean extendVocabulary) {
    List<WeightTransfer.Source> sources =
        backward == null
            ? List.of(WeightTransfer.Source.of(forward.prefix()))
            : List.of(
                new WeightTransfer.Source(
                    forward.prefix(), NameMapping.bidirectionalHalf(Direction.FORWARD, true)),
                new WeightTransfer.Source(
                    backward.prefix(), NameMapping.bidirectionalHalf(Direction.BACKWARD, false)));
    WeightTransfer.Options options =
        new WeightTransfer.Options(
            List.of(session.network().headScope() + "/"), allowPartial, extendVocabulary);
    TransferReport report =
        WeightTransfer.load(session.session(), session.store(), sources, options);
    log.info(
        "Loaded {} variables, extended {}, {} new, {} pretrained tensors left out",
        report.names(TransferReport.Status.LOADED).size(),
        report.names(TransferReport.Status.EXTENDED).size(),
        report.names(TransferReport.Status.NEW).size(),
        report.names(TransferReport.Status.LEFT_OUT).size());
    return report;
  }

  /**
   * Returns the ULMFiT schedule of {@code groups} layer groups.
   *
   * @param slanted slanted triangular multiplier, or {@code null} for a constant rate
   */
  public static UlmfitSchedule schedule(
      int groups, float rate, float factor, Unfreezing unfreezing, SlantedTriangular slanted) {
    return new UlmfitSchedule(groups, rate, factor, unfreezing, slanted);
  }
}
