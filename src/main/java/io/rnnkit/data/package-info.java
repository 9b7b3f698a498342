/**
 * Data layer of rnnkit: corpus readers, tokenization, vocabularies and batching, in pure Java.
 *
 * <p>Readers ({@link io.rnnkit.data.BrownCorpus}, {@link io.rnnkit.data.PlainTextReader}, {@link
 * io.rnnkit.data.TsvReader}, {@link io.rnnkit.data.SpamAssassinReader}) turn files into {@link
 * io.rnnkit.data.Example} or {@link io.rnnkit.data.TaggedSentence} records. {@link
 * io.rnnkit.data.Vocabulary} maps tokens to ids. {@link io.rnnkit.data.BucketBatcher} groups
 * sentences of similar length into padded batches for classifiers and taggers, and {@link
 * io.rnnkit.data.BpttLanes} cuts a token stream into truncated-BPTT windows for language models.
 *
 * <p>Corpora are not part of the repository: {@code scripts/fetch-data.sh} downloads them into
 * {@code data/}. Nothing in this package depends on TensorFlow.
 */
package io.rnnkit.data;
