package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rnnkit.data.UnknownWordClasses;
import io.rnnkit.data.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

class UnknownWordClassOpsTest {

  private static final List<String> WORDS =
      List.of(
          "the",
          "dog",
          "Unpopularity",
          "1960s",
          "NATO",
          "U.S.",
          "A",
          "McCarthy",
          "running",
          "sang",
          "anti-war",
          "Anglo-Saxon",
          "1961-62",
          "école",
          "CAFÉ",
          "x😀s",
          "''",
          "Go",
          "a",
          "ab",
          "<unk>",
          "<unk:low>",
          "-",
          "x\ny",
          "A".repeat(3000) + "a");

  @Test
  void classesOf_matchJava() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      List<Operand<TString>> classes = UnknownWordClassOps.classesOf(tf, words(tf));
      for (int level = 0; level < classes.size(); level++) {
        try (TString result = (TString) session.runner().fetch(classes.get(level)).run().get(0)) {
          for (int i = 0; i < WORDS.size(); i++) {
            assertEquals(
                UnknownWordClasses.classesOf(WORDS.get(i)).get(level),
                result.getObject(i),
                "class " + level + " of " + WORDS.get(i));
          }
        }
      }
    }
  }

  @Test
  void lookup_matchesVocabularyIds() {
    List<List<String>> sentences = new ArrayList<>();
    sentences.add(List.of("the", "the", "dog", "dog", "a", "a"));
    sentences.add(List.of("jumping", "running", "Boston", "Denver", "1961", "1962", "Ohio-born"));
    sentences.add(List.of("Go-getter", "McCoy", "ñandu", "ñoño", "x😀s", "y😀s"));
    Vocabulary vocabulary = Vocabulary.buildWithUnknownWordClasses(sentences, 2, 0, List.of(), 1);
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      SavedModelExporter.Tables tables = SavedModelExporter.lookupTables(tf, vocabulary.tokens());
      Operand<TInt32> ids = tables.lookup(tf, words(tf));
      session.runner().addTarget(SavedModelExporter.INIT_TABLES).run();
      try (TInt32 result = (TInt32) session.runner().fetch(ids).run().get(0)) {
        for (int i = 0; i < WORDS.size(); i++) {
          assertEquals(vocabulary.id(WORDS.get(i)), result.getInt(i), "id of " + WORDS.get(i));
        }
      }
    }
  }

  private static Operand<TString> words(Ops tf) {
    return tf.constant(NdArrays.vectorOfObjects(WORDS.toArray(String[]::new)));
  }
}
